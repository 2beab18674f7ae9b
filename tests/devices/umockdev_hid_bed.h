// Test support: a fake USB HID device under umockdev, for tests that run the
// unmodified libusb (in this process, or in a child such as `teersim devices
// monitor`). The process (or child) must run with the umockdev preload.
//
//   UmockdevHidBed bed;                      // creates the testbed
//   bed.Start({0x044f, 0x0400}, descriptor);  // fake device appears
//   bed.fake().PushReport(bytes);            // next interrupt-IN transfer gets it
//   bed.Unplug(); bed.Plug();
#pragma once

#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "devices/hid_profile.h"

namespace teersim::devices::test_support {

inline constexpr const char* kSysfsPath = "/sys/devices/usb1";
inline constexpr const char* kDevNode = "/dev/bus/usb/001/001";
inline constexpr std::size_t kSetupPacketBytes = 8;
inline constexpr std::uint8_t kInterruptInEndpoint = 0x81;

// The usbdevfs side of the fake device. umockdev calls Handle() on its worker
// thread; the test pushes reports and pulls the plug from the main thread.
class FakeHidDevice {
 public:
  explicit FakeHidDevice(std::vector<std::uint8_t> report_descriptor)
      : report_descriptor_(std::move(report_descriptor)) {}

  ~FakeHidDevice() {
    std::lock_guard lock(mutex_);
    for (auto& urb : urbs_) umockdev_ioctl_data_unref(urb.data);
  }

  void PushReport(std::vector<std::uint8_t> report) {
    std::lock_guard lock(mutex_);
    reports_.push_back(std::move(report));
    DeliverReports();
  }

  // The cable is pulled: pending URBs fail with ENODEV, new ones are refused.
  void Unplug() {
    std::lock_guard lock(mutex_);
    connected_ = false;
    for (auto& urb : urbs_) {
      if (!urb.done) Finish(urb, -ENODEV, {});
    }
  }

  void Plug() {
    std::lock_guard lock(mutex_);
    connected_ = true;
    kernel_driver_bound_ = true;
    reports_.clear();
  }

  int DescriptorRequests() const {
    std::lock_guard lock(mutex_);
    return descriptor_requests_;
  }

  // Interrupt OUT transfers received, oldest first.
  std::vector<std::vector<std::uint8_t>> Outputs() const {
    std::lock_guard lock(mutex_);
    return outputs_;
  }

  static gboolean OnIoctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self) {
    return static_cast<FakeHidDevice*>(self)->Handle(client);
  }

 private:
  struct Urb {
    UMockdevIoctlData* data = nullptr;  // the client's struct usbdevfs_urb, resolved
    unsigned char type = 0;
    unsigned char endpoint = 0;
    bool done = false;
    int status = 0;
    int sent_bytes = 0;  // OUT URBs: actual_length to report
    std::vector<std::uint8_t> reply;
  };

  static void Finish(Urb& urb, int status, std::vector<std::uint8_t> reply) {
    urb.done = true;
    urb.status = status;
    urb.reply = std::move(reply);
  }

  void DeliverReports() {
    for (auto& urb : urbs_) {
      if (reports_.empty()) return;
      if (urb.done || urb.type != USBDEVFS_URB_TYPE_INTERRUPT ||
          urb.endpoint != kInterruptInEndpoint) {
        continue;
      }
      Finish(urb, 0, reports_.front());
      reports_.pop_front();
    }
  }

