// Leaflet tissue (physics/leaflet_tissue.h) against analytic membrane
// mechanics, plus its contracts: tension-only chordae, contact, faults,
// determinism, bad input.
#include "physics/leaflet_tissue.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <span>
#include <stdexcept>

#include "base/input_error.h"
#include "base/state_hash.h"

namespace teersim::physics {
namespace {

// A strip along x of `rows` nodes (row 0 pinned at x = 0), three columns
// across its width, flat and of length `length_m`; its last row tied by
// zero-length chords to anchors at x = span_m.
LeafletTissueSpec Strip(int rows, double length_m, double span_m, double width_m) {
  LeafletTissueSpec spec;
  TissueSheetSpec sheet;
  sheet.name = "strip";
  sheet.rows = rows;
  sheet.columns = 3;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < 3; ++c)
      sheet.rest_m.push_back({length_m * r / (rows - 1), width_m * (c - 1) / 2.0, 0.0});
  spec.sheets.push_back(sheet);
  for (int c = 0; c < 3; ++c)
    spec.chordae.push_back({0, rows - 1, c, {span_m, width_m * (c - 1) / 2.0, 0.0}, 0.0});
  spec.material.membrane_stiffness_N_per_m = 1e6;  // inextensible at this load
  spec.material.bending_stiffness_N_per_m = 0.0;   // a pure membrane
  spec.material.chord_stiffness_N_per_m = 1e6;
  spec.material.damping_per_s = 200.0;
  return spec;
}

// Polygon of n equal segments a inscribed in a circular arc whose chord is
// S: S / a = sin(θ) / sin(θ / n), θ the half-angle; bisection on θ.
double HalfAngle(int segments, double segment_m, double chord_m) {
  double lo = 1e-6, hi = 3.1;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    const double ratio = std::sin(mid) / std::sin(mid / segments);
    (ratio > chord_m / segment_m ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

struct ArcResult {
  double sagitta_m, expected_sagitta_m, chord_tension_N, expected_tension_N;
};

ArcResult PressurisedStrip(int substeps) {
  constexpr int kRows = 41;
  constexpr double kLength = 0.024, kSpan = 0.020, kWidth = 0.010, kPressure = 100.0;
  LeafletTissueSpec spec = Strip(kRows, kLength, kSpan, kWidth);
  spec.material.substeps = substeps;
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  // A small lift so the pressure has a side to push the flat strip to.
  for (std::size_t i = 3; i < state.position_m.size(); ++i)
    state.position_m[i].z = 1e-4 * std::sin(3.14159 * state.position_m[i].x / kLength);
  TissueLoad load;
  load.pressure_Pa = kPressure;
  for (int step = 0; step < 3000; ++step) {
    EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);
  }
  double sagitta = 0.0;
  for (int r = 0; r < kRows; ++r)
    sagitta = std::max(sagitta, std::fabs(state.position_m[static_cast<std::size_t>(model.Node(0, r, 1))].z));
  // Laplace: a membrane under uniform pressure p is a circular arc with
  // tension T = p R per unit width; the chords carry T over the width.
  const double segment = kLength / (kRows - 1);
  const double theta = HalfAngle(kRows - 1, segment, kSpan);
  const double radius = segment / (2.0 * std::sin(theta / (kRows - 1)));
  double tension = 0.0;
  for (double t : state.chord_tension_N) tension += t;
  return {sagitta, radius * (1.0 - std::cos(theta)), tension, kPressure * radius * kWidth};
}

TEST(LeafletTissue, PressurisedStripIsACircularArcWithLaplaceTension) {
  // Sagitta of the arc with the strip's length over the span, and the end
  // tension p R w (Laplace's law for a cylindrical membrane); the error of
  // the unconverged substeps shrinks as the substep shortens.
  const ArcResult coarse = PressurisedStrip(4);
  const ArcResult fine = PressurisedStrip(16);
  const double coarse_error = std::fabs(coarse.sagitta_m / coarse.expected_sagitta_m - 1.0);
  const double fine_error = std::fabs(fine.sagitta_m / fine.expected_sagitta_m - 1.0);
  std::printf("arc: sagitta %.4f mm (4 substeps), %.4f mm (16), expected %.4f; tension %.4f / %.4f N, expected %.4f\n",
              coarse.sagitta_m * 1e3, fine.sagitta_m * 1e3, fine.expected_sagitta_m * 1e3,
              coarse.chord_tension_N, fine.chord_tension_N,
              fine.expected_tension_N);
  EXPECT_LT(fine_error, 0.01);
  EXPECT_LE(fine_error, coarse_error);
  EXPECT_NEAR(fine.chord_tension_N, fine.expected_tension_N, 0.02 * fine.expected_tension_N);
}

TEST(LeafletTissue, ChordsPullButNeverPush) {
  // A chord longer than the distance to its anchor is slack: no tension, the
  // node stays where it is; a stretched chord pulls its node in.
  LeafletTissueSpec spec = Strip(5, 0.01, 0.01, 0.01);
  for (auto& chord : spec.chordae) chord.rest_length_m = 0.003;  // slack: anchors at the nodes
  const LeafletTissueModel slack_model = LeafletTissueModel::Build(spec);
  LeafletTissueState slack = InitialTissueState(slack_model);
  for (int step = 0; step < 100; ++step) ASSERT_EQ(StepTissue(slack_model, {}, 1e-3, &slack), TissueStatus::kOk);
  for (double t : slack.chord_tension_N) EXPECT_EQ(t, 0.0);
  for (std::size_t i = 0; i < slack.position_m.size(); ++i)
    EXPECT_LT(Norm(slack.position_m[i] - slack_model.RestPositions()[i]), 1e-9);

  for (auto& chord : spec.chordae) chord.anchor_m.x = 0.015;  // 5 mm beyond, rest 3 mm
  const LeafletTissueModel taut_model = LeafletTissueModel::Build(spec);
  LeafletTissueState taut = InitialTissueState(taut_model);
  for (int step = 0; step < 100; ++step) ASSERT_EQ(StepTissue(taut_model, {}, 1e-3, &taut), TissueStatus::kOk);
  for (double t : taut.chord_tension_N) EXPECT_GT(t, 0.0);
  EXPECT_GT(taut.position_m[static_cast<std::size_t>(taut_model.Node(0, 4, 1))].x, 0.0105);
}

TEST(LeafletTissue, PressedSheetsStayOneContactDistanceApart) {
  // Two parallel sheets 2 mm apart pushed into each other by the pressure:
  // they meet and stop; no node of one passes the other.
  LeafletTissueSpec spec;
  for (int s = 0; s < 2; ++s) {
    TissueSheetSpec sheet;
    sheet.rows = 6;
    sheet.columns = 6;
    sheet.load_sign = s == 0 ? 1.0 : -1.0;
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 6; ++c) sheet.rest_m.push_back({0.002 * r, 0.002 * c, s == 0 ? -0.001 : 0.001});
    sheet.pin_end_columns = true;
    spec.sheets.push_back(sheet);
  }
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  TissueLoad load;
  // Grid normal Cross(+y, +x) = −z: sheet 0 (sign +1) is pushed down... so
  // push with a negative pressure: sheet 0 up, sheet 1 down, into each other.
  load.pressure_Pa = -13000.0;  // systolic
  double lowest_top = 1.0, highest_bottom = -1.0;
  for (int step = 0; step < 500; ++step) ASSERT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);
  for (int i = 0; i < model.NodeCount(); ++i) {
    const double z = state.position_m[static_cast<std::size_t>(i)].z;
    if (model.SheetOfNode(i) == 0) highest_bottom = std::max(highest_bottom, z);
    else lowest_top = std::min(lowest_top, z);
  }
  std::printf("contact: bottom sheet up to %.3f mm, top sheet down to %.3f mm\n", highest_bottom * 1e3,
              lowest_top * 1e3);
  EXPECT_GT(highest_bottom, -0.0008);  // they moved into each other (from -1 mm)
  EXPECT_GT(lowest_top - highest_bottom, 0.9 * spec.material.contact_distance_m);
}

