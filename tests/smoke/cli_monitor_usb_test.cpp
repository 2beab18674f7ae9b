// `teersim devices monitor` end to end: the teersim process (run with the
// umockdev preload) finds a fake HID joystick served by this test process's
// umockdev testbed, reads its descriptor and prints the controls its reports
// drive, one JSON line per sample.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "devices/hid_report.h"
#include "tests/devices/hid_test_data.h"
#include "tests/devices/umockdev_hid_bed.h"
#include "tests/smoke/cli_run.h"

namespace teersim::testing {
namespace {

using devices::InsertBits;
using devices::test_support::UmockdevHidBed;
using namespace std::chrono_literals;

// The child needs the preload; under ASan it cannot come first.
const std::string kUmockdevEnv =
    "env LD_PRELOAD=libumockdev-preload.so.0 "
    "ASAN_OPTIONS=\"verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}\"";
constexpr auto kWaitForDescriptor = 5s;
constexpr auto kPoll = 5ms;

TEST(CliDevicesUsb, MonitorPrintsControlsOfAFakeJoystick) {
  UmockdevHidBed bed;
  std::string error;
  ASSERT_TRUE(bed.Start({0x044F, 0x0400},
                        devices::LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid"),
                        &error))
      << error;
  CliResult result;
  std::thread child([&] {
    result =
        RunCli("devices monitor --device 044f:0400 --duration 0.8 --rate 25 --json", kUmockdevEnv);
  });
  // Once the monitor has read the descriptor, hold the stick right with button 1.
  const auto deadline = std::chrono::steady_clock::now() + kWaitForDescriptor;
  while (bed.fake().DescriptorRequests() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kPoll);
  }
  std::vector<std::uint8_t> report(16, 0);
  InsertBits(report, 0, 1, 1);         // button 1: fluoro pedal
  InsertBits(report, 44, 4, 0xF);      // hat centred
  InsertBits(report, 48, 16, 0xFFFF);  // X full right: guide rotation at 60 deg/s
  InsertBits(report, 64, 16, 0x8000);
  InsertBits(report, 80, 8, 0x80);
  InsertBits(report, 104, 8, 0x80);
  bed.fake().PushReport(report);
  child.join();

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(bed.fake().DescriptorRequests(), 1);
  std::istringstream lines(result.out);
  std::string line;
  int samples = 0;
  bool pedal_seen = false;
  double last_rotation_deg = 0.0;
  while (std::getline(lines, line)) {
    const auto sample = nlohmann::json::parse(line);
    ++samples;
    EXPECT_EQ(sample["profile"], "generic_joystick");
    pedal_seen = pedal_seen || sample["controls"]["fluoro.pedal"] == 1.0;
    last_rotation_deg = sample["controls"]["guide.rotation_deg"].get<double>();
  }
  EXPECT_GT(samples, 5);
  EXPECT_TRUE(pedal_seen);
  EXPECT_GT(last_rotation_deg, 0.0);
}

}  // namespace
}  // namespace teersim::testing
