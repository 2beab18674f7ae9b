#include "sim/procedure.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "base/data_file.h"
#include "base/data_paths.h"
#include "base/input_error.h"
#include "base/units.h"
#include "physics/contact_world.h"
#include "scenes/vec3.h"
#include "sim/valve_from_anatomy.h"

namespace teersim::sim {
namespace {

using scenes::Cross;
using scenes::Distance;
using scenes::Dot;
using scenes::Norm;
using scenes::Normalized;
using scenes::operator+;
using scenes::operator-;
using scenes::operator*;
using devices::ControlId;

constexpr double kPi = std::numbers::pi;
constexpr double kMmPerM = 1000.0;

// --- Thresholds of the procedure logic, each with its reason -------------------

// A puncture site more than 2 mm anterior of the fossa centre is scored
// anterior (§1.1 step 2: the target is posterior [S2,S5,S6]) [DESIGN].
constexpr double kAnteriorSiteLimit_m = -0.002;
// The sheath counts as across once its tip is 5 mm past the septum (the
// dilator has opened the puncture) [DESIGN].
constexpr double kSheathAcrossDepth_m = 0.005;
// A wire 25 mm beyond the sheath tip in the LA is "parked" towards the left
// upper pulmonary vein (§1.1 step 3 [BK]).
constexpr double kWireParkedLength_m = 0.025;
// The guide is across when its tip is 10 mm into the LA (§1.1 step 4: 1–2 cm [BK]).
constexpr double kGuideAcrossDepth_m = 0.010;
// A needle tip 1 mm beyond the deepest point it reached inside the LA, and
// outside it, has perforated the far wall [DESIGN].
constexpr double kNeedleWallCheckDepth_m = 0.001;
// Clip phases: above the valve within 30 mm of the annular plane is "over the
// valve"; arms open beyond 60° count as open; a closed clip is below 20°.
constexpr double kOverValveHeight_m = 0.030;
constexpr double kArmsOpen_rad = 60.0 * kPi / 180.0;
constexpr double kArmsClosed_rad = 20.0 * kPi / 180.0;
constexpr double kArmsOpenCrossing_rad = 30.0 * kPi / 180.0;
// Grasp: a leaflet edge is captured when the arm reaches 2 mm under it and the
// hinge is no more than 1.5 mm above it (the leaflet lies on the arm) [DESIGN].
constexpr double kArmReachTolerance_m = 0.002;
constexpr double kHingeAboveEdgeTolerance_m = 0.0015;
constexpr double kGapVerticalFraction = 0.95;
// Insertion target (§5 [BK/DESIGN]: ≥ 6 mm per leaflet) and the bite below
// which a clip holds one leaflet only (OutcomeModelConstants).
constexpr double kInsertionTarget_m = 0.006;
// A clip moved more than 6.5 mm after the grippers dropped tears the leaflet
// (§5 [S12]: 6.5–12.4 mm moves linked to SLDA and tear).
constexpr double kTearDisplacement_m = 0.0065;
// Chordae (§1.1 step 8 [S11]) [DESIGN thresholds]: deeper than the chordal
// zone, an open clip catches them when, since it was open there, it is
// turned more than 30° or advanced more than 3 mm below the highest it has
// been (its arms sweep through the chordae fanning out to the leaflets).
// Arms inverted past 190° (clinical-reference §1.2: inversion "to free
// chordae or withdraw" [BK]) catch nothing and free a caught clip; 190° and
// not 180° so that a fully open clip is not taken for inverted.
constexpr double kEntanglementRoll_rad = 30.0 * kPi / 180.0;
constexpr double kEntanglementAdvance_m = 0.003;
constexpr double kArmsInverted_rad = 190.0 * kPi / 180.0;
// Caught chordae pull the clip back towards where they caught it as it is
// withdrawn: a few marginal chords of ~2000 N/m each (E·A/L, the tissue's
// chord stiffness) in series with the leaflets they tether [DESIGN].
constexpr double kCaughtChordStiffness_N_per_m = 1000.0;
// Assessment: MR and gradient are read after the closed clip has been held
// for 5 s (a few beats of colour and CW Doppler, §1.1 step 11) [DESIGN].
constexpr double kAssessmentHold_s = 5.0;
// Release: the clip separates when the delivery catheter is pulled 5 mm back
// from it after the release button [DESIGN]; the next clip is loaded when the
// delivery catheter is back inside the sleeve.
constexpr double kReloadRetraction_m = -0.005;
// Withdrawal ends with the guide tip back on the RA side.
constexpr double kWithdrawnDepth_m = -0.005;

// --- Small geometry -----------------------------------------------------------

Vec3 Rotate(const Vec3& v, const Vec3& axis, double angle) {
  // Rodrigues' rotation formula about a unit axis.
  const double c = std::cos(angle), s = std::sin(angle);
  return c * v + s * Cross(axis, v) + (1.0 - c) * Dot(axis, v) * axis;
}

Vec3 ProjectPerpendicular(const Vec3& v, const Vec3& unit_axis) {
  return v - Dot(v, unit_axis) * unit_axis;
}

// A frame travelling along an instrument: position, tangent and two normals.
struct CurveFrame {
  Vec3 p, t, n1, n2;
};

// Constant-curvature section (Webster & Jones 2010, eq. 2–3): curvature
// `kappa` towards the unit direction `bend` (perpendicular to t) over `length`.
void AdvanceArc(CurveFrame* frame, const Vec3& bend, double kappa, double length,
                std::vector<Vec3>* samples, double sample_step_m) {
  if (length <= 0.0) return;
  const int pieces = samples ? std::max(1, static_cast<int>(std::ceil(length / sample_step_m))) : 1;
  const double piece = length / pieces;
  const Vec3 axis = Cross(frame->t, bend);
  for (int i = 0; i < pieces; ++i) {
    const double angle = kappa * piece;
    if (std::fabs(angle) < 1e-12 || Norm(axis) < 1e-12) {
      frame->p = frame->p + piece * frame->t;
    } else {
      const double radius = 1.0 / kappa;
      frame->p =
          frame->p + radius * std::sin(angle) * frame->t + radius * (1.0 - std::cos(angle)) * bend;
      const Vec3 unit_axis = Normalized(axis);
      frame->t = Rotate(frame->t, unit_axis, angle);
      frame->n1 = Rotate(frame->n1, unit_axis, angle);
      frame->n2 = Rotate(frame->n2, unit_axis, angle);
    }
    if (samples) samples->push_back(frame->p);
  }
}

// A constant-curvature arc bent by a curvature vector (1/m) perpendicular to t.
void AdvanceCurved(CurveFrame* frame, const Vec3& curvature, double length,
                   std::vector<Vec3>* samples, double sample_step_m) {
  const double kappa = Norm(curvature);
  if (kappa < 1e-9) {
    AdvanceArc(frame, frame->n1, 0.0, length, samples, sample_step_m);
    return;
  }
  AdvanceArc(frame, (1.0 / kappa) * curvature, kappa, length, samples, sample_step_m);
}

// Point on the venous route at arc length s (clamped to the route).
Vec3 RoutePoint(const ProcedureModel& model, double s) {
  const auto& pts = model.route;
  const auto& ss = model.route_s;
  if (pts.empty()) return {};
  if (s <= 0.0) return pts.front();
  if (s >= model.route_length_m) return pts.back();
  const auto it = std::upper_bound(ss.begin(), ss.end(), s);
  const std::size_t i = static_cast<std::size_t>(it - ss.begin());
  const double t = (s - ss[i - 1]) / std::max(ss[i] - ss[i - 1], 1e-12);
  return pts[i - 1] + t * (pts[i] - pts[i - 1]);
}

// Axial position of the transseptal set in the RA: the sheath tip rides up
// from the IVC–RA junction by (insertion − route length), at most to the SVC.
double RaAxisHeight(const ProcedureModel& model, double insertion_m) {
  return std::clamp(insertion_m - model.route_length_m, 0.0, model.ra_axis_length_m);
}

double SignedSeptumDistance(const ProcedureModel& model, const Vec3& p) {
  return Dot(p - model.fossa_centre, model.septum_normal);
}

// Signed distance of a point to a world's nearest surface within `radius`
// (negative behind the surface); +radius when nothing is that close.
double SurfaceDistance(const physics::ContactWorld* world, const Vec3& p, double radius) {
  if (!world) return radius;
  physics::ProximityHit hits[physics::kMaxProximityHits];
  const int count = world->Query(ToPhysics(p), radius, hits);
  return count > 0 ? hits[0].signed_distance_m : radius;
}

void AddEvent(ProcedureState* state, double time_s, EventKind kind, double a = 0.0, double b = 0.0,
              double c = 0.0, double d = 0.0) {
  if (state->event_count >= kMaxProcedureEvents) {
    ++state->events_dropped;
    return;
  }
  state->events[static_cast<std::size_t>(state->event_count++)] = {time_s, kind, {a, b, c, d}};
}

void SetPhase(ProcedureState* state, Phase phase, double time_s) {
  if (state->phase == phase) return;
  state->phase = phase;
  AddEvent(state, time_s, EventKind::kPhase, static_cast<double>(phase));
}

// The outcome of every clip in place (released, plus the current one when it
// is closed on tissue), through the outcome model (sim/outcome_model.h).
void UpdateOutcome(const ValveModelInputs& valve, ProcedureState* state, const ClipSize& clip) {
  std::array<ClipPlacement, kMaxClips + 1> clips{};
  std::size_t count = 0;
  for (int i = 0; i < state->clips_released; ++i) {
    const auto& r = state->released[static_cast<std::size_t>(i)];
    clips[count++] = {r.position_s_m, r.rotation_error_rad, r.insertion_anterior_m,
                      r.insertion_posterior_m, clip.arm_width_m};
  }
  if (state->closed_on_tissue) {
    const ClipOnTissue held = HeldClip(*state);
    clips[count++] = {state->clip_position_s_m, state->rotation_error_rad,
                      held.insertion_anterior_m, held.insertion_posterior_m, clip.arm_width_m};
  }
  const Outcome outcome =
      EvaluateOutcomeValues(valve.lesion, valve.geometry, valve.haemodynamics,
                            std::span<const ClipPlacement>(clips.data(), count));
  state->eroa_m2 = outcome.eroa_m2;
  state->mva_m2 = outcome.mva_m2;
  state->mean_gradient_mmHg = outcome.mean_gradient_mmHg;
  state->mr_grade = outcome.mr_grade;
  state->slda = outcome.slda;
}

// Leaflet edge of one side at the clip: horizontal offset of the edge from the
// clip axis towards that side's own annulus (positive: the arm's first part
// is bare) and the edge's height above the annular plane (systole).
struct LeafletEdge {
  double offset_m = 0.0;
  double height_m = 0.0;
};

LeafletEdge EdgeFor(const ProcedureModel& model, bool anterior, double hub_u, double hub_v) {
  const double s = -hub_v;
  const double gap = LesionGapAt(model, s);
  const bool lesion_side = anterior ? model.lesion_on_anterior : model.lesion_on_posterior;
  const double share = (model.lesion_on_anterior && model.lesion_on_posterior) ? 0.5 : 1.0;
  const double own_gap = lesion_side ? share * gap : 0.0;
  const double u0 = CoaptationU(model, hub_v);
  LeafletEdge edge;
  // u grows towards the posterior annulus; an anterior edge sits at smaller u.
  const double edge_u =
      anterior ? u0 - kGapHorizontalFraction * own_gap : u0 + kGapHorizontalFraction * own_gap;
  edge.offset_m = anterior ? hub_u - edge_u : edge_u - hub_u;
  edge.height_m = -model.coaptation_depth_m + kGapVerticalFraction * own_gap;
  return edge;
}

// Insertion of the leaflet on one arm when its gripper drops (see
// sim/README.md "Grasp"): the arm must reach under the edge, the hinge must
// not be above it; the bite is the arm length beyond the edge's offset,
// shortened by the rotation error, at most the leaflet's length.
double InsertionOnArm(const ProcedureModel& model, const ProcedureState& state, int side) {
  if (!state.reached_lv) return 0.0;
  const Vec3 arm = side == 0 ? state.clip_arm : -1.0 * state.clip_arm;
  return PredictedInsertion(model, state.clip_hub, arm, state.clip_arm_angle_rad,
                            state.rotation_error_rad);
}

}  // namespace

double PredictedInsertion(const ProcedureModel& model, const Vec3& hub_point,
                          const Vec3& arm_direction, double arm_angle_rad,
                          double rotation_error_rad) {
  const double half_angle = 0.5 * arm_angle_rad;
  if (arm_angle_rad < kArmsOpen_rad) return 0.0;
  const Vec3 hub = ToValve(model.valve, hub_point);
  const bool anterior = Dot(arm_direction, model.valve.u) < 0.0;
  const LeafletEdge edge = EdgeFor(model, anterior, hub[0], hub[1]);
  const double arm = model.instruments.clip.arm_length_m;
  const double hinge_height = hub[2];
  const double arm_top = hinge_height + arm * std::cos(half_angle);
  if (arm_top < edge.height_m - kArmReachTolerance_m) return 0.0;
  if (hinge_height > edge.height_m + kHingeAboveEdgeTolerance_m) return 0.0;
  const double sin_half = std::max(std::sin(half_angle), 0.1);
  const double reach = arm * sin_half * std::cos(rotation_error_rad);
  const double bite = (reach - std::max(edge.offset_m, 0.0)) / sin_half;
  const double leaflet =
      anterior ? model.anterior_leaflet_length_m : model.posterior_leaflet_length_m;
  return std::clamp(bite, 0.0, leaflet);
}

namespace {

double ContactForceFor(const ProcedureModel& model, const Vec3& tip, const Vec3& septal_site) {
  // The LA wall only: not in the septal puncture the instruments pass
  // through, nor below the annulus (the valve orifice, then the LV).
  constexpr double kSeptalHoleRadius_m = 0.006, kAboveAnnulus_m = 0.002;
  if (Distance(tip, septal_site) < kSeptalHoleRadius_m) return 0.0;
  if (Dot(tip - model.valve.centre, model.valve.w) < kAboveAnnulus_m) return 0.0;
  // Penetration of the tip into the LA wall (inward-wound world: negative
  // distance is behind the wall) times the wall's penalty stiffness.
  const double distance = SurfaceDistance(model.la_wall.get(), tip, 0.01);
  return distance < 0.0 ? -distance * model.instruments.wall_stiffness_N_per_m : 0.0;
}

}  // namespace

// --- Names ----------------------------------------------------------------------

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kAccess:
      return "access";
    case Phase::kIvcRaNavigation:
      return "ivc_ra_navigation";
    case Phase::kTransseptal:
      return "transseptal";
    case Phase::kGuideCrossing:
      return "guide_crossing";
    case Phase::kSteeringLa:
      return "steering_la";
    case Phase::kClipOrientation:
      return "clip_orientation";
    case Phase::kLvEntry:
      return "lv_entry";
    case Phase::kGrasp:
      return "grasp";
    case Phase::kClosureAssessment:
      return "closure_assessment";
    case Phase::kRelease:
      return "release";
    case Phase::kWithdrawal:
      return "withdrawal";
    case Phase::kDone:
      return "done";
    case Phase::kCount:
      break;
  }
  return "unknown";
}

