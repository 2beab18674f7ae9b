// HID report descriptor parser (USB HID 1.11 §6.2.2): turns the bytes a HID
// device sends for GET_DESCRIPTOR(Report) into the layout of every report it
// sends or accepts — report IDs, and per field its usages, bit position, size,
// count, logical range and flags.
//
//   std::vector<std::uint8_t> bytes = ReadDescriptorFile("joystick.hid");
//   HidDescriptor descriptor = ParseHidDescriptor(bytes);
//   for (const HidReport& report : descriptor.reports) ...
//
// What it handles: short items (0, 1, 2 or 4 data bytes), long items (skipped),
// Input/Output/Feature with their flags, Collection/End Collection, every
// global item including Push/Pop, Usage/Usage Minimum/Usage Maximum (4-byte
// usages carry their own page), Delimiter sets (first usage set kept), a bit
// cursor per (report kind, report ID) advanced by constant fields too, and
// logical/physical ranges that are signed only when their minimum is negative
// (so `15 00 25 FF` is 0..255, `15 81 25 7F` is -127..127).
//
// Hostile input: the descriptor, collection nesting, Push depth, usages per
// main item, report sizes, counts and the number of fields are all bounded
// (constants below); a violation throws HidDescriptorError naming the byte
// offset of the offending item. Parsing never reads past the input and its
// memory use is bounded by the descriptor's length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/input_error.h"

namespace teersim::devices {

// Limits (the HID class descriptor's wDescriptorLength is 16 bits).
inline constexpr std::size_t kMaxHidDescriptorBytes = 65535;
inline constexpr std::size_t kMaxHidCollectionDepth = 32;
inline constexpr std::size_t kMaxHidPushDepth = 16;
// Usage and Usage Minimum/Maximum items pending before one main item.
inline constexpr std::size_t kMaxHidUsagesPerMainItem = 1024;
// Linux hid-core's limits on one field: 256 bits per element, 12288 elements.
inline constexpr std::uint32_t kMaxHidReportSizeBits = 256;
inline constexpr std::uint32_t kMaxHidReportCount = 12288;
// Largest report: 16 KiB (Linux HID_MAX_BUFFER_SIZE).
inline constexpr std::uint32_t kMaxHidReportBits = 16384 * 8;
inline constexpr std::size_t kMaxHidFields = 4096;
inline constexpr std::size_t kMaxHidWarnings = 32;

// Thrown for a malformed descriptor; what() reads
// "byte 12 (0x0c): Report ID 0 is reserved" and `offset` is that byte.
class HidDescriptorError : public InputError {
 public:
  HidDescriptorError(std::size_t offset, const std::string& problem);
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

enum class HidReportKind : std::uint8_t { kInput, kOutput, kFeature };
// "input" | "output" | "feature"
const char* HidReportKindName(HidReportKind kind);

// A usage as a 32-bit extended usage: page in the high 16 bits, ID in the low.
constexpr std::uint32_t HidUsage(std::uint16_t page, std::uint16_t id) {
  return (std::uint32_t{page} << 16) | id;
}
constexpr std::uint16_t HidUsagePage(std::uint32_t usage) {
  return static_cast<std::uint16_t>(usage >> 16);
}
constexpr std::uint16_t HidUsageId(std::uint32_t usage) {
  return static_cast<std::uint16_t>(usage & 0xFFFFu);
}

// Usage pages and usages teersim maps (HID Usage Tables 1.3).
namespace hid_usage {
inline constexpr std::uint16_t kGenericDesktopPage = 0x01;
inline constexpr std::uint16_t kSimulationPage = 0x02;
inline constexpr std::uint16_t kButtonPage = 0x09;
inline constexpr std::uint16_t kPidPage = 0x0F;
inline constexpr std::uint32_t kPointer = HidUsage(kGenericDesktopPage, 0x01);
inline constexpr std::uint32_t kMouse = HidUsage(kGenericDesktopPage, 0x02);
inline constexpr std::uint32_t kJoystick = HidUsage(kGenericDesktopPage, 0x04);
inline constexpr std::uint32_t kGamePad = HidUsage(kGenericDesktopPage, 0x05);
inline constexpr std::uint32_t kMultiAxisController = HidUsage(kGenericDesktopPage, 0x08);
inline constexpr std::uint32_t kX = HidUsage(kGenericDesktopPage, 0x30);
inline constexpr std::uint32_t kY = HidUsage(kGenericDesktopPage, 0x31);
inline constexpr std::uint32_t kZ = HidUsage(kGenericDesktopPage, 0x32);
inline constexpr std::uint32_t kRx = HidUsage(kGenericDesktopPage, 0x33);
inline constexpr std::uint32_t kRy = HidUsage(kGenericDesktopPage, 0x34);
inline constexpr std::uint32_t kRz = HidUsage(kGenericDesktopPage, 0x35);
inline constexpr std::uint32_t kSlider = HidUsage(kGenericDesktopPage, 0x36);
inline constexpr std::uint32_t kDial = HidUsage(kGenericDesktopPage, 0x37);
inline constexpr std::uint32_t kWheel = HidUsage(kGenericDesktopPage, 0x38);
inline constexpr std::uint32_t kHatSwitch = HidUsage(kGenericDesktopPage, 0x39);
constexpr std::uint32_t Button(std::uint16_t number) { return HidUsage(kButtonPage, number); }
}  // namespace hid_usage

// A run of consecutive extended usages [first, last] (one Usage item gives a
// run of one; Usage Minimum/Maximum give the whole range, never expanded).
struct HidUsageRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::uint32_t size() const { return last - first + 1; }
  bool operator==(const HidUsageRange&) const = default;
};

// Input/Output/Feature item flags (HID 1.11 §6.2.2.5), bit positions.
namespace hid_flag {
inline constexpr std::uint32_t kConstant = 1u << 0;
inline constexpr std::uint32_t kVariable = 1u << 1;
inline constexpr std::uint32_t kRelative = 1u << 2;
inline constexpr std::uint32_t kWrap = 1u << 3;
inline constexpr std::uint32_t kNonLinear = 1u << 4;
inline constexpr std::uint32_t kNoPreferred = 1u << 5;
inline constexpr std::uint32_t kNullState = 1u << 6;
inline constexpr std::uint32_t kVolatile = 1u << 7;  // Output/Feature only
inline constexpr std::uint32_t kBufferedBytes = 1u << 8;
}  // namespace hid_flag

// One Input/Output/Feature main item: `count` elements of `bit_size` bits each,
// starting `bit_offset` bits after the report ID byte (if any).
struct HidField {
  std::uint16_t usage_page = 0;  // page and ID of the first usage (0 when none)
  std::uint16_t usage = 0;
  std::vector<HidUsageRange> usages;  // in declaration order
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;
  std::uint32_t count = 0;
  std::int64_t logical_min = 0;
  std::int64_t logical_max = 0;
  std::int64_t physical_min = 0;  // equal to the logical range when both were 0
  std::int64_t physical_max = 0;
  std::int32_t unit_exponent = 0;
  std::uint32_t unit = 0;
  std::uint32_t flags = 0;  // hid_flag bits, the item's raw data
  // Usage of the innermost enclosing Application collection (0 when none).
  std::uint32_t application = 0;

