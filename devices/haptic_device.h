// HapticDevice: a device that reports a grip position and renders a force,
// driven by the haptic thread (HapticLoop) at 1 kHz, in the shape of CHAI3D's
// cGenericHapticDevice and iMSTK's DeviceClient: open, one I/O exchange per
// cycle (force out, position in), close. Devices: FalconUsbDevice (libusb) and
// ScriptedHapticDevice (no hardware: tests, benchmarks, the autopilot).
//
// Positions are metres and forces newtons in the device's own frame (the
// Falcon's: +z towards the user); mapping them onto an instrument is the
// simulator's job.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "devices/vec3.h"

namespace teersim::devices {

struct HapticSample {
  double time_s = 0.0;        // steady-clock time of the exchange that read it
  Vec3 position_m{};          // grip position, device frame
  std::uint32_t buttons = 0;  // bit k = button k pressed
  bool valid = false;         // false until a position is known (homing, first packet)
  long long sequence = 0;     // exchanges so far
};

class HapticDevice {
 public:
  virtual ~HapticDevice() = default;
  virtual std::string Name() const = 0;
  // Opens and prepares the device (for the Falcon: FTDI setup, firmware,
  // homing request). False with *error (naming what failed) when it cannot;
  // never throws.
  virtual bool Start(std::string* error) = 0;
  // One I/O cycle, from the haptic thread only: sends force_N (the device
  // clamps it to what is safe for it) and fills *sample with the newest
  // reading. False with *error when the device is gone (unplugged, broken):
  // the loop stops. Must not block longer than about one period.
  virtual bool Exchange(const Vec3& force_N, HapticSample* sample, std::string* error) = 0;
  // Zero force, release the device. Safe to call twice or without Start.
  virtual void Stop() = 0;
};

// A haptic device with no hardware: the grip follows `path(t)` (t in seconds
// since Start) and every commanded force is kept, so tests can check what the
// loop sent. `fail_after` > 0 makes the device vanish after that many
// exchanges (an unplug, for tests).
class ScriptedHapticDevice final : public HapticDevice {
 public:
  using Path = std::function<Vec3(double t_s)>;
  explicit ScriptedHapticDevice(Path path, long long fail_after = 0);

  std::string Name() const override { return "scripted haptic device"; }
  bool Start(std::string* error) override;
  bool Exchange(const Vec3& force_N, HapticSample* sample, std::string* error) override;
  void Stop() override;

  Vec3 LastForce() const;
  long long Exchanges() const;
  bool Started() const;

 private:
  Path path_;
  long long fail_after_ = 0;
  mutable std::mutex mutex_;
  bool started_ = false;
  double start_s_ = 0.0;
  long long exchanges_ = 0;
  Vec3 last_force_N_{};
};

// Seconds on the steady clock (the haptic loop's time base).
double SteadyNow_s();

}  // namespace teersim::devices
