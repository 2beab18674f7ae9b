#include "sim/autopilot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "base/input_error.h"
#include "scenes/vec3.h"
#include "sim/step.h"

namespace teersim::sim {
namespace {

using devices::ControlId;
using scenes::Distance;
using scenes::Dot;
using scenes::operator+;
using scenes::operator-;
using scenes::operator*;

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;

// The autopilot's pace: how fast an expert moves each kind of control when
// the move matters (slower than Step's hand limits) [DESIGN].
constexpr double kCoarseTranslation_m_per_s = 0.05;  // through the veins
constexpr double kFineTranslation_m_per_s = 0.005;   // near the septum and the valve
constexpr double kNeedle_m_per_s = 0.003;            // needle advance while tenting
constexpr double kRotation_rad_per_s = 1.0;
constexpr double kKnob_rad_per_s = 1.0;
constexpr double kArm_rad_per_s = 1.0;
// Targets (clinical-reference §1.1, §5).
// Height above the annulus: > 4 cm for degenerative MR, about 4 cm for
// functional MR (§1.3 [S8]), inside the taught 3.5–4.5 cm window [BK].
constexpr double kTargetHeightDegenerative_m = 0.043;
constexpr double kTargetHeightFunctional_m = 0.040;
constexpr double kPosteriorFraction = 0.4;        // posterior part of the fossa [S2,S5,S6]
constexpr double kFossaMargin = 0.75;             // stay inside 75% of the fossa ellipse
constexpr double kHoverHeight_m = 0.015;          // clip 1.5 cm above the annulus before crossing
// Hub 8 mm under the leaflet edges in the LV before opening (§1.1 step 8:
// cross closed, open to 120° just below the leaflets): above the chordal
// zone, where turning or advancing the open clip catches the chordae; the
// pull-back from there finds each leaflet on its arm in every stock case.
constexpr double kLvDepthBelowEdges_m = 0.008;
// The poor run crosses with its arms open and goes on 20 mm under the edges,
// into the chordal zone: the open advance there catches the chordae.
constexpr double kPoorLvDepthBelowEdges_m = 0.020;
constexpr double kGraspAngle_rad = 120.0 * kDeg;  // [S10]
constexpr double kOpenInLa_rad = 180.0 * kDeg;    // [BK]
constexpr double kClosedAngle_rad = 5.0 * kDeg;
constexpr double kInsertionGoal_m = 0.006;      // §5 [BK/DESIGN]
constexpr double kInsertionMargin_m = 0.001;    // what the expert wants to see beyond the goal
constexpr double kPoorRunSeesTissue_m = 0.002;  // the poor run grasps at the first tissue it sees
constexpr int kMaxGraspAttempts = 3;
constexpr double kSecondClipSpacing_m = 0.0055;  // arm width + bridged tissue beside it [DESIGN]
constexpr double kGuideDepth_m = 0.02;  // guide tip 2 cm into the LA (§1.1 step 4: 1–2 cm)
// Poor run.
constexpr double kPoorPosteriorFraction = -0.6;  // anterior
constexpr double kPoorSuperiorFraction = -0.7;   // low
constexpr double kPoorRollError_rad = 35.0 * kDeg;

}  // namespace

std::string_view AutopilotStyleName(AutopilotStyle style) {
  return style == AutopilotStyle::kExpert ? "expert" : "poor";
}

Autopilot::Autopilot(const Model& model, AutopilotStyle style) : model_(model), style_(style) {
  if (!model.procedure.available) {
    throw InputError("autopilot: case " + model.case_description.name +
                     " cannot be performed: " + model.procedure.unavailable_reason);
  }
  extra_roll_rad_ = style == AutopilotStyle::kPoor ? kPoorRollError_rad : 0.0;
  PlanPuncture();
}

std::string Autopilot::Name() const {
  return "autopilot " + std::string(AutopilotStyleName(style_));
}

bool Autopilot::HandleAt(const State& state, ControlId id, double target, double tolerance) const {
  return std::fabs(state.handles.Get(id) - target) <= tolerance;
}

bool Autopilot::Approach(const State& state, ControlId id, double target, double speed_per_s) {
  const double step = speed_per_s * model_.step_s;
  const double current = commands_.Get(id);
  commands_.Set(id, current + std::clamp(target - current, -step, step));
  return HandleAt(state, id, target, 1e-6);
}

void Autopilot::Enter(Stage stage, double time_s) {
  stage_ = stage;
  stage_start_s_ = time_s;
  if (stage == Stage::kPullBackToGrasp) {
    seen_this_beat_m_ = seen_last_beat_m_ = {0.0, 0.0};
    beat_window_start_s_ = time_s;
  }
}


void Autopilot::GiveUp(const std::string& why, double time_s) {
  problem_ = why;
  Enter(Stage::kFinished, time_s);
}

// The puncture site on the fossa (posterior, at the target height as far as
// the fossa allows; the poor run: anterior and low), then the sheath insertion
// and rotation that bring the curve's tip onto it, by search over the
// transseptal set's own geometry (what an expert learns to read on TEE).
void Autopilot::PlanPuncture() {
  const ProcedureModel& pm = model_.procedure;
  const double hw = pm.fossa_half_width_m, hh = pm.fossa_half_height_m;
  double posterior = kPosteriorFraction * hw;
  double superior = 0.0;
  if (style_ == AutopilotStyle::kPoor) {
    posterior = kPoorPosteriorFraction * hw;
    superior = kPoorSuperiorFraction * hh;
  } else {
    // Height is linear in the in-plane offsets: solve for the superior one.
    const double height_at_centre = Dot(pm.fossa_centre - pm.valve.centre, pm.valve.w);
    const double per_superior = Dot(pm.fossa_superior, pm.valve.w);
    const double per_posterior = Dot(pm.fossa_posterior, pm.valve.w);
    const bool functional = pm.lesion_on_anterior && pm.lesion_on_posterior;
    const double target_height =
        functional ? kTargetHeightFunctional_m : kTargetHeightDegenerative_m;
    const double wanted =
        (target_height - height_at_centre - posterior * per_posterior) / per_superior;
    const double ex = posterior / hw;
    const double limit =
        kFossaMargin * hh * std::sqrt(std::max(0.0, 1.0 - ex * ex / (kFossaMargin * kFossaMargin)));
    superior = std::clamp(wanted, -limit, limit);
  }
  const Vec3 site = pm.fossa_centre + posterior * pm.fossa_posterior + superior * pm.fossa_superior;

  // Coarse-to-fine search for the set's insertion and rotation.
  double best = INFINITY;
  const auto evaluate = [&](double insertion, double rotation) {
    const Vec3 tip = TransseptalFreeTip(pm, insertion, rotation);
    const double beyond = Dot(tip - pm.fossa_centre, pm.septum_normal);
    constexpr double kMinPreload_m = 0.002;
    if (beyond < kMinPreload_m) return;
    const Vec3 contact = tip - beyond * pm.septum_normal;
    const double error = Distance(contact, site);
    if (error < best) {
      best = error;
      puncture_insertion_m_ = insertion;
      puncture_rotation_rad_ = rotation;
    }
  };
  const double start = pm.route_length_m, end = pm.route_length_m + pm.ra_axis_length_m;
  for (double ins = start; ins <= end; ins += 0.001) {
    for (double rot = -kPi / 2; rot <= kPi / 2; rot += kDeg) evaluate(ins, rot);
  }
  const double ins0 = puncture_insertion_m_, rot0 = puncture_rotation_rad_;
  for (double ins = ins0 - 0.001; ins <= ins0 + 0.001; ins += 0.0001) {
    for (double rot = rot0 - kDeg; rot <= rot0 + kDeg; rot += 0.05 * kDeg) evaluate(ins, rot);
  }
}

void Autopilot::PlanClipTarget(const State& state) {
  const ProcedureModel& pm = model_.procedure;
  const ProcedureState& ps = state.procedure;
  double s = pm.lesion_centre_s_m;
  if (ps.clips_released > 0) {
    // Beside the first clip, towards the side the lesion extends to
    // (laterally, towards A1/P1, when it is centred on the clip).
    const double towards = pm.lesion_centre_s_m - first_clip_s_m_;
    const double sign = std::fabs(towards) < 0.001 ? -1.0 : (towards > 0.0 ? 1.0 : -1.0);
    s = first_clip_s_m_ + sign * kSecondClipSpacing_m;
  }
  clip_target_v_m_ = -s;
  // Centre between the leaflet edges: the lesion's edge stands back from the
  // line by part of its gap (sim/procedure.cpp, EdgeFor).
  const double gap = LesionGapAt(pm, s);
  double shift = 0.0;
  if (pm.lesion_on_posterior && !pm.lesion_on_anterior) shift = 0.5 * kGapHorizontalFraction * gap;
  if (pm.lesion_on_anterior && !pm.lesion_on_posterior) shift = -0.5 * kGapHorizontalFraction * gap;
  clip_target_u_m_ = CoaptationU(pm, clip_target_v_m_) + shift;
}

// Levenberg–Marquardt over the steering handles (guide depth, knob, rotation;
// sleeve advance, A/P and M/L knobs; delivery advance) for the clip hub
// above the target, its axis along the annular normal towards the LV.
bool Autopilot::SolveSteering(const State& state) {
  const ProcedureModel& pm = model_.procedure;
  const Vec3 site = state.procedure.puncture_site;
  const double crossing = SeptalCrossingInsertion(pm, site);
  const Vec3 target = pm.valve.centre + clip_target_u_m_ * pm.valve.u +
                      clip_target_v_m_ * pm.valve.v + kHoverHeight_m * pm.valve.w;
  const Vec3 down = -1.0 * pm.valve.w;
  constexpr int kN = 7;
  const std::array<ControlId, kN> ids{ControlId::kGuideTranslation,   ControlId::kGuideKnob,
                                      ControlId::kGuideRotation,      ControlId::kSleeveTranslation,
                                      ControlId::kSleeveApKnob,       ControlId::kSleeveMlKnob,
                                      ControlId::kDeliveryTranslation};
  const std::array<double, kN> lo{crossing + 0.012, -kPi, -kPi, 0.005, -kPi, -kPi, 0.0};
  const std::array<double, kN> hi{crossing + 0.035, kPi, kPi, 0.06, kPi, kPi, 0.02};
  constexpr double kAxisWeight_m = 0.01;

  devices::ControlFrame frame = state.handles;
  const auto residual = [&](const std::array<double, kN>& x, std::array<double, 6>* r) {
    for (int i = 0; i < kN; ++i)
      frame.Set(ids[static_cast<std::size_t>(i)], x[static_cast<std::size_t>(i)]);
    const ClipPose pose = ComputeClipPose(pm, frame, site);
    const Vec3 e = pose.hub - target;
    const Vec3 a = kAxisWeight_m * (pose.axis - down);
    *r = {e[0], e[1], e[2], a[0], a[1], a[2]};
    double sum = 0.0;
    for (double v : *r) sum += v * v;
    return sum;
  };

  double best_cost = INFINITY;
  std::array<double, kN> best_x{};
  const std::array<std::array<double, kN>, 4> starts{{
      {crossing + kGuideDepth_m, 0.5 * kPi, 0.0, 0.02, 0.0, 0.0, 0.005},
      {crossing + kGuideDepth_m, 0.8 * kPi, 0.3, 0.03, 0.3, 0.3, 0.005},
      {crossing + kGuideDepth_m, 0.3 * kPi, -0.3, 0.015, -0.3, -0.3, 0.005},
      {crossing + 0.025, 0.6 * kPi, 0.6, 0.04, 0.5, -0.5, 0.005},
  }};
  for (auto x : starts) {
    std::array<double, 6> r{};
    double cost = residual(x, &r);
    double lambda = 1e-3;
    for (int iteration = 0; iteration < 200 && cost > 1e-12; ++iteration) {
      // Jacobian by central differences.
      std::array<std::array<double, kN>, 6> J{};
      for (int j = 0; j < kN; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        const double h = (j == 0 || j == 3 || j == 6) ? 1e-5 : 1e-4;
        auto xp = x, xm = x;
        xp[uj] += h;
        xm[uj] -= h;
        std::array<double, 6> rp{}, rm{};
        residual(xp, &rp);
        residual(xm, &rm);
        for (std::size_t i = 0; i < 6; ++i) J[i][uj] = (rp[i] - rm[i]) / (2 * h);
      }
      residual(x, &r);
      // Normal equations (J^T J + lambda diag) dx = -J^T r, by Gaussian elimination.
      std::array<std::array<double, kN + 1>, kN> A{};
      for (std::size_t a = 0; a < kN; ++a) {
        for (std::size_t b = 0; b < kN; ++b) {
          for (std::size_t i = 0; i < 6; ++i) A[a][b] += J[i][a] * J[i][b];
        }
        A[a][a] += lambda * (A[a][a] + 1e-9);
        for (std::size_t i = 0; i < 6; ++i) A[a][kN] -= J[i][a] * r[i];
      }
      for (std::size_t c = 0; c < kN; ++c) {
        std::size_t pivot = c;
        for (std::size_t k = c + 1; k < kN; ++k) {
          if (std::fabs(A[k][c]) > std::fabs(A[pivot][c])) pivot = k;
        }
        std::swap(A[c], A[pivot]);
        if (std::fabs(A[c][c]) < 1e-18) continue;
        for (std::size_t k = 0; k < kN; ++k) {
          if (k == c) continue;
          const double f = A[k][c] / A[c][c];
          for (std::size_t m = c; m <= kN; ++m) A[k][m] -= f * A[c][m];
        }
      }
      auto trial = x;
      for (std::size_t c = 0; c < kN; ++c) {
        const double dx = std::fabs(A[c][c]) < 1e-18 ? 0.0 : A[c][kN] / A[c][c];
        trial[c] = std::clamp(x[c] + dx, lo[c], hi[c]);
      }
      std::array<double, 6> rt{};
      const double trial_cost = residual(trial, &rt);
      if (trial_cost < cost) {
        x = trial;
        cost = trial_cost;
        lambda = std::max(lambda * 0.3, 1e-9);
      } else {
        lambda *= 10.0;
        if (lambda > 1e8) break;
      }
    }
    if (cost < best_cost) {
      best_cost = cost;
      best_x = x;
    }
  }
  steering_ = state.handles;
  for (std::size_t i = 0; i < kN; ++i) steering_.Set(ids[i], best_x[i]);
  // Within 1.5 mm of the target (and the axis within ~10°) is good enough to cross.
  constexpr double kAcceptableCost =
      0.0015 * 0.0015 + (kAxisWeight_m * 0.17) * (kAxisWeight_m * 0.17);
  return best_cost <= kAcceptableCost;
}

// The delivery-catheter rotation that puts the arms perpendicular to the
// coaptation line (what the en-face 3D view shows), by a scan over a turn.
double Autopilot::BestDeliveryRotation(const State& state) const {
  const ProcedureModel& pm = model_.procedure;
  devices::ControlFrame frame = commands_;
  double best_error = INFINITY, best = 0.0;
  const double current = commands_.Get(ControlId::kDeliveryRotation);
  for (double rot = current - kPi / 2; rot <= current + kPi / 2; rot += 0.25 * kDeg) {
    frame.Set(ControlId::kDeliveryRotation, rot);
    const ClipPose pose = ComputeClipPose(pm, frame, state.procedure.puncture_site);
    const double error = ArmRotationError(pm, pose.arm, ToValve(pm.valve, pose.hub)[1]);
    if (error < best_error - 1e-12) {
      best_error = error;
      best = rot;
    }
  }
  return best + extra_roll_rad_;
}

// Delivery advance that puts the hub at `height_m` above the annular plane
// (the hub moves along the clip axis as the catheter advances): bisection.
double Autopilot::DeliveryForHubHeight(const State& state, double height_m) const {
  const ProcedureModel& pm = model_.procedure;
  devices::ControlFrame frame = commands_;
  double lo = 0.0, hi = 0.08;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    frame.Set(ControlId::kDeliveryTranslation, mid);
    const double h =
        ToValve(pm.valve, ComputeClipPose(pm, frame, state.procedure.puncture_site).hub)[2];
    (h > height_m ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Pull-back position for the grasp: the delivery advance (scanned in 0.1 mm
// steps from the LV upwards) that gives the deepest bite on the shallower
// leaflet; the poor run stops at the first capture (a shallow bite).
double Autopilot::BestGraspDelivery(const State& state) const {
  const ProcedureModel& pm = model_.procedure;
  devices::ControlFrame frame = commands_;
  frame.Set(ControlId::kClipArmAngle, kGraspAngle_rad);
  double best_bite = -1.0, best = commands_.Get(ControlId::kDeliveryTranslation);
  for (double d = commands_.Get(ControlId::kDeliveryTranslation); d > 0.0; d -= 0.0001) {
    frame.Set(ControlId::kDeliveryTranslation, d);
    const ClipPose pose = ComputeClipPose(pm, frame, state.procedure.puncture_site);
    const double error = ArmRotationError(pm, pose.arm, ToValve(pm.valve, pose.hub)[1]);
    const double a = PredictedInsertion(pm, pose.hub, pose.arm, kGraspAngle_rad, error);
    const double b = PredictedInsertion(pm, pose.hub, -1.0 * pose.arm, kGraspAngle_rad, error);
    const double bite = std::min(a, b);
    if (style_ == AutopilotStyle::kPoor && bite > 0.0) return d;
    if (bite > best_bite + 1e-9) {
      best_bite = bite;
      best = d;
    }
  }
  return best;
}

void Autopilot::Sample(const State& state, devices::ControlFrame* out) {
  if (!commands_initialised_) {
    commands_ = state.handles;
    commands_initialised_ = true;
  }
  const ProcedureModel& pm = model_.procedure;
  const ProcedureState& ps = state.procedure;
  const double t = state.time_s;
  const bool expert = style_ == AutopilotStyle::kExpert;
  const auto set = [&](ControlId id, double value) { commands_.Set(id, value); };
  const auto pedal = [&](bool on) { set(ControlId::kFluoroPedal, on ? 1.0 : 0.0); };
  if (t > kTimeLimit_s && stage_ != Stage::kFinished) GiveUp("time limit reached", t);

  // The echo the expert asks for at each step (clinical-reference §4.1):
  // bicaval for the puncture's superior/inferior position, the
  // intercommissural view while steering and orienting, the LVOT long axis
  // for crossing and grasping, the 4-chamber view otherwise.
  constexpr double kBicaval_deg = 110.0, kIntercommissural_deg = 65.0, kLvot_deg = 135.0,
                   kFourChamber_deg = 0.0;
  double tee_deg = kFourChamber_deg;
  if (stage_ <= Stage::kCrossWithSheath) tee_deg = kBicaval_deg;
  if (stage_ >= Stage::kSteerOverValve && stage_ <= Stage::kOpenAndOrient)
    tee_deg = kIntercommissural_deg;
  if (stage_ >= Stage::kCloseToCross && stage_ <= Stage::kAssess) tee_deg = kLvot_deg;
  set(ControlId::kTeeMultiplane, tee_deg * kDeg);

  switch (stage_) {
    case Stage::kAdvanceToRa: {
      pedal(true);
      const bool a = Approach(state, ControlId::kSheathTranslation, puncture_insertion_m_,
                              kCoarseTranslation_m_per_s);
      const bool b =
          Approach(state, ControlId::kSheathRotation, puncture_rotation_rad_, kRotation_rad_per_s);
      if (a && b) Enter(Stage::kAimAtFossa, t);
      break;
    }
    case Stage::kAimAtFossa:
      pedal(false);
      if (!ps.septal_contact_active) {
        GiveUp("the transseptal set does not reach the septum", t);
        break;
      }
      Enter(Stage::kPunctureNeedle, t);
      break;
    case Stage::kPunctureNeedle:
      if (ps.punctured) {
        Enter(Stage::kCrossWithSheath, t);
        break;
      }
      if (Approach(state, ControlId::kNeedleTranslation,
                   pm.instruments.needle_length_beyond_dilator_m, kNeedle_m_per_s)) {
        GiveUp("the needle did not cross the septum", t);
      }
      break;
    case Stage::kCrossWithSheath: {
      const bool needle_in = Approach(state, ControlId::kNeedleTranslation, 0.0, 0.01);
      if (needle_in &&
          Approach(state, ControlId::kSheathTranslation, ps.sheath_insertion_at_puncture_m + 0.012,
                   kFineTranslation_m_per_s) &&
          ps.sheath_across) {
        Enter(Stage::kParkWire, t);
      }
      break;
    }
    case Stage::kParkWire: {
      pedal(true);
      const double depth =
          state.handles.Get(ControlId::kSheathTranslation) - ps.sheath_insertion_at_puncture_m;
      if (Approach(state, ControlId::kGuidewireTranslation, depth + 0.04, 0.02) && ps.wire_in_la) {
        Enter(Stage::kWithdrawSheath, t);
      }
      break;
    }
    case Stage::kWithdrawSheath:
      if (Approach(state, ControlId::kSheathTranslation, pm.route_length_m - 0.03,
                   kCoarseTranslation_m_per_s)) {
        Enter(Stage::kAdvanceGuide, t);
      }
      break;
    case Stage::kAdvanceGuide: {
      const double crossing = SeptalCrossingInsertion(pm, ps.puncture_site);
      const double speed = state.handles.Get(ControlId::kGuideTranslation) > crossing - 0.02
                               ? kFineTranslation_m_per_s * 2
                               : kCoarseTranslation_m_per_s;
      if (Approach(state, ControlId::kGuideTranslation, crossing + kGuideDepth_m, speed) &&
          ps.guide_across) {
        set(ControlId::kGuidewireTranslation, 0.0);
        PlanClipTarget(state);
        if (!SolveSteering(state)) {
          GiveUp("no steering reaches the clip target", t);
          break;
        }
        Enter(Stage::kSteerOverValve, t);
      }
      break;
    }
    case Stage::kSteerOverValve: {
      pedal(true);
      bool all = Approach(state, ControlId::kGuidewireTranslation, 0.0, 0.05);
      for (ControlId id : {ControlId::kGuideTranslation, ControlId::kSleeveTranslation,
                           ControlId::kDeliveryTranslation}) {
        all = Approach(state, id, steering_.Get(id), kFineTranslation_m_per_s * 2) && all;
      }
      for (ControlId id : {ControlId::kGuideKnob, ControlId::kGuideRotation,
                           ControlId::kSleeveApKnob, ControlId::kSleeveMlKnob}) {
        all = Approach(state, id, steering_.Get(id), kKnob_rad_per_s) && all;
      }
      if (all) Enter(Stage::kOpenAndOrient, t);
      break;
    }
    case Stage::kOpenAndOrient: {
      pedal(false);
      const bool open = Approach(state, ControlId::kClipArmAngle, kOpenInLa_rad, kArm_rad_per_s);
      if (open && t - stage_start_s_ > 0.0) {
        const double target = BestDeliveryRotation(state);
        if (Approach(state, ControlId::kDeliveryRotation, target, kRotation_rad_per_s * 0.5)) {
          Enter(Stage::kCloseToCross, t);
        }
      }
      break;
    }
    case Stage::kCloseToCross:
      if (Approach(state, ControlId::kClipArmAngle, expert ? 0.0 : kGraspAngle_rad,
                   kArm_rad_per_s)) {
        delivery_in_lv_m_ = DeliveryForHubHeight(
            state,
            -(pm.coaptation_depth_m + (expert ? kLvDepthBelowEdges_m : kPoorLvDepthBelowEdges_m)));
        Enter(Stage::kCrossIntoLv, t);
      }
      break;
    case Stage::kCrossIntoLv:
      if (Approach(state, ControlId::kDeliveryTranslation, delivery_in_lv_m_,
                   kFineTranslation_m_per_s)) {
        Enter(Stage::kOpenInLv, t);
      }
      break;
    case Stage::kOpenInLv: {
      if (Approach(state, ControlId::kClipArmAngle, kGraspAngle_rad, kArm_rad_per_s)) {
        const double target = BestDeliveryRotation(state);
        if (Approach(state, ControlId::kDeliveryRotation, target, kRotation_rad_per_s * 0.2)) {
          delivery_grasp_m_ = BestGraspDelivery(state);
          Enter(Stage::kPullBackToGrasp, t);
        }
      }
      break;
    }
    case Stage::kPullBackToGrasp: {
      // As on echo: pull back until each leaflet has been seen lying deep
      // enough on its arm within the last beat (the leaflets move with the
      // cycle, not always both at once), then stop and grasp there.
      if (expert && model_.valve_tissue.available) {
        const TissueGraspReading reading = ReadTissueGrasp(model_, state);
        const double period_s = 1.0 / model_.case_description.heart_rate_hz;
        if (t - beat_window_start_s_ >= period_s) {
          seen_last_beat_m_ = seen_this_beat_m_;
          seen_this_beat_m_ = {0.0, 0.0};
          beat_window_start_s_ = t;
        }
        bool both = true;
        for (std::size_t k = 0; k < 2; ++k) {
          seen_this_beat_m_[k] = std::max(seen_this_beat_m_[k], reading.insertion_m[k]);
          both = both && std::max(seen_this_beat_m_[k], seen_last_beat_m_[k]) >=
                             kInsertionGoal_m + kInsertionMargin_m;
        }
        if (both) {
          set(ControlId::kDeliveryTranslation, state.handles.Get(ControlId::kDeliveryTranslation));
          Enter(Stage::kWaitForLeaflets, t);
          break;
        }
      }
      if (Approach(state, ControlId::kDeliveryTranslation, delivery_grasp_m_,
                   kFineTranslation_m_per_s * 0.5)) {
        Enter(Stage::kWaitForLeaflets, t);
      }
      break;
    }
    case Stage::kWaitForLeaflets: {
      // Independent grasping (the grippers are separate handles): the expert
      // drops each gripper the moment its own leaflet lies deep enough on its
      // arm. The poor run watches one leaflet and drops both as soon as it
      // sees any tissue on either arm. After three beats whatever is left is
      // dropped anyway and checked.
      const bool watch = model_.valve_tissue.available;
      const bool timed_out = t - stage_start_s_ > 3.0 / model_.case_description.heart_rate_hz;
      const TissueGraspReading reading = watch ? ReadTissueGrasp(model_, state) : TissueGraspReading{};
      const double seen = std::max(reading.insertion_m[0], reading.insertion_m[1]);
      bool both_down = true;
      for (std::size_t k = 0; k < 2; ++k) {
        const ControlId gripper = k == 0 ? ControlId::kClipGripperLeft : ControlId::kClipGripperRight;
        const bool drop = !watch || timed_out ||
                          (expert ? reading.insertion_m[k] >= kInsertionGoal_m + kInsertionMargin_m
                                  : seen >= kPoorRunSeesTissue_m);
        if (commands_.Get(gripper) < 0.5 && drop) set(gripper, 1.0);
        both_down = both_down && commands_.Get(gripper) >= 0.5;
      }
      if (both_down) Enter(Stage::kDropGrippers, t);
      break;
    }
    case Stage::kDropGrippers:
      set(ControlId::kClipGripperLeft, 1.0);
      set(ControlId::kClipGripperRight, 1.0);
      if (t - stage_start_s_ > 0.5) Enter(Stage::kCheckGrasp, t);
      break;
    case Stage::kCheckGrasp: {
      const double bite = std::min(ps.insertion_m[0], ps.insertion_m[1]);
      ++grasp_tries_;
      if (!expert || bite >= kInsertionGoal_m || grasp_tries_ >= kMaxGraspAttempts) {
        Enter(Stage::kCloseClip, t);
      } else {
        Enter(Stage::kRegraspLift, t);
      }
      break;
    }
    case Stage::kRegraspLift:
      // Let go, advance back into the ventricle with the arms open (the
      // leaflets slide off them) and pull back again, a little less far by
      // plan (the leaflets sat too high).
      set(ControlId::kClipGripperLeft, 0.0);
      set(ControlId::kClipGripperRight, 0.0);
      if (t - stage_start_s_ > 0.5 &&
          Approach(state, ControlId::kDeliveryTranslation, delivery_in_lv_m_, kFineTranslation_m_per_s)) {
        delivery_grasp_m_ += 0.0005;
        Enter(Stage::kOpenInLv, t);
      }
      break;
    case Stage::kCloseClip: {
      const bool closed = Approach(state, ControlId::kClipArmAngle, kClosedAngle_rad, kArm_rad_per_s * 0.5);
      if (closed && ps.closed_on_tissue) {
        Enter(Stage::kAssess, t);
      } else if (closed && !ps.captured[0] && !ps.captured[1]) {
        // Closed on nothing (echo shows both leaflets free): open and try
        // again, within the attempts allowed.
        if (grasp_tries_ >= kMaxGraspAttempts) {
          GiveUp("the clip caught no leaflet in " + std::to_string(grasp_tries_) + " attempts", t);
        } else {
          Enter(Stage::kReopenEmptyClip, t);
        }
      }
      break;
    }
    case Stage::kReopenEmptyClip:
      if (Approach(state, ControlId::kClipArmAngle, kGraspAngle_rad, kArm_rad_per_s)) {
        Enter(Stage::kRegraspLift, t);
      }
      break;
    case Stage::kAssess:
      if (!expert || ps.assessed) {
        // A second clip when MR stays above 1+ and the gradient leaves room.
        constexpr double kGradientRoom_mmHg = 4.0;
        clips_planned_ = ps.clip_number;
        if (expert && ps.mr_grade > 1 && ps.mean_gradient_mmHg < kGradientRoom_mmHg &&
            ps.clip_number < pm.instruments.clips_available) {
          clips_planned_ = ps.clip_number + 1;
        }
        if (ps.clips_released == 0) first_clip_s_m_ = ps.clip_position_s_m;
        Enter(Stage::kLockAndRelease, t);
      }
      break;
    case Stage::kLockAndRelease:
      // Lock, check for a second, then run the release (§1.1 step 13).
      set(ControlId::kClipLock, 1.0);
      if (ps.locked && t - stage_start_s_ > 1.0) set(ControlId::kClipRelease, 1.0);
      if (ps.awaiting_reload) {
        set(ControlId::kClipLock, 0.0);
        set(ControlId::kClipRelease, 0.0);
        set(ControlId::kClipGripperLeft, 0.0);
        set(ControlId::kClipGripperRight, 0.0);
        Enter(Stage::kRetractDelivery, t);
      }
      break;
    case Stage::kRetractDelivery: {
      const bool arms = Approach(state, ControlId::kClipArmAngle, 0.0, kArm_rad_per_s);
      const bool back =
          Approach(state, ControlId::kDeliveryTranslation, -0.01, kFineTranslation_m_per_s * 2);
      if (arms && back) {
        if (clips_planned_ > ps.clips_released && !ps.awaiting_reload) {
          grasp_tries_ = 0;
          PlanClipTarget(state);
          if (!SolveSteering(state)) {
            Enter(Stage::kWithdraw, t);  // no reachable second site: finish with one clip
            break;
          }
          Enter(Stage::kSteerOverValve, t);
        } else {
          Enter(Stage::kWithdraw, t);
        }
      }
      break;
    }
    case Stage::kWithdraw: {
      pedal(true);
      const double crossing = SeptalCrossingInsertion(pm, ps.puncture_site);
      bool all =
          Approach(state, ControlId::kSleeveTranslation, -0.005, kFineTranslation_m_per_s * 2);
      for (ControlId id :
           {ControlId::kGuideKnob, ControlId::kSleeveApKnob, ControlId::kSleeveMlKnob}) {
        all = Approach(state, id, 0.0, kKnob_rad_per_s) && all;
      }
      if (all)
        Approach(state, ControlId::kGuideTranslation, crossing - 0.02,
                 kFineTranslation_m_per_s * 4);
      if (ps.completed) {
        pedal(false);
        Enter(Stage::kFinished, t);
      }
      break;
    }
    case Stage::kFinished:
      pedal(false);
      break;
  }
  *out = commands_;
}

}  // namespace teersim::sim
