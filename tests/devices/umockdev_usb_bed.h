// Test support: a fake USB device under umockdev, for tests that run the
// unmodified libusb (in this process, or in a child such as `teersim devices
// monitor`). The process (or child) must run with the umockdev preload.
//
// FakeUsbDevice answers the usbdevfs ioctls libusb issues (capabilities,
// kernel driver query/detach, claim, URB submit/reap/discard); a subclass
// says what the device is: its control requests, what it does with OUT data
// and what IN data it queues (UmockdevHidBed: a HID device; the Falcon test:
// an FTDI-based Novint Falcon). UmockdevBed puts one such device on bus 1.
#pragma once

#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace teersim::devices::test_support {

inline constexpr const char* kSysfsPath = "/sys/devices/usb1";
inline constexpr const char* kDevNode = "/dev/bus/usb/001/001";
inline constexpr std::size_t kSetupPacketBytes = 8;
inline constexpr std::uint8_t kInEndpoint = 0x81;

// The usbdevfs side of a fake device. umockdev calls Handle() on its worker
// thread; the test queues IN data and pulls the plug from the main thread.
class FakeUsbDevice {
 public:
  virtual ~FakeUsbDevice() {
    std::lock_guard lock(mutex_);
    for (auto& urb : urbs_) umockdev_ioctl_data_unref(urb.data);
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
    in_.clear();
    OnPlug();
  }

  // OUT transfers received (any OUT endpoint), oldest first.
  std::vector<std::vector<std::uint8_t>> Outputs() const {
    std::lock_guard lock(mutex_);
    return outputs_;
  }

  static gboolean OnIoctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self) {
    return static_cast<FakeUsbDevice*>(self)->Handle(client);
  }

 protected:
  struct Urb {
    UMockdevIoctlData* data = nullptr;  // the client's struct usbdevfs_urb, resolved
    unsigned char type = 0;
    unsigned char endpoint = 0;
    bool done = false;
    int status = 0;
    int sent_bytes = 0;  // OUT URBs: actual_length to report
    std::vector<std::uint8_t> reply;
  };

  // Hooks, called with mutex_ held. AnswerControl must Finish the URB.
  virtual void AnswerControl(Urb& urb, const std::uint8_t* setup) = 0;
  virtual void OnOut(std::uint8_t /*endpoint*/, const std::vector<std::uint8_t>& /*data*/) {}
  virtual void OnPlug() {}
  virtual const char* KernelDriver() const = 0;

  static void Finish(Urb& urb, int status, std::vector<std::uint8_t> reply) {
    urb.done = true;
    urb.status = status;
    urb.reply = std::move(reply);
  }

  // Queues one IN transfer's worth of data for endpoint 0x81 (mutex_ held).
  void QueueIn(std::vector<std::uint8_t> data) {
    in_.push_back(std::move(data));
    DeliverIn();
  }

  mutable std::mutex mutex_;

 private:
  void DeliverIn() {
    for (auto& urb : urbs_) {
      if (in_.empty()) return;
      const bool data_urb =
          urb.type == USBDEVFS_URB_TYPE_INTERRUPT || urb.type == USBDEVFS_URB_TYPE_BULK;
      if (urb.done || !data_urb || urb.endpoint != kInEndpoint) continue;
      Finish(urb, 0, in_.front());
      in_.pop_front();
    }
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
        std::strcpy(reinterpret_cast<usbdevfs_getdriver*>(driver->data)->driver, KernelDriver());
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
      // OUT: recorded, reported back as fully sent, then handed to the device.
      std::vector<std::uint8_t> bytes(buffer->data, buffer->data + urb->buffer_length);
      outputs_.push_back(bytes);
      Finish(urbs_.back(), 0, {});
      urbs_.back().sent_bytes = urb->buffer_length;
      OnOut(entry.endpoint, bytes);
    }
    DeliverIn();
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

  std::deque<std::vector<std::uint8_t>> in_;
  std::vector<Urb> urbs_;
  std::vector<std::vector<std::uint8_t>> outputs_;
  bool connected_ = true;
  bool kernel_driver_bound_ = true;
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

// The testbed with one fake USB device on bus 1.
class UmockdevBed {
 public:
  UmockdevBed() : testbed_(umockdev_testbed_new()) {}
  virtual ~UmockdevBed() {
    if (handler_ != nullptr) g_object_unref(handler_);
    g_object_unref(testbed_);
  }
  UmockdevBed(const UmockdevBed&) = delete;
  UmockdevBed& operator=(const UmockdevBed&) = delete;

  // Whether this process runs under the preload (ask only after construction).
  static bool InMockEnvironment() { return umockdev_in_mock_environment(); }

  // A new fake device, plugged in; `descriptors` is sysfs's binary
  // "descriptors" attribute (device + configuration descriptors).
  bool StartDevice(std::unique_ptr<FakeUsbDevice> fake, std::vector<std::uint8_t> descriptors,
                   std::string* error) {
    descriptors_ = std::move(descriptors);
    if (handler_ != nullptr) g_object_unref(handler_);
    device_ = std::move(fake);
    handler_ = umockdev_ioctl_base_new();
    g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&FakeUsbDevice::OnIoctl), device_.get());
    return Plug(error);
  }

  bool Plug(std::string* error) {
    device_->Plug();
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
        HexOf(descriptors_) + "\n";
    GError* gerror = nullptr;
    if (!umockdev_testbed_add_from_string(testbed_, record.c_str(), &gerror)) {
      *error = gerror != nullptr ? gerror->message : "add_from_string failed";
      return false;
    }
    return true;
  }

  void Unplug() {
    device_->Unplug();
    // umockdev 0.17 sends no "remove" uevent by itself.
    umockdev_testbed_uevent(testbed_, kSysfsPath, "remove");
    umockdev_testbed_remove_device(testbed_, kSysfsPath);
    umockdev_testbed_detach_ioctl(testbed_, kDevNode, nullptr);
  }

 protected:
  FakeUsbDevice& device() { return *device_; }

 private:
  UMockdevTestbed* testbed_ = nullptr;
  UMockdevIoctlBase* handler_ = nullptr;
  std::unique_ptr<FakeUsbDevice> device_;
  std::vector<std::uint8_t> descriptors_;
};

}  // namespace teersim::devices::test_support
