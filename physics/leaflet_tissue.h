// Leaflet tissue: the mitral leaflets as thin elastic membranes loaded by the
// transvalvular pressure, pinned at the annulus and held by tension-only
// chordae, with contact between the leaflets (coaptation) and with what a
// clip holds. Issue 5 item 3.
//
// Formulation: extended position-based dynamics (XPBD; Macklin, Müller &
// Chentanez, "XPBD: position-based simulation of compliant constrained
// dynamics", MIG 2016) with small substeps and one constraint sweep per
// substep (Macklin et al., "Small steps in physics simulation", SCA 2019).
// Each compliant constraint C with stiffness k has compliance α = 1/k, so a
// converged step is the implicit-Euler step of the elastic energy ½ k C²; the
// membrane is a grid of distance constraints (rows, columns and both
// diagonals of each cell: stretch and shear), with distance constraints
// between every second node along rows and columns for bending. Chordae are
// inequality constraints |x − anchor| ≤ L (they pull, never push). The
// pressure load is p · (area vector)/3 per triangle corner, recomputed every
// substep from the current shape, so it follows the leaflet as it swings.
//
// Mass: the tissue's own (density · thickness) plus the blood the leaflet
// moves with it (added mass per area, [DESIGN]: a plate of chord c moving
// normal to itself in a fluid carries ~ρ π c / 4 per unit area, ~16 kg/m²
// for a 20 mm leaflet in blood, 15x the tissue's). Damping: a linear drag
// per unit velocity standing in for the viscous and pressure drag of the
// flow ([DESIGN]). Why XPBD: unconditionally stable for stiff chordae against
// a 13 kPa load at millisecond steps, no matrix assembly, allocation-free,
// deterministic; the cost is per-node linear.
//
// Units SI. Frame: whatever the caller uses (teersim: the patient frame,
// moving with the annulus; see sim/valve_tissue.h). Model (immutable) is
// built once; state (positions, velocities) changes each step; Step
// allocates nothing, never throws, and reports a non-finite or runaway shape
// as a fault leaving the state as it was.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "physics/rod_math.h"

namespace teersim {
class StateHasher;
}

namespace teersim::physics {

struct TissueSheetSpec {
  std::string name;
  int rows = 0, columns = 0;      // row 0 pinned (the hinge on the annulus)
  bool pin_end_columns = false;   // first and last columns pinned too (commissures)
  std::vector<Vec3> rest_m;       // rows × columns, row-major: the unloaded shape
  double thickness_m = 0.001;
  // A positive pressure pushes this sheet along load_sign · FrontNormal (±1).
  double load_sign = 1.0;
};

struct TissueChordSpec {
  int sheet = 0, row = 0, column = 0;
  Vec3 anchor_m{};  // papillary muscle tip
  double rest_length_m = 0.0;
};

struct TissueMaterial {
  double density_kg_per_m3 = 1050.0;       // soft tissue
  double added_mass_kg_per_m2 = 16.0;      // blood moved with the leaflet [DESIGN, see above]
  // In-plane stiffness E·t per constraint: leaflet E ~ 2 MPa [BK] at t = 1 mm.
  double membrane_stiffness_N_per_m = 2000.0;
  // Second-neighbour springs; the leaflet is floppy (D = E t³/12 ~ 2e-4 N m).
  double bending_stiffness_N_per_m = 5.0;
  // Chord E·A/L: E ~ 50 MPa, radius 0.5 mm, length ~25 mm [BK].
  double chord_stiffness_N_per_m = 2000.0;
  double damping_per_s = 80.0;             // flow drag [DESIGN]
  double contact_distance_m = 0.001;       // leaflet–leaflet: one thickness apart
  double hold_stiffness_N_per_m = 5000.0;  // a clip's grip on tissue
  int substeps = 4;
  double min_mass_fraction = 1.0;  // lightest node vs the sheet's mean [DESIGN]
  // A constraint longer than max_stretch · rest + max_stretch_slack_m is torn:
  // a fault (the slack keeps very short rest lengths, e.g. the tail rows near
  // a commissure, from tripping it).
  double max_stretch = 2.0;
  double max_stretch_slack_m = 0.005;
};

struct LeafletTissueSpec {
  std::vector<TissueSheetSpec> sheets;
  std::vector<TissueChordSpec> chordae;
  TissueMaterial material;
};

struct TissueDistance {
  int a = 0, b = 0;
  double rest_m = 0.0;
  double compliance = 0.0;  // 1/k
};

struct TissueTriangle {
  int a = 0, b = 0, c = 0;
};

class LeafletTissueModel {
 public:
  // Throws InputError ("leaflet tissue: <key>: expected <range>, got <value>").
  static LeafletTissueModel Build(const LeafletTissueSpec& spec);

