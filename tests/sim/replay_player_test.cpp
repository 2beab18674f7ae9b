// The GUI's replay (issue #8 item 2): pause, speed and scrubbing, each state
// exactly the recorded run's at that time.
#include "sim/replay_player.h"

#include <gtest/gtest.h>

#include <map>

#include "scenes/case_library.h"
#include "sim/replay.h"
#include "sim/run.h"

namespace teersim::sim {
namespace {

const RunResult& ExpertRun() {
  static const RunResult run = [] {
    RunOptions options;
    options.case_file = scenes::ResolveCase("p2_flail");
    options.autopilot = AutopilotStyle::kExpert;
    options.out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / "replay-player" /
                      ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(options.out_dir);
    return RunHeadless(options);
  }();
  return run;
}

TEST(ReplayPlayer, ScrubbingShowsExactlyTheRecordedStates) {
  const RunResult& run = ExpertRun();
  const Recording recording = ReadRecording(run.outputs.recording);
  // The run's states every 5 s, by a plain replay.
  std::map<std::int64_t, std::uint64_t> hashes;
  ReplayObserver observer;
  observer.every_steps = 5000;
  observer.on_sample = [&](const Input&, const State& s) { hashes[s.step_index] = HashState(s); };
  ReplayRecording(recording, "expert", &observer);
  ASSERT_GT(hashes.size(), 10u);

  ReplayPlayer player(recording, "expert");
  EXPECT_DOUBLE_EQ(player.Duration_s(), run.final_state.time_s);
  // Forwards, backwards and forwards again: each seek lands on the recorded state.
  for (const double t : {60.0, 15.0, 70.0, 0.0, 35.0}) {
    player.Seek(t);
    const std::int64_t step = player.Current().step_index;
    ASSERT_TRUE(hashes.count(step)) << t;
    EXPECT_EQ(HashState(player.Current()), hashes[step]) << "at " << t << " s";
  }
  player.Seek(1e9);  // beyond the end: clamped
  EXPECT_EQ(HashState(player.Current()), HashState(run.final_state));
}

TEST(ReplayPlayer, PauseAndSpeed) {
  const Recording recording = ReadRecording(ExpertRun().outputs.recording);
  ReplayPlayer player(recording, "expert");
  player.Seek(10.0);
  player.SetSpeed(4.0);
  player.Advance(0.5);  // half a second of wall time at 4x: 2 s of the run
  EXPECT_NEAR(player.Current().time_s, 12.0, 1e-9);
  player.SetPaused(true);
  player.Advance(1.0);
  EXPECT_NEAR(player.Current().time_s, 12.0, 1e-9);
  player.SetPaused(false);
  player.SetSpeed(100.0);  // clamped to the fastest speed
  EXPECT_EQ(player.Speed(), ReplayPlayer::kMaxSpeed);
  player.Advance(1000.0);  // plays to the end and stops there
  EXPECT_NEAR(player.Current().time_s, player.Duration_s(), 1e-9);
}

}  // namespace
}  // namespace teersim::sim
