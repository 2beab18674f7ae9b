// The beating valve as tissue (issue 5 item 3): the generated anatomy's
// leaflet grids (scenes::ValveTissue) become a physics::LeafletTissueModel,
// loaded each step by the transvalvular pressure of the cardiac cycle, held
// at the annulus and by the chordae, and gripped by the clips.
//
// Frame: the patient frame moving with the annulus (scenes::AnnulusDisplacement
// is added for display), so the hinge and the papillary tips stay put and
// the tissue state carries only the leaflets' own motion.
//
// Pressure LV − LA over the cycle [BK, DESIGN]: systole (first 35 % of the
// cycle, as sim/valve_motion.h) a half-sine to 100 mmHg; diastole the
// transmitral gradient pushes the leaflets open with the E and A waves, peak
// 6 mmHg, shaped as LeafletOpening.
//
// A clip in place (closed on tissue, or released) grips the nodes within its
// coapted zone (arm half-width plus bridged tissue, as the outcome model)
// and within each leaflet's insertion of its free edge (the zone and the
// arms' leaflets as they were when it closed), and holds them at their
// healthy coapted position (scenes::LeafletSheet::coapted_m) moved as the
// hands have moved the clip since it closed: closing the clip draws the
// leaflets together, the valve opens as a double orifice around it, and
// dragging or turning a closed clip pulls on the leaflets (a leaflet tears
// out of the grip past sim/procedure.h kLeafletTearForce_N). The grasp's insertion lengths and the
// outcome (EROA, MVA, gradient) still come from sim/procedure.h and sim/outcome_model.h.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "physics/leaflet_tissue.h"
#include "scenes/anatomy.h"
#include "scenes/mesh.h"
#include "sim/procedure.h"

namespace teersim::sim {

// Sim steps per tissue step: the tissue runs at 500 Hz with four substeps of
// 0.5 ms.
inline constexpr int kStepsPerTissueStep = 2;

struct ValveTissueModel {
  bool available = false;
  std::shared_ptr<const physics::LeafletTissueModel> tissue;
  int anterior_sheet = 0, posterior_sheet = 1;
  // Per sheet column: position along the coaptation line s = −v (as the clip's).
  std::vector<double> column_s_m;
  // Per node: arc length from the free edge along its column (rest shape), and
  // where a clip pulls it.
  std::vector<double> depth_from_free_edge_m;
  std::vector<physics::Vec3> coapted_m;
  double peak_systolic_pressure_Pa = 100.0 * 133.322;
  // Peak E-wave gradient: 4 v² with E ≈ 1.2 m/s in severe MR [BK] ≈ 6 mmHg.
  double peak_diastolic_gradient_Pa = 6.0 * 133.322;
};

// Throws InputError (from physics) naming the key of an unusable grid.
ValveTissueModel BuildValveTissue(const scenes::ValveTissue& tissue, const AnnularFrame& valve);

// LV − LA (Pa) at a cardiac phase in [0, 1).
double TransvalvularPressure_Pa(const ValveTissueModel& model, double cardiac_phase);

// Room for the nodes every clip holds (the stock grids hold at most ~100).
inline constexpr std::size_t kMaxClipHolds = 1024;

// Nodes held by the clips now: writes at most holds.size(), returns the count.
// Each clip holds its nodes at their coapted position moved as the hands
// moved the clip from its closing to now (a released clip: to its release).
std::size_t ClipHolds(const ValveTissueModel& model, const ProcedureState& procedure,
                      const ClipSize& clip, std::span<physics::TissueHold> holds);

// The net force (N) with which the clip on the delivery catheter pulls on
// each leaflet ({anterior, posterior}): the sum of its holds' spring forces
// k_hold · (target − x) over that leaflet's held nodes, in the shape of
// `state`. At rest it carries the leaflet's share of the systolic load; it
// rises when the hands drag or turn a closed clip (the holds move with it,
// ClipHolds), though of a turn only the part that does not cancel across
// the grip (its moment is not counted). Zero when the clip is not closed on
// tissue.
std::array<double, 2> HeldClipGripForce_N(const ValveTissueModel& model,
                                          const ProcedureState& procedure, const ClipSize& clip,
                                          const physics::LeafletTissueState& state);

// The leaflet (0 anterior, 1 posterior) whose edge a faulted tissue step
// overstretched (LeafletTissueState::overstretched_edge) at the grip of the
// clip on the delivery catheter: one of the edge's nodes within 3 mm of a
// node the grip holds [DESIGN: two grid spacings]; -1 for any other fault.
// That fault is the leaflet tearing out of the grip; any other stays a
// numerical fault.
int LeafletOverstretchedAtTheGrip(const ValveTissueModel& model, const ProcedureState& procedure,
                                  const ClipSize& clip, const physics::LeafletTissueState& state);

// The open clip's arms as plates the leaflets rest on (physics::TissuePlate,
// in the tissue's frame: the patient frame less `annulus_shift`): none while
// the clip is inside the sleeve, while it is closed on tissue (its grip
// holds the leaflets then) or with the arms under 10° apart. Returns the
// count written (at most 2).
std::size_t ClipArmPlates(const ProcedureModel& procedure_model, const ProcedureState& procedure,
                          const scenes::Vec3& annulus_shift,
                          std::span<physics::TissuePlate> plates);

// `annulus_shift`: scenes::AnnulusDisplacement at this phase (the clip is in
// the patient frame, the tissue moves with the annulus).
physics::TissueStatus StepValveTissue(const ValveTissueModel& model,
                                      const ProcedureModel& procedure_model,
                                      const ProcedureState& procedure, double cardiac_phase,
                                      const scenes::Vec3& annulus_shift, double dt_s,
                                      physics::LeafletTissueState* state);

// What each arm's gripper would catch if dropped now, read off the tissue
// (issue 5 item 4): for every column of the leaflet the arm faces whose
// free edge lies over the arm, the length from the free edge that lies
// between the arm and the clip body (on the gripper's side of the arm, within
// its length and width), ended where the leaflet leaves that wedge
// (interpolated between nodes); the arm's insertion is the mean over those
// columns, 0 when the free edge is not on the arm.
TissueGraspReading ReadTissueGrasp(const ValveTissueModel& model,
                                   const physics::LeafletTissueState& state,
                                   const ProcedureModel& procedure_model,
                                   const ProcedureState& procedure,
                                   const scenes::Vec3& annulus_shift);

// The leaflet of `sheet` as a closed thick sheet in its current shape, moved
// by `shift` (the annulus displacement); the chordae as thin tubes from the
// papillary tips to their nodes.
scenes::TriangleMesh LeafletSurface(const ValveTissueModel& model,
                                    const physics::LeafletTissueState& state, int sheet,
                                    const scenes::Vec3& shift);
scenes::TriangleMesh ChordaeSurface(const ValveTissueModel& model,
                                    const physics::LeafletTissueState& state,
                                    const scenes::Vec3& shift);

}  // namespace teersim::sim
