#include "devices/hid_descriptor.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>

namespace teersim::devices {
namespace {

// Item types and tags (HID 1.11 §6.2.2.2 and §6.2.2.4–6.2.2.8).
enum class ItemType : std::uint8_t { kMain = 0, kGlobal = 1, kLocal = 2, kReserved = 3 };

namespace main_tag {
constexpr std::uint8_t kInput = 0x8;
constexpr std::uint8_t kOutput = 0x9;
constexpr std::uint8_t kCollection = 0xA;
constexpr std::uint8_t kFeature = 0xB;
constexpr std::uint8_t kEndCollection = 0xC;
}  // namespace main_tag

namespace global_tag {
constexpr std::uint8_t kUsagePage = 0x0;
constexpr std::uint8_t kLogicalMinimum = 0x1;
constexpr std::uint8_t kLogicalMaximum = 0x2;
constexpr std::uint8_t kPhysicalMinimum = 0x3;
constexpr std::uint8_t kPhysicalMaximum = 0x4;
constexpr std::uint8_t kUnitExponent = 0x5;
constexpr std::uint8_t kUnit = 0x6;
constexpr std::uint8_t kReportSize = 0x7;
constexpr std::uint8_t kReportId = 0x8;
constexpr std::uint8_t kReportCount = 0x9;
constexpr std::uint8_t kPush = 0xA;
constexpr std::uint8_t kPop = 0xB;
}  // namespace global_tag

namespace local_tag {
constexpr std::uint8_t kUsage = 0x0;
constexpr std::uint8_t kUsageMinimum = 0x1;
constexpr std::uint8_t kUsageMaximum = 0x2;
constexpr std::uint8_t kStringMaximum = 0x9;  // tags 3..9: designators and strings
constexpr std::uint8_t kDelimiter = 0xA;
}  // namespace local_tag

// Long items start with this byte, then bDataSize and bLongItemTag (§6.2.2.3).
constexpr std::uint8_t kLongItemPrefix = 0xFE;
constexpr std::size_t kLongItemHeaderBytes = 3;
constexpr std::uint8_t kCollectionApplication = 0x01;
// Unit Exponent codes 0x0..0xF stand for 0..7, -8..-1 (§6.2.2.7).
constexpr std::uint32_t kUnitExponentNibbleMax = 0xF;
constexpr std::uint32_t kReportIdMax = 0xFF;
constexpr std::uint32_t kUsagePageMax = 0xFFFF;
constexpr std::size_t kReportKinds = 3;
constexpr std::size_t kReportIds = 256;

std::string OffsetText(std::size_t offset) {
  char text[48];
  std::snprintf(text, sizeof text, "byte %zu (0x%04zx)", offset, offset);
  return text;
}

// One short item as read from the descriptor.
struct Item {
  std::size_t offset = 0;
  ItemType type = ItemType::kMain;
  std::uint8_t tag = 0;
  std::uint8_t size = 0;   // data bytes: 0, 1, 2 or 4
  std::uint32_t data = 0;  // little-endian, zero-extended