std::string_view EventName(EventKind kind) {
  switch (kind) {
    case EventKind::kPhase:
      return "phase";
    case EventKind::kTentingStarted:
      return "tenting";
    case EventKind::kTsp:
      return "tsp";
    case EventKind::kTspAnterior:
      return "tsp_anterior";
    case EventKind::kTspOffFossa:
      return "tsp_off_fossa";
    case EventKind::kComplicationAorticPuncture:
      return "complication_aortic_puncture";
    case EventKind::kComplicationLaWallPerforation:
      return "complication_la_wall_perforation";
    case EventKind::kSheathAcross:
      return "sheath_across";
    case EventKind::kWireInLa:
      return "wire_in_la";
    case EventKind::kGuideCrossed:
      return "guide_crossed";
    case EventKind::kExcessiveContactForce:
      return "excessive_contact_force";
    case EventKind::kLvEntry:
      return "lv_entry";
    case EventKind::kLvEntryArmsOpen:
      return "lv_entry_arms_open";
    case EventKind::kGraspAttempt:
      return "grasp_attempt";
    case EventKind::kRegrasp:
      return "regrasp";
    case EventKind::kGraspBoth:
      return "grasp_both";
    case EventKind::kGraspSingleLeaflet:
      return "grasp_single_leaflet";
    case EventKind::kComplicationLeafletTear:
      return "complication_leaflet_tear";
    case EventKind::kComplicationChordalEntanglement:
      return "complication_chordal_entanglement";
    case EventKind::kChordaeFreed:
      return "chordae_freed";
    case EventKind::kClipClosed:
      return "clip_closed";
    case EventKind::kClipReopened:
      return "clip_reopened";
    case EventKind::kAssessment:
      return "assessment";
    case EventKind::kClipLocked:
      return "clip_locked";
    case EventKind::kRelease:
      return "release";
    case EventKind::kReleaseSlda:
      return "release_slda";
    case EventKind::kReleaseUnlocked:
      return "release_refused_unlocked";
    case EventKind::kClipLoaded:
      return "clip_loaded";
    case EventKind::kCompleted:
      return "completed";
    case EventKind::kCount:
      break;
  }
  return "unknown";
}

// --- Instrument data ------------------------------------------------------------

const ClipSize* FindClipSize(const InstrumentSet& set, std::string_view name) {
  for (const ClipSize& size : set.clip_sizes)
    if (size.name == name) return &size;
  return nullptr;
}

std::filesystem::path DefaultInstrumentSetPath() {
  return DataRoot() / "sim" / "instruments" / "mitraclip_g4.yaml";
}

InstrumentSet LoadInstrumentSet(const std::filesystem::path& path) {
  const DataFile file = DataFile::Load(path);
  const Field root = file.Root();
  root.ExpectOnlyKeys({"name", "transseptal", "septum", "guide", "sleeve", "clip", "wall"});
  InstrumentSet set;
  set.name = root.Child("name").String();
  const auto deg = [](const Field& f, double lo, double hi) {
    return units::DegToRad(f.Number(lo, hi));
  };
  const auto mm = [](const Field& f, double lo, double hi) {
    return units::MmToM(f.Number(lo, hi));
  };

  const Field ts = root.Child("transseptal");
  ts.ExpectOnlyKeys(
      {"curve_reach_mm", "sheath_preload_N_per_mm", "needle_max_force_N", "needle_length_mm"});
  set.transseptal_curve_reach_m = mm(ts.Child("curve_reach_mm"), 5, 40);
  set.sheath_preload_N_per_m = ts.Child("sheath_preload_N_per_mm").Number(0.001, 1.0) * kMmPerM;
  set.needle_max_force_N = ts.Child("needle_max_force_N").Number(0.5, 30);
  set.needle_length_beyond_dilator_m = mm(ts.Child("needle_length_mm"), 2, 40);

  const Field septum = root.Child("septum");
  septum.ExpectOnlyKeys({"membrane_stiffness_N_per_mm", "fossa_puncture_force_N",
                         "reference_fossa_thickness_mm", "aortic_wall_thickness_mm"});
  set.membrane_stiffness_N_per_m =
      septum.Child("membrane_stiffness_N_per_mm").Number(0.01, 10) * kMmPerM;
  set.fossa_puncture_force_N = septum.Child("fossa_puncture_force_N").Number(0.1, 20);
  set.reference_fossa_thickness_m = mm(septum.Child("reference_fossa_thickness_mm"), 0.1, 10);
  set.aortic_wall_thickness_m = mm(septum.Child("aortic_wall_thickness_mm"), 0.5, 5);

  const Field guide = root.Child("guide");
  guide.ExpectOnlyKeys({"entry_towards_la_centre", "plus_posterior_tilt_deg", "steer_length_mm",
                        "bend_at_max_deg", "knob_max_deg"});
  set.guide_entry_towards_la_centre = guide.Child("entry_towards_la_centre").Number(0, 1);
  set.guide_plus_posterior_tilt_rad = deg(guide.Child("plus_posterior_tilt_deg"), -80, 80);
  set.guide_steer_length_m = mm(guide.Child("steer_length_mm"), 5, 100);
  set.guide_bend_at_max_rad = deg(guide.Child("bend_at_max_deg"), 5, 180);
  set.guide_knob_max_rad = deg(guide.Child("knob_max_deg"), 10, 720);

  const Field sleeve = root.Child("sleeve");
  sleeve.ExpectOnlyKeys(
      {"steer_length_mm", "bend_at_max_deg", "knob_max_deg", "a_towards_lateral_deg"});
  set.sleeve_steer_length_m = mm(sleeve.Child("steer_length_mm"), 5, 100);
  set.sleeve_bend_at_max_rad = deg(sleeve.Child("bend_at_max_deg"), 5, 180);
  set.sleeve_knob_max_rad = deg(sleeve.Child("knob_max_deg"), 10, 720);
  set.sleeve_a_towards_lateral_rad = deg(sleeve.Child("a_towards_lateral_deg"), 0, 60);

  const Field clip = root.Child("clip");
  clip.ExpectOnlyKeys({"sizes", "size", "body_length_mm", "clips_available"});
  const Field sizes = clip.Child("sizes");
  const std::initializer_list<std::string_view> names = {"NT", "NTW", "XT", "XTW"};
  sizes.ExpectOnlyKeys(names);
  for (const std::string_view name : names) {
    const Field entry = sizes.Child(name);
    entry.ExpectOnlyKeys({"arm_length_mm", "arm_width_mm"});
    set.clip_sizes.push_back({std::string(name), mm(entry.Child("arm_length_mm"), 4, 20),
                              mm(entry.Child("arm_width_mm"), 2, 10)});
  }
  set.clip = *FindClipSize(set, clip.Child("size").OneOf(names));
  set.clip_body_length_m = mm(clip.Child("body_length_mm"), 5, 20);
  set.clips_available = static_cast<int>(clip.Child("clips_available").Integer(1, kMaxClips));

  const Field wall = root.Child("wall");
  wall.ExpectOnlyKeys({"stiffness_N_per_mm", "excessive_force_N"});
  set.wall_stiffness_N_per_m = wall.Child("stiffness_N_per_mm").Number(0.001, 10) * kMmPerM;
  set.excessive_force_N = wall.Child("excessive_force_N").Number(0.01, 10);
  return set;
}

