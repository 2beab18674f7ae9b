#include "physics/coaxial_stack.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "base/input_error.h"
#include "physics/rod_solver.h"

namespace teersim::physics {
namespace {

// Vacant elements keep the distal properties but this fraction of the mass,
// so they follow the tip straight without loading it.
constexpr double kVacantMassFraction = 1e-3;

[[noreturn]] void Reject(const std::string& key, const std::string& problem) {
  throw InputError(FormatInputError("coaxial stack", 0, key, problem));
}

double TotalLength(const CoaxialInstrument& instrument) {
  double length = 0.0;
  for (const RodSectionSpec& s : instrument.sections) length += s.length_m;
  return length;
}

// The shared centreline: as long as the furthest reach, of the outermost
// instrument's material (the numerics come from `numerics`); Apply sets the
// real properties.
RodModel BuildCentreline(const std::vector<CoaxialInstrument>& instruments,
                         const RodSpec& numerics) {
  if (instruments.empty() || instruments.size() > kMaxStackInstruments) {
    Reject("instruments", "expected 1 to 3 instruments, got " + std::to_string(instruments.size()));
  }
  double reach = 0.0;
  for (const CoaxialInstrument& i : instruments)
    reach = std::max(reach, i.max_advance_m + TotalLength(i));
  RodSpec spec = numerics;
  spec.steering.clear();
  RodSectionSpec section = instruments.front().sections.front();
  section.name = "stack centreline";
  section.length_m = reach;
  section.rest_curvature_x_per_m = section.rest_curvature_y_per_m = 0.0;
  spec.sections = {section};
  return RodModel::Build(spec);
}

}  // namespace

CoaxialStack::CoaxialStack(std::vector<CoaxialInstrument> instruments, const RodSpec& numerics)
    : instruments_(std::move(instruments)), model_(BuildCentreline(instruments_, numerics)) {
  std::size_t knobs = 0;
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    const CoaxialInstrument& instrument = instruments_[i];
    const std::string key = "instruments[" + std::to_string(i) + "]";
    // Each instrument alone must be a valid rod (sections, knobs).
    RodSpec alone = numerics;
    alone.sections = instrument.sections;
    alone.steering = instrument.steering;
    RodModel::Build(alone);
    if (i == 0 && (instrument.min_advance_m != 0.0 || instrument.max_advance_m != 0.0)) {
      Reject(key + ".max_advance_m", "the outermost instrument has no travel: expected 0");
    }
    if (!(instrument.min_advance_m >= 0.0 &&
          instrument.max_advance_m >= instrument.min_advance_m)) {
      Reject(key + ".max_advance_m", "expected 0 <= min_advance_m <= max_advance_m");
    }
    if (i > 0 && instrument.sections.front().outer_diameter_m >
                     instruments_[i - 1].sections.front().inner_diameter_m) {
      Reject(key + ".sections[0].outer_diameter_m",
             "must fit inside the outer instrument's inner diameter");
    }
    knobs += instrument.steering.size();
    lengths_m_.push_back(TotalLength(instrument));
  }
  if (knobs > kMaxKnobs) Reject("steering", "expected at most 4 knobs over the stack");
}

int CoaxialStack::VacantFrom(const CoaxialCommand& command) const {
  double reach = 0.0;
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    const double advance = std::clamp(command.advance_m[i], instruments_[i].min_advance_m,
                                      instruments_[i].max_advance_m);
    reach = std::max(reach, advance + lengths_m_[i]);
  }
  const double element = model_.Elements().front().length_m;
  return std::min(model_.ElementCount(), static_cast<int>(std::ceil(reach / element - 1e-9)));
}

