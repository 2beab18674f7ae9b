#include "devices/hid_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "base/data_file.h"
#include "base/data_paths.h"
#include "base/input_error.h"
#include "devices/hid_usages.h"

namespace teersim::devices {
namespace {

// Dead zones beyond this leave too little travel to steer with.
constexpr double kMaxDeadZone = 0.9;
// A rate may cover a control's whole span in a tenth of a second at most.
constexpr double kMaxRateSpansPerSecond = 10.0;
constexpr double kButtonPressedThreshold = 0.5;
// Converting a control's SI span back to degrees or mm rounds (240 deg comes
// back as 239.99999999999997); the bound allows that much.
constexpr double kEdgeRoundingSlack = 1e-9;
// sin/cos of a hat direction above this count as pressed on that axis: 45
// degrees (0.707) counts, 90 degrees (cos = 6e-17) does not.
constexpr double kHatDiagonalThreshold = 0.5;

std::string ScaleKey(HidMappingMode mode, ControlUnit unit) {
  const std::string suffix(EdgeUnitSuffix(unit));
  return mode == HidMappingMode::kRate ? "full_rate" + suffix + "_per_s" : "full_scale" + suffix;
}

void ExpectKeysIn(const Field& field, const std::vector<std::string>& allowed) {
  for (const std::string& key : field.Keys()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string listed;
    for (const auto& name : allowed) listed += (listed.empty() ? "" : ", ") + name;
    field.Child(key).Fail("unknown key (allowed here: " + listed + ")");
  }
}

std::uint32_t ParseUsage(const Field& field) {
  const std::string text = field.String();
  if (auto usage = ParseHidUsageName(text)) return *usage;
  field.Fail("unknown usage '" + text +
             "' (write e.g. generic_desktop.x, simulation.brake, button.3 or 0x01.0x30)");
}

HidDeviceId ParseDeviceId(const Field& field) {
  const std::string text = field.String();
  unsigned vendor = 0;
  unsigned product = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4x:%4x%c", &vendor, &product, &tail) != 2) {
    field.Fail("expected vendor:product in hex such as '046d:c626', got '" + text + "'");
  }
  return {static_cast<std::uint16_t>(vendor), static_cast<std::uint16_t>(product)};
}

HidMapping ParseMapping(const Field& entry) {
  HidMapping mapping;
  mapping.usage = ParseUsage(entry.Child("usage"));
  const Field control_field = entry.Child("control");
  const std::string control_name = control_field.String();
  const auto control = FindControl(control_name);
  if (!control) control_field.Fail("unknown control '" + control_name + "'");
  mapping.control = *control;
  const ControlInfo& info = Info(*control);
  const bool button_control = info.unit == ControlUnit::kButton;

  mapping.mode = button_control ? HidMappingMode::kButton : HidMappingMode::kPosition;
  if (auto mode = entry.OptionalChild("mode")) {
    const std::string word = mode->OneOf({"position", "rate", "button"});
    mapping.mode = word == "rate"     ? HidMappingMode::kRate
                   : word == "button" ? HidMappingMode::kButton
                                      : HidMappingMode::kPosition;
    if ((mapping.mode == HidMappingMode::kButton) != button_control) {
      mode->Fail(button_control ? "button control '" + control_name + "' needs mode button"
                                : "mode button is for button controls only");
    }
  }

  // Position and rate mappings need their scale, in the control's edge unit.
  std::vector<std::string> allowed{"usage",  "control", "mode", "dead_zone",
                                   "invert", "range",   "hat"};
  const std::string scale_key = ScaleKey(mapping.mode, info.unit);
  if (mapping.mode != HidMappingMode::kButton) allowed.push_back(scale_key);
  ExpectKeysIn(entry, allowed);
  mapping.full_scale_si = 1.0;
  if (mapping.mode != HidMappingMode::kButton) {
    const double span_edge = SiToEdge(info.unit, info.max_value - info.min_value);
    const double max_edge =
        (mapping.mode == HidMappingMode::kRate ? span_edge * kMaxRateSpansPerSecond : span_edge) *
        (1.0 + kEdgeRoundingSlack);
    mapping.full_scale_si = EdgeToSi(info.unit, entry.Child(scale_key).Number(0.0, max_edge));
  }
  mapping.dead_zone = entry.NumberOr("dead_zone", 0.0, 0.0, kMaxDeadZone);
  if (auto invert = entry.OptionalChild("invert")) mapping.invert = invert->Bool();
  if (auto range = entry.OptionalChild("range")) {
    mapping.unipolar = range->OneOf({"bipolar", "unipolar"}) == "unipolar";
  }
  if (auto hat = entry.OptionalChild("hat")) {
    if (mapping.mode == HidMappingMode::kButton)
      hat->Fail("a hat drives rate or position controls");
    mapping.hat = hat->OneOf({"x", "y"}) == "x" ? HidHatAxis::kX : HidHatAxis::kY;
  }
  return mapping;
}

HidProfile ParseFromDataFile(const DataFile& file) {
  const Field root = file.Root();
  root.ExpectOnlyKeys({"name", "description", "match", "mappings"});
  HidProfile profile;
  profile.file = file.Name();
  profile.name = root.Child("name").String();
  if (auto description = root.OptionalChild("description")) {
    profile.description = description->String();
  }
  const Field match = root.Child("match");
  match.ExpectOnlyKeys({"applications", "devices"});
  if (auto applications = match.OptionalChild("applications")) {
    for (const Field& item : applications->Items()) {
      profile.match_applications.push_back(ParseUsage(item));
    }
  }
  if (auto devices = match.OptionalChild("devices")) {
    for (const Field& item : devices->Items()) profile.match_devices.push_back(ParseDeviceId(item));
  }
  if (profile.match_applications.empty() && profile.match_devices.empty()) {
    match.Fail("needs applications or devices to match");
  }
  for (const Field& entry : root.Child("mappings").Items()) {
    profile.mappings.push_back(ParseMapping(entry));
  }
  if (profile.mappings.empty()) root.Child("mappings").Fail("needs at least one mapping");
  return profile;
}

// Whether `field` carries `usage` as an input the mapper can read.
bool FieldCarries(const HidField& field, std::uint32_t usage) {
  if (field.constant() || field.bit_size > kMaxDecodedBits) return false;
  std::uint64_t index = 0;
  for (const auto& range : field.usages) {
    if (usage >= range.first && usage <= range.last) {
      return !field.variable() || index + (usage - range.first) < field.count;
    }
    index += range.size();
  }
  return false;
}

}  // namespace

