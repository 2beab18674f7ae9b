#include "physics/rod_model.h"

#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

#include "base/input_error.h"
#include "physics/spec_check.h"

namespace teersim::physics {
namespace {

// Plausibility bounds for instrument data, wide enough for any catheter,
// sheath, needle or guidewire (0.2 mm wire to 30 Fr sheath).
constexpr double kMaxDiameter_m = 0.02;
constexpr double kMaxLength_m = 3.0;
constexpr double kMinElementLength_m = 1.0e-4;
constexpr double kMaxDensity_kg_per_m3 = 25000.0;  // denser than any metal used
constexpr double kMaxStiffness_Nm2 = 100.0;        // far stiffer than a 30 Fr steel tube
constexpr double kMaxCurvature_per_m = 1000.0;     // 1 mm bend radius
constexpr double kMaxFriction = 2.0;
constexpr double kMaxKnob_rad = 4.0 * std::numbers::pi;

[[noreturn]] void Reject(const std::string& key, const std::string& expected, double got) {
  RejectSpecValue("rod spec", key, expected, got);
}

void CheckRange(const std::string& key, double value, double min, double max, bool min_open) {
  CheckSpecRange("rod spec", key, value, min, max, min_open);
}

void ValidateSection(const RodSectionSpec& s, const std::string& key) {
  CheckRange(key + ".length_m", s.length_m, 0.0, kMaxLength_m, true);
  CheckRange(key + ".outer_diameter_m", s.outer_diameter_m, 0.0, kMaxDiameter_m, true);
  CheckRange(key + ".inner_diameter_m", s.inner_diameter_m, 0.0, kMaxDiameter_m, false);
  if (s.inner_diameter_m >= s.outer_diameter_m) {
    Reject(key + ".inner_diameter_m",
           "0 to less than outer_diameter_m (" + std::to_string(s.outer_diameter_m) + ")",
           s.inner_diameter_m);
  }
  CheckRange(key + ".density_kg_per_m3", s.density_kg_per_m3, 0.0, kMaxDensity_kg_per_m3, true);
  CheckRange(key + ".bending_stiffness_Nm2", s.bending_stiffness_Nm2, 0.0, kMaxStiffness_Nm2, true);
  CheckRange(key + ".torsional_stiffness_Nm2", s.torsional_stiffness_Nm2, 0.0, kMaxStiffness_Nm2,
             true);
  CheckRange(key + ".rest_curvature_x_per_m", s.rest_curvature_x_per_m, -kMaxCurvature_per_m,
             kMaxCurvature_per_m, false);
  CheckRange(key + ".rest_curvature_y_per_m", s.rest_curvature_y_per_m, -kMaxCurvature_per_m,
             kMaxCurvature_per_m, false);
  CheckRange(key + ".friction_static", s.friction_static, 0.0, kMaxFriction, false);
  CheckRange(key + ".friction_dynamic", s.friction_dynamic, 0.0, s.friction_static, false);
}

void ValidateSpec(const RodSpec& spec) {
  if (spec.sections.empty()) Reject("sections", "at least 1 section (count)", 0);
  for (std::size_t i = 0; i < spec.sections.size(); ++i) {
    ValidateSection(spec.sections[i], "sections[" + std::to_string(i) + "]");
  }
  if (spec.steering.size() > 4) {
    Reject("steering", "at most 4 knobs (count)", static_cast<double>(spec.steering.size()));
  }
  for (std::size_t k = 0; k < spec.steering.size(); ++k) {
    const SteeringSpec& s = spec.steering[k];
    const std::string key = "steering[" + std::to_string(k) + "]";
    CheckRange(key + ".section", s.section, 0, static_cast<double>(spec.sections.size()) - 1,
               false);
    CheckRange(key + ".knob_max_rad", s.knob_max_rad, 0.0, kMaxKnob_rad, true);
    CheckRange(key + ".bend_at_max_rad", s.bend_at_max_rad, -2.0 * std::numbers::pi,
               2.0 * std::numbers::pi, false);
    CheckRange(key + ".backlash_rad", s.backlash_rad, 0.0, s.knob_max_rad, false);
    CheckRange(key + ".plane_angle_rad", s.plane_angle_rad, -2.0 * std::numbers::pi,
               2.0 * std::numbers::pi, false);
  }
  CheckRange("element_length_m", spec.element_length_m, kMinElementLength_m, kMaxLength_m, false);
  CheckRange("damping_per_s", spec.damping_per_s, 0.0, 1.0e4, false);
  CheckRange("contact_stiffness_N_per_m", spec.contact_stiffness_N_per_m, 0.0, 1.0e8, true);
  CheckRange("friction_stick_distance_m", spec.friction_stick_distance_m, 0.0, 1.0e-3, true);
  CheckRange("contact_margin_m", spec.contact_margin_m, 0.0, 0.01, false);
  CheckRange("max_penetration_m", spec.max_penetration_m, 0.0, 0.01, true);
  CheckRange("solver_iterations", spec.solver_iterations, 1, 50, false);
  CheckRange("solver_tolerance_m", spec.solver_tolerance_m, 0.0, 1.0e-3, false);
}

}  // namespace

double AreaMomentOfInertia(double outer_diameter_m, double inner_diameter_m) {
  const double ro = 0.5 * outer_diameter_m;
  const double ri = 0.5 * inner_diameter_m;
  return std::numbers::pi * (ro * ro * ro * ro - ri * ri * ri * ri) / 4.0;
}

RodModel RodModel::Build(const RodSpec& spec) {
  ValidateSpec(spec);
  RodModel model;
  model.spec_ = spec;

  // Split each section into equal rigid elements no longer than
  // element_length_m; mass and inertia of a hollow cylinder segment.
  for (std::size_t s = 0; s < spec.sections.size(); ++s) {
    const RodSectionSpec& section = spec.sections[s];
    const int count =
        std::max(1, static_cast<int>(std::ceil(section.length_m / spec.element_length_m - 1e-9)));
    const double length = section.length_m / count;
    const double ro = 0.5 * section.outer_diameter_m;
    const double ri = 0.5 * section.inner_diameter_m;
    const double mass = section.density_kg_per_m3 * std::numbers::pi * (ro * ro - ri * ri) * length;
    model.section_starts_.push_back(static_cast<int>(model.elements_.size()));
    for (int e = 0; e < count; ++e) {
      RodElement element;
      element.section = static_cast<int>(s);
      element.length_m = length;
      element.mass_kg = mass;
      element.inertia_axial_kg_m2 = 0.5 * mass * (ro * ro + ri * ri);
      element.inertia_bending_kg_m2 = mass * (3.0 * (ro * ro + ri * ri) + length * length) / 12.0;
      element.outer_radius_m = ro;
      element.rest_curvature_per_m = {section.rest_curvature_x_per_m,
                                      section.rest_curvature_y_per_m, 0.0};
      element.friction_static = section.friction_static;
      element.friction_dynamic = section.friction_dynamic;
      model.elements_.push_back(element);
    }
    model.total_length_m_ += section.length_m;
  }
  model.section_starts_.push_back(static_cast<int>(model.elements_.size()));

  // Joint compliance: the two half-elements on either side of a joint act as
  // springs in series, alpha = l_a / (2 EI_a) + l_b / (2 EI_b); joint 0 (the
  // clamp at the handle) has only the distal half of element 0. This makes the
  // discrete bending energy the midpoint/trapezoid quadrature of
  // 1/2 EI (kappa - kappa0)^2 along the rod (see physics/README.md).
  const auto half_compliance = [&](int e) {
    const RodSectionSpec& s = spec.sections[model.elements_[e].section];
    const double half = 0.5 * model.elements_[e].length_m;
    return Vec3{half / s.bending_stiffness_Nm2, half / s.bending_stiffness_Nm2,
                half / s.torsional_stiffness_Nm2};
  };
  for (int j = 0; j < model.ElementCount(); ++j) {
    RodJoint joint;
    joint.rotational_compliance = half_compliance(j);
    if (j > 0) joint.rotational_compliance += half_compliance(j - 1);
    model.joints_.push_back(joint);
  }
  return model;
}

}  // namespace teersim::physics