  // The data sign-extended from its size.
  std::int64_t Signed() const {
    switch (size) {
      case 1:
        return static_cast<std::int8_t>(data & 0xFFu);
      case 2:
        return static_cast<std::int16_t>(data & 0xFFFFu);
      case 4:
        return static_cast<std::int32_t>(data);
      default:
        return 0;
    }
  }
};

// A logical or physical bound as written: its value both sign-extended and
// zero-extended, resolved against the minimum at the main item.
struct Bound {
  std::int64_t as_signed = 0;
  std::int64_t as_unsigned = 0;
  static Bound From(const Item& item) { return {item.Signed(), std::int64_t{item.data}}; }
};

struct GlobalState {
  std::uint16_t usage_page = 0;
  Bound logical_min, logical_max, physical_min, physical_max;
  std::int32_t unit_exponent = 0;
  std::uint32_t unit = 0;
  std::uint32_t report_size = 0;
  std::uint32_t report_count = 0;
  std::uint8_t report_id = 0;
};

// Minimum is signed; the maximum is read signed too when the minimum is
// negative or when that still gives max >= min, else unsigned (so that
// `15 00 25 FF` is 0..255 as every host reads it).
std::pair<std::int64_t, std::int64_t> ResolveRange(const Bound& min, const Bound& max) {
  const std::int64_t low = min.as_signed;
  if (low < 0 || max.as_signed >= low) return {low, max.as_signed};
  return {low, max.as_unsigned};
}

struct LocalState {
  std::vector<HidUsageRange> usages;
  std::optional<std::uint32_t> usage_min;
  std::optional<std::uint32_t> usage_max;
  bool in_delimiter = false;
  int delimiter_sets = 0;  // sets opened since the last main item

  // Inside a Delimiter, only the first set of alternative usages is kept.
  bool Ignoring() const { return in_delimiter && delimiter_sets > 1; }
};

class Parser {
 public:
  explicit Parser(std::span<const std::uint8_t> bytes) : bytes_(bytes) { report_index_.fill(-1); }

  HidDescriptor Run() {
    if (bytes_.empty()) throw HidDescriptorError(0, "empty descriptor");
    if (bytes_.size() > kMaxHidDescriptorBytes) {
      throw HidDescriptorError(
          kMaxHidDescriptorBytes,
          "descriptor longer than " + std::to_string(kMaxHidDescriptorBytes) + " bytes");
    }
    std::size_t offset = 0;
    while (offset < bytes_.size()) offset = ParseItemAt(offset);
    if (!collections_.empty()) {
      throw HidDescriptorError(bytes_.size(), std::to_string(collections_.size()) +
                                                  " collection(s) not closed at the end");
    }
    if (local_.in_delimiter) throw HidDescriptorError(bytes_.size(), "Delimiter set not closed");
    return std::move(out_);
  }

 private:
  [[noreturn]] void Fail(const Item& item, const std::string& problem) const {
    throw HidDescriptorError(item.offset, problem);
  }

  void Warn(std::size_t offset, const std::string& problem) {
    if (out_.warnings.size() < kMaxHidWarnings) {
      out_.warnings.push_back(OffsetText(offset) + ": " + problem);
    }
  }

  // Reads the item at `offset`, applies it, returns the next item's offset.
  std::size_t ParseItemAt(std::size_t offset) {
    const std::uint8_t prefix = bytes_[offset];
    const std::size_t remaining = bytes_.size() - offset - 1;
    if (prefix == kLongItemPrefix) {
      // Long items carry no meaning defined by HID 1.11: skip them whole.
      if (remaining < kLongItemHeaderBytes - 1) {
        throw HidDescriptorError(offset, "long item header runs past the end");
      }
      const std::size_t data_size = bytes_[offset + 1];
      if (remaining - (kLongItemHeaderBytes - 1) < data_size) {
        throw HidDescriptorError(
            offset, "long item of " + std::to_string(data_size) + " data bytes runs past the end");
      }
      return offset + kLongItemHeaderBytes + data_size;
    }
    Item item;
    item.offset = offset;
    const std::uint8_t size_code = prefix & 0x3u;
    item.size = size_code == 3 ? 4 : size_code;
    item.type = static_cast<ItemType>((prefix >> 2) & 0x3u);
    item.tag = static_cast<std::uint8_t>(prefix >> 4);
    if (remaining < item.size) {
      Fail(item, "item 0x" + Hex2(prefix) + " needs " + std::to_string(item.size) +
                     " data byte(s), only " + std::to_string(remaining) + " remain");
    }
    for (std::size_t i = 0; i < item.size; ++i) {
      item.data |= std::uint32_t{bytes_[offset + 1 + i]} << (8 * i);
    }
    switch (item.type) {
      case ItemType::kMain:
        Main(item);
        break;
      case ItemType::kGlobal:
        Global(item);
        break;
      case ItemType::kLocal:
        Local(item);
        break;
      case ItemType::kReserved:
        Fail(item, "reserved item type in item 0x" + Hex2(prefix));
    }
    return offset + 1 + item.size;
  }

