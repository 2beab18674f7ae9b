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
  const double now_s = SteadyNow_s();
  std::lock_guard lock(mutex_);
  model_.force_N = force_N;
  model_.stiffness_N_per_m = stiffness_N_per_m;
  model_.position_m = position_m;
  model_.published_s = now_s;
  ++model_.sequence;
  return true;
}

void HapticProxy::Clear() {
  const double now_s = SteadyNow_s();
  std::lock_guard lock(mutex_);
  model_.force_N = {};
  model_.stiffness_N_per_m = {};
  model_.published_s = now_s;
  ++model_.sequence;
}

HapticProxyModel HapticProxy::Model() const {
  std::lock_guard lock(mutex_);
  return model_;
}

Vec3 HapticProxy::Evaluate(const Vec3& position_m, HapticProxyModel* model) const {
  const HapticProxyModel m = Model();
  if (model != nullptr) *model = m;
  Vec3 dx{};
  for (int k = 0; k < 3; ++k) dx[k] = position_m[k] - m.position_m[k];
  const Vec3 spring = Multiply(m.stiffness_N_per_m, dx);
  return {m.force_N[0] + spring[0], m.force_N[1] + spring[1], m.force_N[2] + spring[2]};
}

}  // namespace teersim::devices