  int NodeCount() const { return static_cast<int>(rest_.size()); }
  int SheetCount() const { return static_cast<int>(sheets_.size()); }
  const TissueSheetSpec& Sheet(int sheet) const { return sheets_[static_cast<std::size_t>(sheet)]; }
  // Index of a sheet's node (row, column) in the state's arrays.
  int Node(int sheet, int row, int column) const {
    return sheet_offset_[static_cast<std::size_t>(sheet)] + row * Sheet(sheet).columns + column;
  }
  int SheetOfNode(int node) const { return sheet_of_node_[static_cast<std::size_t>(node)]; }
  const std::vector<Vec3>& RestPositions() const { return rest_; }
  const std::vector<double>& InverseMass() const { return inverse_mass_; }
  const std::vector<TissueDistance>& Distances() const { return distances_; }
  const std::vector<TissueChordSpec>& Chordae() const { return chordae_; }
  const std::vector<int>& ChordNodes() const { return chord_node_; }
  const std::vector<TissueTriangle>& Triangles() const { return triangles_; }
  const TissueMaterial& Material() const { return material_; }

 private:
  std::vector<TissueSheetSpec> sheets_;
  std::vector<int> sheet_offset_, sheet_of_node_;
  std::vector<Vec3> rest_;
  std::vector<double> inverse_mass_;  // 0: pinned
  std::vector<TissueDistance> distances_;
  std::vector<TissueChordSpec> chordae_;
  std::vector<int> chord_node_;
  std::vector<TissueTriangle> triangles_;  // each sheet's cells, two per cell
  TissueMaterial material_;
};

// A node held at a target (a clip's grip), this step.
struct TissueHold {
  int node = 0;
  Vec3 target_m{};
};

// A thin rigid plate the tissue cannot pass through (a clip arm): the
// rectangle origin + a · length_axis + b · width_axis (0 ≤ a ≤ length,
// |b| ≤ half_width) thickened by half_thickness either side along
// Cross(length_axis, width_axis). A node that comes within half_thickness +
// half the contact distance of its mid-plane is put back on the face of the
// side it is on: the plate moves less than that in a substep (0.05 mm at
// 0.2 m/s), so tissue never tunnels through it.
struct TissuePlate {
  Vec3 origin_m{}, length_axis{}, width_axis{};  // axes unit and orthogonal
  double length_m = 0.0, half_width_m = 0.0, half_thickness_m = 0.0;
};
inline constexpr std::size_t kMaxTissuePlates = 4;

// A rigid capsule (a clip's body): nodes are kept radius + half the contact
// distance from the segment from a_m to b_m.
struct TissueCapsule {
  Vec3 a_m{}, b_m{};
  double radius_m = 0.0;
};
inline constexpr std::size_t kMaxTissueCapsules = 2;

struct TissueLoad {
  // Uniform pressure difference across every sheet (Pa); positive pushes each
  // sheet along load_sign · FrontNormal. For the mitral leaflets
  // (sim/valve_tissue.h) that is towards the atrium, and the pressure is LV − LA.
  double pressure_Pa = 0.0;
  std::span<const TissueHold> holds;
  std::span<const TissuePlate> plates;  // at most kMaxTissuePlates
  std::span<const TissueCapsule> capsules;  // at most kMaxTissueCapsules
};

enum class TissueStatus : std::uint8_t { kOk, kFault };

struct LeafletTissueState {
  std::vector<Vec3> position_m, velocity_m_per_s;
  std::vector<double> chord_tension_N;  // last step, per chord
  // Force the tissue presses on each plate of the load (N, normal to the
  // plate, summed over the nodes on it; last substep), as the XPBD
  // correction m Δx / h².
  std::array<double, kMaxTissuePlates> plate_force_N{};
  // The edge (its two nodes) that a faulted step stretched past the limit,
  // or {-1, -1} (no fault, or a non-finite one): lets a caller tell a tear
  // where it pulls on the sheet from a numerical failure. Not hashed.
  std::array<std::int32_t, 2> overstretched_edge{-1, -1};
  // Scratch (sized at start-up so Step allocates nothing; not hashed).
  std::vector<Vec3> previous_m, force_N, backup_position_m, backup_velocity_m_per_s;
  std::vector<std::int32_t> cell_head, cell_next;
  std::vector<std::array<long long, 3>> node_cell;
  std::vector<double> inverse_denominator;  // per distance constraint, for cached_substep_s
  double cached_substep_s = 0.0;
  std::vector<std::int32_t> contact_pairs;  // flattened (a, b)
};

LeafletTissueState InitialTissueState(const LeafletTissueModel& model);

TissueStatus StepTissue(const LeafletTissueModel& model, const TissueLoad& load, double dt_s,
                        LeafletTissueState* state);

// Unit normal of the sheet at node (row, column) in the current shape:
// Cross(along the columns, along the rows towards the free edge).
Vec3 FrontNormal(const LeafletTissueModel& model, const LeafletTissueState& state, int sheet,
                 int row, int column);

StateHasher& AddToHash(const LeafletTissueState& state, StateHasher& hasher);

}  // namespace teersim::physics
