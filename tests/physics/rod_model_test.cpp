// Invalid instrument data is rejected with a message naming the key and the
// allowed range (STYLE.md: errors name file, line and key).
#include <gtest/gtest.h>

#include <string>

#include "base/input_error.h"
#include "physics/rod_model.h"
#include "tests/physics/rod_test_util.h"

namespace teersim::physics {
namespace {

using testing::UniformRodSpec;

std::string BuildError(const RodSpec& spec) {
  try {
    RodModel::Build(spec);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

RodSpec Valid() { return UniformRodSpec(0.1, 10, 1e-3, 1e-3); }

TEST(RodModel, RejectsNegativeStiffness) {
  RodSpec spec = Valid();
  spec.sections[0].bending_stiffness_Nm2 = -1.0;
  const std::string message = BuildError(spec);
  EXPECT_NE(message.find("sections[0].bending_stiffness_Nm2"), std::string::npos) << message;
  EXPECT_NE(message.find("expected > 0"), std::string::npos) << message;
  EXPECT_NE(message.find("got -1"), std::string::npos) << message;
}

TEST(RodModel, RejectsZeroLength) {
  RodSpec spec = Valid();
  spec.sections.push_back(spec.sections[0]);
  spec.sections[1].length_m = 0.0;
  const std::string message = BuildError(spec);
  EXPECT_NE(message.find("sections[1].length_m: expected > 0"), std::string::npos) << message;
}

TEST(RodModel, RejectsInnerDiameterNotBelowOuter) {
  RodSpec spec = Valid();
  spec.sections[0].inner_diameter_m = spec.sections[0].outer_diameter_m;
  const std::string message = BuildError(spec);
  EXPECT_NE(message.find("sections[0].inner_diameter_m"), std::string::npos) << message;
  EXPECT_NE(message.find("less than outer_diameter_m"), std::string::npos) << message;
}

TEST(RodModel, RejectsOtherBadValues) {
  RodSpec spec = Valid();
  spec.sections[0].friction_dynamic = 0.5;
  spec.sections[0].friction_static = 0.2;
  EXPECT_NE(BuildError(spec).find("sections[0].friction_dynamic"), std::string::npos);
  spec = Valid();
  spec.sections[0].torsional_stiffness_Nm2 = 0.0;
  EXPECT_NE(BuildError(spec).find("sections[0].torsional_stiffness_Nm2"), std::string::npos);
  spec = Valid();
  spec.sections[0].density_kg_per_m3 = std::nan("");
  EXPECT_NE(BuildError(spec).find("sections[0].density_kg_per_m3"), std::string::npos);
  spec = Valid();
  spec.steering.push_back(SteeringSpec{"knob", 3, 0.0, 1.0, 1.0, 0.0});
  EXPECT_NE(BuildError(spec).find("steering[0].section"), std::string::npos);
  spec = Valid();
  spec.sections.clear();
  EXPECT_NE(BuildError(spec).find("sections"), std::string::npos);
}

// Elements: each section splits into equal elements no longer than asked;
// hollow-section I = pi (ro^4 - ri^4) / 4.
TEST(RodModel, CompilesSectionsIntoElements) {
  RodSpec spec = Valid();
  spec.sections.push_back(spec.sections[0]);
  spec.sections[1].length_m = 0.025;
  spec.element_length_m = 0.01;
  const RodModel model = RodModel::Build(spec);
  EXPECT_EQ(model.ElementCount(), 13);
  EXPECT_EQ(model.SectionStarts(), (std::vector<int>{0, 10, 13}));
  EXPECT_NEAR(model.Elements()[12].length_m, 0.025 / 3, 1e-15);
  EXPECT_NEAR(model.TotalLength(), 0.125, 1e-15);
  EXPECT_NEAR(AreaMomentOfInertia(2.0, 1.0), 3.14159265358979 * (1.0 - 1.0 / 16) / 4, 1e-12);
}

}  // namespace
}  // namespace teersim::physics