// --- Model ----------------------------------------------------------------------

namespace {

physics::TriangleMesh ToPhysicsMesh(const scenes::TriangleMesh& mesh, bool inward) {
  // Inward winding puts the free side inside the chamber, where the catheter is.
  physics::TriangleMesh out;
  out.vertices_m.reserve(mesh.vertices.size() * 3);
  for (const auto& v : mesh.vertices)
    out.vertices_m.insert(out.vertices_m.end(), v.begin(), v.end());
  out.indices.reserve(mesh.triangles.size() * 3);
  for (const auto& t : mesh.triangles) {
    if (inward) {
      out.indices.insert(out.indices.end(), {t[0], t[2], t[1]});
    } else {
      out.indices.insert(out.indices.end(), {t[0], t[1], t[2]});
    }
  }
  return out;
}

const Vec3& NeedLandmark(const scenes::Anatomy& anatomy, const std::string& name) {
  const auto it = anatomy.landmarks.find(name);
  if (it == anatomy.landmarks.end()) {
    throw InputError("anatomy: the procedure needs the landmark '" + name + "'");
  }
  return it->second;
}

}  // namespace

ProcedureModel CompileProcedureModel(const scenes::Anatomy& anatomy,
                                     const scenes::AnatomyParameters& parameters,
                                     const InstrumentSet& instruments, double ic_diameter_m) {
  ProcedureModel model;
  model.instruments = instruments;

  // Venous route.
  const scenes::Polyline* route = anatomy.FindPolyline("venous_centreline");
  if (!route || route->points_m.size() < 2)
    throw InputError("anatomy: the procedure needs a venous_centreline");
  model.route = route->points_m;
  model.route_s.resize(model.route.size());
  model.route_s[0] = 0.0;
  for (std::size_t i = 1; i < model.route.size(); ++i) {
    model.route_s[i] = model.route_s[i - 1] + Distance(model.route[i], model.route[i - 1]);
  }
  // The route ends at the RA centre; the sheath leaves it at the IVC–RA junction.
  const Vec3& ivc_top = NeedLandmark(anatomy, "ivc_ra_junction");
  std::size_t junction = model.route.size() - 1;
  double best = INFINITY;
  for (std::size_t i = 0; i < model.route.size(); ++i) {
    const double d = Distance(model.route[i], ivc_top);
    if (d < best) best = d, junction = i;
  }
  model.route.resize(junction + 1);
  model.route_s.resize(junction + 1);
  model.route_length_m = model.route_s.back();

  model.ra_axis_origin = model.route.back();
  const Vec3 svc_top = NeedLandmark(anatomy, "svc_ra_junction");
  model.ra_axis_direction = Normalized(svc_top - model.ra_axis_origin);
  model.ra_axis_length_m = Norm(svc_top - model.ra_axis_origin);

  // Septum frame at the fossa (scenes/README.md: axis tips 1 cm from the centre).
  model.fossa_centre = NeedLandmark(anatomy, "fossa_centre");
  model.septum_normal = Normalized(NeedLandmark(anatomy, "septum_normal_tip") - model.fossa_centre);
  model.fossa_posterior =
      Normalized(NeedLandmark(anatomy, "fossa_posterior_axis_tip") - model.fossa_centre);
  model.fossa_superior =
      Normalized(NeedLandmark(anatomy, "fossa_superior_axis_tip") - model.fossa_centre);
  model.fossa_half_width_m = parameters.fossa_width_m / 2.0;
  model.fossa_half_height_m = parameters.fossa_height_m / 2.0;
  model.fossa_thickness_m = parameters.fossa_thickness_m;
  model.septum_thickness_m = parameters.septum_thickness_m;

  // Valve frame (scenes/mitral_valve.h: u posterior, v antero-lateral, w into the LA).
  model.valve.centre = NeedLandmark(anatomy, "annulus_centre");
  model.valve.w = Normalized(NeedLandmark(anatomy, "annulus_normal_tip") - model.valve.centre);
  model.valve.u = Normalized(ProjectPerpendicular(
      NeedLandmark(anatomy, "annulus_posterior") - model.valve.centre, model.valve.w));
  model.valve.v = Cross(model.valve.w, model.valve.u);
  if (Dot(model.valve.v, NeedLandmark(anatomy, "commissure_anterolateral") - model.valve.centre) <
      0.0) {
    model.valve.v = -1.0 * model.valve.v;
  }
  model.lupv_ostium = NeedLandmark(anatomy, "pv_left_upper_ostium");
  model.la_centre = NeedLandmark(anatomy, "la_centre");

  // Coaptation line, sorted by v.
  if (const scenes::Polyline* line = anatomy.FindPolyline("coaptation_line");
      line && line->points_m.size() >= 2) {
    std::vector<std::pair<double, double>> vu;
    for (const auto& p : line->points_m) {
      const Vec3 q = ToValve(model.valve, p);
      vu.emplace_back(q[1], q[0]);
    }
    std::sort(vu.begin(), vu.end());
    for (const auto& [v, u] : vu) {
      model.coaptation_v.push_back(v);
      model.coaptation_u.push_back(u);
    }
  } else {
    model.coaptation_v = {-ic_diameter_m / 2.0, ic_diameter_m / 2.0};
    model.coaptation_u = {0.0, 0.0};
  }
  model.coaptation_depth_m = parameters.coaptation_depth_m;
  model.anterior_leaflet_length_m = parameters.anterior_leaflet_length_m;
  model.posterior_leaflet_length_m = parameters.posterior_leaflet_length_m;

  // Lesion along the coaptation line (s = −v; scallop 1 antero-lateral, s < 0).
  const auto& degenerative = parameters.degenerative;
  if (parameters.functional.present) {
    model.lesion_gap_m = parameters.functional.coaptation_gap_m;
    model.lesion_width_m = parameters.functional.gap_width_m;
    model.lesion_on_anterior = model.lesion_on_posterior = true;
  } else if (degenerative.kind != scenes::DegenerativeKind::kNone) {
    model.lesion_gap_m = degenerative.gap_m;
    model.lesion_width_m = degenerative.width_m;
    model.lesion_centre_s_m = (degenerative.scallop.index - 2) * ic_diameter_m / 3.0;
    model.lesion_on_anterior = degenerative.scallop.leaflet == scenes::Leaflet::kAnterior;
    model.lesion_on_posterior = !model.lesion_on_anterior;
  }
  // Chordal zone: it starts below the free edges by half the papillary tips'
  // depth under the annulus.
  if (const auto tip = anatomy.landmarks.find("papillary_posteromedial_tip");
      tip != anatomy.landmarks.end()) {
    model.chordal_zone_depth_m =
        0.5 * std::fabs(Dot(tip->second - model.valve.centre, model.valve.w));
  }

  // Bullet worlds for wall contact and complications.
  if (const auto* la = anatomy.Find("left_atrium")) {
    model.la_wall = std::make_shared<const physics::ContactWorld>(
        std::vector<physics::TriangleMesh>{ToPhysicsMesh(la->collision, true)});
    model.left_atrium_mesh = la->collision;
  }
  if (const auto* aorta = anatomy.Find("aortic_root")) model.aortic_root_mesh = aorta->collision;
  model.available = true;
  return model;
}

bool PointInsideClosedMesh(const scenes::TriangleMesh& mesh, const Vec3& p) {
  // Möller & Trumbore (1997) ray–triangle test along a fixed direction chosen
  // off every axis, so the ray rarely grazes an edge of the generated meshes.
  const Vec3 dir = Normalized(Vec3{0.5773, 0.5774, 0.5776} + Vec3{0.01, -0.02, 0.005});
  int crossings = 0;
  for (const auto& t : mesh.triangles) {
    const Vec3& a = mesh.vertices[t[0]];
    const Vec3 e1 = mesh.vertices[t[1]] - a, e2 = mesh.vertices[t[2]] - a;
    const Vec3 q = Cross(dir, e2);
    const double det = Dot(e1, q);
    if (std::fabs(det) < 1e-18) continue;
    const Vec3 r = p - a;
    const double u = Dot(r, q) / det;
    if (u < 0.0 || u > 1.0) continue;
    const Vec3 c = Cross(r, e1);
    const double v = Dot(dir, c) / det;
    if (v < 0.0 || u + v > 1.0) continue;
    if (Dot(e2, c) / det > 0.0) ++crossings;
  }
  return crossings % 2 == 1;
}

Vec3 ToValve(const AnnularFrame& valve, const Vec3& p) {
  const Vec3 d = p - valve.centre;
  return {Dot(d, valve.u), Dot(d, valve.v), Dot(d, valve.w)};
}

