#include "devices/haptic_device.h"

#include <chrono>

namespace teersim::devices {

double SteadyNow_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ScriptedHapticDevice::ScriptedHapticDevice(Path path, long long fail_after)
    : path_(std::move(path)), fail_after_(fail_after) {}

bool ScriptedHapticDevice::Start(std::string* error) {
  if (!path_) {
    *error = "scripted haptic device: no path";
    return false;
  }
  std::lock_guard lock(mutex_);
  started_ = true;
  start_s_ = SteadyNow_s();
  exchanges_ = 0;
  return true;
}

bool ScriptedHapticDevice::Exchange(const Vec3& force_N, HapticSample* sample, std::string* error) {
  const double now_s = SteadyNow_s();
  std::lock_guard lock(mutex_);
  if (!started_) {
    *error = "scripted haptic device: not started";
    return false;
  }
  if (fail_after_ > 0 && exchanges_ >= fail_after_) {
    *error = "scripted haptic device: gone after " + std::to_string(fail_after_) + " exchanges";
    return false;
  }
  ++exchanges_;
  last_force_N_ = force_N;
  sample->time_s = now_s;
  sample->position_m = path_(now_s - start_s_);
  sample->valid = true;
  sample->sequence = exchanges_;
  return true;
}

void ScriptedHapticDevice::Stop() {
  std::lock_guard lock(mutex_);
  started_ = false;
  last_force_N_ = {};
}

Vec3 ScriptedHapticDevice::LastForce() const {
  std::lock_guard lock(mutex_);
  return last_force_N_;
}

long long ScriptedHapticDevice::Exchanges() const {
  std::lock_guard lock(mutex_);
  return exchanges_;
}

bool ScriptedHapticDevice::Started() const {
  std::lock_guard lock(mutex_);
  return started_;
}

}  // namespace teersim::devices
