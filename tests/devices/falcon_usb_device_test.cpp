// FalconUsbDevice against a fake Novint Falcon under umockdev: the unmodified
// libusb talks to a fake FTDI bridge whose boot loader answers the probe,
// echoes firmware chunks and then exchanges 16-byte frames. The fake encodes
// and decodes frames with its own code (below), not devices/falcon_protocol,
// so a wrong encoder in the device cannot agree with itself.
#include "devices/falcon_usb_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "devices/haptic_loop.h"
#include "tests/devices/umockdev_usb_bed.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr auto kWait = 3000ms;
constexpr std::uint8_t kFtdiModemStatus[2] = {0x31, 0x60};  // what an idle FT232 reports
constexpr std::size_t kPacketPayload = 62;
constexpr int kHomingFramesNeeded = 5;

struct ControlRequest {
  std::uint8_t request_type;
  std::uint8_t request;
  std::uint16_t value;
  bool operator==(const ControlRequest&) const = default;
};

struct DecodedCommand {
  std::array<std::int16_t, 3> motor;
  std::uint8_t control;  // LEDs | homing
};

// The fake Falcon: an FT232 with the Falcon's boot loader and firmware.
class FakeFalcon final : public test_support::FakeUsbDevice {
 public:
  void SetEncoders(std::array<std::int16_t, 3> counts) {
    std::lock_guard lock(mutex_);
    encoders_ = counts;
  }
  void SetButtons(std::uint8_t buttons) {
    std::lock_guard lock(mutex_);
    buttons_ = buttons;
  }
  void CorruptEchoOfChunk(int chunk) {
    std::lock_guard lock(mutex_);
    corrupt_chunk_ = chunk;
  }
  std::vector<ControlRequest> Controls() const {
    std::lock_guard lock(mutex_);
    return controls_;
  }
  std::vector<std::vector<std::uint8_t>> FirmwareChunks() const {
    std::lock_guard lock(mutex_);
    return chunks_;
  }
  std::vector<DecodedCommand> Commands() const {
    std::lock_guard lock(mutex_);
    return commands_;
  }

 private:
  enum class Mode { kOff, kLoader, kUpload, kRun };

  const char* KernelDriver() const override { return "ftdi_sio"; }

  void AnswerControl(Urb& urb, const std::uint8_t* setup) override {
    const ControlRequest request{setup[0], setup[1],
                                 static_cast<std::uint16_t>(setup[2] | (setup[3] << 8))};
    controls_.push_back(request);
    if (request.request_type != 0x40) {
      Finish(urb, -EPIPE, {});
      return;
    }
    // The baud rate tells the fake which stage the host is in.
    if (request.request == 0x03) {
      if (request.value == 0x4138) mode_ = Mode::kLoader;
      if (request.value == 0x0015) mode_ = Mode::kUpload;
      if (request.value == 0x0002) mode_ = Mode::kRun;
    }
    Finish(urb, 0, {});
  }

  void OnOut(std::uint8_t endpoint, const std::vector<std::uint8_t>& data) override {
    if (endpoint != 0x02) return;
    switch (mode_) {
      case Mode::kLoader:
        if (data == std::vector<std::uint8_t>{0x0A, 0x43, 0x0D}) Send({0x0A, 0x44, 0x2C, 0x0D});
        break;
      case Mode::kUpload:
        if (!ready_ && data == std::vector<std::uint8_t>{'A'}) {
          ready_ = true;
          Send({'A'});
          break;
        }
        chunks_.push_back(data);
        if (static_cast<int>(chunks_.size()) - 1 == corrupt_chunk_) {
          auto bad = data;
          bad[bad.size() / 2] ^= 0x5A;
          Send(bad);
        } else {
          Send(data);
        }
        break;
      case Mode::kRun:
        pending_.insert(pending_.end(), data.begin(), data.end());
        while (pending_.size() >= 16) {
          std::vector<std::uint8_t> frame(pending_.begin(), pending_.begin() + 16);
          pending_.erase(pending_.begin(), pending_.begin() + 16);
          Reply(frame);
        }
        break;
      case Mode::kOff:
        break;
    }
  }