double CoaptationU(const ProcedureModel& model, double v) {
  const auto& vs = model.coaptation_v;
  const auto& us = model.coaptation_u;
  if (vs.empty()) return 0.0;
  if (v <= vs.front()) return us.front();
  if (v >= vs.back()) return us.back();
  const auto it = std::upper_bound(vs.begin(), vs.end(), v);
  const std::size_t i = static_cast<std::size_t>(it - vs.begin());
  const double t = (v - vs[i - 1]) / std::max(vs[i] - vs[i - 1], 1e-12);
  return us[i - 1] + t * (us[i] - us[i - 1]);
}

double ArmRotationError(const ProcedureModel& model, const Vec3& arm, double v) {
  // Target: the arms along the local normal of the coaptation line in the
  // annular plane (the line runs along v with slope du/dv).
  constexpr double kSlopeStep_m = 0.001;
  const double slope =
      (CoaptationU(model, v + kSlopeStep_m) - CoaptationU(model, v - kSlopeStep_m)) /
      (2.0 * kSlopeStep_m);
  const double tu = slope, tv = 1.0;  // line tangent (u, v)
  const double au = Dot(arm, model.valve.u), av = Dot(arm, model.valve.v);
  const double arm_norm = std::hypot(au, av);
  if (arm_norm < 1e-9) return kPi / 2.0;
  // Angle between the arm and the line's tangent; perpendicular is the target.
  const double cos_to_line = std::fabs(au * tu + av * tv) / (arm_norm * std::hypot(tu, tv));
  return std::asin(std::clamp(cos_to_line, 0.0, 1.0));
}

double LesionGapAt(const ProcedureModel& model, double s_m) {
  if (model.lesion_gap_m <= 0.0 || model.lesion_width_m <= 0.0) return 0.0;
  // Flat-topped profile across the lesion's width, as the outcome model's
  // (OutcomeModelConstants::lesion_profile_exponent).
  const double exponent = OutcomeModelConstants{}.lesion_profile_exponent;
  const double x = std::fabs((s_m - model.lesion_centre_s_m) / (model.lesion_width_m / 2.0));
  if (x >= 1.0) return 0.0;
  return model.lesion_gap_m * std::pow(1.0 - std::pow(x, exponent), 1.0 / exponent);
}

// Rotation 0 points at the fossa (perpendicular to the RA axis); positive
// turns it clockwise seen from the feet, i.e. from the septum towards
// posterior.
Vec3 TransseptalNeedleDirection(const ProcedureModel& model, double rotation_rad) {
  const Vec3 axis = model.ra_axis_direction;
  const Vec3 to_septum = Normalized(ProjectPerpendicular(model.septum_normal, axis));
  Vec3 side = Cross(axis, to_septum);
  if (Dot(side, model.fossa_posterior) < 0.0) side = -1.0 * side;
  return std::cos(rotation_rad) * to_septum + std::sin(rotation_rad) * side;
}

Vec3 TransseptalFreeTip(const ProcedureModel& model, double insertion_m, double rotation_rad) {
  if (insertion_m <= model.route_length_m) return RoutePoint(model, insertion_m);
  const Vec3 axis_point =
      model.ra_axis_origin + RaAxisHeight(model, insertion_m) * model.ra_axis_direction;
  // Reach grows over the first 2 cm out of the IVC (the curve straightens in it).
  constexpr double kCurveEmergence_m = 0.02;
  const double emerged = std::min(1.0, (insertion_m - model.route_length_m) / kCurveEmergence_m);
  return axis_point + (emerged * model.instruments.transseptal_curve_reach_m) *
                          TransseptalNeedleDirection(model, rotation_rad);
}

// --- Kinematics of the clip delivery system --------------------------------------

namespace {

struct ChainResult {
  CurveFrame guide_tip, sleeve_tip, delivery_tip, hub;
};

// The guide from the septal site, the sleeve from the guide tip, the
// delivery catheter from the sleeve tip, the clip body to its hinge.
// `samples` (optional) receives each instrument's centreline in turn.
ChainResult ComputeChain(const ProcedureModel& model, const devices::ControlFrame& h,
                         const Vec3& site, std::vector<Vec3>* guide_samples,
                         std::vector<Vec3>* sleeve_samples, std::vector<Vec3>* delivery_samples) {
  const InstrumentSet& inst = model.instruments;
  constexpr double kSample_m = 0.002;

  // Guide leaves the septum along the normal tilted towards the SVC (it came
  // up from the IVC); "+" bends it towards the valve, tilted posteriorly.
  // Over the wire the guide points from the septum into the atrium: between
  // the septal normal and the LA centre.
  const Vec3 n = model.septum_normal;
  const Vec3 to_centre = Normalized(model.la_centre - site);
  const double towards_centre = inst.guide_entry_towards_la_centre;
  const Vec3 t0 = Normalized((1.0 - towards_centre) * n + towards_centre * to_centre);
  const Vec3 to_valve = Normalized(ProjectPerpendicular(model.valve.centre - site, t0));
  Vec3 side = Cross(t0, to_valve);
  if (Dot(side, frame::kPosterior) < 0.0) side = -1.0 * side;
  const double tilt = inst.guide_plus_posterior_tilt_rad;
  const Vec3 plus_ref = std::cos(tilt) * to_valve + std::sin(tilt) * side;
  // Guide rotation turns the plane; clockwise (positive) towards posterior.
  const double guide_roll = h.Get(ControlId::kGuideRotation);
  const Vec3 plus_dir =
      Rotate(plus_ref, t0, Dot(Cross(t0, plus_ref), side) >= 0.0 ? guide_roll : -guide_roll);

  CurveFrame f{site, t0, plus_dir, Cross(t0, plus_dir)};
  if (guide_samples) guide_samples->push_back(f.p);
  const double guide_depth =
      std::max(0.0, h.Get(ControlId::kGuideTranslation) - SeptalCrossingInsertion(model, site));
  // The steerable section is the guide's distal end: the part of it past the
  // septum bends, the rest of the guide in the LA is straight.
  const double knob = std::clamp(h.Get(ControlId::kGuideKnob) / inst.guide_knob_max_rad, -1.0, 1.0);
  const double guide_kappa = knob * inst.guide_bend_at_max_rad / inst.guide_steer_length_m;
  const double straight = std::max(0.0, guide_depth - inst.guide_steer_length_m);
  AdvanceArc(&f, f.n1, 0.0, straight, guide_samples, kSample_m);
  AdvanceArc(&f, f.n1, guide_kappa, guide_depth - straight, guide_samples, kSample_m);
  ChainResult out;
  out.guide_tip = f;

  // Sleeve knobs: "A" towards anterior and lateral (the antero-lateral
  // trajectory), "M" at right angles to it on the side of the postero-medial
  // commissure (medially, and anteriorly by A's lateral angle), in the plane
  // normal to the sleeve's tangent, turned by the sleeve's rotation [S6].
  const double sleeve_out = std::max(0.0, h.Get(ControlId::kSleeveTranslation));
  const double sleeve_roll = h.Get(ControlId::kSleeveRotation);
  const Vec3 medial_hint =
      model.valve.centre - (model.valve.centre + model.valve.v);  // −v: postero-medial
  const Vec3 anterior = -1.0 * frame::kPosterior;
  const Vec3 lateral = Normalized(ProjectPerpendicular(model.valve.v, anterior));
  const double a_lateral = inst.sleeve_a_towards_lateral_rad;
  Vec3 a_dir =
      ProjectPerpendicular(std::cos(a_lateral) * anterior + std::sin(a_lateral) * lateral, f.t);
  a_dir = Norm(a_dir) > 1e-9 ? Normalized(a_dir) : f.n1;
  Vec3 m_dir = Cross(f.t, a_dir);
  if (Dot(m_dir, medial_hint) < 0.0) m_dir = -1.0 * m_dir;
  a_dir = Rotate(a_dir, f.t, sleeve_roll);
  m_dir = Rotate(m_dir, f.t, sleeve_roll);
  const double ap =
      std::clamp(h.Get(ControlId::kSleeveApKnob) / inst.sleeve_knob_max_rad, -1.0, 1.0);
  const double ml =
      std::clamp(h.Get(ControlId::kSleeveMlKnob) / inst.sleeve_knob_max_rad, -1.0, 1.0);
  const double per_knob = inst.sleeve_bend_at_max_rad / inst.sleeve_steer_length_m;
  const Vec3 curvature = (ap * per_knob) * a_dir + (ml * per_knob) * m_dir;
  f.n1 = Rotate(f.n1, f.t, sleeve_roll);
  f.n2 = Rotate(f.n2, f.t, sleeve_roll);
  if (sleeve_samples) sleeve_samples->push_back(f.p);
  const double sleeve_bent = std::min(sleeve_out, inst.sleeve_steer_length_m);
  // The steerable part is the sleeve's distal end: the first part out bends.
  AdvanceArc(&f, f.n1, 0.0, sleeve_out - sleeve_bent, sleeve_samples, kSample_m);
  AdvanceCurved(&f, curvature, sleeve_bent, sleeve_samples, kSample_m);
  out.sleeve_tip = f;

  // Delivery catheter: straight, turned by its rotation (the clip's roll).
  const double delivery_roll = h.Get(ControlId::kDeliveryRotation);
  f.n1 = Rotate(f.n1, f.t, delivery_roll);
  f.n2 = Rotate(f.n2, f.t, delivery_roll);
  if (delivery_samples) delivery_samples->push_back(f.p);
  const double delivery_out = h.Get(ControlId::kDeliveryTranslation);
  AdvanceArc(&f, f.n1, 0.0, std::max(0.0, delivery_out), delivery_samples, kSample_m);
  out.delivery_tip = f;
  // A delivery catheter short of the sleeve tip keeps the clip inside.
  f.p = f.p + std::min(0.0, delivery_out) * f.t;
  AdvanceArc(&f, f.n1, 0.0, inst.clip_body_length_m, nullptr, kSample_m);
  out.hub = f;
  return out;
}

}  // namespace

double SeptalCrossingInsertion(const ProcedureModel& model, const Vec3& site) {
  // Guide insertion at which its tip reaches the septal site: the route, then
  // straight from the IVC–RA junction to the site.
  return model.route_length_m + Distance(model.ra_axis_origin, site);
}

