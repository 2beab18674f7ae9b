#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "base/input_error.h"
#include "base/log.h"
#include "devices/catheter_interface.h"
#include "devices/falcon_usb_device.h"
#include "devices/hid_usb_device.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/state.h"

namespace teersim::app {

int Guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& error) {
    std::cerr << "teersim: error: " << error.what() << '\n';
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "teersim: failed: " << error.what() << '\n';
    return kExitFailure;
  }
}

int NotAvailableYet(const std::string& what, const std::string& issue) {
  std::cerr << "teersim " << what << ": not available yet (" << issue << ")\n";
  return kExitFailure;
}

bool HasDisplay() {
  const char* display = std::getenv("DISPLAY");
  return display != nullptr && *display != '\0';
}

GuiDevices::GuiDevices() {
  const char* off = std::getenv("TEERSIM_NO_DEVICE");
  if (off == nullptr || std::string(off) != "1") {
    // Any-device mode: boot keyboards and mice are left alone, devices no
    // profile matches are skipped (devices/README.md "Opening devices").
    hid_ = std::make_unique<devices::HidUsbDevice>(devices::HidUsbOptions{});
  }
  if (const char* firmware = std::getenv("TEERSIM_FALCON_FIRMWARE");
      firmware != nullptr && *firmware != '\0') {
    devices::FalconOptions options;
    options.firmware_path = firmware;
    falcon_ = std::make_unique<devices::FalconUsbDevice>(options);
    haptic_ = std::make_unique<sim::HapticDriver>(*falcon_);
    std::string error;
    if (!haptic_->Start(&error)) {
      // The GUI goes on with the keyboard (and any HID device).
      log::Warn("Novint Falcon not used: " + error);
      haptic_.reset();
      falcon_.reset();
    }
  }
}

GuiDevices::~GuiDevices() {
  if (haptic_) haptic_->Stop();
}

std::string GuiDevices::Name() const {
  std::string name = hid_ ? hid_->Name() : "no HID device";
  if (haptic_) name += " + " + haptic_->Name();
  return name;
}

void GuiDevices::Sample(double time_s, devices::ControlFrame* frame) {
  if (hid_) hid_->Sample(time_s, frame);
  if (haptic_) haptic_->Sample(time_s, frame);
}

views::GuiOptions GuiDevices::Options() {
  views::GuiOptions options;
  if (!hid_ && !haptic_) return options;
  options.device = this;
  options.after_steps = [this](const sim::State& state) { Feedback(state); };
  return options;
}

void GuiDevices::Feedback(const sim::State& state) {
  if (haptic_) haptic_->Feedback(state);
  // Force output to a catheter interface: the guide channel feels the
  // transseptal set (same hand, earlier) or the guide, the sleeve and the
  // delivery channels the clip delivery system (sim/procedure.h handle_force_N).
  if (!hid_) return;
  const devices::HidUsbStatus status = hid_->Status();
  if (!status.connected || status.profile != "catheter_interface") return;
  const auto descriptor = hid_->Descriptor();
  if (!descriptor) return;
  const auto& f = state.procedure.handle_force_N;
  devices::CatheterHandleForces forces;
  forces.axial_N = {std::max(f[0], f[1]), f[2], f[2]};
  if (const auto report = devices::EncodeCatheterForces(*descriptor, forces)) {
    std::string error;
    if (!hid_->SendOutput(*report, &error)) log::Warn("force output: " + error);
  }
}

}  // namespace teersim::app
