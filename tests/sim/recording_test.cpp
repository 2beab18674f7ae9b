// Recording and replay (issue #8 groundwork): a recording replays bit for bit;
// truncation and damage are read up to the last good chunk with a warning;
// tampered inputs are caught by the stored hashes.
#include "sim/recording.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "base/input_error.h"
#include "scenes/case_library.h"
#include "sim/replay.h"
#include "sim/run.h"

namespace teersim::sim {
namespace {

using ::testing::HasSubstr;

std::filesystem::path OutDir(const std::string& name) {
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / name;
  std::filesystem::create_directories(dir);
  return dir;
}

RunResult RunDemo(const std::string& name, double duration_s = 8.0) {
  RunOptions options;
  options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
  options.script_file = std::filesystem::path(TEERSIM_SOURCE_DIR) / "scenes/scripts/demo_short.yaml";
  options.duration_s = duration_s;
  options.out_dir = OutDir(name);
  return RunHeadless(options);
}

std::vector<char> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteBytes(const std::filesystem::path& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(Recording, ReplayIsBitIdentical) {
  const RunResult run = RunDemo("rec-replay");
  const Recording recording = ReadRecording(run.outputs.recording);
  EXPECT_TRUE(recording.warnings.empty());
  ASSERT_TRUE(recording.end.has_value());
  EXPECT_EQ(recording.end->final_state_hash, run.final_state_hash);
  EXPECT_EQ(recording.StepCount(), 8000);
  EXPECT_EQ(recording.chunks.size(), 8u);  // one chunk per simulated second
  EXPECT_EQ(recording.header.case_name, "p2_flail");
  const ReplayResult replay = ReplayRecording(recording, "rec");
  EXPECT_TRUE(replay.verified);
  EXPECT_EQ(replay.replayed_final_hash, run.final_state_hash);
  EXPECT_EQ(replay.first_mismatch_step, -1);
}

TEST(Recording, TruncatedFileReadsUpToTheLastGoodChunk) {
  const RunResult run = RunDemo("rec-truncated");
  const std::vector<char> bytes = ReadBytes(run.outputs.recording);
  const auto cut_path = OutDir("rec-truncated") / "cut.teerrec";
  // Cut in the middle of the 5th second's chunk: 4 whole chunks survive.
  const Recording whole = ReadRecording(run.outputs.recording);
  std::size_t offset = 12;
  std::size_t cut = 0;
  int chunks_seen = 0;
  while (offset < bytes.size()) {
    std::uint32_t size = 0;
    std::memcpy(&size, bytes.data() + offset + 4, 4);
    std::uint32_t kind = 0;
    std::memcpy(&kind, bytes.data() + offset, 4);
    if (kind == 2 && ++chunks_seen == 5) {
      cut = offset + size / 2;
      break;
    }
    offset += 12 + size;
  }
  ASSERT_GT(cut, 0u);
  WriteBytes(cut_path, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(cut)));
  const Recording partial = ReadRecording(cut_path);
  EXPECT_EQ(partial.chunks.size(), 4u);
  EXPECT_EQ(partial.StepCount(), 4000);
  EXPECT_FALSE(partial.end.has_value());
  ASSERT_FALSE(partial.warnings.empty());
  EXPECT_THAT(partial.warnings.front(), HasSubstr("truncated"));
  // What survives still replays and matches its per-second hashes.
  const ReplayResult replay = ReplayRecording(partial, "cut");
  EXPECT_FALSE(replay.verified);  // no end chunk: cannot claim a full verification
  EXPECT_EQ(replay.first_mismatch_step, -1);
  EXPECT_EQ(replay.steps, 4000);
}

TEST(Recording, EveryPrefixIsReadableOrAClearError) {
  const RunResult run = RunDemo("rec-prefixes", 2.0);
  const std::vector<char> bytes = ReadBytes(run.outputs.recording);
  const auto path = OutDir("rec-prefixes") / "prefix.teerrec";
  for (std::size_t length = 0; length <= bytes.size(); length += 97) {
    WriteBytes(path, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(length)));
    try {
      const Recording recording = ReadRecording(path);
      EXPECT_LE(recording.StepCount(), 2000);
    } catch (const InputError& error) {
      EXPECT_THAT(error.what(), HasSubstr("byte ")) << length;
    }
  }
}

TEST(Recording, FlippedByteIsACheckSumWarning) {
  const RunResult run = RunDemo("rec-flip", 3.0);
  std::vector<char> bytes = ReadBytes(run.outputs.recording);
  bytes[bytes.size() * 2 / 3] ^= 0x40;
  const auto path = OutDir("rec-flip") / "flipped.teerrec";
  WriteBytes(path, bytes);
  const Recording recording = ReadRecording(path);
  ASSERT_FALSE(recording.warnings.empty());
  EXPECT_THAT(recording.warnings.front(), HasSubstr("checksum mismatch"));
  EXPECT_LT(recording.StepCount(), 3000);
}

TEST(Recording, TamperedInputIsCaughtByTheStoredHashes) {
  const RunResult run = RunDemo("rec-tamper", 3.0);
  Recording recording = ReadRecording(run.outputs.recording);
  // Change the last recorded value of the second chunk (the guide ramps
  // through it, so its last step carries a change). A glitch earlier in the
  // chunk could be undone by the hand-speed limit before the chunk's hash is
  // taken; at the last step it cannot.
  InputChunk& chunk = recording.chunks.at(1);
  std::size_t cursor = 0, last_value_at = 0;
  for (std::uint32_t step = 0; step < chunk.step_count; ++step) {
    const std::uint8_t changed = chunk.encoded.at(cursor++);
    for (std::uint8_t i = 0; i < changed; ++i, cursor += 9) last_value_at = cursor + 1;
  }
  ASSERT_EQ(cursor, chunk.encoded.size());
  ASSERT_GT(last_value_at, 0u);
  chunk.encoded[last_value_at + 7] ^= 0x01;  // top byte: scales the value by 2^±16
  const ReplayResult replay = ReplayRecording(recording, "tampered");
  EXPECT_FALSE(replay.verified);
  EXPECT_EQ(replay.first_mismatch_step, 2000);
}

TEST(Recording, NotARecordingIsAClearError) {
  const auto path = OutDir("rec-bad") / "bad.teerrec";
  WriteBytes(path, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!'});
  try {
    ReadRecording(path);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("not a teersim recording"));
  }
}

}  // namespace
}  // namespace teersim::sim