  static std::string Hex2(unsigned value) {
    char text[4];
    std::snprintf(text, sizeof text, "%02x", value & 0xFFu);
    return text;
  }

  // --- main items ---------------------------------------------------------
  void Main(const Item& item) {
    switch (item.tag) {
      case main_tag::kInput:
        AddField(item, HidReportKind::kInput);
        break;
      case main_tag::kOutput:
        AddField(item, HidReportKind::kOutput);
        break;
      case main_tag::kFeature:
        AddField(item, HidReportKind::kFeature);
        break;
      case main_tag::kCollection:
        OpenCollection(item);
        break;
      case main_tag::kEndCollection:
        if (collections_.empty()) Fail(item, "End Collection without a Collection");
        collections_.pop_back();
        break;
      default:
        Warn(item.offset, "unknown main item tag 0x" + Hex2(item.tag) + " ignored");
    }
    FinishLocalUsages(item);
    local_ = LocalState{};
  }

  void OpenCollection(const Item& item) {
    if (collections_.size() >= kMaxHidCollectionDepth) {
      Fail(item, "collections nested deeper than " + std::to_string(kMaxHidCollectionDepth));
    }
    const std::uint32_t usage = local_.usages.empty() ? 0 : local_.usages.front().first;
    const bool application = (item.data & 0xFFu) == kCollectionApplication;
    collections_.push_back({application, usage});
    if (application && collections_.size() == 1) out_.applications.push_back(usage);
  }

  std::uint32_t InnermostApplication() const {
    for (auto it = collections_.rbegin(); it != collections_.rend(); ++it) {
      if (it->application) return it->usage;
    }
    return 0;
  }

  HidReport& ReportFor(HidReportKind kind, std::uint8_t id) {
    int& index = report_index_[static_cast<std::size_t>(kind) * kReportIds + id];
    if (index < 0) {
      index = static_cast<int>(out_.reports.size());
      HidReport report;
      report.id = id;
      report.kind = kind;
      out_.reports.push_back(std::move(report));
    }
    return out_.reports[static_cast<std::size_t>(index)];
  }

  void AddField(const Item& item, HidReportKind kind) {
    FinishLocalUsages(item);
    if (global_.report_size == 0 || global_.report_count == 0) {
      Warn(item.offset, std::string(HidReportKindName(kind)) +
                            " item with Report Size or Report Count 0 ignored");
      return;
    }
    if (field_count_ >= kMaxHidFields) {
      Fail(item, "more than " + std::to_string(kMaxHidFields) + " fields");
    }
    HidReport& report = ReportFor(kind, global_.report_id);
    const std::uint64_t bits = std::uint64_t{global_.report_size} * global_.report_count;
    if (report.size_bits + bits > kMaxHidReportBits) {
      Fail(item, std::string(HidReportKindName(kind)) + " report " +
                     std::to_string(global_.report_id) + " longer than " +
                     std::to_string(kMaxHidReportBits / 8) + " bytes");
    }
    HidField field;
    field.usages = local_.usages;
    if (!field.usages.empty()) {
      field.usage_page = HidUsagePage(field.usages.front().first);
      field.usage = HidUsageId(field.usages.front().first);
    }
    field.bit_offset = report.size_bits;
    field.bit_size = global_.report_size;
    field.count = global_.report_count;
    std::tie(field.logical_min, field.logical_max) =
        ResolveRange(global_.logical_min, global_.logical_max);
    std::tie(field.physical_min, field.physical_max) =
        ResolveRange(global_.physical_min, global_.physical_max);
    if (field.physical_min == 0 && field.physical_max == 0) {
      field.physical_min = field.logical_min;
      field.physical_max = field.logical_max;
    }
    field.unit_exponent = global_.unit_exponent;
    field.unit = global_.unit;
    field.flags = item.data;
    field.application = InnermostApplication();
    if (!field.constant() && field.logical_min > field.logical_max) {
      Fail(item, "Logical Minimum " + std::to_string(field.logical_min) +
                     " is greater than Logical Maximum " + std::to_string(field.logical_max));
    }
    report.size_bits += static_cast<std::uint32_t>(bits);
    report.fields.push_back(std::move(field));
    ++field_count_;
  }

