// RodSolver: advances a RodState by one fixed step with a direct (O(n)
// block-tridiagonal) XPBD/Newton solve of the rod's joints, implicit penalty
// contact and stick-slip Coulomb friction, globalised by a backtracking line
// search on the incremental potential. See physics/README.md for the
// formulation and its sources.
//
// Step never throws and allocates nothing once the solver exists: the solver
// holds all scratch memory, sized for one model at construction. Faults
// (non-finite values, energy blow-up or divergence, penetration beyond the
// model's bound, a singular system) are returned as a status and leave the state as it was
// before the step.
#pragma once

#include <vector>

#include "physics/rod_math.h"
#include "physics/rod_model.h"
#include "physics/rod_state.h"

namespace teersim::physics {

class ContactWorld;

enum class RodStatus {
  kOk,
  kNonFinite,       // NaN or infinity in the state
  kVelocityLimit,   // energy blow-up: an element exceeded kMaxSpeed
  kPenetration,     // deeper than RodSpec::max_penetration_m into anatomy
  kSingularSystem,  // a joint block lost positive definiteness
};

const char* RodStatusName(RodStatus status);

struct RodStepResult {
  RodStatus status = RodStatus::kOk;
  int active_contacts = 0;
  int iterations = 0;
  double max_penetration_m = 0.0;
};

// Energy split (J): kinetic, elastic (bend/twist), gravity potential, contact
// penalty.
struct RodEnergy {
  double kinetic = 0.0;
  double elastic = 0.0;
  double gravity = 0.0;
  double contact = 0.0;
  double Total() const { return kinetic + elastic + gravity + contact; }
};

// Joint j's Jacobian (rows: point coincidence, bend/twist; columns: a
// body's translation, rotation): w.r.t. the distal body j [[-I, [l_b]x],
// [0, G]], w.r.t. the proximal body j-1 [[I, -[l_a]x], [0, -G]], with l_a,
// l_b the levers from each body's centre to the joint point.
struct RodJointJacobian {
  Vec3 lever_a, lever_b;
  Mat3 g;
};

// A body's inverse Newton matrix A^-1 in 3x3 blocks [[p, q], [q^T, r]]
// (translation, rotation); q = 0 without contact.
struct RodBodyInverse {
  Mat3 p, q, r;
};

class RodSolver {
 public:
  // Sizes scratch memory for `model`; the model must outlive the solver.
  explicit RodSolver(const RodModel& model);

  // Advance `state` by `dt_s` (> 0). `world` may be null (no anatomy).
  RodStepResult Step(const RodInput& input, const ContactWorld* world, double dt_s,
                     RodState* state);

  const RodModel& Model() const { return model_; }

  // The per-element properties and joint compliances Step uses: the model's
  // at construction. A coaxial stack (coaxial_stack.h) rewrites them between
  // steps as instruments slide; sizes must not change (no allocation).
  std::vector<RodElement>& MutableElements() { return elements_; }
  std::vector<RodJoint>& MutableJoints() { return joints_; }
  const std::vector<RodElement>& Elements() const { return elements_; }

  // Elastic energy uses the rest shape at the state's knob play.
  RodEnergy Energy(const RodState& state) const;

  // Speed above which a step is reported as an energy blow-up (m/s): over a
  // hundred times the fastest clinical motion (a tip 30 mm off axis turned at
  // 2 rev/s moves at 0.38 m/s), yet reachable in one step by a light free
  // rod under a sudden load, which implicit Euler resolves as a jump. With
  // anatomy the trust region bounds motion to 5 m/s (0.5 mm per iteration),
  // so a blow-up there shows as penetration or non-finite values.
  static constexpr double kMaxSpeed_m_per_s = 50.0;

 private:
  void ComputeRestRotations(const RodState& state);
  // Queries the anatomy for element i at its current position.
  void DetectContacts(const ContactWorld* world, int i, RodState* state);
  void BuildJoint(int j, const RodInput& input, const RodState& state);
  // Merit of the line search (J, times dt^2): inertia, external work,
  // contact and friction potentials and bend/twist energy at the given poses,
  // plus the zero-stretch constraints' augmented Lagrangian with the
  // multipliers in lambda_trial_.
  double IncrementalPotential(const RodInput& input, const std::vector<Vec3>& position,
                              const std::vector<Quat>& orientation, const RodState& state) const;
  // One Newton iteration; `largest_step` gets the largest element move (m),
  // `whole_step` whether the full Newton step was taken (no trust-region or
  // line-search scaling). `limit_steps` applies the trust region (anatomy
  // present).
  bool SolveNewtonIteration(const RodInput& input, bool limit_steps, RodState* state,
                            double* largest_step, bool* whole_step);

  const RodModel& model_;
  std::vector<RodElement> elements_;
  std::vector<RodJoint> joints_;
  double dt_ = 0.0;
  std::vector<Quat> rest_rotation_;  // per joint, material frame of the proximal body
  std::vector<Vec3> predicted_position_;
  std::vector<Quat> predicted_orientation_;
  std::vector<Vec3> external_force_;
  std::vector<Vec3> external_torque_;
  std::vector<Vec6> lambda_;                  // per joint, accumulated multipliers
  std::vector<RodBodyInverse> inverse_mass_;  // per body, A^-1
  std::vector<Vec6> body_residual_;           // per body, g1
  std::vector<RodJointJacobian> jacobian_;    // per joint
  std::vector<Vec6> joint_residual_;          // per joint, C + alpha~ lambda
  std::vector<Mat6> diag_;                    // Schur diagonal blocks D_j
  std::vector<Cholesky6> factor_;             // L_j, L_j L_j^T = D_j - V_{j-1}^T V_{j-1}
  std::vector<Mat6> upper_;                   // coupling block U_j (j, j+1)
  std::vector<Vec6> rhs_;
  std::vector<Mat6> solved_upper_;    // V_j = L_j^-1 U_j
  std::vector<Vec6> solved_rhs_;      // y_j = L_j^-1 (r_j - V_{j-1}^T y_{j-1})
  std::vector<Vec6> delta_;           // per body, Newton step
  std::vector<Vec3> detected_at_;     // per element, where contacts were queried
  std::vector<Vec6> lambda_trial_;    // per joint, multipliers after the Newton step
  std::vector<Vec3> trial_position_;  // line search poses
  std::vector<Quat> trial_orientation_;
  RodState backup_;
};

}  // namespace teersim::physics
