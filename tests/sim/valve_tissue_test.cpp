// The leaflets as tissue in a stock case (sim/valve_tissue.h): closed in
// systole, open in diastole, the flail everts, a clip makes a double orifice.
#include "sim/valve_tissue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "scenes/case_library.h"
#include "scenes/vec3.h"
#include "sim/model.h"
#include "sim/state.h"

namespace teersim::sim {
namespace {

class ValveTissueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = new Model(CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase("p2_flail"))));
  }
  static void TearDownTestSuite() { delete model_; }

  // Steps the tissue alone (as sim::Step does) up to `time_s`.
  static void Run(State* state, double from_s, double to_s) {
    const double dt = kStepsPerTissueStep * model_->step_s;
    for (double t = from_s; t < to_s - 1e-9; t += dt) {
      const double phase = t * model_->case_description.heart_rate_hz;
      ASSERT_EQ(
          StepValveTissue(model_->valve_tissue, model_->procedure, state->procedure,
                          phase - std::floor(phase), scenes::Vec3{}, dt, &state->valve_tissue),
          physics::TissueStatus::kOk);
    }
  }
  // Free-edge node of a leaflet at a column, in valve coordinates (u, v, w).
  static Vec3 FreeEdge(const State& state, int sheet, int column) {
    const auto& tissue = *model_->valve_tissue.tissue;
    const auto& p = state.valve_tissue.position_m[static_cast<std::size_t>(
        tissue.Node(sheet, tissue.Sheet(sheet).rows - 1, column))];
    return ToValve(model_->procedure.valve, {p.x, p.y, p.z});
  }
  static double EdgeSeparation(const State& state, int column) {
    const Vec3 a = FreeEdge(state, model_->valve_tissue.anterior_sheet, column);
    const Vec3 b = FreeEdge(state, model_->valve_tissue.posterior_sheet, column);
    return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  }
  static int ColumnAt(double s_m) {
    const auto& s = model_->valve_tissue.column_s_m;
    int best = 0;
    for (int c = 0; c < static_cast<int>(s.size()); ++c)
      if (std::fabs(s[static_cast<std::size_t>(c)] - s_m) <
          std::fabs(s[static_cast<std::size_t>(best)] - s_m))
        best = c;
    return best;
  }
  static double Cycle() { return 1.0 / model_->case_description.heart_rate_hz; }

  static Model* model_;
};
Model* ValveTissueTest::model_ = nullptr;

TEST_F(ValveTissueTest, ClosedInSystoleOpenInDiastoleFlailEverts) {
  ASSERT_TRUE(model_->valve_tissue.available);
  State state = InitialState(*model_);
  // Two cycles to settle, then mid-systole (phase 0.17) and early diastole
  // (phase 0.45, after the E wave).
  const double systole = 2.0 * Cycle() + 0.17 * Cycle();
  const double diastole = 2.0 * Cycle() + 0.45 * Cycle();
  Run(&state, 0.0, systole);
  const int lesion = ColumnAt(model_->procedure.lesion_centre_s_m);
  const int healthy = ColumnAt(model_->procedure.lesion_centre_s_m + 0.011);  // beside P2
  const double closed_gap = EdgeSeparation(state, healthy);
  const double flail_height = FreeEdge(state, model_->valve_tissue.posterior_sheet, lesion)[2];
  const double healthy_height = FreeEdge(state, model_->valve_tissue.posterior_sheet, healthy)[2];
  Run(&state, systole, diastole);
  const double open_gap = EdgeSeparation(state, healthy);
  // The orifice against the case's baseline MVA: an ellipse of that area
  // across the commissures (the first and last columns) is this deep at P2.
  const double commissural_m =
      std::fabs(model_->valve_tissue.column_s_m.back() - model_->valve_tissue.column_s_m.front());
  const double ellipse_depth_m =
      4.0 * model_->baseline_outcome.mva_m2 / (std::numbers::pi * commissural_m);
  const double centre_gap = EdgeSeparation(state, lesion);
  std::printf(
      "free edges beside P2: %.1f mm apart in systole, %.1f mm in diastole; posterior free edge "
      "%.1f mm (flail P2) vs %.1f mm (beside) above the annulus in systole; at P2 %.1f mm open "
      "in diastole, an ellipse of the MVA %.1f mm\n",
      closed_gap * 1e3, open_gap * 1e3, flail_height * 1e3, healthy_height * 1e3, centre_gap * 1e3,
      ellipse_depth_m * 1e3);
  // Coapted: the healthy free edges meet (within a few thicknesses).
  EXPECT_LT(closed_gap, 0.004);
  // Open: the leaflets part, by well over twice the closed gap; at P2 to
  // about two thirds of the depth of an orifice of the case's MVA (0.64:
  // the bending springs keep the closed shape's curl, sim/README.md known
  // limits), and never more than that orifice.
  EXPECT_GT(open_gap, 0.006);
  EXPECT_GT(open_gap, 2.0 * closed_gap);
  EXPECT_GT(centre_gap, 0.6 * ellipse_depth_m);
  EXPECT_LT(centre_gap, ellipse_depth_m);
  // The flail segment (ruptured chordae) rises into the atrium; the chorded
  // tissue beside it stays below the annulus.
  EXPECT_GT(flail_height, 0.0);
  EXPECT_LT(healthy_height, 0.0);
}

