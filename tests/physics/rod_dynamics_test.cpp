// Dynamics of the free rod: energy behaviour, determinism, save/restore, and
// fault reporting.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "base/state_hash.h"
#include "physics/rod_model.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"
#include "tests/physics/rod_test_util.h"

namespace teersim::physics {
namespace {

using testing::kStep_s;
using testing::UniformRodSpec;

constexpr double kLength_m = 0.1;
constexpr int kElements = 25;
constexpr double kEI_Nm2 = 2.0e-3;
constexpr double kGJ_Nm2 = 1.5e-3;
constexpr int kEnergySteps = 1500;
// Round-off allowance on "does not grow": relative to the initial energy.
constexpr double kEnergyRoundOff = 1e-9;

// A straight rod released from a bent shape (rest curvature 10 /m, i.e. a
// 57 degree arc): returns energy after each step.
std::vector<double> ReleasedRodEnergy(double damping_per_s) {
  RodSpec bent = UniformRodSpec(kLength_m, kElements, kEI_Nm2, kGJ_Nm2);
  bent.sections[0].rest_curvature_y_per_m = 10.0;
  RodSpec straight = UniformRodSpec(kLength_m, kElements, kEI_Nm2, kGJ_Nm2);
  straight.damping_per_s = damping_per_s;
  const RodModel model = RodModel::Build(straight);
  RodState state = MakeRestState(RodModel::Build(bent), Vec3{}, Quat{});
  RodSolver solver(model);
  std::vector<double> energy{solver.Energy(state).Total()};
  const RodInput input;
  for (int step = 0; step < kEnergySteps; ++step) {
    EXPECT_EQ(solver.Step(input, nullptr, kStep_s, &state).status, RodStatus::kOk);
    energy.push_back(solver.Energy(state).Total());
  }
  return energy;
}

// Implicit Euler (XPBD is its position form, Macklin et al. 2016) dissipates
// but never creates energy: with no input and no damping the total energy
// (kinetic + bend/twist) must not grow. (Its numerical dissipation is strong:
// this rod's first mode, 297 rad/s, loses ~8 % of its energy per 1 ms step;
// see physics/README.md.)
TEST(RodDynamics, UndampedEnergyDoesNotGrow) {
  const std::vector<double> energy = ReleasedRodEnergy(0.0);
  ASSERT_GT(energy.front(), 0.0);
  for (std::size_t k = 1; k < energy.size(); ++k) {
    ASSERT_LE(energy[k], energy[k - 1] + kEnergyRoundOff * energy.front()) << "step " << k;
  }
  std::printf("undamped: energy %.3e J -> %.3e J after %d steps\n", energy.front(), energy.back(),
              kEnergySteps);
}

// With mass-proportional damping c = 20 /s the energy decays at least like
// exp(-c t) over 1.5 s (bound: 1e-3 of the start, as exp(-30) is far smaller).
TEST(RodDynamics, DampedEnergyDecays) {
  const std::vector<double> energy = ReleasedRodEnergy(20.0);
  const std::vector<double> undamped = ReleasedRodEnergy(0.0);
  for (std::size_t k = 1; k < energy.size(); ++k) {
    ASSERT_LE(energy[k], energy[k - 1] * (1 + kEnergyRoundOff));
  }
  // Damping removes energy on top of the integrator's own dissipation (not
  // step by step: the damped effective mass m (1 + h c) also shifts the
  // integrator's dissipation slightly, so compare after some periods).
  for (std::size_t k : {50u, 100u, 200u}) EXPECT_LT(energy[k], undamped[k]) << "step " << k;
  EXPECT_LT(energy.back(), 1e-3 * energy.front());
  EXPECT_LT(energy.back(), undamped.back());
  std::printf("damped: energy %.3e J -> %.3e J\n", energy.front(), energy.back());
}

// A mixed run: handle advancing at 100 mm/s and turning at 2 rev/s, tip
// load, gravity.
struct Scenario {
  RodModel model;
  RodInput InputAt(std::int64_t step) const {
    RodInput input;
    const double t = static_cast<double>(step) * kStep_s;
    input.handle_position = {0, 0, 0.1 * t};
    input.handle_orientation = QuatFromRotationVector({0, 0, 2.0 * 2.0 * std::numbers::pi * t});
    input.tip_force_N = {0.01, -0.005, 0.0};
    return input;
  }
};

Scenario MakeScenario() {
  RodSpec spec = UniformRodSpec(kLength_m, kElements, kEI_Nm2, kGJ_Nm2);
  spec.sections[0].rest_curvature_x_per_m = 8.0;
  spec.gravity_m_per_s2 = {0, -9.81, 0};
  spec.damping_per_s = 2.0;
  return {RodModel::Build(spec)};
}

std::uint64_t Hash(const RodState& state) {
  StateHasher hasher;
  state.AddToHash(hasher);
  return hasher.Value();
}

void RunUntil(const Scenario& scenario, RodSolver& solver, RodState* state,
              std::int64_t until_step) {
  while (state->step_count < until_step) {
    ASSERT_EQ(solver.Step(scenario.InputAt(state->step_count), nullptr, kStep_s, state).status,
              RodStatus::kOk);
  }
}

// Same inputs twice -> bit-identical state hash; save mid-run, restore into a
// fresh solver, continue -> the same hash as the uninterrupted run.
TEST(RodDynamics, DeterministicAndSaveRestoreExact) {
  const Scenario scenario = MakeScenario();
  RodSolver solver_a(scenario.model);
  RodSolver solver_b(scenario.model);
  RodState a = MakeRestState(scenario.model, Vec3{}, Quat{});
  RodState b = a;
  RunUntil(scenario, solver_a, &a, 300);
  RunUntil(scenario, solver_b, &b, 150);
  const RodState saved = b;
  RunUntil(scenario, solver_b, &b, 300);
  EXPECT_EQ(Hash(a), Hash(b));
  RodSolver solver_c(scenario.model);
  RodState c = saved;
  RunUntil(scenario, solver_c, &c, 300);
  EXPECT_EQ(Hash(a), Hash(c));
  EXPECT_NE(Hash(saved), Hash(a));
}

// A fault (here an absurd load that drives an element past the speed limit)
// is returned as a status, leaves the state as before the step and never
// throws.
TEST(RodDynamics, FaultIsReportedAndStateKept) {
  const Scenario scenario = MakeScenario();
  RodSolver solver(scenario.model);
  RodState state = MakeRestState(scenario.model, Vec3{}, Quat{});
  const std::uint64_t before = Hash(state);
  RodInput input;
  input.tip_force_N = {1.0e6, 0, 0};
  RodStepResult result;
  EXPECT_NO_THROW(result = solver.Step(input, nullptr, kStep_s, &state));
  EXPECT_NE(result.status, RodStatus::kOk);
  EXPECT_EQ(Hash(state), before);
  input.tip_force_N = {std::nan(""), 0, 0};
  EXPECT_NO_THROW(result = solver.Step(input, nullptr, kStep_s, &state));
  EXPECT_EQ(result.status, RodStatus::kNonFinite);
  EXPECT_EQ(Hash(state), before);
}

}  // namespace
}  // namespace teersim::physics
