// The one patient frame of teersim: DICOM LPS.
//
//   origin  the centre of the mitral annulus at end-diastole (scenes/ places it)
//   +x      towards the patient's Left
//   +y      towards the patient's Posterior (back)
//   +z      towards the patient's Superior (head)
//
// Right-handed, metres. Imported CT/MR segmentations exported in LPS need no
// conversion; those in RAS (3D Slicer's default) flip x and y on import.
// Positions are named p_<Frame><Point> where the frame matters (p_P_fossa: fossa
// centre expressed in the patient frame P). Conversions to Bullet and OSG
// conventions live in physics/ and sim/views/ respectively, one file each.
#pragma once

#include <array>

namespace teersim::frame {

using Vec3 = std::array<double, 3>;

inline constexpr Vec3 kLeft{1.0, 0.0, 0.0};
inline constexpr Vec3 kPosterior{0.0, 1.0, 0.0};
inline constexpr Vec3 kSuperior{0.0, 0.0, 1.0};

}  // namespace teersim::frame
