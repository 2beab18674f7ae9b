#include "devices/hid_report.h"

#include <algorithm>

namespace teersim::devices {
namespace {

constexpr std::uint32_t kBitsPerByte = 8;

void DecodeField(const HidField& field, std::uint32_t index, std::span<const std::uint8_t> data,
                 std::vector<HidValue>* values) {
  if (field.constant() || field.bit_size > kMaxDecodedBits) return;
  for (std::uint32_t element = 0; element < field.count; ++element) {
    const std::uint32_t raw =
        ExtractBits(data, field.bit_offset + element * field.bit_size, field.bit_size);
    const std::int64_t value =
        field.is_signed() ? SignExtend(raw, field.bit_size) : std::int64_t{raw};
    const bool in_range = value >= field.logical_min && value <= field.logical_max;
    if (field.variable()) {
      values->push_back({field.ElementUsage(element), value, index, in_range});
      continue;
    }
    // Array: the value selects a usage from the field's list; usage ID 0 and
    // out-of-range values mean "nothing in this slot".
    if (!in_range) continue;
    const auto usage = field.UsageAt(static_cast<std::uint64_t>(value - field.logical_min));
    if (usage && HidUsageId(*usage) != 0) values->push_back({*usage, 1, index, true});
  }
}

}  // namespace

const HidValue* DecodedHidReport::Find(std::uint32_t usage) const {
  for (const auto& value : values) {
    if (value.usage == usage) return &value;
  }
  return nullptr;
}

std::uint32_t ExtractBits(std::span<const std::uint8_t> data, std::uint32_t bit_offset,
                          std::uint32_t bit_size) {
  std::uint64_t value = 0;
  for (std::uint32_t i = 0; i < bit_size && i < kMaxDecodedBits; ++i) {
    const std::uint64_t bit = std::uint64_t{bit_offset} + i;
    const std::uint64_t byte = bit / kBitsPerByte;
    if (byte >= data.size()) break;
    value |= std::uint64_t{(data[byte] >> (bit % kBitsPerByte)) & 1u} << i;
  }
  return static_cast<std::uint32_t>(value);
}

void InsertBits(std::span<std::uint8_t> data, std::uint32_t bit_offset, std::uint32_t bit_size,
                std::uint32_t value) {
  for (std::uint32_t i = 0; i < bit_size && i < kMaxDecodedBits; ++i) {
    const std::uint64_t bit = std::uint64_t{bit_offset} + i;
    const std::uint64_t byte = bit / kBitsPerByte;
    if (byte >= data.size()) break;
    const auto mask = static_cast<std::uint8_t>(1u << (bit % kBitsPerByte));
    data[byte] = ((value >> i) & 1u) != 0 ? (data[byte] | mask) : (data[byte] & ~mask);
  }
}

std::int64_t SignExtend(std::uint32_t raw, std::uint32_t bit_size) {
  if (bit_size == 0 || bit_size >= kMaxDecodedBits) return static_cast<std::int32_t>(raw);
  const std::uint32_t sign = 1u << (bit_size - 1);
  const std::uint32_t mask = (1u << bit_size) - 1;
  raw &= mask;
  return (raw & sign) != 0 ? static_cast<std::int64_t>(raw) - (std::int64_t{1} << bit_size)
                           : static_cast<std::int64_t>(raw);
}

std::optional<DecodedHidReport> DecodeHidReport(const HidDescriptor& descriptor, HidReportKind kind,
                                                std::span<const std::uint8_t> bytes,
                                                std::string* error) {
  std::uint8_t id = 0;
  if (descriptor.uses_report_ids) {
    if (bytes.empty()) {
      *error = "empty report";
      return std::nullopt;
    }
    id = bytes[0];
    bytes = bytes.subspan(1);
  }
  const HidReport* report = descriptor.Find(kind, id);
  if (report == nullptr) {
    *error = std::string("no ") + HidReportKindName(kind) + " report with ID " + std::to_string(id);
    return std::nullopt;
  }
  const std::size_t needed = (report->size_bits + kBitsPerByte - 1) / kBitsPerByte;
  if (bytes.size() < needed) {
    *error = std::string(HidReportKindName(kind)) + " report " + std::to_string(id) + " has " +
             std::to_string(bytes.size()) + " data bytes, the descriptor says " +
             std::to_string(needed);
    return std::nullopt;
  }
  DecodedHidReport decoded;
  decoded.id = id;
  decoded.kind = kind;
  for (std::uint32_t i = 0; i < report->fields.size(); ++i) {
    DecodeField(report->fields[i], i, bytes, &decoded.values);
  }
  return decoded;
}

std::optional<std::vector<std::uint8_t>> EncodeHidReport(
    const HidDescriptor& descriptor, HidReportKind kind, std::uint8_t id,
    const std::vector<std::pair<std::uint32_t, std::int64_t>>& values) {
  const HidReport* report = descriptor.Find(kind, id);
  if (report == nullptr) return std::nullopt;
  const std::size_t prefix = descriptor.uses_report_ids ? 1 : 0;
  std::vector<std::uint8_t> bytes(report->WireBytes(descriptor.uses_report_ids), 0);
  if (prefix != 0) bytes[0] = id;
  const std::span<std::uint8_t> data = std::span(bytes).subspan(prefix);
  for (const auto& [usage, value] : values) {
    for (const HidField& field : report->fields) {
      if (field.constant() || !field.variable() || field.bit_size > kMaxDecodedBits) continue;
      bool written = false;
      for (std::uint32_t element = 0; element < field.count && !written; ++element) {
        if (field.ElementUsage(element) != usage) continue;
        const std::int64_t clamped = std::clamp(value, field.logical_min, field.logical_max);
        InsertBits(data, field.bit_offset + element * field.bit_size, field.bit_size,
                   static_cast<std::uint32_t>(clamped));
        written = true;
      }
      if (written) break;
    }
  }
  return bytes;
}

}  // namespace teersim::devices
