// Reports for instructors and fellows: a self-contained HTML page per run
// (inline CSS and SVG plots, images embedded as data URIs, no external
// references) and a trainee progress report with learning curves; CSV export
// of runs and metrics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/recording.h"
#include "sim/replay.h"
#include "sim/scoring.h"
#include "sim/trainee_db.h"

namespace teersim::sim {

// One phase of the procedure, from the step it began to the step it ended.
struct PhaseSpan {
  Phase phase = Phase::kAccess;
  double start_s = 0.0, end_s = 0.0;
};

// Time series of a run, sampled while it is re-simulated: the first state,
// then one sample closing each interval of equal steps (and the final state).
// Values at the sample's state unless said otherwise.
struct RunSeries {
  std::vector<double> time_s;
  std::vector<double> fluoro_pedal;   // 0/1: 1 if pressed at any step of the interval
  std::vector<double> fluoro_time_s;  // cumulative
  std::vector<double> guide_mm, sleeve_mm, delivery_mm;
  std::vector<double> guide_knob_deg, sleeve_ap_deg, sleeve_ml_deg, clip_arm_deg;
  // Largest LA wall contact force of any step in the interval (a spike
  // between samples is not lost), N.
  std::vector<double> contact_force_N;
  // Tips in the patient frame (LPS, m): the transseptal set's, the guide's,
  // and the clip's hub (NaN while the clip is inside the sleeve).
  std::vector<frame::Vec3> set_tip_m, guide_tip_m, clip_hub_m;
  // Every phase of the run, exact to the step (not sampled).
  std::vector<PhaseSpan> phases;
};

// At most this many samples per series, plus the first state (the plots stay
// small for long runs).
inline constexpr std::size_t kMaxReportSamples = 2000;

struct ReportImage {
  std::string caption;
  std::vector<std::uint8_t> png;  // PNG bytes; embedded as base64
};

// Replays the recording, sampling the series; also returns the replay result.
RunSeries CollectRunSeries(const Recording& recording, const std::string& recording_name,
                           ReplayResult* replay);

std::string RunReportHtml(const std::string& recording_name, const Recording& recording,
                          const ReplayResult& replay, const ScoreResult& score,
                          const RunSeries& series, const std::vector<ReportImage>& images);

std::string ProgressReportHtml(const std::string& trainee, const std::vector<RunRow>& runs);

// One line per run: run_id, trainee, case, started_at, status, duration_s,
// completed, score, then every metric in the runs' summaries (union of names).
std::string RunsCsv(const std::vector<RunRow>& runs);

std::string Base64(const std::vector<std::uint8_t>& bytes);

}  // namespace teersim::sim
