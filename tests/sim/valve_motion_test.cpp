// The beating valve in snapshots (sim/valve_motion.h): closed in systole,
// open in diastole, held shut where a clip is (double orifice), and moving
// with the annulus.
#include "sim/valve_motion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "scenes/case_library.h"
#include "scenes/vec3.h"
#include "sim/run.h"

namespace teersim::sim {
namespace {

constexpr double kSystole = 0.1, kEarlyDiastole = 0.45;

// The kinematic swing is what an anatomy without a leaflet grid gets; the
// stock case's tissue (sim/valve_tissue.h, tests/sim/valve_tissue_test.cpp)
// is switched off here to test it.
const Model& DefaultModel() {
  static const Model model = [] {
    Model m = CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase("p2_flail")));
    m.valve_tissue = ValveTissueModel{};
    return m;
  }();
  return model;
}

const SnapshotMesh& Mesh(const Snapshot& snapshot, const std::string& name) {
  return *std::find_if(snapshot.meshes.begin(), snapshot.meshes.end(),
                       [&](const SnapshotMesh& m) { return m.name == name; });
}

// Largest descent towards the LV (−w, minus the annulus' own motion) of the
// leaflet's vertices whose position s along the coaptation line lies in [lo, hi].
double LargestDescent_m(const Model& model, const Snapshot& closed, const Snapshot& open,
                        const std::string& leaflet, double lo_s, double hi_s) {
  const auto& a = Mesh(closed, leaflet);
  const auto& b = Mesh(open, leaflet);
  const auto& valve = model.procedure.valve;
  const Vec3 shift_closed = scenes::AnnulusDisplacement(model.case_description.anatomy.parameters,
                                                        *model.anatomy, closed.cardiac_phase);
  const Vec3 shift_open = scenes::AnnulusDisplacement(model.case_description.anatomy.parameters,
                                                      *model.anatomy, open.cardiac_phase);
  double largest = 0.0;
  for (std::size_t i = 0; i + 2 < a.vertices_m.size(); i += 3) {
    const Vec3 pa{a.vertices_m[i] - shift_closed[0], a.vertices_m[i + 1] - shift_closed[1],
                  a.vertices_m[i + 2] - shift_closed[2]};
    const Vec3 pb{b.vertices_m[i] - shift_open[0], b.vertices_m[i + 1] - shift_open[1],
                  b.vertices_m[i + 2] - shift_open[2]};
    const double s = -ToValve(valve, pa)[1];
    if (s < lo_s || s > hi_s) continue;
    largest = std::max(largest, ToValve(valve, pa)[2] - ToValve(valve, pb)[2]);
  }
  return largest;
}

TEST(ValveMotion, ClosedInSystoleOpenInEarlyDiastole) {
  EXPECT_EQ(LeafletOpening(kSystole), 0.0);
  EXPECT_GT(LeafletOpening(kEarlyDiastole), 0.9);
  EXPECT_NEAR(LeafletOpening(0.999), 0.0, 0.01);  // shut again at the next R wave
  for (double phase = 0.0; phase < 1.0; phase += 0.01) {
    EXPECT_GE(LeafletOpening(phase), 0.0);
    EXPECT_LE(LeafletOpening(phase), 1.0);
  }
}

TEST(ValveMotion, LeafletsSwingTowardsTheVentricleInDiastole) {
  const Model& model = DefaultModel();
  State state = InitialState(model);
  state.cardiac_phase = kSystole;
  const Snapshot closed = MakeSnapshot(model, state);
  state.cardiac_phase = kEarlyDiastole;
  const Snapshot open = MakeSnapshot(model, state);
  // A posterior leaflet of 14 mm swung by ~80°: its edge drops by about its length.
  EXPECT_GT(LargestDescent_m(model, closed, open, "posterior_leaflet", -0.01, 0.01), 0.008);
  EXPECT_GT(LargestDescent_m(model, closed, open, "anterior_leaflet", -0.01, 0.01), 0.010);
}

TEST(ValveMotion, ClippedTissueStaysShutSoTheValveOpensAsADoubleOrifice) {
  const Model& model = DefaultModel();
  const auto descents = [&](bool clipped, double lo_s, double hi_s) {
    State state = InitialState(model);
    if (clipped) {
      state.procedure.clips_released = 1;
      state.procedure.released[0].position_s_m = 0.0;
      state.procedure.released[0].insertion_anterior_m = 0.008;
      state.procedure.released[0].insertion_posterior_m = 0.008;
    }
    state.cardiac_phase = kSystole;
    const Snapshot closed = MakeSnapshot(model, state);
    state.cardiac_phase = kEarlyDiastole;
    const Snapshot open = MakeSnapshot(model, state);
    return LargestDescent_m(model, closed, open, "posterior_leaflet", lo_s, hi_s);
  };
  // Inside the clip's zone (±2 mm) the leaflets stay shut; beyond the zone and
  // its ramp (≥ 7 mm away) they open as far as without the clip.
  EXPECT_LT(descents(true, -0.002, 0.002), 0.0005);
  EXPECT_GT(descents(false, -0.002, 0.002), 0.008);
  for (const auto& [lo, hi] : {std::pair{0.007, 0.010}, std::pair{-0.010, -0.007}}) {
    EXPECT_GT(descents(false, lo, hi), 0.003);
    EXPECT_NEAR(descents(true, lo, hi), descents(false, lo, hi), 1e-6);
  }
}

TEST(ValveMotion, TheApparatusMovesWithTheAnnulus) {
  const Model& model = DefaultModel();
  State state = InitialState(model);
  state.cardiac_phase = 0.0;
  const Snapshot end_diastole = MakeSnapshot(model, state);
  state.cardiac_phase = 0.349;  // end of systole: the annulus at its lowest
  const Snapshot end_systole = MakeSnapshot(model, state);
  const auto& a = Mesh(end_diastole, "mitral_annulus");
  const auto& b = Mesh(end_systole, "mitral_annulus");
  const auto& w = model.procedure.valve.w;
  const double descent = (a.vertices_m[0] - b.vertices_m[0]) * w[0] +
                         (a.vertices_m[1] - b.vertices_m[1]) * w[1] +
                         (a.vertices_m[2] - b.vertices_m[2]) * w[2];
  EXPECT_NEAR(descent, model.case_description.anatomy.parameters.annulus_excursion_m, 0.001);
}

}  // namespace
}  // namespace teersim::sim