// A clip arm as a plate under the strip (no chordae: only row 0 is pinned).
TissuePlate PlateBelowStrip(double z_mid_m, double from_x_m, double to_x_m) {
  TissuePlate plate;
  plate.origin_m = {from_x_m, 0.0, z_mid_m};
  plate.length_axis = {1.0, 0.0, 0.0};
  plate.width_axis = {0.0, 1.0, 0.0};  // normal Cross(x, y) = +z
  plate.length_m = to_x_m - from_x_m;
  plate.half_width_m = 0.01;
  plate.half_thickness_m = 0.0005;
  return plate;
}

TEST(LeafletTissue, PlateCarriesThePressureOnTheTissueItHolds) {
  // A flat strip pressed (grid normal −z) onto a plate whose face is its own
  // plane: it stays flat, so the membrane carries nothing and the plate
  // takes the pressure on every free node's tributary area, p W (L − a/2)
  // (row 0, pinned, takes half of the first row of cells).
  constexpr int kRows = 21;
  constexpr double kLength = 0.024, kWidth = 0.010, kPressure = 1000.0;
  LeafletTissueSpec spec = Strip(kRows, kLength, kLength, kWidth);
  spec.chordae.clear();
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  const double face = 0.0005 + 0.5 * spec.material.contact_distance_m;
  const TissuePlate plate = PlateBelowStrip(-face, -0.001, 0.030);
  TissueLoad load;
  load.pressure_Pa = kPressure;
  load.plates = std::span<const TissuePlate>(&plate, 1);
  for (int step = 0; step < 500; ++step) ASSERT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);
  double deepest = 0.0;
  for (const Vec3& p : state.position_m) deepest = std::min(deepest, p.z);
  const double expected = kPressure * kWidth * (kLength - 0.5 * kLength / (kRows - 1));
  std::printf("plate: force %.5f N (p W (L - a/2) = %.5f N), deepest node %.3g m\n",
              state.plate_force_N[0], expected, deepest);
  EXPECT_NEAR(state.plate_force_N[0], expected, 0.01 * expected);
  EXPECT_GT(deepest, -1e-9);
  EXPECT_EQ(state.plate_force_N[1], 0.0);  // no second plate in the load
}

