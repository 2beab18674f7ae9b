// Floating-point precision of the physics engine. teersim links Bullet's
// double-precision build (pkg-config bullet-float64): millimetre-scale contact
// on a metre-long catheter loses too much in single precision.
#pragma once

#include <cstddef>

namespace teersim::physics {

// sizeof(btScalar) as compiled into the physics library; 8 when Bullet was
// linked in double precision.
std::size_t BulletScalarBytes();

}  // namespace teersim::physics
