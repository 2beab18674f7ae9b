// A synthetic heart-in-thorax snapshot for developing and testing the imaging
// views until the generated anatomy lands: spine and ribs (bone), a heart
// shadow, LA/RA/LV/aortic root (blood pools), an oblique interatrial septum
// plate, mitral leaflets, a guide catheter through the septum and a clip.
// Every position below is a named constant so tests can predict projections.
#pragma once

#include "sim/snapshot.h"
#include "sim/views/imaging_math.h"

namespace teersim::views::test_scene {

// Interatrial septum: a 3 mm plate facing right-anterior (normal from LA to RA).
inline constexpr Vec3 kSeptumCentre_m{-0.02, 0.005, 0.03};
inline constexpr Vec3 kSeptumNormal{-0.6, -0.8, 0.0};  // unit
inline constexpr double kSeptumHalfThickness_m = 0.0015;
// The atria hug the septum from either side (1.8 cm from its mid-plane, radii
// 2.5 cm across and 3 cm tall), so their blood touches it.
inline constexpr double kAtriumOffset_m = 0.018;
inline constexpr Vec3 kLeftAtriumCentre_m{-0.02 + 0.6 * kAtriumOffset_m,
                                          0.005 + 0.8 * kAtriumOffset_m, 0.03};
inline constexpr Vec3 kRightAtriumCentre_m{-0.02 - 0.6 * kAtriumOffset_m,
                                           0.005 - 0.8 * kAtriumOffset_m, 0.03};
inline constexpr Vec3 kAtriumRadii_m{0.025, 0.025, 0.03};
inline constexpr Vec3 kAorticValve_m{-0.008, -0.028, 0.012};
inline constexpr double kSpineX_m = -0.01;
inline constexpr double kSpineY_m = 0.10;

// The synthetic snapshot, controls at their defaults, time 0.
sim::Snapshot SyntheticHeart();

}  // namespace teersim::views::test_scene
