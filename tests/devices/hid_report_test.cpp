// Decoding input reports with real devices' descriptors. The SpaceNavigator
// packets are the ones published with its descriptor (SpaceNavigator.md in
// github.com/AndunHH/spacemouse); the others are built field by field.
#include "devices/hid_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/devices/hid_test_data.h"

namespace teersim::devices {
namespace {

namespace usage = hid_usage;

std::optional<DecodedHidReport> Decode(const HidDescriptor& descriptor,
                                       std::vector<std::uint8_t> bytes, std::string* error) {
  return DecodeHidReport(descriptor, HidReportKind::kInput, bytes, error);
}

TEST(HidReport, ExtractAndInsertBitsLittleEndian) {
  const std::vector<std::uint8_t> data{0xFC, 0xF1, 0x87};
  EXPECT_EQ(ExtractBits(data, 0, 10), 0x1FCu);
  EXPECT_EQ(ExtractBits(data, 10, 10), 0x1FCu);  // 10-bit Y right after a 10-bit X
  EXPECT_EQ(ExtractBits(data, 20, 4), 0x8u);
  EXPECT_EQ(ExtractBits(data, 20, 32), 0x8u);  // bits past the end read 0
  std::vector<std::uint8_t> out(3, 0);
  InsertBits(out, 0, 10, 0x1FC);
  InsertBits(out, 10, 10, 0x1FC);
  InsertBits(out, 20, 4, 0x8);
  InsertBits(out, 23, 1, 1);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0xFC, 0xF1, 0x87}));
  EXPECT_EQ(SignExtend(0x3FF, 10), -1);
  EXPECT_EQ(SignExtend(0x1FF, 10), 511);
  EXPECT_EQ(SignExtend(0xFFFFFFFFu, 32), -1);
}

TEST(HidReport, SpaceNavigatorPublishedPackets) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("3dconnexion_spacenavigator.hid"));
  std::string error;
  // "Second package: rotation around the second axis": 02 00 00 e2 ff 00 00.
  auto rotation = Decode(d, {0x02, 0x00, 0x00, 0xE2, 0xFF, 0x00, 0x00}, &error);
  ASSERT_TRUE(rotation) << error;
  EXPECT_EQ(rotation->id, 2);
  ASSERT_EQ(rotation->values.size(), 3u);
  EXPECT_EQ(rotation->Find(usage::kRx)->value, 0);
  EXPECT_EQ(rotation->Find(usage::kRy)->value, -30);
  EXPECT_EQ(rotation->Find(usage::kRz)->value, 0);
  // "Pushing both buttons at the same time: 03 03 00".
  auto buttons = Decode(d, {0x03, 0x03, 0x00}, &error);
  ASSERT_TRUE(buttons) << error;
  EXPECT_EQ(buttons->Find(usage::Button(1))->value, 1);
  EXPECT_EQ(buttons->Find(usage::Button(2))->value, 1);
  auto released = Decode(d, {0x03, 0x02, 0x00}, &error);
  EXPECT_EQ(released->Find(usage::Button(1))->value, 0);
  EXPECT_EQ(released->Find(usage::Button(2))->value, 1);
  // Translation at full scale both ways.
  auto translation = Decode(d, {0x01, 0x5E, 0x01, 0xA2, 0xFE, 0x00, 0x00}, &error);
  ASSERT_TRUE(translation) << error;
  EXPECT_EQ(translation->Find(usage::kX)->value, 350);
  EXPECT_EQ(translation->Find(usage::kY)->value, -350);
  EXPECT_TRUE(translation->Find(usage::kY)->in_range);
}

TEST(HidReport, CougarHatNullStateAndWideAxes) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid"));
  const HidReport& layout = d.reports.at(0);
  std::vector<std::uint8_t> packet(16, 0);
  InsertBits(packet, 0, 1, 1);         // button 1
  InsertBits(packet, 27, 1, 1);        // button 28
  InsertBits(packet, 44, 4, 0xF);      // hat centred: outside 0..7
  InsertBits(packet, 48, 16, 0xFFFF);  // X full
  InsertBits(packet, 64, 16, 0x8000);  // Y centre
  InsertBits(packet, 120, 8, 0x80);    // Ry
  std::string error;
  auto report = Decode(d, packet, &error);
  ASSERT_TRUE(report) << error;
  EXPECT_EQ(report->Find(usage::Button(1))->value, 1);
  EXPECT_EQ(report->Find(usage::Button(2))->value, 0);
  EXPECT_EQ(report->Find(usage::Button(28))->value, 1);
  const HidValue* hat = report->Find(usage::kHatSwitch);
  ASSERT_NE(hat, nullptr);
  EXPECT_FALSE(hat->in_range);
  EXPECT_EQ(report->Find(usage::kX)->value, 65535);  // unsigned: not -1
  EXPECT_EQ(report->Find(usage::kY)->value, 32768);
  EXPECT_EQ(report->Find(usage::kRy)->value, 128);
  EXPECT_EQ(report->values[report->values.size() - 1].field, layout.fields.size() - 1);
  // 28 buttons + hat + 8 axes; the constant padding gives nothing.
  EXPECT_EQ(report->values.size(), 28u + 1u + 8u);
  InsertBits(packet, 44, 4, 2);  // hat pushed right (90 degrees)
  report = Decode(d, packet, &error);
  EXPECT_TRUE(report->Find(usage::kHatSwitch)->in_range);
  EXPECT_EQ(report->Find(usage::kHatSwitch)->value, 2);
}

