#include "base/state_hash.h"

#include <bit>
#include <cstdio>

namespace teersim {

StateHasher& StateHasher::AddBytes(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash_ ^= bytes[i];
    hash_ *= kPrime;
  }
  return *this;
}

StateHasher& StateHasher::Add(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  return AddBytes(&bits, sizeof bits);
}
StateHasher& StateHasher::Add(std::int64_t value) { return AddBytes(&value, sizeof value); }
StateHasher& StateHasher::Add(std::uint64_t value) { return AddBytes(&value, sizeof value); }
StateHasher& StateHasher::Add(bool value) {
  const unsigned char byte = value ? 1 : 0;
  return AddBytes(&byte, 1);
}
StateHasher& StateHasher::Add(std::span<const double> values) {
  Add(static_cast<std::uint64_t>(values.size()));
  for (double value : values) Add(value);
  return *this;
}
StateHasher& StateHasher::Add(std::string_view text) {
  Add(static_cast<std::uint64_t>(text.size()));
  return AddBytes(text.data(), text.size());
}

std::string StateHasher::Hex() const {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash_));
  return buffer;
}

}  // namespace teersim
