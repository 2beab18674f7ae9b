// Falcon kinematics (devices/falcon_kinematics.h): the leg constraint (1)
// after Stamper (ISR PhD 97-4, §3.2) with libnifalcon's measured geometry.
#include "devices/falcon_kinematics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace teersim::devices {
namespace {

// The workspace swept by the tests: a box inside the Falcon's ~10 cm cube
// around the centre; points no leg can reach are skipped, but most must be
// reachable (checked, so a broken IK cannot pass by skipping everything).
constexpr double kHalfWidth_m = 0.05;
constexpr double kLowZ_m = 0.075;
constexpr double kHighZ_m = 0.165;
constexpr double kGridStep_m = 0.005;
constexpr double kMinReachableFraction = 0.9;
// Round trip IK → FK: the goal, far above Newton's 1e-12 m stop.
constexpr double kRoundTrip_m = 1e-6;
// Finite differences: central, step 1 µm; truncation O(h²) and rounding
// O(ε/h) keep the relative error of dp/dθ near 1e-6, so 1e-4 is generous.
constexpr double kFiniteDifferenceStep_rad = 1e-6;
constexpr double kJacobianRelative = 1e-4;

template <typename F>
void ForEachGridPoint(F f) {
  for (double x = -kHalfWidth_m; x <= kHalfWidth_m + 1e-9; x += kGridStep_m) {
    for (double y = -kHalfWidth_m; y <= kHalfWidth_m + 1e-9; y += kGridStep_m) {
      for (double z = kLowZ_m; z <= kHighZ_m + 1e-9; z += kGridStep_m) f(Vec3{x, y, z});
    }
  }
}

double Distance(const Vec3& a, const Vec3& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

TEST(FalconKinematics, ForwardInverseRoundTripBelowOneMicrometre) {
  const FalconKinematics kinematics;
  int points = 0;
  int reachable = 0;
  double worst_m = 0.0;
  ForEachGridPoint([&](const Vec3& p) {
    ++points;
    const auto theta = kinematics.InverseKinematics(p);
    if (!theta) return;
    ++reachable;
    const auto back = kinematics.ForwardKinematics(*theta);
    ASSERT_TRUE(back.has_value()) << p[0] << " " << p[1] << " " << p[2];
    worst_m = std::max(worst_m, Distance(*back, p));
  });
  EXPECT_GE(reachable, kMinReachableFraction * points);
  EXPECT_LT(worst_m, kRoundTrip_m);
}

TEST(FalconKinematics, SymmetricOnTheAxisAndRisingWithZ) {
  // On the axis the three legs are alike, and moving the grip towards the
  // user (+z) opens every arm.
  const FalconKinematics kinematics;
  const auto low = kinematics.InverseKinematics({0.0, 0.0, 0.09});
  const auto high = kinematics.InverseKinematics({0.0, 0.0, 0.13});
  ASSERT_TRUE(low && high);
  for (int leg = 1; leg < 3; ++leg) EXPECT_NEAR((*low)[leg], (*low)[0], 1e-12);
  for (int leg = 0; leg < 3; ++leg) EXPECT_GT((*high)[leg], (*low)[leg]);
}

TEST(FalconKinematics, JacobianMatchesFiniteDifferencesOfForwardKinematics) {
  const FalconKinematics kinematics;
  int checked = 0;
  ForEachGridPoint([&](const Vec3& p) {
    const auto theta = kinematics.InverseKinematics(p);
    const auto jacobian = kinematics.Jacobian(p);
    if (!theta || !jacobian) return;
    for (int j = 0; j < 3; ++j) {
      Vec3 plus = *theta;
      Vec3 minus = *theta;
      plus[j] += kFiniteDifferenceStep_rad;
      minus[j] -= kFiniteDifferenceStep_rad;
      const auto p_plus = kinematics.ForwardKinematics(plus, p);
      const auto p_minus = kinematics.ForwardKinematics(minus, p);
      if (!p_plus || !p_minus) continue;  // the edge of reach
      double column_norm = 0.0;
      for (int i = 0; i < 3; ++i) column_norm += (*jacobian)[i][j] * (*jacobian)[i][j];
      column_norm = std::sqrt(column_norm);
      for (int i = 0; i < 3; ++i) {
        const double numeric = ((*p_plus)[i] - (*p_minus)[i]) / (2 * kFiniteDifferenceStep_rad);
        ASSERT_NEAR((*jacobian)[i][j], numeric, kJacobianRelative * column_norm)
            << "p = " << p[0] << " " << p[1] << " " << p[2] << ", J[" << i << "][" << j << "]";
      }
      ++checked;
    }
  });
  EXPECT_GT(checked, 1000);
}

TEST(FalconKinematics, EncoderScaleFollowsTheCableDrive) {
  // Count 0 is 35°; a full motor turn (1280 counts) turns the arm by the
  // shaft/drum diameter ratio of a turn.
  EXPECT_NEAR(FalconArmAngle(0), 35.0 * M_PI / 180.0, 1e-12);
  const double per_turn = FalconArmAngle(1280) - FalconArmAngle(0);
  EXPECT_NEAR(per_turn, 2.0 * M_PI * kFalconShaftDiameter_m / kFalconArmDrumDiameter_m, 1e-12);
  EXPECT_LT(FalconArmAngle(-1000), FalconArmAngle(0));
}

TEST(FalconKinematics, PositionFromEncodersInvertsTheEncoderScale) {
  const FalconKinematics kinematics;
  const Vec3 p{0.01, -0.02, 0.12};
  const auto theta = kinematics.InverseKinematics(p);
  ASSERT_TRUE(theta);
  std::array<std::int16_t, 3> counts{};
  const double rad_per_count = FalconArmAngle(1) - FalconArmAngle(0);
  for (int leg = 0; leg < 3; ++leg) {
    counts[leg] = static_cast<std::int16_t>(
        std::lround(((*theta)[leg] - kFalconThetaAtZeroCount_rad) / rad_per_count));
  }
  const auto back = kinematics.PositionFromEncoders(counts);
  ASSERT_TRUE(back);
  // One count is ~0.5 mrad of arm, well under a millimetre at the grip.
  EXPECT_LT(Distance(*back, p), 1e-3);
}

TEST(FalconForce, MotorCommandsAreJacobianTransposeTimesForce) {
  // τ = Jᵀ F, commands = -τ · 10000 counts/(N·m) (libnifalcon's scale and sign).
  const FalconKinematics kinematics;
  const Vec3 p{0.005, 0.01, 0.11};
  const Vec3 force{1.0, -2.0, 3.0};
  const auto jacobian = kinematics.Jacobian(p);
  ASSERT_TRUE(jacobian);
  const Vec3 torque = Multiply(Transpose(*jacobian), force);
  const auto commands = kinematics.MotorCommands(p, force);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(commands[k], -torque[k] * kFalconMotorCountsPerNewtonMetre, 0.5) << k;
  }
  // Power balance: τ·dθ equals F·dp for a small motion dp = J dθ.
  const Vec3 dtheta{1e-3, -2e-3, 0.5e-3};
  const Vec3 dp = Multiply(*jacobian, dtheta);
  const double work_joint = torque[0] * dtheta[0] + torque[1] * dtheta[1] + torque[2] * dtheta[2];
  const double work_grip = force[0] * dp[0] + force[1] * dp[1] + force[2] * dp[2];
  EXPECT_NEAR(work_joint, work_grip, 1e-12);
}

TEST(FalconForce, LargeForceIsClampedKeepingItsDirection) {
  const FalconKinematics kinematics;
  const Vec3 p{0.0, 0.0, 0.11};
  const Vec3 huge{0.0, 0.0, 1000.0};
  const Vec3 at_limit{0.0, 0.0, kFalconMaxForce_N};
  EXPECT_EQ(kinematics.MotorCommands(p, huge), kinematics.MotorCommands(p, at_limit));
  for (auto c : kinematics.MotorCommands(p, huge)) EXPECT_LE(std::abs(c), kFalconMaxMotorCommand);
}

TEST(FalconForce, CommandsNeverExceedTheSafeMaximumAnywhere) {
  const FalconKinematics kinematics;
  ForEachGridPoint([&](const Vec3& p) {
    for (const Vec3& f : {Vec3{50, 0, 0}, Vec3{0, -50, 0}, Vec3{30, 30, -30}}) {
      for (auto c : kinematics.MotorCommands(p, f)) {
        ASSERT_LE(std::abs(c), kFalconMaxMotorCommand);
      }
    }
  });
}

TEST(FalconForce, NonFiniteForceOrUnreachablePoseGivesNoForce) {
  const FalconKinematics kinematics;
  const std::array<std::int16_t, 3> zero{0, 0, 0};
  EXPECT_EQ(kinematics.MotorCommands({0, 0, 0.11}, {NAN, 0, 0}), zero);
  EXPECT_EQ(kinematics.MotorCommands({0, 0, 0.11}, {INFINITY, 0, 0}), zero);
  EXPECT_EQ(kinematics.MotorCommands({0, 0, 1.0}, {1, 0, 0}), zero);
}

}  // namespace
}  // namespace teersim::devices