ClipPose ComputeClipPose(const ProcedureModel& model, const devices::ControlFrame& handles,
                         const Vec3& site) {
  const ChainResult chain = ComputeChain(model, handles, site, nullptr, nullptr, nullptr);
  return {chain.guide_tip.p, chain.sleeve_tip.p, chain.delivery_tip.p,
          chain.hub.p,       chain.hub.t,        chain.hub.n1};
}

// --- State ------------------------------------------------------------------------

ClipOnTissue HeldClip(const ProcedureState& state) {
  // Closed on tissue: the grip of that moment; before (a grasp in progress): as it is.
  const bool closed = state.closed_on_tissue;
  const bool first_anterior = closed ? state.grip_faces_anterior[0] : state.arm_faces_anterior[0];
  ClipOnTissue held;
  held.position_s_m = closed ? state.grip_position_s_m : state.clip_position_s_m;
  held.insertion_anterior_m = state.insertion_m[first_anterior ? 0 : 1];
  held.insertion_posterior_m = state.insertion_m[first_anterior ? 1 : 0];
  held.now = {state.clip_hub, state.clip_axis, state.clip_arm};
  held.closed =
      closed ? ClipPoseRecord{state.hub_at_closure, state.axis_at_closure, state.arm_at_closure}
             : held.now;
  return held;
}

ClipsOnTissue ListClipsOnTissue(const ProcedureState& state) {
  ClipsOnTissue list;
  for (int i = 0; i < state.clips_released && list.count < kMaxClipsOnTissue; ++i) {
    const ClipRecord& r = state.released[static_cast<std::size_t>(i)];
    list.clips[static_cast<std::size_t>(list.count++)] = {
        r.grip_position_s_m, r.insertion_anterior_m, r.insertion_posterior_m, r.closed,
        ClipPoseRecord{r.hub, r.axis, r.arm}};
  }
  if (state.closed_on_tissue && list.count < kMaxClipsOnTissue)
    list.clips[static_cast<std::size_t>(list.count++)] = HeldClip(state);
  return list;
}

double ClipHeldHalfWidth_m(const ClipSize& clip, const ClipOnTissue& held) {
  return clip.arm_width_m / 2.0 +
         OutcomeModelConstants{}.bridging_per_insertion *
             std::min(held.insertion_anterior_m, held.insertion_posterior_m);
}

ProcedureState InitialProcedureState(const ProcedureModel& model, const Outcome& baseline) {
  ProcedureState state;
  const Vec3 start = model.route.empty() ? Vec3{} : model.route.front();
  state.set_tip = state.guide_tip = state.sleeve_tip = state.clip_hub = start;
  state.last_set_tip = state.last_guide_tip = state.last_clip_hub = start;
  state.eroa_m2 = baseline.eroa_m2;
  state.mva_m2 = baseline.mva_m2;
  state.mean_gradient_mmHg = baseline.mean_gradient_mmHg;
  state.mr_grade = baseline.mr_grade;
  return state;
}

