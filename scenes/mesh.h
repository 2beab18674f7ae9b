// TriangleMesh: an indexed triangle mesh in the patient frame (LPS, metres),
// the primitive builders the anatomy generator composes, and the geometric
// queries its measurements use. Every builder returns a closed mesh (each
// edge shared by exactly two triangles) wound counter-clockwise seen from
// outside, so its signed volume is positive.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "scenes/vec3.h"

namespace teersim::scenes {

struct TriangleMesh {
  std::vector<Vec3> vertices;                           // metres, patient frame
  std::vector<std::array<std::uint32_t, 3>> triangles;  // counter-clockwise = outward

  // Appends `other` as a further closed component.
  void Append(const TriangleMesh& other);
  std::uint32_t AddVertex(const Vec3& p);
  void AddTriangle(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    triangles.push_back({a, b, c});
  }
};

// --- Builders ----------------------------------------------------------------

// Ellipsoid with semi-axes (a, b, c) along basis.x, .y, .z around `centre`;
// `rings` latitude bands (>= 3) and `segments` meridians (>= 3).
TriangleMesh Ellipsoid(const Vec3& centre, const Basis& basis, const Vec3& semi_axes_m, int rings,
                       int segments);

// A tube along a centreline (>= 2 points) with an elliptical cross-section per
// point: radius_a along the transported normal (starting as close as possible
// to `first_normal`), radius_b along the binormal. Flat caps close both ends.
struct TubeSection {
  Vec3 centre;
  double radius_a_m = 0.0;
  double radius_b_m = 0.0;
};
TriangleMesh Tube(const std::vector<TubeSection>& sections, const Vec3& first_normal, int sides);

// A closed loop of tube (a ring, e.g. the annulus) through `loop` (>= 3
// points, the last joining the first), circular with `radius_m`. The
// cross-section is oriented by `up`, which must never be along the loop.
TriangleMesh LoopTube(const std::vector<Vec3>& loop, const Vec3& up, double radius_m, int sides);

// A thick sheet around a mid-surface grid mid[i][j] (rows i, columns j), each
// point moved ±thickness/2 along its `offset` unit vector to make the two
// faces; side walls close the border. `periodic_columns` closes the grid in j
// (a ring), so only the first and last rows need walls.
struct SheetGrid {
  int rows = 0;
  int columns = 0;
  std::vector<Vec3> mid;            // rows × columns, row-major
  std::vector<Vec3> offset;         // unit offset direction per point
  std::vector<double> thickness_m;  // per point
  bool periodic_columns = false;
};
TriangleMesh ThickSheet(const SheetGrid& grid);

// Flips every triangle if the signed volume is negative, so the mesh faces out.
void OrientOutward(TriangleMesh* mesh);

// --- Queries -----------------------------------------------------------------

// Signed volume by the divergence theorem (m³); positive for an outward mesh.
double SignedVolume(const TriangleMesh& mesh);

struct ClosednessReport {
  std::size_t boundary_edges = 0;      // edges used by one triangle
  std::size_t nonmanifold_edges = 0;   // edges used by more than two triangles
  std::size_t inconsistent_edges = 0;  // edges both of whose triangles run the same way
  std::size_t degenerate_triangles = 0;
  bool Closed() const {
    return boundary_edges == 0 && nonmanifold_edges == 0 && inconsistent_edges == 0 &&
           degenerate_triangles == 0;
  }
};
ClosednessReport CheckClosed(const TriangleMesh& mesh);

Vec3 VertexCentroid(const TriangleMesh& mesh);
// Centre of the enclosed volume (closed meshes).
Vec3 VolumeCentroid(const TriangleMesh& mesh);

// Distances t >= 0 along origin + t·direction (unit) at which the ray crosses
// the mesh, sorted.
std::vector<double> RayHits(const TriangleMesh& mesh, const Vec3& origin, const Vec3& direction);

// The cut of a closed mesh by a plane: oriented segments. With `near` set,
// only segments whose midpoint lies within `radius_m` of it are kept.
struct Segment {
  Vec3 a, b;
};
std::vector<Segment> PlaneSection(const TriangleMesh& mesh, const Vec3& plane_point,
                                  const Vec3& plane_normal);
std::vector<Segment> KeepNear(const std::vector<Segment>& segments, const Vec3& near,
                              double radius_m);
// Enclosed area (m²) of section loops in the plane with unit normal `n`.
double SectionArea(const std::vector<Segment>& segments, const Vec3& n);
double SectionPerimeter(const std::vector<Segment>& segments);
Vec3 SectionCentroid(const std::vector<Segment>& segments);  // length-weighted

// Closest distance between two segments (3D).
double SegmentDistance(const Segment& s, const Segment& t);

// Least-squares plane through points: centroid and unit normal (the
// direction of least spread); the normal's sign points along `toward`.
struct Plane {
  Vec3 point;
  Vec3 normal;
};
Plane FitPlane(const std::vector<Vec3>& points, const Vec3& toward);

}  // namespace teersim::scenes
