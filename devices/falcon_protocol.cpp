#include "devices/falcon_protocol.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace teersim::devices {
namespace {

constexpr std::uint8_t kFrameStart = '<';
constexpr std::uint8_t kFrameEnd = '>';
constexpr std::uint8_t kNibbleBase = 0x41;  // 'A'
constexpr int kNibblesPerValue = 4;
constexpr std::size_t kStatusByte = 13;
constexpr std::uint8_t kButtonMask = 0x0F;
constexpr int kHomedShift = 4;
// A file made only of printable ASCII and whitespace is text (a hex dump, a
// saved web page), not the binary image the boot loader takes.
constexpr std::uint8_t kFirstPrintable = 0x20;
constexpr std::uint8_t kLastPrintable = 0x7E;

std::int16_t DecodeValue(const std::uint8_t* nibbles) {
  unsigned value = 0;
  for (int k = 0; k < kNibblesPerValue; ++k) {
    value |= static_cast<unsigned>((nibbles[k] - kNibbleBase) & 0x0F) << (4 * k);
  }
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(value));
}

bool IsText(const std::vector<std::uint8_t>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) {
    return (b >= kFirstPrintable && b <= kLastPrintable) || b == '\n' || b == '\r' || b == '\t';
  });
}

}  // namespace

std::array<std::uint8_t, kFalconFrameBytes> EncodeFalconCommand(const FalconCommand& command) {
  std::array<std::uint8_t, kFalconFrameBytes> frame{};
  frame[0] = kFrameStart;
  frame[kFalconFrameBytes - 1] = kFrameEnd;
  for (int motor = 0; motor < 3; ++motor) {
    const auto value = static_cast<std::uint16_t>(command.motor[motor]);
    for (int k = 0; k < kNibblesPerValue; ++k) {
      frame[1 + motor * kNibblesPerValue + k] =
          static_cast<std::uint8_t>(kNibbleBase + ((value >> (4 * k)) & 0x0F));
    }
  }
  const std::uint8_t control =
      static_cast<std::uint8_t>((command.leds & 0x0E) | (command.homing ? kFalconHomingMode : 0));
  frame[kStatusByte] = static_cast<std::uint8_t>(kNibbleBase + control);
  frame[kStatusByte + 1] = kNibbleBase;
  return frame;
}

std::vector<std::uint8_t> StripFtdiStatus(std::span<const std::uint8_t> transfer) {
  std::vector<std::uint8_t> payload;
  for (std::size_t packet = 0; packet < transfer.size(); packet += kFtdiPacketBytes) {
    const std::size_t end = std::min(transfer.size(), packet + kFtdiPacketBytes);
    if (end - packet <= kFtdiStatusBytes) continue;
    payload.insert(payload.end(), transfer.begin() + static_cast<long>(packet + kFtdiStatusBytes),
                   transfer.begin() + static_cast<long>(end));
  }
  return payload;
}

int FalconFrameReader::Feed(std::span<const std::uint8_t> bytes) {
  int found = 0;
  for (std::uint8_t b : bytes) {
    if (filled_ == 0 && b != kFrameStart) continue;  // resynchronise on '<'
    frame_[filled_++] = b;
    const bool last = filled_ == kFalconFrameBytes;
    // An inner byte below 'A' (a '<' or '>' among them) means a lost byte.
    const bool inner_bad = !last && filled_ > 1 && b < kNibbleBase;
    if (inner_bad || (last && b != kFrameEnd)) {
      ++malformed_;
      filled_ = 0;
      if (b == kFrameStart) frame_[filled_++] = b;
      continue;
    }
    if (!last) continue;
    FalconReport report;
    for (int motor = 0; motor < 3; ++motor) {
      report.encoder[motor] = DecodeValue(&frame_[1 + motor * kNibblesPerValue]);
    }
    const auto status = static_cast<std::uint8_t>(frame_[kStatusByte] - kNibbleBase);
    report.buttons = status & kButtonMask;
    report.homed = (status >> kHomedShift) & kFalconAllHomed;
    latest_ = report;
    ++frames_;
    ++found;
    filled_ = 0;
  }
  return found;
}

std::vector<std::uint8_t> LoadFalconFirmware(const std::string& path) {
  const std::string advice =
      " (teersim does not ship Novint's firmware: give the path of your own copy, e.g. "
      "test_firmware.bin or nVent_firmware.bin from the Novint driver installation)";
  if (path.empty()) throw FalconFirmwareError("Falcon firmware: no file given" + advice);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw FalconFirmwareError("Falcon firmware " + path + ": cannot open: " + std::strerror(errno) +
                              advice);
  }
  std::vector<std::uint8_t> bytes;
  char buffer[4096];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    bytes.insert(bytes.end(), buffer, buffer + file.gcount());
    if (bytes.size() > kMaxFalconFirmwareBytes) {
      throw FalconFirmwareError("Falcon firmware " + path + ": larger than " +
                                std::to_string(kMaxFalconFirmwareBytes) +
                                " bytes, not a Falcon firmware image");
    }
  }
  if (file.bad()) throw FalconFirmwareError("Falcon firmware " + path + ": read error");
  if (bytes.empty()) throw FalconFirmwareError("Falcon firmware " + path + ": empty file" + advice);
  if (IsText(bytes)) {
    throw FalconFirmwareError("Falcon firmware " + path +
                              ": text, not the binary firmware image the Falcon's boot loader "
                              "takes");
  }
  return bytes;
}

}  // namespace teersim::devices
