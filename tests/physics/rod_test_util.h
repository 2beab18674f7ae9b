// Shared set-ups for the rod tests: a uniform rod spec and a quasi-static
// settle loop.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>

#include "physics/rod_model.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"

namespace teersim::physics::testing {

inline constexpr double kStep_s = 1e-3;  // the haptic-rate step every case uses

// A uniform hollow rod, straight, no gravity: the bench-top cantilever.
inline RodSpec UniformRodSpec(double length_m, int elements, double ei_Nm2, double gj_Nm2) {
  RodSectionSpec section;
  section.name = "shaft";
  section.length_m = length_m;
  section.outer_diameter_m = 2.0e-3;
  section.inner_diameter_m = 1.0e-3;
  section.density_kg_per_m3 = 1200.0;
  section.bending_stiffness_Nm2 = ei_Nm2;
  section.torsional_stiffness_Nm2 = gj_Nm2;
  RodSpec spec;
  spec.sections = {section};
  spec.element_length_m = length_m / elements;
  return spec;
}

// Steps with a constant input until every element's speed, and its angular
// speed times its length, stay below `speed_tolerance` (m/s) or `max_steps`
// pass; returns the steps taken, or -1 on a fault.
inline int Settle(RodSolver& solver, const RodInput& input, RodState* state, int max_steps,
                  double speed_tolerance) {
  for (int step = 0; step < max_steps; ++step) {
    const RodStepResult result = solver.Step(input, nullptr, kStep_s, state);
    if (result.status != RodStatus::kOk) {
      ADD_FAILURE() << "rod fault: " << RodStatusName(result.status) << " at step " << step;
      return -1;
    }
    double speed = 0.0;
    for (std::size_t i = 0; i < state->velocity.size(); ++i) {
      speed = std::max(speed, Norm(state->velocity[i]));
      speed =
          std::max(speed, Norm(state->angular_velocity[i]) * solver.Model().Elements()[i].length_m);
    }
    if (step > 10 && speed < speed_tolerance) return step;
  }
  return max_steps;
}

}  // namespace teersim::physics::testing
