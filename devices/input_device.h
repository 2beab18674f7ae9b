// InputDevice: anything that produces control values — a scripted device, a
// replayed recording, the autopilot, a HID joystick or a haptic device. The
// simulator samples the device once per physics step at simulated time t.
#pragma once

#include <string>

#include "devices/controls.h"

namespace teersim::devices {

class InputDevice {
 public:
  virtual ~InputDevice() = default;
  // Human-readable name used in messages ("script demo_short.yaml").
  virtual std::string Name() const = 0;
  // Writes the controls this device drives into `frame` for simulated time
  // `time_s`; controls it does not drive are left as they are. Must not throw.
  virtual void Sample(double time_s, ControlFrame* frame) = 0;
};

}  // namespace teersim::devices
