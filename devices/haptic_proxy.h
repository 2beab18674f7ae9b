// HapticProxy: the hand-off between physics (a fixed step, ~1 ms but not in
// real time) and the haptic thread (1 kHz, real time). Physics publishes a
// local linear model of the reaction force around the handle's current
// position; the haptic thread evaluates it at the device's newest position
// every cycle:
//
//   F(x) = f0 + K (x - x0)
//
// with f0 the force at x0 (N), K = ∂F/∂x (N/m; a spring of stiffness k that
// pulls back to x0 is K = -k·I). Force output thus never waits for a physics
// step, and between steps the force still follows the hand (the "virtual
// coupling"/intermediate representation of haptic rendering, e.g. Adachi et
// al., "Intermediate representation for stiff virtual objects", IEEE VRAIS
// 1995). Positions and forces are in the haptic device's frame.
#pragma once

#include <mutex>

#include "devices/falcon_kinematics.h"  // Mat3
#include "devices/seqlock.h"
#include "devices/vec3.h"

namespace teersim::devices {

// Stiffness beyond this is refused at Publish: above a few kN/m a 1 kHz
// impedance loop on a Falcon-class device is no longer passive (Colgate and
// Schenkel, "Passivity of a class of sampled-data systems", 1997: b > KT/2).
inline constexpr double kMaxProxyStiffness_N_per_m = 3000.0;

struct HapticProxyModel {
  Vec3 force_N{};            // f0
  Mat3 stiffness_N_per_m{};  // K = ∂F/∂x
  Vec3 position_m{};         // x0
  double published_s = 0.0;  // steady-clock time of Publish
  long long sequence = 0;    // publications so far (0: none)
};

class HapticProxy {
 public:
  // From physics (any thread; publishers are serialised). False (model
  // unchanged) when a value is not finite or a stiffness entry exceeds
  // kMaxProxyStiffness_N_per_m: a broken step must never reach the user's hand.
  bool Publish(const Vec3& force_N, const Mat3& stiffness_N_per_m, const Vec3& position_m);
  // No force (device released, run paused).
  void Clear();

  // From the haptic thread: the newest model without ever blocking (a
  // SeqLock); false when a publication was in progress every time it
  // looked, and the caller keeps the model it had.
  bool TryModel(HapticProxyModel* model) const { return model_.TryLoad(model); }
  // From other threads (tests, tools).
  HapticProxyModel Model() const { return model_.Load(); }
  Vec3 Evaluate(const Vec3& position_m) const { return ForceAt(Model(), position_m); }

  // F(x) = f0 + K (x - x0).
  static Vec3 ForceAt(const HapticProxyModel& model, const Vec3& position_m);

 private:
  std::mutex publishers_;   // serialises writers only; readers never take it
  long long sequence_ = 0;  // guarded by publishers_
  SeqLock<HapticProxyModel> model_;
};

}  // namespace teersim::devices
