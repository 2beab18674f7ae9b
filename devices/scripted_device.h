// ScriptedDevice: plays a script of control set-points over time, as a person's
// hands would: continuous controls ramp linearly between the keyframes that set
// them, buttons hold their last value. Used by the headless demo, tests, and
// as the transport for the autopilot's plans.
//
// Script file (YAML), every value with its unit in the key:
//   description: "advance the guide, steer, open the clip"
//   duration_s: 6          # optional: the run's length when --duration is absent
//   keyframes:
//     - {t_s: 0}
//     - {t_s: 2, guide.translation_mm: 40, fluoro.pedal: 1}
//     - {t_s: 3, guide.knob_deg: 30, fluoro.pedal: 0}
// Before a control's first keyframe it keeps its default; after its last it
// holds. Keyframe times must not decrease.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "devices/controls.h"
#include "devices/input_device.h"

namespace teersim::devices {

struct ScriptKeyframe {
  double time_s = 0.0;
  ControlId control = ControlId::kCount;
  double value_si = 0.0;
};

struct Script {
  std::string name;         // file name or display name
  std::string description;
  std::optional<double> duration_s;
  // Per control, its keyframes in time order.
  std::array<std::vector<ScriptKeyframe>, kControlCount> tracks;

  double LastKeyframeTime_s() const;
};

// Throws InputError naming file, line and key for unknown controls, missing
// units, out-of-range values and decreasing times.
Script LoadScript(const std::filesystem::path& path);
Script ParseScript(const std::string& text, const std::string& display_name);

class ScriptedDevice final : public InputDevice {
 public:
  explicit ScriptedDevice(Script script) : script_(std::move(script)) {}
  std::string Name() const override { return "script " + script_.name; }
  void Sample(double time_s, ControlFrame* frame) override;
  const Script& GetScript() const { return script_; }

 private:
  Script script_;
};

// The value of one track at time t (linear for continuous, held for buttons).
double SampleTrack(const std::vector<ScriptKeyframe>& track, ControlUnit unit, double time_s,
                   double default_value);

}  // namespace teersim::devices
