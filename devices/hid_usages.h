// Names for HID usages, shared by the CLI and the device profiles:
// "generic_desktop.x", "simulation.brake", "button.3", and for anything
// without a name the numeric form "0xff00.0x0020" (page.id, both hex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teersim::devices {

// "generic_desktop.x", "button.3", "0x000c.0x0224".
std::string HidUsageName(std::uint32_t usage);
// Page name alone: "generic_desktop", "button", "0xff00".
std::string HidUsagePageName(std::uint16_t page);
// Inverse of HidUsageName; also accepts numbers in decimal or 0x hex on either
// side ("1.48", "0x01.0x30", "generic_desktop.0x30"). nullopt when malformed.
std::optional<std::uint32_t> ParseHidUsageName(std::string_view text);

}  // namespace teersim::devices
