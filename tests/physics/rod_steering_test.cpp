// Pull-wire steering: knob angle -> curvature of the steerable section in the
// knob's plane, with saturation and play (backlash).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "base/units.h"
#include "physics/rod_model.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"
#include "tests/physics/rod_test_util.h"

namespace teersim::physics {
namespace {

using testing::kStep_s;
using testing::Settle;
using units::DegToRad;
using units::RadToDeg;

// Issue #3: a free steerable section bends to the commanded angle within 2 deg.
constexpr double kBendTolerance_deg = 2.0;
constexpr double kSettleDamping_per_s = 300.0;
constexpr int kMaxSettleSteps = 4000;
constexpr double kSettleSpeed_m_per_s = 1e-7;

// A steerable sheath: 150 mm stiff shaft and a 40 mm softer steerable tip
// (2 mm elements, the resolution cases use). Knob data: +-180 deg of knob
// bends the tip 120 deg; play 10 deg.
RodSpec SheathSpec(int knobs) {
  RodSectionSpec shaft;
  shaft.name = "shaft";
  shaft.length_m = 0.15;
  shaft.outer_diameter_m = units::FrToM(24);
  shaft.inner_diameter_m = units::FrToM(21);
  shaft.density_kg_per_m3 = 1150.0;
  shaft.bending_stiffness_Nm2 = 0.02;
  shaft.torsional_stiffness_Nm2 = 0.015;
  RodSectionSpec tip = shaft;
  tip.name = "steerable tip";
  tip.length_m = 0.04;
  tip.bending_stiffness_Nm2 = 0.004;
  RodSpec spec;
  spec.sections = {shaft, tip};
  spec.damping_per_s = kSettleDamping_per_s;
  for (int k = 0; k < knobs; ++k) {
    SteeringSpec knob;
    knob.name = k == 0 ? "A/P" : "M/L";
    knob.section = 1;
    knob.plane_angle_rad = DegToRad(90.0 * k);
    knob.knob_max_rad = DegToRad(180);
    knob.bend_at_max_rad = DegToRad(120);
    knob.backlash_rad = DegToRad(10);
    spec.steering.push_back(knob);
  }
  return spec;
}

// Angle between the tip tangent and the shaft axis (+z), and its direction
// about z (0 = towards +x).
struct TipBend {
  double bend_deg;
  double plane_deg;
};

TipBend SettledBend(const RodModel& model, RodState* state, const RodInput& input) {
  RodSolver solver(model);
  EXPECT_GT(Settle(solver, input, state, kMaxSettleSteps, kSettleSpeed_m_per_s), 0);
  const Vec3 t = TipOrientation(model, *state).Rotate({0, 0, 1});
  return {RadToDeg(std::acos(std::clamp(t.z, -1.0, 1.0))), RadToDeg(std::atan2(t.y, t.x))};
}

// Knob -> bend: bend = bend_at_max * knob / knob_max (data), in the knob's
// plane; the rod's own elasticity must not shift the free equilibrium.
TEST(RodSteering, FreeSectionBendsToCommandedAngle) {
  const RodModel model = RodModel::Build(SheathSpec(1));
  for (double knob_deg : {45.0, 90.0, 150.0}) {
    RodState state = MakeRestState(model, Vec3{}, Quat{});
    RodInput input;
    input.knob_rad[0] = DegToRad(knob_deg);
    // The play operator starts centred at 0: the effective angle lags by
    // half the play on the way up.
    const double expected = 120.0 * (knob_deg - 5.0) / 180.0;
    const TipBend bend = SettledBend(model, &state, input);
    std::printf("steering knob %.0f deg: bend %.3f deg, expected %.3f deg\n", knob_deg,
                bend.bend_deg, expected);
    EXPECT_NEAR(bend.bend_deg, expected, kBendTolerance_deg);
    EXPECT_NEAR(bend.plane_deg, 0.0, kBendTolerance_deg);
  }
}

// Beyond the knob's limit the curvature saturates at bend_at_max.
TEST(RodSteering, KnobSaturatesAtLimit) {
  const RodModel model = RodModel::Build(SheathSpec(1));
  RodState state = MakeRestState(model, Vec3{}, Quat{});
  RodInput input;
  input.knob_rad[0] = DegToRad(300);
  EXPECT_NEAR(SettledBend(model, &state, input).bend_deg, 120.0, kBendTolerance_deg);
}

// Hysteresis: knob up to 120 deg then back to 100 deg; with 10 deg play the
// effective angle goes 115 -> 105 deg (play operator), not 95 deg.
TEST(RodSteering, PlayGivesHysteresis) {
  const RodModel model = RodModel::Build(SheathSpec(1));
  RodState state = MakeRestState(model, Vec3{}, Quat{});
  RodInput input;
  input.knob_rad[0] = DegToRad(120);
  SettledBend(model, &state, input);
  EXPECT_NEAR(RadToDeg(state.knob_effective_rad[0]), 115.0, 1e-9);
  input.knob_rad[0] = DegToRad(100);
  const TipBend bend = SettledBend(model, &state, input);
  EXPECT_NEAR(RadToDeg(state.knob_effective_rad[0]), 105.0, 1e-9);
  EXPECT_NEAR(bend.bend_deg, 120.0 * 105.0 / 180.0, kBendTolerance_deg);
}

// Two planes (sleeve A/P and M/L): equal knobs bend the tip by the vector sum
// of the two curvatures, halfway between the planes.
TEST(RodSteering, TwoPlanesCombine) {
  const RodModel model = RodModel::Build(SheathSpec(2));
  RodState state = MakeRestState(model, Vec3{}, Quat{});
  RodInput input;
  input.knob_rad[0] = DegToRad(65);
  input.knob_rad[1] = DegToRad(65);
  const TipBend bend = SettledBend(model, &state, input);
  const double expected = std::sqrt(2.0) * 120.0 * 60.0 / 180.0;
  std::printf("two planes: bend %.3f deg in plane %.3f deg, expected %.3f deg in 45 deg\n",
              bend.bend_deg, bend.plane_deg, expected);
  EXPECT_NEAR(bend.bend_deg, expected, kBendTolerance_deg);
  EXPECT_NEAR(bend.plane_deg, 45.0, kBendTolerance_deg);
}

}  // namespace
}  // namespace teersim::physics
