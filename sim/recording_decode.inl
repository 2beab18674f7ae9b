// Template body of DecodeChunk (included by sim/recording.h).
#pragma once

#include <cstring>

namespace teersim::sim {

template <typename OnStep>
bool DecodeChunk(const InputChunk& chunk, devices::ControlFrame* running, OnStep&& on_step,
                 std::string* error) {
  const std::uint8_t* cursor = chunk.encoded.data();
  const std::uint8_t* end = cursor + chunk.encoded.size();
  Input input;
  for (std::uint32_t step = 0; step < chunk.step_count; ++step) {
    if (cursor >= end) {
      *error = "step records end early";
      return false;
    }
    const std::uint8_t changed = *cursor++;
    for (std::uint8_t i = 0; i < changed; ++i) {
      if (end - cursor < 9) {
        *error = "a step record is cut short";
        return false;
      }
      const std::uint8_t control = *cursor++;
      double value = 0.0;
      std::memcpy(&value, cursor, sizeof value);
      cursor += sizeof value;
      if (control >= devices::kControlCount) {
        *error = "unknown control index " + std::to_string(control);
        return false;
      }
      running->values[control] = value;
    }
    input.controls = *running;
    on_step(input);
  }
  if (cursor != end) {
    *error = "extra bytes after the step records";
    return false;
  }
  return true;
}

}  // namespace teersim::sim
