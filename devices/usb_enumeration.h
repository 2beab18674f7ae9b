// USB enumeration through libusb (libusb lives in devices/ only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct libusb_device;

namespace teersim::devices {

struct UsbDeviceSummary {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
  std::uint8_t device_class = 0;   // bDeviceClass (0: per interface)
  bool has_hid_interface = false;  // any interface of class 3 (HID)
  std::string manufacturer;        // empty when the string could not be read
  std::string product;
  // Report descriptor of the first HID interface as the kernel exposes it in
  // sysfs (read without detaching the driver); empty when unavailable.
  std::vector<std::uint8_t> hid_report_descriptor;
};

struct UsbEnumeration {
  bool ok = false;
  std::string error;  // libusb's message when !ok (e.g. no USB bus in a container)
  std::vector<UsbDeviceSummary> devices;
};

// Lists attached USB devices. Never throws; failures are reported in `error`.
UsbEnumeration EnumerateUsbDevices();

// The report descriptor of `device`'s first HID interface as the kernel
// exposes it in sysfs, read without taking the device from its driver; empty
// when unavailable (no sysfs, no HID driver bound, not Linux).
std::vector<std::uint8_t> ReadKernelReportDescriptor(libusb_device* device);

}  // namespace teersim::devices