TEST(LeafletTissue, FastPlateSweepsTissueAlongWithoutTunnelling) {
  // A clip arm jerked up through a hanging strip at 0.2 m/s (twice a fast
  // hand): every node over the plate ends on its leading face.
  LeafletTissueSpec spec = Strip(21, 0.024, 0.024, 0.010);
  spec.chordae.clear();
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  constexpr double kSpeed = 0.2, kStart = -0.005, kDt = 1e-3;
  TissuePlate plate = PlateBelowStrip(kStart, 0.006, 0.020);
  const double face = plate.half_thickness_m + 0.5 * spec.material.contact_distance_m;
  TissueLoad load;
  load.plates = std::span<const TissuePlate>(&plate, 1);
  for (int step = 1; step <= 50; ++step) {
    plate.origin_m.z = kStart + kSpeed * kDt * step;
    ASSERT_EQ(StepTissue(model, load, kDt, &state), TissueStatus::kOk);
  }
  int over = 0;
  double highest = 0.0;
  for (const Vec3& p : state.position_m) {
    highest = std::max(highest, p.z);
    if (p.x < 0.006 || p.x > 0.020) continue;
    ++over;
    EXPECT_GE(p.z, plate.origin_m.z + face - 1e-9) << "node at x = " << p.x;
  }
  std::printf("sweep: plate at %.1f mm, %d nodes over it, highest %.2f mm\n", plate.origin_m.z * 1e3,
              over, highest * 1e3);
  EXPECT_GT(over, 10);
  EXPECT_GT(highest, plate.origin_m.z + face - 1e-9);
}

TEST(LeafletTissue, PlatesOrCapsulesBeyondTheLimitOrNotFiniteAreAFault) {
  const LeafletTissueModel model = LeafletTissueModel::Build(Strip(5, 0.01, 0.01, 0.01));
  LeafletTissueState state = InitialTissueState(model);
  std::array<TissuePlate, kMaxTissuePlates + 1> plates{};
  std::array<TissueCapsule, kMaxTissueCapsules + 1> capsules{};
  TissueLoad load;
  load.plates = std::span<const TissuePlate>(plates.data(), plates.size());
  EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kFault);
  plates[0].origin_m.x = NAN;
  load.plates = std::span<const TissuePlate>(plates.data(), 1);
  EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kFault);
  load.plates = {};
  load.capsules = std::span<const TissueCapsule>(capsules.data(), capsules.size());
  EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kFault);
  capsules[0].radius_m = INFINITY;
  load.capsules = std::span<const TissueCapsule>(capsules.data(), 1);
  EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kFault);
  capsules[0].radius_m = 0.001;
  EXPECT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);  // one finite capsule is fine
}

