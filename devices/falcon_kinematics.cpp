#include "devices/falcon_kinematics.h"

#include <algorithm>
#include <cmath>

namespace teersim::devices {
namespace {

// Forward kinematics: Newton stops when a step is below this (far below the
// encoder resolution, about 40 µm at the grip) or after this many steps.
constexpr double kNewtonStep_m = 1e-12;
constexpr int kNewtonMaxIterations = 60;
constexpr int kNewtonMaxHalvings = 20;
// A converged pose must reproduce the requested angles (rejects a pose on the
// other elbow branch, which also satisfies (1)).
constexpr double kAngleCheck_rad = 1e-7;
// Below this |det| a 3×3 matrix is treated as singular.
constexpr double kSingularDeterminant = 1e-18;
// libnifalcon negates the torque when it forms the command: a positive
// command turns the arm towards smaller encoder counts.
constexpr double kMotorCommandSign = -1.0;

double Norm(const Vec3& v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

}  // namespace

std::optional<Mat3> Inverse(const Mat3& m) {
  // Adjugate over determinant: exact enough for the well-conditioned 3×3
  // Jacobians of the workspace, and allocation-free for the 1 kHz loop.
  const double c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1];
  const double c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2];
  const double c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0];
  const double det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02;
  if (!std::isfinite(det) || std::abs(det) < kSingularDeterminant) return std::nullopt;
  const double k = 1.0 / det;
  Mat3 r;
  r[0] = {c00 * k, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * k,
          (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * k};
  r[1] = {c01 * k, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * k,
          (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * k};
  r[2] = {c02 * k, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * k,
          (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * k};
  return r;
}

Vec3 Multiply(const Mat3& m, const Vec3& v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i) r[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
  return r;
}

Mat3 Transpose(const Mat3& m) {
  Mat3 t;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) t[i][j] = m[j][i];
  }
  return t;
}

double FalconArmAngle(std::int16_t count) {
  // The shaft's arc per count, π d_shaft / counts_per_rev, turns the drum
  // (radius d_drum / 2) by that arc over the radius.
  const double arc_per_count_m =
      3.14159265358979323846 * kFalconShaftDiameter_m / kFalconEncoderCountsPerRev;
  return kFalconThetaAtZeroCount_rad + count * arc_per_count_m / (kFalconArmDrumDiameter_m / 2.0);
}

Vec3 FalconKinematics::LegFrame(int leg, const Vec3& p_D) const {
  const double c = std::cos(geometry_.phi_rad[leg]);
  const double s = std::sin(geometry_.phi_rad[leg]);
  return {c * p_D[0] + s * p_D[1] - geometry_.r_m, -s * p_D[0] + c * p_D[1] - geometry_.s_m,
          p_D[2]};
}

std::optional<double> FalconKinematics::Constraint(int leg, const Vec3& p_D, double theta_rad,
                                                   Vec3* gradient_D) const {
  const FalconGeometry& g = geometry_;
  const Vec3 q = LegFrame(leg, p_D);
  // Shin reach K(v) = d + e + sqrt(b² - (v + f)²); undefined beyond |v + f| = b.
  const double vf = q[1] + g.f_m;
  const double root_sq = g.b_m * g.b_m - vf * vf;
  if (!(root_sq > 0.0)) return std::nullopt;
  const double root = std::sqrt(root_sq);
  const double reach = g.d_m + g.e_m + root;
  const double du = q[0] + g.c_m - g.a_m * std::cos(theta_rad);
  const double dw = q[2] - g.a_m * std::sin(theta_rad);
  if (gradient_D != nullptr) {
    // ∂g/∂q, then ∂g/∂p = Rz(-φ)ᵀ ∂g/∂q.
    const double gu = 2.0 * du;
    const double gv = 2.0 * reach * vf / root;
    const double gw = 2.0 * dw;
    const double c = std::cos(g.phi_rad[leg]);
    const double s = std::sin(g.phi_rad[leg]);
    *gradient_D = {gu * c - gv * s, gu * s + gv * c, gw};
  }
  return du * du + dw * dw - reach * reach;
}

std::optional<Vec3> FalconKinematics::InverseKinematics(const Vec3& p_D) const {
  const FalconGeometry& g = geometry_;
  Vec3 theta{};
  for (int leg = 0; leg < 3; ++leg) {
    const Vec3 q = LegFrame(leg, p_D);
    const double vf = q[1] + g.f_m;
    const double root_sq = g.b_m * g.b_m - vf * vf;
    if (!(root_sq > 0.0)) return std::nullopt;
    const double reach = g.d_m + g.e_m + std::sqrt(root_sq);
    // Elbow a(cos θ, sin θ) at distance K from Q = (u + c, w): by the law of
    // cosines K² = a² + |Q|² - 2 a |Q| cos(θ - α), α the direction of Q. Of
    // the two elbows the Falcon's is the one on the side of smaller θ.
    const double qu = q[0] + g.c_m;
    const double qw = q[2];
    const double distance = std::hypot(qu, qw);
    if (!(distance > 0.0)) return std::nullopt;
    const double cosine =
        (g.a_m * g.a_m + distance * distance - reach * reach) / (2.0 * g.a_m * distance);
    if (!(std::abs(cosine) <= 1.0)) return std::nullopt;
    theta[leg] = std::atan2(qw, qu) - std::acos(cosine);
  }
  return theta;
}

