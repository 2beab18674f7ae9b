// Recording of a run: everything needed to re-simulate it bit for bit — the
// case text, seed, software version and each step's Input — plus the state
// hash every second and the event log. Written append-only in checksummed
// chunks, flushed to disk every second of simulated time, so killing the
// process at any moment loses at most the last second; a damaged or truncated
// file is read up to its last good chunk, with a warning.
//
// File layout (little-endian):
//   file    = magic "TEERSIMR" u32 format_version  chunk*
//   chunk   = u32 kind  u32 payload_bytes  payload  u32 crc32(kind, payload_bytes, payload)
//   kinds   = 1 header (JSON), 2 inputs, 3 event (JSON), 4 end (JSON)
//   inputs  = u64 first_step  u32 step_count  u64 state_hash_after_last_step
//             step_count × ( u8 changed_count  changed_count × (u8 control  f64 value_si) )
// An inputs chunk stores only the controls that changed since the previous
// step (the first chunk's baseline is ControlFrame::Defaults()).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/state.h"

namespace teersim::sim {

inline constexpr std::uint32_t kRecordingFormatVersion = 1;
// Steps per inputs chunk: one second at the 1 kHz physics rate.
inline constexpr std::uint32_t kStepsPerChunk = 1000;

struct RecordingHeader {
  std::string software_version;
  std::string case_name;
  std::string case_text;  // the case file's YAML, so a replay needs no other file
  std::uint64_t seed = 0;
  double step_s = 0.0;
  std::string driver;   // "script demo_short.yaml", "autopilot", "keyboard", "joystick …"
  std::string trainee;  // empty when the run is not attributed
};

struct RecordedEvent {
  double time_s = 0.0;
  std::string name;     // "puncture", "grasp_attempt", "complication", …
  std::string details;  // JSON object text
};

struct RecordingEnd {
  std::int64_t steps = 0;
  std::string final_state_hash;  // 16 hex digits
  std::string status;            // StepStatusName
  // Simulated time at the end and every metric of the run (MetricsFromRun,
  // sim/scoring.h) as the writing build computed them; absent in recordings
  // written before they were stored.
  std::optional<double> simulated_s;
  std::optional<std::map<std::string, double>> metrics;
};

// Writes a recording. Never throws after Open: I/O errors after opening are
// kept in Error() (the run goes on; losing the recording must not stop it).
class RecordingWriter {
 public:
  RecordingWriter() = default;
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Creates the file and writes the header. Throws InputError if the file
  // cannot be created.
  void Open(const std::filesystem::path& path, const RecordingHeader& header);
  // The input used for the step that produced `state_after` (step_index - 1).
  void AppendStep(const Input& input, const State& state_after);
  void AppendEvent(const RecordedEvent& event);
  // Flushes pending steps and writes the end chunk, with the run's metrics
  // (computed from `final_state` and the events appended).
  void Finish(const State& final_state);
  const std::string& Error() const { return error_; }

 private:
  void FlushSteps();
  void WriteChunk(std::uint32_t kind, const std::vector<std::uint8_t>& payload);

  std::FILE* file_ = nullptr;
  std::string error_;
  devices::ControlFrame previous_ = devices::ControlFrame::Defaults();
  std::vector<std::uint8_t> pending_;  // encoded steps of the open chunk
  std::uint64_t chunk_first_step_ = 0;
  std::uint32_t chunk_steps_ = 0;
  std::uint64_t last_hash_ = 0;
  std::vector<RecordedEvent> events_;  // for the metrics in the end chunk
};

// One inputs chunk as read: the steps it covers and the hash after them.
struct InputChunk {
  std::uint64_t first_step = 0;
  std::uint32_t step_count = 0;
  std::uint64_t state_hash = 0;
  std::vector<std::uint8_t> encoded;  // the step records, decoded on replay
};

struct Recording {
  RecordingHeader header;
  std::vector<InputChunk> chunks;
  std::vector<RecordedEvent> events;
  std::optional<RecordingEnd> end;    // absent when the run was cut short
  std::vector<std::string> warnings;  // truncation, checksum failures

  std::int64_t StepCount() const;
};

// Reads a recording. Throws InputError (naming the file and byte offset) when
// not even the header is readable; later damage becomes a warning and the
// recording ends at the last good chunk.
Recording ReadRecording(const std::filesystem::path& path);

// Applies one chunk's step records in order: calls `on_step(input)` per step.
// Returns false (with `error`) if the chunk's encoding is inconsistent.
template <typename OnStep>
bool DecodeChunk(const InputChunk& chunk, devices::ControlFrame* running, OnStep&& on_step,
                 std::string* error);

}  // namespace teersim::sim

#include "sim/recording_decode.inl"
