// The procedure: where each instrument is in the patient, what the fellow has
// done to the patient (transseptal puncture, grasp, clips), the phase and the
// event log. Model (ProcedureModel, compiled once from the anatomy and the
// instrument data) apart from state (ProcedureState, inside sim::State).
//
// Instrument model (version 1, documented in sim/README.md "Procedure"):
//  - In the veins an instrument follows the venous centreline: a 14–24 Fr
//    sheath in a 12–24 mm vein has no room to do otherwise.
//  - In the right atrium the transseptal set (sheath ⊃ dilator ⊃ needle) is
//    a pre-curved tip carried up the IVC→SVC axis, turned by its rotation;
//    its tip is stopped by the septum, which it tents.
//  - Across the septum the guide, the steerable sleeve and the delivery
//    catheter are a chain of constant-curvature sections (the standard
//    kinematic model of tendon-driven continuum instruments, Webster & Jones
//    2010, Int J Robot Res 29:1661, sec. 3): each knob sets the curvature of
//    its section in its plane, each handle's rotation turns what is distal
//    to it, each translation sets how far it protrudes from the one outside.
//  The rod physics of physics/ (contact, friction) is not yet in this loop;
//  contact with the left atrial wall is measured as penetration of the
//  instrument tips into the wall (a penalty force), not resolved.
//
// All geometry in the patient frame (LPS, metres, origin at the annulus
// centre; base/patient_frame.h).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/patient_frame.h"
#include "base/state_hash.h"
#include "devices/controls.h"
#include "physics/rod_math.h"
#include "scenes/anatomy.h"
#include "sim/outcome_model.h"
#include "sim/valve_from_anatomy.h"

namespace teersim::physics {
class ContactWorld;
}

