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

inline Vec3 operator+(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
inline Vec3 operator-(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
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
// Approximately standard normal: the sum of four 16-bit uniforms from one
// hash, centred and scaled to unit variance (Irwin–Hall, central limit). Tails
// stop at ±3.46σ, plenty for image noise, and no transcendental functions:
// the noise of a frame costs one hash per sample.
inline double Gaussian(std::uint64_t key) {
  const std::uint64_t bits = Mix64(key);
  const double sum = static_cast<double>((bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) +
                                         ((bits >> 32) & 0xFFFF) + (bits >> 48)) /
                     65536.0;
  constexpr double kScale = 1.7320508075688772;  // √3: the sum of four U(0,1) has variance 1/3
  return (sum - 2.0) * kScale;
}
// FNV-1a of a string, to key noise by case name.
inline std::uint64_t HashString(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ull;
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return hash;
}

}  // namespace teersim::views
