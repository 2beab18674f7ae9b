#include "sim/haptic_driver.h"

#include <algorithm>
#include <cmath>

namespace teersim::sim {
namespace {

using devices::ControlId;

// The controls each handle drives: translation, rotation.
constexpr ControlId kTranslation[3] = {ControlId::kSheathTranslation, ControlId::kGuideTranslation,
                                       ControlId::kDeliveryTranslation};
constexpr ControlId kRotation[3] = {ControlId::kSheathRotation, ControlId::kGuideRotation,
                                    ControlId::kDeliveryRotation};

// Displacement beyond the dead zone, as a fraction of full speed (−1..1).
double Deflection(double displacement_m, const HapticDriverOptions& o) {
  const double beyond = std::max(0.0, std::fabs(displacement_m) - o.dead_zone_m);
  const double fraction = std::min(1.0, beyond / (o.full_speed_displacement_m - o.dead_zone_m));
  return std::copysign(fraction, displacement_m);
}

}  // namespace

int ActiveHandle(const ProcedureState& procedure) {
  if (!procedure.sheath_across) return 0;
  if (!procedure.guide_across) return 1;
  return 2;
}

HapticDriver::HapticDriver(devices::HapticDevice& device, HapticDriverOptions options,
                           devices::HapticLoopOptions loop)
    : device_(device), options_(options), loop_(device, proxy_, loop) {}

HapticDriver::~HapticDriver() { Stop(); }

bool HapticDriver::Start(std::string* error) {
  // Centring spring only until the first state arrives.
  const double k = options_.centring_stiffness_N_per_m;
  proxy_.Publish({0.0, 0.0, 0.0}, {{{-k, 0, 0}, {0, -k, 0}, {0, 0, -k}}}, {0.0, 0.0, 0.0});
  return loop_.Start(error);
}

void HapticDriver::Stop() {
  loop_.Stop();
  proxy_.Clear();
}

std::string HapticDriver::Name() const { return device_.Name(); }

void HapticDriver::Sample(double time_s, devices::ControlFrame* frame) {
  const double dt = last_sample_s_ < 0.0 ? 0.0 : std::max(0.0, time_s - last_sample_s_);
  last_sample_s_ = time_s;
  const devices::HapticSample sample = loop_.Latest();
  if (!sample.valid || !loop_.Running()) return;  // unplugged or homing: the last input stands
  const int handle = active_.load();
  // Away from the user (−z) advances; to the right (+x) turns clockwise.
  const double advance =
      -Deflection(sample.position_m[2], options_) * options_.full_translation_speed_m_per_s;
  const double turn =
      Deflection(sample.position_m[0], options_) * options_.full_rotation_speed_rad_per_s;
  const ControlId t = kTranslation[handle], r = kRotation[handle];
  frame->Set(t, frame->Get(t) + advance * dt);
  frame->Set(r, frame->Get(r) + turn * dt);
}

void HapticDriver::Feedback(const State& state) {
  const int handle = ActiveHandle(state.procedure);
  active_ = handle;
  // The anatomy pushes the instrument back: towards the user (+z); chordae
  // that caught the clip pull it away (−z). Either way capped. The centring
  // spring is the proxy's stiffness about the device centre.
  const double push = std::clamp(state.procedure.handle_force_N[static_cast<std::size_t>(handle)],
                                 -options_.max_feedback_force_N, options_.max_feedback_force_N);
  const double k = options_.centring_stiffness_N_per_m;
  proxy_.Publish({0.0, 0.0, push}, {{{-k, 0, 0}, {0, -k, 0}, {0, 0, -k}}}, {0.0, 0.0, 0.0});
}

}  // namespace teersim::sim