  // A lone Usage Minimum or Maximum has no range to give; Linux ignores it too.
  void FinishLocalUsages(const Item& item) {
    if (local_.usage_min.has_value() != local_.usage_max.has_value()) {
      Warn(item.offset, "Usage Minimum or Maximum without its pair ignored");
    }
    local_.usage_min.reset();
    local_.usage_max.reset();
  }

  // --- global items -------------------------------------------------------
  void Global(const Item& item) {
    switch (item.tag) {
      case global_tag::kUsagePage:
        if (item.data > kUsagePageMax)
          Fail(item, "Usage Page " + std::to_string(item.data) + " exceeds 16 bits");
        global_.usage_page = static_cast<std::uint16_t>(item.data);
        break;
      case global_tag::kLogicalMinimum:
        global_.logical_min = Bound::From(item);
        break;
      case global_tag::kLogicalMaximum:
        global_.logical_max = Bound::From(item);
        break;
      case global_tag::kPhysicalMinimum:
        global_.physical_min = Bound::From(item);
        break;
      case global_tag::kPhysicalMaximum:
        global_.physical_max = Bound::From(item);
        break;
      case global_tag::kUnitExponent:
        global_.unit_exponent = static_cast<std::int32_t>(
            item.data <= kUnitExponentNibbleMax
                ? (item.data >= 8 ? static_cast<std::int64_t>(item.data) - 16 : item.data)
                : item.Signed());
        break;
      case global_tag::kUnit:
        global_.unit = item.data;
        break;
      case global_tag::kReportSize:
        if (item.data > kMaxHidReportSizeBits) {
          Fail(item, "Report Size " + std::to_string(item.data) + " exceeds " +
                         std::to_string(kMaxHidReportSizeBits) + " bits");
        }
        global_.report_size = item.data;
        break;
      case global_tag::kReportCount:
        if (item.data > kMaxHidReportCount) {
          Fail(item, "Report Count " + std::to_string(item.data) + " exceeds " +
                         std::to_string(kMaxHidReportCount));
        }
        global_.report_count = item.data;
        break;
      case global_tag::kReportId:
        SetReportId(item);
        break;
      case global_tag::kPush:
        if (push_stack_.size() >= kMaxHidPushDepth) {
          Fail(item, "Push nested deeper than " + std::to_string(kMaxHidPushDepth));
        }
        push_stack_.push_back(global_);
        break;
      case global_tag::kPop:
        if (push_stack_.empty()) Fail(item, "Pop without a Push");
        global_ = push_stack_.back();
        push_stack_.pop_back();
        break;
      default:
        Fail(item, "reserved global item tag 0x" + Hex2(item.tag));
    }
  }

  void SetReportId(const Item& item) {
    if (item.data == 0 || item.data > kReportIdMax) {
      Fail(item, "Report ID " + std::to_string(item.data) + " is outside 1..255");
    }
    if (!out_.uses_report_ids && field_count_ > 0) {
      Warn(item.offset, "fields declared before the first Report ID belong to report 0");
    }
    out_.uses_report_ids = true;
    global_.report_id = static_cast<std::uint8_t>(item.data);
  }