namespace {

// Transseptal set: where its tip is, whether it tents or punctures the septum.
void StepTransseptal(const ProcedureModel& model, const devices::ControlFrame& h, double time_s,
                     ProcedureState* s) {
  const InstrumentSet& inst = model.instruments;
  const double insertion = h.Get(ControlId::kSheathTranslation);
  const double needle_out = h.Get(ControlId::kNeedleTranslation);  // beyond the dilator tip
  const double dilator_out = std::max(0.0, h.Get(ControlId::kDilatorTranslation));

  if (s->punctured) {
    // Across: everything moves along the puncture track, the septal normal.
    const double depth = insertion - s->sheath_insertion_at_puncture_m;
    const double tip_depth = depth + dilator_out + std::max(0.0, needle_out);
    s->set_tip = s->puncture_site + tip_depth * model.septum_normal;
    s->septal_contact_active = false;
    s->tent_depth_m = 0.0;
    s->septal_force_N = 0.0;
    if (!s->sheath_across && depth >= kSheathAcrossDepth_m) {
      s->sheath_across = true;
      AddEvent(s, time_s, EventKind::kSheathAcross);
    }
    const double wire_out = h.Get(ControlId::kGuidewireTranslation) - std::max(depth, 0.0);
    if (s->sheath_across && !s->wire_in_la && wire_out >= kWireParkedLength_m) {
      s->wire_in_la = true;
      AddEvent(s, time_s, EventKind::kWireInLa);
    }
    // A needle pushed on across the atrium leaves it through the far wall:
    // its tip was in the LA and is now beyond the deepest point it had there.
    const bool check_wall =
        !s->la_perforation && needle_out > 0.0 && !model.left_atrium_mesh.triangles.empty();
    const bool inside = check_wall && PointInsideClosedMesh(model.left_atrium_mesh, s->set_tip);
    if (inside) {
      s->needle_reached_la = true;
      s->needle_deepest_in_la_m = std::max(s->needle_deepest_in_la_m, tip_depth);
    }
    if (check_wall && !inside && s->needle_reached_la &&
        tip_depth > s->needle_deepest_in_la_m + kNeedleWallCheckDepth_m) {
      s->la_perforation = true;
      AddEvent(s, time_s, EventKind::kComplicationLaWallPerforation, s->set_tip[0] * kMmPerM,
               s->set_tip[1] * kMmPerM, s->set_tip[2] * kMmPerM);
    }
    return;
  }

  if (insertion <= model.route_length_m) {
    s->set_tip = RoutePoint(model, insertion);
    s->septal_contact_active = false;
    s->tent_depth_m = s->septal_force_N = 0.0;
    s->tenting = false;
    return;
  }
  // In the RA: up the IVC→SVC axis, the curve turned by the sheath rotation.
  const Vec3 free_tip = TransseptalFreeTip(model, insertion, h.Get(ControlId::kSheathRotation));
  const double beyond = SignedSeptumDistance(model, free_tip);
  if (beyond < 0.0) {
    s->set_tip = free_tip;
    s->septal_contact_active = false;
    s->tent_depth_m = s->septal_force_N = 0.0;
    s->tenting = false;
    return;
  }
  // Held by the septum: the contact point, the sheath's preload, the needle's tent.
  const Vec3 contact = free_tip - beyond * model.septum_normal;
  s->septal_contact = contact;
  s->septal_contact_active = true;
  const Vec3 d = contact - model.fossa_centre;
  const double posterior = Dot(d, model.fossa_posterior), superior = Dot(d, model.fossa_superior);
  const double ex = posterior / model.fossa_half_width_m, ey = superior / model.fossa_half_height_m;
  const bool on_fossa = ex * ex + ey * ey <= 1.0;
  // The needle leaves the dilator the way the curve points: turned
  // anteriorly (towards 1-2 o'clock instead of 4-5), its track runs
  // towards the aortic root behind the anterior septum [S6,S31].
  const Vec3 needle_direction =
      TransseptalNeedleDirection(model, h.Get(ControlId::kSheathRotation));
  const auto aortic_root_within = [&](double depth_m) {
    return PointInsideClosedMesh(model.aortic_root_mesh, contact) ||
           PointInsideClosedMesh(model.aortic_root_mesh, contact + depth_m * needle_direction);
  };
  // Where the root lies against the septum (the torus aorticus, anterior
  // and superior to the fossa), closer behind it along the needle than the
  // muscle is thick, the needle crosses the RA and the root's thin walls,
  // not the muscular septum: a hand's push takes it into the aorta [S31].
  const bool on_aortic_root = !on_fossa && aortic_root_within(model.septum_thickness_m);
  const double thickness = on_fossa         ? model.fossa_thickness_m
                           : on_aortic_root ? inst.aortic_wall_thickness_m
                                            : model.septum_thickness_m;
  const double scale = thickness / inst.reference_fossa_thickness_m;
  const double stiffness = inst.membrane_stiffness_N_per_m * scale;
  const double threshold = inst.fossa_puncture_force_N * scale;
  const double needle_push = std::clamp(needle_out, 0.0, inst.needle_length_beyond_dilator_m);
  const double push = beyond + needle_push;
  // Force on the septum: the sheath's preload plus the needle's push, no more
  // than a hand can give before the needle buckles or slips.
  const double force = std::min(inst.sheath_preload_N_per_m * beyond + stiffness * needle_push,
                                inst.needle_max_force_N);
  s->septal_force_N = force;
  s->tent_depth_m = std::min(push, force / stiffness);
  s->set_tip = contact + s->tent_depth_m * model.septum_normal;
  const double height = Dot(contact - model.valve.centre, model.valve.w);
  if (!s->tenting && needle_out > 0.0) {
    s->tenting = true;
    AddEvent(s, time_s, EventKind::kTentingStarted, posterior * kMmPerM, superior * kMmPerM,
             height * kMmPerM);
  }
  if (needle_out <= 0.0) s->tenting = false;
  if (needle_out <= 0.0 || force < threshold) return;

  // Puncture: record the site (§1.1 step 2: height in the 4-chamber view,
  // anterior/posterior in the short axis, superior/inferior in the bicaval).
  s->punctured = true;
  ++s->tsp_attempts;
  s->puncture_site = contact;
  s->tsp_height_m = height;
  s->tsp_posterior_m = posterior;
  s->tsp_superior_m = superior;
  s->tsp_on_fossa = on_fossa;
  s->sheath_insertion_at_puncture_m = insertion;
  s->tent_depth_m = 0.0;
  AddEvent(s, time_s, EventKind::kTsp, height * kMmPerM, posterior * kMmPerM, superior * kMmPerM,
           on_fossa ? 1 : 0);
  if (posterior < kAnteriorSiteLimit_m)
    AddEvent(s, time_s, EventKind::kTspAnterior, posterior * kMmPerM);
  if (!on_fossa) AddEvent(s, time_s, EventKind::kTspOffFossa);
  // The needle's track through the wall and on: into the aortic root when
  // the site lies against it or the needle points at it.
  if (aortic_root_within(thickness + 0.5 * inst.needle_length_beyond_dilator_m)) {
    s->aortic_puncture = true;
    AddEvent(s, time_s, EventKind::kComplicationAorticPuncture, contact[0] * kMmPerM,
             contact[1] * kMmPerM, contact[2] * kMmPerM);
  }
}

void TrackContactForce(const ProcedureModel& model, double force, int instrument, double time_s,
                       double dt_s, ProcedureState* s) {
  s->contact_force_N = force;
  s->peak_contact_force_N = std::max(s->peak_contact_force_N, force);
  s->contact_force_integral_Ns += force * dt_s;
  const bool above = force >= model.instruments.excessive_force_N;
  if (above) s->time_above_force_threshold_s += dt_s;
  if (above && !s->above_threshold) {
    ++s->contacts_above_threshold;
    AddEvent(s, time_s, EventKind::kExcessiveContactForce, force, instrument);
  }
  s->above_threshold = above;
}

// Chordae: an open clip deep in the LV catches them when it is turned or
// advanced there; caught, they pull on it as it is withdrawn above where
// they caught it, until the arms are inverted.
void StepChordae(const ProcedureModel& model, double height_m, bool in_lv, double time_s,
                 ProcedureState* s) {
  if (s->awaiting_reload) {  // no clip on the catheter: nothing to catch
    s->open_in_chordal_zone = false;
    return;
  }
  // The arms' bearing in the annular plane, whichever hand turned them: the
  // delivery catheter, the sleeve, or the guide carrying both.
  const double bearing =
      std::atan2(Dot(s->clip_arm, model.valve.v), Dot(s->clip_arm, model.valve.u));
  const bool in_zone = in_lv && height_m < -(model.coaptation_depth_m + model.chordal_zone_depth_m);
  const bool inverted = s->clip_arm_angle_rad > kArmsInverted_rad;
  const bool spread = s->clip_arm_angle_rad > kArmsClosed_rad && !inverted;
  if (s->entangled && inverted) {
    AddEvent(s, time_s, EventKind::kChordaeFreed, s->clip_arm_angle_rad * 180.0 / kPi,
             s->chordal_tension_N);
    s->entangled = false;
  }
  // Caught, the clip drags the chordae along deeper: they hold it from the
  // deepest it has been since, and pull as it is withdrawn above that.
  if (s->entangled) s->entangled_at_height_m = std::min(s->entangled_at_height_m, height_m);
  s->chordal_tension_N = s->entangled ? kCaughtChordStiffness_N_per_m *
                                            std::max(0.0, height_m - s->entangled_at_height_m)
                                      : 0.0;

  // Turns and advances count from where the clip was last open in the zone:
  // closed or inverted, it sweeps nothing.
  const bool was_open_in_zone = s->open_in_chordal_zone;
  s->open_in_chordal_zone = spread && in_zone;
  if (!s->open_in_chordal_zone) return;
  if (!was_open_in_zone) {
    s->open_in_chordal_zone_top_m = height_m;
    s->open_in_chordal_zone_bearing_rad = bearing;
  }
  s->open_in_chordal_zone_top_m = std::max(s->open_in_chordal_zone_top_m, height_m);
  if (s->entangled) return;
  const double turn_rad =
      std::fabs(std::remainder(bearing - s->open_in_chordal_zone_bearing_rad, 2.0 * kPi));
  const double advance_m = s->open_in_chordal_zone_top_m - height_m;
  if (turn_rad > kEntanglementRoll_rad || advance_m > kEntanglementAdvance_m) {
    s->entangled = true;
    ++s->entanglements;
    s->entangled_at_height_m = height_m;
    AddEvent(s, time_s, EventKind::kComplicationChordalEntanglement,
             turn_rad > kEntanglementRoll_rad ? 0.0 : 1.0, turn_rad * 180.0 / kPi,
             advance_m * kMmPerM);
  }
}

// Guide, sleeve, delivery catheter and clip once the septum is open.
void StepClipDelivery(const ProcedureModel& model, const ValveModelInputs& valve,
                      const devices::ControlFrame& h, double time_s, double dt_s,
                      const TissueGraspReading& tissue_grasp, ProcedureState* s) {
  const InstrumentSet& inst = model.instruments;
  const Vec3 site = s->puncture_site;
  const double guide_insertion = h.Get(ControlId::kGuideTranslation);
  const double crossing = SeptalCrossingInsertion(model, site);
  const double guide_depth = guide_insertion - crossing;

  // Before the septum the guide follows the route, then the line to the site.
  if (guide_insertion <= model.route_length_m) {
    s->guide_tip = RoutePoint(model, guide_insertion);
  } else if (guide_depth <= 0.0) {
    const double along = guide_insertion - model.route_length_m;
    s->guide_tip = model.ra_axis_origin + along * Normalized(site - model.ra_axis_origin);
  }
  // Only over a wire (or the sheath still across) does the guide cross.
  const bool can_cross = s->wire_in_la || s->sheath_across;
  if (!s->guide_across && guide_depth >= kGuideAcrossDepth_m && can_cross) {
    s->guide_across = true;
    AddEvent(s, time_s, EventKind::kGuideCrossed, guide_depth * kMmPerM);
  }
  if (guide_depth <= 0.0 || !s->guide_across) {
    if (!s->guide_across && guide_depth > 0.0) s->guide_tip = site;  // held at the septum
    s->sleeve_tip = s->clip_hub = s->guide_tip;
    s->clip_outside = false;
    return;
  }

  const ChainResult chain = ComputeChain(model, h, site, nullptr, nullptr, nullptr);
  s->guide_tip = chain.guide_tip.p;
  s->sleeve_tip = chain.sleeve_tip.p;
  s->clip_hub = chain.hub.p;
  s->clip_axis = chain.hub.t;
  s->clip_arm = chain.hub.n1;
  // The clip is out of the guide once the sleeve is out and the delivery
  // catheter has brought the clip out of the sleeve.
  constexpr double kSleeveOutForClip_m = 0.003;
  s->clip_outside = h.Get(ControlId::kDeliveryTranslation) >= 0.0 &&
                    h.Get(ControlId::kSleeveTranslation) >= kSleeveOutForClip_m;
  s->clip_arm_angle_rad = s->clip_outside ? h.Get(ControlId::kClipArmAngle) : 0.0;

  // Wall contact of the guide tip, the sleeve tip and the clip.
  const double guide_force = ContactForceFor(model, s->guide_tip, site);
  const double delivery_force =
      std::max(ContactForceFor(model, s->sleeve_tip, site),
               s->clip_outside ? ContactForceFor(model, s->clip_hub, site) : 0.0);
  s->handle_force_N[1] = guide_force;
  s->handle_force_N[2] = delivery_force;
  const double force = std::max(guide_force, delivery_force);
  TrackContactForce(model, force, 0, time_s, dt_s, s);

  // Clip relative to the valve.
  const Vec3 hub = ToValve(model.valve, s->clip_hub);
  s->clip_height_m = hub[2];
  s->clip_position_s_m = -hub[1];
  s->rotation_error_rad = ArmRotationError(model, s->clip_arm, hub[1]);
  for (int side = 0; side < 2; ++side) {
    const Vec3 arm = side == 0 ? s->clip_arm : -1.0 * s->clip_arm;
    s->arm_faces_anterior[static_cast<std::size_t>(side)] = Dot(arm, model.valve.u) < 0.0;
  }
  // Leaflet level: the hub below the coaptation depth is in the LV.
  const bool in_lv = hub[2] < -model.coaptation_depth_m;
  if (in_lv && !s->clip_in_lv) {
    AddEvent(s, time_s, EventKind::kLvEntry, s->clip_arm_angle_rad * 180.0 / kPi);
    if (s->clip_arm_angle_rad > kArmsOpenCrossing_rad && !s->captured[0] && !s->captured[1]) {
      AddEvent(s, time_s, EventKind::kLvEntryArmsOpen, s->clip_arm_angle_rad * 180.0 / kPi);
    }
  }
  s->clip_in_lv = in_lv;
  if (in_lv) s->reached_lv = true;
  if (hub[2] > 0.0) s->reached_lv = false;

  StepChordae(model, hub[2], in_lv, time_s, s);
  s->handle_force_N[2] -= s->chordal_tension_N;

  // Grippers: each drop is a grasp attempt on that arm's leaflet; raising a
  // gripper lets its leaflet go (re-grasp).
  const std::array<ControlId, 2> grippers{ControlId::kClipGripperLeft,
                                          ControlId::kClipGripperRight};
  for (int side = 0; side < 2; ++side) {
    const auto k = static_cast<std::size_t>(side);
    const bool down = h.Pressed(grippers[k]) && s->clip_outside;
    if (down && !s->gripper_down[k]) {
      // The tissue where it is simulated, else the lesion's parametric edge;
      // either way only with open arms below the leaflets.
      const double insertion =
          !tissue_grasp.available ? InsertionOnArm(model, *s, side)
          : (s->reached_lv && s->clip_arm_angle_rad >= kArmsOpen_rad) ? tissue_grasp.insertion_m[k]
                                                                      : 0.0;
      s->captured[k] = insertion > 0.0;
      s->insertion_m[k] = insertion;
      if (!s->gripper_down[0] && !s->gripper_down[1]) ++s->grasp_attempts;
      if (!s->captured[0] || !s->captured[1]) s->hub_at_grasp = s->clip_hub;
      AddEvent(s, time_s, EventKind::kGraspAttempt, side, s->captured[k] ? 1 : 0,
               insertion * kMmPerM);
    }
    if (!down && s->gripper_down[k]) {
      if (s->captured[k]) AddEvent(s, time_s, EventKind::kRegrasp, side);
      s->captured[k] = false;
      s->insertion_m[k] = 0.0;
    }
    s->gripper_down[k] = down;
  }
  // Tear: a grasped leaflet dragged by a large clip move while the clip is open.
  if ((s->captured[0] || s->captured[1]) && !s->closed_on_tissue) {
    const double moved = Distance(s->clip_hub, s->hub_at_grasp);
    if (moved > kTearDisplacement_m) {
      for (int side = 0; side < 2; ++side) {
        const auto k = static_cast<std::size_t>(side);
        if (!s->captured[k]) continue;
        AddEvent(s, time_s, EventKind::kComplicationLeafletTear, side, moved * kMmPerM, 0.0);
        s->captured[k] = false;
        s->insertion_m[k] = 0.0;
      }
    }
  }
  // Tear by force: the grip of a closed clip moves with the hands
  // (sim/valve_tissue.h), so dragging or turning it pulls on the leaflets it
  // holds; past the tissue's strength a leaflet tears out of the grip and the
  // clip holds the other one alone (the force is the last tissue step's).
  if (s->closed_on_tissue && time_s - s->closed_since_s > kGripSettle_s) {
    std::array<bool, 2> tear{};
    for (int side = 0; side < 2; ++side) {
      const auto k = static_cast<std::size_t>(side);
      tear[k] = s->captured[k] &&
                s->grip_force_N[s->grip_faces_anterior[k] ? 0 : 1] > kLeafletTearForce_N;
    }
    TearOutOfGrip(valve, inst.clip, tear, TearCause::kForce, time_s, s);
  }

  // Closing on tissue: the clip now holds what the grippers caught.
  const bool any_captured = s->captured[0] || s->captured[1];
  if (!s->closed_on_tissue && any_captured && s->clip_arm_angle_rad < kArmsClosed_rad) {
    s->closed_on_tissue = true;
    s->closed_since_s = time_s;
    s->hub_at_closure = s->clip_hub;
    s->axis_at_closure = s->clip_axis;
    s->arm_at_closure = s->clip_arm;
    s->grip_position_s_m = s->clip_position_s_m;
    s->grip_faces_anterior = s->arm_faces_anterior;
    s->grip_force_N = {0.0, 0.0};
    s->assessed = false;
    const ClipOnTissue held = HeldClip(*s);
    const double ins_a = held.insertion_anterior_m, ins_p = held.insertion_posterior_m;
    AddEvent(s, time_s, EventKind::kClipClosed, s->rotation_error_rad * 180.0 / kPi,
             ins_a * kMmPerM, ins_p * kMmPerM, s->clip_position_s_m * kMmPerM);
    const double threshold = OutcomeModelConstants{}.attachment_threshold_m;
    if (std::min(ins_a, ins_p) < threshold) {
      AddEvent(s, time_s, EventKind::kGraspSingleLeaflet, ins_a * kMmPerM, ins_p * kMmPerM);
    } else if (std::min(ins_a, ins_p) >= kInsertionTarget_m) {
      AddEvent(s, time_s, EventKind::kGraspBoth, ins_a * kMmPerM, ins_p * kMmPerM);
    }
    UpdateOutcome(valve, s, inst.clip);
  }
  if (s->closed_on_tissue && (s->clip_arm_angle_rad > kArmsOpen_rad || !any_captured) &&
      !s->locked) {
    s->closed_on_tissue = false;
    AddEvent(s, time_s, EventKind::kClipReopened);
    UpdateOutcome(valve, s, inst.clip);
  }
  if (s->closed_on_tissue && !s->assessed && time_s - s->closed_since_s >= kAssessmentHold_s) {
    s->assessed = true;
    AddEvent(s, time_s, EventKind::kAssessment, s->mr_grade, s->eroa_m2 * 1e4,
             s->mean_gradient_mmHg, s->mva_m2 * 1e4);
  }
  if (s->closed_on_tissue && !s->locked && h.Pressed(ControlId::kClipLock)) {
    s->locked = true;
    AddEvent(s, time_s, EventKind::kClipLocked);
  }
  // Release: only a locked clip separates; a clip released on one leaflet is SLDA.
  if (h.Pressed(ControlId::kClipRelease) && s->closed_on_tissue && !s->awaiting_reload) {
    if (!s->locked) {
      // Report once per press: remember by clearing nothing; a held button repeats
      // only when the state changes, so check the last event.
      if (s->event_count == 0 || s->events[static_cast<std::size_t>(s->event_count - 1)].kind !=
                                     EventKind::kReleaseUnlocked) {
        AddEvent(s, time_s, EventKind::kReleaseUnlocked);
      }
    } else if (s->clips_released < kMaxClips) {
      ClipRecord& record = s->released[static_cast<std::size_t>(s->clips_released++)];
      record.hub = s->clip_hub;
      record.axis = s->clip_axis;
      record.arm = s->clip_arm;
      record.position_s_m = s->clip_position_s_m;
      record.rotation_error_rad = s->rotation_error_rad;
      const ClipOnTissue held = HeldClip(*s);
      record.insertion_anterior_m = held.insertion_anterior_m;
      record.insertion_posterior_m = held.insertion_posterior_m;
      record.closed = held.closed;
      record.grip_position_s_m = held.position_s_m;
      s->closed_on_tissue = false;
      s->locked = false;
      s->captured = {false, false};
      s->insertion_m = {0.0, 0.0};
      // Caught chordae stay with the released clip; the empty catheter is free.
      s->entangled = false;
      s->chordal_tension_N = 0.0;
      s->awaiting_reload = true;
      UpdateOutcome(valve, s, inst.clip);
      AddEvent(s, time_s, EventKind::kRelease, s->clip_number, s->mr_grade, s->mean_gradient_mmHg);
      const double threshold = OutcomeModelConstants{}.attachment_threshold_m;
      if (std::min(record.insertion_anterior_m, record.insertion_posterior_m) < threshold) {
        AddEvent(s, time_s, EventKind::kReleaseSlda);
      }
    }
  }
  // A new clip: the delivery catheter back inside the sleeve with the grippers up.
  if (s->awaiting_reload && h.Get(ControlId::kDeliveryTranslation) <= kReloadRetraction_m &&
      !h.Pressed(ControlId::kClipRelease) && s->clip_number < inst.clips_available) {
    s->awaiting_reload = false;
    ++s->clip_number;
    AddEvent(s, time_s, EventKind::kClipLoaded, s->clip_number);
  }
}

void UpdatePhase(const ProcedureModel& model, const devices::ControlFrame& h, double time_s,
                 ProcedureState* s) {
  const double set_insertion = h.Get(ControlId::kSheathTranslation);
  // Done once a clip is in place and the system is back on the RA side.
  if (s->phase != Phase::kDone && s->clips_released > 0 && !s->closed_on_tissue &&
      h.Get(ControlId::kGuideTranslation) - SeptalCrossingInsertion(model, s->puncture_site) <
          kWithdrawnDepth_m &&
      h.Get(ControlId::kSleeveTranslation) <= 0.0) {
    SetPhase(s, Phase::kDone, time_s);
    s->completed = true;
    AddEvent(s, time_s, EventKind::kCompleted, s->clips_released);
    return;
  }
  switch (s->phase) {
    case Phase::kAccess:
      // The iliac confluence is about a fifth of the route; beyond it the IVC.
      if (set_insertion > 0.35 * model.route_length_m) SetPhase(s, Phase::kIvcRaNavigation, time_s);
      break;
    case Phase::kIvcRaNavigation:
      if (set_insertion > model.route_length_m) SetPhase(s, Phase::kTransseptal, time_s);
      break;
    case Phase::kTransseptal:
      if (s->sheath_across) SetPhase(s, Phase::kGuideCrossing, time_s);
      break;
    case Phase::kGuideCrossing:
      if (s->guide_across) SetPhase(s, Phase::kSteeringLa, time_s);
      break;
    case Phase::kSteeringLa:
      if (s->clip_outside && s->clip_height_m < kOverValveHeight_m && s->clip_height_m > 0.0 &&
          s->clip_arm_angle_rad > kArmsOpen_rad) {
        SetPhase(s, Phase::kClipOrientation, time_s);
      }
      break;
    case Phase::kClipOrientation:
      if (s->reached_lv) SetPhase(s, Phase::kLvEntry, time_s);
      break;
    case Phase::kLvEntry:
      if (!s->reached_lv) SetPhase(s, Phase::kClipOrientation, time_s);
      if (s->gripper_down[0] || s->gripper_down[1]) SetPhase(s, Phase::kGrasp, time_s);
      break;
    case Phase::kGrasp:
      if (s->closed_on_tissue) SetPhase(s, Phase::kClosureAssessment, time_s);
      break;
    case Phase::kClosureAssessment:
      if (!s->closed_on_tissue && !s->awaiting_reload) SetPhase(s, Phase::kGrasp, time_s);
      if (s->locked) SetPhase(s, Phase::kRelease, time_s);
      break;
    case Phase::kRelease:
      if (s->awaiting_reload) SetPhase(s, Phase::kWithdrawal, time_s);
      break;
    case Phase::kWithdrawal:
      // A second clip: loaded and out of the sleeve again.
      if (!s->awaiting_reload && s->clip_outside && h.Get(ControlId::kDeliveryTranslation) > 0.0) {
        SetPhase(s, Phase::kSteeringLa, time_s);
      }
      break;
    case Phase::kDone:
    case Phase::kCount:
      break;
  }
}

}  // namespace

