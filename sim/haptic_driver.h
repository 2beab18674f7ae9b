// A haptic device (Novint Falcon, or a scripted one) as the hand on the active
// instrument: its grip drives that instrument's translation and rotation
// (rate control: a small desk workspace steering a metre of catheter), and it
// renders the anatomy's push back on that instrument, or the pull of chordae
// that caught the clip (ProcedureState::handle_force_N, capped either way),
// plus a centring spring, through the haptic proxy that the
// 1 kHz haptic thread (devices/haptic_loop.h) evaluates between frames.
//
// Device frame (the Falcon's): +z towards the user, +x to the user's right.
// Pushing the grip away (−z) advances the instrument, x turns it clockwise.
// The active instrument follows the phase: the transseptal set until the
// septum is crossed, the guide until it is across, then the delivery
// catheter (the sleeve and knobs stay on the keyboard or a HID device).
#pragma once

#include <atomic>
#include <string>

#include "devices/haptic_device.h"
#include "devices/haptic_loop.h"
#include "devices/haptic_proxy.h"
#include "devices/input_device.h"
#include "sim/state.h"

namespace teersim::sim {

struct HapticDriverOptions {
  // Grip displacement that gives full speed, and the dead zone around the
  // centre [DESIGN: a Falcon's workspace is about ±50 mm].
  double full_speed_displacement_m = 0.03;
  double dead_zone_m = 0.004;
  double full_translation_speed_m_per_s = 0.05;
  double full_rotation_speed_rad_per_s = 2.0;
  // Centring spring (well under the proxy's passivity limit).
  double centring_stiffness_N_per_m = 150.0;
  // The device renders at most this much of the anatomy's force (a Falcon
  // gives ~9 N; keep headroom for the spring).
  double max_feedback_force_N = 6.0;
};

// Which handle the haptic device holds for a procedure state (0 transseptal
// set, 1 guide, 2 delivery catheter).
int ActiveHandle(const ProcedureState& procedure);

class HapticDriver final : public devices::InputDevice {
 public:
  // `device` must outlive the driver. Nothing runs until Start.
  HapticDriver(devices::HapticDevice& device, HapticDriverOptions options = {},
               devices::HapticLoopOptions loop = {});
  ~HapticDriver() override;

  // Starts the device and the haptic thread; false with *error naming what failed.
  bool Start(std::string* error);
  void Stop();

  std::string Name() const override;
  // Integrates the active instrument's translation and rotation from the grip.
  void Sample(double time_s, devices::ControlFrame* frame) override;
  // After the simulation stepped: the active handle and the force model.
  void Feedback(const State& state);

  const devices::HapticProxy& Proxy() const { return proxy_; }
  const devices::HapticLoop& Loop() const { return loop_; }

 private:
  devices::HapticDevice& device_;
  HapticDriverOptions options_;
  devices::HapticProxy proxy_;
  devices::HapticLoop loop_;
  std::atomic<int> active_{0};
  double last_sample_s_ = -1.0;
};

}  // namespace teersim::sim
