// Replay: re-simulate a recording from its embedded case and inputs, and check
// the state hashes it stored (every second and at the end) bit for bit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/model.h"
#include "sim/recording.h"
#include "sim/scoring.h"
#include "sim/state.h"

namespace teersim::sim {

struct ReplayResult {
  bool verified = false;  // every stored hash matched and the end chunk exists
  std::int64_t steps = 0;
  double simulated_s = 0.0;
  double wall_s = 0.0;
  std::string recorded_final_hash;  // empty when the recording has no end
  std::string replayed_final_hash;
  // Step index after the first chunk whose hash did not match; -1 if none.
  std::int64_t first_mismatch_step = -1;
  std::vector<std::string> warnings;
  State final_state;
  // The model compiled from the embedded case (baseline outcome, instrument
  // data, anatomy): reports and views need it without compiling it again.
  std::shared_ptr<const Model> model;
};

// Sees the run while it is re-simulated (reports sample time series this way).
struct ReplayObserver {
  std::int64_t every_steps = 10;  // call on_sample after every Nth step (and the first state)
  std::function<void(const Input& input, const State& state)> on_sample;
};

// Throws InputError if the embedded case cannot be loaded or the inputs are
// inconsistent (naming the recording and chunk).
ReplayResult ReplayRecording(const Recording& recording, const std::string& recording_name,
                             const ReplayObserver* observer = nullptr);

// What `teersim score` does: scores a recording with a rubric. A rubric
// reads only the run's metrics and events, so the metrics need no
// re-simulation when this very build wrote them into the recording's end
// chunk (same software version: the same MetricsFromRun, so every metric any
// rubric can name is there) and the file has no damage; otherwise (another
// version, no end chunk, a warning, or `resimulate`) the recording is
// re-simulated. `*resimulated` (optional) says which. Throws as
// ReplayRecording does.
ScoreResult ScoreRecording(const Rubric& rubric, const Recording& recording,
                           const std::string& recording_name, bool resimulate = false,
                           bool* resimulated = nullptr);

// A what-if recording (tests, benchmarks): re-simulates `recording` with
// each step's input passed through `edit(time_s, &input)` (time before the
// step), continues with its last recorded input, edited likewise, until
// `duration_s` if that is longer, and writes the inputs actually used and the
// procedure's events to `path`. Returns the new recording as read back.
// Throws InputError as ReplayRecording does, or if `path` cannot be written.
Recording RewriteRecording(const Recording& recording, const std::string& recording_name,
                           const std::function<void(double time_s, Input* input)>& edit,
                           double duration_s, const std::filesystem::path& path);

}  // namespace teersim::sim
