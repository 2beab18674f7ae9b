// Small plain-C++ helpers shared by the CPU image formers (fluoroscopy DRR,
// TEE B-mode): 3-vectors in the patient frame, an 8-bit RGB raster and a
// counter-based random generator (deterministic: the same key gives the same
// number on every machine, no wall clock).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace teersim::views {

using Vec3 = std::array<double, 3>;

inline Vec3 operator+(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Vec3 operator-(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline double Dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Vec3 Cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double Norm(const Vec3& a) { return std::sqrt(Dot(a, a)); }
inline Vec3 Normalized(const Vec3& a) {
  const double n = Norm(a);
  return n > 0.0 ? (1.0 / n) * a : Vec3{0.0, 0.0, 0.0};
}
// Vertex `i` of a flat x,y,z float array.
inline Vec3 VertexAt(const std::vector<float>& xyz, std::size_t i) {
  return {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]};
}

// 8-bit RGB raster, row 0 at the top (as written to PNG and seen on screen).
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3, 0) {}
  std::uint8_t* At(int x, int y) { return &rgb[(static_cast<std::size_t>(y) * width + x) * 3]; }
  const std::uint8_t* At(int x, int y) const {
    return &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
  }
};

// splitmix64 finaliser: a well-mixed 64-bit hash of a 64-bit key.
inline std::uint64_t Mix64(std::uint64_t key) {
  key += 0x9E3779B97F4A7C15ull;
  key = (key ^ (key >> 30)) * 0xBF58476D1CE4E5B9ull;
  key = (key ^ (key >> 27)) * 0x94D049BB133111EBull;
  return key ^ (key >> 31);
}
// Uniform in (0, 1), never 0 (safe for log).
inline double UniformOpen(std::uint64_t key) {
  return (static_cast<double>(Mix64(key) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
// Standard normal from two keyed uniforms (Box–Muller).
inline double Gaussian(std::uint64_t key) {
  constexpr double kTwoPi = 6.283185307179586;
  return std::sqrt(-2.0 * std::log(UniformOpen(key))) * std::cos(kTwoPi * UniformOpen(key ^ 0x5DEECE66Dull));
}
// FNV-1a of a string, to key noise by case name.
inline std::uint64_t HashString(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ull;
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return hash;
}

}  // namespace teersim::views
