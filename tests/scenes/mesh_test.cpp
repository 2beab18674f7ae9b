// Mesh builders and queries against closed forms: ellipsoid volume 4/3·πabc,
// tube cross-section πab, ray chords, plane fits, segment distances.
#include "scenes/mesh.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace teersim::scenes {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(Mesh, EllipsoidIsClosedOutwardAndConvergesToItsVolume) {
  const Vec3 semi{0.02, 0.015, 0.01};
  const double exact = 4.0 / 3.0 * kPi * semi[0] * semi[1] * semi[2];
  double previous_error = INFINITY;
  for (int n : {8, 16, 32, 64}) {
    const TriangleMesh mesh = Ellipsoid({0.1, -0.2, 0.3}, Basis{}, semi, n, 2 * n);
    EXPECT_TRUE(CheckClosed(mesh).Closed()) << n;
    const double error = std::abs(SignedVolume(mesh) - exact) / exact;
    EXPECT_GT(SignedVolume(mesh), 0.0);
    // The inscribed polyhedron's error falls about fourfold per doubling (O(h²)).
    EXPECT_LT(error, previous_error / 3.0) << n;
    previous_error = error;
  }
  EXPECT_LT(previous_error, 2e-3);
}

TEST(Mesh, TubeSectionAreaIsPiAB) {
  std::vector<TubeSection> sections;
  for (int i = 0; i <= 10; ++i) sections.push_back({{0.0, 0.0, 0.01 * i}, 0.008, 0.012});
  for (int sides : {16, 64}) {
    const TriangleMesh tube = Tube(sections, frame::kPosterior, sides);
    EXPECT_TRUE(CheckClosed(tube).Closed());
    EXPECT_GT(SignedVolume(tube), 0.0);
    const auto cut = PlaneSection(tube, {0, 0, 0.055}, frame::kSuperior);
    // The inscribed polygon's area: (n/2)·sin(2π/n)·ab.
    const double polygon = sides / 2.0 * std::sin(2.0 * kPi / sides) * 0.008 * 0.012;
    EXPECT_NEAR(SectionArea(cut, frame::kSuperior), polygon, 1e-9);
  }
}

TEST(Mesh, ThickSheetAndLoopTubeAreClosedAndOutward) {
  SheetGrid grid;
  grid.rows = 4;
  grid.columns = 6;
  for (int i = 0; i < grid.rows; ++i) {
    for (int j = 0; j < grid.columns; ++j) {
      grid.mid.push_back({0.01 * i, 0.01 * j, 0.002 * i * j});
      grid.offset.push_back(frame::kSuperior);
      grid.thickness_m.push_back(0.002);
    }
  }
  for (bool periodic : {false, true}) {
    SheetGrid g = grid;
    g.periodic_columns = periodic;
    if (periodic) {  // a ring: columns around a circle
      for (int i = 0; i < g.rows; ++i) {
        for (int j = 0; j < g.columns; ++j) {
          const double a = 2.0 * kPi * j / g.columns, r = 0.01 + 0.005 * i;
          g.mid[i * g.columns + j] = {r * std::cos(a), r * std::sin(a), 0.0};
        }
      }
    }
    const TriangleMesh sheet = ThickSheet(g);
    EXPECT_TRUE(CheckClosed(sheet).Closed()) << periodic;
    EXPECT_GT(SignedVolume(sheet), 0.0);
  }
  std::vector<Vec3> loop;
  for (int k = 0; k < 24; ++k)
    loop.push_back({0.02 * std::cos(2 * kPi * k / 24), 0.02 * std::sin(2 * kPi * k / 24), 0});
  const TriangleMesh ring = LoopTube(loop, frame::kSuperior, 0.002, 8);
  EXPECT_TRUE(CheckClosed(ring).Closed());
  EXPECT_GT(SignedVolume(ring), 0.0);
}

TEST(Mesh, ClosednessCheckCatchesHolesAndFlippedTriangles) {
  TriangleMesh mesh = Ellipsoid({0, 0, 0}, Basis{}, {0.01, 0.01, 0.01}, 6, 8);
  TriangleMesh flipped = mesh;
  std::swap(flipped.triangles[3][1], flipped.triangles[3][2]);
  EXPECT_EQ(CheckClosed(flipped).inconsistent_edges, 3u);
  mesh.triangles.pop_back();
  EXPECT_EQ(CheckClosed(mesh).boundary_edges, 3u);
}

TEST(Mesh, RayChordThroughASphereCountsSharedVerticesOnce) {
  const TriangleMesh sphere = Ellipsoid({0, 0, 0}, Basis{}, {0.01, 0.01, 0.01}, 12, 24);
  // Along z the ray passes through both poles, each shared by 24 triangles.
  const auto hits = RayHits(sphere, {0, 0, -0.05}, frame::kSuperior);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_NEAR(hits[1] - hits[0], 0.02, 1e-12);
}

TEST(Mesh, FitPlaneFindsTheTiltedPlane) {
  const Vec3 normal = Normalized({0.2, -0.3, 1.0});
  const Basis basis = BasisFromZ(normal, frame::kLeft);
  std::vector<Vec3> points;
  for (int k = 0; k < 40; ++k) {
    const double a = 2 * kPi * k / 40;
    points.push_back(Vec3{0.01, 0.02, 0.03} + basis(0.03 * std::cos(a), 0.02 * std::sin(a), 0.0));
  }
  const Plane plane = FitPlane(points, frame::kSuperior);
  EXPECT_NEAR(Dot(plane.normal, normal), 1.0, 1e-12);
  EXPECT_NEAR(Distance(plane.point, {0.01, 0.02, 0.03}), 0.0, 1e-12);
}

TEST(Mesh, SegmentDistanceClosedForms) {
  EXPECT_NEAR(SegmentDistance({{0, 0, 0}, {1, 0, 0}}, {{0.5, 1, 0}, {0.5, 2, 0}}), 1.0, 1e-15);
  EXPECT_NEAR(SegmentDistance({{0, 0, 0}, {1, 0, 0}}, {{0.5, -1, 1}, {0.5, 1, 1}}), 1.0,
              1e-15);  // skew
  EXPECT_NEAR(SegmentDistance({{0, 0, 0}, {1, 0, 0}}, {{0.5, -1, 0}, {0.5, 1, 0}}), 0.0,
              1e-15);  // crossing
  EXPECT_NEAR(SegmentDistance({{0, 0, 0}, {1, 0, 0}}, {{3, 0, 0}, {4, 0, 0}}), 2.0,
              1e-15);  // collinear
}

}  // namespace
}  // namespace teersim::scenes
