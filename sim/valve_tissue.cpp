#include "sim/valve_tissue.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>

#include "scenes/vec3.h"
#include "sim/valve_motion.h"

namespace teersim::sim {
namespace {

using scenes::operator+;
using scenes::operator-;
using scenes::operator*;

constexpr double kChordRadius_m = 0.0004;
constexpr int kChordSides = 4;

}  // namespace

ValveTissueModel BuildValveTissue(const scenes::ValveTissue& tissue, const AnnularFrame& valve) {
  ValveTissueModel model;
  if (!tissue.Available()) return model;
  physics::LeafletTissueSpec spec;
  for (std::size_t s = 0; s < tissue.sheets.size(); ++s) {
    const scenes::LeafletSheet& sheet = tissue.sheets[s];
    if (sheet.name == "anterior_leaflet") model.anterior_sheet = static_cast<int>(s);
    if (sheet.name == "posterior_leaflet") model.posterior_sheet = static_cast<int>(s);
    physics::TissueSheetSpec out;
    out.name = sheet.name;
    out.rows = sheet.rows;
    out.columns = sheet.columns;
    out.thickness_m = sheet.thickness_m;
    out.pin_end_columns = true;  // the commissures are fixed to the annulus
    for (const Vec3& p : sheet.closed_m) out.rest_m.push_back(ToPhysics(p));
    // LV pressure pushes the leaflet towards the atrium: pick the grid
    // normal's sign that points along the annular normal mid-body.
    const int row = sheet.rows / 3, column = sheet.columns / 2;
    const auto at = [&](int r, int c) { return sheet.closed_m[static_cast<std::size_t>(r * sheet.columns + c)]; };
    const Vec3 n = scenes::Cross(at(row, column + 1) - at(row, column - 1),
                                 at(row + 1, column) - at(row - 1, column));
    out.load_sign = scenes::Dot(n, valve.w) >= 0.0 ? 1.0 : -1.0;
    spec.sheets.push_back(std::move(out));
  }
  for (const scenes::ChordAttachment& chord : tissue.chordae) {
    spec.chordae.push_back(
        {chord.sheet, chord.row, chord.column, ToPhysics(chord.papillary_tip_m), chord.rest_length_m});
  }
  model.tissue = std::make_shared<const physics::LeafletTissueModel>(
      physics::LeafletTissueModel::Build(spec));
  for (double v : tissue.sheets.front().column_v_m) model.column_s_m.push_back(-v);
  for (const scenes::LeafletSheet& sheet : tissue.sheets) {
    std::vector<double> depth(sheet.closed_m.size(), 0.0);
    for (int c = 0; c < sheet.columns; ++c) {
      for (int r = sheet.rows - 2; r >= 0; --r) {
        const auto i = static_cast<std::size_t>(r * sheet.columns + c);
        depth[i] = depth[i + static_cast<std::size_t>(sheet.columns)] +
                   scenes::Distance(sheet.closed_m[i],
                                    sheet.closed_m[i + static_cast<std::size_t>(sheet.columns)]);
      }
    }
    model.depth_from_free_edge_m.insert(model.depth_from_free_edge_m.end(), depth.begin(),
                                        depth.end());
    for (const Vec3& p : sheet.coapted_m) model.coapted_m.push_back(ToPhysics(p));
  }
  model.available = true;
  return model;
}

double TransvalvularPressure_Pa(const ValveTissueModel& model, double cardiac_phase) {
  const double phase = cardiac_phase - std::floor(cardiac_phase);
  if (phase < kSystolicFraction)
    return model.peak_systolic_pressure_Pa *
           std::sin(std::numbers::pi * phase / kSystolicFraction);
  return -model.peak_diastolic_gradient_Pa * LeafletOpening(phase);
}

namespace {

// Appends the nodes one clip grips, at their healthy coapted position.
void AppendClipHolds(const ValveTissueModel& model, const ClipSize& clip, const ClipOnTissue& held,
                     std::span<physics::TissueHold> holds, std::size_t* count) {
  const physics::LeafletTissueModel& tissue = *model.tissue;
  const double zone = ClipHeldHalfWidth_m(clip, held);
  for (int sheet = 0; sheet < tissue.SheetCount(); ++sheet) {
    const double insertion =
        sheet == model.anterior_sheet ? held.insertion_anterior_m : held.insertion_posterior_m;
    if (!(insertion > 0.0)) continue;  // a torn-off or uncaught leaflet is not held
    const physics::TissueSheetSpec& spec = tissue.Sheet(sheet);
    for (int c = 0; c < spec.columns; ++c) {
      if (std::fabs(model.column_s_m[static_cast<std::size_t>(c)] - held.position_s_m) > zone)
        continue;
      for (int r = 1; r < spec.rows; ++r) {
        const int node = tissue.Node(sheet, r, c);
        if (model.depth_from_free_edge_m[static_cast<std::size_t>(node)] > insertion) continue;
        if (*count < holds.size())
          holds[(*count)++] = {node, model.coapted_m[static_cast<std::size_t>(node)]};
      }
    }
  }
}

// The clip's frame (arm, axis × arm, axis), orthonormal; none when the
// axis and arm do not span one (a state set up by hand).
std::optional<std::array<Vec3, 3>> ClipFrame(const Vec3& axis, const Vec3& arm) {
  constexpr double kDegenerate = 1e-9;
  if (scenes::Norm(axis) < kDegenerate) return std::nullopt;
  const Vec3 z = scenes::Normalized(axis);
  const Vec3 across = arm - scenes::Dot(arm, z) * z;
  if (scenes::Norm(across) < kDegenerate) return std::nullopt;
  const Vec3 x = scenes::Normalized(across);
  return std::array<Vec3, 3>{x, scenes::Cross(z, x), z};
}

// The pivot a clip's grip turns about: the coapted free edges of both
// leaflets at the column nearest to the grip (fixed for the clip, whatever
// it holds now).
physics::Vec3 GripPivot(const ValveTissueModel& model, double position_s_m) {
  const physics::LeafletTissueModel& tissue = *model.tissue;
  std::size_t nearest = 0;
  for (std::size_t c = 1; c < model.column_s_m.size(); ++c) {
    if (std::fabs(model.column_s_m[c] - position_s_m) <
        std::fabs(model.column_s_m[nearest] - position_s_m))
      nearest = c;
  }
  physics::Vec3 sum{};
  for (int sheet = 0; sheet < tissue.SheetCount(); ++sheet) {
    const int edge = tissue.Node(sheet, tissue.Sheet(sheet).rows - 1, static_cast<int>(nearest));
    sum = sum + model.coapted_m[static_cast<std::size_t>(edge)];
  }
  return (1.0 / static_cast<double>(tissue.SheetCount())) * sum;
}

// A clip carries its grip with it: the hands' moves between its closing and
// now (released: its release) - the hub's translation, and the turn from its
// frame then to its frame now about the grip's pivot - move the targets of
// the nodes it holds. The annulus' own motion is not among them: the tissue
// frame moves with the annulus, and a clip on the leaflets rides with it.
void MoveWithTheClip(const ValveTissueModel& model, const ClipOnTissue& held,
                     std::span<physics::TissueHold> holds) {
  if (holds.empty()) return;
  const physics::Vec3 pivot = GripPivot(model, held.position_s_m);
  const auto then = ClipFrame(held.closed.axis, held.closed.arm);
  const auto now = ClipFrame(held.now.axis, held.now.arm);
  const physics::Vec3 shift = ToPhysics(held.now.hub - held.closed.hub);
  for (auto& hold : holds) {
    const physics::Vec3 r = hold.target_m - pivot;
    physics::Vec3 turned = r;
    if (then && now) {
      turned = {};
      for (std::size_t i = 0; i < 3; ++i)
        turned = turned + physics::Dot(ToPhysics((*then)[i]), r) * ToPhysics((*now)[i]);
    }
    hold.target_m = pivot + shift + turned;
  }
}

// Appends the nodes one clip grips, where its grip has taken them.
void AppendMovedClipHolds(const ValveTissueModel& model, const ClipSize& clip,
                          const ClipOnTissue& held, std::span<physics::TissueHold> holds,
                          std::size_t* count) {
  const std::size_t first = *count;
  AppendClipHolds(model, clip, held, holds, count);
  MoveWithTheClip(model, held, holds.subspan(first, *count - first));
}

}  // namespace

std::size_t ClipHolds(const ValveTissueModel& model, const ProcedureState& procedure,
                      const ClipSize& clip, std::span<physics::TissueHold> holds) {
  std::size_t count = 0;
  if (!model.available) return count;
  // Named: a range-for over a temporary's member view would dangle (C++20).
  const ClipsOnTissue clips_on_tissue = ListClipsOnTissue(procedure);
  for (const ClipOnTissue& held : clips_on_tissue.View())
    AppendMovedClipHolds(model, clip, held, holds, &count);
  return count;
}

std::array<double, 2> HeldClipGripForce_N(const ValveTissueModel& model,
                                          const ProcedureState& procedure, const ClipSize& clip,
                                          const physics::LeafletTissueState& state) {
  std::array<double, 2> force_N{};
  if (!model.available || !procedure.closed_on_tissue) return force_N;
  std::array<physics::TissueHold, kMaxClipHolds> holds{};
  std::size_t count = 0;
  AppendMovedClipHolds(model, clip, HeldClip(procedure), holds, &count);
  // The net force on each leaflet: what its held nodes pull on the grip
  // together. (A turn pulls one leaflet's nodes partly opposite ways, and
  // that part, a moment about the grip, is not counted; a sum of magnitudes
  // would count each node's small residual in the compliant holds instead,
  // growing with the grid.)
  const double stiffness = model.tissue->Material().hold_stiffness_N_per_m;
  std::array<physics::Vec3, 2> sum{};
  for (const auto& hold : std::span(holds.data(), count)) {
    const int sheet = model.tissue->SheetOfNode(hold.node);
    const std::size_t leaflet = sheet == model.anterior_sheet ? 0 : 1;
    sum[leaflet] =
        sum[leaflet] +
        stiffness * (hold.target_m - state.position_m[static_cast<std::size_t>(hold.node)]);
  }
  for (std::size_t k = 0; k < 2; ++k) force_N[k] = physics::Norm(sum[k]);
  return force_N;
}

int LeafletOverstretchedAtTheGrip(const ValveTissueModel& model, const ProcedureState& procedure,
                                  const ClipSize& clip, const physics::LeafletTissueState& state) {
  constexpr double kGripReach_m = 0.003;
  const auto [a, b] = state.overstretched_edge;
  if (!model.available || !procedure.closed_on_tissue || a < 0 || b < 0) return -1;
  const int leaflet = model.tissue->SheetOfNode(a) == model.anterior_sheet ? 0 : 1;
  std::array<physics::TissueHold, kMaxClipHolds> holds{};
  std::size_t count = 0;
  AppendMovedClipHolds(model, clip, HeldClip(procedure), holds, &count);
  const auto& x = state.position_m;
  for (const auto& hold : std::span(holds.data(), count)) {
    const physics::Vec3& held = x[static_cast<std::size_t>(hold.node)];
    for (const int end : {a, b}) {
      if (physics::Norm(x[static_cast<std::size_t>(end)] - held) <= kGripReach_m) return leaflet;
    }
  }
  return -1;
}

namespace {

// An open clip arm in the tissue's frame: hinge at the hub, along the arm,
// across it, and the normal towards the clip body (the gripper's side).
struct ArmFrame {
  Vec3 hinge, along, across, to_body, outward;
};

ArmFrame ArmOf(const ProcedureState& procedure, int side, const Vec3& annulus_shift) {
  const double half = 0.5 * procedure.clip_arm_angle_rad;
  const Vec3 back = -1.0 * procedure.clip_axis;  // the arms point back up the catheter
  const Vec3 out = (side == 0 ? 1.0 : -1.0) * procedure.clip_arm;
  ArmFrame arm;
  arm.hinge = procedure.clip_hub - annulus_shift;
  arm.along = std::cos(half) * back + std::sin(half) * out;
  arm.to_body = std::sin(half) * back - std::cos(half) * out;
  arm.across = scenes::Cross(arm.to_body, arm.along);  // so Cross(along, across) = to_body
  arm.outward = out;
  return arm;
}

// The clip is a free rigid body in the tissue: out of the sleeve and not
// closed on tissue (its grip holds the leaflets then, ClipHolds).
bool ClipIsFreeOutside(const ProcedureState& procedure) {
  return procedure.clip_outside && !procedure.closed_on_tissue;
}

bool ArmsAreOpenOutside(const ProcedureState& procedure) {
  constexpr double kMinimumOpening_rad = 10.0 * std::numbers::pi / 180.0;
  return ClipIsFreeOutside(procedure) && procedure.clip_arm_angle_rad > kMinimumOpening_rad;
}

// Half-thickness of a clip arm [DESIGN: the G4 arms are ~1 mm sheet].
constexpr double kArmHalfThickness_m = 0.0005;
// Half-width of the clip body between the arms, where the free edges come
// to lie: 20 mm across the open arms at 180 deg with 9 mm arms [S10] leaves
// 2 mm of body between the hinges. (The picture draws the clip's round
// 5 mm profile; the leaflets meet its narrow side.)
constexpr double kClipBodyRadius_m = 0.001;
// With the arms (nearly) closed the clip is one body of its 5 mm profile
// (as drawn): the tissue stays off the folded arms too, so re-opening them
// among the leaflets never finds tissue inside an arm.
constexpr double kClosedClipRadius_m = 0.0025;

}  // namespace

std::size_t ClipArmPlates(const ProcedureModel& procedure_model, const ProcedureState& procedure,
                          const Vec3& annulus_shift, std::span<physics::TissuePlate> plates) {
  if (!ArmsAreOpenOutside(procedure)) return 0;
  std::size_t count = 0;
  for (int side = 0; side < 2 && count < plates.size(); ++side) {
    const ArmFrame arm = ArmOf(procedure, side, annulus_shift);
    physics::TissuePlate& plate = plates[count++];
    plate.origin_m = ToPhysics(arm.hinge);
    plate.length_axis = ToPhysics(arm.along);
    plate.width_axis = ToPhysics(arm.across);
    plate.length_m = procedure_model.instruments.clip.arm_length_m;
    plate.half_width_m = 0.5 * procedure_model.instruments.clip.arm_width_m;
    plate.half_thickness_m = kArmHalfThickness_m;
  }
  return count;
}

physics::TissueStatus StepValveTissue(const ValveTissueModel& model, const ProcedureModel& procedure_model,
                                      const ProcedureState& procedure, double cardiac_phase,
                                      const Vec3& annulus_shift, double dt_s,
                                      physics::LeafletTissueState* state) {
  if (!model.available) return physics::TissueStatus::kOk;
  std::array<physics::TissueHold, kMaxClipHolds> holds{};
  const std::size_t count = ClipHolds(model, procedure, procedure_model.instruments.clip, holds);
  std::array<physics::TissuePlate, 2> plates{};
  const std::size_t plate_count = ClipArmPlates(procedure_model, procedure, annulus_shift, plates);
  // The clip's body between the open arms (they hinge on it): the leaflets
  // cannot slip under an arm at its hinge; with the arms folded, the whole
  // closed clip.
  physics::TissueCapsule body;
  body.a_m = ToPhysics(procedure.clip_hub - annulus_shift);
  body.b_m = ToPhysics(procedure.clip_hub - annulus_shift -
                       procedure_model.instruments.clip_body_length_m * procedure.clip_axis);
  body.radius_m = plate_count > 0 ? kClipBodyRadius_m : kClosedClipRadius_m;
  physics::TissueLoad load;
  load.capsules = std::span<const physics::TissueCapsule>(&body, ClipIsFreeOutside(procedure) ? 1 : 0);
  load.pressure_Pa = TransvalvularPressure_Pa(model, cardiac_phase);
  load.holds = std::span<const physics::TissueHold>(holds.data(), count);
  load.plates = std::span<const physics::TissuePlate>(plates.data(), plate_count);
  return physics::StepTissue(*model.tissue, load, dt_s, state);
}

TissueGraspReading ReadTissueGrasp(const ValveTissueModel& model,
                                   const physics::LeafletTissueState& state,
                                   const ProcedureModel& procedure_model,
                                   const ProcedureState& procedure, const Vec3& annulus_shift) {
  TissueGraspReading reading;
  if (!model.available) return reading;
  reading.available = true;
  if (!ArmsAreOpenOutside(procedure)) return reading;
  const physics::LeafletTissueModel& tissue = *model.tissue;
  const ClipSize& clip = procedure_model.instruments.clip;
  for (int side = 0; side < 2; ++side) {
    const ArmFrame arm = ArmOf(procedure, side, annulus_shift);
    const int sheet = procedure.arm_faces_anterior[static_cast<std::size_t>(side)]
                          ? model.anterior_sheet
                          : model.posterior_sheet;
    const physics::TissueSheetSpec& spec = tissue.Sheet(sheet);
    // How far a node is inside the wedge the gripper sweeps, per bound (m;
    // < 0 outside): past the hinge, short of the tip, on the arm's gripper
    // side, off the clip body, within the arm's width.
    enum Bound { kHinge, kTip, kFace, kBody, kSide, kBounds };
    const auto margins = [&](int row, int column) {
      const Vec3 d = FromPhysics(state.position_m[static_cast<std::size_t>(tissue.Node(sheet, row, column))]) -
                     arm.hinge;
      const double along = scenes::Dot(d, arm.along);
      // Tissue within the arm's thickness lies on it (the plate pushes it to
      // its face at the tissue's own steps; the clip has moved a little since).
      return std::array<double, kBounds>{along, clip.arm_length_m - along,
                                         scenes::Dot(d, arm.to_body) + kArmHalfThickness_m,
                                         scenes::Dot(d, arm.outward) + kClipBodyRadius_m,
                                         0.5 * clip.arm_width_m - std::fabs(scenes::Dot(d, arm.across))};
    };
    // The sheet is continuous across the arm's width, so a column that
    // drifts beside the arm but stays on the gripper side is still held
    // (its neighbours over the arm are); the arm's width only picks which
    // columns' free edges are on it.
    const auto on_arm = [](const std::array<double, kBounds>& m) {
      return m[kHinge] >= 0.0 && m[kTip] >= 0.0 && m[kFace] >= 0.0 && m[kBody] >= 0.0;
    };
    double sum = 0.0;
    int columns = 0;
    for (int c = 0; c < spec.columns; ++c) {
      const int edge_row = spec.rows - 1;
      const auto edge = margins(edge_row, c);
      if (!on_arm(edge) || edge[kSide] < 0.0) continue;
      const auto depth = [&](int row) {
        return model.depth_from_free_edge_m[static_cast<std::size_t>(tissue.Node(sheet, row, c))];
      };
      double insertion = depth(0);  // in the wedge to the hinge (cannot be: the arm is shorter)
      for (int r = edge_row - 1; r >= 0; --r) {
        const auto out = margins(r, c);
        if (on_arm(out)) continue;
        // Where the leaflet leaves the wedge between the two nodes: the first
        // bound it crosses. A node behind the arm's plane but past its tip or
        // beside it went round that edge (the tissue cannot pass through the
        // arm), so it leaves at the tip or side, not where the straight chord
        // between the nodes cuts the plane.
        const auto in = margins(r + 1, c);
        std::array<bool, kBounds> crossed{};
        crossed[kHinge] = out[kHinge] < 0.0;
        crossed[kTip] = out[kTip] < 0.0;
        crossed[kBody] = out[kBody] < 0.0;
        if (out[kFace] < 0.0 && !crossed[kTip]) {
          (out[kSide] < 0.0 ? crossed[kSide] : crossed[kFace]) = true;
        }
        double f = 1.0;
        for (int b = 0; b < kBounds; ++b) {
          if (!crossed[b]) continue;
          // The inner node may itself lie beside the arm (a drifting column).
          f = std::min(f, in[b] > 0.0 ? in[b] / (in[b] - out[b]) : 0.0);
        }
        insertion = depth(r + 1) + f * (depth(r) - depth(r + 1));
        break;
      }
      sum += insertion;
      ++columns;
    }
    reading.insertion_m[static_cast<std::size_t>(side)] = columns > 0 ? sum / columns : 0.0;
  }
  return reading;
}

scenes::TriangleMesh LeafletSurface(const ValveTissueModel& model,
                                    const physics::LeafletTissueState& state, int sheet,
                                    const Vec3& shift) {
  const physics::LeafletTissueModel& tissue = *model.tissue;
  const physics::TissueSheetSpec& spec = tissue.Sheet(sheet);
  scenes::SheetGrid grid;
  grid.rows = spec.rows;
  grid.columns = spec.columns;
  for (int r = 0; r < spec.rows; ++r) {
    for (int c = 0; c < spec.columns; ++c) {
      const auto node = static_cast<std::size_t>(tissue.Node(sheet, r, c));
      grid.mid.push_back(FromPhysics(state.position_m[node]) + shift);
      grid.offset.push_back(FromPhysics(physics::FrontNormal(tissue, state, sheet, r, c)));
    }
  }
  grid.thickness_m.assign(grid.mid.size(), spec.thickness_m);
  return scenes::ThickSheet(grid);
}

scenes::TriangleMesh ChordaeSurface(const ValveTissueModel& model,
                                    const physics::LeafletTissueState& state, const Vec3& shift) {
  scenes::TriangleMesh mesh;
  const physics::LeafletTissueModel& tissue = *model.tissue;
  for (std::size_t c = 0; c < tissue.Chordae().size(); ++c) {
    const Vec3 tip = FromPhysics(tissue.Chordae()[c].anchor_m) + shift;
    const Vec3 node =
        FromPhysics(state.position_m[static_cast<std::size_t>(tissue.ChordNodes()[c])]) + shift;
    const Vec3 along = node - tip;
    // Any direction not along the chord starts the tube's cross-section.
    const Vec3 first_normal = std::fabs(along[0]) < std::fabs(along[2]) ? Vec3{1, 0, 0} : Vec3{0, 0, 1};
    mesh.Append(scenes::Tube({{tip, kChordRadius_m, kChordRadius_m}, {node, kChordRadius_m, kChordRadius_m}},
                             first_normal, kChordSides));
  }
  return mesh;
}

}  // namespace teersim::sim
