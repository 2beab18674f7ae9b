#include "devices/usb_enumeration.h"

#include <libusb.h>

#include <array>
#include <memory>

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

bool HasHidInterface(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != 0 || config == nullptr) return false;
  bool found = false;
  for (int i = 0; i < config->bNumInterfaces && !found; ++i) {
    const libusb_interface& interface = config->interface[i];
    for (int alt = 0; alt < interface.num_altsetting; ++alt) {
      if (interface.altsetting[alt].bInterfaceClass == kHidInterfaceClass) found = true;
    }
  }
  libusb_free_config_descriptor(config);
  return found;
}

}  // namespace

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
    result.error = std::string("cannot list USB devices: ") +
                   libusb_strerror(static_cast<int>(count));
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
    summary.has_hid_interface = HasHidInterface(device);
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
