#include "devices/scripted_device.h"

#include <algorithm>

#include "base/data_file.h"
#include "base/input_error.h"

namespace teersim::devices {
namespace {

// Longest script accepted: a full procedure is well under two hours.
constexpr double kMaxScriptTime_s = 4.0 * 3600.0;

// Splits "guide.translation_mm" into the control and checks the unit suffix.
ControlId ParseControlKey(const Field& at, const std::string& key) {
  for (const auto& info : AllControls()) {
    const std::string expected = std::string(info.name) + std::string(EdgeUnitSuffix(info.unit));
    if (key == expected) return info.id;
    if (key == info.name && !EdgeUnitSuffix(info.unit).empty()) {
      at.Fail("control '" + key + "' needs its unit: write '" + expected + "'");
    }
  }
  at.Fail("unknown control '" + key + "'");
}

Script ParseFromDataFile(const DataFile& file) {
  const Field root = file.Root();
  root.ExpectOnlyKeys({"description", "duration_s", "keyframes"});
  Script script;
  script.name = file.Name();
  if (auto description = root.OptionalChild("description")) script.description = description->String();
  if (auto duration = root.OptionalChild("duration_s")) {
    script.duration_s = duration->Number(0.0, kMaxScriptTime_s);
  }
  double previous_time_s = 0.0;
  for (const Field& keyframe : root.Child("keyframes").Items()) {
    const Field time = keyframe.Child("t_s");
    const double time_s = time.Number(0.0, kMaxScriptTime_s);
    if (time_s < previous_time_s) time.Fail("keyframe times must not decrease");
    previous_time_s = time_s;
    for (const std::string& key : keyframe.Keys()) {
      if (key == "t_s") continue;
      const Field value = keyframe.Child(key);
      const ControlId id = ParseControlKey(value, key);
      const ControlInfo& info = Info(id);
      const double min_edge = SiToEdge(info.unit, info.min_value);
      const double max_edge = SiToEdge(info.unit, info.max_value);
      const double value_si = EdgeToSi(info.unit, value.Number(min_edge, max_edge));
      script.tracks[static_cast<std::size_t>(id)].push_back({time_s, id, value_si});
    }
  }
  return script;
}

}  // namespace

double Script::LastKeyframeTime_s() const {
  double last = 0.0;
  for (const auto& track : tracks) {
    if (!track.empty()) last = std::max(last, track.back().time_s);
  }
  return last;
}

Script LoadScript(const std::filesystem::path& path) {
  Script script = ParseFromDataFile(DataFile::Load(path));
  script.name = path.filename().string();
  return script;
}

Script ParseScript(const std::string& text, const std::string& display_name) {
  return ParseFromDataFile(DataFile::Parse(text, display_name));
}

double SampleTrack(const std::vector<ScriptKeyframe>& track, ControlUnit unit, double time_s,
                   double default_value) {
  if (track.empty() || time_s < track.front().time_s) return default_value;
  // First keyframe strictly after t; the value ramps from its predecessor.
  const auto after = std::upper_bound(
      track.begin(), track.end(), time_s,
      [](double t, const ScriptKeyframe& keyframe) { return t < keyframe.time_s; });
  if (after == track.end()) return track.back().value_si;
  const ScriptKeyframe& before = *(after - 1);
  if (unit == ControlUnit::kButton) return before.value_si;
  const double span_s = after->time_s - before.time_s;
  const double fraction = (time_s - before.time_s) / span_s;
  return before.value_si + fraction * (after->value_si - before.value_si);
}

void ScriptedDevice::Sample(double time_s, ControlFrame* frame) {
  for (const auto& info : AllControls()) {
    const auto& track = script_.tracks[static_cast<std::size_t>(info.id)];
    if (track.empty()) continue;
    frame->Set(info.id, SampleTrack(track, info.unit, time_s, frame->Get(info.id)));
  }
}

}  // namespace teersim::devices
