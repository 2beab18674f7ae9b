#include "physics/rod_solver.h"

#include <algorithm>
#include <cmath>

#include "physics/contact_world.h"

namespace teersim::physics {
namespace {

constexpr Vec3 kMaterialTangent{0.0, 0.0, 1.0};
// A new contact keeps the friction anchor of last step's slot when their
// normals agree to within ~45 degrees (the same wall, slightly turned).
constexpr double kSameContactCos = 0.7;
// Largest rotation of an element per Newton iteration (trust region).
constexpr double kMaxTurnPerIteration_rad = 0.5;
// Newton's contraction between two steps below which its a-posteriori error
// estimate is trusted to end the iteration early.
constexpr double kMaxTrustedContraction = 0.5;
// Line search: at most this many halvings of the Newton step (down to
// 1/256 of it) before the iteration gives up on the direction.
constexpr int kMaxStepHalvings = 8;

// Rest rotation of joint j in the proximal body's material frame: half of
// each adjacent element's rest curvature times its length (Kugelstadt &
// Schoemer 2016, eq. 17: the rest Darboux vector integrated over the joint's
// dual length).
Quat JointRestRotation(const RodModel& model, const std::vector<RodElement>& elements, int j,
                       const std::array<double, kMaxKnobs>& knob_effective_rad) {
  const RodElement& b = elements[static_cast<std::size_t>(j)];
  Vec3 turn = ElementRestCurvature(model, b, knob_effective_rad) * (0.5 * b.length_m);
  if (j > 0) {
    const RodElement& a = elements[static_cast<std::size_t>(j - 1)];
    turn += ElementRestCurvature(model, a, knob_effective_rad) * (0.5 * a.length_m);
  }
  return QuatFromRotationVector(turn);
}

// Bend/twist error of a joint: q_e = (q_a q0)^* q_b on the positive
// hemisphere; C = 2 Im(q_e), which equals the rotation vector of the error to
// third order (Deul et al. 2018, sec. 4.2 "bending and torsion constraint").
struct RotationError {
  Vec3 c;       // 2 Im(q_e), material frame of a
  Mat3 g;       // dC/du for a left perturbation (1, u/2) * q_e: w I - [v]x
  Mat3 r_a0_t;  // R(q_a q0)^T: world -> error frame
};

RotationError EvaluateRotationError(const Quat& q_a, const Quat& q0, const Quat& q_b) {
  const Quat q_a0 = q_a * q0;
  Quat q_e = q_a0.Conjugate() * q_b;
  if (q_e.w < 0.0) q_e = {-q_e.w, -q_e.x, -q_e.y, -q_e.z};
  RotationError e;
  e.c = q_e.Vec() * 2.0;
  e.g = Mat3::Identity() * q_e.w - Mat3::Skew(q_e.Vec());
  e.r_a0_t = q_a0.Matrix().Transposed();
  return e;
}

// Contact of one element with one anatomy plane: penalty normal force at the
// element's centre, and friction at the contact point on its surface.
struct ContactEval {
  Vec3 force;        // on the element
  Vec3 torque;       // on the element, about its centre
  double gap = 0.0;  // < 0 penetrating
  bool slipping = false;
  Vec3 slip_dir;  // unit tangential direction of displacement from anchor
  Vec3 stretch;   // tangential displacement of the contact point from the anchor
  Vec3 friction;  // the friction part of `force`
  // Potential of normal penalty plus friction (J) whose gradient is -force:
  // 1/2 k_n g^2 and, in the stick zone, 1/2 k_t |d|^2, beyond it
  // 1/2 mu_s f_n delta + mu_d f_n (|d| - delta) (continuous at |d| = delta).
  double energy = 0.0;
};

// `stiffness` (6x6, [linear; angular] of the element) receives the contact's
// stiffness when not null.
ContactEval EvaluateContact(const RodContact& c, const Vec3& x, const Quat& q,
                            const RodElement& element, const RodSpec& spec, Mat6* stiffness) {
  ContactEval out;
  out.gap = Dot(c.normal, x - c.point) - element.outer_radius_m;
  if (out.gap < 0.0) {
    // Normal: E = 1/2 k_n g^2 (penalty), f = -k_n g n.
    const double kn = spec.contact_stiffness_N_per_m;
    out.force = c.normal * (-kn * out.gap);
    out.energy = 0.5 * kn * out.gap * out.gap;
    if (stiffness) AddBlock(*stiffness, 0, 0, Mat3::Outer(c.normal, c.normal) * kn);
  }
  // Friction, elasto-plastic with a fixed stick distance delta: while the
  // contact point is within delta of its anchor the force is
  // mu_s f_n d / delta (stick); beyond, mu_d f_n against the displacement
  // (slip) and the anchor follows. f_n is the normal force lagged by one
  // step, which makes friction within a step the gradient of a convex
  // potential, so Newton converges (lagging as in IPC, Li et al. 2020,
  // sec. 5; the fixed stick zone, like IPC's epsilon_v h, keeps the
  // iteration matrix proportional to f_n). In steady sliding the lagged force
  // equals the current one. The contact point p = x + R m sits on the
  // surface, so friction also resists twist (torque (R m) x f).
  const double fn = c.lagged_normal_force_N;
  if (fn <= 0.0) return out;
  const Vec3 lever = q.Rotate(c.material_offset);
  const Mat3 tangent_projector = Mat3::Identity() - Mat3::Outer(c.normal, c.normal);
  const Vec3 d = tangent_projector * (x + lever - c.anchor);
  out.stretch = d;
  const double dn = Norm(d);
  const double delta = spec.friction_stick_distance_m;
  Vec3 friction;
  Mat3 point_stiffness;
  if (dn <= delta) {
    const double kt = element.friction_static * fn / delta;
    friction = d * -kt;
    point_stiffness = tangent_projector * kt;
    out.energy += 0.5 * kt * dn * dn;
  } else {
    out.slipping = true;
    out.slip_dir = d / dn;
    const double limit = element.friction_dynamic * fn;
    friction = out.slip_dir * -limit;
    out.energy += 0.5 * element.friction_static * fn * delta + limit * (dn - delta);
    point_stiffness = (tangent_projector - Mat3::Outer(out.slip_dir, out.slip_dir)) * (limit / dn);
  }
  out.force += friction;
  out.friction = friction;
  out.torque += Cross(lever, friction);
  if (stiffness) {
    // J = [I, -[l]x] maps (dx, dtheta) to the point's motion; K_body = J^T K J.
    const Mat3 skew = Mat3::Skew(lever);
    AddBlock(*stiffness, 0, 0, point_stiffness);
    AddBlock(*stiffness, 0, 1, point_stiffness * skew * -1.0);
    AddBlock(*stiffness, 1, 0, skew * point_stiffness);
    AddBlock(*stiffness, 1, 1, skew * point_stiffness * skew * -1.0);
  }
  return out;
}

Mat3 WorldInertia(const RodElement& e, const Quat& q) {
  const Mat3 r = q.Matrix();
  return r *
         Mat3::Diagonal(e.inertia_bending_kg_m2, e.inertia_bending_kg_m2, e.inertia_axial_kg_m2) *
         r.Transposed();
}

Vec6 Join(const Vec3& a, const Vec3& b) { return {a.x, a.y, a.z, b.x, b.y, b.z}; }
Vec3 Head(const Vec6& v) { return {v[0], v[1], v[2]}; }
Vec3 Tail(const Vec6& v) { return {v[3], v[4], v[5]}; }

// One body's block of a joint Jacobian, [[s I, T], [0, G]]: the products
// below use this structure (identity, skew and 3x3 blocks) instead of dense
// 6x6 products.
struct BodyJacobian {
  double s = 0.0;
  Mat3 t, g;
};
BodyJacobian DistalBlock(const RodJointJacobian& j) { return {-1.0, Mat3::Skew(j.lever_b), j.g}; }
BodyJacobian ProximalBlock(const RodJointJacobian& j) {
  return {1.0, Mat3::Skew(j.lever_a) * -1.0, j.g * -1.0};
}

// J A^-1 in 3x3 blocks.
struct JacobianInverse {
  Mat3 tl, tr, bl, br;
};
JacobianInverse TimesInverse(const BodyJacobian& j, const RodBodyInverse& a) {
  const Mat3 qt = a.q.Transposed();
  return {a.p * j.s + j.t * qt, a.q * j.s + j.t * a.r, j.g * qt, j.g * a.r};
}
// out += (J1 A^-1) J2^T.
void AddTimesTransposed(const JacobianInverse& k, const BodyJacobian& j2, Mat6* out) {
  const Mat3 t2 = j2.t.Transposed();
  const Mat3 g2 = j2.g.Transposed();
  AddBlock(*out, 0, 0, k.tl * j2.s + k.tr * t2);
  AddBlock(*out, 0, 1, k.tr * g2);
  AddBlock(*out, 1, 0, k.bl * j2.s + k.br * t2);
  AddBlock(*out, 1, 1, k.br * g2);
}
Vec6 Times(const JacobianInverse& k, const Vec6& v) {
  const Vec3 vt = Head(v), vr = Tail(v);
  return Join(k.tl * vt + k.tr * vr, k.bl * vt + k.br * vr);
}
// J^T v
Vec6 TransposedTimes(const BodyJacobian& j, const Vec6& v) {
  const Vec3 vt = Head(v);
  return Join(vt * j.s, j.t.Transposed() * vt + j.g.Transposed() * Tail(v));
}
Vec6 Times(const RodBodyInverse& a, const Vec6& v) {
  const Vec3 vt = Head(v), vr = Tail(v);
  return Join(a.p * vt + a.q * vr, a.q.Transposed() * vt + a.r * vr);
}
Vec6 Add(const Vec6& a, const Vec6& b) {
  Vec6 r;
  for (std::size_t i = 0; i < 6; ++i) r[i] = a[i] + b[i];
  return r;
}
Vec6 Subtract(const Vec6& a, const Vec6& b) {
  Vec6 r;
  for (std::size_t i = 0; i < 6; ++i) r[i] = a[i] - b[i];
  return r;
}

// Inverse of a 3x3 symmetric matrix; false unless it is positive definite
// (leading minors, Sylvester's criterion).
bool InverseSpd3(const Mat3& a, Mat3* inverse) {
  const double minor2 = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
  if (!(a(0, 0) > 0.0) || !(minor2 > 0.0)) return false;
  *inverse = InverseSpd(a);
  return inverse->m[8] > 0.0 && std::isfinite(inverse->m[0]) && std::isfinite(inverse->m[4]);
}

}  // namespace

const char* RodStatusName(RodStatus status) {
  switch (status) {
    case RodStatus::kOk:
      return "ok";
    case RodStatus::kNonFinite:
      return "non-finite value in rod state";
    case RodStatus::kVelocityLimit:
      return "rod speed limit exceeded (energy blow-up)";
    case RodStatus::kPenetration:
      return "rod penetrated anatomy beyond bound";
    case RodStatus::kSingularSystem:
      return "rod joint system not positive definite";
  }
  return "unknown";
}

RodSolver::RodSolver(const RodModel& model)
    : model_(model), elements_(model.Elements()), joints_(model.Joints()) {
  const auto n = static_cast<std::size_t>(model.ElementCount());
  rest_rotation_.resize(n);
  predicted_position_.resize(n);
  predicted_orientation_.resize(n);
  external_force_.resize(n);
  external_torque_.resize(n);
  lambda_.resize(n);
  inverse_mass_.resize(n);
  body_residual_.resize(n);
  jacobian_.resize(n);
  factor_.resize(n);
  joint_residual_.resize(n);
  diag_.resize(n);
  upper_.resize(n);
  rhs_.resize(n);
  solved_upper_.resize(n);
  solved_rhs_.resize(n);
  detected_at_.resize(n);
  lambda_trial_.resize(n);
  trial_position_.resize(n);
  trial_orientation_.resize(n);
  delta_.resize(n);
  backup_ = MakeRestState(model, Vec3{}, Quat{});
}

void RodSolver::ComputeRestRotations(const RodState& state) {
  for (int j = 0; j < model_.ElementCount(); ++j) {
    rest_rotation_[static_cast<std::size_t>(j)] =
        JointRestRotation(model_, elements_, j, state.knob_effective_rad);
  }
}

void RodSolver::DetectContacts(const ContactWorld* world, int i, RodState* state) {
  const RodSpec& spec = model_.Spec();
  const auto e = static_cast<std::size_t>(i);
  RodContact* slots = &state->contacts[e * kMaxContactsPerElement];
  const Vec3 x = state->position[e];
  detected_at_[e] = x;
  ProximityHit hits[kMaxProximityHits];
  const double radius = elements_[e].outer_radius_m;
  const int count = world && elements_[e].contact_enabled
                        ? world->Query(x, radius + spec.contact_margin_m, hits)
                        : 0;
  // Carry each previous slot's anchor and lagged normal force to the new hit
  // on the same wall: the best-aligned one, each previous slot at most once
  // (else two hits near one wall would both inherit its friction).
  RodContact previous[kMaxContactsPerElement];
  std::copy(slots, slots + kMaxContactsPerElement, previous);
  bool claimed[kMaxContactsPerElement] = {};
  for (int k = 0; k < kMaxContactsPerElement; ++k) {
    RodContact& slot = slots[k];
    slot = RodContact{};
    if (k >= count) continue;
    slot.active = true;
    slot.normal = hits[k].normal;
    slot.point = hits[k].point;
    // A new contact anchors where its surface point was at the step's start
    // and has no friction until it has carried a normal force for one step.
    slot.material_offset = backup_.orientation[e].Conjugate().Rotate(slot.normal * -radius);
    slot.anchor = backup_.position[e] + slot.normal * -radius;
    int best = -1;
    double best_cos = kSameContactCos;
    for (int m = 0; m < kMaxContactsPerElement; ++m) {
      const RodContact& old = previous[m];
      const double cos = Dot(old.normal, slot.normal);
      if (!claimed[m] && old.active && old.lagged_normal_force_N > 0.0 && cos > best_cos) {
        best = m;
        best_cos = cos;
      }
    }
    if (best >= 0) {
      claimed[best] = true;
      slot.anchor = previous[best].anchor;
      slot.material_offset = previous[best].material_offset;
      slot.lagged_normal_force_N = previous[best].lagged_normal_force_N;
    }
    slot.gap_m = hits[k].signed_distance_m - radius;
  }
}

namespace {

// End points of joint j's two sides and the proximal frame, at the given
// poses: the handle frame for joint 0, else element j-1's distal end; element
// j's proximal end.
struct JointEnds {
  Quat q_a;
  Vec3 lever_a, lever_b;  // from each element's centre to the joint point
  Vec3 p_a, p_b;
};

JointEnds EvaluateJointEnds(const std::vector<RodElement>& elements, int j, const RodInput& input,
                            const std::vector<Vec3>& position,
                            const std::vector<Quat>& orientation) {
  const auto b = static_cast<std::size_t>(j);
  JointEnds ends;
  ends.p_a = input.handle_position;
  ends.q_a = input.handle_orientation;
  if (j > 0) {
    ends.q_a = orientation[b - 1];
    ends.lever_a = ends.q_a.Rotate(kMaterialTangent) * (0.5 * elements[b - 1].length_m);
    ends.p_a = position[b - 1] + ends.lever_a;
  }
  ends.lever_b = orientation[b].Rotate(kMaterialTangent) * (-0.5 * elements[b].length_m);
  ends.p_b = position[b] + ends.lever_b;
  return ends;
}

}  // namespace

void RodSolver::BuildJoint(int j, const RodInput& input, const RodState& state) {
  const auto b = static_cast<std::size_t>(j);
  const JointEnds ends = EvaluateJointEnds(elements_, j, input, state.position, state.orientation);

  // Zero-stretch (point coincidence) rows: C_p = p_a - p_b (Deul et al. 2018,
  // eq. 19). Small world rotations dtheta move a lever r by dtheta x r.
  // Bend/twist rows, with compliance alpha = l / (EI, EI, GJ) in the error
  // frame (XPBD, Macklin et al. 2016, eq. 9: alpha~ = alpha / dt^2).
  // (The Jacobian's layout: RodJointJacobian.)
  const RotationError e = EvaluateRotationError(ends.q_a, rest_rotation_[b], state.orientation[b]);
  jacobian_[b] = {ends.lever_a, ends.lever_b, e.g * e.r_a0_t};
  // The bend/twist multipliers are set to the elastic moments of the
  // current pose, lambda = -C / alpha~ (primal-consistent), so these rows'
  // residual C + alpha~ lambda is zero and the Newton step is that of the
  // elastic potential 1/2 C^T alpha~^-1 C itself: a descent direction of the
  // incremental potential the line search measures (SolveNewtonIteration).
  const Vec3 alpha = joints_[b].rotational_compliance * (1.0 / (dt_ * dt_));
  Vec6& lambda = lambda_[b];
  lambda[3] = -e.c.x / alpha.x;
  lambda[4] = -e.c.y / alpha.y;
  lambda[5] = -e.c.z / alpha.z;
  const Vec3 cp = ends.p_a - ends.p_b;
  joint_residual_[b] = {cp.x, cp.y, cp.z, 0.0, 0.0, 0.0};
}

double RodSolver::IncrementalPotential(const RodInput& input, const std::vector<Vec3>& position,
                                       const std::vector<Quat>& orientation,
                                       const RodState& state) const {
  const int n = model_.ElementCount();
  const RodSpec& spec = model_.Spec();
  const double h2 = dt_ * dt_;
  const double damping_scale = 1.0 + dt_ * spec.damping_per_s;
  double potential = 0.0;
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const RodElement& element = elements_[k];
    const Vec3& x = position[k];
    const Quat& q = orientation[k];
    // Inertia (with damping) about the predictor, and the work of the
    // external loads since the step's start (relative, to keep round-off
    // small).
    const Vec3 dx = x - predicted_position_[k];
    const Vec3 turn = RotationVector(q * predicted_orientation_[k].Conjugate());
    potential += 0.5 * damping_scale *
                 (element.mass_kg * Dot(dx, dx) + Dot(turn, WorldInertia(element, q) * turn));
    potential -= h2 * Dot(external_force_[k], x - backup_.position[k]);
    if (b == n - 1) {
      const Vec3 tip_lever = q.Rotate(kMaterialTangent) * (0.5 * element.length_m);
      const Vec3 tip_lever_start =
          backup_.orientation[k].Rotate(kMaterialTangent) * (0.5 * element.length_m);
      potential -=
          h2 * (Dot(input.tip_force_N, tip_lever - tip_lever_start) +
                Dot(external_torque_[k], RotationVector(q * backup_.orientation[k].Conjugate())));
    }
    for (int slot = 0; slot < kMaxContactsPerElement; ++slot) {
      const RodContact& c =
          state.contacts[k * kMaxContactsPerElement + static_cast<std::size_t>(slot)];
      if (c.active) potential += h2 * EvaluateContact(c, x, q, element, spec, nullptr).energy;
    }
    // Joint b: bend/twist energy 1/2 C^T alpha~^-1 C; zero stretch through
    // the augmented Lagrangian -lambda^T C + rho/2 |C|^2 with the Newton
    // step's multipliers, rho = h^2 k_n (a stretch costs what a penetration
    // of the same depth costs).
    const JointEnds ends = EvaluateJointEnds(elements_, b, input, position, orientation);
    const RotationError e = EvaluateRotationError(ends.q_a, rest_rotation_[k], q);
    const Vec3 alpha = joints_[k].rotational_compliance * (1.0 / h2);
    potential +=
        0.5 * (e.c.x * e.c.x / alpha.x + e.c.y * e.c.y / alpha.y + e.c.z * e.c.z / alpha.z);
    const Vec3 cp = ends.p_a - ends.p_b;
    potential +=
        -Dot(Head(lambda_trial_[k]), cp) + 0.5 * h2 * spec.contact_stiffness_N_per_m * Dot(cp, cp);
  }
  return potential;
}

