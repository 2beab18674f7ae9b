#include "physics/rod_state.h"

#include <algorithm>

#include "base/state_hash.h"
#include "physics/rod_model.h"

namespace teersim::physics {
namespace {

constexpr Vec3 kMaterialTangent{0.0, 0.0, 1.0};

void HashVec(StateHasher& hasher, const Vec3& v) { hasher.Add(v.x).Add(v.y).Add(v.z); }
void HashQuat(StateHasher& hasher, const Quat& q) { hasher.Add(q.w).Add(q.x).Add(q.y).Add(q.z); }

void ResizeState(const RodModel& model, RodState* state) {
  const auto n = static_cast<std::size_t>(model.ElementCount());
  state->position.assign(n, Vec3{});
  state->orientation.assign(n, Quat{});
  state->velocity.assign(n, Vec3{});
  state->angular_velocity.assign(n, Vec3{});
  state->joint_force.assign(n, Vec6{});
  state->contacts.assign(n * kMaxContactsPerElement, RodContact{});
}

}  // namespace

void RodState::AddToHash(StateHasher& hasher) const {
  for (std::size_t i = 0; i < position.size(); ++i) {
    HashVec(hasher, position[i]);
    HashQuat(hasher, orientation[i]);
    HashVec(hasher, velocity[i]);
    HashVec(hasher, angular_velocity[i]);
  }
  for (const Vec6& f : joint_force) {
    for (double component : f) hasher.Add(component);
  }
  for (const RodContact& c : contacts) {
    hasher.Add(c.active);
    HashVec(hasher, c.normal);
    HashVec(hasher, c.point);
    HashVec(hasher, c.anchor);
    HashVec(hasher, c.material_offset);
    HashVec(hasher, c.force_N);
    hasher.Add(c.gap_m);
    hasher.Add(c.lagged_normal_force_N);
  }
  for (double e : knob_effective_rad) hasher.Add(e);
  HashVec(hasher, handle_force_N);
  HashVec(hasher, handle_torque_Nm);
  HashVec(hasher, handle_position);
  HashQuat(hasher, handle_orientation);
  hasher.Add(time_s).Add(step_count);
}

Vec3 ElementRestCurvature(const RodModel& model, int i,
                          const std::array<double, kMaxKnobs>& knob_effective_rad) {
  return ElementRestCurvature(model, model.Elements()[static_cast<std::size_t>(i)],
                              knob_effective_rad);
}

Vec3 ElementRestCurvature(const RodModel& model, const RodElement& element,
                          const std::array<double, kMaxKnobs>& knob_effective_rad) {
  Vec3 kappa = element.rest_curvature_per_m;
  // Pull-wire steering: a uniform curvature kappa = bend / L_section in the
  // knob's plane, linear in the (played) knob angle and saturating at the
  // knob's limit. Bending towards material direction d = (cos psi, sin psi, 0)
  // is a rotation about z x d.
  const std::vector<SteeringSpec>& steering = model.Spec().steering;
  for (std::size_t k = 0; k < steering.size(); ++k) {
    const SteeringSpec& s = steering[k];
    if (s.section != element.section) continue;
    const double fraction = std::clamp(knob_effective_rad[k] / s.knob_max_rad, -1.0, 1.0);
    const double curvature = s.bend_at_max_rad * fraction /
                             model.Spec().sections[static_cast<std::size_t>(s.section)].length_m;
    kappa += Vec3{-std::sin(s.plane_angle_rad), std::cos(s.plane_angle_rad), 0.0} * curvature;
  }
  return kappa;
}

RodState MakeRestState(const RodModel& model, const Vec3& handle_position,
                       const Quat& handle_orientation) {
  RodState state;
  ResizeState(model, &state);
  // Walk from the handle: turn by the first half-element's rest curvature,
  // place the straight element, turn by its second half.
  Quat frame = handle_orientation;
  Vec3 point = handle_position;
  for (int i = 0; i < model.ElementCount(); ++i) {
    const double length = model.Elements()[static_cast<std::size_t>(i)].length_m;
    const Quat half_turn = QuatFromRotationVector(
        ElementRestCurvature(model, i, state.knob_effective_rad) * (0.5 * length));
    frame = (frame * half_turn).Normalized();
    const Vec3 half_axis = frame.Rotate(kMaterialTangent) * (0.5 * length);
    state.position[static_cast<std::size_t>(i)] = point + half_axis;
    state.orientation[static_cast<std::size_t>(i)] = frame;
    point = point + half_axis * 2.0;
    frame = (frame * half_turn).Normalized();
  }
  state.handle_position = handle_position;
  state.handle_orientation = handle_orientation;
  return state;
}

RodState MakeStateAlongPath(const RodModel& model, const std::vector<Vec3>& path,
                            const Vec3& initial_x) {
  RodState state;
  ResizeState(model, &state);
  // Point at arc length s along the polyline (straight beyond its end).
  const auto point_at = [&path](double s) {
    for (std::size_t k = 0; k + 1 < path.size(); ++k) {
      const Vec3 d = path[k + 1] - path[k];
      const double len = Norm(d);
      if (s <= len || k + 2 == path.size()) return path[k] + d * (s / len);
      s -= len;
    }
    return path.back();
  };
  // First frame: z along the path, x = initial_x made perpendicular.
  Vec3 t0 = path[1] - path[0];
  t0 = t0 / Norm(t0);
  Vec3 x0 = initial_x - t0 * Dot(initial_x, t0);
  x0 = x0 / Norm(x0);
  const Vec3 y0 = Cross(t0, x0);
  Mat3 r;
  r.m = {x0.x, y0.x, t0.x, x0.y, y0.y, t0.y, x0.z, y0.z, t0.z};
  // Quaternion from the rotation matrix (trace is large enough for a proper
  // frame built this way only when the branch is chosen by the largest term).
  Quat frame;
  const double tr = r(0, 0) + r(1, 1) + r(2, 2);
  if (tr > 0) {
    const double s = 0.5 / std::sqrt(tr + 1.0);
    frame = {0.25 / s, (r(2, 1) - r(1, 2)) * s, (r(0, 2) - r(2, 0)) * s, (r(1, 0) - r(0, 1)) * s};
  } else if (r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2)) {
    const double s = 2.0 * std::sqrt(1.0 + r(0, 0) - r(1, 1) - r(2, 2));
    frame = {(r(2, 1) - r(1, 2)) / s, 0.25 * s, (r(0, 1) + r(1, 0)) / s, (r(0, 2) + r(2, 0)) / s};
  } else if (r(1, 1) > r(2, 2)) {
    const double s = 2.0 * std::sqrt(1.0 + r(1, 1) - r(0, 0) - r(2, 2));
    frame = {(r(0, 2) - r(2, 0)) / s, (r(0, 1) + r(1, 0)) / s, 0.25 * s, (r(1, 2) + r(2, 1)) / s};
  } else {
    const double s = 2.0 * std::sqrt(1.0 + r(2, 2) - r(0, 0) - r(1, 1));
    frame = {(r(1, 0) - r(0, 1)) / s, (r(0, 2) + r(2, 0)) / s, (r(1, 2) + r(2, 1)) / s, 0.25 * s};
  }
  frame = frame.Normalized();
  state.handle_position = path[0];
  state.handle_orientation = frame;
  // Elements as chords between points at their arc-length ends; orientations
  // parallel-transported (no twist) from one chord to the next.
  Vec3 tangent = t0;
  double s = 0.0;
  for (int i = 0; i < model.ElementCount(); ++i) {
    const double length = model.Elements()[static_cast<std::size_t>(i)].length_m;
    const Vec3 a = point_at(s);
    const Vec3 b = point_at(s + length);
    Vec3 t = b - a;
    t = t / Norm(t);
    frame = (QuatFromTo(tangent, t) * frame).Normalized();
    tangent = t;
    state.position[static_cast<std::size_t>(i)] = a + tangent * (0.5 * length);
    state.orientation[static_cast<std::size_t>(i)] = frame;
    s += length;
  }
  return state;
}

Vec3 ElementProximalEnd(const RodModel& model, const RodState& state, int i) {
  const auto k = static_cast<std::size_t>(i);
  return state.position[k] -
         state.orientation[k].Rotate(kMaterialTangent) * (0.5 * model.Elements()[k].length_m);
}

Vec3 ElementDistalEnd(const RodModel& model, const RodState& state, int i) {
  const auto k = static_cast<std::size_t>(i);
  return state.position[k] +
         state.orientation[k].Rotate(kMaterialTangent) * (0.5 * model.Elements()[k].length_m);
}

Vec3 TipPosition(const RodModel& model, const RodState& state) {
  return ElementDistalEnd(model, state, model.ElementCount() - 1);
}

Quat TipOrientation(const RodModel& model, const RodState& state) {
  const int last = model.ElementCount() - 1;
  const double length = model.Elements()[static_cast<std::size_t>(last)].length_m;
  const Vec3 half = ElementRestCurvature(model, last, state.knob_effective_rad) * (0.5 * length);
  return (state.orientation[static_cast<std::size_t>(last)] * QuatFromRotationVector(half))
      .Normalized();
}

}  // namespace teersim::physics
