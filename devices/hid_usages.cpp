#include "devices/hid_usages.h"

#include <array>
#include <charconv>
#include <cstdio>

#include "devices/hid_descriptor.h"

namespace teersim::devices {
namespace {

struct PageName {
  std::uint16_t page;
  std::string_view name;
};

// HID Usage Tables 1.3, §3 (pages teersim meets on joysticks, pads, 3D mice).
constexpr std::array<PageName, 9> kPages{{
    {0x01, "generic_desktop"},
    {0x02, "simulation"},
    {0x06, "generic_device"},
    {0x07, "keyboard"},
    {0x08, "led"},
    {0x09, "button"},
    {0x0C, "consumer"},
    {0x0D, "digitizer"},
    {0x0F, "pid"},
}};

struct UsageName {
  std::uint32_t usage;
  std::string_view name;  // without the page
};

// Generic Desktop (§4) and Simulation Controls (§5) usages with names.
constexpr std::array<UsageName, 25> kUsages{{
    {hid_usage::kPointer, "pointer"},
    {hid_usage::kMouse, "mouse"},
    {hid_usage::kJoystick, "joystick"},
    {hid_usage::kGamePad, "game_pad"},
    {HidUsage(0x01, 0x06), "keyboard"},
    {hid_usage::kMultiAxisController, "multi_axis_controller"},
    {hid_usage::kX, "x"},
    {hid_usage::kY, "y"},
    {hid_usage::kZ, "z"},
    {hid_usage::kRx, "rx"},
    {hid_usage::kRy, "ry"},
    {hid_usage::kRz, "rz"},
    {hid_usage::kSlider, "slider"},
    {hid_usage::kDial, "dial"},
    {hid_usage::kWheel, "wheel"},
    {hid_usage::kHatSwitch, "hat_switch"},
    {HidUsage(0x01, 0x90), "dpad_up"},
    {HidUsage(0x01, 0x91), "dpad_down"},
    {HidUsage(0x01, 0x92), "dpad_right"},
    {HidUsage(0x01, 0x93), "dpad_left"},
    {HidUsage(0x02, 0xBA), "rudder"},
    {HidUsage(0x02, 0xBB), "throttle"},
    {HidUsage(0x02, 0xC4), "accelerator"},
    {HidUsage(0x02, 0xC5), "brake"},
    {HidUsage(0x02, 0xC8), "steering"},
}};

std::string Hex4(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", value & 0xFFFFu);
  return text;
}

// A decimal or 0x-prefixed hexadecimal number up to 0xFFFF.
std::optional<std::uint16_t> ParseNumber(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || value > 0xFFFFu) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string HidUsagePageName(std::uint16_t page) {
  for (const auto& entry : kPages) {
    if (entry.page == page) return std::string(entry.name);
  }
  return Hex4(page);
}

std::string HidUsageName(std::uint32_t usage) {
  const std::uint16_t page = HidUsagePage(usage);
  const std::uint16_t id = HidUsageId(usage);
  if (page == hid_usage::kButtonPage) return "button." + std::to_string(id);
  for (const auto& entry : kUsages) {
    if (entry.usage == usage) return HidUsagePageName(page) + "." + std::string(entry.name);
  }
  return HidUsagePageName(page) + "." + Hex4(id);
}

std::optional<std::uint32_t> ParseHidUsageName(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view page_text = text.substr(0, dot);
  const std::string_view id_text = text.substr(dot + 1);
  std::optional<std::uint16_t> page = ParseNumber(page_text);
  for (const auto& entry : kPages) {
    if (entry.name == page_text) page = entry.page;
  }
  if (!page) return std::nullopt;
  for (const auto& entry : kUsages) {
    if (HidUsagePage(entry.usage) == *page && entry.name == id_text) return entry.usage;
  }
  const std::optional<std::uint16_t> id = ParseNumber(id_text);
  if (!id) return std::nullopt;
  return HidUsage(*page, *id);
}

}  // namespace teersim::devices
