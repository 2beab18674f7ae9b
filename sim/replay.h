// Replay: re-simulate a recording from its embedded case and inputs, and check
// the state hashes it stored (every second and at the end) bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/recording.h"
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
};

// Throws InputError if the embedded case cannot be loaded or the inputs are
// inconsistent (naming the recording and chunk).
ReplayResult ReplayRecording(const Recording& recording, const std::string& recording_name);

}  // namespace teersim::sim