HidProfile LoadHidProfile(const std::filesystem::path& path) {
  return ParseFromDataFile(DataFile::Load(path));
}

HidProfile ParseHidProfile(const std::string& text, const std::string& display_name) {
  return ParseFromDataFile(DataFile::Parse(text, display_name));
}

std::vector<HidProfile> LoadBuiltInHidProfiles() {
  const std::filesystem::path directory = DataRoot() / "devices" / "profiles";
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(directory)) {
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<HidProfile> profiles;
  for (const auto& file : files) profiles.push_back(LoadHidProfile(file));
  return profiles;
}

const HidProfile* ChooseHidProfile(const std::vector<HidProfile>& profiles,
                                   const HidDescriptor& descriptor,
                                   std::optional<HidDeviceId> device) {
  if (device) {
    for (const auto& profile : profiles) {
      for (const auto& id : profile.match_devices) {
        if (id == *device) return &profile;
      }
    }
  }
  for (const auto& profile : profiles) {
    for (auto application : profile.match_applications) {
      if (descriptor.HasApplication(application)) return &profile;
    }
  }
  return nullptr;
}

const HidProfile* ChooseHidProfileForUsb(const std::vector<HidProfile>& profiles, HidDeviceId id,
                                         std::span<const std::uint8_t> report_descriptor) {
  HidDescriptor descriptor;
  if (!report_descriptor.empty()) {
    try {
      descriptor = ParseHidDescriptor(report_descriptor);
    } catch (const HidDescriptorError&) {
      descriptor = HidDescriptor{};
    }
  }
  return ChooseHidProfile(profiles, descriptor, id);
}

double NormalizeHidValue(const HidField& field, const HidValue& value, bool unipolar) {
  const double low = static_cast<double>(field.logical_min);
  const double high = static_cast<double>(field.logical_max);
  if (!value.in_range || high <= low) return 0.0;
  const double v = static_cast<double>(value.value);
  if (unipolar) return std::clamp((v - low) / (high - low), 0.0, 1.0);
  // Signed fields are centred on 0, each side scaled by its own bound.
  if (low < 0.0 && high > 0.0) return std::clamp(v >= 0.0 ? v / high : -v / low, -1.0, 1.0);
  return std::clamp(2.0 * (v - low) / (high - low) - 1.0, -1.0, 1.0);
}

