// A fake USB HID joystick under umockdev: the unmodified libusb enumerates it,
// HidUsbDevice opens it, reads and parses its report descriptor (the real
// Thrustmaster HOTAS Cougar joystick descriptor from tests/data/hid), decodes
// interrupt-IN reports into controls through the generic_joystick profile,
// and survives an unplug and a replug mid-run.
//
// The test binary links libumockdev-preload (tests/devices/CMakeLists.txt), so
// ctest runs it in the mock environment; without the preload it skips, never
// passes silently.
#include "devices/hid_usb_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <numbers>
#include <vector>

#include "base/log.h"
#include "devices/hid_report.h"
#include "tests/devices/hid_test_data.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr HidDeviceId kCougar{0x044F, 0x0400};
// pid.codes test VID:PID, for teersim's own catheter interface layout.
constexpr HidDeviceId kCatheterInterface{0x1209, 0x0001};
constexpr const char* kSysfsPath = "/sys/devices/usb1";
constexpr const char* kDevNode = "/dev/bus/usb/001/001";
constexpr std::size_t kSetupPacketBytes = 8;
constexpr std::uint8_t kInterruptInEndpoint = 0x81;
// Generous waits: the reader thread polls every 10 ms here.
constexpr auto kWait = 3000ms;
constexpr double kTolerance = 1e-12;

// The usbdevfs side of the fake device. umockdev calls Handle() on its worker
// thread; the test pushes reports and pulls the plug from the main thread.
class FakeHidJoystick {
 public:
  explicit FakeHidJoystick(std::vector<std::uint8_t> report_descriptor)
      : report_descriptor_(std::move(report_descriptor)) {}

  ~FakeHidJoystick() {
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
    return static_cast<FakeHidJoystick*>(self)->Handle(client);
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

std::string HexOf(const std::vector<std::uint8_t>& bytes) {
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
std::string SysfsDescriptors(HidDeviceId id, std::size_t report_descriptor_bytes) {
  const auto lo = [](unsigned v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](unsigned v) { return static_cast<std::uint8_t>(v >> 8); };
  const std::vector<std::uint8_t> bytes{
      // device: USB 2.0, class per interface, EP0 64 bytes, VID, PID, bcdDevice 1.00
      18, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 64, lo(id.vendor_id), hi(id.vendor_id),
      lo(id.product_id), hi(id.product_id), 0x00, 0x01, 0, 0, 0, 1,
      // configuration: 41 bytes total, 1 interface, value 1, bus powered, 100 mA
      9, 0x02, 41, 0, 1, 1, 0, 0x80, 50,
      // interface 0: 2 endpoints, class HID, no boot protocol
      9, 0x04, 0, 0, 2, 0x03, 0, 0, 0,
      // HID 1.11 descriptor: one report descriptor of the given length
      9, 0x21, 0x11, 0x01, 0, 1, 0x22, lo(static_cast<unsigned>(report_descriptor_bytes)),
      hi(static_cast<unsigned>(report_descriptor_bytes)),
      // endpoints: interrupt IN 0x81 and OUT 0x01, 64 bytes, every 1 ms
      7, 0x05, 0x81, 0x03, 64, 0, 1, 7, 0x05, 0x01, 0x03, 64, 0, 1};
  return HexOf(bytes);
}

class UmockdevHidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testbed_ = umockdev_testbed_new();
    if (!umockdev_in_mock_environment()) {
      GTEST_SKIP() << "not running under the umockdev preload (libumockdev-preload)";
    }
    report_descriptor_ = LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid");
    StartFake();
  }

  // (Re)creates the fake device with `id` and `report_descriptor_`.
  void StartFake() {
    fake_ = std::make_unique<FakeHidJoystick>(report_descriptor_);
    handler_ = umockdev_ioctl_base_new();
    g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&FakeHidJoystick::OnIoctl), fake_.get());
    Plug();
  }

  void TearDown() override {
    if (handler_ != nullptr) g_object_unref(handler_);
    if (testbed_ != nullptr) g_object_unref(testbed_);
  }

  void Plug() {
    fake_->Plug();
    // The ioctl handler must be attached before the device appears.
    ASSERT_TRUE(umockdev_testbed_attach_ioctl(testbed_, kDevNode, handler_, nullptr));
    const std::string record =
        std::string(
            "P: /devices/usb1\nN: bus/usb/001/001\nE: SUBSYSTEM=usb\nE: DRIVER=usb\n"
            "E: BUSNUM=001\nE: DEVNUM=001\nE: DEVNAME=") +
        kDevNode +
        "\nE: DEVTYPE=usb_device\nA: bConfigurationValue=1\\n\nA: busnum=1\\n\nA: devnum=1\\n\n"
        "A: speed=12\\n\nH: descriptors=" +
        SysfsDescriptors(id_, report_descriptor_.size()) + "\n";
    GError* error = nullptr;
    ASSERT_TRUE(umockdev_testbed_add_from_string(testbed_, record.c_str(), &error))
        << (error ? error->message : "");
  }

  void Unplug() {
    fake_->Unplug();
    // umockdev 0.17 sends no "remove" uevent by itself.
    umockdev_testbed_uevent(testbed_, kSysfsPath, "remove");
    umockdev_testbed_remove_device(testbed_, kSysfsPath);
    umockdev_testbed_detach_ioctl(testbed_, kDevNode, nullptr);
  }

  static std::vector<std::uint8_t> CougarReport(std::uint32_t x, std::uint32_t buttons) {
    std::vector<std::uint8_t> report(16, 0);
    InsertBits(report, 0, 28, buttons);
    InsertBits(report, 44, 4, 0xF);  // hat centred
    InsertBits(report, 48, 16, x);
    InsertBits(report, 64, 16, 0x8000);
    InsertBits(report, 80, 8, 0x80);
    InsertBits(report, 104, 8, 0x80);
    return report;
  }

  HidUsbOptions Options() const {
    HidUsbOptions options;
    options.device = id_;
    options.profiles = LoadBuiltInHidProfiles();
    options.read_timeout = 10ms;
    options.retry_interval = 10ms;
    return options;
  }

  HidDeviceId id_ = kCougar;
  UMockdevTestbed* testbed_ = nullptr;
  UMockdevIoctlBase* handler_ = nullptr;
  std::unique_ptr<FakeHidJoystick> fake_;
  std::vector<std::uint8_t> report_descriptor_;
};