bool TearOutOfGrip(const ValveModelInputs& valve, const ClipSize& clip, std::array<bool, 2> tear,
                   TearCause cause, double time_s, ProcedureState* s) {
  bool torn = false;
  for (int side = 0; side < 2; ++side) {
    const auto k = static_cast<std::size_t>(side);
    if (!tear[k] || !s->captured[k]) continue;
    AddEvent(s, time_s, EventKind::kComplicationLeafletTear, side,
             Distance(s->clip_hub, s->hub_at_closure) * kMmPerM,
             s->grip_force_N[s->grip_faces_anterior[k] ? 0 : 1],
             cause == TearCause::kStretch ? 1.0 : 0.0);
    s->captured[k] = false;
    s->insertion_m[k] = 0.0;
    torn = true;
  }
  if (!torn) return false;
  s->grip_force_N = {0.0, 0.0};
  if (!s->captured[0] && !s->captured[1]) {
    s->closed_on_tissue = false;  // nothing left in the grip
    s->locked = false;
  }
  UpdateOutcome(valve, s, clip);
  return true;
}

bool TearLeafletOutOfGrip(const ValveModelInputs& valve, const ClipSize& clip, bool anterior,
                          double time_s, ProcedureState* s) {
  if (!s->closed_on_tissue) return false;
  std::array<bool, 2> tear{};
  for (std::size_t k = 0; k < 2; ++k) tear[k] = s->grip_faces_anterior[k] == anterior;
  return TearOutOfGrip(valve, clip, tear, TearCause::kStretch, time_s, s);
}

