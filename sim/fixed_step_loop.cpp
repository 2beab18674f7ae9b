#include "sim/fixed_step_loop.h"

#include <algorithm>
#include <cmath>

namespace teersim::sim {

FixedStepLoop::FixedStepLoop(double step_s, int max_steps_per_frame)
    : step_s_(step_s), max_steps_per_frame_(std::max(1, max_steps_per_frame)) {}

int FixedStepLoop::Advance(double elapsed_s) {
  if (!(elapsed_s > 0.0) || !std::isfinite(elapsed_s)) return 0;
  accumulator_s_ += elapsed_s;
  const double wanted = std::floor(accumulator_s_ / step_s_);
  int steps = static_cast<int>(std::min<double>(wanted, max_steps_per_frame_));
  accumulator_s_ -= steps * step_s_;
  // Over the cap: keep less than one step of backlog, count the rest as dropped.
  if (accumulator_s_ >= step_s_) {
    const double excess_steps = std::floor(accumulator_s_ / step_s_);
    dropped_s_ += excess_steps * step_s_;
    accumulator_s_ -= excess_steps * step_s_;
  }
  total_steps_ += steps;
  return steps;
}

}  // namespace teersim::sim
