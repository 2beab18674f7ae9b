#include "devices/controls.h"

#include <numbers>

#include "base/units.h"

namespace teersim::devices {
namespace {

constexpr double kPi = std::numbers::pi;
// Handle travel limits: generous bounds for the length of each instrument's
// working stroke at the handle, not anatomy (metres).
constexpr double kMaxTravel_m = 1.5;
// Handle rotation: several turns either way are possible with a real handle.
constexpr double kMaxTurns_rad = 8.0 * kPi;
// Knob angles and their limits follow the instrument data files; these bounds
// only reject nonsense (a full knob turn each way).
constexpr double kKnobLimit_rad = kPi;
// Clip arm angle: 0 closed, 180 deg fully open, up to 240 deg inverted
// (clinical-reference §1.2 "arm-angle states"; inversion limit BK).
constexpr double kClipArmMax_rad = 240.0 * units::kRadiansPerDegree;
// C-arm and TEE ranges (imaging-notes.md; clinical-reference §4).
constexpr double kCArmRotationLimit_rad = 120.0 * units::kRadiansPerDegree;
constexpr double kCArmTiltLimit_rad = 60.0 * units::kRadiansPerDegree;
constexpr double kTeeDepthMax_m = 0.45;
constexpr double kTeeFlexionLimit_rad = 90.0 * units::kRadiansPerDegree;

using U = ControlUnit;
using C = ControlId;

constexpr std::array<ControlInfo, kControlCount> kControls{{
    {C::kSheathTranslation, "sheath.translation", U::kMetre, 0.0, -kMaxTravel_m, kMaxTravel_m},
    {C::kSheathRotation, "sheath.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kDilatorTranslation, "dilator.translation", U::kMetre, 0.0, -kMaxTravel_m, kMaxTravel_m},
    {C::kDilatorRotation, "dilator.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kNeedleTranslation, "needle.translation", U::kMetre, 0.0, -kMaxTravel_m, kMaxTravel_m},
    {C::kNeedleRotation, "needle.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kGuidewireTranslation, "guidewire.translation", U::kMetre, 0.0, -kMaxTravel_m,
     kMaxTravel_m},
    {C::kGuidewireRotation, "guidewire.rotation", U::kRadian, 0.0, -kMaxTurns_rad,
     kMaxTurns_rad},
    {C::kGuideTranslation, "guide.translation", U::kMetre, 0.0, -kMaxTravel_m, kMaxTravel_m},
    {C::kGuideRotation, "guide.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kGuideKnob, "guide.knob", U::kRadian, 0.0, -kKnobLimit_rad, kKnobLimit_rad},
    {C::kSleeveTranslation, "sleeve.translation", U::kMetre, 0.0, -kMaxTravel_m, kMaxTravel_m},
    {C::kSleeveRotation, "sleeve.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kSleeveApKnob, "sleeve.ap_knob", U::kRadian, 0.0, -kKnobLimit_rad, kKnobLimit_rad},
    {C::kSleeveMlKnob, "sleeve.ml_knob", U::kRadian, 0.0, -kKnobLimit_rad, kKnobLimit_rad},
    {C::kDeliveryTranslation, "delivery.translation", U::kMetre, 0.0, -kMaxTravel_m,
     kMaxTravel_m},
    {C::kDeliveryRotation, "delivery.rotation", U::kRadian, 0.0, -kMaxTurns_rad, kMaxTurns_rad},
    {C::kClipArmAngle, "clip.arm_angle", U::kRadian, 0.0, 0.0, kClipArmMax_rad},
    {C::kClipGripperLeft, "clip.gripper_left", U::kButton, 0.0, 0.0, 1.0},
    {C::kClipGripperRight, "clip.gripper_right", U::kButton, 0.0, 0.0, 1.0},
    {C::kClipLock, "clip.lock", U::kButton, 0.0, 0.0, 1.0},
    {C::kClipRelease, "clip.release", U::kButton, 0.0, 0.0, 1.0},
    {C::kFluoroPedal, "fluoro.pedal", U::kButton, 0.0, 0.0, 1.0},
    {C::kCineButton, "fluoro.cine", U::kButton, 0.0, 0.0, 1.0},
    {C::kCArmLaoRao, "carm.lao_rao", U::kRadian, 0.0, -kCArmRotationLimit_rad,
     kCArmRotationLimit_rad},
    {C::kCArmCranCaud, "carm.cran_caud", U::kRadian, 0.0, -kCArmTiltLimit_rad,
     kCArmTiltLimit_rad},
    {C::kCArmZoom, "carm.zoom", U::kFactor, 1.0, 1.0, 4.0},
    {C::kTeeMultiplane, "tee.multiplane", U::kRadian, 0.0, 0.0, kPi},
    {C::kTeeDepth, "tee.depth", U::kMetre, 0.30, 0.0, kTeeDepthMax_m},
    {C::kTeeFlexion, "tee.flexion", U::kRadian, 0.0, -kTeeFlexionLimit_rad,
     kTeeFlexionLimit_rad},
}};

// The table is indexed by enum value; a compile-time check keeps it in order.
constexpr bool TableInEnumOrder() {
  for (std::size_t i = 0; i < kControlCount; ++i) {
    if (static_cast<std::size_t>(kControls[i].id) != i) return false;
  }
  return true;
}
static_assert(TableInEnumOrder(), "kControls must list ControlId values in enum order");

}  // namespace

const std::array<ControlInfo, kControlCount>& AllControls() { return kControls; }
const ControlInfo& Info(ControlId id) { return kControls[static_cast<std::size_t>(id)]; }

std::optional<ControlId> FindControl(std::string_view name) {
  for (const auto& info : kControls) {
    if (info.name == name) return info.id;
  }
  return std::nullopt;
}

std::string_view EdgeUnitSuffix(ControlUnit unit) {
  switch (unit) {
    case ControlUnit::kMetre: return "_mm";
    case ControlUnit::kRadian: return "_deg";
    case ControlUnit::kButton: return "";
    case ControlUnit::kFactor: return "_x";
  }
  return "";
}

double EdgeToSi(ControlUnit unit, double edge_value) {
  switch (unit) {
    case ControlUnit::kMetre: return units::MmToM(edge_value);
    case ControlUnit::kRadian: return units::DegToRad(edge_value);
    case ControlUnit::kButton:
    case ControlUnit::kFactor: return edge_value;
  }
  return edge_value;
}

double SiToEdge(ControlUnit unit, double value_si) {
  switch (unit) {
    case ControlUnit::kMetre: return units::MToMm(value_si);
    case ControlUnit::kRadian: return units::RadToDeg(value_si);
    case ControlUnit::kButton:
    case ControlUnit::kFactor: return value_si;
  }
  return value_si;
}

ControlFrame ControlFrame::Defaults() {
  ControlFrame frame;
  for (const auto& info : kControls) frame.Set(info.id, info.default_value);
  return frame;
}

}  // namespace teersim::devices