namespace teersim::sim {

using frame::Vec3;

// --- Phases and events --------------------------------------------------------

// clinical-reference §1.1 steps 1–14, as the simulator tracks them.
enum class Phase : std::uint8_t {
  kAccess,             // femoral vein to the IVC
  kIvcRaNavigation,    // up the IVC into the right atrium
  kTransseptal,        // find the fossa, tent, puncture, cross with the sheath
  kGuideCrossing,      // wire to the LA, guide across the septum
  kSteeringLa,         // clip delivery system steered above the valve
  kClipOrientation,    // arms opened, turned perpendicular to the coaptation line
  kLvEntry,            // across the leaflets into the LV
  kGrasp,              // pull back, drop the grippers
  kClosureAssessment,  // close, assess MR and gradient
  kRelease,            // lock and release
  kWithdrawal,         // delivery system and guide back to the right atrium
  kDone,
  kCount
};
inline constexpr std::size_t kPhaseCount = static_cast<std::size_t>(Phase::kCount);
std::string_view PhaseName(Phase phase);

// Event names are what rubrics match (sim/rubrics/*.yaml).
enum class EventKind : std::uint8_t {
  kPhase,                       // a: new phase index
  kTentingStarted,              // a: site posterior mm, b: superior mm, c: height mm
  kTsp,                         // a: height mm, b: posterior mm, c: superior mm, d: 1 on the fossa
  kTspAnterior,                 // a: posterior mm (negative)
  kTspOffFossa,                 // puncture through the muscular septum
  kComplicationAorticPuncture,  // a-c: point mm
  kComplicationLaWallPerforation,  // a-c: point mm
  kSheathAcross,
  kWireInLa,
  kGuideCrossed,
  kExcessiveContactForce,    // a: force N, b: instrument (0 guide, 1 sleeve, 2 clip)
  kLvEntry,                  // a: arm angle deg when crossing
  kLvEntryArmsOpen,          // crossed the leaflets with the arms open
  kGraspAttempt,             // a: side (0 left, 1 right), b: captured (0/1), c: insertion mm
  kRegrasp,                  // grippers raised after a capture
  kGraspBoth,                // a: insertion anterior mm, b: posterior mm
  kGraspSingleLeaflet,       // a: insertion anterior mm, b: posterior mm
  kComplicationLeafletTear,  // a: side, b: clip displacement mm, c: grip force N on that
                             // leaflet (0: open clip), d: 1 torn by a stretch the sheet
                             // cannot follow
  kComplicationChordalEntanglement,  // a: 0 turned, 1 advanced; b: turn deg, c: advance mm
  kChordaeFreed,                     // a: arm angle deg (inverted); b: chordal tension released N
  kClipClosed,  // a: rotation error deg, b: ins A mm, c: ins P mm, d: position mm
  kClipReopened,
  kAssessment,  // a: MR grade, b: EROA cm², c: gradient mmHg, d: MVA cm²
  kClipLocked,
  kRelease,  // a: clip number, b: MR grade, c: gradient mmHg
  kReleaseSlda,
  kReleaseUnlocked,  // release pressed without the lock: refused
  kClipLoaded,       // a: clip number
  kCompleted,
  kCount
};
std::string_view EventName(EventKind kind);

// A leaflet tears out of a closed clip's grip beyond this force [DESIGN]: of
// the order of the force that pulls a suture through a mitral leaflet,
// 3-15 N with 2-10 mm of tissue in the bite (Pandya et al., JTCVS Techniques
// 2022;14:89, porcine posterior leaflets), and far above what the grip
// carries while the valve beats (sim/README.md: measured).
inline constexpr double kLeafletTearForce_N = 8.0;
// The grip's first 0.1 s after closing are left out of the tear and of its
// peak [DESIGN]: the holds switch on where the leaflets lie and snap them to
// the grip for a tissue step or two (up to 4.7 N in the stock cases), a
// clamp and not a pull.
inline constexpr double kGripSettle_s = 0.1;

struct ProcedureEvent {
  double time_s = 0.0;
  EventKind kind = EventKind::kPhase;
  std::array<double, 4> value{};
};

// --- Instrument data -----------------------------------------------------------

// A clip size (clinical-reference §1.2 G4 table [BK; verify against the IFU]).
struct ClipSize {
  std::string name;  // NT, NTW, XT, XTW
  double arm_length_m = 0.009;
  double arm_width_m = 0.004;
};

// Everything about the instruments a case may change (sim/instruments/*.yaml;
// LoadInstrumentSet converts to SI once).
struct InstrumentSet {
  std::string name;
  // Transseptal set: the Brockenbrough curve's lateral reach from the sheath
  // axis, how hard the sheath presses when its curve is held back by the
  // septum, and the most a hand pushes a needle before it buckles or slips.
  double transseptal_curve_reach_m = 0.02;
  double sheath_preload_N_per_m = 60.0;
  double needle_max_force_N = 6.0;
  double needle_length_beyond_dilator_m = 0.015;
  // Septum: membrane stiffness under the needle (tenting) and the puncture
  // force of a 1.8 mm fossa membrane; both scale with thickness.
  double membrane_stiffness_N_per_m = 300.0;
  double fossa_puncture_force_N = 2.5;
  double reference_fossa_thickness_m = 0.0018;
  // The aortic root's wall where it bulges into the RA (crossed like a
  // membrane of this thickness: the needle enters the aorta there [S31]).
  double aortic_wall_thickness_m = 0.002;
  // Guide (24 Fr SGC): how it leaves the septum, its steerable tip.
  double guide_entry_towards_la_centre = 0.7;   // 0: along the septal normal, 1: at the LA centre
  double guide_plus_posterior_tilt_rad = 0.35;  // "+" plane tilted posteriorly [S6]
  double guide_steer_length_m = 0.03;
  double guide_bend_at_max_rad = 1.75;
  double guide_knob_max_rad = 3.14;
  // Steerable sleeve: one section, two knob planes (A/P and M/L).
  double sleeve_steer_length_m = 0.025;
  double sleeve_bend_at_max_rad = 1.6;
  double sleeve_knob_max_rad = 3.14;
  // "A" bends the sleeve anteriorly and laterally (towards the antero-lateral
  // commissure) by this much [S6]; "M" bends it at right angles to that:
  // medially, and anteriorly by the same angle.
  double sleeve_a_towards_lateral_rad = 0.44;
  // Clip on the delivery catheter: body length from the catheter tip to the
  // arms' hinge (closed length ≤ 15 mm [S10]).
  double clip_body_length_m = 0.012;
  ClipSize clip;                     // the size in use (the set's default, or the case's)
  std::vector<ClipSize> clip_sizes;  // NT, NTW, XT, XTW
  int clips_available = 3;
  // Wall contact: penalty stiffness of the atrial wall under a catheter tip,
  // and the force scored as excessive (§3.4 [S74]: ≥ 40 g ≈ 0.39 N).
  double wall_stiffness_N_per_m = 150.0;
  double excessive_force_N = 0.39;
};

// Throws InputError naming file, line and key.
InstrumentSet LoadInstrumentSet(const std::filesystem::path& path);
std::filesystem::path DefaultInstrumentSetPath();
// The set's clip of that size name (NT, NTW, XT, XTW), or null.
const ClipSize* FindClipSize(const InstrumentSet& set, std::string_view name);

// --- Procedure model -----------------------------------------------------------

// The valve's own axes in the patient frame, origin at the annulus centre
// (not scenes::ValveFrame, which only orients the generator's valve).
struct AnnularFrame {
  Vec3 centre{};  // annulus centre
  Vec3 u{};       // towards the posterior annulus
  Vec3 v{};       // towards the antero-lateral commissure
  Vec3 w{};       // annular normal, into the LA
};

struct ProcedureModel {
  // False when the anatomy lacks what the procedure needs (an imported
  // segmentation without the venous route, say): the case can still be
  // viewed, but not performed; `unavailable_reason` says what is missing.
  bool available = false;
  std::string unavailable_reason;
  InstrumentSet instruments;
  // Venous route: femoral puncture → RA, cumulative arc length per point.
  std::vector<Vec3> route;
  std::vector<double> route_s;
  double route_length_m = 0.0;
  // Right atrium: the transseptal sheath rides the IVC→SVC axis.
  Vec3 ra_axis_origin{}, ra_axis_direction{};
  double ra_axis_length_m = 0.0;
  // Septum frame at the fossa: normal RA→LA, in-plane posterior and superior.
  Vec3 fossa_centre{}, septum_normal{}, fossa_posterior{}, fossa_superior{};
  double fossa_half_width_m = 0.0, fossa_half_height_m = 0.0;
  double fossa_thickness_m = 0.0, septum_thickness_m = 0.0;
  AnnularFrame valve;
  Vec3 lupv_ostium{}, la_centre{};
  // Coaptation line in valve coordinates: u(v) sampled at increasing v.
  std::vector<double> coaptation_v, coaptation_u;
  double coaptation_depth_m = 0.006;
  double anterior_leaflet_length_m = 0.024, posterior_leaflet_length_m = 0.014;
  // Lesion for the grasp: local gap across the coaptation line, g(s), with s
  // along the line (s = −v, as the outcome model: s < 0 antero-lateral).
  double lesion_gap_m = 0.0, lesion_centre_s_m = 0.0, lesion_width_m = 0.0;
  bool lesion_on_anterior = false, lesion_on_posterior = false;
  double chordal_zone_depth_m = 0.015;
  // Anatomy as Bullet BVH worlds: the left atrium wound inwards (an
  // instrument inside is on the free side) and the aortic root outwards.
  std::shared_ptr<const physics::ContactWorld> la_wall;
  // Closed meshes for inside/outside tests (needle in the aortic root, needle
  // out of the LA): ray parity on the collision meshes.
  scenes::TriangleMesh aortic_root_mesh, left_atrium_mesh;
};

// Throws InputError when the anatomy lacks what the procedure needs (an
// imported anatomy without the fossa or valve landmarks, say).
ProcedureModel CompileProcedureModel(const scenes::Anatomy& anatomy,
                                     const scenes::AnatomyParameters& parameters,
                                     const InstrumentSet& instruments, double ic_diameter_m);

// --- Procedure state -----------------------------------------------------------

inline constexpr int kMaxClips = 4;
inline constexpr int kMaxProcedureEvents = 512;

// Where a clip's hub, axis and arm direction were (patient frame).
struct ClipPoseRecord {
  Vec3 hub{}, axis{}, arm{};
};

struct ClipRecord {
  Vec3 hub{}, axis{}, arm{};  // placement, patient frame
  double position_s_m = 0.0;  // along the coaptation line
  double rotation_error_rad = 0.0;
  double insertion_anterior_m = 0.0, insertion_posterior_m = 0.0;
  // Where it closed on the leaflets: its grip holds the tissue there as the
  // hands moved it from then to its placement (sim/valve_tissue.h).
  ClipPoseRecord closed{};
  double grip_position_s_m = 0.0;
};

struct ProcedureState {
  Phase phase = Phase::kAccess;
  std::array<double, kPhaseCount> phase_time_s{};
  bool completed = false;

