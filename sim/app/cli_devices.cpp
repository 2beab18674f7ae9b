#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "devices/usb_enumeration.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"

namespace teersim::app {
namespace {

std::string Hex4(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "%04x", value & 0xFFFFu);
  return text;
}

int ListDevices(bool json) {
  const devices::UsbEnumeration found = devices::EnumerateUsbDevices();
  if (json) {
    nlohmann::ordered_json out;
    out["ok"] = found.ok;
    if (!found.ok) out["error"] = found.error;
    out["devices"] = nlohmann::ordered_json::array();
    for (const auto& device : found.devices) {
      out["devices"].push_back({{"vendor_id", Hex4(device.vendor_id)},
                                {"product_id", Hex4(device.product_id)},
                                {"bus", device.bus},
                                {"address", device.address},
                                {"hid", device.has_hid_interface},
                                {"manufacturer", device.manufacturer},
                                {"product", device.product},
                                {"profile", nullptr}});
    }
    std::cout << out.dump(2) << '\n';
    return found.ok ? kExitSuccess : kExitFailure;
  }
  if (!found.ok) {
    std::cerr << "teersim devices list: " << found.error << '\n';
    return kExitFailure;
  }
  if (found.devices.empty()) std::cout << "no USB devices found; keyboard and mouse drive the GUI\n";
  for (const auto& device : found.devices) {
    std::cout << "bus " << int{device.bus} << " addr " << int{device.address} << "  "
              << Hex4(device.vendor_id) << ':' << Hex4(device.product_id) << "  "
              << (device.has_hid_interface ? "HID " : "    ") << device.manufacturer << ' '
              << device.product << '\n';
  }
  return kExitSuccess;
}

}  // namespace

void AddDevicesCommand(CLI::App& app, Handler* handler) {
  CLI::App* command = app.add_subcommand("devices", "Input and haptic devices");
  command->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = command->add_subcommand("list", "List attached USB devices and the profile that applies");
  list->add_flag("--json", *list_json, "Machine-readable output");
  list->callback([handler, list_json] {
    *handler = [list_json] { return Guarded([&] { return ListDevices(*list_json); }); };
  });

  CLI::App* monitor = command->add_subcommand("monitor", "Show live control values in the terminal");
  monitor->add_flag("--json")->description("Print one JSON line per sample");
  monitor->callback([handler] {
    *handler = [] { return NotAvailableYet("devices monitor", "devices issue #7"); };
  });

  auto descriptor_file = std::make_shared<std::string>();
  CLI::App* describe = command->add_subcommand(
      "describe-descriptor", "Parse a HID report descriptor FILE (binary or hex text)");
  describe->add_option("file", *descriptor_file, "Descriptor FILE")->required()->check(CLI::ExistingFile);
  describe->add_flag("--json")->description("Machine-readable output");
  describe->callback([handler] {
    *handler = [] { return NotAvailableYet("devices describe-descriptor", "devices issue #7"); };
  });
}

}  // namespace teersim::app