void CoaxialStack::Apply(const CoaxialCommand& command, RodSolver* solver) const {
  std::vector<RodElement>& elements = solver->MutableElements();
  std::vector<RodJoint>& joints = solver->MutableJoints();
  const int n = model_.ElementCount();
  std::array<double, kMaxStackInstruments> advance{};
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    advance[i] = std::clamp(command.advance_m[i], instruments_[i].min_advance_m,
                            instruments_[i].max_advance_m);
  }
  int last_covered = 0;
  for (int e = 0; e < n; ++e) {
    RodElement& element = elements[static_cast<std::size_t>(e)];
    const double l = element.length_m;
    const double s = (e + 0.5) * l;
    double ei = 0.0, gj = 0.0, mass = 0.0, axial = 0.0, bending = 0.0, outer = 0.0;
    Vec3 weighted_curvature;
    const RodSectionSpec* outermost = nullptr;
    std::size_t knob = 0;
    for (std::size_t i = 0; i < instruments_.size(); ++i) {
      const CoaxialInstrument& instrument = instruments_[i];
      // The instrument's section under this element, if it covers it.
      double local = s - advance[i];
      int section = -1;
      for (std::size_t k = 0; k < instrument.sections.size() && local >= 0.0; ++k) {
        if (local < instrument.sections[k].length_m) {
          section = static_cast<int>(k);
          break;
        }
        local -= instrument.sections[k].length_m;
      }
      const std::size_t first_knob = knob;
      knob += instrument.steering.size();
      if (section < 0) continue;
      const RodSectionSpec& sec = instrument.sections[static_cast<std::size_t>(section)];
      const double ro = 0.5 * sec.outer_diameter_m, ri = 0.5 * sec.inner_diameter_m;
      const double m = sec.density_kg_per_m3 * std::numbers::pi * (ro * ro - ri * ri) * l;
      // Own rest curvature plus this instrument's knobs on this section, in
      // its plane turned by the instrument's roll (Darboux vector z x d).
      Vec3 kappa{sec.rest_curvature_x_per_m, sec.rest_curvature_y_per_m, 0.0};
      for (std::size_t k = 0; k < instrument.steering.size(); ++k) {
        const SteeringSpec& spec = instrument.steering[k];
        if (spec.section != section) continue;
        const double fraction =
            std::clamp(command.knob_rad[first_knob + k] / spec.knob_max_rad, -1.0, 1.0);
        const double curvature = spec.bend_at_max_rad * fraction / sec.length_m;
        const double plane = spec.plane_angle_rad + command.roll_rad[i];
        kappa += Vec3{-std::sin(plane), std::cos(plane), 0.0} * curvature;
      }
      ei += sec.bending_stiffness_Nm2;
      gj += sec.torsional_stiffness_Nm2;
      weighted_curvature += kappa * sec.bending_stiffness_Nm2;
      mass += m;
      axial += 0.5 * m * (ro * ro + ri * ri);
      bending += m * (3.0 * (ro * ro + ri * ri) + l * l) / 12.0;
      if (ro > outer) {
        outer = ro;
        outermost = &sec;
      }
    }
    if (outermost) {
      last_covered = e;
      element.mass_kg = mass;
      element.inertia_axial_kg_m2 = axial;
      element.inertia_bending_kg_m2 = bending;
      element.outer_radius_m = outer;
      element.rest_curvature_per_m = weighted_curvature / ei;
      element.friction_static = outermost->friction_static;
      element.friction_dynamic = outermost->friction_dynamic;
      element.contact_enabled = true;
      joints[static_cast<std::size_t>(e)].rotational_compliance = {0.5 * l / ei, 0.5 * l / ei,
                                                                   0.5 * l / gj};
    } else {
      // Vacant: a straight, nearly massless continuation of the last covered
      // element, without contact.
      const RodElement& tip = elements[static_cast<std::size_t>(last_covered)];
      const RodJoint& tip_joint = joints[static_cast<std::size_t>(last_covered)];
      element.mass_kg = tip.mass_kg * kVacantMassFraction;
      element.inertia_axial_kg_m2 = tip.inertia_axial_kg_m2 * kVacantMassFraction;
      element.inertia_bending_kg_m2 = tip.inertia_bending_kg_m2 * kVacantMassFraction;
      element.outer_radius_m = tip.outer_radius_m;
      element.rest_curvature_per_m = Vec3{};
      element.contact_enabled = false;
      joints[static_cast<std::size_t>(e)] = tip_joint;
    }
  }
  // Joints: the two half-elements in series (as RodModel::Build); each
  // joint's own half was stored above.
  for (int e = n - 1; e > 0; --e) {
    joints[static_cast<std::size_t>(e)].rotational_compliance +=
        joints[static_cast<std::size_t>(e - 1)].rotational_compliance;
  }
}

}  // namespace teersim::physics