bool RodSolver::SolveNewtonIteration(const RodInput& input, bool limit_steps, RodState* state,
                                     double* largest_step, bool* whole_step) {
  const int n = model_.ElementCount();
  const RodSpec& spec = model_.Spec();
  const double h2 = dt_ * dt_;
  const double damping_scale = 1.0 + dt_ * spec.damping_per_s;
  for (int j = 0; j < n; ++j) BuildJoint(j, input, *state);

  // Bodies: Newton residual g1 = M (x - x~) + h^2 grad E_contact - J^T lambda
  // and the inverse of A = M + h^2 K_contact (block diagonal).
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const RodElement& element = elements_[k];
    const double mass = element.mass_kg * damping_scale;
    Mat6 stiffness;
    Vec3 contact_force;
    Vec3 contact_torque;
    bool touching = false;
    for (int s = 0; s < kMaxContactsPerElement; ++s) {
      const RodContact& c =
          state->contacts[k * kMaxContactsPerElement + static_cast<std::size_t>(s)];
      if (!c.active) continue;
      touching = true;
      const ContactEval eval =
          EvaluateContact(c, state->position[k], state->orientation[k], element, spec, &stiffness);
      contact_force += eval.force;
      contact_torque += eval.torque;
    }
    Vec6 jt_lambda = TransposedTimes(DistalBlock(jacobian_[k]), lambda_[k]);
    if (b + 1 < n)
      jt_lambda = Add(jt_lambda, TransposedTimes(ProximalBlock(jacobian_[k + 1]), lambda_[k + 1]));
    const Vec3 rotation_from_prediction =
        RotationVector(state->orientation[k] * predicted_orientation_[k].Conjugate());
    // The tip load acts at the distal end: its moment about the centre.
    Vec3 torque = external_torque_[k] + contact_torque;
    if (b == n - 1) {
      const Vec3 tip_lever =
          state->orientation[k].Rotate(kMaterialTangent) * (0.5 * element.length_m);
      torque += Cross(tip_lever, input.tip_force_N);
    }
    const Vec3 g_lin = (state->position[k] - predicted_position_[k]) * mass -
                       (contact_force + external_force_[k]) * h2 - Head(jt_lambda);
    const Vec3 g_ang =
        WorldInertia(element, state->orientation[k]) * rotation_from_prediction * damping_scale -
        torque * h2 - Tail(jt_lambda);
    body_residual_[k] = Join(g_lin, g_ang);
    // Geometric stiffness of the joint forces and the tip load on this
    // element's rotation (Tournier et al. 2015, "Stable constrained
    // dynamics", sec. 4): -lambda . d2(R r)/dtheta2, filtered to its positive
    // (tension) part s (lambda . r) (I - r^ r^T). Without it a tension-
    // dominated rod of small EI (a string) makes the Newton iteration diverge.
    // It changes only the iteration matrix, not the converged solution.
    const Vec3 axis = state->orientation[k].Rotate(kMaterialTangent);
    const Mat3 transverse = Mat3::Identity() - Mat3::Outer(axis, axis);
    double tension = -Dot(Head(lambda_[k]), axis * (-0.5 * element.length_m));
    if (b + 1 < n) tension += Dot(Head(lambda_[k + 1]), axis * (0.5 * element.length_m));
    if (b == n - 1) tension += h2 * Dot(input.tip_force_N, axis * (0.5 * element.length_m));
    // A = M + h^2 K (6x6: contact friction couples translation and
    // rotation); without contact it is block diagonal and inverted by blocks.
    const Mat3 rotational = WorldInertia(element, state->orientation[k]) * damping_scale +
                            transverse * std::max(0.0, tension);
    RodBodyInverse& inverse = inverse_mass_[k];
    if (!touching) {
      if (!(mass > 0.0) || !InverseSpd3(rotational, &inverse.r)) return false;
      inverse.p = Mat3::Identity() * (1.0 / mass);
      inverse.q = Mat3{};
      continue;
    }
    Mat6 a = stiffness;
    for (double& v : a.m) v *= h2;
    AddBlock(a, 0, 0, Mat3::Identity() * mass);
    AddBlock(a, 1, 1, rotational);
    Mat6 full;
    if (!InverseSpd(a, &full)) return false;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        inverse.p(r, c) = full(r, c);
        inverse.q(r, c) = full(r, 3 + c);
        inverse.r(r, c) = full(3 + r, 3 + c);
      }
    }
  }

  // Schur complement on the joints, (J A^-1 J^T + alpha~) dlambda =
  // -g2 + J A^-1 g1, is block tridiagonal because joint j touches bodies j-1
  // and j only; factor it with a block Cholesky/Thomas sweep in O(n)
  // (Deul et al. 2018, sec. 5, specialised to a chain).
  for (int j = 0; j < n; ++j) {
    const auto k = static_cast<std::size_t>(j);
    const Vec3 alpha = joints_[k].rotational_compliance * (1.0 / h2);
    const BodyJacobian distal = DistalBlock(jacobian_[k]);
    const JacobianInverse jd_a = TimesInverse(distal, inverse_mass_[k]);
    Mat6& d = diag_[k];
    d = Mat6{};
    AddTimesTransposed(jd_a, distal, &d);
    Vec6 rhs = Times(jd_a, body_residual_[k]);
    if (j > 0) {
      const BodyJacobian proximal = ProximalBlock(jacobian_[k]);
      const JacobianInverse jp_a = TimesInverse(proximal, inverse_mass_[k - 1]);
      AddTimesTransposed(jp_a, proximal, &d);
      rhs = Add(rhs, Times(jp_a, body_residual_[k - 1]));
    }
    if (j + 1 < n) {
      upper_[k] = Mat6{};
      AddTimesTransposed(jd_a, ProximalBlock(jacobian_[k + 1]), &upper_[k]);
    }
    d(3, 3) += alpha.x;
    d(4, 4) += alpha.y;
    d(5, 5) += alpha.z;
    rhs_[k] = Subtract(rhs, joint_residual_[k]);
  }
  // Block Cholesky, forward: L_j L_j^T = D_j - V_{j-1}^T V_{j-1} with
  // V_j = L_j^-1 U_j, and y_j = L_j^-1 (r_j - V_{j-1}^T y_{j-1}) (lower
  // triangles only: the blocks are symmetric).
  for (int j = 0; j < n; ++j) {
    const auto k = static_cast<std::size_t>(j);
    if (j > 0) {
      const Mat6& v = solved_upper_[k - 1];
      const Vec6& y = solved_rhs_[k - 1];
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c <= r; ++c) {
          double s = 0.0;
          for (int m = 0; m < 6; ++m) s += v(m, r) * v(m, c);
          diag_[k](r, c) -= s;
        }
        double s = 0.0;
        for (int m = 0; m < 6; ++m) s += v(m, r) * y[static_cast<std::size_t>(m)];
        rhs_[k][static_cast<std::size_t>(r)] -= s;
      }
    }
    if (!CholeskyFactor(diag_[k], &factor_[k])) return false;
    solved_rhs_[k] = SolveLower(factor_[k], rhs_[k]);
    if (j + 1 < n) SolveLowerColumns(factor_[k], upper_[k], &solved_upper_[k]);
  }
  // Backward: dlambda_j = L_j^-T (y_j - V_j dlambda_{j+1}); reuse rhs_ for
  // dlambda.
  for (int j = n - 1; j >= 0; --j) {
    const auto k = static_cast<std::size_t>(j);
    Vec6 y = solved_rhs_[k];
    if (j + 1 < n) y = Subtract(y, Multiply(solved_upper_[k], rhs_[k + 1]));
    rhs_[k] = SolveUpper(factor_[k], y);
  }
  // Bodies: dx = A^-1 (J^T dlambda - g1); lambda += dlambda.
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    Vec6 jt = TransposedTimes(DistalBlock(jacobian_[k]), rhs_[k]);
    if (b + 1 < n) jt = Add(jt, TransposedTimes(ProximalBlock(jacobian_[k + 1]), rhs_[k + 1]));
    delta_[k] = Times(inverse_mass_[k], Subtract(jt, body_residual_[k]));
  }
  // Trust region (with anatomy present): scale the whole Newton step so that
  // no element moves more than half the contact margin per iteration
  // (contacts are re-detected between iterations, so no element can pass a
  // wall unseen: no tunnelling), nor turns more than
  // kMaxTurnPerIteration_rad.
  double scale = 1.0;
  double full_step = 0.0;
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const double move = Norm(Head(delta_[k]));
    const double turn = Norm(Tail(delta_[k]));
    full_step = std::max(full_step, std::max(move, turn * elements_[k].length_m));
    if (!limit_steps) continue;
    if (move * scale > 0.5 * spec.contact_margin_m) scale = 0.5 * spec.contact_margin_m / move;
    if (turn * scale > kMaxTurnPerIteration_rad) scale = kMaxTurnPerIteration_rad / turn;
  }
  // Backtracking line search on the incremental potential (Li et al. 2020,
  // "Incremental Potential Contact", sec. 4 and Alg. 1: Newton direction,
  // step halved until the potential decreases). Contact is a C1 convex
  // penalty and friction (lagged f_n, fixed anchor and plane) a C1 convex
  // function of the contact point, so the full Newton step can overshoot
  // where a contact switches on or off or a friction point changes between
  // stick and slip; without the line search that made the iteration cycle
  // and the outcome chaotic (physics/README.md). The direction descends the
  // merit: with the bend/twist rows primal-consistent (BuildJoint) and the
  // stretch rows in the augmented Lagrangian with the new multipliers
  // lambda + dlambda, its slope is -dx^T A' dx - rho |C|^2 < 0 (A' the
  // positive definite Newton matrix with the elastic rows eliminated;
  // Nocedal & Wright, Numerical Optimization, 2006, sec. 18.3). Steps below
  // the solver tolerance are taken whole (the merit's change is then
  // round-off).
  for (int j = 0; j < n; ++j) {
    const auto k = static_cast<std::size_t>(j);
    for (int r = 0; r < 6; ++r)
      lambda_trial_[k][static_cast<std::size_t>(r)] =
          lambda_[k][static_cast<std::size_t>(r)] + rhs_[k][static_cast<std::size_t>(r)];
  }
  const bool search = full_step * scale > spec.solver_tolerance_m;
  const double start_potential =
      search ? IncrementalPotential(input, state->position, state->orientation, *state) : 0.0;
  bool accepted = false;
  for (int halving = 0; !accepted && halving <= kMaxStepHalvings; ++halving) {
    for (int b = 0; b < n; ++b) {
      const auto k = static_cast<std::size_t>(b);
      trial_position_[k] = state->position[k] + Head(delta_[k]) * scale;
      trial_orientation_[k] =
          (QuatFromRotationVector(Tail(delta_[k]) * scale) * state->orientation[k]).Normalized();
    }
    accepted = !search || IncrementalPotential(input, trial_position_, trial_orientation_,
                                               *state) <= start_potential;
    if (!accepted) scale *= 0.5;
  }
  // No decrease along the direction: the iterate is as good as this
  // iteration can make it (the caller stops iterating).
  if (!accepted) {
    *largest_step = 0.0;
    return true;
  }
  *largest_step = full_step * scale;
  *whole_step = scale == 1.0;
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    state->position[k] = trial_position_[k];
    state->orientation[k] = trial_orientation_[k];
    for (int r = 0; r < 3; ++r)
      lambda_[k][static_cast<std::size_t>(r)] += rhs_[k][static_cast<std::size_t>(r)] * scale;
  }
  return true;
}

