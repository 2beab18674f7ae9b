#include "sim/replay_player.h"

#include <algorithm>
#include <cmath>

#include "base/input_error.h"
#include "scenes/case_description.h"
#include "sim/step.h"

namespace teersim::sim {

ReplayPlayer::ReplayPlayer(Recording recording, const std::string& recording_name)
    : recording_(std::move(recording)), name_(recording_name) {
  model_ = std::make_shared<const Model>(CompileModel(scenes::ParseCaseDescription(
      recording_.header.case_text, name_ + " (embedded case " + recording_.header.case_name + ")/" +
                                       recording_.header.case_name + ".yaml")));
  if (recording_.header.step_s != model_->step_s) {
    throw InputError(name_ + ": recorded with a different step (" +
                     std::to_string(recording_.header.step_s) + " s)");
  }
  // One pass: checkpoints every kCheckpointChunks chunks.
  State state = InitialState(*model_, recording_.header.seed);
  devices::ControlFrame running = devices::ControlFrame::Defaults();
  for (std::size_t index = 0; index < recording_.chunks.size(); ++index) {
    if (index % kCheckpointChunks == 0) checkpoints_.push_back({index, running, state});
    std::string error;
    if (!DecodeChunk(
            recording_.chunks[index], &running,
            [&](const Input& input) { Step(*model_, input, &state); }, &error)) {
      throw InputError(name_ + ": inputs chunk " + std::to_string(index) + ": " + error);
    }
  }
  duration_s_ = state.time_s;
  if (checkpoints_.empty()) checkpoints_.push_back({0, running, state});
  Seek(0.0);
}

void ReplayPlayer::SetSpeed(double speed) { speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed); }

void ReplayPlayer::Seek(double time_s) {
  const double t = std::clamp(time_s, 0.0, duration_s_);
  const auto target = static_cast<std::int64_t>(std::llround(t / model_->step_s));
  // The last checkpoint at or before the target.
  const Checkpoint* from = &checkpoints_.front();
  for (const auto& checkpoint : checkpoints_) {
    if (checkpoint.state.step_index <= target) from = &checkpoint;
  }
  state_ = from->state;
  running_ = from->running;
  chunk_ = from->chunk;
  in_chunk_ = 0;
  chunk_inputs_.clear();
  owed_s_ = 0.0;
  StepTo(target);
}

void ReplayPlayer::StepTo(std::int64_t step_index) {
  while (state_.step_index < step_index) {
    if (in_chunk_ >= chunk_inputs_.size()) {
      if (chunk_ >= recording_.chunks.size()) return;  // the end of the recording
      chunk_inputs_.clear();
      std::string error;
      // Consistency was checked at construction; decode cannot fail here.
      DecodeChunk(
          recording_.chunks[chunk_++], &running_,
          [&](const Input& input) { chunk_inputs_.push_back(input); }, &error);
      in_chunk_ = 0;
      if (chunk_inputs_.empty()) continue;
    }
    Step(*model_, chunk_inputs_[in_chunk_++], &state_);
  }
}

void ReplayPlayer::Advance(double wall_dt_s) {
  if (paused_ || !(wall_dt_s > 0.0)) return;
  owed_s_ += wall_dt_s * speed_;
  const auto steps = static_cast<std::int64_t>(std::floor(owed_s_ / model_->step_s));
  if (steps <= 0) return;
  owed_s_ -= static_cast<double>(steps) * model_->step_s;
  StepTo(state_.step_index + steps);
}

}  // namespace teersim::sim