  // Transseptal.
  Vec3 set_tip{};         // dilator tip (or needle tip once across)
  Vec3 septal_contact{};  // where the set touches the septum
  bool septal_contact_active = false;
  double tent_depth_m = 0.0;
  double septal_force_N = 0.0;
  bool tenting = false;
  bool punctured = false;
  Vec3 puncture_site{};
  double tsp_height_m = 0.0, tsp_posterior_m = 0.0, tsp_superior_m = 0.0;
  bool tsp_on_fossa = false;
  int tsp_attempts = 0;
  double sheath_insertion_at_puncture_m = 0.0;
  bool needle_reached_la = false;       // the needle tip has been inside the LA
  double needle_deepest_in_la_m = 0.0;  // deepest it was there, past the septum
  bool sheath_across = false, wire_in_la = false, guide_across = false;
  bool aortic_puncture = false, la_perforation = false;

  // Guide and clip delivery system.
  Vec3 guide_tip{}, sleeve_tip{}, clip_hub{}, clip_axis{}, clip_arm{};
  double clip_arm_angle_rad = 0.0;  // effective (0 while inside the sleeve)
  bool clip_outside = false;
  bool clip_in_lv = false;
  // The clip has been below the leaflets since it last rose above the
  // annulus: a pull-back from there can grasp.
  bool reached_lv = false;
  double rotation_error_rad = 0.0;  // arms vs perpendicular to the coaptation line
  double clip_position_s_m = 0.0;   // hub along the coaptation line
  double clip_height_m = 0.0;       // hub above the annular plane (w)

