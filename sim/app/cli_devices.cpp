#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "base/input_error.h"
#include "devices/falcon_protocol.h"
#include "devices/hid_descriptor.h"
#include "devices/hid_profile.h"
#include "devices/hid_usages.h"
#include "devices/hid_usb_device.h"
#include "devices/usb_enumeration.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"

namespace teersim::app {
namespace {

std::string Hex4(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "%04x", value & 0xFFFFu);
  return text;
}

// The profile name that applies to a device, or "" (see devices/hid_profile.h).
std::string ProfileFor(const std::vector<devices::HidProfile>& profiles,
                       const devices::UsbDeviceSummary& device) {
  const devices::HidProfile* profile = devices::ChooseHidProfileForUsb(
      profiles, {device.vendor_id, device.product_id}, device.hid_report_descriptor);
  return profile == nullptr ? std::string() : profile->name;
}

int ListDevices(bool json) {
  const devices::UsbEnumeration found = devices::EnumerateUsbDevices();
  const std::vector<devices::HidProfile> profiles = devices::LoadBuiltInHidProfiles();
  if (json) {
    nlohmann::ordered_json out;
    out["ok"] = found.ok;
    if (!found.ok) out["error"] = found.error;
    out["devices"] = nlohmann::ordered_json::array();
    for (const auto& device : found.devices) {
      out["devices"].push_back({{"vendor_id", Hex4(device.vendor_id)},
                                {"product_id", Hex4(device.product_id)},
                                {"bus", device.bus},
                                {"address", device.address},
                                {"hid", device.has_hid_interface},
                                {"manufacturer", device.manufacturer},
                                {"product", device.product},
                                {"profile", nullptr}});
      if (const std::string profile = ProfileFor(profiles, device); !profile.empty()) {
        out["devices"].back()["profile"] = profile;
      }
    }
    std::cout << out.dump(2) << '\n';
    return found.ok ? kExitSuccess : kExitFailure;
  }
  if (!found.ok) {
    std::cerr << "teersim devices list: " << found.error << '\n';
    return kExitFailure;
  }
  if (found.devices.empty())
    std::cout << "no USB devices found; keyboard and mouse drive the GUI\n";
  for (const auto& device : found.devices) {
    std::cout << "bus " << int{device.bus} << " addr " << int{device.address} << "  "
              << Hex4(device.vendor_id) << ':' << Hex4(device.product_id) << "  "
              << (device.has_hid_interface ? "HID " : "    ") << device.manufacturer << ' '
              << device.product;
    if (const std::string profile = ProfileFor(profiles, device); !profile.empty()) {
      std::cout << "  [profile " << profile << ']';
    }
    if (device.vendor_id == devices::kFalconVendorId &&
        device.product_id == devices::kFalconProductId) {
      std::cout << "  [haptic: Novint Falcon, needs your own firmware file]";
    }
    std::cout << '\n';
  }
  return kExitSuccess;
}

// "button.1..button.28, generic_desktop.x" — every usage run of a field.
std::string UsageList(const devices::HidField& field) {
  std::string text;
  for (const auto& range : field.usages) {
    if (!text.empty()) text += ", ";
    text += devices::HidUsageName(range.first);
    if (range.last != range.first) text += ".." + devices::HidUsageName(range.last);
  }
  return text;
}

std::string FlagList(const devices::HidField& field) {
  std::string text = field.constant() ? "constant" : "data";
  text += field.variable() ? " variable" : " array";
  text += field.relative() ? " relative" : " absolute";
  if (field.null_state()) text += " null_state";
  if ((field.flags & devices::hid_flag::kWrap) != 0) text += " wrap";
  if ((field.flags & devices::hid_flag::kBufferedBytes) != 0) text += " buffered_bytes";
  return text;
}

nlohmann::ordered_json DescriptorJson(const devices::HidDescriptor& descriptor,
                                      std::size_t length_bytes) {
  nlohmann::ordered_json out;
  out["reports"] = nlohmann::ordered_json::array();
  for (const auto& report : descriptor.reports) {
    nlohmann::ordered_json fields = nlohmann::ordered_json::array();
    for (const auto& field : report.fields) {
      nlohmann::ordered_json usages = nlohmann::ordered_json::array();
      for (const auto& range : field.usages) {
        usages.push_back({{"first", devices::HidUsageName(range.first)},
                          {"last", devices::HidUsageName(range.last)}});
      }
      fields.push_back({{"usage_page", field.usage_page},
                        {"usage", field.usage},
                        {"bit_offset", field.bit_offset},
                        {"bit_size", field.bit_size},
                        {"count", field.count},
                        {"logical_min", field.logical_min},
                        {"logical_max", field.logical_max},
                        {"variable", field.variable()},
                        {"constant", field.constant()},
                        {"relative", field.relative()},
                        {"null_state", field.null_state()},
                        {"physical_min", field.physical_min},
                        {"physical_max", field.physical_max},
                        {"unit", field.unit},
                        {"unit_exponent", field.unit_exponent},
                        {"flags", field.flags},
                        {"usages", usages}});
    }
    out["reports"].push_back({{"id", report.id},
                              {"kind", devices::HidReportKindName(report.kind)},
                              {"size_bits", report.size_bits},
                              {"fields", fields}});
  }
  nlohmann::ordered_json applications = nlohmann::ordered_json::array();
  for (auto usage : descriptor.applications) applications.push_back(devices::HidUsageName(usage));
  out["applications"] = applications;
  out["uses_report_ids"] = descriptor.uses_report_ids;
  out["length_bytes"] = length_bytes;
  out["warnings"] = descriptor.warnings;
  return out;
}

void PrintDescriptor(const devices::HidDescriptor& descriptor, const std::string& file,
                     std::size_t length_bytes) {
  std::cout << file << ": " << length_bytes << " bytes, " << descriptor.reports.size()
            << " report(s), report IDs " << (descriptor.uses_report_ids ? "yes" : "no") << '\n';
  for (auto usage : descriptor.applications) {
    std::cout << "application " << devices::HidUsageName(usage) << '\n';
  }
  for (const auto& report : descriptor.reports) {
    std::cout << devices::HidReportKindName(report.kind) << " report " << int{report.id} << ": "
              << report.size_bits << " bits, " << report.WireBytes(descriptor.uses_report_ids)
              << " bytes on the wire\n";
    for (const auto& field : report.fields) {
      std::ostringstream line;
      line << "  bit " << std::setw(5) << field.bit_offset << "  " << std::setw(3) << field.bit_size
           << " x " << std::left << std::setw(5) << field.count << std::right << "  "
           << FlagList(field);
      if (!field.constant()) {
        line << "  logical " << field.logical_min << ".." << field.logical_max << "  "
             << UsageList(field);
      }
      std::cout << line.str() << '\n';
    }
  }
  for (const auto& warning : descriptor.warnings) std::cout << "warning: " << warning << '\n';
}

int DescribeDescriptor(const std::string& file, bool json) {
  const std::vector<std::uint8_t> bytes = devices::ReadDescriptorFile(file);
  devices::HidDescriptor descriptor;
  try {
    descriptor = devices::ParseHidDescriptor(bytes);
  } catch (const devices::HidDescriptorError& error) {
    throw InputError(file + ": " + error.what());
  }
  if (json) {
    std::cout << DescriptorJson(descriptor, bytes.size()).dump(2) << '\n';
  } else {
    PrintDescriptor(descriptor, file, bytes.size());
  }
  return kExitSuccess;
}

struct MonitorOptions {
  bool json = false;
  std::string device;
  std::optional<double> duration_s;
  double rate_hz = 10.0;
};

devices::HidDeviceId ParseDeviceOption(const std::string& text) {
  unsigned vendor = 0;
  unsigned product = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4x:%4x%c", &vendor, &product, &tail) != 2) {
    throw InputError("--device: expected VID:PID in hex such as 046d:c626, got '" + text + "'");
  }
  return {static_cast<std::uint16_t>(vendor), static_cast<std::uint16_t>(product)};
}

