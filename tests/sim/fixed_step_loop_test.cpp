#include "sim/fixed_step_loop.h"

#include <gtest/gtest.h>

namespace teersim::sim {
namespace {

TEST(FixedStepLoop, WholeStepsAndRemainderCarryOver) {
  FixedStepLoop loop(/*step_s=*/0.001, /*max_steps_per_frame=*/100);
  EXPECT_EQ(loop.Advance(0.0165), 16);  // 60 Hz frame
  EXPECT_NEAR(loop.Alpha(), 0.5, 1e-9);
  EXPECT_EQ(loop.Advance(0.0165), 17);  // the half step carried over completes
  EXPECT_EQ(loop.TotalSteps(), 33);
  EXPECT_DOUBLE_EQ(loop.DroppedTime_s(), 0.0);
}

TEST(FixedStepLoop, CapDropsExcessInsteadOfSpiralling) {
  FixedStepLoop loop(0.001, 50);
  EXPECT_EQ(loop.Advance(0.5), 50);  // a half-second stall
  EXPECT_NEAR(loop.DroppedTime_s(), 0.45, 1e-9);
  EXPECT_LT(loop.Alpha(), 1.0);
  EXPECT_EQ(loop.Advance(0.001), 1);  // and the next frame is normal again
}

TEST(FixedStepLoop, IgnoresNonPositiveOrNonFiniteTime) {
  FixedStepLoop loop(0.001, 10);
  EXPECT_EQ(loop.Advance(-1.0), 0);
  EXPECT_EQ(loop.Advance(std::numeric_limits<double>::infinity()), 0);
  EXPECT_EQ(loop.Advance(std::numeric_limits<double>::quiet_NaN()), 0);
  EXPECT_EQ(loop.TotalSteps(), 0);
}

}  // namespace
}  // namespace teersim::sim
