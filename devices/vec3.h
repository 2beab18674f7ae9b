// The 3-vector of devices/: positions (m) and forces (N) of haptic devices in
// the device's own frame. devices/ knows no physics or graphics types.
#pragma once

#include <array>

namespace teersim::devices {

using Vec3 = std::array<double, 3>;

}  // namespace teersim::devices