  // GET_DESCRIPTOR(Report) and SET_IDLE are answered; anything else stalls.
  void AnswerControl(Urb& urb, const std::uint8_t* setup) {
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

  gboolean Handle(UMockdevIoctlClient* client) {
    std::lock_guard lock(mutex_);
    const gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    switch (request) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        *reinterpret_cast<guint32*>(caps->data) = USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(caps);
        return TRUE;
      }
      case USBDEVFS_GETDRIVER: {
        if (!kernel_driver_bound_) {
          umockdev_ioctl_client_complete(client, -1, ENODATA);
          return TRUE;
        }
        UMockdevIoctlData* driver =
            umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
        std::strcpy(reinterpret_cast<usbdevfs_getdriver*>(driver->data)->driver, "usbhid");
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(driver);
        return TRUE;
      }
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* wrapped =
            umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
        const int code = reinterpret_cast<usbdevfs_ioctl*>(wrapped->data)->ioctl_code;
        if (code == USBDEVFS_DISCONNECT) kernel_driver_bound_ = false;
        if (code == USBDEVFS_CONNECT) kernel_driver_bound_ = true;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(wrapped);
        return TRUE;
      }
      case USBDEVFS_DISCONNECT_CLAIM:
        kernel_driver_bound_ = false;
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
      case USBDEVFS_CLAIMINTERFACE:
      case USBDEVFS_RELEASEINTERFACE:
      case USBDEVFS_SETINTERFACE:
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESET:
      case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, connected_ ? 0 : -1, connected_ ? 0 : ENODEV);
        return TRUE;
      case USBDEVFS_SUBMITURB:
        return Submit(client, arg);
      case USBDEVFS_REAPURB:
      case USBDEVFS_REAPURBNDELAY:
        return Reap(client, arg);
      case USBDEVFS_DISCARDURB: {
        const auto address = reinterpret_cast<gulong>(*reinterpret_cast<void**>(arg->data));
        for (auto& urb : urbs_) {
          if (urb.data->client_addr == address && !urb.done) {
            Finish(urb, -ENOENT, {});
            umockdev_ioctl_client_complete(client, 0, 0);
            return TRUE;
          }
        }
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
      }
      default:
        return FALSE;
    }
  }

  gboolean Submit(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    if (!connected_) {
      umockdev_ioctl_client_complete(client, -1, ENODEV);
      return TRUE;
    }
    UMockdevIoctlData* data = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
    auto* urb = reinterpret_cast<usbdevfs_urb*>(data->data);
    UMockdevIoctlData* buffer =
        umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                    static_cast<gsize>(urb->buffer_length), nullptr);
    Urb entry;
    entry.data = data;
    entry.type = urb->type;
    entry.endpoint = urb->endpoint;
    urbs_.push_back(entry);
    if (entry.type == USBDEVFS_URB_TYPE_CONTROL &&
        static_cast<std::size_t>(urb->buffer_length) >= kSetupPacketBytes) {
      AnswerControl(urbs_.back(), buffer->data);
    } else if ((entry.endpoint & 0x80) == 0) {
      // OUT: recorded, and reported back as fully sent.
      outputs_.emplace_back(buffer->data, buffer->data + urb->buffer_length);
      Finish(urbs_.back(), 0, {});
      urbs_.back().sent_bytes = urb->buffer_length;
    }
    DeliverReports();
    umockdev_ioctl_data_unref(buffer);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
  }

  gboolean Reap(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    for (auto it = urbs_.begin(); it != urbs_.end(); ++it) {
      if (!it->done) continue;
      auto* urb = reinterpret_cast<usbdevfs_urb*>(it->data->data);
      const std::size_t skip = it->type == USBDEVFS_URB_TYPE_CONTROL ? kSetupPacketBytes : 0;
      const std::size_t room = static_cast<std::size_t>(urb->buffer_length) - skip;
      const std::size_t n = std::min(room, it->reply.size());
      if (n > 0) std::memcpy(static_cast<std::uint8_t*>(urb->buffer) + skip, it->reply.data(), n);
      urb->actual_length = it->sent_bytes > 0 ? it->sent_bytes : static_cast<int>(n);
      urb->status = it->status;
      UMockdevIoctlData* pointer = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
      umockdev_ioctl_data_set_ptr(pointer, 0, it->data);
      umockdev_ioctl_client_complete(client, 0, 0);
      umockdev_ioctl_data_unref(pointer);
      umockdev_ioctl_data_unref(it->data);
      urbs_.erase(it);
      return TRUE;
    }
    umockdev_ioctl_client_complete(client, -1, EAGAIN);
    return TRUE;
  }

  mutable std::mutex mutex_;
  std::vector<std::uint8_t> report_descriptor_;
  std::deque<std::vector<std::uint8_t>> reports_;
  std::vector<Urb> urbs_;
  std::vector<std::vector<std::uint8_t>> outputs_;
  bool connected_ = true;
  bool kernel_driver_bound_ = true;
  int descriptor_requests_ = 0;
};

inline std::string HexOf(const std::vector<std::uint8_t>& bytes) {
  std::string text;
  char pair[3];
  for (auto b : bytes) {
    std::snprintf(pair, sizeof pair, "%02x", b);
    text += pair;
  }
  return text;
}

