#include "sim/valve_tissue.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "scenes/vec3.h"
#include "sim/valve_motion.h"

namespace teersim::sim {
namespace {

using scenes::operator+;
using scenes::operator-;

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

std::size_t ClipHolds(const ValveTissueModel& model, const ProcedureState& procedure,
                      const ClipSize& clip, std::span<physics::TissueHold> holds) {
  std::size_t count = 0;
  if (!model.available) return count;
  const physics::LeafletTissueModel& tissue = *model.tissue;
  // Named: a range-for over a temporary's member view would dangle (C++20).
  const ClipsOnTissue clips_on_tissue = ListClipsOnTissue(procedure);
  for (const ClipOnTissue& held : clips_on_tissue.View()) {
    const double zone = ClipHeldHalfWidth_m(clip, held);
    for (int sheet = 0; sheet < tissue.SheetCount(); ++sheet) {
      const double insertion = sheet == model.anterior_sheet ? held.insertion_anterior_m
                                                             : held.insertion_posterior_m;
      const physics::TissueSheetSpec& spec = tissue.Sheet(sheet);
      for (int c = 0; c < spec.columns; ++c) {
        if (std::fabs(model.column_s_m[static_cast<std::size_t>(c)] - held.position_s_m) > zone)
          continue;
        for (int r = 1; r < spec.rows; ++r) {
          const int node = tissue.Node(sheet, r, c);
          if (model.depth_from_free_edge_m[static_cast<std::size_t>(node)] > insertion) continue;
          if (count < holds.size()) holds[count++] = {node, model.coapted_m[static_cast<std::size_t>(node)]};
        }
      }
    }
  }
  return count;
}

physics::TissueStatus StepValveTissue(const ValveTissueModel& model, const ProcedureModel& procedure_model,
                                      const ProcedureState& procedure, double cardiac_phase,
                                      double dt_s, physics::LeafletTissueState* state) {
  if (!model.available) return physics::TissueStatus::kOk;
  constexpr std::size_t kMaxHolds = 1024;
  std::array<physics::TissueHold, kMaxHolds> holds{};
  const std::size_t count = ClipHolds(model, procedure, procedure_model.instruments.clip, holds);
  physics::TissueLoad load;
  load.pressure_Pa = TransvalvularPressure_Pa(model, cardiac_phase);
  load.holds = std::span<const physics::TissueHold>(holds.data(), count);
  return physics::StepTissue(*model.tissue, load, dt_s, state);
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
