// Decoding HID reports with a parsed descriptor: the raw bytes of one input
// (or feature) report become a list of (usage, logical value) pairs.
//
//   HidDescriptor descriptor = ParseHidDescriptor(bytes);
//   std::string error;
//   if (auto report = DecodeHidReport(descriptor, HidReportKind::kInput, packet, &error)) ...
//
// Variable fields give one value per element (its usage from the descriptor;
// signed when the field's Logical Minimum is negative); a value outside the
// logical range — a centred null-state hat — has in_range = false. Array
// fields give one value of 1 per usage present (keyboard-style). Constant
// fields and elements wider than 32 bits are skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "devices/hid_descriptor.h"

namespace teersim::devices {

// Widest element decoded (wider ones are opaque to teersim).
inline constexpr std::uint32_t kMaxDecodedBits = 32;

struct HidValue {
  std::uint32_t usage = 0;  // extended usage (page << 16 | id)
  std::int64_t value = 0;   // logical value; 1 for a usage present in an array
  std::uint32_t field = 0;  // index into HidReport::fields
  bool in_range = true;     // false: outside [logical_min, logical_max] (null state)
};

struct DecodedHidReport {
  std::uint8_t id = 0;
  HidReportKind kind = HidReportKind::kInput;
  std::vector<HidValue> values;

  // The first value with this usage, or nullptr.
  const HidValue* Find(std::uint32_t usage) const;
};

// `bit_size` (1..32) bits starting `bit_offset` bits into `data`, least
// significant bit first (HID reports are little-endian bit streams). Bits past
// the end of `data` read as 0.
std::uint32_t ExtractBits(std::span<const std::uint8_t> data, std::uint32_t bit_offset,
                          std::uint32_t bit_size);
// Sign-extends the low `bit_size` bits of `raw`.
std::int64_t SignExtend(std::uint32_t raw, std::uint32_t bit_size);

// Decodes one report as it arrives (report ID byte first when the descriptor
// uses report IDs). Returns nullopt and sets *error for an unknown report ID or
// a report shorter than the descriptor says. Never throws.
std::optional<DecodedHidReport> DecodeHidReport(const HidDescriptor& descriptor, HidReportKind kind,
                                                std::span<const std::uint8_t> bytes,
                                                std::string* error);

// Builds an output (or feature) report as it goes on the wire: the report ID
// byte when the descriptor uses IDs, then the data with each (usage, value)
// written into the Variable element carrying that usage, clamped to the
// field's logical range; other elements are 0. nullopt when the descriptor
// has no such report.
std::optional<std::vector<std::uint8_t>> EncodeHidReport(
    const HidDescriptor& descriptor, HidReportKind kind, std::uint8_t id,
    const std::vector<std::pair<std::uint32_t, std::int64_t>>& values);

// Writes `value` into the report data (without the report ID byte) at the
// element's place: the inverse of ExtractBits, for output (force) reports.
void InsertBits(std::span<std::uint8_t> data, std::uint32_t bit_offset, std::uint32_t bit_size,
                std::uint32_t value);

}  // namespace teersim::devices