  // Payload goes back in packets of at most 62 bytes, each behind two
  // modem-status bytes, as the FT232 sends them.
  void Send(const std::vector<std::uint8_t>& payload) {
    for (std::size_t at = 0; at < payload.size(); at += kPacketPayload) {
      std::vector<std::uint8_t> packet(kFtdiModemStatus, kFtdiModemStatus + 2);
      const std::size_t end = std::min(payload.size(), at + kPacketPayload);
      packet.insert(packet.end(), payload.begin() + static_cast<long>(at),
                    payload.begin() + static_cast<long>(end));
      QueueIn(std::move(packet));
    }
  }

  static std::int16_t Nibbles(const std::vector<std::uint8_t>& frame, int first) {
    std::uint16_t v = 0;
    for (int k = 0; k < 4; ++k)
      v |= static_cast<std::uint16_t>((frame[first + k] - 'A') << (4 * k));
    return static_cast<std::int16_t>(v);
  }

  void Reply(const std::vector<std::uint8_t>& command) {
    if (command.front() != '<' || command.back() != '>') return;
    DecodedCommand decoded{{Nibbles(command, 1), Nibbles(command, 5), Nibbles(command, 9)},
                           static_cast<std::uint8_t>(command[13] - 'A')};
    commands_.push_back(decoded);
    if (decoded.control & 0x1) ++homing_frames_;
    const std::uint8_t homed = homing_frames_ >= kHomingFramesNeeded ? 0x7 : 0x0;
    std::vector<std::uint8_t> frame{'<'};
    for (std::int16_t e : encoders_) {
      const auto u = static_cast<std::uint16_t>(e);
      for (int k = 0; k < 4; ++k)
        frame.push_back(static_cast<std::uint8_t>('A' + ((u >> (4 * k)) & 0xF)));
    }
    frame.push_back(static_cast<std::uint8_t>('A' + (buttons_ | (homed << 4))));
    frame.push_back('A');
    frame.push_back('>');
    Send(frame);
  }

  Mode mode_ = Mode::kOff;
  bool ready_ = false;
  int corrupt_chunk_ = -1;
  int homing_frames_ = 0;
  std::array<std::int16_t, 3> encoders_{0, 0, 0};
  std::uint8_t buttons_ = 0;
  std::vector<std::uint8_t> pending_;
  std::vector<ControlRequest> controls_;
  std::vector<std::vector<std::uint8_t>> chunks_;
  std::vector<DecodedCommand> commands_;
};

// Device 0403:cb48, one vendor-specific interface, bulk IN 0x81 / OUT 0x02.
std::vector<std::uint8_t> FalconDescriptors() {
  return {18,   0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 8,    0x03, 0x04, 0x48, 0xCB, 0x00,
          0x06, 1,    2,    3,    1,    9,    0x02, 32,   0,    1,    1,    0,    0x80,
          50,   9,    0x04, 0,    0,    2,    0xFF, 0xFF, 0xFF, 2,    7,    0x05, 0x81,
          0x02, 64,   0,    0,    7,    0x05, 0x02, 0x02, 64,   0,    0};
}

class FalconBed : public test_support::UmockdevBed {
 public:
  bool Start(std::string* error) {
    return StartDevice(std::make_unique<FakeFalcon>(), FalconDescriptors(), error);
  }
  FakeFalcon& fake() { return static_cast<FakeFalcon&>(device()); }
};

// A firmware stand-in: binary bytes written by the test (teersim never ships
// Novint's firmware), 200 bytes = three full chunks and a short one.
std::string WriteFirmware(const std::string& name, std::size_t size) {
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" /
                    ("falcon-" + std::to_string(::getpid())) / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>((i * 37 + 11) & 0xFF));
  return path.string();
}

template <typename P>
bool Eventually(P predicate, std::chrono::milliseconds timeout = kWait) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (predicate()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return predicate();
}

class FalconUsbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bed_ = std::make_unique<FalconBed>();
    if (!FalconBed::InMockEnvironment()) {
      GTEST_SKIP() << "not running under the umockdev preload (libumockdev-preload)";
    }
    std::string error;
    ASSERT_TRUE(bed_->Start(&error)) << error;
    options_.firmware_path = WriteFirmware("firmware.bin", 200);
    options_.handshake_timeout = 500ms;
  }

  FakeFalcon& fake() { return bed_->fake(); }

  std::unique_ptr<FalconBed> bed_;
  FalconOptions options_;
};

TEST_F(FalconUsbTest, HandshakeSetsUpTheFtdiAndUploadsTheFirmwareInEchoedChunks) {
  FalconUsbDevice falcon(options_);
  std::string error;
  ASSERT_TRUE(falcon.Start(&error)) << error;
  const auto controls = fake().Controls();
  const auto seen = [&](std::uint8_t request, std::uint16_t value) {
    return std::find(controls.begin(), controls.end(), ControlRequest{0x40, request, value}) !=
           controls.end();
  };
  EXPECT_TRUE(seen(0x00, 0)) << "reset";
  EXPECT_TRUE(seen(0x00, 1) && seen(0x00, 2)) << "purge RX and TX";
  EXPECT_TRUE(seen(0x09, 1)) << "latency timer 1 ms";
  EXPECT_TRUE(seen(0x02, 0)) << "no flow control";
  EXPECT_TRUE(seen(0x04, 0x0008)) << "8N1";
  EXPECT_TRUE(seen(0x03, 0x4138) && seen(0x03, 0x0015) && seen(0x03, 0x0002)) << "baud rates";
  EXPECT_TRUE(seen(0x01, 0x0101) && seen(0x01, 0x0100)) << "DTR pulse";
  for (const auto& c : controls) EXPECT_EQ(c.request_type, 0x40);
  // The run-mode latency comes after the upload's baud rate.
  const auto upload = std::find(controls.begin(), controls.end(), ControlRequest{0x40, 0x03, 0x15});
  EXPECT_NE(std::find(upload, controls.end(), ControlRequest{0x40, 0x09, 1}), controls.end());

  std::ifstream file(options_.firmware_path, std::ios::binary);
  const std::vector<std::uint8_t> firmware((std::istreambuf_iterator<char>(file)), {});
  const auto chunks = fake().FirmwareChunks();
  ASSERT_EQ(chunks.size(), 4u);
  std::vector<std::uint8_t> joined;
  for (const auto& chunk : chunks) {
    EXPECT_LE(chunk.size(), 62u);
    joined.insert(joined.end(), chunk.begin(), chunk.end());
  }
  EXPECT_EQ(joined, firmware);
  falcon.Stop();
}

TEST_F(FalconUsbTest, BadEchoIsAClearErrorNamingTheFile) {
  fake().CorruptEchoOfChunk(2);
  FalconUsbDevice falcon(options_);
  std::string error;
  EXPECT_FALSE(falcon.Start(&error));
  EXPECT_THAT(error, HasSubstr("firmware upload failed"));
  EXPECT_THAT(error, HasSubstr(options_.firmware_path));
  EXPECT_THAT(error, HasSubstr("byte " + std::to_string(2 * 62 + 31)));
  EXPECT_EQ(fake().FirmwareChunks().size(), 3u);  // stopped at the bad chunk
}

