#include "devices/haptic_proxy.h"

#include <cmath>

#include "devices/haptic_device.h"

namespace teersim::devices {

bool HapticProxy::Publish(const Vec3& force_N, const Mat3& stiffness_N_per_m,
                          const Vec3& position_m) {
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(force_N[i]) || !std::isfinite(position_m[i])) return false;
    for (double k : stiffness_N_per_m[i]) {
      if (!std::isfinite(k) || std::abs(k) > kMaxProxyStiffness_N_per_m) return false;
    }
  }
  HapticProxyModel model;
  model.force_N = force_N;
  model.stiffness_N_per_m = stiffness_N_per_m;
  model.position_m = position_m;
  model.published_s = SteadyNow_s();
  std::lock_guard lock(publishers_);
  model.sequence = ++sequence_;
  model_.Store(model);
  return true;
}

void HapticProxy::Clear() {
  HapticProxyModel model;
  model.published_s = SteadyNow_s();
  std::lock_guard lock(publishers_);
  model.sequence = ++sequence_;
  model_.Store(model);
}

Vec3 HapticProxy::ForceAt(const HapticProxyModel& model, const Vec3& position_m) {
  Vec3 dx{};
  for (int k = 0; k < 3; ++k) dx[k] = position_m[k] - model.position_m[k];
  const Vec3 spring = Multiply(model.stiffness_N_per_m, dx);
  return {model.force_N[0] + spring[0], model.force_N[1] + spring[1], model.force_N[2] + spring[2]};
}

}  // namespace teersim::devices