  // --- local items --------------------------------------------------------
  void Local(const Item& item) {
    switch (item.tag) {
      case local_tag::kUsage:
        if (!local_.Ignoring()) AddUsages(item, Extended(item), Extended(item));
        break;
      case local_tag::kUsageMinimum:
        if (local_.Ignoring()) break;
        local_.usage_min = Extended(item);
        TakeUsageRange(item);
        break;
      case local_tag::kUsageMaximum:
        if (local_.Ignoring()) break;
        local_.usage_max = Extended(item);
        TakeUsageRange(item);
        break;
      case local_tag::kDelimiter:
        Delimiter(item);
        break;
      default:
        // Designator and string indexes carry nothing teersim uses.
        if (item.tag > local_tag::kStringMaximum) {
          Warn(item.offset, "reserved local item tag 0x" + Hex2(item.tag) + " ignored");
        }
    }
  }

  // A usage of 4 bytes carries its page; shorter ones take the current page.
  std::uint32_t Extended(const Item& item) const {
    if (item.size == 4) return item.data;
    return HidUsage(global_.usage_page, static_cast<std::uint16_t>(item.data & 0xFFFFu));
  }

  void TakeUsageRange(const Item& item) {
    if (!local_.usage_min || !local_.usage_max) return;
    const std::uint32_t first = *local_.usage_min;
    const std::uint32_t last = *local_.usage_max;
    local_.usage_min.reset();
    local_.usage_max.reset();
    if (HidUsagePage(first) != HidUsagePage(last)) {
      Fail(item, "Usage Minimum and Maximum lie on different usage pages");
    }
    if (first > last) Fail(item, "Usage Minimum is greater than Usage Maximum");
    AddUsages(item, first, last);
  }

  void AddUsages(const Item& item, std::uint32_t first, std::uint32_t last) {
    if (local_.usages.size() >= kMaxHidUsagesPerMainItem) {
      Fail(item, "more than " + std::to_string(kMaxHidUsagesPerMainItem) +
                     " usages before one main item");
    }
    local_.usages.push_back({first, last});
  }

  void Delimiter(const Item& item) {
    if (item.data == 1) {
      if (local_.in_delimiter) Fail(item, "nested Delimiter");
      local_.in_delimiter = true;
      ++local_.delimiter_sets;
    } else if (item.data == 0) {
      if (!local_.in_delimiter) Fail(item, "Delimiter close without open");
      local_.in_delimiter = false;
    } else {
      Fail(item, "Delimiter value " + std::to_string(item.data) + " is neither 0 nor 1");
    }
  }

  struct Collection {
    bool application = false;
    std::uint32_t usage = 0;
  };

