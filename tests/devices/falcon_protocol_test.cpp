// The Falcon's frames and FTDI packets (devices/falcon_protocol.h), against
// the worked example of libnifalcon's FalconFirmwareNovintSDK.h.
#include "devices/falcon_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace teersim::devices {
namespace {

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

TEST(FalconProtocol, IdleCommandIsAllAs) {
  const auto frame = EncodeFalconCommand({});
  EXPECT_EQ(std::string(frame.begin(), frame.end()), "<AAAAAAAAAAAAAA>");
}

TEST(FalconProtocol, CommandNibblesAreLeastSignificantFirst) {
  FalconCommand command;
  command.motor = {0x1234, -1, 0};
  command.leds = kFalconLedGreen;
  command.homing = true;
  const auto frame = EncodeFalconCommand(command);
  // 0x1234 → nibbles 4,3,2,1 → 'E','D','C','B'; -1 = 0xFFFF → "PPPP";
  // control 0x4 | 0x1 = 5 → 'F'.
  EXPECT_EQ(std::string(frame.begin(), frame.end()), "<EDCBPPPPAAAAFA>");
}

TEST(FalconProtocol, DecodesLibnifalconsWorkedExample) {
  // libnifalcon's example: nibbles 9, 5, A, F ('J' 'F' 'K' 'P', least
  // significant first) are 0xFA59, a signed 16-bit -1447 (its text gives the
  // magnitude, 1447).
  FalconFrameReader reader;
  EXPECT_EQ(reader.Feed(Bytes("<JFKPAAAAAAAAQA>")), 1);
  ASSERT_TRUE(reader.Latest());
  EXPECT_EQ(reader.Latest()->encoder[0], static_cast<std::int16_t>(0xFA59));
  EXPECT_EQ(reader.Latest()->encoder[1], 0);
  // Status 'Q' = 0x10: buttons 0, motor 0 homed.
  EXPECT_EQ(reader.Latest()->buttons, 0);
  EXPECT_EQ(reader.Latest()->homed, 0x1);
}

TEST(FalconProtocol, ResynchronisesAfterGarbageAndDropsMalformedFrames) {
  FalconFrameReader reader;
  // Noise, a frame cut short by a new '<', then a good frame split across feeds.
  EXPECT_EQ(reader.Feed(Bytes("xx<BAAA<BAAAAAAA")), 0);
  EXPECT_EQ(reader.Feed(Bytes("AAAAGA>")), 1);
  EXPECT_EQ(reader.malformed(), 1);
  EXPECT_EQ(reader.Latest()->encoder[0], 1);
  EXPECT_EQ(reader.Latest()->buttons, 0x6);
  // 16 bytes without the closing '>' are malformed too.
  EXPECT_EQ(reader.Feed(Bytes("<AAAAAAAAAAAAAAA")), 0);
  EXPECT_EQ(reader.malformed(), 2);
  EXPECT_EQ(reader.frames(), 1);
}

TEST(FalconProtocol, StripsTwoStatusBytesFromEveryPacket) {
  std::vector<std::uint8_t> transfer{0x31, 0x60, 'a', 'b'};
  EXPECT_EQ(StripFtdiStatus(transfer), Bytes("ab"));
  // Two packets: 64 bytes (2 + 62) then 2 + 1.
  std::vector<std::uint8_t> two(64, 'x');
  two[0] = 0x31;
  two[1] = 0x60;
  two.insert(two.end(), {0x31, 0x60, 'y'});
  const auto payload = StripFtdiStatus(two);
  ASSERT_EQ(payload.size(), 63u);
  EXPECT_EQ(payload.back(), 'y');
  EXPECT_TRUE(StripFtdiStatus(std::vector<std::uint8_t>{0x31, 0x60}).empty());
}

}  // namespace
}  // namespace teersim::devices