TEST(HidReport, XboxReportIdsAndTenBitTriggers) {
  const HidDescriptor d = ParseHidDescriptor(LoadHidTestDescriptor("xbox_one_s_controller_bt.hid"));
  std::vector<std::uint8_t> packet(17, 0);
  packet[0] = 1;
  const std::span<std::uint8_t> data = std::span(packet).subspan(1);
  InsertBits(data, 0, 16, 0x8000);  // X centre
  InsertBits(data, 64, 10, 1023);   // brake (left trigger) full
  InsertBits(data, 96, 4, 0);       // hat: 0 is the null state (range 1..8)
  InsertBits(data, 104 + 3, 1, 1);  // button 4
  std::string error;
  auto report = Decode(d, packet, &error);
  ASSERT_TRUE(report) << error;
  EXPECT_EQ(report->Find(usage::kX)->value, 32768);
  EXPECT_EQ(report->Find(HidUsage(usage::kSimulationPage, 0xC5))->value, 1023);
  EXPECT_FALSE(report->Find(usage::kHatSwitch)->in_range);
  EXPECT_EQ(report->Find(usage::Button(4))->value, 1);
  auto home = Decode(d, {0x02, 0x01}, &error);
  ASSERT_TRUE(home) << error;
  EXPECT_EQ(home->Find(HidUsage(0x0C, 0x223))->value, 1);
}

TEST(HidReport, ArrayFieldsListUsagesPresent) {
  // Keyboard-style array of 3 slots over usages button.1..button.10 (1..10).
  const HidDescriptor d =
      ParseHidDescriptor(std::vector<std::uint8_t>{0x05, 0x09, 0x19, 0x01, 0x29, 0x0A, 0x15, 0x01,
                                                   0x25, 0x0A, 0x75, 0x08, 0x95, 0x03, 0x81, 0x00});
  std::string error;
  auto report = Decode(d, {0x03, 0x00, 0x0A}, &error);
  ASSERT_TRUE(report) << error;
  ASSERT_EQ(report->values.size(), 2u);
  EXPECT_EQ(report->values[0].usage, usage::Button(3));
  EXPECT_EQ(report->values[1].usage, usage::Button(10));
}

TEST(HidReport, EncodeThenDecodeRoundTrips) {
  const HidDescriptor d = ParseHidDescriptor(LoadHidTestDescriptor("xbox_one_s_controller_bt.hid"));
  // The rumble output report: motors (0x70, count 4) and duration (0x50).
  const auto rumble = EncodeHidReport(d, HidReportKind::kOutput, 3,
                                      {{HidUsage(usage::kPidPage, 0x70), 100},
                                       {HidUsage(usage::kPidPage, 0x50), 300},  // clamped to 255
                                       {HidUsage(usage::kPidPage, 0x97), 1}});
  ASSERT_TRUE(rumble.has_value());
  EXPECT_EQ(*rumble, (std::vector<std::uint8_t>{0x03, 0x01, 100, 0, 0, 0, 255, 0, 0}));
  std::string error;
  const auto decoded = DecodeHidReport(d, HidReportKind::kOutput, *rumble, &error);
  ASSERT_TRUE(decoded) << error;
  EXPECT_EQ(decoded->Find(HidUsage(usage::kPidPage, 0x50))->value, 255);
  EXPECT_FALSE(EncodeHidReport(d, HidReportKind::kOutput, 9, {}).has_value());
}

TEST(HidReport, BadReportsAreRefusedWithAReason) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("3dconnexion_spacenavigator.hid"));
  std::string error;
  EXPECT_FALSE(Decode(d, {}, &error));
  EXPECT_EQ(error, "empty report");
  EXPECT_FALSE(Decode(d, {0x09, 0x00}, &error));
  EXPECT_EQ(error, "no input report with ID 9");
  EXPECT_FALSE(Decode(d, {0x01, 0x00, 0x00}, &error));
  EXPECT_EQ(error, "input report 1 has 2 data bytes, the descriptor says 6");
  EXPECT_TRUE(
      DecodeHidReport(d, HidReportKind::kFeature, std::vector<std::uint8_t>{0x05, 0xFF}, &error));
}

}  // namespace
}  // namespace teersim::devices
