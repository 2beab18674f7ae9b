// The Novint Falcon's wire protocol, as libnifalcon documents it (BSD;
// include/falcon/firmware/FalconFirmwareNovintSDK.h, src/comm/FalconCommLibUSB.cpp)
// — see devices/README.md, "Novint Falcon". Pure functions, no libusb: the
// transport is FalconUsbDevice.
//
// The Falcon is an FTDI FT232 USB-serial bridge (0403:cb48) in front of the
// Falcon's microcontroller. Bulk OUT 0x02 carries bytes to the serial line;
// bulk IN 0x81 returns them, every 64-byte USB packet starting with two FTDI
// modem-status bytes. Once Novint's firmware runs, host and device exchange
// 16-byte frames: '<', 14 bytes, '>', each inner byte a value + 0x41 ('A').
//
//   host → Falcon  '<' m1 m1 m1 m1 m2 m2 m2 m2 m3 m3 m3 m3 L X '>'
//     m: three signed 16-bit motor commands, least significant nibble first;
//     L: LED bits (0x2 red, 0x4 green, 0x8 blue) | 0x1 homing mode; X: 0.
//   Falcon → host  '<' e1 e1 e1 e1 e2 e2 e2 e2 e3 e3 e3 e3 S X '>'
//     e: three signed 16-bit encoder counts, nibbles as above;
//     S: grip buttons in bits 0-3, "axis homed" flags of the three motors in
//     bits 4-6 (set once each arm has passed its index mark in homing mode).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace teersim::devices {

inline constexpr std::uint16_t kFalconVendorId = 0x0403;   // FTDI
inline constexpr std::uint16_t kFalconProductId = 0xCB48;  // Novint Falcon
inline constexpr std::uint8_t kFalconBulkOut = 0x02;
inline constexpr std::uint8_t kFalconBulkIn = 0x81;
inline constexpr std::size_t kFtdiPacketBytes = 64;
inline constexpr std::size_t kFtdiStatusBytes = 2;
// Firmware goes up in chunks that fit one packet's payload, each echoed back.
inline constexpr std::size_t kFalconFirmwareChunkBytes = kFtdiPacketBytes - kFtdiStatusBytes;
inline constexpr std::size_t kFalconFrameBytes = 16;
// A firmware file larger than this is not a Falcon firmware (Novint's are a
// few KiB; the microcontroller's flash is smaller than this).
inline constexpr std::size_t kMaxFalconFirmwareBytes = 65536;

// FTDI vendor requests (bmRequestType 0x40, host to device, vendor, device);
// values as libftdi defines them.
namespace ftdi {
inline constexpr std::uint8_t kRequestType = 0x40;
inline constexpr std::uint8_t kReset = 0x00;  // value 0 reset, 1 purge RX, 2 purge TX
inline constexpr std::uint8_t kModemControl = 0x01;
inline constexpr std::uint8_t kFlowControl = 0x02;
inline constexpr std::uint8_t kBaudRate = 0x03;
inline constexpr std::uint8_t kLineProperties = 0x04;
inline constexpr std::uint8_t kLatencyTimer = 0x09;
inline constexpr std::uint16_t kResetSio = 0;
inline constexpr std::uint16_t kPurgeRx = 1;
inline constexpr std::uint16_t kPurgeTx = 2;
inline constexpr std::uint16_t kDtrLow = 0x0100;
inline constexpr std::uint16_t kDtrHigh = 0x0101;
inline constexpr std::uint16_t kRtsLow = 0x0200;
inline constexpr std::uint16_t kNoFlowControl = 0;
inline constexpr std::uint16_t kEightNoneOne = 0x0008;
// Baud-rate divisors of the FT232's 3 MHz clock (libnifalcon's values):
// 9600 baud for the boot loader, 140000 for the firmware upload, ~1.46 Mbaud
// for the 1 kHz frames.
inline constexpr std::uint16_t kBaud9600 = 0x4138;
inline constexpr std::uint16_t kBaud140000 = 0x0015;
inline constexpr std::uint16_t kBaud1456312 = 0x0002;
// Latency timer: how long the FTDI holds a partial IN packet. 16 ms while the
// firmware goes up (libnifalcon: shorter makes the checks fail), 1 ms after.
inline constexpr std::uint16_t kLatencyUpload_ms = 16;
inline constexpr std::uint16_t kLatencyRun_ms = 1;
}  // namespace ftdi

// Boot loader handshake (libnifalcon setFirmwareMode): after DTR low→high the
// loader answers 0A 43 0D with 0A 44 2C 0D; at 140000 baud it echoes 'A'.
inline constexpr std::array<std::uint8_t, 3> kFalconLoaderProbe{0x0A, 0x43, 0x0D};
inline constexpr std::array<std::uint8_t, 4> kFalconLoaderReply{0x0A, 0x44, 0x2C, 0x0D};
inline constexpr std::uint8_t kFalconLoaderReady = 0x41;

inline constexpr std::uint8_t kFalconLedRed = 0x2;
inline constexpr std::uint8_t kFalconLedGreen = 0x4;
inline constexpr std::uint8_t kFalconLedBlue = 0x8;
inline constexpr std::uint8_t kFalconHomingMode = 0x1;
inline constexpr std::uint8_t kFalconAllHomed = 0x7;

struct FalconCommand {
  std::array<std::int16_t, 3> motor{0, 0, 0};
  std::uint8_t leds = 0;  // kFalconLed* bits
  bool homing = false;
};

struct FalconReport {
  std::array<std::int16_t, 3> encoder{0, 0, 0};
  std::uint8_t buttons = 0;  // bits 0-3
  std::uint8_t homed = 0;    // bit k: motor k homed
};

std::array<std::uint8_t, kFalconFrameBytes> EncodeFalconCommand(const FalconCommand& command);

// Splits a bulk IN transfer into 64-byte packets and drops each packet's two
// FTDI status bytes.
std::vector<std::uint8_t> StripFtdiStatus(std::span<const std::uint8_t> transfer);

// Collects the serial byte stream into frames: bytes before a '<' are
// skipped, a frame that does not end in '>' at byte 16 (or has a byte below
// 'A') is counted as malformed and dropped.
class FalconFrameReader {
 public:
  // Returns the number of whole frames found in `bytes`; the newest is Latest().
  int Feed(std::span<const std::uint8_t> bytes);
  const std::optional<FalconReport>& Latest() const { return latest_; }
  long long frames() const { return frames_; }
  long long malformed() const { return malformed_; }

 private:
  std::array<std::uint8_t, kFalconFrameBytes> frame_{};
  std::size_t filled_ = 0;
  std::optional<FalconReport> latest_;
  long long frames_ = 0;
  long long malformed_ = 0;
};

class FalconFirmwareError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the user's firmware file. teersim never ships, embeds or downloads
// Novint's firmware (licensed by Novint for non-commercial use): the user
// points teersim at their own copy. Throws FalconFirmwareError naming `path`
// when the file is missing, unreadable, empty, too large or text.
std::vector<std::uint8_t> LoadFalconFirmware(const std::string& path);

}  // namespace teersim::devices
