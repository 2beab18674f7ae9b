#include "devices/usb_enumeration.h"

#include <libusb.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

namespace teersim::devices {
namespace {

constexpr std::uint8_t kHidInterfaceClass = LIBUSB_CLASS_HID;

std::string ReadStringDescriptor(libusb_device_handle* handle, std::uint8_t index) {
  if (handle == nullptr || index == 0) return {};
  std::array<unsigned char, 256> buffer{};
  const int length = libusb_get_string_descriptor_ascii(handle, index, buffer.data(),
                                                        static_cast<int>(buffer.size()));
  if (length <= 0) return {};
  return std::string(reinterpret_cast<const char*>(buffer.data()),
                     static_cast<std::size_t>(length));
}

// USB hubs have at most 7 tiers of ports (USB 2.0 §4.1.1).
constexpr int kMaxPortDepth = 7;
// Largest report descriptor (wDescriptorLength is 16 bits).
constexpr std::uintmax_t kMaxReportDescriptorBytes = 65535;

struct HidInterfaceRef {
  int configuration = 0;
  int interface = 0;
};

std::optional<HidInterfaceRef> FirstHidInterface(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != 0 || config == nullptr) {
    return std::nullopt;
  }
  std::optional<HidInterfaceRef> found;
  for (int i = 0; i < config->bNumInterfaces && !found; ++i) {
    const libusb_interface& interface = config->interface[i];
    for (int alt = 0; alt < interface.num_altsetting && !found; ++alt) {
      if (interface.altsetting[alt].bInterfaceClass == kHidInterfaceClass) {
        found = HidInterfaceRef{config->bConfigurationValue,
                                interface.altsetting[alt].bInterfaceNumber};
      }
    }
  }
  libusb_free_config_descriptor(config);
  return found;
}

// Linux: /sys/bus/usb/devices/<bus>-<port.port…>:<config>.<interface>/<hid>/report_descriptor,
// which the kernel fills from the device without taking it from its driver.
std::vector<std::uint8_t> ReadSysfsReportDescriptor(libusb_device* device, HidInterfaceRef hid) {
  std::array<std::uint8_t, kMaxPortDepth> ports{};
  const int depth = libusb_get_port_numbers(device, ports.data(), static_cast<int>(ports.size()));
  if (depth <= 0) return {};
  std::string name = std::to_string(libusb_get_bus_number(device)) + "-";
  for (int i = 0; i < depth; ++i) {
    if (i > 0) name += '.';
    name += std::to_string(ports[i]);
  }
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "x" + to_string().
  name += ':';
  name += std::to_string(hid.configuration);
  name += '.';
  name += std::to_string(hid.interface);
  const std::filesystem::path interface_dir = std::filesystem::path("/sys/bus/usb/devices") / name;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(interface_dir, error)) {
    const auto file = entry.path() / "report_descriptor";
    if (!std::filesystem::is_regular_file(file, error)) continue;
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (bytes.size() > kMaxReportDescriptorBytes) bytes.clear();
    return bytes;
  }
  return {};
}

}  // namespace

std::vector<std::uint8_t> ReadKernelReportDescriptor(libusb_device* device) {
  const auto hid = FirstHidInterface(device);
  return hid ? ReadSysfsReportDescriptor(device, *hid) : std::vector<std::uint8_t>{};
}

UsbEnumeration EnumerateUsbDevices() {
  UsbEnumeration result;
  libusb_context* context = nullptr;
  if (const int status = libusb_init(&context); status != 0) {
    result.error = std::string("libusb_init failed: ") + libusb_strerror(status);
    return result;
  }
  std::unique_ptr<libusb_context, decltype(&libusb_exit)> context_guard(context, &libusb_exit);

  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  if (count < 0) {
    result.error =
        std::string("cannot list USB devices: ") + libusb_strerror(static_cast<int>(count));
    return result;
  }
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device* device = list[i];
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(device, &descriptor) != 0) continue;
    UsbDeviceSummary summary;
    summary.vendor_id = descriptor.idVendor;
    summary.product_id = descriptor.idProduct;
    summary.bus = libusb_get_bus_number(device);
    summary.address = libusb_get_device_address(device);
    summary.device_class = descriptor.bDeviceClass;
    const auto hid = FirstHidInterface(device);
    summary.has_hid_interface = hid.has_value();
    if (hid) summary.hid_report_descriptor = ReadSysfsReportDescriptor(device, *hid);
    // Strings need the device opened; without permission they stay empty.
    libusb_device_handle* handle = nullptr;
    if (libusb_open(device, &handle) == 0) {
      summary.manufacturer = ReadStringDescriptor(handle, descriptor.iManufacturer);
      summary.product = ReadStringDescriptor(handle, descriptor.iProduct);
      libusb_close(handle);
    }
    result.devices.push_back(std::move(summary));
  }
  libusb_free_device_list(list, 1);
  result.ok = true;
  return result;
}

}  // namespace teersim::devices
