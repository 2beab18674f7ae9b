// FixedStepLoop: turns wall-clock frame times into a whole number of fixed
// physics steps (the "fix your timestep" accumulator). Physics speed is thus
// independent of the render frame rate — the cause of tunnelling in one
// published simulator (physics-notes.md). A substep cap keeps a slow frame
// from spiralling: time beyond it is dropped and counted.
#pragma once

#include <cstdint>

namespace teersim::sim {

class FixedStepLoop {
 public:
  // step_s > 0; max_steps_per_frame >= 1.
  FixedStepLoop(double step_s, int max_steps_per_frame);

  // Adds `elapsed_s` of wall time; returns how many steps to run now.
  int Advance(double elapsed_s);

  // Fraction of a step left in the accumulator, [0, 1): for interpolation.
  double Alpha() const { return accumulator_s_ / step_s_; }
  double DroppedTime_s() const { return dropped_s_; }
  std::int64_t TotalSteps() const { return total_steps_; }

 private:
  double step_s_;
  int max_steps_per_frame_;
  double accumulator_s_ = 0.0;
  double dropped_s_ = 0.0;
  std::int64_t total_steps_ = 0;
};

}  // namespace teersim::sim
