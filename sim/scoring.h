// Scoring: a run's metrics and events, judged by a rubric that instructors
// edit as data (sim/rubrics/*.yaml). The rubric follows clinical-reference
// §3.5 [DESIGN]: a step-gated checklist, weighted errors on a 1–5 severity
// scale (after the carotid weighted-error method [S69]) and continuous
// metrics scored against expert benchmark bands.
//
// Total (0–100) = checklist_points × (passed steps / steps)
//               + metric_points × (weighted mean of metric scores in [0, 1])
//               − Σ penalty_by_severity[error.severity], clamped to [0, 100].
// A metric the run did not produce (the run never reached that step) is
// reported as unavailable and scores 0: an unfinished procedure cannot earn
// the points of the steps it skipped.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/recording.h"
#include "sim/state.h"

namespace teersim::sim {

// Metric values by name; every name carries its unit ("fluoro_time_s").
using Metrics = std::map<std::string, double>;

// Metrics computable from the final state of a run (and its events).
Metrics MetricsFromRun(const State& final_state, const std::vector<RecordedEvent>& events);

// A condition on a run: an event occurred, or a metric crossed a threshold.
struct RubricCondition {
  std::string event;                   // event name; "" when metric-only
  std::string metric;                  // metric name; "" when event-only
  std::optional<double> above;         // metric > above
  std::optional<double> below;         // metric < below
  std::optional<double> at_least;      // metric >= at_least (thresholds stated inclusively)
  std::optional<double> at_most;       // metric <= at_most
};

struct ChecklistStep {
  std::string name;
  std::string description;
  RubricCondition passes_when;
};

struct WeightedError {
  std::string name;
  int severity = 1;  // 1 unimportant … 5 life-threatening
  std::string description;
  RubricCondition when;
};

struct MetricBand {
  std::string metric;
  double expert_low = 0.0;   // a value inside [expert_low, expert_high] scores 1
  double expert_high = 0.0;
  double novice = 0.0;       // scores 0 at and beyond this value (either side)
  double weight = 1.0;
  std::string source;        // the reference row the band comes from
};

struct Rubric {
  std::string name;
  std::string description;
  double checklist_points = 0.0;
  double metric_points = 0.0;
  std::array<double, 6> penalty_by_severity{};  // index = severity (0 unused)
  std::vector<ChecklistStep> checklist;
  std::vector<WeightedError> errors;
  std::vector<MetricBand> metrics;
};

// Throws InputError naming file, line and key.
Rubric LoadRubric(const std::filesystem::path& path);
std::filesystem::path DefaultRubricPath();

struct ScoredError {
  std::string name;
  int severity = 0;
  double time_s = 0.0;
};

struct ScoredStep {
  std::string name;
  bool passed = false;
};

struct ScoredMetric {
  std::string metric;
  std::optional<double> value;  // absent: unavailable
  std::optional<double> score;  // [0, 1]
  double expert_low = 0.0, expert_high = 0.0, novice = 0.0, weight = 0.0;
};

struct ScoreResult {
  std::string rubric;
  double total = 0.0;
  double checklist_score = 0.0;  // points earned
  double metric_score = 0.0;     // points earned
  double error_penalty = 0.0;    // points lost
  std::vector<ScoredStep> checklist;
  std::vector<ScoredError> errors;
  std::vector<ScoredMetric> metrics;
  Metrics values;  // every metric of the run
};

ScoreResult ScoreRun(const Rubric& rubric, const Metrics& metrics,
                     const std::vector<RecordedEvent>& events, double end_time_s);

// The score part of `teersim score --json` and of run summaries:
// {rubric, total, checklist_points, metric_points, error_penalty, errors:[{name, severity, time_s}],
//  checklist:[{name, passed}], metric_scores:[…], metrics:{name: value}}.
std::string ScoreJson(const ScoreResult& result);

}  // namespace teersim::sim
