// Small fixed-size linear algebra for the rod solver: 3-vectors, unit
// quaternions, 3x3 and 6x6 matrices. Plain aggregates (copyable, hashable bit
// for bit), no allocation, no Bullet types so physics headers stay free of
// third-party includes. Units are those of the caller (SI inside teersim).
#pragma once

#include <array>
#include <cmath>

namespace teersim::physics {

struct Vec3 {
  double x = 0.0, y = 0.0, z = 0.0;

  constexpr double operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
  constexpr double& operator[](int i) { return i == 0 ? x : (i == 1 ? y : z); }
  constexpr Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  constexpr Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  constexpr Vec3 operator-() const { return {-x, -y, -z}; }
  constexpr Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
  constexpr Vec3 operator/(double s) const { return {x / s, y / s, z / s}; }
  constexpr Vec3& operator+=(const Vec3& o) {
    x += o.x;
    y += o.y;
    z += o.z;
    return *this;
  }
  constexpr Vec3& operator-=(const Vec3& o) {
    x -= o.x;
    y -= o.y;
    z -= o.z;
    return *this;
  }
};

constexpr Vec3 operator*(double s, const Vec3& v) { return v * s; }
constexpr double Dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
constexpr Vec3 Cross(const Vec3& a, const Vec3& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double Norm(const Vec3& v) { return std::sqrt(Dot(v, v)); }
inline bool IsFinite(const Vec3& v) {
  return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

// Row-major 3x3.
struct Mat3 {
  std::array<double, 9> m{};

  static constexpr Mat3 Identity() { return Diagonal(1.0, 1.0, 1.0); }
  static constexpr Mat3 Diagonal(double a, double b, double c) {
    Mat3 r;
    r.m = {a, 0, 0, 0, b, 0, 0, 0, c};
    return r;
  }
  // [v]x: Skew(v) * w == Cross(v, w).
  static constexpr Mat3 Skew(const Vec3& v) {
    Mat3 r;
    r.m = {0, -v.z, v.y, v.z, 0, -v.x, -v.y, v.x, 0};
    return r;
  }
  // a b^T
  static constexpr Mat3 Outer(const Vec3& a, const Vec3& b) {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r.m[3 * i + j] = a[i] * b[j];
    return r;
  }
  constexpr double operator()(int i, int j) const { return m[3 * i + j]; }
  constexpr double& operator()(int i, int j) { return m[3 * i + j]; }
  constexpr Vec3 operator*(const Vec3& v) const {
    return {m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
            m[6] * v.x + m[7] * v.y + m[8] * v.z};
  }
  constexpr Mat3 operator*(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r.m[3 * i + j] = m[3 * i] * o.m[j] + m[3 * i + 1] * o.m[3 + j] + m[3 * i + 2] * o.m[6 + j];
    return r;
  }
  constexpr Mat3 operator+(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] + o.m[i];
    return r;
  }
  constexpr Mat3 operator-(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] - o.m[i];
    return r;
  }
  constexpr Mat3 operator*(double s) const {
    Mat3 r;
    for (int i = 0; i < 9; ++i) r.m[i] = m[i] * s;
    return r;
  }
  constexpr Mat3 Transposed() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r.m[3 * i + j] = m[3 * j + i];
    return r;
  }
  constexpr Vec3 Column(int j) const { return {m[j], m[3 + j], m[6 + j]}; }
};

// Inverse of a symmetric positive definite 3x3 (cofactors); precondition det > 0.
inline Mat3 InverseSpd(const Mat3& a) {
  Mat3 c;
  c(0, 0) = a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1);
  c(0, 1) = a(0, 2) * a(2, 1) - a(0, 1) * a(2, 2);
  c(0, 2) = a(0, 1) * a(1, 2) - a(0, 2) * a(1, 1);
  c(1, 0) = a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2);
  c(1, 1) = a(0, 0) * a(2, 2) - a(0, 2) * a(2, 0);
  c(1, 2) = a(0, 2) * a(1, 0) - a(0, 0) * a(1, 2);
  c(2, 0) = a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0);
  c(2, 1) = a(0, 1) * a(2, 0) - a(0, 0) * a(2, 1);
  c(2, 2) = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
  const double det = a(0, 0) * c(0, 0) + a(0, 1) * c(1, 0) + a(0, 2) * c(2, 0);
  return c * (1.0 / det);
}

