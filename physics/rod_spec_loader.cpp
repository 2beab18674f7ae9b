#include "physics/rod_spec_loader.h"

#include <string>

#include "base/units.h"

namespace teersim::physics {
namespace {

// Plausibility ranges for instrument data (any catheter, sheath, needle or
// guidewire fits inside them).
constexpr double kMaxLength_mm = 3000.0;
constexpr double kMaxDiameter_Fr = 60.0;
constexpr double kMinDensity = 100.0, kMaxDensity = 25000.0;
constexpr double kMaxStiffness_Nm2 = 100.0;
constexpr double kMaxCurvature_per_m = 1000.0;
constexpr double kMaxFriction = 2.0;
constexpr double kMaxAngle_deg = 720.0;
constexpr int kMaxSteeringKnobs = 4;

// A value in (0, max]: Number checks a closed range, so reject 0 here.
double Positive(const Field& field, double max) {
  const double value = field.Number(0.0, max);
  if (value <= 0.0)
    field.Fail("expected > 0 and <= " + std::to_string(max) + ", got " + std::to_string(value));
  return value;
}

RodSectionSpec LoadSection(const Field& f) {
  f.ExpectOnlyKeys({"name", "length_mm", "outer_diameter_Fr", "inner_diameter_Fr",
                    "density_kg_per_m3", "bending_stiffness_Nm2", "torsional_stiffness_Nm2",
                    "rest_curvature_per_m", "friction_static", "friction_dynamic"});
  RodSectionSpec s;
  s.name = f.Child("name").String();
  s.length_m = units::MmToM(Positive(f.Child("length_mm"), kMaxLength_mm));
  const double outer_Fr = Positive(f.Child("outer_diameter_Fr"), kMaxDiameter_Fr);
  const Field inner = f.Child("inner_diameter_Fr");
  const double inner_Fr = inner.Number(0.0, kMaxDiameter_Fr);
  if (inner_Fr >= outer_Fr) {
    inner.Fail("expected 0 to less than outer_diameter_Fr (" + std::to_string(outer_Fr) +
               "), got " + std::to_string(inner_Fr));
  }
  s.outer_diameter_m = units::FrToM(outer_Fr);
  s.inner_diameter_m = units::FrToM(inner_Fr);
  s.density_kg_per_m3 = f.Child("density_kg_per_m3").Number(kMinDensity, kMaxDensity);
  s.bending_stiffness_Nm2 = Positive(f.Child("bending_stiffness_Nm2"), kMaxStiffness_Nm2);
  s.torsional_stiffness_Nm2 = Positive(f.Child("torsional_stiffness_Nm2"), kMaxStiffness_Nm2);
  if (const auto curvature = f.OptionalChild("rest_curvature_per_m")) {
    const std::vector<Field> items = curvature->Items();
    if (items.size() != 2)
      curvature->Fail("expected [kappa_x, kappa_y], got " + std::to_string(items.size()) +
                      " values");
    s.rest_curvature_x_per_m = items[0].Number(-kMaxCurvature_per_m, kMaxCurvature_per_m);
    s.rest_curvature_y_per_m = items[1].Number(-kMaxCurvature_per_m, kMaxCurvature_per_m);
  }
  s.friction_static = f.Child("friction_static").Number(0.0, kMaxFriction);
  s.friction_dynamic = f.Child("friction_dynamic").Number(0.0, s.friction_static);
  return s;
}

SteeringSpec LoadKnob(const Field& f, int section_count) {
  f.ExpectOnlyKeys(
      {"name", "section", "plane_angle_deg", "knob_max_deg", "bend_at_max_deg", "backlash_deg"});
  SteeringSpec k;
  k.name = f.Child("name").String();
  k.section = static_cast<int>(f.Child("section").Integer(0, section_count - 1));
  k.plane_angle_rad = units::DegToRad(f.Child("plane_angle_deg").Number(-360.0, 360.0));
  const double knob_max_deg = Positive(f.Child("knob_max_deg"), kMaxAngle_deg);
  k.knob_max_rad = units::DegToRad(knob_max_deg);
  k.bend_at_max_rad = units::DegToRad(f.Child("bend_at_max_deg").Number(-360.0, 360.0));
  k.backlash_rad = units::DegToRad(f.Child("backlash_deg").Number(0.0, knob_max_deg));
  return k;
}

}  // namespace

RodSpec LoadRodSpec(const Field& instrument) {
  instrument.ExpectOnlyKeys({"element_length_mm", "damping_per_s", "sections", "steering"});
  RodSpec spec;
  spec.element_length_m = units::MmToM(instrument.Child("element_length_mm").Number(0.1, 50.0));
  spec.damping_per_s = instrument.NumberOr("damping_per_s", 0.0, 0.0, 1000.0);
  const Field sections = instrument.Child("sections");
  for (const Field& section : sections.Items()) spec.sections.push_back(LoadSection(section));
  if (spec.sections.empty()) sections.Fail("expected at least 1 section, got 0");
  if (const auto steering = instrument.OptionalChild("steering")) {
    const std::vector<Field> knobs = steering->Items();
    if (knobs.size() > kMaxSteeringKnobs) {
      steering->Fail("expected at most " + std::to_string(kMaxSteeringKnobs) + " knobs, got " +
                     std::to_string(knobs.size()));
    }
    for (const Field& knob : knobs)
      spec.steering.push_back(LoadKnob(knob, static_cast<int>(spec.sections.size())));
  }
  // Cross-checks not expressible per key fall to RodModel::Build.
  RodModel::Build(spec);
  return spec;
}

}  // namespace teersim::physics