std::optional<Mat3> FalconKinematics::Jacobian(const Vec3& p_D) const {
  const auto theta = InverseKinematics(p_D);
  if (!theta) return std::nullopt;
  // Implicit differentiation of (1): dθ_i/dp = -(∂g_i/∂p) / (∂g_i/∂θ_i), with
  // ∂g/∂θ = 2a((u + c) sin θ - w cos θ). J = dp/dθ is the inverse.
  Mat3 dtheta_dp;
  for (int leg = 0; leg < 3; ++leg) {
    Vec3 gradient{};
    if (!Constraint(leg, p_D, (*theta)[leg], &gradient)) return std::nullopt;
    const Vec3 q = LegFrame(leg, p_D);
    const double t = (*theta)[leg];
    const double dg_dtheta =
        2.0 * geometry_.a_m * ((q[0] + geometry_.c_m) * std::sin(t) - q[2] * std::cos(t));
    if (!(std::abs(dg_dtheta) > 0.0)) return std::nullopt;
    for (int k = 0; k < 3; ++k) dtheta_dp[leg][k] = -gradient[k] / dg_dtheta;
  }
  return Inverse(dtheta_dp);
}

std::optional<Vec3> FalconKinematics::ForwardKinematics(const Vec3& theta_rad,
                                                        const Vec3& guess_D) const {
  for (double t : theta_rad) {
    if (!std::isfinite(t)) return std::nullopt;
  }
  // Newton's method on the three constraints (1): G(p) = 0 with ∂G/∂p from
  // the gradients; quadratic convergence near the pose. Far from it (a guess
  // across the workspace) a full step can leave every leg's reach or grow
  // |G|: the step is then halved until it does neither.
  Vec3 p = guess_D;
  const auto residual_at = [&](const Vec3& at, Mat3* gradient) -> std::optional<Vec3> {
    Vec3 residual{};
    for (int leg = 0; leg < 3; ++leg) {
      const auto g = Constraint(leg, at, theta_rad[leg], gradient ? &(*gradient)[leg] : nullptr);
      if (!g) return std::nullopt;
      residual[leg] = *g;
    }
    return residual;
  };
  bool converged = false;
  for (int iteration = 0; iteration < kNewtonMaxIterations && !converged; ++iteration) {
    Mat3 gradient;
    const auto residual = residual_at(p, &gradient);
    if (!residual) return std::nullopt;
    const auto inverse = Inverse(gradient);
    if (!inverse) return std::nullopt;
    const Vec3 step = Multiply(*inverse, *residual);
    double fraction = 1.0;
    for (int halving = 0; halving < kNewtonMaxHalvings; ++halving, fraction *= 0.5) {
      const Vec3 trial{p[0] - fraction * step[0], p[1] - fraction * step[1],
                       p[2] - fraction * step[2]};
      const auto trial_residual = residual_at(trial, nullptr);
      if (trial_residual && Norm(*trial_residual) <= Norm(*residual)) break;
    }
    for (int k = 0; k < 3; ++k) p[k] -= fraction * step[k];
    converged = Norm(step) < kNewtonStep_m;
  }
  if (!converged) return std::nullopt;
  const auto check = InverseKinematics(p);
  if (!check) return std::nullopt;
  for (int leg = 0; leg < 3; ++leg) {
    if (std::abs((*check)[leg] - theta_rad[leg]) > kAngleCheck_rad) return std::nullopt;
  }
  return p;
}

std::optional<Vec3> FalconKinematics::PositionFromEncoders(
    const std::array<std::int16_t, 3>& counts, const Vec3& guess_D) const {
  const Vec3 theta{FalconArmAngle(counts[0]), FalconArmAngle(counts[1]), FalconArmAngle(counts[2])};
  auto p = ForwardKinematics(theta, guess_D);
  // A poor guess (a jump after lost packets) gets a second try from the centre.
  if (!p && guess_D != kWorkspaceCentre_D) p = ForwardKinematics(theta, kWorkspaceCentre_D);
  return p;
}

std::array<std::int16_t, 3> FalconKinematics::MotorCommands(const Vec3& p_D,
                                                            const Vec3& force_D_N) const {
  std::array<std::int16_t, 3> commands{0, 0, 0};
  Vec3 force = force_D_N;
  const double magnitude_N = Norm(force);
  if (!std::isfinite(magnitude_N)) return commands;
  // Safety clamp 1: the grip force, keeping its direction.
  if (magnitude_N > kFalconMaxForce_N) {
    for (double& f : force) f *= kFalconMaxForce_N / magnitude_N;
  }
  const auto jacobian = Jacobian(p_D);
  if (!jacobian) return commands;
  // τ = Jᵀ F (virtual work: τ·dθ = F·dp with dp = J dθ).
  Vec3 counts = Multiply(Transpose(*jacobian), force);
  double largest = 0.0;
  for (double& c : counts) {
    c *= kMotorCommandSign * kFalconMotorCountsPerNewtonMetre;
    largest = std::max(largest, std::abs(c));
  }
  if (!std::isfinite(largest)) return commands;
  // Safety clamp 2: no command beyond the limit; all three scale together so
  // the force keeps its direction near singular poses.
  const double scale = largest > kFalconMaxMotorCommand ? kFalconMaxMotorCommand / largest : 1.0;
  for (int k = 0; k < 3; ++k) {
    commands[k] = static_cast<std::int16_t>(std::lround(counts[k] * scale));
  }
  return commands;
}

}  // namespace teersim::devices
