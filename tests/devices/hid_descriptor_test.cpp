// The HID report descriptor parser against real devices' descriptors
// (tests/data/hid/, each file cites where it was published) and against
// malformed, truncated and hostile input.
#include "devices/hid_descriptor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "devices/hid_usages.h"
#include "tests/devices/hid_test_data.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;
namespace usage = hid_usage;

// Checks one field's layout, range and flags in a single line per field.
void ExpectField(const HidField& field, std::uint32_t first_usage, std::uint32_t bit_offset,
                 std::uint32_t bit_size, std::uint32_t count, std::int64_t logical_min,
                 std::int64_t logical_max, std::uint32_t flags) {
  SCOPED_TRACE("field at bit " + std::to_string(field.bit_offset));
  EXPECT_EQ(HidUsage(field.usage_page, field.usage), first_usage) << HidUsageName(first_usage);
  EXPECT_EQ(field.bit_offset, bit_offset);
  EXPECT_EQ(field.bit_size, bit_size);
  EXPECT_EQ(field.count, count);
  EXPECT_EQ(field.logical_min, logical_min);
  EXPECT_EQ(field.logical_max, logical_max);
  EXPECT_EQ(field.flags, flags);
}

constexpr std::uint32_t kDataVarAbs = hid_flag::kVariable;
constexpr std::uint32_t kDataVarRel = hid_flag::kVariable | hid_flag::kRelative;
constexpr std::uint32_t kConstArray = hid_flag::kConstant;
constexpr std::uint32_t kConstVar = hid_flag::kConstant | hid_flag::kVariable;
constexpr std::uint32_t kDataVarNull = hid_flag::kVariable | hid_flag::kNullState;

TEST(HidDescriptor, ThrustmasterCougarJoystick) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid"));
  EXPECT_FALSE(d.uses_report_ids);
  EXPECT_THAT(d.applications, ::testing::ElementsAre(usage::kJoystick));
  ASSERT_EQ(d.reports.size(), 1u);
  const HidReport& r = d.reports[0];
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.kind, HidReportKind::kInput);
  EXPECT_EQ(r.size_bits, 128u);
  EXPECT_EQ(r.WireBytes(d.uses_report_ids), 16u);
  ASSERT_EQ(r.fields.size(), 11u);
  ExpectField(r.fields[0], usage::Button(1), 0, 1, 28, 0, 1, kDataVarAbs);
  EXPECT_THAT(r.fields[0].usages,
              ::testing::ElementsAre(HidUsageRange{usage::Button(1), usage::Button(28)}));
  ExpectField(r.fields[1], 0, 28, 16, 1, 0, 1, kConstArray);
  // Hat: Logical Minimum inherited (0), only the maximum given; null state.
  ExpectField(r.fields[2], usage::kHatSwitch, 44, 4, 1, 0, 7, kDataVarNull);
  EXPECT_EQ(r.fields[2].physical_max, 270);
  EXPECT_EQ(r.fields[2].unit, 0x40u);
  // 4-byte Logical/Physical Maximum 0x0000FFFF is 65535.
  ExpectField(r.fields[3], usage::kX, 48, 16, 1, 0, 65535, kDataVarAbs);
  EXPECT_EQ(r.fields[3].physical_max, 65535);
  ExpectField(r.fields[4], usage::kY, 64, 16, 1, 0, 65535, kDataVarAbs);
  // Physical range written reversed (255..0) is kept as written.
  ExpectField(r.fields[5], usage::kZ, 80, 8, 1, 0, 255, kDataVarAbs);
  EXPECT_EQ(r.fields[5].physical_min, 255);
  EXPECT_EQ(r.fields[5].physical_max, 0);
  ExpectField(r.fields[6], usage::kRx, 88, 8, 1, 0, 255, kDataVarAbs);
  ExpectField(r.fields[7], usage::kSlider, 96, 8, 1, 0, 255, kDataVarAbs);
  ExpectField(r.fields[8], usage::kRz, 104, 8, 1, 0, 255, kDataVarAbs);
  ExpectField(r.fields[9], usage::kDial, 112, 8, 1, 0, 255, kDataVarAbs);
  ExpectField(r.fields[10], usage::kRy, 120, 8, 1, 0, 255, kDataVarAbs);
  for (const auto& field : r.fields) EXPECT_EQ(field.application, usage::kJoystick);
  EXPECT_TRUE(d.warnings.empty());
}

