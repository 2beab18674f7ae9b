#include <cstdlib>
#include <exception>
#include <iostream>

#include "base/input_error.h"
#include "devices/hid_usb_device.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"

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

std::unique_ptr<devices::InputDevice> OpenGuiDevice() {
  const char* off = std::getenv("TEERSIM_NO_DEVICE");
  if (off != nullptr && std::string(off) == "1") return nullptr;
  // Any-device mode: boot keyboards and mice are left alone, devices no
  // profile matches are skipped (devices/README.md "Opening devices").
  return std::make_unique<devices::HidUsbDevice>(devices::HidUsbOptions{});
}

}  // namespace teersim::app