TEST_F(ValveTissueTest, ClipHoldsTheLeafletsTogetherAndTheValveOpensBesideIt) {
  State state = InitialState(*model_);
  state.procedure.closed_on_tissue = true;
  // Closed where it is: the grip has not been moved since.
  state.procedure.hub_at_closure = state.procedure.clip_hub;
  state.procedure.axis_at_closure = state.procedure.clip_axis;
  state.procedure.arm_at_closure = state.procedure.clip_arm;
  state.procedure.clip_position_s_m = model_->procedure.lesion_centre_s_m;
  state.procedure.grip_position_s_m = state.procedure.clip_position_s_m;
  state.procedure.insertion_m = {0.008, 0.008};
  const double diastole = 2.0 * Cycle() + 0.45 * Cycle();
  Run(&state, 0.0, diastole);
  const int clipped = ColumnAt(model_->procedure.lesion_centre_s_m);
  const int beside = ColumnAt(model_->procedure.lesion_centre_s_m + 0.011);
  const double held = EdgeSeparation(state, clipped);
  const double open = EdgeSeparation(state, beside);
  std::printf("diastole with a clip: %.1f mm apart at the clip, %.1f mm beside it\n", held * 1e3,
              open * 1e3);
  EXPECT_LT(held, 0.003);  // held together: a double orifice
  // Beside the clip the leaflets still open, tethered by it (~7 mm here
  // against ~8 mm without a clip, previous test).
  EXPECT_GT(open, 0.004);
  EXPECT_GT(open, 2.0 * held);
}