double HatComponent(const HidField& field, const HidValue& value, HidHatAxis axis) {
  const std::int64_t positions = field.logical_max - field.logical_min + 1;
  if (!value.in_range || positions < 2 || axis == HidHatAxis::kNone) return 0.0;
  // Direction 0 is up; each step turns clockwise by 360/positions degrees.
  const double angle = 2.0 * std::numbers::pi *
                       static_cast<double>(value.value - field.logical_min) /
                       static_cast<double>(positions);
  const double component = axis == HidHatAxis::kX ? std::sin(angle) : std::cos(angle);
  // Diagonals count fully on both axes, as a hat's switches do.
  if (component > kHatDiagonalThreshold) return 1.0;
  if (component < -kHatDiagonalThreshold) return -1.0;
  return 0.0;
}

double ApplyDeadZone(double normalized, double dead_zone) {
  const double magnitude = std::abs(normalized);
  if (magnitude <= dead_zone) return 0.0;
  return std::copysign((magnitude - dead_zone) / (1.0 - dead_zone), normalized);
}

HidControlMapper::HidControlMapper(HidProfile profile, HidDescriptor descriptor)
    : profile_(std::move(profile)), descriptor_(std::move(descriptor)) {
  for (const auto& mapping : profile_.mappings) {
    bool found = false;
    for (const auto& report : descriptor_.reports) {
      if (report.kind != HidReportKind::kInput || found) continue;
      for (std::uint32_t i = 0; i < report.fields.size() && !found; ++i) {
        if (!FieldCarries(report.fields[i], mapping.usage)) continue;
        active_.push_back({mapping, report.id, i, 0.0, false});
        found = true;
      }
    }
    if (!found) unmatched_.push_back(mapping.usage);
  }
}

void HidControlMapper::Update(const DecodedHidReport& report) {
  if (report.kind != HidReportKind::kInput) return;
  const HidReport* layout = descriptor_.Find(HidReportKind::kInput, report.id);
  if (layout == nullptr) return;
  for (Active& active : active_) {
    if (active.report_id != report.id) continue;
    const HidField& field = layout->fields[active.field];
    const HidValue* found = nullptr;
    for (const auto& value : report.values) {
      if (value.field == active.field && value.usage == active.mapping.usage) {
        found = &value;
        break;
      }
    }
    active.received = true;
    // An array slot not listing the usage means "not pressed".
    if (found == nullptr) {
      active.deflection = 0.0;
      continue;
    }
    const HidMapping& mapping = active.mapping;
    double deflection = 0.0;
    if (mapping.mode == HidMappingMode::kButton) {
      const bool pressed =
          found->in_range && (!field.variable() || found->value != field.logical_min);
      deflection = pressed != mapping.invert ? 1.0 : 0.0;
    } else {
      deflection = mapping.hat != HidHatAxis::kNone
                       ? HatComponent(field, *found, mapping.hat)
                       : ApplyDeadZone(NormalizeHidValue(field, *found, mapping.unipolar),
                                       mapping.dead_zone);
      if (mapping.invert) deflection = mapping.unipolar ? 1.0 - deflection : -deflection;
    }
    active.deflection = deflection;
  }
}

void HidControlMapper::Apply(double dt_s, ControlFrame* frame) const {
  for (const Active& active : active_) {
    if (!active.received) continue;
    const HidMapping& mapping = active.mapping;
    const ControlInfo& info = Info(mapping.control);
    double value = 0.0;
    switch (mapping.mode) {
      case HidMappingMode::kPosition:
        value = info.default_value + active.deflection * mapping.full_scale_si;
        break;
      case HidMappingMode::kRate:
        value = frame->Get(mapping.control) + active.deflection * mapping.full_scale_si * dt_s;
        break;
      case HidMappingMode::kButton:
        value = active.deflection >= kButtonPressedThreshold ? 1.0 : 0.0;
        break;
    }
    frame->Set(mapping.control, std::clamp(value, info.min_value, info.max_value));
  }
}

void HidControlMapper::Release() {
  for (Active& active : active_) {
    if (active.mapping.mode != HidMappingMode::kPosition) active.deflection = 0.0;
  }
}

}  // namespace teersim::devices
