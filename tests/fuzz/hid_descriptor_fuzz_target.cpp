// libFuzzer entry point for the HID descriptor parser and report decoder.
// Input layout: byte 0 = n (descriptor length low byte), byte 1 = high byte,
// then n descriptor bytes, then the rest as one report fed to the decoder
// (for each report kind). A short input is all descriptor.
//
// Built two ways:
//  - TEERSIM_FUZZ=ON with clang: -fsanitize=fuzzer,address,undefined
//    (tests/fuzz/CMakeLists.txt; run `hid_descriptor_fuzzer corpus/`).
//  - always: hid_fuzz_replay, a plain main() that replays the seed corpus and
//    past crashes through this same function under ctest (and ASan in CI).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "devices/hid_descriptor.h"
#include "devices/hid_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace teersim::devices;
  const std::span<const std::uint8_t> input(data, size);
  std::span<const std::uint8_t> descriptor_bytes = input;
  std::span<const std::uint8_t> report_bytes;
  constexpr std::size_t kLengthPrefix = 2;
  if (size > kLengthPrefix) {
    const std::size_t length = data[0] | (std::size_t{data[1]} << 8);
    if (length <= size - kLengthPrefix) {
      descriptor_bytes = input.subspan(kLengthPrefix, length);
      report_bytes = input.subspan(kLengthPrefix + length);
    }
  }
  try {
    const HidDescriptor descriptor = ParseHidDescriptor(descriptor_bytes);
    std::string error;
    for (HidReportKind kind :
         {HidReportKind::kInput, HidReportKind::kOutput, HidReportKind::kFeature}) {
      if (auto report = DecodeHidReport(descriptor, kind, report_bytes, &error)) {
        const HidReport* layout = descriptor.Find(kind, report->id);
        std::vector<std::pair<std::uint32_t, std::int64_t>> values;
        for (const auto& value : report->values) {
          // Every decoded value must point at a field of its report.
          if (layout == nullptr || value.field >= layout->fields.size()) __builtin_trap();
          values.emplace_back(value.usage, value.value);
        }
        // Encoding the values back gives a report of the declared length.
        const auto encoded = EncodeHidReport(descriptor, kind, report->id, values);
        if (!encoded || encoded->size() != layout->WireBytes(descriptor.uses_report_ids)) {
          __builtin_trap();
        }
      }
    }
    for (const auto& report : descriptor.reports) {
      for (const auto& field : report.fields) {
        if (field.bit_offset + std::uint64_t{field.bit_size} * field.count > report.size_bits) {
          __builtin_trap();  // a field must lie inside its report
        }
        (void)field.ElementUsage(field.count);
      }
    }
  } catch (const HidDescriptorError&) {
    // Malformed input is expected; anything else escaping is a bug.
  }
  return 0;
}