TEST_F(ValveTissueTest, TheGripMovesWithTheClipOnTheDeliveryCatheter) {
  using scenes::operator+;
  // Closed on both leaflets, then moved by the hands: every hold target
  // follows the hub's translation, and a turn of the clip about its axis
  // turns them rigidly (the offsets between targets turn with it, their
  // heights along the axis kept). The grip keeps the nodes it closed on
  // when the clip slides along the coaptation line. A released clip holds
  // where it was released, whatever the catheter does next.
  State state = InitialState(*model_);
  ProcedureState& p = state.procedure;
  p.closed_on_tissue = true;
  p.clip_position_s_m = p.grip_position_s_m = model_->procedure.lesion_centre_s_m;
  p.insertion_m = {0.008, 0.008};
  p.clip_axis = p.axis_at_closure = {0.0, 0.0, 1.0};
  p.clip_arm = p.arm_at_closure = {1.0, 0.0, 0.0};
  p.hub_at_closure = p.clip_hub;
  const ClipSize& clip = model_->procedure.instruments.clip;
  std::array<physics::TissueHold, kMaxClipHolds> before{}, after{}, released{};
  const std::size_t count = ClipHolds(model_->valve_tissue, p, clip, before);
  ASSERT_GT(count, 10u);

  p.clip_hub = p.clip_hub + scenes::Vec3{0.001, -0.002, 0.003};
  p.clip_position_s_m += 0.002;  // what the kinematics report for that hub
  ASSERT_EQ(ClipHolds(model_->valve_tissue, p, clip, after), count);
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(after[i].node, before[i].node);
    const physics::Vec3 moved = after[i].target_m - before[i].target_m;
    EXPECT_NEAR(moved.x, 0.001, 1e-12);
    EXPECT_NEAR(moved.y, -0.002, 1e-12);
    EXPECT_NEAR(moved.z, 0.003, 1e-12);
  }

  p.clip_hub = p.hub_at_closure;
  p.clip_arm = {0.0, 1.0, 0.0};  // a quarter turn about the axis
  ClipHolds(model_->valve_tissue, p, clip, after);
  double largest_move_m = 0.0;
  for (std::size_t i = 1; i < count; ++i) {
    const physics::Vec3 d0 = before[i].target_m - before[0].target_m;
    const physics::Vec3 d1 = after[i].target_m - after[0].target_m;
    EXPECT_NEAR(d1.z, d0.z, 1e-12);
    EXPECT_NEAR(d1.x, -d0.y, 1e-12);  // (x, y) -> (-y, x)
    EXPECT_NEAR(d1.y, d0.x, 1e-12);
    largest_move_m =
        std::max(largest_move_m, physics::Norm(after[i].target_m - before[i].target_m));
  }
  EXPECT_GT(largest_move_m, 0.002);

  // Released as it is (turned): its grip stays turned, and the catheter's
  // later moves do not reach it.
  p.closed_on_tissue = false;
  p.clips_released = 1;
  ClipRecord& record = p.released[0];
  record = {p.clip_hub, p.clip_axis, p.clip_arm, p.clip_position_s_m, 0.0, 0.008, 0.008};
  record.closed = {p.hub_at_closure, p.axis_at_closure, p.arm_at_closure};
  record.grip_position_s_m = p.grip_position_s_m;
  ASSERT_EQ(ClipHolds(model_->valve_tissue, p, clip, released), count);
  p.clip_hub = p.clip_hub + scenes::Vec3{0.0, 0.0, 0.01};
  p.clip_arm = {1.0, 0.0, 0.0};
  ASSERT_EQ(ClipHolds(model_->valve_tissue, p, clip, released), count);
  for (std::size_t i = 0; i < count; ++i)
    EXPECT_LT(physics::Norm(released[i].target_m - after[i].target_m), 1e-15);
}

// ReadTissueGrasp against leaflets laid by hand on an open clip's arm: the
// anterior leaflet's free edge 2 mm up a 9 mm arm (NT), the leaflet running
// straight up the arm's gripper face to its tip and beyond. Insertion is the
// leaflet length from the free edge to the tip: 7 mm.
using scenes::operator+;
using scenes::operator*;

class TissueGraspTest : public ValveTissueTest {
 protected:
  static constexpr double kEdgeAlong_m = 0.002;
  static constexpr double kOnFace_m = 0.0006;  // the arm's half-thickness and a little