TEST(HidDescriptor, XboxOneSGamePadWithReportIds) {
  const HidDescriptor d = ParseHidDescriptor(LoadHidTestDescriptor("xbox_one_s_controller_bt.hid"));
  EXPECT_TRUE(d.uses_report_ids);
  EXPECT_TRUE(d.HasApplication(usage::kGamePad));
  ASSERT_EQ(d.reports.size(), 4u);
  const HidReport* input = d.Find(HidReportKind::kInput, 1);
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->size_bits, 128u);
  EXPECT_EQ(input->WireBytes(true), 17u);
  ASSERT_EQ(input->fields.size(), 12u);
  ExpectField(input->fields[0], usage::kX, 0, 16, 2, 0, 65535, kDataVarAbs);
  EXPECT_EQ(input->fields[0].ElementUsage(1), usage::kY);
  ExpectField(input->fields[1], usage::kZ, 32, 16, 2, 0, 65535, kDataVarAbs);
  EXPECT_EQ(input->fields[1].ElementUsage(1), usage::kRz);
  ExpectField(input->fields[2], HidUsage(usage::kSimulationPage, 0xC5), 64, 10, 1, 0, 1023,
              kDataVarAbs);
  ExpectField(input->fields[3], 0, 74, 6, 1, 0, 0, kConstVar);
  ExpectField(input->fields[4], HidUsage(usage::kSimulationPage, 0xC4), 80, 10, 1, 0, 1023,
              kDataVarAbs);
  ExpectField(input->fields[6], usage::kHatSwitch, 96, 4, 1, 1, 8, kDataVarNull);
  EXPECT_EQ(input->fields[6].physical_max, 315);
  EXPECT_EQ(input->fields[6].unit, 0x14u);
  ExpectField(input->fields[8], usage::Button(1), 104, 1, 15, 0, 1, kDataVarAbs);
  ExpectField(input->fields[10], HidUsage(0x0C, 0x224), 120, 1, 1, 0, 1, kDataVarAbs);

  const HidReport* home = d.Find(HidReportKind::kInput, 2);
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(home->size_bits, 8u);
  ExpectField(home->fields[0], HidUsage(0x0C, 0x223), 0, 1, 1, 0, 1, kDataVarAbs);

  // Force feedback (rumble) output on the PID page, with Unit Exponent -2.
  const HidReport* rumble = d.Find(HidReportKind::kOutput, 3);
  ASSERT_NE(rumble, nullptr);
  EXPECT_EQ(rumble->size_bits, 64u);
  ASSERT_EQ(rumble->fields.size(), 6u);
  ExpectField(rumble->fields[2], HidUsage(usage::kPidPage, 0x70), 8, 8, 4, 0, 100, kDataVarAbs);
  ExpectField(rumble->fields[3], HidUsage(usage::kPidPage, 0x50), 40, 8, 1, 0, 255, kDataVarAbs);
  EXPECT_EQ(rumble->fields[3].unit_exponent, -2);
  EXPECT_EQ(rumble->fields[3].unit, 0x1001u);
  EXPECT_EQ(rumble->fields[4].unit_exponent, -2);
  EXPECT_EQ(rumble->fields[5].unit_exponent, 0);  // reset by Unit Exponent (0)

  const HidReport* battery = d.Find(HidReportKind::kInput, 4);
  ASSERT_NE(battery, nullptr);
  ExpectField(battery->fields[0], HidUsage(0x06, 0x20), 0, 8, 1, 0, 255, kDataVarAbs);
  EXPECT_EQ(d.Find(HidReportKind::kInput, 3), nullptr);
  // The trailing 0x00 byte is a reserved main item: tolerated, reported.
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_THAT(d.warnings[0], HasSubstr("byte 334"));
}

