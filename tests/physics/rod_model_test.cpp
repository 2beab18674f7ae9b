// Invalid instrument data is rejected with a message naming the key and the
// allowed range (STYLE.md: errors name file, line and key).
#include "physics/rod_model.h"

#include <gtest/gtest.h>

#include <string>

#include "base/data_file.h"
#include "base/input_error.h"
#include "physics/rod_spec_loader.h"
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

constexpr const char* kGuideYaml = R"(element_length_mm: 2
damping_per_s: 5
sections:
  - name: shaft
    length_mm: 800
    outer_diameter_Fr: 24
    inner_diameter_Fr: 21
    density_kg_per_m3: 1150
    bending_stiffness_Nm2: 0.02
    torsional_stiffness_Nm2: 0.015
    friction_static: 0.1
    friction_dynamic: 0.08
  - name: steerable tip
    length_mm: 40
    outer_diameter_Fr: 24
    inner_diameter_Fr: 21
    density_kg_per_m3: 1150
    bending_stiffness_Nm2: 0.004
    torsional_stiffness_Nm2: 0.003
    rest_curvature_per_m: [0, 0]
    friction_static: 0.1
    friction_dynamic: 0.08
steering:
  - name: "+/-"
    section: 1
    plane_angle_deg: 0
    knob_max_deg: 180
    bend_at_max_deg: 90
    backlash_deg: 5
)";

// Instrument data from YAML: units converted once (24 Fr = 8 mm).
TEST(RodSpecLoader, LoadsGuideFromYaml) {
  const RodSpec spec = LoadRodSpec(DataFile::Parse(kGuideYaml, "guide.yaml").Root());
  ASSERT_EQ(spec.sections.size(), 2u);
  EXPECT_NEAR(spec.sections[0].outer_diameter_m, 0.008, 1e-12);
  EXPECT_NEAR(spec.sections[1].length_m, 0.04, 1e-12);
  ASSERT_EQ(spec.steering.size(), 1u);
  EXPECT_NEAR(spec.steering[0].bend_at_max_rad, 3.14159265358979 / 2, 1e-12);
  EXPECT_EQ(RodModel::Build(spec).ElementCount(), 420);
}

std::string LoadError(std::string text) {
  try {
    LoadRodSpec(DataFile::Parse(text, "guide.yaml").Root());
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

// Bad values name file, line, key and range.
TEST(RodSpecLoader, RejectsBadValuesWithFileLineKey) {
  EXPECT_EQ(
      LoadError(Replace(kGuideYaml, "bending_stiffness_Nm2: 0.02", "bending_stiffness_Nm2: -1")),
      "guide.yaml:9: sections[0].bending_stiffness_Nm2: expected 0 to 100, got -1");
  EXPECT_NE(LoadError(Replace(kGuideYaml, "length_mm: 800", "length_mm: 0"))
                .find("guide.yaml:5: sections[0].length_mm: expected > 0"),
            std::string::npos);
  EXPECT_NE(LoadError(Replace(kGuideYaml, "inner_diameter_Fr: 21", "inner_diameter_Fr: 24"))
                .find("guide.yaml:7: sections[0].inner_diameter_Fr: expected 0 to less than "
                      "outer_diameter_Fr"),
            std::string::npos);
  EXPECT_NE(LoadError(Replace(kGuideYaml, "section: 1", "section: 2")).find("steering[0].section"),
            std::string::npos);
  EXPECT_NE(
      LoadError(Replace(kGuideYaml, "damping_per_s: 5", "dampign_per_s: 5")).find("dampign_per_s"),
      std::string::npos);
}

}  // namespace
}  // namespace teersim::physics