  // Grasp of the current clip: per arm (0 = +arm / left gripper, 1 = right).
  std::array<bool, 2> gripper_down{};
  std::array<bool, 2> captured{};
  std::array<bool, 2> arm_faces_anterior{};
  std::array<double, 2> insertion_m{};
  Vec3 hub_at_grasp{};
  // Chordae (sim/README.md): since the clip was last open deeper than the
  // chordal zone, the highest its hub has been and the bearing of its arms
  // in the annular plane then (advances and turns are measured from them);
  // the deepest it has been since the chordae caught it, and their pull on
  // it now (N, towards the LV).
  bool open_in_chordal_zone = false;
  double open_in_chordal_zone_top_m = 0.0, open_in_chordal_zone_bearing_rad = 0.0;
  double entangled_at_height_m = 0.0;
  double chordal_tension_N = 0.0;
  bool closed_on_tissue = false;
  double closed_since_s = 0.0;
  // The clip's pose when it closed on the leaflets: its grip moves with the
  // hands from there (sim/valve_tissue.h, ClipHolds). The grip's columns
  // and which arm holds which leaflet are those of that moment.
  Vec3 hub_at_closure{}, axis_at_closure{}, arm_at_closure{};
  double grip_position_s_m = 0.0;
  std::array<bool, 2> grip_faces_anterior{};
  // The grip's force on each leaflet {anterior, posterior} (N) at the last
  // tissue step (sim/valve_tissue.h, HeldClipGripForce_N); Step writes it.
  std::array<double, 2> grip_force_N{};
  double peak_grip_force_N = 0.0;  // largest of those while closed, any clip
  bool assessed = false;
  bool locked = false;
  bool entangled = false;  // caught in the chordae now (freed by inverting the arms)
  int entanglements = 0;   // times it caught, every clip: the complication stays named
  int grasp_attempts = 0;
  int clip_number = 1;  // the clip on the delivery catheter
  int clips_released = 0;
  std::array<ClipRecord, kMaxClips> released{};
  bool awaiting_reload = false;  // released; delivery must come back into the sleeve

