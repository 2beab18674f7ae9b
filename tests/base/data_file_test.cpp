#include "base/data_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/input_error.h"

namespace teersim {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(DataFile, ReadsNumbersInRange) {
  const DataFile file = DataFile::Parse("anatomy:\n  annulus_ap_mm: 31\n", "case.yaml");
  EXPECT_DOUBLE_EQ(file.Root().Child("anatomy").Child("annulus_ap_mm").Number(20, 45), 31.0);
}

TEST(DataFile, OutOfRangeNamesFileLineKeyAndRange) {
  const DataFile file = DataFile::Parse("name: x\nanatomy:\n  annulus_ap_mm: -3\n", "p2.yaml");
  const std::string error =
      ErrorOf([&] { file.Root().Child("anatomy").Child("annulus_ap_mm").Number(20, 45); });
  EXPECT_EQ(error, "p2.yaml:3: anatomy.annulus_ap_mm: expected 20 to 45, got -3");
}

TEST(DataFile, MissingKeyNamesTheKeyPath) {
  const DataFile file = DataFile::Parse("anatomy:\n  other: 1\n", "c.yaml");
  EXPECT_THAT(ErrorOf([&] { file.Root().Child("anatomy").Child("annulus_ap_mm"); }),
              HasSubstr("c.yaml:2: anatomy.annulus_ap_mm: missing key"));
}

TEST(DataFile, UnknownKeyIsAnErrorWithItsLine) {
  const DataFile file = DataFile::Parse("seed: 1\nsede: 2\n", "c.yaml");
  EXPECT_THAT(ErrorOf([&] { file.Root().ExpectOnlyKeys({"seed"}); }),
              HasSubstr("c.yaml:2: sede: unknown key (allowed: seed)"));
}

TEST(DataFile, NonNumberIsReported) {
  const DataFile file = DataFile::Parse("rate: fast\n", "c.yaml");
  EXPECT_THAT(ErrorOf([&] { file.Root().Child("rate").Number(0, 10); }),
              HasSubstr("c.yaml:1: rate: expected a number, got 'fast'"));
}

TEST(DataFile, SyntaxErrorNamesTheLine) {
  EXPECT_THAT(ErrorOf([] { DataFile::Parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); }),
              HasSubstr("bad.yaml:"));
  EXPECT_THAT(ErrorOf([] { DataFile::Parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); }),
              HasSubstr("YAML syntax error"));
}

TEST(DataFile, MissingFileIsAnInputError) {
  EXPECT_THAT(ErrorOf([] { DataFile::Load("/nonexistent/case.yaml"); }),
              HasSubstr("/nonexistent/case.yaml: cannot open file"));
}

TEST(DataFile, OneOfListsTheChoices) {
  const DataFile file = DataFile::Parse("type: rheumatic\n", "c.yaml");
  EXPECT_THAT(ErrorOf([&] { file.Root().Child("type").OneOf({"degenerative", "functional"}); }),
              HasSubstr("expected one of degenerative, functional, got 'rheumatic'"));
}

TEST(DataFile, ItemsCarryIndexedKeyPaths) {
  const DataFile file = DataFile::Parse("keyframes:\n  - {t_s: 1}\n  - {t_s: -1}\n", "s.yaml");
  const auto items = file.Root().Child("keyframes").Items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_THAT(ErrorOf([&] { items[1].Child("t_s").Number(0, 10); }),
              HasSubstr("s.yaml:3: keyframes[1].t_s: expected 0 to 10, got -1"));
}

TEST(DataFile, TopLevelMustBeAMapping) {
  EXPECT_THAT(ErrorOf([] { DataFile::Parse("- 1\n- 2\n", "l.yaml"); }),
              HasSubstr("expected a YAML mapping"));
}

}  // namespace
}  // namespace teersim