TEST(HidDescriptor, SpaceNavigatorSixAxes) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("3dconnexion_spacenavigator.hid"));
  EXPECT_THAT(d.applications, ::testing::ElementsAre(usage::kMultiAxisController));
  ASSERT_EQ(d.reports.size(), 12u);
  const HidReport* translation = d.Find(HidReportKind::kInput, 1);
  const HidReport* rotation = d.Find(HidReportKind::kInput, 2);
  const HidReport* buttons = d.Find(HidReportKind::kInput, 3);
  ASSERT_TRUE(translation && rotation && buttons);
  ASSERT_EQ(translation->fields.size(), 1u);
  // Two-byte signed bounds: 0xFEA2 = -350, 0x015E = 350.
  ExpectField(translation->fields[0], usage::kX, 0, 16, 3, -350, 350, kDataVarRel);
  EXPECT_EQ(translation->fields[0].ElementUsage(2), usage::kZ);
  EXPECT_EQ(translation->fields[0].physical_min, -1400);
  EXPECT_EQ(translation->fields[0].physical_max, 1400);
  EXPECT_EQ(translation->fields[0].unit_exponent, -4);
  ExpectField(rotation->fields[0], usage::kRx, 0, 16, 3, -350, 350, kDataVarRel);
  EXPECT_EQ(rotation->fields[0].ElementUsage(1), usage::kRy);
  EXPECT_EQ(rotation->fields[0].ElementUsage(2), usage::kRz);
  // The second of two Usage Pages in a row wins.
  ExpectField(buttons->fields[0], usage::Button(1), 0, 1, 2, 0, 1, kDataVarAbs);
  ExpectField(buttons->fields[1], 0, 2, 1, 14, 0, 1, kConstVar);
  EXPECT_EQ(buttons->size_bits, 16u);
  const HidReport* led = d.Find(HidReportKind::kOutput, 4);
  ASSERT_NE(led, nullptr);
  ExpectField(led->fields[0], HidUsage(0x08, 0x4B), 0, 1, 1, 0, 1, kDataVarAbs);
  const HidReport* feature = d.Find(HidReportKind::kFeature, 8);
  ASSERT_NE(feature, nullptr);
  ExpectField(feature->fields[0], HidUsage(0xFF00, 0x23), 0, 8, 7, -128, 127, kDataVarAbs);
  EXPECT_NE(d.Find(HidReportKind::kFeature, 19), nullptr);
}

TEST(HidDescriptor, MiceFromTwoVendors) {
  const HidDescriptor logitech =
      ParseHidDescriptor(LoadHidTestDescriptor("logitech_c077_mouse.hid"));
  ASSERT_EQ(logitech.reports.size(), 1u);
  const HidReport& r = logitech.reports[0];
  EXPECT_EQ(r.size_bits, 32u);
  ExpectField(r.fields[0], usage::Button(1), 0, 1, 8, 0, 1, kDataVarAbs);
  // Three usages for eight bits: the last usage repeats, as Linux does.
  EXPECT_EQ(r.fields[0].UsageCount(), 3u);
  EXPECT_EQ(r.fields[0].ElementUsage(2), usage::Button(3));
  EXPECT_EQ(r.fields[0].ElementUsage(7), usage::Button(3));
  ExpectField(r.fields[1], usage::kX, 8, 8, 3, -127, 127, kDataVarRel);
  EXPECT_EQ(r.fields[1].ElementUsage(2), usage::kWheel);

  const HidDescriptor cougar =
      ParseHidDescriptor(LoadHidTestDescriptor("thrustmaster_hotas_cougar_mouse.hid"));
  const HidReport& m = cougar.reports.at(0);
  ASSERT_EQ(m.fields.size(), 3u);
  ExpectField(m.fields[0], usage::Button(1), 0, 1, 3, 0, 1, kDataVarAbs);
  ExpectField(m.fields[1], 0, 3, 5, 1, 0, 1, kConstArray);
  ExpectField(m.fields[2], usage::kX, 8, 8, 3, -128, 127, kDataVarRel);
}

// --- items and rules, on small hand-written descriptors -----------------------

HidDescriptor Parse(std::vector<std::uint8_t> bytes) { return ParseHidDescriptor(bytes); }

