#include "base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace teersim::log {
namespace {

TEST(Log, LevelFiltersMessagesAndSinkReceivesThem) {
  std::vector<std::pair<Level, std::string>> seen;
  SetSinkForTesting([&](Level level, std::string_view message) { seen.emplace_back(level, message); });
  SetLevel(Level::kWarn);
  Info("dropped");
  Warn("device unplugged");
  Error("physics fault");
  SetSinkForTesting(nullptr);
  SetLevel(Level::kInfo);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, Level::kWarn);
  EXPECT_EQ(seen[0].second, "device unplugged");
  EXPECT_EQ(seen[1].first, Level::kError);
}

TEST(Log, ParseLevel) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &level));
  EXPECT_EQ(level, Level::kDebug);
}

}  // namespace
}  // namespace teersim::log