RodStepResult RodSolver::Step(const RodInput& input, const ContactWorld* world, double dt_s,
                              RodState* state) {
  RodStepResult result;
  const int n = model_.ElementCount();
  const RodSpec& spec = model_.Spec();
  // A non-finite command is a fault, not something to integrate.
  bool finite_input = IsFinite(input.handle_position) && IsFinite(input.tip_force_N) &&
                      IsFinite(input.tip_torque_Nm) && std::isfinite(input.handle_orientation.w) &&
                      IsFinite(input.handle_orientation.Vec()) && std::isfinite(dt_s) && dt_s > 0.0;
  for (double knob : input.knob_rad) finite_input = finite_input && std::isfinite(knob);
  if (!finite_input) {
    result.status = RodStatus::kNonFinite;
    return result;
  }
  backup_ = *state;
  dt_ = dt_s;

  // Knob play (backlash): the effective angle follows the knob only once the
  // knob has taken up half the play on either side (a play operator).
  for (std::size_t k = 0; k < spec.steering.size(); ++k) {
    const double half_play = 0.5 * spec.steering[k].backlash_rad;
    state->knob_effective_rad[k] = std::clamp(
        state->knob_effective_rad[k], input.knob_rad[k] - half_play, input.knob_rad[k] + half_play);
  }
  ComputeRestRotations(*state);
  for (int i = 0; i < n; ++i) DetectContacts(world, i, state);

  // Predictor of implicit Euler with mass-proportional damping c: inertia
  // only, x~ = x + h v / (1 + h c); external loads enter the Newton residual
  // (below), m (1 + h c) (x - x~) = h^2 (f_ext + f_constraint), so that a
  // large load on a light element is resolved implicitly, not as a kick.
  const double damping_scale = 1.0 + dt_ * spec.damping_per_s;
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const RodElement& element = elements_[k];
    external_force_[k] = spec.gravity_m_per_s2 * element.mass_kg;
    external_torque_[k] = Vec3{};
    predicted_position_[k] = state->position[k] + state->velocity[k] * (dt_ / damping_scale);
    predicted_orientation_[k] =
        (QuatFromRotationVector(state->angular_velocity[k] * (dt_ / damping_scale)) *
         state->orientation[k])
            .Normalized();
    // Warm start: last step's joint forces (lambda = f dt^2).
    for (int r = 0; r < 6; ++r) {
      lambda_[k][static_cast<std::size_t>(r)] =
          state->joint_force[k][static_cast<std::size_t>(r)] * dt_ * dt_;
    }
  }
  external_force_.back() += input.tip_force_N;
  external_torque_.back() += input.tip_torque_Nm;
  // The predictor is the first iterate; with anatomy it is scaled like any
  // Newton step so that no element moves more than half the contact margin
  // from where its contacts were detected (a fast element must not start
  // the iteration behind a wall).
  double predictor_scale = 1.0;
  for (int b = 0; b < n && world; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const double move = Norm(predicted_position_[k] - state->position[k]);
    if (move * predictor_scale > 0.5 * spec.contact_margin_m)
      predictor_scale = 0.5 * spec.contact_margin_m / move;
  }
  for (int b = 0; b < n; ++b) {
    const auto k = static_cast<std::size_t>(b);
    if (predictor_scale < 1.0) {
      state->position[k] += (predicted_position_[k] - state->position[k]) * predictor_scale;
      state->orientation[k] =
          (QuatFromRotationVector(
               RotationVector(predicted_orientation_[k] * state->orientation[k].Conjugate()) *
               predictor_scale) *
           state->orientation[k])
              .Normalized();
    } else {
      state->position[k] = predicted_position_[k];
      state->orientation[k] = predicted_orientation_[k];
    }
  }

  // Newton iterations on the joint constraints and contacts.
  // Newton iterations until the largest element displacement (or rotation
  // times length) of an iteration falls below solver_tolerance_m, at most
  // solver_iterations. Contacts are re-detected at the current iterate for
  // elements that moved more than half the detection margin since their last
  // query, so a large step cannot carry an element through a wall it was not
  // yet near; an iteration that re-detected does not count as converged.
  // Converged, too, when two consecutive whole Newton steps contract by
  // theta = |dx_k| / |dx_k-1| <= kMaxTrustedContraction and the error this
  // leaves, bounded by theta / (1 - theta) |dx_k| (the a-posteriori bound of
  // Banach's fixed-point theorem for an iteration contracting by theta), is
  // below the tolerance: in Newton's quadratic phase this saves the last
  // iteration, which would only confirm a step of ~1e-9 m.
  bool solved = true;
  double previous_step = 0.0;
  for (int it = 0; solved && it < spec.solver_iterations; ++it) {
    double largest_step = 0.0;
    bool whole_step = false;
    solved = SolveNewtonIteration(input, world != nullptr, state, &largest_step, &whole_step);
    bool redetected = false;
    for (int i = 0; i < n && world; ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (Norm(state->position[k] - detected_at_[k]) > 0.5 * spec.contact_margin_m) {
        DetectContacts(world, i, state);
        redetected = true;
      }
    }
    result.iterations = it + 1;
    if (redetected) {
      previous_step = 0.0;
      continue;
    }
    if (largest_step < spec.solver_tolerance_m) break;
    const double theta = whole_step && previous_step > 0.0 ? largest_step / previous_step : 1.0;
    if (theta <= kMaxTrustedContraction &&
        theta / (1.0 - theta) * largest_step < spec.solver_tolerance_m)
      break;
    previous_step = whole_step ? largest_step : 0.0;
  }

  // Velocities from the positions (implicit Euler), contact forces and the
  // friction anchors' slip, the handle's wrench.
  const double h2 = dt_ * dt_;
  for (int b = 0; b < n && solved; ++b) {
    const auto k = static_cast<std::size_t>(b);
    state->velocity[k] = (state->position[k] - backup_.position[k]) * (1.0 / dt_);
    state->angular_velocity[k] =
        RotationVector(state->orientation[k] * backup_.orientation[k].Conjugate()) * (1.0 / dt_);
    for (int s = 0; s < kMaxContactsPerElement; ++s) {
      RodContact& c = state->contacts[k * kMaxContactsPerElement + static_cast<std::size_t>(s)];
      if (!c.active) continue;
      const ContactEval eval = EvaluateContact(c, state->position[k], state->orientation[k],
                                               elements_[k], spec, nullptr);
      c.gap_m = eval.gap;
      c.force_N = eval.force;
      c.lagged_normal_force_N = spec.contact_stiffness_N_per_m * std::max(0.0, -eval.gap);
      // Re-anchor the material contact point under the contact (a rolling or
      // spinning rod brings new surface into contact), keeping the elastic
      // stick stretch, or the slip-limited one.
      const double radius = elements_[k].outer_radius_m;
      c.material_offset = state->orientation[k].Conjugate().Rotate(c.normal * -radius);
      const Vec3 point = state->position[k] + c.normal * -radius;
      if (eval.gap >= 0.0) {
        c.anchor = point;
        continue;
      }
      ++result.active_contacts;
      result.max_penetration_m = std::max(result.max_penetration_m, -eval.gap);
      // Carry the friction force, not the stretch, into the next step: its
      // stick stiffness mu_s f_n / delta uses the new lagged f_n, so the
      // stretch is rescaled by f_n(old) / f_n(new) (capped at delta, i.e.
      // slipping). Keeping the stretch instead would let a rising f_n raise
      // a stored force without work and pump energy into a wedged rod.
      const double stiffness_next =
          elements_[k].friction_static * c.lagged_normal_force_N / spec.friction_stick_distance_m;
      if (!(stiffness_next > 0.0)) {
        c.anchor = point;
        continue;
      }
      Vec3 stretch = eval.friction * (-1.0 / stiffness_next);
      const double stretch_norm = Norm(stretch);
      if (stretch_norm > spec.friction_stick_distance_m)
        stretch = stretch * (spec.friction_stick_distance_m / stretch_norm);
      c.anchor = point - stretch;
    }
  }
  if (solved) {
    // Joint forces at the final pose: the bend/twist moments are those of
    // the pose (BuildJoint), the stretch forces the last multipliers.
    for (int j = 0; j < n; ++j) BuildJoint(j, input, *state);
    for (int j = 0; j < n; ++j) {
      const auto k = static_cast<std::size_t>(j);
      for (int r = 0; r < 6; ++r) {
        state->joint_force[k][static_cast<std::size_t>(r)] =
            lambda_[k][static_cast<std::size_t>(r)] / h2;
      }
    }
    const Vec6& l0 = lambda_[0];
    // Joint 0's force on element 0, -lambda_p, and its moment about the
    // joint point, G^T lambda_r (RodJointJacobian).
    state->handle_force_N = Head(l0) * (-1.0 / h2);
    state->handle_torque_Nm = jacobian_[0].g.Transposed() * Tail(l0) * (1.0 / h2);
    state->handle_position = input.handle_position;
    state->handle_orientation = input.handle_orientation;
  }

  // Fault checks: leave the state as it was before the step.
  if (!solved) {
    result.status = RodStatus::kSingularSystem;
  } else {
    for (int b = 0; b < n && result.status == RodStatus::kOk; ++b) {
      const auto k = static_cast<std::size_t>(b);
      if (!IsFinite(state->position[k]) || !IsFinite(state->velocity[k]) ||
          !IsFinite(state->angular_velocity[k]) || !std::isfinite(state->orientation[k].w)) {
        result.status = RodStatus::kNonFinite;
      } else if (elements_[k].contact_enabled && Norm(state->velocity[k]) > kMaxSpeed_m_per_s) {
        // (Vacant elements of a coaxial stack, massless followers, may whip.)
        result.status = RodStatus::kVelocityLimit;
      }
    }
    if (result.status == RodStatus::kOk && result.max_penetration_m > spec.max_penetration_m) {
      result.status = RodStatus::kPenetration;
    }
  }
  if (result.status != RodStatus::kOk) {
    *state = backup_;
    return result;
  }
  state->time_s += dt_;
  ++state->step_count;
  return result;
}