std::string ParseError(std::vector<std::uint8_t> bytes) {
  try {
    ParseHidDescriptor(bytes);
  } catch (const HidDescriptorError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(HidDescriptor, UnsignedMaximumUnlessMinimumNegative) {
  // 15 00 25 FF: 0..255. 15 FF 25 01: -1..1. 15 80 25 7F: -128..127.
  const auto d =
      Parse({0x15, 0x00, 0x25, 0xFF, 0x75, 0x08, 0x95, 0x01, 0x09, 0x30, 0x81, 0x02, 0x15, 0xFF,
             0x25, 0x01, 0x09, 0x31, 0x81, 0x02, 0x15, 0x80, 0x25, 0x7F, 0x09, 0x32, 0x81, 0x02});
  const auto& fields = d.reports.at(0).fields;
  EXPECT_EQ(fields[0].logical_min, 0);
  EXPECT_EQ(fields[0].logical_max, 255);
  EXPECT_EQ(fields[1].logical_min, -1);
  EXPECT_EQ(fields[1].logical_max, 1);
  EXPECT_EQ(fields[2].logical_min, -128);
  EXPECT_EQ(fields[2].logical_max, 127);
  EXPECT_TRUE(fields[2].is_signed());
  EXPECT_FALSE(fields[0].is_signed());
}

TEST(HidDescriptor, FourByteUsageCarriesItsPageAndLocalsClearAfterMain) {
  const auto d = Parse({0x05, 0x09,                          // Usage Page (Button)
                        0x0B, 0x30, 0x00, 0x01, 0x00,        // Usage (Generic Desktop X), 4 bytes
                        0x75, 0x08, 0x95, 0x01, 0x81, 0x02,  // Input
                        0x81, 0x02});                        // Input: no usages left
  const auto& fields = d.reports.at(0).fields;
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(HidUsage(fields[0].usage_page, fields[0].usage), usage::kX);
  EXPECT_TRUE(fields[1].usages.empty());
  EXPECT_EQ(fields[1].bit_offset, 8u);
}

TEST(HidDescriptor, PushPopRestoresGlobals) {
  const auto d = Parse({0x75, 0x08, 0x95, 0x01, 0x15, 0x00, 0x25, 0x64,
                        0xA4,  // Push
                        0x75, 0x10, 0x26, 0xE8, 0x03, 0x81, 0x02,
                        0xB4,  // Pop
                        0x81, 0x02});
  const auto& fields = d.reports.at(0).fields;
  EXPECT_EQ(fields[0].bit_size, 16u);
  EXPECT_EQ(fields[0].logical_max, 1000);
  EXPECT_EQ(fields[1].bit_size, 8u);
  EXPECT_EQ(fields[1].logical_max, 100);
  EXPECT_EQ(fields[1].bit_offset, 16u);
}

TEST(HidDescriptor, BitCursorPerReportIdAndKind) {
  const auto d = Parse({0x75, 0x08, 0x95, 0x02, 0x85, 0x01, 0x81, 0x02, 0x91, 0x02,
                        0x85, 0x02, 0x81, 0x02, 0x85, 0x01, 0x81, 0x02, 0xB1, 0x02});
  ASSERT_EQ(d.reports.size(), 4u);
  const HidReport* in1 = d.Find(HidReportKind::kInput, 1);
  ASSERT_NE(in1, nullptr);
  EXPECT_EQ(in1->size_bits, 32u);
  EXPECT_EQ(in1->fields[1].bit_offset, 16u);
  EXPECT_EQ(d.Find(HidReportKind::kOutput, 1)->size_bits, 16u);
  EXPECT_EQ(d.Find(HidReportKind::kInput, 2)->size_bits, 16u);
  EXPECT_EQ(d.Find(HidReportKind::kFeature, 1)->fields[0].bit_offset, 0u);
}

TEST(HidDescriptor, ArrayFieldKeepsItsUsageList) {
  // A keyboard-style array: 6 slots, each an index into usages 0..101.
  const auto d = Parse({0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x15, 0x00, 0x25, 0x65, 0x75, 0x08,
                        0x95, 0x06, 0x81, 0x00});
  const HidField& field = d.reports.at(0).fields.at(0);
  EXPECT_FALSE(field.variable());
  EXPECT_EQ(field.UsageCount(), 102u);
  EXPECT_EQ(field.UsageAt(4), HidUsage(0x07, 0x04));
  EXPECT_FALSE(field.UsageAt(102).has_value());
}

TEST(HidDescriptor, LongItemsAreSkipped) {
  const auto d = Parse({0xFE, 0x03, 0xF0, 0xAA, 0xBB, 0xCC, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02});
  EXPECT_EQ(d.reports.at(0).size_bits, 8u);
}

TEST(HidDescriptor, DelimiterKeepsFirstUsageSet) {
  const auto d = Parse({0x05, 0x01, 0xA9, 0x01, 0x09, 0x30, 0xA9, 0x00, 0xA9, 0x01,
                        0x09, 0x31, 0xA9, 0x00, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02});
  const HidField& field = d.reports.at(0).fields.at(0);
  EXPECT_EQ(field.UsageCount(), 1u);
  EXPECT_EQ(HidUsage(field.usage_page, field.usage), usage::kX);
}

TEST(HidDescriptor, MalformedInputNamesTheByteOffset) {
  EXPECT_THAT(ParseError({}), HasSubstr("empty descriptor"));
  // Truncated: Logical Maximum (2 data bytes) with one byte left, at offset 2.
  EXPECT_THAT(ParseError({0x05, 0x01, 0x26, 0xFF}),
              HasSubstr("byte 2 (0x0002): item 0x26 needs 2 data byte(s), only 1 remain"));
  EXPECT_THAT(ParseError({0x05, 0x01, 0xC0}), HasSubstr("byte 2 (0x0002): End Collection without"));
  EXPECT_THAT(ParseError({0xA1, 0x01, 0xA1, 0x00, 0xC0}),
              HasSubstr("byte 5 (0x0005): 1 collection(s) not closed"));
  EXPECT_THAT(ParseError({0x85, 0x00}),
              HasSubstr("byte 0 (0x0000): Report ID 0 is outside 1..255"));
  EXPECT_THAT(ParseError({0x75, 0x08, 0xB4}), HasSubstr("byte 2 (0x0002): Pop without a Push"));
  EXPECT_THAT(ParseError({0x0C}), HasSubstr("reserved item type"));
  EXPECT_THAT(ParseError({0xC4}), HasSubstr("reserved global item tag"));
  EXPECT_THAT(ParseError({0xFE, 0x05, 0x00, 0x01}),
              HasSubstr("long item of 5 data bytes runs past"));
  EXPECT_THAT(ParseError({0xFE, 0x05}), HasSubstr("long item header runs past"));
  EXPECT_THAT(ParseError({0x76, 0x01, 0x01}), HasSubstr("Report Size 257 exceeds 256"));
  EXPECT_THAT(ParseError({0x96, 0x01, 0x40}), HasSubstr("Report Count 16385 exceeds"));
  EXPECT_THAT(ParseError({0x15, 0x05, 0x25, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02}),
              HasSubstr("byte 8 (0x0008): Logical Minimum 5 is greater than Logical Maximum 1"));
  EXPECT_THAT(ParseError({0x19, 0x05, 0x29, 0x01}), HasSubstr("Usage Minimum is greater"));
  EXPECT_THAT(ParseError({0xA9, 0x01, 0xA9, 0x01}), HasSubstr("nested Delimiter"));
  EXPECT_THAT(ParseError({0xA9, 0x01}), HasSubstr("Delimiter set not closed"));
  EXPECT_THAT(ParseError({0x07, 0x00, 0x00, 0x01, 0x00}), HasSubstr("exceeds 16 bits"));
}

TEST(HidDescriptor, ToleratedOdditiesBecomeWarnings) {
  // A lone Usage Minimum, a reserved local tag (0xF), a zero Report Count.
  const auto d = Parse({0x19, 0x01, 0xF8, 0x75, 0x08, 0x81, 0x02, 0x95, 0x01, 0x81, 0x02});
  ASSERT_EQ(d.warnings.size(), 3u);
  EXPECT_THAT(d.warnings[0], HasSubstr("byte 2 (0x0002): reserved local item tag 0x0f ignored"));
  EXPECT_THAT(d.warnings[1],
              HasSubstr("byte 5 (0x0005): Usage Minimum or Maximum without its pair"));
  EXPECT_THAT(d.warnings[2],
              HasSubstr("byte 5 (0x0005): input item with Report Size or Report Count 0"));
  ASSERT_EQ(d.reports.size(), 1u);
  EXPECT_EQ(d.reports[0].size_bits, 8u);
  EXPECT_TRUE(d.reports[0].fields[0].usages.empty());
  // Fields before the first Report ID belong to report 0.
  const auto mixed = Parse({0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0x85, 0x02, 0x81, 0x02});
  EXPECT_TRUE(mixed.uses_report_ids);
  EXPECT_NE(mixed.Find(HidReportKind::kInput, 0), nullptr);
  EXPECT_THAT(mixed.warnings.at(0), HasSubstr("before the first Report ID"));
}

TEST(HidDescriptor, UsageRangeAcrossPagesIsAnError) {
  EXPECT_THAT(ParseError({0x1B, 0x01, 0x00, 0x09, 0x00, 0x2B, 0x05, 0x00, 0x01, 0x00}),
              HasSubstr("byte 5 (0x0005): Usage Minimum and Maximum lie on different usage pages"));
}

TEST(HidDescriptor, HostileNestingAndSizesAreBounded) {
  // 10 000 nested collections: refused at the 33rd, offset 64.
  std::vector<std::uint8_t> deep;
  for (int i = 0; i < 10000; ++i) deep.insert(deep.end(), {0xA1, 0x00});
  EXPECT_THAT(ParseError(deep), HasSubstr("byte 64 (0x0040): collections nested deeper than 32"));
  // Push without end.
  std::vector<std::uint8_t> pushes(100, 0xA4);
  EXPECT_THAT(ParseError(pushes), HasSubstr("byte 16 (0x0010): Push nested deeper than 16"));
  // Usages piling up before one main item.
  std::vector<std::uint8_t> usages;
  for (int i = 0; i < 2000; ++i) usages.insert(usages.end(), {0x09, 0x30});
  EXPECT_THAT(ParseError(usages), HasSubstr("more than 1024 usages"));
  // One report growing past 16 KiB: 256 bits x 12288 each time.
  std::vector<std::uint8_t> huge{0x76, 0x00, 0x01, 0x96, 0x00, 0x30};
  for (int i = 0; i < 8; ++i) huge.insert(huge.end(), {0x81, 0x02});
  EXPECT_THAT(ParseError(huge), HasSubstr("longer than 16384 bytes"));
  // Too long a descriptor.
  EXPECT_THAT(ParseError(std::vector<std::uint8_t>(kMaxHidDescriptorBytes + 1, 0xA4)),
              HasSubstr("descriptor longer than 65535 bytes"));
}

TEST(HidDescriptor, ManyFieldsAreBounded) {
  std::vector<std::uint8_t> many{0x75, 0x01, 0x95, 0x01};
  for (std::size_t i = 0; i <= kMaxHidFields; ++i) many.insert(many.end(), {0x81, 0x02});
  EXPECT_THAT(ParseError(many), HasSubstr("more than 4096 fields"));
}

// --- descriptor files ---------------------------------------------------------

TEST(HidDescriptorFile, HexTextWithPrefixesCommasAndComments) {
  EXPECT_EQ(
      ParseHexText("0x05, 0x01, // usage page\n09 04 # usage\n/* collection\n */ A1 01\n", "t"),
      (std::vector<std::uint8_t>{0x05, 0x01, 0x09, 0x04, 0xA1, 0x01}));
  EXPECT_EQ(ParseHexText("050109", "t"), (std::vector<std::uint8_t>{0x05, 0x01, 0x09}));
  try {
    ParseHexText("05 01\n09 zz\n", "bad.hid");
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("bad.hid:2: expected a hex byte"));
  }
  EXPECT_THROW(ParseHexText("0x123", "t"), InputError);
  EXPECT_THROW(ParseHexText("/* open", "t"), InputError);
}

TEST(HidDescriptorFile, BinaryAndTextFilesGiveTheSameBytes) {
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out";
  std::filesystem::create_directories(dir);
  const auto bytes = LoadHidTestDescriptor("logitech_c077_mouse.hid");
  const auto binary = dir / "c077.bin";
  std::ofstream(binary, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_EQ(ReadDescriptorFile(binary), bytes);
  EXPECT_EQ(bytes.size(), 46u);
  EXPECT_THROW(ReadDescriptorFile(dir / "missing.hid"), InputError);
}

TEST(HidUsageNames, RoundTrip) {
  EXPECT_EQ(HidUsageName(usage::kRz), "generic_desktop.rz");
  EXPECT_EQ(HidUsageName(usage::Button(12)), "button.12");
  EXPECT_EQ(HidUsageName(HidUsage(0xFF00, 0x20)), "0xff00.0x0020");
  for (std::uint32_t u : {usage::kX, usage::kHatSwitch, usage::Button(3), HidUsage(0x02, 0xC5),
                          HidUsage(0xFF00, 0x20), HidUsage(0x0C, 0x224)}) {
    EXPECT_EQ(ParseHidUsageName(HidUsageName(u)), u) << HidUsageName(u);
  }
  EXPECT_EQ(ParseHidUsageName("1.48"), usage::kX);
  EXPECT_EQ(ParseHidUsageName("0x01.0x30"), usage::kX);
  EXPECT_FALSE(ParseHidUsageName("generic_desktop").has_value());
  EXPECT_FALSE(ParseHidUsageName("nosuch.x").has_value());
  EXPECT_FALSE(ParseHidUsageName("button.70000").has_value());
}

}  // namespace
}  // namespace teersim::devices
