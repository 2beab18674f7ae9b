// Physics benchmark: wall time per 1 ms rod step for fixed scenarios
// (issue #3). Called by `teersim bench physics`; not run by ctest (speed lives
// in benchmarks, tests assert behaviour).
#pragma once

#include <string>
#include <vector>

namespace teersim::physics {

struct BenchScenarioResult {
  std::string name;
  int elements = 0;
  double median_ms = 0.0;
  double p99_ms = 0.0;
  int faults = 0;                // steps that returned a non-ok status
  std::string first_fault;       // RodStatusName of the first fault, empty if none
  double mean_iterations = 0.0;  // Newton iterations per step
};

// Runs each scenario for `measured_steps` 1 ms steps after a warm-up and
// returns the per-step wall-time statistics. Scenarios:
//   free_rod          100 elements, no anatomy, handle advanced/turned, knob swept
//   rod_in_tube       100 elements in a bent tube with friction, inserted and turned
//   coaxial_stack     guide + sleeve + delivery catheter (coaxial_stack.h),
//                     350 elements, in a vein-like bent tube: guide advanced
//                     and turned, inner instruments sliding, knobs swept
//   coaxial_stack_2x  the same at half the element length (700 elements)
std::vector<BenchScenarioResult> RunPhysicsBenchmark(int measured_steps);

}  // namespace teersim::physics
