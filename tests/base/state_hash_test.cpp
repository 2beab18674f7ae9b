#include "base/state_hash.h"

#include <gtest/gtest.h>

#include <cmath>

namespace teersim {
namespace {

TEST(StateHasher, EmptyHashIsTheFnvOffsetBasis) {
  // FNV-1a 64-bit offset basis (Fowler–Noll–Vo reference parameters).
  EXPECT_EQ(StateHasher().Value(), 14695981039346656037ull);
}

TEST(StateHasher, KnownFnv1aValueOfAString) {
  // FNV-1a 64 of the bytes "a" is 0xaf63dc4c8601ec8c (reference test vector).
  StateHasher hasher;
  hasher.AddBytes("a", 1);
  EXPECT_EQ(hasher.Value(), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(hasher.Hex(), "af63dc4c8601ec8c");
}

TEST(StateHasher, DistinguishesSignedZeroAndTinyDifferences) {
  EXPECT_NE(StateHasher().Add(0.0).Value(), StateHasher().Add(-0.0).Value());
  EXPECT_NE(StateHasher().Add(1.0).Value(), StateHasher().Add(std::nextafter(1.0, 2.0)).Value());
  EXPECT_EQ(StateHasher().Add(0.1).Value(), StateHasher().Add(0.1).Value());
}

TEST(StateHasher, OrderMatters) {
  EXPECT_NE(StateHasher().Add(1.0).Add(2.0).Value(), StateHasher().Add(2.0).Add(1.0).Value());
}

}  // namespace
}  // namespace teersim