  // An open clip far from the valve (the posterior leaflet nowhere near it).
  static State OpenClip() {
    State state = InitialState(*model_);
    ProcedureState& p = state.procedure;
    p.clip_outside = true;
    p.clip_arm_angle_rad = 120.0 * std::numbers::pi / 180.0;
    p.clip_hub = {0.5, 0.5, 0.5};
    p.clip_axis = {0.0, 0.0, -1.0};
    p.clip_arm = {1.0, 0.0, 0.0};
    p.arm_faces_anterior = {true, false};
    return state;
  }
  // Arm 0's frame as ReadTissueGrasp documents it: along the arm from the
  // hinge, towards the clip body, across.
  static void ArmAxes(const ProcedureState& p, Vec3* along, Vec3* to_body, Vec3* across) {
    const double half = 0.5 * p.clip_arm_angle_rad;
    *along = {std::sin(half), 0.0, std::cos(half)};
    *to_body = {-std::cos(half), 0.0, std::sin(half)};
    *across = {0.0, 1.0, 0.0};
  }
  // Lays the anterior leaflet on arm 0: each node at its rest depth from the
  // free edge along the arm; `behind_beyond_tip` bends the part past the tip
  // down behind the arm (round the tip), `under` puts it all on the far face.
  static void LayAnterior(State* state, bool behind_beyond_tip, bool under) {
    Vec3 along, to_body, across;
    ArmAxes(state->procedure, &along, &to_body, &across);
    const auto& tissue = *model_->valve_tissue.tissue;
    const int sheet = model_->valve_tissue.anterior_sheet;
    const auto& spec = tissue.Sheet(sheet);
    const double arm_m = model_->procedure.instruments.clip.arm_length_m;
    for (int r = 0; r < spec.rows; ++r) {
      for (int c = 0; c < spec.columns; ++c) {
        const auto node = static_cast<std::size_t>(tissue.Node(sheet, r, c));
        const double depth = model_->valve_tissue.depth_from_free_edge_m[node];
        const double a = kEdgeAlong_m + depth;
        double body = under ? -kOnFace_m : kOnFace_m;
        if (behind_beyond_tip && a > arm_m) body -= 6.0 * (a - arm_m);        // steeply down
        const double spread = 0.0015 * (2.0 * c / (spec.columns - 1) - 1.0);  // within the 4 mm arm
        const Vec3 p = state->procedure.clip_hub + a * along + body * to_body + spread * across;
        state->valve_tissue.position_m[node] = ToPhysics(p);
      }
    }
  }
  static TissueGraspReading Read(const State& state) {
    return ReadTissueGrasp(model_->valve_tissue, state.valve_tissue, model_->procedure,
                           state.procedure, scenes::Vec3{});
  }
};

TEST_F(TissueGraspTest, LeafletOnTheArmReadsItsLengthFromTheFreeEdgeToTheTip) {
  const double expected = model_->procedure.instruments.clip.arm_length_m - kEdgeAlong_m;
  State state = OpenClip();
  LayAnterior(&state, /*behind_beyond_tip=*/false, /*under=*/false);
  const TissueGraspReading straight = Read(state);
  ASSERT_TRUE(straight.available);
  EXPECT_NEAR(straight.insertion_m[0], expected, 1e-9);
  EXPECT_EQ(straight.insertion_m[1], 0.0);  // the posterior leaflet is far away

  // Draped round the tip: it leaves the arm at the tip, not where the chord
  // between the nodes either side cuts the arm's plane.
  LayAnterior(&state, /*behind_beyond_tip=*/true, /*under=*/false);
  EXPECT_NEAR(Read(state).insertion_m[0], expected, 1e-9);
}

TEST_F(TissueGraspTest, NothingIsCaughtUnderTheArmOrWithTheArmsClosed) {
  State state = OpenClip();
  LayAnterior(&state, false, /*under=*/true);
  EXPECT_EQ(Read(state).insertion_m[0], 0.0);  // on the arm's far face: a gripper cannot reach it

  LayAnterior(&state, false, false);
  state.procedure.clip_arm_angle_rad = 0.05;  // closed (under 10°)
  EXPECT_EQ(Read(state).insertion_m[0], 0.0);
  state.procedure.clip_arm_angle_rad = 2.0;
  state.procedure.clip_outside = false;  // still in the sleeve
  EXPECT_EQ(Read(state).insertion_m[0], 0.0);
}

}  // namespace
}  // namespace teersim::sim
