// Kinematics of the Novint Falcon, a 3-DOF translational delta robot, after
// R. E. Stamper's model of such a manipulator:
//
//   R. E. Stamper, "A Three Degree of Freedom Parallel Manipulator with Only
//   Translational Degrees of Freedom", PhD thesis, University of Maryland,
//   Institute for Systems Research, ISR PhD 97-4, 1997 (leg model, Fig. 3.3
//   and §3.2).
//
// The Falcon's dimensions (a … f, r, s, φ) and its encoder scale are those
// measured and published by libnifalcon (BSD licence,
// include/falcon/core/FalconGeometry.h and FalconKinematic.h::getTheta). The
// equations and their solution below are our own (see devices/README.md,
// "Falcon kinematics"); no libnifalcon code is used.
//
// Frames. D is the device frame of libnifalcon: origin on the axis of
// symmetry of the three legs, +z along that axis towards the grip, metres.
// Leg i has its own frame L_i = (u, v, w), rotated by φ_i about z and shifted
// by (r, s) in its plane: q = Rz(-φ_i) p - (r, s, 0). In that frame the leg's
// motor turns the upper arm (length a) by θ_i; the parallelogram shin (side
// b, joint offsets d and e) keeps the grip's orientation, which is what makes
// the robot purely translational.
//
// Leg constraint (our derivation from Stamper's leg model): the shin angle
// θ3 follows from v alone, v = b cos θ3 - f, so the horizontal reach of the
// shin is K(v) = d + e + b sin θ3 = d + e + sqrt(b² - (v + f)²), and the
// elbow, at a (cos θ, sin θ) in the (u + c, w) plane, lies at distance K from
// the grip point:
//
//   g_i(p, θ_i) = (u + c - a cos θ_i)² + (w - a sin θ_i)² - K(v)² = 0.   (1)
//
// Inverse kinematics solves (1) for θ_i in closed form; forward kinematics
// solves the three equations (1) for p by Newton's method; the Jacobian
// dθ/dp follows by implicit differentiation of (1) and J = dp/dθ is its
// inverse. Joint torques for a force at the grip: τ = Jᵀ F (virtual work).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "devices/vec3.h"

namespace teersim::devices {

using Mat3 = std::array<Vec3, 3>;  // row-major: Mat3[row][column]

// Falcon geometry, SI (libnifalcon FalconGeometry.h; letters as in Stamper).
struct FalconGeometry {
  double a_m = 0.060;         // upper arm: leg base to knee
  double b_m = 0.1025;        // shin parallelogram side
  double c_m = 0.014;         // shin joint to grip centre, u component
  double d_m = 0.01125;       // shin to grip joint
  double e_m = 0.01125;       // knee to shin joint
  double f_m = -0.025;        // shin joint to grip centre, v component
  double r_m = 0.037233758;   // frame origin to leg base, u component
  double s_m = -0.027330909;  // frame origin to leg base, v component
  // Angles of the three legs about z: 90°, -30°, -150°, each plus the 15°
  // tilt of the axes from the desk plane.
  std::array<double, 3> phi_rad{1.8325957145940461, -0.2617993877991494, -2.3561944901923448};
};

// Encoder scale (libnifalcon FalconKinematic.h): a 320-slot quadrature wheel
// (4 counts per slot) on a motor shaft of 14.25 mm driving, by cable, an arm
// drum of 110 mm; count 0 is near 35° of arm angle.
inline constexpr double kFalconEncoderCountsPerRev = 4.0 * 320.0;
inline constexpr double kFalconShaftDiameter_m = 0.01425;
inline constexpr double kFalconArmDrumDiameter_m = 0.110;
inline constexpr double kFalconThetaAtZeroCount_rad = 35.0 * 3.14159265358979323846 / 180.0;

// Motor command scale and the safety clamp. libnifalcon sends 10000 counts
// per N·m of arm torque (FalconKinematicStamper::getForces); commands are
// signed 16-bit and a larger value would wrap, so every command stays within
// kFalconMaxMotorCommand (torques are scaled down together, keeping the
// force's direction). The grip force itself is capped at kFalconMaxForce_N,
// below the Falcon's rated ~9 N (2 lbf), so no simulator bug can throw the
// user's hand.
inline constexpr double kFalconMotorCountsPerNewtonMetre = 10000.0;
inline constexpr int kFalconMaxMotorCommand = 30000;
inline constexpr double kFalconMaxForce_N = 8.0;

// Arm angle of one leg from its encoder count (radians).
double FalconArmAngle(std::int16_t count);

class FalconKinematics {
 public:
  explicit FalconKinematics(FalconGeometry geometry = {}) : geometry_(geometry) {}

  const FalconGeometry& geometry() const { return geometry_; }

  // θ (rad) of the three motors for the grip at p_D (m); nullopt when p is
  // out of every leg's reach.
  std::optional<Vec3> InverseKinematics(const Vec3& p_D) const;

  // Grip position p_D (m) for motor angles θ (rad), by Newton's method from
  // `guess_D` (the last position, or the workspace centre); nullopt when it
  // does not converge (angles no real pose can have).
  std::optional<Vec3> ForwardKinematics(const Vec3& theta_rad,
                                        const Vec3& guess_D = kWorkspaceCentre_D) const;

  // J = dp/dθ (m/rad) at p_D; nullopt out of reach or at a singularity.
  std::optional<Mat3> Jacobian(const Vec3& p_D) const;

  // Motor commands for a force F_D (N) at the grip at p_D: τ = Jᵀ F (N·m),
  // scaled to counts and clamped (see kFalconMaxForce_N and
  // kFalconMaxMotorCommand). A non-finite force or an unreachable p gives
  // zero commands: no force is the safe output.
  std::array<std::int16_t, 3> MotorCommands(const Vec3& p_D, const Vec3& force_D_N) const;

  // Position from the three encoder counts (FalconArmAngle then forward
  // kinematics).
  std::optional<Vec3> PositionFromEncoders(const std::array<std::int16_t, 3>& counts,
                                           const Vec3& guess_D = kWorkspaceCentre_D) const;

  // The middle of the Falcon's workspace (libnifalcon examples centre their
  // scenes near z = 0.11 m).
  static constexpr Vec3 kWorkspaceCentre_D{0.0, 0.0, 0.11};

 private:
  // Leg i's frame coordinates q = Rz(-φ_i) p - (r, s, 0).
  Vec3 LegFrame(int leg, const Vec3& p_D) const;
  // Residual of (1) and its gradient with respect to p_D.
  std::optional<double> Constraint(int leg, const Vec3& p_D, double theta_rad,
                                   Vec3* gradient_D) const;

  FalconGeometry geometry_;
};

// 3×3 helpers (kinematics, tests).
std::optional<Mat3> Inverse(const Mat3& m);
Vec3 Multiply(const Mat3& m, const Vec3& v);
Mat3 Transpose(const Mat3& m);

}  // namespace teersim::devices