  // Outcome of the clips in place (released, plus the current one while closed).
  double eroa_m2 = 0.0, mva_m2 = 0.0, mean_gradient_mmHg = 0.0;
  int mr_grade = 0;
  bool slda = false;

  // What the hands feel: the anatomy's push back along each instrument (N,
  // resisting advance): the transseptal set on the septum, the guide tip and
  // the clip delivery system (sleeve tip, clip) on the LA wall. Version 1
  // of the handle reaction, from the kinematic model's contact forces. On
  // the clip delivery system, chordae that caught the clip pull the other
  // way (negative: resisting the pull-back).
  std::array<double, 3> handle_force_N{};  // transseptal set, guide, clip delivery system

  // Metrics.
  double contact_force_N = 0.0;  // this step's largest LA wall force
  double peak_contact_force_N = 0.0;
  double contact_force_integral_Ns = 0.0;
  double time_above_force_threshold_s = 0.0;
  int contacts_above_threshold = 0;
  bool above_threshold = false;
  std::array<double, 3> tip_path_length_m{};  // transseptal set, guide, clip
  Vec3 last_guide_tip{}, last_clip_hub{}, last_set_tip{};

  std::array<ProcedureEvent, kMaxProcedureEvents> events{};
  int event_count = 0;
  int events_dropped = 0;
};

// The procedure's state before the first step: baseline outcome, tips at the
// femoral puncture.
ProcedureState InitialProcedureState(const ProcedureModel& model, const Outcome& baseline);

// What a gripper dropped now would catch on each arm (0 = +arm / left,
// 1 = right), read off the leaflet tissue (sim/valve_tissue.h). Without it
// (an anatomy without a leaflet grid) the lesion's parametric edge decides.
struct TissueGraspReading {
  bool available = false;
  std::array<double, 2> insertion_m{};
};

// Advances the procedure to `handles` (already at hand speed) at `time_s`.
// Never allocates or throws. `valve` drives the clips' outcome.
void StepProcedure(const ProcedureModel& model, const ValveModelInputs& valve,
                   const devices::ControlFrame& handles, double time_s, double dt_s,
                   ProcedureState* state, const TissueGraspReading& tissue_grasp = {});

// A leaflet tears out of a closed clip's grip (complication_leaflet_tear)
// past the tissue's strength: the grip's pull over kLeafletTearForce_N, or
// a stretch the tissue cannot follow (a tissue step that would tear the
// sheet under the grip). Tears the marked arms' leaflets; the clip holds
// what is left, or nothing and is open again.
enum class TearCause : std::uint8_t { kForce, kStretch };
// Returns whether a leaflet tore.
bool TearOutOfGrip(const ValveModelInputs& valve, const ClipSize& clip, std::array<bool, 2> tear,
                   TearCause cause, double time_s, ProcedureState* state);
// The stretch case: that leaflet tears out. False when the grip does not
// hold it.
bool TearLeafletOutOfGrip(const ValveModelInputs& valve, const ClipSize& clip, bool anterior,
                          double time_s, ProcedureState* state);

StateHasher& AddToHash(const ProcedureState& state, StateHasher& hasher);

// --- Clips holding tissue (for the valve's motion and tissue) -----------------

// A clip gripping both leaflets: every released clip, and the clip on the
// delivery catheter while it is closed on tissue.
struct ClipOnTissue {
  double position_s_m = 0.0;  // of its grip along the coaptation line, as it closed
  double insertion_anterior_m = 0.0, insertion_posterior_m = 0.0;
  // Its pose when it closed and now (released: at release); the grip has
  // moved with it from one to the other.
  ClipPoseRecord closed{}, now{};
};
inline constexpr int kMaxClipsOnTissue = kMaxClips + 1;
struct ClipsOnTissue {
  std::array<ClipOnTissue, kMaxClipsOnTissue> clips{};
  int count = 0;
  std::span<const ClipOnTissue> View() const& {
    return std::span<const ClipOnTissue>(clips.data(), static_cast<std::size_t>(count));
  }
  // A view of a temporary would dangle at once (a range-for over
  // ListClipsOnTissue(s).View() reads freed stack under C++20): refuse it.
  std::span<const ClipOnTissue> View() const&& = delete;
};
// The clip on the delivery catheter as it holds the leaflets now (its arms
// mapped to anterior and posterior as they were when it closed).
ClipOnTissue HeldClip(const ProcedureState& state);
ClipsOnTissue ListClipsOnTissue(const ProcedureState& state);
// Half-width along the coaptation line of the tissue a clip holds shut: half
// its arms plus the tissue its shallower bite bridges (as the outcome model).
double ClipHeldHalfWidth_m(const ClipSize& clip, const ClipOnTissue& held);

inline physics::Vec3 ToPhysics(const Vec3& p) { return {p[0], p[1], p[2]}; }
inline Vec3 FromPhysics(const physics::Vec3& p) { return {p.x, p.y, p.z}; }

// --- Instrument shapes (for views and the autopilot) ---------------------------

struct InstrumentShape {
  std::string
      name;  // "transseptal_sheath", "needle", "guidewire", "guide", "sleeve", "delivery", "clip"
  std::vector<Vec3> points;
  double radius_m = 0.0;
};

// Centrelines of every instrument in the patient at these handles; clip arms
// as short polylines ("clip_arm_left", …) and released clips ("clip_1", …).
std::vector<InstrumentShape> InstrumentShapes(const ProcedureModel& model,
                                              const devices::ControlFrame& handles,
                                              const ProcedureState& state);

// Where the clip delivery system puts the clip for these handles once the
// guide is across at `site` (pure kinematics; the autopilot plans with it).
struct ClipPose {
  Vec3 guide_tip{}, sleeve_tip{}, delivery_tip{}, hub{}, axis{}, arm{};
};
ClipPose ComputeClipPose(const ProcedureModel& model, const devices::ControlFrame& handles,
                         const Vec3& site);

// Guide insertion (m) at which its tip reaches the septal `site`.
double SeptalCrossingInsertion(const ProcedureModel& model, const Vec3& site);
// Part of a flail/prolapse gap that separates the leaflet edges horizontally
// (the rest is the edge's rise into the LA) [DESIGN: the flail gap is
// measured in the LVOT view mostly as the vertical step between the edges].
// The grasp model and the autopilot's aim both use it.
inline constexpr double kGapHorizontalFraction = 0.3;

// Insertion (m) of the leaflet an arm points at, were its gripper dropped
// with the hub at `hub` (the model of sim/README.md "Grasp").
double PredictedInsertion(const ProcedureModel& model, const Vec3& hub, const Vec3& arm_direction,
                          double arm_angle_rad, double rotation_error_rad);
// Where the transseptal set's tip would be at this insertion and rotation if
// nothing held it (the septum stops it at its plane).
Vec3 TransseptalFreeTip(const ProcedureModel& model, double insertion_m, double rotation_rad);
// Which way the transseptal curve, and the needle out of it, points for the
// sheath's rotation (0: at the septum; positive: posteriorly).
Vec3 TransseptalNeedleDirection(const ProcedureModel& model, double rotation_rad);
// Whether `p` lies inside the closed mesh (parity of crossings along a ray).
bool PointInsideClosedMesh(const scenes::TriangleMesh& mesh, const Vec3& p);
// Valve coordinates (u, v, w) of a patient-frame point.
Vec3 ToValve(const AnnularFrame& valve, const Vec3& p);
// Coaptation line u at v (linear interpolation, clamped).
double CoaptationU(const ProcedureModel& model, double v);
// Rotation error of arms `arm` (unit) against the perpendicular to the
// coaptation line at v, folded into [0, pi/2].
double ArmRotationError(const ProcedureModel& model, const Vec3& arm, double v);
// Local lesion gap at s along the coaptation line.
double LesionGapAt(const ProcedureModel& model, double s_m);

}  // namespace teersim::sim