  std::span<const std::uint8_t> bytes_;
  HidDescriptor out_;
  GlobalState global_;
  LocalState local_;
  std::vector<GlobalState> push_stack_;
  std::vector<Collection> collections_;
  std::array<int, kReportKinds * kReportIds> report_index_{};
  std::size_t field_count_ = 0;
};

}  // namespace

HidDescriptorError::HidDescriptorError(std::size_t offset, const std::string& problem)
    : InputError(OffsetText(offset) + ": " + problem), offset_(offset) {}

const char* HidReportKindName(HidReportKind kind) {
  switch (kind) {
    case HidReportKind::kInput:
      return "input";
    case HidReportKind::kOutput:
      return "output";
    case HidReportKind::kFeature:
      return "feature";
  }
  return "input";
}

std::uint64_t HidField::UsageCount() const {
  std::uint64_t total = 0;
  for (const auto& range : usages) total += range.size();
  return total;
}

std::optional<std::uint32_t> HidField::UsageAt(std::uint64_t index) const {
  for (const auto& range : usages) {
    if (index < range.size()) return range.first + static_cast<std::uint32_t>(index);
    index -= range.size();
  }
  return std::nullopt;
}

std::uint32_t HidField::ElementUsage(std::uint32_t element) const {
  if (usages.empty()) return 0;
  if (auto found = UsageAt(element)) return *found;
  return usages.back().last;
}

std::size_t HidReport::WireBytes(bool uses_report_ids) const {
  return (size_bits + 7) / 8 + (uses_report_ids ? 1 : 0);
}

const HidReport* HidDescriptor::Find(HidReportKind kind, std::uint8_t id) const {
  for (const auto& report : reports) {
    if (report.kind == kind && report.id == id) return &report;
  }
  return nullptr;
}

bool HidDescriptor::HasApplication(std::uint32_t usage) const {
  for (auto application : applications) {
    if (application == usage) return true;
  }
  return false;
}

HidDescriptor ParseHidDescriptor(std::span<const std::uint8_t> bytes) {
  return Parser(bytes).Run();
}

// --- descriptor files -------------------------------------------------------

namespace {

// Text descriptors are far smaller than this; anything larger is not one.
constexpr std::uintmax_t kMaxDescriptorFileBytes = 1u << 20;
// Hex digits a "0x"-less token may hold per byte.
constexpr std::size_t kHexDigitsPerByte = 2;

bool LooksLikeText(const std::string& content) {
  for (unsigned char c : content) {
    if (c == '\n' || c == '\r' || c == '\t') continue;
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<std::uint8_t> ParseHexText(const std::string& text, const std::string& display_name) {
  std::vector<std::uint8_t> bytes;
  int line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto fail = [&](const std::string& problem) {
    throw InputError(FormatInputError(display_name, line, "", problem));
  };
  while (i < n) {
    const char c = text[i];
    // Separators and comments.
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == ',') {
      ++i;
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < n && text[i + 1] == '/')) {
      while (i < n && text[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      if (end == std::string::npos) fail("comment '/*' not closed");
      for (std::size_t k = i; k < end; ++k) line += text[k] == '\n' ? 1 : 0;
      i = end + 2;
      continue;
    }
    // A token: optional 0x, then hex digits up to the next separator.
    std::size_t start = i;
    while (i < n && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != ',' &&
           text[i] != '#' &&
           !(text[i] == '/' && i + 1 < n && (text[i + 1] == '/' || text[i + 1] == '*'))) {
      ++i;
    }
    const std::string token = text.substr(start, i - start);
    const bool prefixed =
        token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X');
    const std::string digits = prefixed ? token.substr(2) : token;
    bool all_hex = !digits.empty();
    for (char d : digits) all_hex = all_hex && HexDigit(d) >= 0;
    const bool one_byte = digits.size() <= kHexDigitsPerByte;
    if (!all_hex || (!one_byte && (prefixed || digits.size() % kHexDigitsPerByte != 0))) {
      fail("expected a hex byte such as '05' or '0x05', got '" + token + "'");
    }
    if (one_byte) {
      int value = 0;
      for (char d : digits) value = value * 16 + HexDigit(d);
      bytes.push_back(static_cast<std::uint8_t>(value));
    } else {
      for (std::size_t k = 0; k < digits.size(); k += kHexDigitsPerByte) {
        bytes.push_back(
            static_cast<std::uint8_t>(HexDigit(digits[k]) * 16 + HexDigit(digits[k + 1])));
      }
    }
    if (bytes.size() > kMaxHidDescriptorBytes) {
      fail("more than " + std::to_string(kMaxHidDescriptorBytes) + " bytes");
    }
  }
  return bytes;
}

std::vector<std::uint8_t> ReadDescriptorFile(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw InputError(FormatInputError(name, 0, "", "cannot read: " + error.message()));
  if (size > kMaxDescriptorFileBytes) {
    throw InputError(FormatInputError(
        name, 0, "", "file of " + std::to_string(size) + " bytes is too large for a descriptor"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(FormatInputError(name, 0, "", "cannot open"));
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (LooksLikeText(content)) return ParseHexText(content, name);
  return std::vector<std::uint8_t>(content.begin(), content.end());
}

}  // namespace teersim::devices
