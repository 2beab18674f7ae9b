// Hash of simulation state for determinism checks: 64-bit FNV-1a over the exact
// bit patterns of the values fed in (so -0.0 != +0.0 and NaN payloads count).
// Two runs are "bit-for-bit identical" when their hashes agree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace teersim {

class StateHasher {
 public:
  StateHasher& Add(double value);
  StateHasher& Add(std::int64_t value);
  StateHasher& Add(std::uint64_t value);
  StateHasher& Add(bool value);
  StateHasher& Add(std::span<const double> values);
  StateHasher& Add(std::string_view text);
  StateHasher& AddBytes(const void* data, std::size_t size);

  std::uint64_t Value() const { return hash_; }
  // 16 lowercase hex digits.
  std::string Hex() const;

 private:
  static constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  static constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash_ = kOffsetBasis;
};

}  // namespace teersim
