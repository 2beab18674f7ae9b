// Coaxial stack: instruments sharing one centreline with combined stiffness,
// inner instruments advanced out of / retracted into the outer one.
#include "physics/coaxial_stack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/input_error.h"
#include "base/units.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"
#include "tests/physics/rod_test_util.h"

namespace teersim::physics {
namespace {

using testing::Settle;

constexpr double kElement_m = 0.002;
constexpr double kEIGuide = 2e-3, kEIInner = 1e-3;
constexpr double kSettleDamping_per_s = 300.0;
constexpr int kMaxSettleSteps = 4000;
constexpr double kSettleSpeed_m_per_s = 1e-7;
// Issue #3: statics within 2 %, bends within 2 degrees.
constexpr double kStaticsTolerance = 0.02;
constexpr double kBendTolerance_deg = 2.0;

RodSectionSpec Tube(double length_m, double od_m, double id_m, double ei_Nm2) {
  RodSectionSpec s;
  s.name = "tube";
  s.length_m = length_m;
  s.outer_diameter_m = od_m;
  s.inner_diameter_m = id_m;
  s.density_kg_per_m3 = 1200.0;
  s.bending_stiffness_Nm2 = ei_Nm2;
  s.torsional_stiffness_Nm2 = 0.75 * ei_Nm2;
  return s;
}

RodSpec Numerics() {
  RodSpec spec;
  spec.element_length_m = kElement_m;
  spec.damping_per_s = kSettleDamping_per_s;
  return spec;
}

// Guide of length `guide_m` with an inner instrument of length `inner_m`
// that can advance by up to `travel_m`.
CoaxialStack TwoTubes(double guide_m, double inner_m, double travel_m,
                      const RodSpec& numerics = Numerics()) {
  CoaxialInstrument guide{"guide", {Tube(guide_m, 2.0e-3, 1.6e-3, kEIGuide)}, {}, 0.0, 0.0};
  CoaxialInstrument inner{"inner", {Tube(inner_m, 1.5e-3, 1.0e-3, kEIInner)}, {}, 0.0, travel_m};
  return CoaxialStack({guide, inner}, numerics);
}

double SettledTipDeflection(const CoaxialStack& stack, const CoaxialCommand& command,
                            double force_N) {
  RodSolver solver(stack.Model());
  stack.Apply(command, &solver);
  RodState state = MakeRestState(stack.Model(), Vec3{}, Quat{});
  RodInput input;
  input.tip_force_N = {force_N, 0, 0};
  EXPECT_GT(Settle(solver, input, &state, kMaxSettleSteps, kSettleSpeed_m_per_s), 0);
  return TipPosition(stack.Model(), state).x;
}

// Fully overlapping tubes forced to one centreline bend as one beam of
// EI = EI_1 + EI_2: delta = F L^3 / (3 (EI_1 + EI_2)) (Euler-Bernoulli).
TEST(CoaxialStack, OverlapBendsWithSummedStiffness) {
  constexpr double kLength = 0.1, kForce = 0.01;
  const CoaxialStack stack = TwoTubes(kLength, kLength, 0.0);
  const double delta = SettledTipDeflection(stack, CoaxialCommand{}, kForce);
  const double expected = kForce * std::pow(kLength, 3) / (3.0 * (kEIGuide + kEIInner));
  std::printf("stack overlap: tip deflection %.4f mm, expected %.4f mm\n", 1e3 * delta,
              1e3 * expected);
  EXPECT_NEAR(delta, expected, kStaticsTolerance * expected);
}

// Inner tube advanced 40 mm: guide alone over [0, 40) mm, both over
// [40, 80) mm, inner alone over [80, 140) mm. Stepped cantilever by the
// unit-load method: delta = F sum_k ((L - x0)^3 - (L - x1)^3) / (3 EI_k).
TEST(CoaxialStack, AdvancedInnerGivesSteppedCantilever) {
  constexpr double kForce = 0.002;
  const CoaxialStack stack = TwoTubes(0.08, 0.1, 0.04);
  CoaxialCommand command;
  command.advance_m[1] = 0.04;
  EXPECT_EQ(stack.VacantFrom(command), stack.Model().ElementCount());
  const double delta = SettledTipDeflection(stack, command, kForce);
  constexpr double kL = 0.14;
  const auto piece = [](double x0, double x1, double ei) {
    return (std::pow(kL - x0, 3) - std::pow(kL - x1, 3)) / (3.0 * ei);
  };
  const double expected =
      kForce * (piece(0, 0.04, kEIGuide) + piece(0.04, 0.08, kEIGuide + kEIInner) +
                piece(0.08, kL, kEIInner));
  std::printf("stack advanced: tip deflection %.4f mm, expected %.4f mm\n", 1e3 * delta,
              1e3 * expected);
  EXPECT_NEAR(delta, expected, kStaticsTolerance * expected);
}

// Retracted: the elements beyond both tubes are vacant (no contact) and
// follow the real tip straight: a horizontal stack sagging under gravity
// keeps its vacant part aligned with its last real element (within 1 mrad),
// without faults.
constexpr double kStraight_rad = 1e-3;

TEST(CoaxialStack, RetractedInnerLeavesVacantElementsStraight) {
  RodSpec numerics = Numerics();
  numerics.gravity_m_per_s2 = {0, -9.81, 0};
  const CoaxialStack stack = TwoTubes(0.08, 0.1, 0.04, numerics);
  const CoaxialCommand retracted;
  const int vacant = stack.VacantFrom(retracted);
  EXPECT_EQ(vacant, 50);  // reach 100 mm of 140 mm
  RodSolver solver(stack.Model());
  stack.Apply(retracted, &solver);
  EXPECT_TRUE(solver.Elements()[static_cast<std::size_t>(vacant - 1)].contact_enabled);
  EXPECT_FALSE(solver.Elements()[static_cast<std::size_t>(vacant)].contact_enabled);
  RodState state = MakeRestState(stack.Model(), Vec3{}, QuatFromTo({0, 0, 1}, {1, 0, 0}));
  RodInput input;
  input.handle_orientation = state.handle_orientation;
  ASSERT_GT(Settle(solver, input, &state, kMaxSettleSteps, kSettleSpeed_m_per_s), 0);
  const Vec3 real_tip = state.orientation[static_cast<std::size_t>(vacant - 1)].Rotate({0, 0, 1});
  const Vec3 far_end = state.orientation.back().Rotate({0, 0, 1});
  const double sag = std::acos(std::clamp(real_tip.x, -1.0, 1.0));
  std::printf("stack retracted: real tip sags %.2f deg, vacant part off its line by %.2e rad\n",
              units::RadToDeg(sag), Norm(Cross(real_tip, far_end)));
  EXPECT_GT(sag, 1e-4);  // it does sag (self-weight slope ~ w L^3 / 6 EI = 1e-3 rad)
  EXPECT_LT(Norm(Cross(real_tip, far_end)), kStraight_rad);
}

// A steerable sleeve in a stiffer guide: knob -> curvature kappa = 90 deg /
// 40 mm of its steerable section, in its own plane. Out of the guide the
// section bends freely; inside the guide the overlap's rest curvature is the
// stiffness-weighted mean, kappa EI_s / (EI_s + EI_g) (parallel springs). The
// last real element's tangent is compared at its centre (half an element
// short of the tip).
TEST(CoaxialStack, SleeveBendsOutsideTheGuideAndLessInside) {
  constexpr double kEIGuideStiff = 4e-3, kEISleeve = 1e-3;
  CoaxialInstrument guide{"guide", {Tube(0.1, 2.0e-3, 1.6e-3, kEIGuideStiff)}, {}, 0.0, 0.0};
  CoaxialInstrument sleeve{
      "sleeve",
      {Tube(0.08, 1.5e-3, 1.0e-3, kEISleeve), Tube(0.04, 1.5e-3, 1.0e-3, kEISleeve)},
      {},
      0.0,
      0.06};
  sleeve.steering.push_back(
      SteeringSpec{"A/P", 1, 0.0, units::DegToRad(180), units::DegToRad(90), 0.0});
  const CoaxialStack stack({guide, sleeve}, Numerics());
  const double kappa = units::DegToRad(90) / 0.04;
  const auto bend_deg = [&](double advance_m) {
    CoaxialCommand command;
    command.advance_m[1] = advance_m;
    command.knob_rad[0] = units::DegToRad(180);
    RodSolver solver(stack.Model());
    stack.Apply(command, &solver);
    RodState state = MakeRestState(stack.Model(), Vec3{}, Quat{});
    EXPECT_GT(Settle(solver, RodInput{}, &state, kMaxSettleSteps, kSettleSpeed_m_per_s), 0);
    const Vec3 t =
        state.orientation[static_cast<std::size_t>(stack.VacantFrom(command) - 1)].Rotate(
            {0, 0, 1});
    return units::RadToDeg(std::atan2(t.x, t.z));
  };
  const double out = bend_deg(0.06);
  const double in = bend_deg(0.0);
  const double expected_out = units::RadToDeg(kappa * (0.04 - 0.5 * kElement_m));
  const double expected_in = units::RadToDeg(
      kappa * (0.02 * kEISleeve / (kEISleeve + kEIGuideStiff) + 0.02 - 0.5 * kElement_m));
  std::printf(
      "stack steering: out of the guide %.2f deg (expected %.2f), inside %.2f deg (expected "
      "%.2f)\n",
      out, expected_out, in, expected_in);
  EXPECT_NEAR(out, expected_out, kBendTolerance_deg);
  EXPECT_NEAR(in, expected_in, kBendTolerance_deg);
}

// Invalid stacks are rejected naming the key.
TEST(CoaxialStack, RejectsInnerWiderThanOuter) {
  CoaxialInstrument guide{"guide", {Tube(0.1, 2.0e-3, 1.6e-3, kEIGuide)}, {}, 0.0, 0.0};
  CoaxialInstrument inner{"inner", {Tube(0.1, 1.8e-3, 1.0e-3, kEIInner)}, {}, 0.0, 0.01};
  try {
    CoaxialStack({guide, inner}, Numerics());
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("instruments[1].sections[0].outer_diameter_m"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace teersim::physics