  bool constant() const { return (flags & hid_flag::kConstant) != 0; }
  bool variable() const { return (flags & hid_flag::kVariable) != 0; }
  bool relative() const { return (flags & hid_flag::kRelative) != 0; }
  bool null_state() const { return (flags & hid_flag::kNullState) != 0; }
  // Elements are signed when the logical minimum is negative.
  bool is_signed() const { return logical_min < 0; }

  // Number of usages declared (ranges counted in full).
  std::uint64_t UsageCount() const;
  // The index-th declared usage, or nullopt past the end.
  std::optional<std::uint32_t> UsageAt(std::uint64_t index) const;
  // Usage of element `element` of a Variable field: the element-th usage, the
  // last usage repeating when there are fewer usages than elements (as Linux
  // hid-core does); 0 when the field declares none.
  std::uint32_t ElementUsage(std::uint32_t element) const;
};

struct HidReport {
  std::uint8_t id = 0;  // 0 when the descriptor declares no report IDs
  HidReportKind kind = HidReportKind::kInput;
  std::uint32_t size_bits = 0;  // data bits, not counting the report ID byte
  std::vector<HidField> fields;

  // Bytes on the wire, including the report ID byte when IDs are used.
  std::size_t WireBytes(bool uses_report_ids) const;
};

struct HidDescriptor {
  std::vector<HidReport> reports;           // in order of first appearance
  std::vector<std::uint32_t> applications;  // usages of top-level Application collections
  bool uses_report_ids = false;
  // Oddities tolerated (as Linux does), each "byte N (0xNN): ..."; at most
  // kMaxHidWarnings are kept.
  std::vector<std::string> warnings;

  const HidReport* Find(HidReportKind kind, std::uint8_t id) const;
  // True when `usage` is one of `applications`.
  bool HasApplication(std::uint32_t usage) const;
};

// Parses a report descriptor. Throws HidDescriptorError naming the byte offset.
HidDescriptor ParseHidDescriptor(std::span<const std::uint8_t> bytes);

// Reads a descriptor file: raw binary, or hex text such as
// "05 01 09 04 a1 01" / "0x05, 0x01," with '#', '//' and '/* */' comments.
// Text is recognised when the file holds only printable ASCII and whitespace.
// Throws InputError naming the file (and line for a bad hex token).
std::vector<std::uint8_t> ReadDescriptorFile(const std::filesystem::path& path);
std::vector<std::uint8_t> ParseHexText(const std::string& text, const std::string& display_name);

}  // namespace teersim::devices