RodEnergy RodSolver::Energy(const RodState& state) const {
  RodEnergy energy;
  const RodSpec& spec = model_.Spec();
  for (int b = 0; b < model_.ElementCount(); ++b) {
    const auto k = static_cast<std::size_t>(b);
    const RodElement& element = elements_[k];
    energy.kinetic +=
        0.5 * element.mass_kg * Dot(state.velocity[k], state.velocity[k]) +
        0.5 * Dot(state.angular_velocity[k],
                  WorldInertia(element, state.orientation[k]) * state.angular_velocity[k]);
    energy.gravity -= element.mass_kg * Dot(spec.gravity_m_per_s2, state.position[k]);
    // Elastic: 1/2 C^T alpha^-1 C per joint.
    const Quat q_a = b == 0 ? state.handle_orientation : state.orientation[k - 1];
    const RotationError e = EvaluateRotationError(
        q_a, JointRestRotation(model_, elements_, b, state.knob_effective_rad),
        state.orientation[k]);
    const Vec3 alpha = joints_[k].rotational_compliance;
    energy.elastic +=
        0.5 * (e.c.x * e.c.x / alpha.x + e.c.y * e.c.y / alpha.y + e.c.z * e.c.z / alpha.z);
    for (int s = 0; s < kMaxContactsPerElement; ++s) {
      const RodContact& c =
          state.contacts[k * kMaxContactsPerElement + static_cast<std::size_t>(s)];
      if (c.active && c.gap_m < 0.0)
        energy.contact += 0.5 * spec.contact_stiffness_N_per_m * c.gap_m * c.gap_m;
    }
  }
  return energy;
}

}  // namespace teersim::physics
