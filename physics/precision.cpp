#include "physics/precision.h"

#include <LinearMath/btScalar.h>

namespace teersim::physics {

static_assert(sizeof(btScalar) == 8,
              "Bullet must be the double-precision build (pkg-config bullet-float64)");

std::size_t BulletScalarBytes() { return sizeof(btScalar); }

}  // namespace teersim::physics