void StepProcedure(const ProcedureModel& model, const ValveModelInputs& valve,
                   const devices::ControlFrame& handles, double time_s, double dt_s,
                   ProcedureState* state, const TissueGraspReading& tissue_grasp) {
  if (!model.available) return;
  state->phase_time_s[static_cast<std::size_t>(state->phase)] += dt_s;
  state->contact_force_N = 0.0;
  state->handle_force_N = {0.0, 0.0, 0.0};
  StepTransseptal(model, handles, time_s, state);
  state->handle_force_N[0] = state->septal_contact_active ? state->septal_force_N : 0.0;
  if (state->punctured) {
    StepClipDelivery(model, valve, handles, time_s, dt_s, tissue_grasp, state);
  } else {
    // Before the septum is open the guide can go no further than the RA.
    const double insertion =
        std::clamp(handles.Get(ControlId::kGuideTranslation), 0.0, model.route_length_m);
    state->guide_tip = state->sleeve_tip = state->clip_hub = RoutePoint(model, insertion);
  }
  // Tip path lengths (instrument economy, §3.3).
  state->tip_path_length_m[0] += Distance(state->set_tip, state->last_set_tip);
  state->tip_path_length_m[1] += Distance(state->guide_tip, state->last_guide_tip);
  state->tip_path_length_m[2] += Distance(state->clip_hub, state->last_clip_hub);
  state->last_set_tip = state->set_tip;
  state->last_guide_tip = state->guide_tip;
  state->last_clip_hub = state->clip_hub;
  UpdatePhase(model, handles, time_s, state);
}

StateHasher& AddToHash(const ProcedureState& s, StateHasher& hasher) {
  const auto vec = [&](const Vec3& v) { hasher.Add(std::span<const double>(v.data(), v.size())); };
  hasher.Add(static_cast<std::int64_t>(s.phase))
      .Add(std::span<const double>(s.phase_time_s))
      .Add(s.completed);
  vec(s.set_tip);
  vec(s.septal_contact);
  hasher.Add(s.septal_contact_active)
      .Add(s.tent_depth_m)
      .Add(s.septal_force_N)
      .Add(s.tenting)
      .Add(s.punctured);
  vec(s.puncture_site);
  hasher.Add(s.tsp_height_m).Add(s.tsp_posterior_m).Add(s.tsp_superior_m).Add(s.tsp_on_fossa);
  hasher.Add(static_cast<std::int64_t>(s.tsp_attempts)).Add(s.sheath_insertion_at_puncture_m);
  hasher.Add(s.needle_reached_la).Add(s.needle_deepest_in_la_m);
  hasher.Add(s.sheath_across)
      .Add(s.wire_in_la)
      .Add(s.guide_across)
      .Add(s.aortic_puncture)
      .Add(s.la_perforation);
  for (const Vec3* v : {&s.guide_tip, &s.sleeve_tip, &s.clip_hub, &s.clip_axis, &s.clip_arm,
                        &s.hub_at_grasp, &s.hub_at_closure, &s.axis_at_closure, &s.arm_at_closure})
    vec(*v);
  hasher.Add(s.grip_force_N[0]).Add(s.grip_force_N[1]).Add(s.peak_grip_force_N);
  hasher.Add(s.grip_position_s_m).Add(s.grip_faces_anterior[0]).Add(s.grip_faces_anterior[1]);
  hasher.Add(s.clip_arm_angle_rad)
      .Add(s.clip_outside)
      .Add(s.clip_in_lv)
      .Add(s.reached_lv)
      .Add(s.rotation_error_rad);
  hasher.Add(s.clip_position_s_m).Add(s.clip_height_m);
  for (std::size_t k = 0; k < 2; ++k) {
    hasher.Add(s.gripper_down[k])
        .Add(s.captured[k])
        .Add(s.arm_faces_anterior[k])
        .Add(s.insertion_m[k]);
  }
  hasher.Add(s.closed_on_tissue).Add(s.closed_since_s).Add(s.assessed).Add(s.locked);
  hasher.Add(s.entangled).Add(static_cast<std::int64_t>(s.grasp_attempts));
  hasher.Add(static_cast<std::int64_t>(s.entanglements))
      .Add(s.open_in_chordal_zone)
      .Add(s.open_in_chordal_zone_top_m)
      .Add(s.open_in_chordal_zone_bearing_rad)
      .Add(s.entangled_at_height_m)
      .Add(s.chordal_tension_N);
  hasher.Add(static_cast<std::int64_t>(s.clip_number))
      .Add(static_cast<std::int64_t>(s.clips_released));
  for (int i = 0; i < s.clips_released; ++i) {
    const auto& r = s.released[static_cast<std::size_t>(i)];
    for (const Vec3* v : {&r.hub, &r.axis, &r.arm, &r.closed.hub, &r.closed.axis, &r.closed.arm})
      vec(*v);
    hasher.Add(r.grip_position_s_m);
    hasher.Add(r.position_s_m)
        .Add(r.rotation_error_rad)
        .Add(r.insertion_anterior_m)
        .Add(r.insertion_posterior_m);
  }
  hasher.Add(s.awaiting_reload).Add(s.eroa_m2).Add(s.mva_m2).Add(s.mean_gradient_mmHg);
  hasher.Add(static_cast<std::int64_t>(s.mr_grade)).Add(s.slda);
  hasher.Add(std::span<const double>(s.handle_force_N));
  hasher.Add(s.contact_force_N)
      .Add(s.peak_contact_force_N)
      .Add(s.contact_force_integral_Ns)
      .Add(s.time_above_force_threshold_s);
  hasher.Add(static_cast<std::int64_t>(s.contacts_above_threshold)).Add(s.above_threshold);
  hasher.Add(std::span<const double>(s.tip_path_length_m));
  hasher.Add(static_cast<std::int64_t>(s.event_count))
      .Add(static_cast<std::int64_t>(s.events_dropped));
  for (int i = 0; i < s.event_count; ++i) {
    const auto& e = s.events[static_cast<std::size_t>(i)];
    hasher.Add(e.time_s)
        .Add(static_cast<std::int64_t>(e.kind))
        .Add(std::span<const double>(e.value));
  }
  return hasher;
}

// --- Shapes for the views --------------------------------------------------------

std::vector<InstrumentShape> InstrumentShapes(const ProcedureModel& model,
                                              const devices::ControlFrame& h,
                                              const ProcedureState& state) {
  std::vector<InstrumentShape> shapes;
  if (!model.available) return shapes;
  constexpr double kSample_m = 0.004;
  // 14 Fr transseptal sheath set, 24 Fr guide, ~22 Fr sleeve, ~17 Fr delivery [BK].
  constexpr double kSheathRadius_m = 0.0023, kGuideRadius_m = 0.004, kSleeveRadius_m = 0.0035;
  constexpr double kDeliveryRadius_m = 0.0028, kNeedleRadius_m = 0.0006, kWireRadius_m = 0.0004;

  const auto route_until = [&](double insertion, std::vector<Vec3>* out) {
    const double end = std::min(insertion, model.route_length_m);
    for (double s = 0.0; s < end; s += kSample_m) out->push_back(RoutePoint(model, s));
    if (end > 0.0) out->push_back(RoutePoint(model, end));
  };

  // Transseptal set while it is in (before the guide takes over).
  const double set_insertion = h.Get(ControlId::kSheathTranslation);
  if (set_insertion > 0.0) {
    InstrumentShape sheath{"transseptal_sheath", {}, kSheathRadius_m};
    route_until(set_insertion, &sheath.points);
    if (set_insertion > model.route_length_m) {
      if (state.punctured) {
        sheath.points.push_back(state.puncture_site - 0.01 * model.septum_normal);
        const double depth = set_insertion - state.sheath_insertion_at_puncture_m;
        sheath.points.push_back(state.puncture_site + depth * model.septum_normal);
      } else {
        const Vec3 axis_point =
            model.ra_axis_origin + RaAxisHeight(model, set_insertion) * model.ra_axis_direction;
        sheath.points.push_back(axis_point);
        sheath.points.push_back(state.septal_contact_active ? state.septal_contact : state.set_tip);
      }
    }
    if (sheath.points.size() >= 2) {
      if (h.Get(ControlId::kNeedleTranslation) > 0.0 &&
          (state.septal_contact_active || state.punctured)) {
        shapes.push_back({"needle", {sheath.points.back(), state.set_tip}, kNeedleRadius_m});
      }
      shapes.push_back(std::move(sheath));
    }
  }
  if (state.punctured && h.Get(ControlId::kGuidewireTranslation) > 0.0) {
    // The wire from the sheath tip towards the left upper pulmonary vein.
    const Vec3 start = state.puncture_site;
    const double length = h.Get(ControlId::kGuidewireTranslation);
    const Vec3 direction = Normalized(model.lupv_ostium - start);
    shapes.push_back({"guidewire", {start, start + length * direction}, kWireRadius_m});
  }

  const double guide_insertion = h.Get(ControlId::kGuideTranslation);
  if (guide_insertion > 0.0) {
    InstrumentShape guide{"guide", {}, kGuideRadius_m};
    route_until(guide_insertion, &guide.points);
    if (guide_insertion > model.route_length_m && state.punctured) {
      guide.points.push_back(state.guide_across ? state.puncture_site : state.guide_tip);
    }
    if (state.guide_across) {
      std::vector<Vec3> g, sl, dl;
      const ChainResult chain = ComputeChain(model, h, state.puncture_site, &g, &sl, &dl);
      guide.points.insert(guide.points.end(), g.begin(), g.end());
      if (h.Get(ControlId::kSleeveTranslation) > 0.0 && sl.size() >= 2) {
        shapes.push_back({"sleeve", sl, kSleeveRadius_m});
      }
      if (h.Get(ControlId::kDeliveryTranslation) > 0.0 && dl.size() >= 2) {
        shapes.push_back({"delivery", dl, kDeliveryRadius_m});
      }
      if (state.clip_outside) {
        const double body_radius = 0.0025;
        shapes.push_back({"clip", {chain.delivery_tip.p, chain.hub.p}, body_radius});
        const double half = 0.5 * state.clip_arm_angle_rad;
        const double arm = model.instruments.clip.arm_length_m;
        for (int side = 0; side < 2; ++side) {
          const Vec3 out_dir = (side == 0 ? 1.0 : -1.0) * chain.hub.n1;
          const Vec3 dir = std::cos(half) * (-1.0 * chain.hub.t) + std::sin(half) * out_dir;
          shapes.push_back({side == 0 ? "clip_arm_left" : "clip_arm_right",
                            {chain.hub.p, chain.hub.p + arm * dir},
                            0.001});
        }
      }
    }
    if (guide.points.size() >= 2) shapes.push_back(std::move(guide));
  }
  // Released clips, closed, where they were placed.
  for (int i = 0; i < state.clips_released; ++i) {
    const auto& r = state.released[static_cast<std::size_t>(i)];
    shapes.push_back({"clip_" + std::to_string(i + 1),
                      {r.hub - model.instruments.clip_body_length_m * r.axis, r.hub},
                      0.0025});
  }
  return shapes;
}

}  // namespace teersim::sim
