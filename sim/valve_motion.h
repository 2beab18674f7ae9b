// The beating valve as the views show it (version 1: kinematic): the mitral
// apparatus moves with the annulus (scenes::AnnulusDisplacement: descent in
// systole, return in diastole), and each leaflet swings open about its hinge
// on the annulus in diastole and closes in systole into the case's lesion
// (the generated meshes are the closed, systolic valve). Tissue held by a
// clip does not open: the clip's zone stays at its closed position, so the
// valve opens as a double orifice.
//
// Where the anatomy has a leaflet tissue grid (every generated case) the
// leaflets and chordae are drawn from the tissue simulation instead
// (sim/valve_tissue.h); the kinematic swing remains for anatomies without one.
// The grasp (sim/procedure.h) uses the closed valve, as grasping is timed in
// systole.
#pragma once

#include <string_view>

#include "sim/model.h"
#include "sim/snapshot.h"
#include "sim/state.h"

namespace teersim::sim {

// Systole (leaflets shut) is the first 35 % of the cycle from the R wave [BK]
// (as the colour Doppler's systole_fraction).
inline constexpr double kSystolicFraction = 0.35;

// How far open the leaflets are at a cardiac phase, 0 (closed, systole) to 1
// (fully open, early diastole).
double LeafletOpening(double cardiac_phase);

// Largest opening angle of each leaflet about its hinge at LeafletOpening = 1
// [BK: the anterior leaflet opens to about 70°, the posterior a little more].
inline constexpr double kAnteriorOpening_rad = 70.0 * 3.141592653589793 / 180.0;
inline constexpr double kPosteriorOpening_rad = 80.0 * 3.141592653589793 / 180.0;

// True for the meshes that move with the valve (annulus, leaflets, chordae,
// papillary muscles).
bool IsValveStructure(std::string_view name);

// Moves the vertices of one valve mesh (patient frame, as in the snapshot) to
// the state's cardiac phase, with the state's clips holding their zones shut.
void MoveValveMesh(const Model& model, const State& state, SnapshotMesh* mesh);

}  // namespace teersim::sim