TEST(LeafletTissue, CapsuleKeepsTheTissueOffItsSurface) {
  // A strip pressed (grid normal −z) onto a clip body lying across it: it
  // drapes over the body and no node ends closer to the axis than the
  // radius plus half the contact distance.
  LeafletTissueSpec spec = Strip(25, 0.024, 0.024, 0.010);
  spec.chordae.clear();
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  TissueCapsule body;
  body.radius_m = 0.001;
  const double reach = body.radius_m + 0.5 * spec.material.contact_distance_m;
  body.a_m = {0.012, -0.02, -reach - 0.002};
  body.b_m = {0.012, 0.02, -reach - 0.002};
  TissueLoad load;
  load.pressure_Pa = 200.0;
  load.capsules = std::span<const TissueCapsule>(&body, 1);
  for (int step = 0; step < 500; ++step) ASSERT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);
  double nearest = 1.0, lowest = 0.0;
  for (const Vec3& p : state.position_m) {
    nearest = std::min(nearest, std::hypot(p.x - body.a_m.x, p.z - body.a_m.z));
    lowest = std::min(lowest, p.z);
  }
  std::printf("capsule: nearest node %.4f mm from the axis (reach %.4f mm), lowest %.2f mm\n",
              nearest * 1e3, reach * 1e3, lowest * 1e3);
  EXPECT_GE(nearest, reach - 1e-9);
  EXPECT_LT(nearest, reach + 1e-4);             // it rests on the body
  EXPECT_LT(lowest, body.a_m.z - 0.002);        // and hangs down beyond it
}

TEST(LeafletTissue, PlateCannotSliceACoarseMembraneBetweenNodes) {
  // A strip hanging down (rows along −z, 4 mm apart) whose free edge row has
  // swung under a thin plate while the row before it is above, both over the
  // plate and neither within its thickness: nodes alone never touch it, the
  // edge between them cuts it. After a step no edge joins nodes on opposite
  // faces: the free row is put on its neighbours' side, as a leaflet edge on
  // a clip arm.
  constexpr int kRows = 7;
  constexpr double kLength = 0.024;
  LeafletTissueSpec spec = Strip(kRows, kLength, kLength, 0.010);
  spec.chordae.clear();
  const LeafletTissueModel model = LeafletTissueModel::Build(spec);
  LeafletTissueState state = InitialTissueState(model);
  for (Vec3& p : state.position_m) p = {0.0, p.y, -p.x};
  state.previous_m = state.position_m;
  const double row_m = kLength / (kRows - 1);
  TissuePlate plate;
  plate.origin_m = {-0.005, 0.0, -5.6 * row_m};
  plate.length_axis = {1.0, 0.0, 0.0};
  plate.width_axis = {0.0, 1.0, 0.0};  // normal +z
  plate.length_m = 0.010;
  plate.half_width_m = 0.010;
  plate.half_thickness_m = 0.0005;
  const auto straddling = [&] {
    int count = 0;
    for (const TissueDistance& edge : model.Distances()) {
      const double za = state.position_m[static_cast<std::size_t>(edge.a)].z - plate.origin_m.z;
      const double zb = state.position_m[static_cast<std::size_t>(edge.b)].z - plate.origin_m.z;
      if ((za >= 0.0) != (zb >= 0.0)) ++count;
    }
    return count;
  };
  ASSERT_GT(straddling(), 0);
  TissueLoad load;
  load.plates = std::span<const TissuePlate>(&plate, 1);
  ASSERT_EQ(StepTissue(model, load, 1e-3, &state), TissueStatus::kOk);
  EXPECT_EQ(straddling(), 0);
  for (int c = 0; c < 3; ++c) {
    EXPECT_GE(state.position_m[static_cast<std::size_t>(model.Node(0, kRows - 1, c))].z,
              plate.origin_m.z + plate.half_thickness_m - 1e-9);
  }
}

bool SamePositions(const std::vector<Vec3>& a, const std::vector<Vec3>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].x != b[i].x || a[i].y != b[i].y || a[i].z != b[i].z) return false;
  return true;
}

