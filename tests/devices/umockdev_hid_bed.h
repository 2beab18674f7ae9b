// Test support: a fake USB HID device under umockdev (umockdev_usb_bed.h).
//
//   UmockdevHidBed bed;                      // creates the testbed
//   bed.Start({0x044f, 0x0400}, descriptor);  // fake device appears
//   bed.fake().PushReport(bytes);            // next interrupt-IN transfer gets it
//   bed.Unplug(); bed.Plug();
#pragma once

#include "devices/hid_profile.h"
#include "tests/devices/umockdev_usb_bed.h"

namespace teersim::devices::test_support {

// A HID device: answers GET_DESCRIPTOR(Report) and SET_IDLE, stalls the rest;
// reports pushed by the test go to interrupt-IN transfers.
class FakeHidDevice final : public FakeUsbDevice {
 public:
  explicit FakeHidDevice(std::vector<std::uint8_t> report_descriptor)
      : report_descriptor_(std::move(report_descriptor)) {}

  void PushReport(std::vector<std::uint8_t> report) {
    std::lock_guard lock(mutex_);
    QueueIn(std::move(report));
  }

  int DescriptorRequests() const {
    std::lock_guard lock(mutex_);
    return descriptor_requests_;
  }

 private:
  const char* KernelDriver() const override { return "usbhid"; }

  void AnswerControl(Urb& urb, const std::uint8_t* setup) override {
    const std::uint8_t request_type = setup[0];
    const std::uint8_t request = setup[1];
    const unsigned value = setup[2] | (setup[3] << 8);
    const unsigned length = setup[6] | (setup[7] << 8);
    if (request_type == 0x81 && request == 0x06 && (value >> 8) == 0x22) {
      ++descriptor_requests_;
      const std::size_t n = std::min<std::size_t>(length, report_descriptor_.size());
      Finish(urb, 0,
             std::vector<std::uint8_t>(report_descriptor_.begin(),
                                       report_descriptor_.begin() + static_cast<long>(n)));
      return;
    }
    if (request_type == 0x21 && request == 0x0A) {
      Finish(urb, 0, {});
      return;
    }
    Finish(urb, -EPIPE, {});
  }

  std::vector<std::uint8_t> report_descriptor_;
  int descriptor_requests_ = 0;
};

// sysfs "descriptors": device descriptor, then the configuration with its
// interface, HID class descriptor and interrupt IN/OUT endpoints.
// `boot_protocol`: 0 none, 1 boot keyboard, 2 boot mouse (HID 1.11 §4.3).
inline std::vector<std::uint8_t> SysfsDescriptors(HidDeviceId id,
                                                  std::size_t report_descriptor_bytes,
                                                  std::uint8_t boot_protocol = 0) {
  const auto lo = [](unsigned v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](unsigned v) { return static_cast<std::uint8_t>(v >> 8); };
  return {// device: USB 2.0, class per interface, EP0 64 bytes, VID, PID, bcdDevice 1.00
          18, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 64, lo(id.vendor_id), hi(id.vendor_id),
          lo(id.product_id), hi(id.product_id), 0x00, 0x01, 0, 0, 0, 1,
          // configuration: 41 bytes total, 1 interface, value 1, bus powered, 100 mA
          9, 0x02, 41, 0, 1, 1, 0, 0x80, 50,
          // interface 0: 2 endpoints, class HID, no boot protocol
          9, 0x04, 0, 0, 2, 0x03, static_cast<std::uint8_t>(boot_protocol != 0 ? 1 : 0),
          boot_protocol, 0,
          // HID 1.11 descriptor: one report descriptor of the given length
          9, 0x21, 0x11, 0x01, 0, 1, 0x22, lo(static_cast<unsigned>(report_descriptor_bytes)),
          hi(static_cast<unsigned>(report_descriptor_bytes)),
          // endpoints: interrupt IN 0x81 and OUT 0x01, 64 bytes, every 1 ms
          7, 0x05, 0x81, 0x03, 64, 0, 1, 7, 0x05, 0x01, 0x03, 64, 0, 1};
}

// The testbed with one fake HID device on bus 1.
class UmockdevHidBed : public UmockdevBed {
 public:
  // A new fake device with this ID and report descriptor, plugged in.
  bool Start(HidDeviceId id, std::vector<std::uint8_t> report_descriptor, std::string* error,
             std::uint8_t boot_protocol = 0) {
    auto descriptors = SysfsDescriptors(id, report_descriptor.size(), boot_protocol);
    return StartDevice(std::make_unique<FakeHidDevice>(std::move(report_descriptor)),
                       std::move(descriptors), error);
  }

  FakeHidDevice& fake() { return static_cast<FakeHidDevice&>(device()); }
};

}  // namespace teersim::devices::test_support
