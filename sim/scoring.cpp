#include "sim/scoring.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/data_file.h"
#include "base/data_paths.h"
#include "base/input_error.h"

namespace teersim::sim {
namespace {

constexpr int kMinSeverity = 1;
constexpr int kMaxSeverity = 5;
// Upper bound for any points value in a rubric (the total is 0–100).
constexpr double kMaxPoints = 100.0;
constexpr double kMaxMetricValue = 1e9;

RubricCondition ParseCondition(const Field& field) {
  field.ExpectOnlyKeys({"event", "metric", "above", "below", "at_least", "at_most"});
  RubricCondition condition;
  if (auto event = field.OptionalChild("event")) condition.event = event->String();
  if (auto metric = field.OptionalChild("metric")) condition.metric = metric->String();
  if (auto above = field.OptionalChild("above"))
    condition.above = above->Number(-kMaxMetricValue, kMaxMetricValue);
  if (auto below = field.OptionalChild("below"))
    condition.below = below->Number(-kMaxMetricValue, kMaxMetricValue);
  if (auto at_least = field.OptionalChild("at_least"))
    condition.at_least = at_least->Number(-kMaxMetricValue, kMaxMetricValue);
  if (auto at_most = field.OptionalChild("at_most"))
    condition.at_most = at_most->Number(-kMaxMetricValue, kMaxMetricValue);
  if (condition.event.empty() && condition.metric.empty()) field.Fail("needs 'event' or 'metric'");
  const bool bounded =
      condition.above || condition.below || condition.at_least || condition.at_most;
  if (!condition.metric.empty() && !bounded) {
    field.Fail("a metric condition needs 'above', 'below', 'at_least' or 'at_most'");
  }
  if (condition.metric.empty() && bounded) field.Fail("a bound needs a 'metric'");
  return condition;
}

// Time of the first event with this name, if any.
std::optional<double> EventTime(const std::vector<RecordedEvent>& events, const std::string& name) {
  for (const auto& event : events) {
    if (event.name == name) return event.time_s;
  }
  return std::nullopt;
}

// Whether the condition holds; `time_s` gets the moment it is attributed to.
bool Holds(const RubricCondition& condition, const Metrics& metrics,
           const std::vector<RecordedEvent>& events, double end_time_s, double* time_s) {
  *time_s = end_time_s;
  if (!condition.event.empty()) {
    const auto at = EventTime(events, condition.event);
    if (!at) return false;
    *time_s = *at;
  }
  if (!condition.metric.empty()) {
    const auto found = metrics.find(condition.metric);
    if (found == metrics.end()) return false;
    if (condition.above && !(found->second > *condition.above)) return false;
    if (condition.below && !(found->second < *condition.below)) return false;
    if (condition.at_least && !(found->second >= *condition.at_least)) return false;
    if (condition.at_most && !(found->second <= *condition.at_most)) return false;
  }
  return true;
}

// 1 inside [low, high] and beyond the band away from the novice value;
// falls linearly to 0 at the novice value on its side.
double BandScore(const MetricBand& band, double value) {
  if (band.novice >= band.expert_high) {
    if (value <= band.expert_high) return 1.0;
    return std::clamp(1.0 - (value - band.expert_high) / (band.novice - band.expert_high), 0.0,
                      1.0);
  }
  if (value >= band.expert_low) return 1.0;
  return std::clamp(1.0 - (band.expert_low - value) / (band.expert_low - band.novice), 0.0, 1.0);
}

// Centre of the taught height window (§1.1 step 2: 3.5–4.5 cm [BK]).
constexpr double kTspHeightCentre_mm = 40.0;
constexpr double kMmPerM = 1000.0;

// What the procedure measured (sim/procedure.h); a metric of a step the run
// never reached is left out (scored unavailable).
void AddProcedureMetrics(const ProcedureState& p, Metrics* metrics) {
  Metrics& m = *metrics;
  for (std::size_t i = 0; i < kPhaseCount; ++i) {
    if (p.phase_time_s[i] > 0.0)
      m["phase_" + std::string(PhaseName(static_cast<Phase>(i))) + "_s"] = p.phase_time_s[i];
  }
  m["tip_path_transseptal_mm"] = p.tip_path_length_m[0] * kMmPerM;
  m["tip_path_guide_mm"] = p.tip_path_length_m[1] * kMmPerM;
  m["tip_path_clip_mm"] = p.tip_path_length_m[2] * kMmPerM;
  m["peak_contact_force_N"] = p.peak_contact_force_N;
  m["contact_force_integral_Ns"] = p.contact_force_integral_Ns;
  m["contacts_above_threshold_count"] = p.contacts_above_threshold;
  m["time_above_force_threshold_s"] = p.time_above_force_threshold_s;
  if (p.punctured) {
    m["tsp_height_mm"] = p.tsp_height_m * kMmPerM;
    m["tsp_height_error_mm"] = std::fabs(p.tsp_height_m * kMmPerM - kTspHeightCentre_mm);
    m["tsp_posterior_mm"] = p.tsp_posterior_m * kMmPerM;
    m["tsp_superior_mm"] = p.tsp_superior_m * kMmPerM;
  }
  if (p.grasp_attempts > 0) m["grasp_attempts"] = p.grasp_attempts;
  if (p.clips_released > 0) {
    const ClipRecord& first = p.released[0];
    double worst_rotation = 0.0, min_insertion = INFINITY;
    for (int i = 0; i < p.clips_released; ++i) {
      const ClipRecord& c = p.released[static_cast<std::size_t>(i)];
      worst_rotation = std::max(worst_rotation, c.rotation_error_rad);
      min_insertion = std::min({min_insertion, c.insertion_anterior_m, c.insertion_posterior_m});
    }
    m["clips_released_count"] = p.clips_released;
    m["clip_rotation_error_deg"] = worst_rotation * 180.0 / 3.141592653589793;
    m["insertion_min_mm"] = min_insertion * kMmPerM;
    m["insertion_anterior_mm"] = first.insertion_anterior_m * kMmPerM;
    m["insertion_posterior_mm"] = first.insertion_posterior_m * kMmPerM;
    m["mr_grade_after"] = p.mr_grade;
    m["eroa_after_cm2"] = p.eroa_m2 * 1e4;
    m["mva_cm2"] = p.mva_m2 * 1e4;
    m["mean_gradient_mmHg"] = p.mean_gradient_mmHg;
  }
}

}  // namespace

Metrics MetricsFromRun(const State& final_state, const std::vector<RecordedEvent>& events) {
  Metrics metrics;
  metrics["total_time_s"] = final_state.time_s;
  metrics["fluoro_time_s"] = final_state.fluoro_time_s;
  // Reported in cGy·cm² as the reference does (clinical-reference §2.5).
  metrics["dap_cGy_cm2"] = final_state.dap_Gycm2 * 100.0;
  // Counts of repeated events (attempts) when the procedure records them.
  const auto count = [&](const char* name) {
    return static_cast<double>(
        std::count_if(events.begin(), events.end(),
                      [&](const RecordedEvent& event) { return event.name == name; }));
  };
  if (count("tsp") > 0) metrics["tsp_attempts"] = count("tsp");
  AddProcedureMetrics(final_state.procedure, &metrics);
  return metrics;
}

std::filesystem::path DefaultRubricPath() {
  return DataRoot() / "sim" / "rubrics" / "teer_standard.yaml";
}

Rubric LoadRubric(const std::filesystem::path& path) {
  const DataFile file = DataFile::Load(path);
  const Field root = file.Root();
  root.ExpectOnlyKeys({"name", "description", "checklist_points", "metric_points",
                       "penalty_by_severity", "checklist", "errors", "metrics"});
  Rubric rubric;
  rubric.name = root.Child("name").String();
  if (auto description = root.OptionalChild("description"))
    rubric.description = description->String();
  rubric.checklist_points = root.Child("checklist_points").Number(0, kMaxPoints);
  rubric.metric_points = root.Child("metric_points").Number(0, kMaxPoints);
  if (rubric.checklist_points + rubric.metric_points > kMaxPoints) {
    root.Child("metric_points").Fail("checklist_points + metric_points must not exceed 100");
  }
  const auto penalties = root.Child("penalty_by_severity").Items();
  if (penalties.size() != kMaxSeverity)
    root.Child("penalty_by_severity").Fail("expected 5 values, for severity 1..5");
  for (int severity = kMinSeverity; severity <= kMaxSeverity; ++severity) {
    rubric.penalty_by_severity[severity] = penalties[severity - 1].Number(0, kMaxPoints);
  }
  for (const Field& item : root.Child("checklist").Items()) {
    item.ExpectOnlyKeys({"name", "description", "passes_when"});
    rubric.checklist.push_back(
        {item.Child("name").String(),
         item.OptionalChild("description") ? item.Child("description").String() : "",
         ParseCondition(item.Child("passes_when"))});
  }
  for (const Field& item : root.Child("errors").Items()) {
    item.ExpectOnlyKeys({"name", "severity", "description", "when"});
    rubric.errors.push_back(
        {item.Child("name").String(),
         static_cast<int>(item.Child("severity").Integer(kMinSeverity, kMaxSeverity)),
         item.OptionalChild("description") ? item.Child("description").String() : "",
         ParseCondition(item.Child("when"))});
  }
  for (const Field& item : root.Child("metrics").Items()) {
    item.ExpectOnlyKeys({"metric", "expert", "novice", "weight", "source"});
    MetricBand band;
    band.metric = item.Child("metric").String();
    const auto expert = item.Child("expert").Items();
    if (expert.size() != 2) item.Child("expert").Fail("expected [low, high]");
    band.expert_low = expert[0].Number(-kMaxMetricValue, kMaxMetricValue);
    band.expert_high = expert[1].Number(band.expert_low, kMaxMetricValue);
    band.novice = item.Child("novice").Number(-kMaxMetricValue, kMaxMetricValue);
    if (band.novice > band.expert_low && band.novice < band.expert_high) {
      item.Child("novice").Fail("the novice value must lie outside the expert band");
    }
    if (band.novice == band.expert_low && band.novice == band.expert_high) {
      item.Child("novice").Fail("the novice value must differ from the expert band");
    }
    band.weight = item.NumberOr("weight", 1.0, 0.0, kMaxPoints);
    if (auto source = item.OptionalChild("source")) band.source = source->String();
    rubric.metrics.push_back(std::move(band));
  }
  return rubric;
}

ScoreResult ScoreRun(const Rubric& rubric, const Metrics& metrics,
                     const std::vector<RecordedEvent>& events, double end_time_s) {
  ScoreResult result;
  result.rubric = rubric.name;
  result.values = metrics;

  // Checklist: a fraction of the checklist points.
  int passed = 0;
  for (const auto& step : rubric.checklist) {
    double ignored = 0.0;
    const bool ok = Holds(step.passes_when, metrics, events, end_time_s, &ignored);
    passed += ok ? 1 : 0;
    result.checklist.push_back({step.name, ok});
  }
  if (!rubric.checklist.empty()) {
    result.checklist_score =
        rubric.checklist_points * passed / static_cast<double>(rubric.checklist.size());
  }

  // Metrics: weighted mean over every metric of the rubric; one the run did
  // not produce (it never reached that step) scores 0.
  double weighted = 0.0, weights = 0.0;
  for (const auto& band : rubric.metrics) {
    ScoredMetric scored{band.metric,      std::nullopt, std::nullopt, band.expert_low,
                        band.expert_high, band.novice,  band.weight};
    if (const auto found = metrics.find(band.metric); found != metrics.end()) {
      scored.value = found->second;
      scored.score = BandScore(band, found->second);
      weighted += band.weight * *scored.score;
    }
    weights += band.weight;
    result.metrics.push_back(scored);
  }
  if (weights > 0.0) result.metric_score = rubric.metric_points * weighted / weights;

  // Errors: each penalised by its severity, in time order.
  for (const auto& error : rubric.errors) {
    double time_s = 0.0;
    if (Holds(error.when, metrics, events, end_time_s, &time_s)) {
      result.errors.push_back({error.name, error.severity, time_s});
      result.error_penalty += rubric.penalty_by_severity[error.severity];
    }
  }
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ScoredError& a, const ScoredError& b) { return a.time_s < b.time_s; });

  result.total = std::clamp(result.checklist_score + result.metric_score - result.error_penalty,
                            0.0, kMaxPoints);
  return result;
}

