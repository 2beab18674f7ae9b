// RodModel: the immutable description of one catheter, sheath, needle or
// guidewire as a discrete Cosserat rod (see physics/README.md for the
// formulation). Built once from a RodSpec (SI units, lengths in metres,
// stiffness in N m^2); RodModel::Build validates every value and throws
// teersim::InputError naming the key ("sections[1].inner_diameter_m") and the
// allowed range. Everything that changes lives in RodState (rod_state.h).
//
// Frames: the rod's material frame has its z axis along the centreline
// (proximal -> distal); x and y are the two bending axes. World frame = patient
// frame LPS, metres (base/patient_frame.h).
#pragma once

#include <string>
#include <vector>

#include "physics/rod_math.h"

namespace teersim::physics {

// One section of uniform material, proximal to distal.
struct RodSectionSpec {
  std::string name;
  double length_m = 0.0;
  double outer_diameter_m = 0.0;
  double inner_diameter_m = 0.0;  // 0 for a solid wire
  double density_kg_per_m3 = 0.0;
  double bending_stiffness_Nm2 = 0.0;    // EI
  double torsional_stiffness_Nm2 = 0.0;  // GJ, independent of EI (braided shafts)
  // Pre-curved rest shape: curvature about the material x and y axes (1/m).
  double rest_curvature_x_per_m = 0.0;
  double rest_curvature_y_per_m = 0.0;
  double friction_static = 0.0;   // Coulomb mu_s against anatomy
  double friction_dynamic = 0.0;  // Coulomb mu_d <= mu_s
};

// A pull-wire knob bending one section in one plane. The knob angle passes
// through a play (backlash) operator of width `backlash_rad`, then maps
// linearly to a uniform curvature of the section that bends it by
// `bend_at_max_rad` in total at `knob_max_rad`; beyond +-knob_max_rad the
// curvature saturates. The bend plane is the material direction at angle
// `plane_angle_rad` from material x towards material y: a positive knob turns
// the tip towards that direction.
struct SteeringSpec {
  std::string name;  // e.g. "guide +/-", "sleeve A/P", "sleeve M/L"
  int section = 0;   // index into RodSpec::sections
  double plane_angle_rad = 0.0;
  double knob_max_rad = 0.0;
  double bend_at_max_rad = 0.0;
  double backlash_rad = 0.0;
};

struct RodSpec {
  std::vector<RodSectionSpec> sections;
  std::vector<SteeringSpec> steering;
  // Target element length; each section is split into ceil(length / this)
  // equal elements.
  double element_length_m = 0.002;
  // Mass-proportional viscous damping (1/s); 0 = undamped.
  double damping_per_s = 0.0;
  Vec3 gravity_m_per_s2{0.0, 0.0, 0.0};
  // Contact against anatomy meshes: penalty normal stiffness per element,
  // friction's stick distance (elastic tangential travel before sliding),
  // detection margin beyond the outer radius, and the penetration beyond which
  // a step reports a fault.
  double contact_stiffness_N_per_m = 2.0e5;
  double friction_stick_distance_m = 1.0e-5;
  double contact_margin_m = 1.0e-3;
  double max_penetration_m = 1.0e-3;
  // Newton iterations of the direct solver per step: at most
  // solver_iterations, fewer once an iteration moves no element by more than
  // solver_tolerance_m.
  int solver_iterations = 10;
  double solver_tolerance_m = 1.0e-7;
};

// Per element (rigid segment) data compiled from the sections.
struct RodElement {
  int section = 0;
  double length_m = 0.0;
  double mass_kg = 0.0;
  double inertia_axial_kg_m2 = 0.0;
  double inertia_bending_kg_m2 = 0.0;
  double outer_radius_m = 0.0;
  Vec3 rest_curvature_per_m;  // material frame, z = rest twist (0)
  double friction_static = 0.0;
  double friction_dynamic = 0.0;
  // False for a vacant element of a coaxial stack (beyond the instruments'
  // current reach): it takes no contact.
  bool contact_enabled = true;
};

// Joint j connects element j-1 (proximal) to element j; joint 0 connects the
// handle frame to element 0.
struct RodJoint {
  // Compliance (1/stiffness) of the rotational constraint in the proximal
  // material frame: bending about x, y and twist about z (rad per N m).
  Vec3 rotational_compliance;
};

class RodModel {
 public:
  // Throws InputError naming the offending key and the allowed range.
  static RodModel Build(const RodSpec& spec);

  const RodSpec& Spec() const { return spec_; }
  int ElementCount() const { return static_cast<int>(elements_.size()); }
  const std::vector<RodElement>& Elements() const { return elements_; }
  const std::vector<RodJoint>& Joints() const { return joints_; }
  // First element of each section, plus ElementCount() at the end.
  const std::vector<int>& SectionStarts() const { return section_starts_; }
  double TotalLength() const { return total_length_m_; }

 private:
  RodSpec spec_;
  std::vector<RodElement> elements_;
  std::vector<RodJoint> joints_;
  std::vector<int> section_starts_;
  double total_length_m_ = 0.0;
};

// Hollow circular section: I = pi (r_o^4 - r_i^4) / 4, J = 2 I.
double AreaMomentOfInertia(double outer_diameter_m, double inner_diameter_m);

}  // namespace teersim::physics
