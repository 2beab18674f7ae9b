#include "scenes/case_description.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "base/input_error.h"
#include "scenes/case_library.h"

namespace teersim::scenes {
namespace {

using ::testing::HasSubstr;

std::filesystem::path WriteCase(const std::string& name, const std::string& text) {
  // One directory per test process (ctest runs tests in parallel).
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / ("case-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".yaml");
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kValidCase =
    "name: tiny\ntitle: Tiny\nobjective: test\nseed: 7\n"
    "lesion:\n  type: functional\n  summary: gap 3 mm\n"
    "physiology:\n  heart_rate_bpm: 60\n";

TEST(CaseDescription, LoadsAndConvertsHeartRateToHertz) {
  const auto description = LoadCaseDescription(WriteCase("tiny", kValidCase));
  EXPECT_EQ(description.name, "tiny");
  EXPECT_EQ(description.seed, 7u);
  EXPECT_EQ(description.lesion.type, LesionType::kFunctional);
  EXPECT_DOUBLE_EQ(description.heart_rate_hz, 1.0);
}

TEST(CaseDescription, HeartRateOutOfRangeNamesFileLineAndKey) {
  std::string text = kValidCase;
  text.replace(text.find("60"), 2, "400");
  const auto path = WriteCase("tiny", text);
  try {
    LoadCaseDescription(path);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr(path.string() + ":9: physiology.heart_rate_bpm: expected 30 to 180, got 400"));
  }
}

TEST(CaseDescription, NameMustMatchFile) {
  EXPECT_THROW(LoadCaseDescription(WriteCase("other", kValidCase)), InputError);
}

TEST(CaseDescription, UnknownTopLevelKeyIsRejected) {
  EXPECT_THROW(LoadCaseDescription(WriteCase("tiny", std::string(kValidCase) + "lesoin: {}\n")),
               InputError);
}

TEST(CaseLibrary, DefaultCaseIsInTheLibrary) {
  const auto cases = ListStockCases();
  ASSERT_FALSE(cases.empty());
  EXPECT_TRUE(std::any_of(cases.begin(), cases.end(),
                          [](const auto& c) { return c.name == kDefaultCaseName; }));
}

TEST(CaseLibrary, UnknownCaseListsStockCases) {
  try {
    ResolveCase("no_such_case");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("unknown case 'no_such_case' (stock cases: "));
    EXPECT_THAT(error.what(), HasSubstr(kDefaultCaseName));
  }
}

}  // namespace
}  // namespace teersim::scenes
