// `teersim score` without re-simulating: the metrics this build stored in a
// recording's end chunk score exactly as a replay's do, with any rubric; a
// recording from another build, or a damaged one, is re-simulated.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scenes/case_library.h"
#include "sim/replay.h"
#include "sim/run.h"
#include "sim/scoring.h"

namespace teersim::sim {
namespace {

// A directory of this test's own (ctest runs the tests in parallel processes).
std::filesystem::path OutDir() {
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/score-recording" /
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::create_directories(dir);
  return dir;
}

// The poor autopilot's run: errors, a misoriented clip, every phase.
const Recording& PoorRecording() {
  static const Recording recording = [] {
    RunOptions options;
    options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
    options.autopilot = AutopilotStyle::kPoor;
    options.out_dir = OutDir();
    return ReadRecording(RunHeadless(options).outputs.recording);
  }();
  return recording;
}

// A rubric unlike the stock one: it names metrics the stock rubric does not.
Rubric OtherRubric() {
  const auto path = OutDir() / "other_rubric.yaml";
  std::filesystem::create_directories(OutDir());
  std::ofstream(path) << R"(name: other
checklist_points: 30
metric_points: 70
penalty_by_severity: [1, 2, 3, 4, 5]
checklist:
  - {name: punctured, passes_when: {event: tsp}}
  - {name: fast_grasp, passes_when: {metric: phase_grasp_s, below: 5}}
errors:
  - {name: anterior, severity: 2, when: {event: tsp_anterior}}
  - {name: long_guide_path, severity: 1, when: {metric: tip_path_guide_mm, above: 100}}
metrics:
  - {metric: tip_path_clip_mm, expert: [0, 200], novice: 600}
  - {metric: tsp_posterior_mm, expert: [2, 10], novice: -5}
  - {metric: contacts_above_threshold_count, expert: [0, 0], novice: 3}
  - {metric: phase_steering_la_s, expert: [0, 4], novice: 20}
)";
  return LoadRubric(path);
}

// Its replay's score: what `teersim score` computed before metrics were stored.
std::string ReplayedScore(const Rubric& rubric, const Recording& recording) {
  const ReplayResult replay = ReplayRecording(recording, "poor");
  return ScoreJson(ScoreRun(rubric, MetricsFromRun(replay.final_state, recording.events),
                            recording.events, replay.simulated_s));
}

TEST(ScoreRecording, StoredMetricsScoreAsTheReplayWithAnyRubric) {
  const Recording& recording = PoorRecording();
  ASSERT_TRUE(recording.end && recording.end->metrics);
  for (const Rubric& rubric : {LoadRubric(DefaultRubricPath()), OtherRubric()}) {
    bool resimulated = true;
    const std::string stored =
        ScoreJson(ScoreRecording(rubric, recording, "poor", false, &resimulated));
    EXPECT_FALSE(resimulated) << rubric.name;
    EXPECT_EQ(stored, ReplayedScore(rubric, recording)) << rubric.name;
    EXPECT_EQ(ScoreJson(ScoreRecording(rubric, recording, "poor", true, &resimulated)), stored);
    EXPECT_TRUE(resimulated);
  }
}

TEST(ScoreRecording, OtherBuildsAndDamagedRecordingsAreResimulated) {
  const Rubric rubric = OtherRubric();
  const std::string expected = ReplayedScore(rubric, PoorRecording());
  Recording other_build = PoorRecording();
  other_build.header.software_version = "0.0.1+0000000";
  Recording damaged = PoorRecording();
  damaged.warnings.push_back("poor: chunk 7: checksum mismatch");
  Recording old_format = PoorRecording();
  old_format.end->metrics.reset();
  for (const Recording* recording : {&other_build, &damaged, &old_format}) {
    bool resimulated = false;
    EXPECT_EQ(ScoreJson(ScoreRecording(rubric, *recording, "poor", false, &resimulated)), expected);
    EXPECT_TRUE(resimulated);
  }
}

}  // namespace
}  // namespace teersim::sim
