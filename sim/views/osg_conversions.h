// The one place where patient-frame data becomes OSG data. OSG has no fixed
// world convention; teersim draws in the patient frame (LPS, metres) directly,
// so the conversion is a copy, and cameras state their eye, centre and up in
// LPS. Remember that OSG matrices are row-vector (v' = v * M).
#pragma once

#include <osg/Vec3d>
#include <osg/Vec4>

#include <array>

namespace teersim::views {

inline osg::Vec3d ToOsg(const std::array<double, 3>& p_P) { return {p_P[0], p_P[1], p_P[2]}; }
inline osg::Vec4 ToOsg(const std::array<float, 4>& rgba) {
  return {rgba[0], rgba[1], rgba[2], rgba[3]};
}

}  // namespace teersim::views
