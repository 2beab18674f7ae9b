#include "physics/bench_physics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "base/units.h"
#include "physics/coaxial_stack.h"
#include "physics/contact_world.h"
#include "physics/rod_model.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"

namespace teersim::physics {
namespace {

constexpr double kStep_s = 1e-3;
constexpr int kWarmUpSteps = 50;
constexpr double kPi = std::numbers::pi;

// A hollow section with given stiffness (N m^2) and diameters in French.
RodSectionSpec Section(const char* name, double length_m, double outer_Fr, double inner_Fr,
                       double ei_Nm2, double gj_Nm2, double mu) {
  RodSectionSpec s;
  s.name = name;
  s.length_m = length_m;
  s.outer_diameter_m = units::FrToM(outer_Fr);
  s.inner_diameter_m = units::FrToM(inner_Fr);
  s.density_kg_per_m3 = 1150.0;
  s.bending_stiffness_Nm2 = ei_Nm2;
  s.torsional_stiffness_Nm2 = gj_Nm2;
  s.friction_static = mu;
  s.friction_dynamic = 0.8 * mu;
  return s;
}

SteeringSpec Knob(const char* name, int section, double plane_deg, double bend_deg) {
  SteeringSpec k;
  k.name = name;
  k.section = section;
  k.plane_angle_rad = units::DegToRad(plane_deg);
  k.knob_max_rad = units::DegToRad(180);
  k.bend_at_max_rad = units::DegToRad(bend_deg);
  k.backlash_rad = units::DegToRad(5);
  return k;
}

struct Scenario {
  const char* name;
  RodSpec spec;
  std::vector<Vec3> path;  // where the rod starts
  std::optional<std::vector<Vec3>> tube_centreline;
  double tube_radius_m = 0.0;
  double insert_speed_m_per_s = 0.0;
  double turn_rate_rad_per_s = 0.0;
  // Instruments of a coaxial stack (outermost first); `spec` then gives only
  // the numerics.
  std::vector<CoaxialInstrument> stack;
};

std::vector<Vec3> Straight(double length_m) { return {{0, 0, 0}, {0, 0, length_m}}; }

Scenario FreeRod() {
  Scenario s{"free_rod", {}, Straight(0.2), std::nullopt, 0.0, 0.05, 2 * kPi, {}};
  s.spec.sections = {Section("shaft", 0.16, 6, 4, 2e-3, 1.5e-3, 0.1),
                     Section("tip", 0.04, 6, 4, 5e-4, 4e-4, 0.1)};
  s.spec.steering = {Knob("tip", 1, 0, 120)};
  s.spec.element_length_m = 0.002;
  s.spec.gravity_m_per_s2 = {0, -9.81, 0};
  s.spec.damping_per_s = 5.0;
  return s;
}

Scenario RodInTube() {
  Scenario s{"rod_in_tube", {}, {}, std::nullopt, 3e-3, 0.02, kPi, {}};
  s.spec.sections = {Section("shaft", 0.17, 6, 4, 1e-3, 8e-4, 0.1),
                     Section("tip", 0.03, 6, 4, 3e-4, 2e-4, 0.1)};
  s.spec.sections[1].rest_curvature_x_per_m = 15.0;
  s.spec.element_length_m = 0.002;
  s.spec.damping_per_s = 5.0;
  const std::vector<Vec3> centreline = MakeBentPath(Vec3{}, 0.1, 0.05, 0.5 * kPi, 1e-3);
  s.tube_centreline = centreline;
  s.path = centreline;
  return s;
}

// Guide (24 Fr) with the steerable sleeve and the delivery catheter inside
// it (coaxial_stack.h), in a vein-like bent tube: the guide advanced and
// turned at its handle, sleeve and delivery catheter sliding in and out,
// three knobs swept.
Scenario CoaxialStackScenario(double element_length_m, const char* name) {
  Scenario s{name, {}, {}, std::nullopt, 0.012, 0.05, 0.5 * kPi, {}};
  CoaxialInstrument guide{"guide",
                          {Section("shaft", 0.46, 24, 21, 0.03, 0.02, 0.05),
                           Section("steerable", 0.04, 24, 21, 0.008, 0.006, 0.05)},
                          {Knob("+/-", 1, 0, 90)},
                          0.0,
                          0.0};
  CoaxialInstrument sleeve{"sleeve",
                           {Section("shaft", 0.51, 20, 16, 0.008, 0.006, 0.05),
                            Section("steerable", 0.04, 20, 16, 0.003, 0.002, 0.05)},
                           {Knob("A/P", 1, 90, 90), Knob("M/L", 1, 0, 60)},
                           0.0,
                           0.08};
  CoaxialInstrument delivery{
      "delivery", {Section("shaft", 0.6, 14, 10, 0.002, 0.0015, 0.05)}, {}, 0.0, 0.1};
  s.stack = {guide, sleeve, delivery};
  s.spec.element_length_m = element_length_m;
  s.spec.damping_per_s = 5.0;
  s.spec.contact_margin_m = 2e-3;
  // The stack starts straight, its handle 150 mm before the vein's entrance
  // and its reach short of the bend; insertion then pushes it on.
  s.tube_centreline = MakeBentPath(Vec3{}, 0.6, 0.08, 0.5 * kPi, 2e-3);
  s.path = {{0, 0, -0.15}, {0, 0, 1.0}};
  return s;
}

BenchScenarioResult Run(const Scenario& scenario, int measured_steps) {
  std::optional<CoaxialStack> stack;
  std::optional<RodModel> own_model;
  if (scenario.stack.empty()) {
    own_model.emplace(RodModel::Build(scenario.spec));
  } else {
    stack.emplace(scenario.stack, scenario.spec);
  }
  const RodModel& model = stack ? stack->Model() : *own_model;
  std::optional<ContactWorld> world;
  if (scenario.tube_centreline)
    world.emplace(std::vector<TriangleMesh>{
        MakeTubeMesh(*scenario.tube_centreline, scenario.tube_radius_m, 24)});
  RodSolver solver(model);
  RodState state = MakeStateAlongPath(model, scenario.path, {1, 0, 0});
  const Vec3 start = state.handle_position;
  const Quat rest = state.handle_orientation;
  const Vec3 axis = rest.Rotate({0, 0, 1});
  std::vector<double> times_ms;
  times_ms.reserve(static_cast<std::size_t>(measured_steps));
  BenchScenarioResult result;
  result.name = scenario.name;
  result.elements = model.ElementCount();
  for (int step = 0; step < kWarmUpSteps + measured_steps; ++step) {
    const double t = step * kStep_s;
    RodInput input;
    input.handle_position = start + axis * (scenario.insert_speed_m_per_s * t);
    input.handle_orientation =
        (rest * QuatFromRotationVector({0, 0, scenario.turn_rate_rad_per_s * t})).Normalized();
    CoaxialCommand command;
    for (std::size_t k = 0; k < kMaxKnobs; ++k) {
      input.knob_rad[k] = command.knob_rad[k] =
          units::DegToRad(120) * std::sin(2 * kPi * 0.5 * t) * (k % 2 ? -1.0 : 1.0);
    }
    for (std::size_t i = 0; i < scenario.stack.size(); ++i) {
      command.advance_m[i] =
          scenario.stack[i].max_advance_m * 0.5 * (1.0 - std::cos(2 * kPi * 0.25 * t));
    }
    const auto begin = std::chrono::steady_clock::now();
    if (stack) stack->Apply(command, &solver);
    const RodStepResult r = solver.Step(input, world ? &*world : nullptr, kStep_s, &state);
    const auto end = std::chrono::steady_clock::now();
    if (r.status != RodStatus::kOk && result.faults++ == 0) {
      result.first_fault =
          std::string(RodStatusName(r.status)) + " at step " + std::to_string(step);
    }
    if (step >= kWarmUpSteps) result.mean_iterations += r.iterations;
    if (step >= kWarmUpSteps)
      times_ms.push_back(std::chrono::duration<double, std::milli>(end - begin).count());
  }
  result.mean_iterations /= measured_steps;
  std::sort(times_ms.begin(), times_ms.end());
  result.median_ms = times_ms[times_ms.size() / 2];
  result.p99_ms = times_ms[std::min(times_ms.size() - 1, times_ms.size() * 99 / 100)];
  return result;
}

}  // namespace

std::vector<BenchScenarioResult> RunPhysicsBenchmark(int measured_steps) {
  return {Run(FreeRod(), measured_steps), Run(RodInTube(), measured_steps),
          Run(CoaxialStackScenario(0.002, "coaxial_stack"), measured_steps),
          Run(CoaxialStackScenario(0.001, "coaxial_stack_2x"), measured_steps)};
}

}  // namespace teersim::physics
