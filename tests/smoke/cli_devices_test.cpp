// `teersim devices describe-descriptor`: the JSON contract, text output, and
// exit 2 with the byte offset for a malformed descriptor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/smoke/cli_run.h"

namespace teersim::testing {
namespace {

using ::testing::HasSubstr;

const std::string kHidData = std::string(TEERSIM_SOURCE_DIR) + "/tests/data/hid/";

std::string WriteTestFile(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

TEST(CliDevices, DescribeDescriptorJsonContract) {
  const CliResult result =
      RunCli("devices describe-descriptor " + kHidData + "3dconnexion_spacenavigator.hid --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto out = nlohmann::json::parse(result.out);
  ASSERT_TRUE(out["reports"].is_array());
  ASSERT_EQ(out["reports"].size(), 12u);
  const auto& report = out["reports"][0];
  EXPECT_EQ(report["id"], 1);
  EXPECT_EQ(report["kind"], "input");
  EXPECT_EQ(report["size_bits"], 48);
  const auto& field = report["fields"][0];
  EXPECT_EQ(field["usage_page"], 1);
  EXPECT_EQ(field["usage"], 0x30);
  EXPECT_EQ(field["bit_offset"], 0);
  EXPECT_EQ(field["bit_size"], 16);
  EXPECT_EQ(field["count"], 3);
  EXPECT_EQ(field["logical_min"], -350);
  EXPECT_EQ(field["logical_max"], 350);
  EXPECT_EQ(field["variable"], true);
  EXPECT_EQ(field["constant"], false);
  EXPECT_EQ(field["relative"], true);
  EXPECT_EQ(out["reports"][3]["kind"], "output");
  EXPECT_EQ(out["reports"][4]["kind"], "feature");
}

TEST(CliDevices, DescribeDescriptorTextAndBinary) {
  const std::string binary =
      WriteTestFile("mouse.bin", std::string("\x05\x01\x09\x02\xa1\x01\x05\x09\x19\x01"
                                             "\x29\x03\x15\x00\x25\x01\x75\x01\x95\x03"
                                             "\x81\x02\xc0",
                                             23));
  const CliResult result = RunCli("devices describe-descriptor " + binary);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("input report 0: 3 bits"));
  EXPECT_THAT(result.out, HasSubstr("button.1..button.3"));
}

TEST(CliDevices, MalformedDescriptorExitsTwoNamingTheOffset) {
  const std::string truncated = WriteTestFile("truncated.hid", "05 01 09 04 a1 01 26 ff\n");
  const CliResult result = RunCli("devices describe-descriptor " + truncated + " --json");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr(truncated + ": byte 6 (0x0006): item 0x26 needs 2 data byte(s)"));
  const std::string bad_hex = WriteTestFile("bad_hex.hid", "05 01\n09 0g\n");
  const CliResult hex = RunCli("devices describe-descriptor " + bad_hex);
  EXPECT_EQ(hex.exit_code, 2);
  EXPECT_THAT(hex.err, HasSubstr(bad_hex + ":2: expected a hex byte"));
}

TEST(CliDevices, MonitorWithoutADeviceFailsAfterItsDuration) {
  const CliResult result = RunCli("devices monitor --duration 0.2 --json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("no HID device that a profile matches was found"));
  const CliResult bad = RunCli("devices monitor --device 12345 --duration 0.1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--device: expected VID:PID"));
}

}  // namespace
}  // namespace teersim::testing
