#include "devices/controls.h"

#include <gtest/gtest.h>

#include <set>

namespace teersim::devices {
namespace {

TEST(Controls, NamesAreUniqueAndFindable) {
  std::set<std::string_view> names;
  for (const auto& info : AllControls()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    ASSERT_TRUE(FindControl(info.name).has_value());
    EXPECT_EQ(*FindControl(info.name), info.id);
    EXPECT_LE(info.min_value, info.default_value) << info.name;
    EXPECT_GE(info.max_value, info.default_value) << info.name;
  }
  EXPECT_FALSE(FindControl("guide.speed").has_value());
}

TEST(Controls, EdgeUnitsConvertToSi) {
  EXPECT_DOUBLE_EQ(EdgeToSi(ControlUnit::kMetre, 25.0), 0.025);
  EXPECT_NEAR(EdgeToSi(ControlUnit::kRadian, 180.0), 3.141592653589793, 1e-15);
  EXPECT_DOUBLE_EQ(SiToEdge(ControlUnit::kMetre, EdgeToSi(ControlUnit::kMetre, 12.5)), 12.5);
}

}  // namespace
}  // namespace teersim::devices