TEST(LeafletTissue, AnOverstretchNamesTheEdgeItTore) {
  // The free end of an 11-row strip (1.2 mm rows) held 30 mm beyond its
  // chords: the edges between the hold and the chords cannot follow, and
  // the fault names one of them; a numerical fault names none.
  const LeafletTissueModel model = LeafletTissueModel::Build(Strip(11, 0.012, 0.01, 0.01));
  LeafletTissueState state = InitialTissueState(model);
  const auto before = state.position_m;
  std::array<TissueHold, 3> holds{};
  for (int c = 0; c < 3; ++c) {
    const int node = model.Node(0, 10, c);
    holds[static_cast<std::size_t>(c)] = {
        node, before[static_cast<std::size_t>(node)] + Vec3{0, 0, 0.03}};
  }
  TissueLoad pulled;
  pulled.holds = holds;
  ASSERT_EQ(StepTissue(model, pulled, 1e-3, &state), TissueStatus::kFault);
  EXPECT_TRUE(SamePositions(state.position_m, before));
  const auto [a, b] = state.overstretched_edge;
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_LT(a, model.NodeCount());
  EXPECT_LT(b, model.NodeCount());
  TissueLoad nan;
  nan.pressure_Pa = NAN;
  EXPECT_EQ(StepTissue(model, nan, 1e-3, &state), TissueStatus::kFault);
  EXPECT_EQ(state.overstretched_edge, (std::array<std::int32_t, 2>{-1, -1}));
  EXPECT_EQ(StepTissue(model, TissueLoad{}, 1e-3, &state), TissueStatus::kOk);
  EXPECT_EQ(state.overstretched_edge, (std::array<std::int32_t, 2>{-1, -1}));
}

TEST(LeafletTissue, FaultIsReportedAndStateKept) {
  const LeafletTissueModel model = LeafletTissueModel::Build(Strip(11, 0.012, 0.01, 0.01));
  LeafletTissueState state = InitialTissueState(model);
  const auto before = state.position_m;
  TissueLoad absurd;
  absurd.pressure_Pa = 1e12;  // tears the strip
  EXPECT_EQ(StepTissue(model, absurd, 1e-3, &state), TissueStatus::kFault);
  EXPECT_TRUE(SamePositions(state.position_m, before));
  TissueLoad nan;
  nan.pressure_Pa = NAN;
  EXPECT_EQ(StepTissue(model, nan, 1e-3, &state), TissueStatus::kFault);
  EXPECT_TRUE(SamePositions(state.position_m, before));
}

TEST(LeafletTissue, DeterministicAndSaveRestoreExact) {
  const LeafletTissueModel model = LeafletTissueModel::Build(Strip(21, 0.024, 0.02, 0.01));
  TissueLoad load;
  load.pressure_Pa = 500.0;
  LeafletTissueState a = InitialTissueState(model);
  for (int step = 0; step < 100; ++step) StepTissue(model, load, 1e-3, &a);
  LeafletTissueState saved = a;
  for (int step = 0; step < 100; ++step) StepTissue(model, load, 1e-3, &a);
  for (int step = 0; step < 100; ++step) StepTissue(model, load, 1e-3, &saved);
  StateHasher ha, hb;
  EXPECT_EQ(AddToHash(a, ha).Value(), AddToHash(saved, hb).Value());
}

TEST(LeafletTissue, BadInputNamesKeyAndRange) {
  const auto message = [](LeafletTissueSpec spec) {
    try {
      LeafletTissueModel::Build(spec);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  LeafletTissueSpec spec = Strip(5, 0.01, 0.01, 0.01);
  spec.material.membrane_stiffness_N_per_m = -1.0;
  EXPECT_NE(message(spec).find("material.membrane_stiffness_N_per_m: expected > 0"), std::string::npos);
  spec = Strip(5, 0.01, 0.01, 0.01);
  spec.sheets[0].thickness_m = 0.0;
  EXPECT_NE(message(spec).find("sheets[0].thickness_m"), std::string::npos);
  spec = Strip(5, 0.01, 0.01, 0.01);
  spec.sheets[0].rest_m.pop_back();
  EXPECT_NE(message(spec).find("sheets[0].rest_m size"), std::string::npos);
  spec = Strip(5, 0.01, 0.01, 0.01);
  spec.chordae[0].row = 0;
  EXPECT_NE(message(spec).find("chordae[0].row"), std::string::npos);
  spec = Strip(5, 0.01, 0.01, 0.01);
  spec.chordae[0].rest_length_m = -0.001;
  EXPECT_NE(message(spec).find("chordae[0].rest_length_m"), std::string::npos);
}

}  // namespace
}  // namespace teersim::physics
