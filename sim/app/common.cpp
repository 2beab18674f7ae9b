#include <cstdlib>
#include <exception>
#include <iostream>

#include "base/input_error.h"
#include "base/log.h"
#include "devices/catheter_interface.h"
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

std::unique_ptr<devices::HidUsbDevice> OpenGuiDevice() {
  const char* off = std::getenv("TEERSIM_NO_DEVICE");
  if (off != nullptr && std::string(off) == "1") return nullptr;
  // Any-device mode: boot keyboards and mice are left alone, devices no
  // profile matches are skipped (devices/README.md "Opening devices").
  return std::make_unique<devices::HidUsbDevice>(devices::HidUsbOptions{});
}

views::GuiOptions GuiOptionsFor(devices::HidUsbDevice* device) {
  views::GuiOptions options;
  options.device = device;
  if (device == nullptr) return options;
  // Force feedback to a catheter interface: the guide channel feels the
  // transseptal set (same hand, earlier) or the guide, the sleeve and the
  // delivery channels the clip delivery system (sim/procedure.h handle_force_N).
  options.after_steps = [device](const sim::State& state) {
    const devices::HidUsbStatus status = device->Status();
    if (!status.connected || status.profile != "catheter_interface") return;
    const auto descriptor = device->Descriptor();
    if (!descriptor) return;
    const auto& f = state.procedure.handle_force_N;
    devices::CatheterHandleForces forces;
    forces.axial_N = {std::max(f[0], f[1]), f[2], f[2]};
    if (const auto report = devices::EncodeCatheterForces(*descriptor, forces)) {
      std::string error;
      if (!device->SendOutput(*report, &error)) log::Warn("force output: " + error);
    }
  };
  return options;
}

}  // namespace teersim::app
