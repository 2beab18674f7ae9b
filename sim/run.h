// Headless runs: step a case with a scripted device (or, once it exists, the
// autopilot) for a duration, and write the run's outputs to a directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/autopilot.h"
#include "sim/model.h"
#include "sim/recording.h"
#include "sim/snapshot.h"
#include "sim/state.h"

namespace teersim::sim {

struct RunOptions {
  std::filesystem::path case_file;
  std::optional<std::filesystem::path> script_file;
  std::optional<AutopilotStyle> autopilot;  // instead of a script
  // Default: the script's duration_s or last keyframe + 1 s; the autopilot
  // runs until it has finished (at most Autopilot::kTimeLimit_s) and 2 s more.
  std::optional<double> duration_s;
  std::filesystem::path out_dir;  // created if missing
  std::string trainee;            // attributes the recording; may be empty
};

struct RunOutputs {
  std::filesystem::path summary_json;
  std::filesystem::path controls_csv;  // handle positions at 100 Hz
  std::filesystem::path recording;     // recording.teerrec: replayable bit for bit
};

struct RunResult {
  std::string case_name;
  std::string case_title;
  std::string clip_size;    // NT, NTW, XT or XTW: the instrument set's, or the case's
  std::string driver;       // "script demo_short.yaml"
  double duration_s = 0.0;  // simulated time
  std::int64_t steps = 0;
  StepStatus status = StepStatus::kOk;
  double fluoro_time_s = 0.0;
  std::string final_state_hash;  // 16 hex digits
  bool completed = false;        // the procedure reached release (procedure issue)
  RunOutputs outputs;
  State final_state;
  std::vector<RecordedEvent> events;  // also in the recording
  std::string score_json;             // ScoreJson with the default rubric
  Outcome baseline;                   // the case's valve before any clip
  std::string driver_problem;         // why the autopilot gave up; empty otherwise
};

// Throws InputError for bad case/script files or options; writes outputs even
// when the run ends in a numerical fault (status says so).
RunResult RunHeadless(const RunOptions& options);

// The run's recorded events from the procedure's event log (names as rubrics
// match them, details as JSON), from index `first` on.
std::vector<RecordedEvent> ProcedureEvents(const ProcedureState& procedure, int first);

// What the HUD must flag now: wall force over the threshold, tenting,
// complications, SLDA, a gradient over 5 mmHg.
std::vector<std::string> ProcedureWarnings(const ProcedureModel& model,
                                           const ProcedureState& procedure);

// The procedure outcome object of run summaries (issue #5's `outcome` keys).
std::string OutcomeJson(const ProcedureState& procedure, const Outcome& baseline);

// The JSON summary printed by `teersim run --json` and saved as summary.json.
std::string RunSummaryJson(const RunResult& result);

// What a snapshot carries. The anatomy meshes change only with the cardiac
// motion model; a view that keeps them can ask for the dynamic part only.
enum class SnapshotContent { kEverything, kWithoutAnatomy };
Snapshot MakeSnapshot(const Model& model, const State& state,
                      SnapshotContent content = SnapshotContent::kEverything);

}  // namespace teersim::sim