TEST_F(UmockdevHidTest, EnumeratesReadsDescriptorAndDecodesReports) {
  HidUsbDevice device(Options());
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait))
      << device.Status().last_event;
  EXPECT_EQ(fake_->DescriptorRequests(), 1);
  const auto descriptor = device.Descriptor();
  ASSERT_TRUE(descriptor.has_value());
  ASSERT_EQ(descriptor->reports.size(), 1u);
  EXPECT_EQ(descriptor->reports[0].size_bits, 128u);
  EXPECT_EQ(device.Status().profile, "generic_joystick");
  EXPECT_EQ(device.Name(), "HID 044f:0400 (generic_joystick)");

  fake_->PushReport(CougarReport(0xFFFF, 0x1));  // stick full right, button 1
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.reports >= 1; }, kWait));
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(0.0, &frame);
  device.Sample(0.5, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideRotation), 30.0 * std::numbers::pi / 180.0, kTolerance);
  EXPECT_TRUE(frame.Pressed(ControlId::kFluoroPedal));
  EXPECT_EQ(device.Status().bad_reports, 0);
}

TEST_F(UmockdevHidTest, UnplugHoldsLastSafeInputAndReplugResumes) {
  std::vector<std::string> warnings;
  std::mutex warnings_mutex;
  log::SetSinkForTesting([&](log::Level level, std::string_view message) {
    std::lock_guard lock(warnings_mutex);
    if (level == log::Level::kWarn) warnings.emplace_back(message);
  });
  {
    HidUsbDevice device(Options());
    ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait));
    fake_->PushReport(CougarReport(0xFFFF, 0x1));
    ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.reports >= 1; }, kWait));
    ControlFrame frame = ControlFrame::Defaults();
    device.Sample(0.0, &frame);
    device.Sample(1.0, &frame);
    const double rotation = frame.Get(ControlId::kGuideRotation);
    EXPECT_GT(rotation, 0.0);

    // Pull the cable mid-run.
    Unplug();
    ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return !s.connected; }, kWait));
    EXPECT_THAT(device.Status().last_event, HasSubstr("lost"));
    device.Sample(2.0, &frame);
    EXPECT_EQ(frame.Get(ControlId::kGuideRotation), rotation);  // the rate stopped
    EXPECT_FALSE(frame.Pressed(ControlId::kFluoroPedal));       // the pedal came up

    // Plug it back in: found again, descriptor read again, input resumes.
    Plug();
    ASSERT_TRUE(device.WaitFor(
        [](const HidUsbStatus& s) { return s.connected && s.connections == 2; }, kWait))
        << device.Status().last_event;
    EXPECT_EQ(fake_->DescriptorRequests(), 2);
    const long long before = device.Status().reports;
    fake_->PushReport(CougarReport(0x8000, 0x2));  // centred, button 2
    ASSERT_TRUE(device.WaitFor([&](const HidUsbStatus& s) { return s.reports > before; }, kWait));
    device.Sample(3.0, &frame);
    EXPECT_NEAR(frame.Get(ControlId::kGuideRotation), rotation, kTolerance);
    EXPECT_TRUE(frame.Pressed(ControlId::kCineButton));
  }
  log::SetSinkForTesting(nullptr);
  std::lock_guard lock(warnings_mutex);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0], HasSubstr("HID 044f:0400 lost"));
}

