#include "physics/precision.h"

#include <LinearMath/btScalar.h>
#include <gtest/gtest.h>

namespace teersim::physics {
namespace {

// Issue #2: Bullet must be linked in double precision (pkg-config bullet-float64).
TEST(Precision, BulletIsDoublePrecision) {
  EXPECT_EQ(sizeof(btScalar), 8u);
  EXPECT_EQ(BulletScalarBytes(), 8u);
}

}  // namespace
}  // namespace teersim::physics