// One sample line: the controls the device's profile drives, in edge units.
void PrintSample(double time_s, const devices::HidUsbStatus& status,
                 const devices::HidProfile* profile, const devices::ControlFrame& frame,
                 bool json) {
  nlohmann::ordered_json controls = nlohmann::ordered_json::object();
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << "t=" << time_s << "s";
  if (profile != nullptr) {
    for (const auto& mapping : profile->mappings) {
      const devices::ControlInfo& info = devices::Info(mapping.control);
      const std::string key =
          std::string(info.name) + std::string(devices::EdgeUnitSuffix(info.unit));
      const double value = devices::SiToEdge(info.unit, frame.Get(mapping.control));
      controls[key] = value;
      text << "  " << key << '=' << value;
    }
  }
  if (json) {
    nlohmann::ordered_json line{{"t_s", time_s},
                                {"connected", status.connected},
                                {"profile", status.profile},
                                {"controls", controls}};
    std::cout << line.dump() << std::endl;
  } else {
    std::cout << text.str() << (status.connected ? "" : "  (disconnected)") << std::endl;
  }
}

int Monitor(const MonitorOptions& options) {
  devices::HidUsbOptions usb;
  if (!options.device.empty()) usb.device = ParseDeviceOption(options.device);
  usb.profiles = devices::LoadBuiltInHidProfiles();
  const std::vector<devices::HidProfile> profiles = usb.profiles;
  devices::HidUsbDevice device(std::move(usb));
  devices::ControlFrame frame = devices::ControlFrame::Defaults();
  const auto start = std::chrono::steady_clock::now();
  const auto period = std::chrono::duration<double>(1.0 / options.rate_hz);
  bool ever_connected = false;
  std::string last_event;
  for (long sample = 0;; ++sample) {
    std::this_thread::sleep_until(start +
                                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      period * static_cast<double>(sample)));
    const double time_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.duration_s && time_s > *options.duration_s) break;
    const devices::HidUsbStatus status = device.Status();
    if (status.last_event != last_event && !options.json) {
      std::cerr << status.last_event << '\n';
      last_event = status.last_event;
    }
    ever_connected = ever_connected || status.connected;
    if (!ever_connected) continue;
    device.Sample(time_s, &frame);
    const devices::HidProfile* profile = nullptr;
    for (const auto& candidate : profiles) {
      if (candidate.name == status.profile) profile = &candidate;
    }
    PrintSample(time_s, status, profile, frame, options.json);
  }
  if (!ever_connected) {
    std::cerr << "teersim devices monitor: no "
              << (options.device.empty() ? "HID device that a profile matches"
                                         : "device " + options.device)
              << " was found\n";
    return kExitFailure;
  }
  return kExitSuccess;
}

}  // namespace

