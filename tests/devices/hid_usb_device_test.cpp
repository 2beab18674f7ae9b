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

#include <mutex>
#include <numbers>
#include <vector>

#include "base/log.h"
#include "devices/hid_report.h"
#include "tests/devices/hid_test_data.h"
#include "tests/devices/umockdev_hid_bed.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using test_support::UmockdevHidBed;

constexpr HidDeviceId kCougar{0x044F, 0x0400};
// pid.codes test VID:PID, for teersim's own catheter interface layout.
constexpr HidDeviceId kCatheterInterface{0x1209, 0x0001};
// Generous waits: the reader thread polls every 10 ms here.
constexpr auto kWait = 3000ms;
constexpr double kTolerance = 1e-12;

class UmockdevHidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bed_ = std::make_unique<UmockdevHidBed>();
    if (!UmockdevHidBed::InMockEnvironment()) {
      GTEST_SKIP() << "not running under the umockdev preload (libumockdev-preload)";
    }
    report_descriptor_ = LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid");
    StartFake();
  }

  // (Re)creates the fake device with `id_` and `report_descriptor_`.
  void StartFake() {
    std::string error;
    ASSERT_TRUE(bed_->Start(id_, report_descriptor_, &error)) << error;
  }

  void Plug() {
    std::string error;
    ASSERT_TRUE(bed_->Plug(&error)) << error;
  }
  void Unplug() { bed_->Unplug(); }
  test_support::FakeHidDevice& fake() { return bed_->fake(); }

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
    options.event_wait = 10ms;
    options.retry_interval = 10ms;
    return options;
  }

  HidDeviceId id_ = kCougar;
  std::unique_ptr<UmockdevHidBed> bed_;
  std::vector<std::uint8_t> report_descriptor_;
};

TEST_F(UmockdevHidTest, EnumeratesReadsDescriptorAndDecodesReports) {
  HidUsbDevice device(Options());
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait))
      << device.Status().last_event;
  EXPECT_EQ(fake().DescriptorRequests(), 1);
  const auto descriptor = device.Descriptor();
  ASSERT_TRUE(descriptor.has_value());
  ASSERT_EQ(descriptor->reports.size(), 1u);
  EXPECT_EQ(descriptor->reports[0].size_bits, 128u);
  EXPECT_EQ(device.Status().profile, "generic_joystick");
  EXPECT_EQ(device.Name(), "HID 044f:0400 (generic_joystick)");

  fake().PushReport(CougarReport(0xFFFF, 0x1));  // stick full right, button 1
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.reports >= 1; }, kWait));
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(0.0, &frame);
  device.Sample(0.5, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideRotation), 30.0 * std::numbers::pi / 180.0, kTolerance);
  EXPECT_TRUE(frame.Pressed(ControlId::kFluoroPedal));
  EXPECT_EQ(device.Status().bad_reports, 0);
}

// Four interrupt transfers stay in flight: a burst of reports all arrives,
// in order (the last one wins).
TEST_F(UmockdevHidTest, BurstOfReportsAllArrive) {
  HidUsbDevice device(Options());
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait));
  constexpr int kBurst = 50;
  for (int i = 0; i < kBurst; ++i)
    fake().PushReport(CougarReport(0xFFFF, i == kBurst - 1 ? 0x2 : 0x1));
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.reports >= kBurst; }, kWait))
      << device.Status().reports;
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(0.0, &frame);
  EXPECT_FALSE(frame.Pressed(ControlId::kFluoroPedal));
  EXPECT_TRUE(frame.Pressed(ControlId::kCineButton));
  EXPECT_EQ(device.Status().reports, kBurst);
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
    fake().PushReport(CougarReport(0xFFFF, 0x1));
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
    EXPECT_EQ(fake().DescriptorRequests(), 2);
    const long long before = device.Status().reports;
    fake().PushReport(CougarReport(0x8000, 0x2));  // centred, button 2
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
  fake().PushReport(*input);
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
  const auto outputs = fake().Outputs();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0], *force);
  EXPECT_EQ(outputs[0][0], 2);
  EXPECT_EQ(ExtractBits(std::span(outputs[0]).subspan(1), 0, 16), 150u);
  EXPECT_EQ(ExtractBits(std::span(outputs[0]).subspan(1), 97, 1), 1u);
}

// With no VID:PID given, the first HID device a profile matches is used...
TEST_F(UmockdevHidTest, AnyDeviceFindsTheJoystickByItsProfile) {
  HidUsbOptions options = Options();
  options.device.reset();
  HidUsbDevice device(std::move(options));
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait));
  EXPECT_EQ(device.Status().profile, "generic_joystick");
  EXPECT_EQ(device.Status().id, kCougar);
}

// ...and a device no profile matches is looked at once, not at every scan.
TEST_F(UmockdevHidTest, AnyDeviceLooksAtAnUnusableDeviceOnce) {
  HidUsbOptions options = Options();
  options.device.reset();
  options.profiles.clear();
  HidUsbDevice device(std::move(options));
  EXPECT_FALSE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, 300ms));
  EXPECT_EQ(fake().DescriptorRequests(), 1);
}

// ...but a boot mouse is never taken from the desktop to look at it.
TEST_F(UmockdevHidTest, AnyDeviceLeavesBootMiceAlone) {
  Unplug();
  std::string error;
  constexpr std::uint8_t kBootMouse = 2;
  ASSERT_TRUE(bed_->Start({0x046D, 0xC077}, LoadHidTestDescriptor("logitech_c077_mouse.hid"),
                          &error, kBootMouse))
      << error;
  HidUsbOptions options = Options();
  options.device.reset();
  {
    HidUsbDevice device(std::move(options));
    EXPECT_FALSE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, 300ms));
  }
  EXPECT_EQ(fake().DescriptorRequests(), 0);
  // Asked for by ID, it is opened (and, with no profile, its input ignored).
  HidUsbOptions by_id = Options();
  by_id.device = HidDeviceId{0x046D, 0xC077};
  HidUsbDevice device(std::move(by_id));
  ASSERT_TRUE(device.WaitFor([](const HidUsbStatus& s) { return s.connected; }, kWait));
  EXPECT_THAT(device.Status().last_event, HasSubstr("no profile matches"));
  EXPECT_EQ(fake().DescriptorRequests(), 1);
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
