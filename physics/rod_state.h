// RodState: everything about one rod that changes during a run (element poses
// and velocities, contact warm start, knob play). A plain copyable struct:
// save = copy, restore = assign, and Step from equal states with equal inputs
// gives bit-identical results (tests/physics/rod_determinism_test.cpp).
// RodInput: one step's commands at the handle.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "physics/rod_math.h"

namespace teersim {
class StateHasher;
}

namespace teersim::physics {

class RodModel;
struct RodElement;

inline constexpr int kMaxContactsPerElement = 2;
inline constexpr int kMaxKnobs = 4;

// One contact slot of an element: the plane it touches this step, the friction
// anchor carried between steps (stick-slip warm start) and the force found.
struct RodContact {
  bool active = false;
  Vec3 normal;  // unit, from the anatomy towards the element
  Vec3 point;   // closest point on the anatomy (m)
  Vec3 anchor;  // friction anchor: where the contact point stuck (m)
  // Contact point on the rod's surface in the element's material frame
  // (m): friction acts there, so it resists twisting as well as sliding.
  Vec3 material_offset;
  Vec3 force_N;        // force of the anatomy on the element (normal + friction)
  double gap_m = 0.0;  // signed distance surface-to-element minus radius
  // Normal force at the end of the last step (N): friction's Coulomb limit
  // uses this lagged value (Li et al. 2020, IPC, sec. 5).
  double lagged_normal_force_N = 0.0;
};

struct RodState {
  // Element centres (m, world), orientations (material -> world), linear
  // (m/s) and angular (rad/s, world) velocities.
  std::vector<Vec3> position;
  std::vector<Quat> orientation;
  std::vector<Vec3> velocity;
  std::vector<Vec3> angular_velocity;
  // Constraint force of each joint at the last step (N and N m, the Newton
  // multipliers divided by dt^2): the warm start of the next step's solve.
  std::vector<Vec6> joint_force;
  // kMaxContactsPerElement slots per element.
  std::vector<RodContact> contacts;
  // Knob angle after the play operator, per steering entry (rad).
  std::array<double, kMaxKnobs> knob_effective_rad{};
  // Handle wrench on the rod at the last step (N, N m, world, about the handle
  // point): the reaction the operator feels is its negative.
  Vec3 handle_force_N;
  Vec3 handle_torque_Nm;
  // Handle pose of the last step (the clamp the rod's proximal end follows).
  Vec3 handle_position;
  Quat handle_orientation;
  double time_s = 0.0;
  std::int64_t step_count = 0;

  void AddToHash(StateHasher& hasher) const;
};

struct RodInput {
  // Pose of the handle frame: its z axis is the rod's tangent at the proximal
  // end, its origin the proximal end point (m, world).
  Vec3 handle_position;
  Quat handle_orientation;
  // Knob angles, one per RodSpec::steering entry (rad).
  std::array<double, kMaxKnobs> knob_rad{};
  // External load at the distal tip point (N and N m, world), for loads such
  // as a test weight or back tension.
  Vec3 tip_force_N;
  Vec3 tip_torque_Nm;
};

// A rod at rest in its rest shape (integrating the rest curvature) with the
// proximal end at the handle pose; zero velocity, no contacts.
RodState MakeRestState(const RodModel& model, const Vec3& handle_position,
                       const Quat& handle_orientation);

// A rod laid along a polyline (m, world), proximal end at path[0], material x
// axis transported without twist from `initial_x` (projected). Elements past
// the path's end continue straight. Precondition: path has >= 2 distinct
// points.
RodState MakeStateAlongPath(const RodModel& model, const std::vector<Vec3>& path,
                            const Vec3& initial_x);

// Proximal and distal end points of element i (m, world).
Vec3 ElementProximalEnd(const RodModel& model, const RodState& state, int i);
Vec3 ElementDistalEnd(const RodModel& model, const RodState& state, int i);
// Distal tip point and tip orientation including the rest curvature of the
// last element's distal half (material frame at the very tip).
Vec3 TipPosition(const RodModel& model, const RodState& state);
Quat TipOrientation(const RodModel& model, const RodState& state);

// Rest curvature of element i (1/m, material frame) including the steering
// knobs' effective angles.
Vec3 ElementRestCurvature(const RodModel& model, int i,
                          const std::array<double, kMaxKnobs>& knob_effective_rad);
// The same for an element's own data (its section picks the knobs).
Vec3 ElementRestCurvature(const RodModel& model, const RodElement& element,
                          const std::array<double, kMaxKnobs>& knob_effective_rad);

}  // namespace teersim::physics