std::string ScoreJson(const ScoreResult& result) {
  nlohmann::ordered_json json;
  json["rubric"] = result.rubric;
  json["total"] = result.total;
  json["checklist_points"] = result.checklist_score;
  json["metric_points"] = result.metric_score;
  json["error_penalty"] = result.error_penalty;
  json["errors"] = nlohmann::ordered_json::array();
  for (const auto& error : result.errors) {
    json["errors"].push_back(
        {{"name", error.name}, {"severity", error.severity}, {"time_s", error.time_s}});
  }
  json["checklist"] = nlohmann::ordered_json::array();
  for (const auto& step : result.checklist)
    json["checklist"].push_back({{"name", step.name}, {"passed", step.passed}});
  json["metric_scores"] = nlohmann::ordered_json::array();
  for (const auto& metric : result.metrics) {
    json["metric_scores"].push_back(
        {{"metric", metric.metric},
         {"value", metric.value ? nlohmann::ordered_json(*metric.value) : nullptr},
         {"score", metric.score ? nlohmann::ordered_json(*metric.score) : nullptr},
         {"expert_band", {metric.expert_low, metric.expert_high}},
         {"novice", metric.novice},
         {"weight", metric.weight},
         {"available", metric.value.has_value()}});
  }
  json["metrics"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : result.values) json["metrics"][name] = value;
  return json.dump(2);
}

}  // namespace teersim::sim