void AddDevicesCommand(CLI::App& app, Handler* handler) {
  CLI::App* command = app.add_subcommand("devices", "Input and haptic devices");
  command->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list =
      command->add_subcommand("list", "List attached USB devices and the profile that applies");
  list->add_flag("--json", *list_json, "Machine-readable output");
  list->callback([handler, list_json] {
    *handler = [list_json] { return Guarded([&] { return ListDevices(*list_json); }); };
  });

  auto monitor_options = std::make_shared<MonitorOptions>();
  CLI::App* monitor = command->add_subcommand(
      "monitor", "Show live control values of a HID device through its profile");
  monitor->add_flag("--json", monitor_options->json, "Print one JSON line per sample");
  monitor->add_option("--device", monitor_options->device,
                      "VID:PID in hex (default: the first HID device a profile matches)");
  monitor
      ->add_option("--duration", monitor_options->duration_s,
                   "Stop after this many seconds (default: run until interrupted)")
      ->check(CLI::PositiveNumber);
  monitor->add_option("--rate", monitor_options->rate_hz, "Samples per second (default 10)")
      ->check(CLI::Range(1.0, 1000.0));
  monitor->callback([handler, monitor_options] {
    *handler = [monitor_options] { return Guarded([&] { return Monitor(*monitor_options); }); };
  });

  auto descriptor_file = std::make_shared<std::string>();
  CLI::App* describe = command->add_subcommand(
      "describe-descriptor", "Parse a HID report descriptor FILE (binary or hex text)");
  describe->add_option("file", *descriptor_file, "Descriptor FILE")
      ->required()
      ->check(CLI::ExistingFile);
  auto describe_json = std::make_shared<bool>(false);
  describe->add_flag("--json", *describe_json, "Machine-readable output");
  describe->callback([handler, descriptor_file, describe_json] {
    *handler = [descriptor_file, describe_json] {
      return Guarded([&] { return DescribeDescriptor(*descriptor_file, *describe_json); });
    };
  });
}

}  // namespace teersim::app
