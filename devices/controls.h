// The control vocabulary: every input a fellow (or a device, a script, the
// autopilot) can give the simulator. Devices map their axes and buttons onto
// these; the simulator reads a ControlFrame each step. Values are SI: handle
// translations in metres (advance positive), rotations and knob angles in
// radians, buttons and the pedal 0 or 1, zoom as a factor.
//
// Script and profile files name controls by `Name()` and give values with the
// unit in the key: "guide.translation_mm", "sleeve.ap_knob_deg",
// "clip.arm_angle_deg", "fluoro.pedal".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teersim::devices {

enum class ControlId : std::uint8_t {
  // Transseptal set: sheath ⊃ dilator ⊃ needle, and the guidewire.
  kSheathTranslation,
  kSheathRotation,
  kDilatorTranslation,
  kDilatorRotation,
  kNeedleTranslation,
  kNeedleRotation,
  kGuidewireTranslation,
  kGuidewireRotation,
  // 24 Fr steerable guide catheter: "+/-" knob ("+" moves the sleeve posteriorly).
  kGuideTranslation,
  kGuideRotation,
  kGuideKnob,
  // Clip delivery system: steerable sleeve (A/P and M/L knobs) and delivery catheter.
  kSleeveTranslation,
  kSleeveRotation,
  kSleeveApKnob,
  kSleeveMlKnob,
  kDeliveryTranslation,
  kDeliveryRotation,
  // Clip: arm angle 0 closed .. pi fully open, beyond pi inverted.
  kClipArmAngle,
  kClipGripperLeft,
  kClipGripperRight,
  kClipLock,
  kClipRelease,
  // Imaging controls (recorded, never used by physics).
  kFluoroPedal,
  kCineButton,
  kCArmLaoRao,    // + LAO, - RAO
  kCArmCranCaud,  // + cranial, - caudal
  kCArmZoom,      // magnification factor, 1 = no zoom
  kTeeMultiplane,
  kTeeDepth,      // probe insertion depth in the oesophagus
  kTeeFlexion,    // anteflexion +, retroflexion -
  kCount
};

inline constexpr std::size_t kControlCount = static_cast<std::size_t>(ControlId::kCount);

enum class ControlUnit : std::uint8_t { kMetre, kRadian, kButton, kFactor };

struct ControlInfo {
  ControlId id;
  std::string_view name;      // "guide.translation"
  ControlUnit unit;
  double default_value;       // SI
  double min_value;           // SI, inclusive
  double max_value;           // SI, inclusive
};

// One entry per ControlId, in enum order.
const std::array<ControlInfo, kControlCount>& AllControls();
const ControlInfo& Info(ControlId id);
std::optional<ControlId> FindControl(std::string_view name);
// The suffix a data file key carries for this unit: "_mm", "_deg", "" or "_x".
std::string_view EdgeUnitSuffix(ControlUnit unit);
// Converts a value given in the edge unit (mm, deg, 0/1, factor) to SI.
double EdgeToSi(ControlUnit unit, double edge_value);
double SiToEdge(ControlUnit unit, double value_si);

// The value of every control at one instant, SI.
struct ControlFrame {
  std::array<double, kControlCount> values{};

  static ControlFrame Defaults();
  double Get(ControlId id) const { return values[static_cast<std::size_t>(id)]; }
  void Set(ControlId id, double value) { values[static_cast<std::size_t>(id)] = value; }
  bool Pressed(ControlId id) const { return Get(id) >= 0.5; }
};

}  // namespace teersim::devices
