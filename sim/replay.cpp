#include "sim/replay.h"

#include <chrono>
#include <cmath>
#include <memory>

#include "base/data_paths.h"
#include "base/input_error.h"
#include "scenes/case_description.h"
#include "sim/model.h"
#include "sim/run.h"
#include "sim/step.h"

namespace teersim::sim {
namespace {

// The model of the case embedded in the recording (errors name the recording).
Model EmbeddedModel(const Recording& recording, const std::string& recording_name) {
  return CompileModel(scenes::ParseCaseDescription(
      recording.header.case_text, recording_name + " (embedded case " + recording.header.case_name +
                                      ")/" + recording.header.case_name + ".yaml"));
}

}  // namespace

ReplayResult ReplayRecording(const Recording& recording, const std::string& recording_name,
                             const ReplayObserver* observer) {
  const auto shared_model = std::make_shared<const Model>(EmbeddedModel(recording, recording_name));
  const Model& model = *shared_model;
  if (recording.header.step_s != model.step_s) {
    throw InputError(recording_name + ": recorded with a " +
                     std::to_string(recording.header.step_s) + " s step; this teersim steps " +
                     std::to_string(model.step_s) + " s");
  }

  ReplayResult result;
  result.warnings = recording.warnings;
  const auto start = std::chrono::steady_clock::now();
  State state = InitialState(model, recording.header.seed);
  devices::ControlFrame running = devices::ControlFrame::Defaults();
  bool all_matched = true;
  const bool observing = observer != nullptr && observer->on_sample && observer->every_steps > 0;
  if (observing) observer->on_sample(Input{}, state);
  for (std::size_t index = 0; index < recording.chunks.size(); ++index) {
    const InputChunk& chunk = recording.chunks[index];
    if (chunk.first_step != static_cast<std::uint64_t>(state.step_index)) {
      throw InputError(recording_name + ": inputs chunk " + std::to_string(index) +
                       " starts at step " + std::to_string(chunk.first_step) + ", expected " +
                       std::to_string(state.step_index));
    }
    std::string error;
    const bool decoded = DecodeChunk(
        chunk, &running,
        [&](const Input& input) {
          Step(model, input, &state);
          if (observing && state.step_index % observer->every_steps == 0)
            observer->on_sample(input, state);
        },
        &error);
    if (!decoded) {
      throw InputError(recording_name + ": inputs chunk " + std::to_string(index) + ": " + error);
    }
    // A zero hash marks a chunk closed early by an event: nothing to check.
    if (chunk.state_hash != 0 && chunk.state_hash != HashState(state)) {
      all_matched = false;
      if (result.first_mismatch_step < 0) result.first_mismatch_step = state.step_index;
    }
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.steps = state.step_index;
  result.simulated_s = state.time_s;
  StateHasher hasher;
  result.replayed_final_hash = AddToHash(state, hasher).Hex();
  if (recording.end) {
    result.recorded_final_hash = recording.end->final_state_hash;
    all_matched = all_matched && result.recorded_final_hash == result.replayed_final_hash &&
                  recording.end->steps == state.step_index;
  }
  result.verified = all_matched && recording.end.has_value();
  result.final_state = state;
  result.model = shared_model;
  return result;
}

Recording RewriteRecording(const Recording& recording, const std::string& recording_name,
                           const std::function<void(double time_s, Input* input)>& edit,
                           double duration_s, const std::filesystem::path& path) {
  const Model model = EmbeddedModel(recording, recording_name);
  RecordingWriter writer;
  writer.Open(path, recording.header);
  State state = InitialState(model, recording.header.seed);
  Input last;
  const auto step = [&](const Input& input) {
    Input edited = input;
    edit(state.time_s, &edited);
    const int events_before = state.procedure.event_count;
    Step(model, edited, &state);
    writer.AppendStep(edited, state);
    for (const auto& event : ProcedureEvents(state.procedure, events_before))
      writer.AppendEvent(event);
    last = input;
  };
  devices::ControlFrame running = devices::ControlFrame::Defaults();
  for (std::size_t index = 0; index < recording.chunks.size(); ++index) {
    std::string error;
    if (!DecodeChunk(recording.chunks[index], &running, step, &error)) {
      throw InputError(recording_name + ": inputs chunk " + std::to_string(index) + ": " + error);
    }
  }
  const auto total_steps = static_cast<std::int64_t>(std::llround(duration_s / model.step_s));
  while (state.step_index < total_steps && state.status == StepStatus::kOk) step(last);
  writer.Finish(state);
  if (!writer.Error().empty()) throw InputError(path.string() + ": " + writer.Error());
  return ReadRecording(path);
}

ScoreResult ScoreRecording(const Rubric& rubric, const Recording& recording,
                           const std::string& recording_name, bool resimulate, bool* resimulated) {
  const bool stored = !resimulate && recording.end && recording.end->metrics &&
                      recording.end->simulated_s && recording.warnings.empty() &&
                      recording.header.software_version == VersionString();
  if (resimulated) *resimulated = !stored;
  if (stored) {
    return ScoreRun(rubric, *recording.end->metrics, recording.events, *recording.end->simulated_s);
  }
  const ReplayResult replay = ReplayRecording(recording, recording_name);
  return ScoreRun(rubric, MetricsFromRun(replay.final_state, recording.events), recording.events,
                  replay.simulated_s);
}

}  // namespace teersim::sim