// teersim's catheter interface: absolute positions in, force commands out by
// the interrupt OUT endpoint.
TEST_F(UmockdevHidTest, CatheterInterfacePositionsInForcesOut) {
  // Replace the joystick with the catheter interface before anything opens it.
  Unplug();
  id_ = kCatheterInterface;
  report_descriptor_ =
      ReadDescriptorFile(std::string(TEERSIM_SOURCE_DIR) + "/devices/catheter_interface.hid");
  StartFake();
  HidUsbDevice device(Options());
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait))
      << device.Status().last_event;
  EXPECT_EQ(device.Status().profile, "catheter_interface");
  const auto descriptor = device.Descriptor();
  ASSERT_TRUE(descriptor.has_value());

  // Guide advanced 12.34 mm (1234 counts), sleeve A/P knob at -30 degrees.
  const auto input =
      EncodeHidReport(*descriptor, HidReportKind::kInput, 1,
                      {{HidUsage(0xFFA0, 0x01), 1234}, {HidUsage(0xFFA0, 0x06), -3000}});
  ASSERT_TRUE(input.has_value());
  fake_->PushReport(*input);
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.reports >= 1; }, kWait));
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(0.0, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), 0.01234, kTolerance);
  EXPECT_NEAR(frame.Get(ControlId::kSleeveApKnob), -30.0 * std::numbers::pi / 180.0, kTolerance);

  // 1.5 N resisting the guide and the sleeve's brake on.
  const auto force = EncodeHidReport(*descriptor, HidReportKind::kOutput, 2,
                                     {{HidUsage(0xFFA0, 0x21), 150}, {HidUsage(0xFFA0, 0x28), 1}});
  ASSERT_TRUE(force.has_value());
  std::string error;
  ASSERT_TRUE(device.SendOutput(*force, &error)) << error;
  const auto outputs = fake_->Outputs();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0], *force);
  EXPECT_EQ(outputs[0][0], 2);
  EXPECT_EQ(ExtractBits(std::span(outputs[0]).subspan(1), 0, 16), 150u);
  EXPECT_EQ(ExtractBits(std::span(outputs[0]).subspan(1), 97, 1), 1u);
}

TEST_F(UmockdevHidTest, OutputWithoutADeviceFailsCleanly) {
  Unplug();
  HidUsbDevice device(Options());
  std::string error;
  EXPECT_FALSE(device.SendOutput({0x02, 0x00}, &error));
  EXPECT_EQ(error, "no device connected");
  EXPECT_FALSE(device.Status().connected);
}

}  // namespace
}  // namespace teersim::devices
