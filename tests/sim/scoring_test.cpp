#include "sim/scoring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "base/input_error.h"

namespace teersim::sim {
namespace {

using ::testing::HasSubstr;

Rubric StockRubric() { return LoadRubric(std::filesystem::path(TEERSIM_SOURCE_DIR) / "sim/rubrics/teer_standard.yaml"); }

// An expert-like run: every step done, metrics inside the expert bands.
struct SyntheticRun {
  Metrics metrics;
  std::vector<RecordedEvent> events;
};

SyntheticRun ExpertRun() {
  return {{{"total_time_s", 3600}, {"fluoro_time_s", 400}, {"dap_cGy_cm2", 600}, {"tsp_attempts", 1},
           {"tsp_height_error_mm", 2}, {"clip_rotation_error_deg", 4}, {"insertion_min_mm", 8},
           {"grasp_attempts", 1}, {"mr_grade_after", 1}, {"mean_gradient_mmHg", 3.1}, {"peak_contact_force_N", 0.2},
           {"tsp_height_mm", 41}},
          {{300, "tsp", "{}"}, {600, "guide_crossed", "{}"}, {2000, "grasp_attempt", "{}"},
           {2100, "grasp_both", "{}"}, {2400, "assessment", "{}"}, {2600, "release", "{}"}}};
}

// A poor run: anterior-low puncture, misoriented clip, single-leaflet grasp,
// released with a high gradient and MR 3+.
SyntheticRun PoorRun() {
  return {{{"total_time_s", 8000}, {"fluoro_time_s", 1400}, {"dap_cGy_cm2", 2500}, {"tsp_attempts", 3},
           {"tsp_height_error_mm", 12}, {"clip_rotation_error_deg", 28}, {"insertion_min_mm", 3},
           {"grasp_attempts", 4}, {"mr_grade_after", 3}, {"mean_gradient_mmHg", 6.2}, {"peak_contact_force_N", 0.9},
           {"tsp_height_mm", 28}},
          {{500, "tsp_anterior", "{}"}, {500, "tsp", "{}"}, {900, "guide_crossed", "{}"},
           {3000, "grasp_single_leaflet", "{}"}, {3500, "release", "{}"}}};
}

TEST(Scoring, ExpertScoresHighAndHasNoErrors) {
  const SyntheticRun run = ExpertRun();
  const ScoreResult score = ScoreRun(StockRubric(), run.metrics, run.events, 3600);
  EXPECT_TRUE(score.errors.empty());
  EXPECT_GT(score.total, 95.0);
  for (const auto& step : score.checklist) EXPECT_TRUE(step.passed) << step.name;
}

TEST(Scoring, PoorRunScoresLowerWithNamedErrorsInTimeOrder) {
  const Rubric rubric = StockRubric();
  const SyntheticRun expert = ExpertRun();
  const SyntheticRun poor = PoorRun();
  const ScoreResult expert_score = ScoreRun(rubric, expert.metrics, expert.events, 3600);
  const ScoreResult poor_score = ScoreRun(rubric, poor.metrics, poor.events, 8000);
  EXPECT_LT(poor_score.total, expert_score.total - 40.0);
  std::vector<std::string> names;
  for (const auto& error : poor_score.errors) names.push_back(error.name);
  EXPECT_THAT(names,
              ::testing::ElementsAre("tsp_too_anterior", "tsp_too_low", "single_leaflet_grasp",
                                     "release_with_high_gradient", "release_misoriented",
                                     "release_with_residual_mr_3plus"));
  // Errors conditioned on the release event are timed at it.
  EXPECT_DOUBLE_EQ(poor_score.errors.back().time_s, 3500);
  EXPECT_EQ(poor_score.errors.front().severity, 3);
  // The expert is better on every metric axis where it performed better.
  for (std::size_t i = 0; i < expert_score.metrics.size(); ++i) {
    EXPECT_GE(*expert_score.metrics[i].score, *poor_score.metrics[i].score) << expert_score.metrics[i].metric;
  }
}

TEST(Scoring, BandScoreIsOneInsideZeroAtNoviceLinearBetween) {
  const Rubric rubric = StockRubric();
  // clip_rotation_error_deg: expert [0, 10], novice 30 -> 20 deg scores 0.5.
  const auto score_of = [&](double rotation_deg) {
    for (const auto& metric : ScoreRun(rubric, {{"clip_rotation_error_deg", rotation_deg}}, {}, 0).metrics) {
      if (metric.metric == "clip_rotation_error_deg") return *metric.score;
    }
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(score_of(5), 1.0);
  EXPECT_DOUBLE_EQ(score_of(20), 0.5);
  EXPECT_DOUBLE_EQ(score_of(30), 0.0);
  EXPECT_DOUBLE_EQ(score_of(90), 0.0);
  // insertion_min_mm: expert [6, 100], novice 2 (below) -> 4 mm scores 0.5.
  for (const auto& metric : ScoreRun(rubric, {{"insertion_min_mm", 4}}, {}, 0).metrics) {
    if (metric.metric == "insertion_min_mm") {
      EXPECT_DOUBLE_EQ(*metric.score, 0.5);
    }
  }
}

TEST(Scoring, MissingMetricsScoreZeroAndAreMarkedUnavailable) {
  const ScoreResult score = ScoreRun(StockRubric(), {{"fluoro_time_s", 10}}, {}, 10);
  int unavailable = 0;
  for (const auto& metric : score.metrics) unavailable += metric.value ? 0 : 1;
  EXPECT_EQ(unavailable, static_cast<int>(score.metrics.size()) - 1);
  EXPECT_LT(score.total, 15.0);
}

std::string RubricError(const std::string& text) {
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/rubric.yaml";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  try {
    LoadRubric(path);
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

constexpr const char* kMinimalRubric =
    "name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
    "checklist: []\nerrors: []\nmetrics: []\n";

TEST(Scoring, MalformedRubricsNameLineAndKey) {
  EXPECT_EQ(RubricError(kMinimalRubric), "(no error)");
  EXPECT_THAT(RubricError(std::string(kMinimalRubric) + "extra: 1\n"), HasSubstr(":8: extra: unknown key"));
  EXPECT_THAT(RubricError("name: r\nchecklist_points: 40\nmetric_points: 70\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
                          "checklist: []\nerrors: []\nmetrics: []\n"),
              HasSubstr("must not exceed 100"));
  EXPECT_THAT(RubricError("name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
                          "checklist: []\nerrors:\n  - {name: e, severity: 6, when: {event: x}}\nmetrics: []\n"),
              HasSubstr(":7: errors[0].severity: expected 1 to 5, got 6"));
  EXPECT_THAT(RubricError("name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
                          "checklist: []\nerrors: []\nmetrics:\n  - {metric: m, expert: [0, 10], novice: 5}\n"),
              HasSubstr("metrics[0].novice: the novice value must lie outside the expert band"));
  EXPECT_THAT(RubricError("name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3]\n"
                          "checklist: []\nerrors: []\nmetrics: []\n"),
              HasSubstr("penalty_by_severity: expected 5 values"));
  EXPECT_THAT(
      RubricError(
          "name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
          "checklist:\n  - {name: s, passes_when: {metric: m}}\nerrors: []\nmetrics: []\n"),
      HasSubstr("a metric condition needs 'above', 'below', 'at_least' or 'at_most'"));
  EXPECT_THAT(
      RubricError(
          "name: r\nchecklist_points: 40\nmetric_points: 60\npenalty_by_severity: [1, 2, 3, 4, 5]\n"
          "checklist: []\nerrors:\n  - {name: e, severity: 1, when: {event: x, at_most: 2}}\n"
          "metrics: []\n"),
      HasSubstr(":7: errors[0].when: a bound needs a 'metric'"));
}

// The EVEREST stenosis criterion is inclusive (MVA <= 1.5 cm², §2.3 [S16]):
// a release at exactly 1.5 cm² is named, just above it is not; the 5 mmHg
// gradient limit is exclusive (> 5 mmHg [S48]).
TEST(Scoring, StenosisAtReleaseIsNamedAtItsInclusiveThreshold) {
  const Rubric rubric = StockRubric();
  const auto errors_with = [&](double mva_cm2, double gradient_mmHg) {
    SyntheticRun run = ExpertRun();
    run.metrics["mva_cm2"] = mva_cm2;
    run.metrics["mean_gradient_mmHg"] = gradient_mmHg;
    std::vector<std::string> names;
    for (const auto& error : ScoreRun(rubric, run.metrics, run.events, 3600).errors) {
      names.push_back(error.name);
      EXPECT_DOUBLE_EQ(error.time_s, 2600);  // timed at the release
    }
    return names;
  };
  EXPECT_THAT(errors_with(1.5, 3.0), ::testing::ElementsAre("release_with_stenotic_mva"));
  EXPECT_THAT(errors_with(1.5001, 3.0), ::testing::IsEmpty());
  EXPECT_THAT(errors_with(2.0, 5.0), ::testing::IsEmpty());
  EXPECT_THAT(errors_with(1.2, 5.2),
              ::testing::ElementsAre("release_with_high_gradient", "release_with_stenotic_mva"));
  // Without a release nothing is named, however small the valve.
  SyntheticRun unreleased = ExpertRun();
  unreleased.events.pop_back();
  unreleased.metrics["mva_cm2"] = 1.0;
  EXPECT_TRUE(ScoreRun(rubric, unreleased.metrics, unreleased.events, 3600).errors.empty());
}

}  // namespace
}  // namespace teersim::sim