// Unit quaternion (w, x, y, z) rotating body-frame vectors into the world.
struct Quat {
  double w = 1.0, x = 0.0, y = 0.0, z = 0.0;

  constexpr Vec3 Vec() const { return {x, y, z}; }
  constexpr Quat Conjugate() const { return {w, -x, -y, -z}; }
  constexpr Quat operator*(const Quat& o) const {
    return {w * o.w - x * o.x - y * o.y - z * o.z, w * o.x + x * o.w + y * o.z - z * o.y,
            w * o.y - x * o.z + y * o.w + z * o.x, w * o.z + x * o.y - y * o.x + z * o.w};
  }
  Quat Normalized() const {
    const double n = std::sqrt(w * w + x * x + y * y + z * z);
    return {w / n, x / n, y / n, z / n};
  }
  constexpr Mat3 Matrix() const {
    Mat3 r;
    r.m = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
           2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
           2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
    return r;
  }
  constexpr Vec3 Rotate(const Vec3& v) const { return Matrix() * v; }
};

// exp map: rotation by |v| radians about v/|v|.
inline Quat QuatFromRotationVector(const Vec3& v) {
  const double angle = Norm(v);
  if (angle < 1e-12) return Quat{1.0, 0.5 * v.x, 0.5 * v.y, 0.5 * v.z}.Normalized();
  const double s = std::sin(0.5 * angle) / angle;
  return {std::cos(0.5 * angle), v.x * s, v.y * s, v.z * s};
}

// log map, shortest rotation (angle in [0, pi]).
inline Vec3 RotationVector(const Quat& q) {
  const Quat p = q.w < 0.0 ? Quat{-q.w, -q.x, -q.y, -q.z} : q;
  const double s = Norm(p.Vec());
  if (s < 1e-12) return p.Vec() * 2.0;
  return p.Vec() * (2.0 * std::atan2(s, p.w) / s);
}

// Quaternion that turns unit vector a onto unit vector b (shortest arc).
inline Quat QuatFromTo(const Vec3& a, const Vec3& b) {
  const Vec3 c = Cross(a, b);
  const double d = Dot(a, b);
  if (d < -1.0 + 1e-12) {
    // Antiparallel: any axis perpendicular to a.
    Vec3 axis = std::abs(a.x) < 0.9 ? Cross(a, Vec3{1, 0, 0}) : Cross(a, Vec3{0, 1, 0});
    axis = axis / Norm(axis);
    return {0.0, axis.x, axis.y, axis.z};
  }
  return Quat{1.0 + d, c.x, c.y, c.z}.Normalized();
}

// Dense 6x6, row-major; used for the joint blocks of the rod's block-tridiagonal
// system. Layout of a 6-vector: [linear (3); angular (3)].
using Vec6 = std::array<double, 6>;
struct Mat6 {
  std::array<double, 36> m{};
  constexpr double operator()(int i, int j) const { return m[6 * i + j]; }
  constexpr double& operator()(int i, int j) { return m[6 * i + j]; }
};

// Block (r, c) of 3x3 inside a 6x6.
inline void SetBlock(Mat6& a, int r, int c, const Mat3& b) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) a(3 * r + i, 3 * c + j) = b(i, j);
}

inline void AddBlock(Mat6& a, int r, int c, const Mat3& b) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) a(3 * r + i, 3 * c + j) += b(i, j);
}

inline Mat6 Multiply(const Mat6& a, const Mat6& b) {
  Mat6 r;
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < 6; ++k) {
      const double aik = a(i, k);
      if (aik == 0.0) continue;
      for (int j = 0; j < 6; ++j) r(i, j) += aik * b(k, j);
    }
  return r;
}

// a * b^T, skipping zero entries of b (joint Jacobians are a quarter zero).
inline Mat6 MultiplyTransposed(const Mat6& a, const Mat6& b) {
  Mat6 r;
  for (int j = 0; j < 6; ++j)
    for (int k = 0; k < 6; ++k) {
      const double bjk = b(j, k);
      if (bjk == 0.0) continue;
      for (int i = 0; i < 6; ++i) r(i, j) += a(i, k) * bjk;
    }
  return r;
}

inline Vec6 Multiply(const Mat6& a, const Vec6& v) {
  Vec6 r{};
  for (int i = 0; i < 6; ++i) {
    double s = 0.0;
    for (int k = 0; k < 6; ++k) s += a(i, k) * v[k];
    r[i] = s;
  }
  return r;
}