// sysfs "descriptors": device descriptor, then the configuration with its
// interface, HID class descriptor and interrupt IN/OUT endpoints.
// `boot_protocol`: 0 none, 1 boot keyboard, 2 boot mouse (HID 1.11 §4.3).
inline std::string SysfsDescriptors(HidDeviceId id, std::size_t report_descriptor_bytes,
                                    std::uint8_t boot_protocol = 0) {
  const auto lo = [](unsigned v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](unsigned v) { return static_cast<std::uint8_t>(v >> 8); };
  const std::vector<std::uint8_t> bytes{
      // device: USB 2.0, class per interface, EP0 64 bytes, VID, PID, bcdDevice 1.00
      18, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 64, lo(id.vendor_id), hi(id.vendor_id),
      lo(id.product_id), hi(id.product_id), 0x00, 0x01, 0, 0, 0, 1,
      // configuration: 41 bytes total, 1 interface, value 1, bus powered, 100 mA
      9, 0x02, 41, 0, 1, 1, 0, 0x80, 50,
      // interface 0: 2 endpoints, class HID, no boot protocol
      9, 0x04, 0, 0, 2, 0x03, static_cast<std::uint8_t>(boot_protocol != 0 ? 1 : 0), boot_protocol,
      0,
      // HID 1.11 descriptor: one report descriptor of the given length
      9, 0x21, 0x11, 0x01, 0, 1, 0x22, lo(static_cast<unsigned>(report_descriptor_bytes)),
      hi(static_cast<unsigned>(report_descriptor_bytes)),
      // endpoints: interrupt IN 0x81 and OUT 0x01, 64 bytes, every 1 ms
      7, 0x05, 0x81, 0x03, 64, 0, 1, 7, 0x05, 0x01, 0x03, 64, 0, 1};
  return HexOf(bytes);
}

// The testbed with one fake HID device on bus 1.
class UmockdevHidBed {
 public:
  UmockdevHidBed() : testbed_(umockdev_testbed_new()) {}
  ~UmockdevHidBed() {
    if (handler_ != nullptr) g_object_unref(handler_);
    g_object_unref(testbed_);
  }
  UmockdevHidBed(const UmockdevHidBed&) = delete;
  UmockdevHidBed& operator=(const UmockdevHidBed&) = delete;

  // Whether this process runs under the preload (ask only after construction).
  static bool InMockEnvironment() { return umockdev_in_mock_environment(); }

  // A new fake device with this ID and report descriptor, plugged in.
  bool Start(HidDeviceId id, std::vector<std::uint8_t> report_descriptor, std::string* error,
             std::uint8_t boot_protocol = 0) {
    id_ = id;
    boot_protocol_ = boot_protocol;
    descriptor_bytes_ = report_descriptor.size();
    if (handler_ != nullptr) g_object_unref(handler_);
    fake_ = std::make_unique<FakeHidDevice>(std::move(report_descriptor));
    handler_ = umockdev_ioctl_base_new();
    g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&FakeHidDevice::OnIoctl), fake_.get());
    return Plug(error);
  }

  bool Plug(std::string* error) {
    fake_->Plug();
    // The ioctl handler must be attached before the device appears.
    if (!umockdev_testbed_attach_ioctl(testbed_, kDevNode, handler_, nullptr)) {
      *error = "attach_ioctl failed";
      return false;
    }
    const std::string record =
        std::string(
            "P: /devices/usb1\nN: bus/usb/001/001\nE: SUBSYSTEM=usb\nE: DRIVER=usb\n"
            "E: BUSNUM=001\nE: DEVNUM=001\nE: DEVNAME=") +
        kDevNode +
        "\nE: DEVTYPE=usb_device\nA: bConfigurationValue=1\\n\nA: busnum=1\\n\nA: devnum=1\\n\n"
        "A: speed=12\\n\nH: descriptors=" +
        SysfsDescriptors(id_, descriptor_bytes_, boot_protocol_) + "\n";
    GError* gerror = nullptr;
    if (!umockdev_testbed_add_from_string(testbed_, record.c_str(), &gerror)) {
      *error = gerror != nullptr ? gerror->message : "add_from_string failed";
      return false;
    }
    return true;
  }

  void Unplug() {
    fake_->Unplug();
    // umockdev 0.17 sends no "remove" uevent by itself.
    umockdev_testbed_uevent(testbed_, kSysfsPath, "remove");
    umockdev_testbed_remove_device(testbed_, kSysfsPath);
    umockdev_testbed_detach_ioctl(testbed_, kDevNode, nullptr);
  }

  FakeHidDevice& fake() { return *fake_; }

 private:
  UMockdevTestbed* testbed_ = nullptr;
  UMockdevIoctlBase* handler_ = nullptr;
  std::unique_ptr<FakeHidDevice> fake_;
  HidDeviceId id_{};
  std::size_t descriptor_bytes_ = 0;
  std::uint8_t boot_protocol_ = 0;
};

}  // namespace teersim::devices::test_support
