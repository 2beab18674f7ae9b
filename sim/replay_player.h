// ReplayPlayer: plays a recording back for the GUI, with pause, speed and
// scrubbing. Exact: every state it shows is the recorded run re-simulated to
// that step. Seeking restores the nearest checkpoint (a State kept every
// kCheckpointChunks chunks during one pass at construction) and steps on
// from there, so a jump anywhere in an hour costs at most ten seconds of
// simulation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/model.h"
#include "sim/recording.h"
#include "sim/state.h"

namespace teersim::sim {

class ReplayPlayer {
 public:
  // Compiles the embedded case and re-simulates the whole recording once to
  // lay down checkpoints. Throws InputError (naming the recording) for an
  // inconsistent recording.
  ReplayPlayer(Recording recording, const std::string& recording_name);

  const Model& GetModel() const { return *model_; }
  const State& Current() const { return state_; }
  double Duration_s() const { return duration_s_; }

  // Plays `wall_dt_s` of wall time at the current speed (nothing while paused
  // or at the end).
  void Advance(double wall_dt_s);
  // Jumps to simulated time `time_s` (clamped to the recording).
  void Seek(double time_s);
  void SetPaused(bool paused) { paused_ = paused; }
  bool Paused() const { return paused_; }
  // Playback speed, clamped to [kMinSpeed, kMaxSpeed].
  void SetSpeed(double speed);
  double Speed() const { return speed_; }

  static constexpr double kMinSpeed = 0.125;
  static constexpr double kMaxSpeed = 16.0;
  static constexpr std::size_t kCheckpointChunks = 10;  // every 10 s at 1 kHz

 private:
  struct Checkpoint {
    std::size_t chunk = 0;          // first chunk not yet applied
    devices::ControlFrame running;  // decoder's running frame before it
    State state;
  };
  // Steps forward until the state reaches `step_index` (or the recording ends).
  void StepTo(std::int64_t step_index);

  Recording recording_;
  std::string name_;
  std::shared_ptr<const Model> model_;
  std::vector<Checkpoint> checkpoints_;
  double duration_s_ = 0.0;
  // Playback position: the state, the chunk it is in and the decoded inputs
  // of that chunk.
  State state_;
  std::size_t chunk_ = 0;
  std::size_t in_chunk_ = 0;
  std::vector<Input> chunk_inputs_;
  devices::ControlFrame running_;
  bool paused_ = false;
  double speed_ = 1.0;
  double owed_s_ = 0.0;  // simulated time owed by Advance but not yet stepped
};

}  // namespace teersim::sim