// a^T v
inline Vec6 MultiplyTransposed(const Mat6& a, const Vec6& v) {
  Vec6 r{};
  for (int k = 0; k < 6; ++k) {
    const double vk = v[k];
    for (int i = 0; i < 6; ++i) r[i] += a(k, i) * vk;
  }
  return r;
}

// Cholesky factor L (lower) of a symmetric positive definite 6x6, with the
// reciprocals of its pivots so that solves multiply instead of divide.
struct Cholesky6 {
  Mat6 l;
  Vec6 inverse_pivot{};
};

// Factors `a`, reading only its lower triangle. Returns false when a pivot
// is not positive (the caller reports a fault).
inline bool CholeskyFactor(const Mat6& a, Cholesky6* f) {
  Mat6& l = f->l;
  for (int j = 0; j < 6; ++j) {
    double d = a(j, j);
    for (int k = 0; k < j; ++k) d -= l(j, k) * l(j, k);
    if (!(d > 0.0)) return false;
    d = std::sqrt(d);
    const double inverse = 1.0 / d;
    l(j, j) = d;
    f->inverse_pivot[static_cast<std::size_t>(j)] = inverse;
    for (int i = j + 1; i < 6; ++i) {
      double s = a(i, j);
      for (int k = 0; k < j; ++k) s -= l(i, k) * l(j, k);
      l(i, j) = s * inverse;
    }
  }
  return true;
}

// L^-1 b (forward substitution).
inline Vec6 SolveLower(const Cholesky6& f, Vec6 b) {
  for (int i = 0; i < 6; ++i) {
    double s = b[static_cast<std::size_t>(i)];
    for (int k = 0; k < i; ++k) s -= f.l(i, k) * b[static_cast<std::size_t>(k)];
    b[static_cast<std::size_t>(i)] = s * f.inverse_pivot[static_cast<std::size_t>(i)];
  }
  return b;
}

// L^-T b (back substitution).
inline Vec6 SolveUpper(const Cholesky6& f, Vec6 b) {
  for (int i = 5; i >= 0; --i) {
    double s = b[static_cast<std::size_t>(i)];
    for (int k = i + 1; k < 6; ++k) s -= f.l(k, i) * b[static_cast<std::size_t>(k)];
    b[static_cast<std::size_t>(i)] = s * f.inverse_pivot[static_cast<std::size_t>(i)];
  }
  return b;
}

// L^-1 B for all six columns of B at once: the same operations per column
// as SolveLower, ordered row by row so that the columns' independent chains
// overlap (in place: `x` may be `b`).
inline void SolveLowerColumns(const Cholesky6& f, const Mat6& b, Mat6* x) {
  for (int i = 0; i < 6; ++i) {
    double row[6];
    for (int c = 0; c < 6; ++c) row[c] = b(i, c);
    for (int k = 0; k < i; ++k) {
      const double lik = f.l(i, k);
      for (int c = 0; c < 6; ++c) row[c] -= lik * (*x)(k, c);
    }
    const double inverse = f.inverse_pivot[static_cast<std::size_t>(i)];
    for (int c = 0; c < 6; ++c) (*x)(i, c) = row[c] * inverse;
  }
}

// L^-T B for all six columns at once (in place: `x` may be `b`).
inline void SolveUpperColumns(const Cholesky6& f, const Mat6& b, Mat6* x) {
  for (int i = 5; i >= 0; --i) {
    double row[6];
    for (int c = 0; c < 6; ++c) row[c] = b(i, c);
    for (int k = i + 1; k < 6; ++k) {
      const double lki = f.l(k, i);
      for (int c = 0; c < 6; ++c) row[c] -= lki * (*x)(k, c);
    }
    const double inverse = f.inverse_pivot[static_cast<std::size_t>(i)];
    for (int c = 0; c < 6; ++c) (*x)(i, c) = row[c] * inverse;
  }
}

// Inverse of a symmetric positive definite 6x6 through its Cholesky factor;
// returns false when it is not positive definite.
inline bool InverseSpd(const Mat6& a, Mat6* inverse) {
  Cholesky6 f;
  if (!CholeskyFactor(a, &f)) return false;
  Mat6 identity;
  for (int i = 0; i < 6; ++i) identity(i, i) = 1.0;
  SolveLowerColumns(f, identity, inverse);
  SolveUpperColumns(f, *inverse, inverse);
  return true;
}

}  // namespace teersim::physics