TEST_F(FalconUsbTest, IoLoopDecodesEncodersAndEncodesForces) {
  // Encoder counts of a known grip position (the kinematics' inverse).
  const FalconKinematics kinematics;
  const Vec3 grip{0.01, -0.015, 0.12};
  const auto theta = kinematics.InverseKinematics(grip);
  ASSERT_TRUE(theta);
  const double rad_per_count = FalconArmAngle(1) - FalconArmAngle(0);
  std::array<std::int16_t, 3> counts{};
  for (int k = 0; k < 3; ++k) {
    counts[k] = static_cast<std::int16_t>(
        std::lround(((*theta)[k] - kFalconThetaAtZeroCount_rad) / rad_per_count));
  }
  fake().SetEncoders(counts);
  fake().SetButtons(0x5);

  FalconUsbDevice falcon(options_);
  HapticProxy proxy;
  const Vec3 force{1.5, 0.0, -2.0};
  ASSERT_TRUE(proxy.Publish(force, {}, {}));
  HapticLoop loop(falcon, proxy);
  std::string error;
  ASSERT_TRUE(loop.Start(&error)) << error;

  // Homing first: frames ask for it (LED red) until the fake reports homed.
  ASSERT_TRUE(Eventually([&] { return loop.Latest().valid; })) << loop.LastEvent();
  const auto sample = loop.Latest();
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(sample.position_m[k], grip[k], 1e-3) << k;
  EXPECT_EQ(sample.buttons, 0x5u);
  const auto commands_before = fake().Commands();
  ASSERT_GE(commands_before.size(), static_cast<std::size_t>(kHomingFramesNeeded));
  EXPECT_EQ(commands_before.front().control, 0x2 | 0x1);  // red LED, homing
  EXPECT_EQ(commands_before.front().motor, (std::array<std::int16_t, 3>{0, 0, 0}));

  // Then the proxy's force goes out as the Jacobian-transpose motor commands.
  const auto expected = kinematics.MotorCommands(sample.position_m, force);
  ASSERT_NE(expected, (std::array<std::int16_t, 3>{0, 0, 0}));
  ASSERT_TRUE(Eventually([&] {
    const auto commands = fake().Commands();
    return !commands.empty() && commands.back().motor == expected;
  }));
  EXPECT_EQ(fake().Commands().back().control, 0x4);  // green LED, homing off
  loop.Stop();
  // Stopping sends a last zero-force frame.
  EXPECT_EQ(fake().Commands().back().motor, (std::array<std::int16_t, 3>{0, 0, 0}));
  EXPECT_EQ(falcon.Status().malformed, 0);
}

TEST_F(FalconUsbTest, UnplugMidLoopStopsTheLoopWithAMessage) {
  FalconUsbDevice falcon(options_);
  HapticProxy proxy;
  HapticLoop loop(falcon, proxy);
  std::string error;
  ASSERT_TRUE(loop.Start(&error)) << error;
  ASSERT_TRUE(Eventually([&] { return loop.Stats().cycles > 50; }));
  bed_->Unplug();
  ASSERT_TRUE(Eventually([&] { return !loop.Running(); }));
  EXPECT_THAT(loop.LastEvent(), HasSubstr("Novint Falcon"));
  EXPECT_THAT(loop.LastEvent(), HasSubstr("unplugged"));
  EXPECT_THAT(loop.LastEvent(), HasSubstr("haptic loop stopped"));
  loop.Stop();
  falcon.Stop();  // twice is fine
}

TEST_F(FalconUsbTest, NoFalconPluggedIsReported) {
  bed_->Unplug();
  FalconUsbDevice falcon(options_);
  std::string error;
  EXPECT_FALSE(falcon.Start(&error));
  EXPECT_THAT(error, HasSubstr("no device 0403:cb48 found"));
}

// The firmware file is the user's; every way it can be wrong is named.
TEST(FalconFirmware, MissingEmptyTextOrHugeFilesAreClearErrors) {
  const auto expect_error = [](const std::string& path, const char* what) {
    FalconOptions options;
    options.firmware_path = path;
    FalconUsbDevice falcon(options);
    std::string error;
    EXPECT_FALSE(falcon.Start(&error));
    EXPECT_THAT(error, HasSubstr(path));
    EXPECT_THAT(error, HasSubstr(what));
  };
  expect_error("/nonexistent/falcon_firmware.bin", "cannot open");
  expect_error("/nonexistent/falcon_firmware.bin", "does not ship Novint's firmware");
  expect_error(WriteFirmware("empty.bin", 0), "empty");
  expect_error(WriteFirmware("huge.bin", kMaxFalconFirmwareBytes + 1), "larger than");
  const auto text = std::filesystem::path(WriteFirmware("text.bin", 1)).parent_path() / "hex.txt";
  std::ofstream(text) << "3a 10 00 00 0c 94\n";
  expect_error(text.string(), "text, not the binary");
  FalconOptions none;
  FalconUsbDevice falcon(none);
  std::string error;
  EXPECT_FALSE(falcon.Start(&error));
  EXPECT_THAT(error, HasSubstr("no file given"));
}

}  // namespace
}  // namespace teersim::devices
