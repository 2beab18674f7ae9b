// Small 3-vector algebra on frame::Vec3 (patient frame, metres) for the
// anatomy generator and its measurements. Plain functions, no dependencies.
#pragma once

#include <cmath>

#include "base/patient_frame.h"

namespace teersim::scenes {

using frame::Vec3;

inline Vec3 operator+(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
inline Vec3 operator-(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
inline Vec3 operator-(const Vec3& a) { return {-a[0], -a[1], -a[2]}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline Vec3 operator*(const Vec3& a, double s) { return s * a; }
inline double Dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Vec3 Cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double Norm(const Vec3& a) { return std::sqrt(Dot(a, a)); }
inline double Distance(const Vec3& a, const Vec3& b) { return Norm(a - b); }
// Unit vector along `a`; `a` must not be zero.
inline Vec3 Normalized(const Vec3& a) { return (1.0 / Norm(a)) * a; }
inline Vec3 Lerp(const Vec3& a, const Vec3& b, double t) { return a + t * (b - a); }

// An orthonormal frame: columns x, y, z expressed in the patient frame.
struct Basis {
  Vec3 x{1, 0, 0};
  Vec3 y{0, 1, 0};
  Vec3 z{0, 0, 1};
  // Local coordinates (a, b, c) -> patient-frame direction a·x + b·y + c·z.
  Vec3 operator()(double a, double b, double c) const { return a * x + b * y + c * z; }
};

// A right-handed basis whose z is `z_axis` and whose x is as close as
// possible to `x_hint` (which must not be parallel to z_axis).
inline Basis BasisFromZ(const Vec3& z_axis, const Vec3& x_hint) {
  Basis basis;
  basis.z = Normalized(z_axis);
  basis.x = Normalized(x_hint - Dot(x_hint, basis.z) * basis.z);
  basis.y = Cross(basis.z, basis.x);
  return basis;
}

}  // namespace teersim::scenes
