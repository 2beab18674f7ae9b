// Closed triangle meshes for imaging: an instrument polyline becomes a tube of
// its radius with end caps (fluoroscopy integrates thickness through closed
// surfaces), plus an ellipsoid and an oriented box for synthetic scenes.
// Plain C++, patient frame, metres, counter-clockwise = outward.
#pragma once

#include "sim/snapshot.h"
#include "sim/views/imaging_math.h"

namespace teersim::views {

// A tube of `polyline.radius_m` (at least kMinTubeRadius_m) along the points,
// capped at both ends. Consecutive duplicate points are skipped; fewer than
// two distinct points give an empty mesh.
sim::SnapshotMesh TubeMesh(const sim::SnapshotPolyline& polyline, int sides = 10);
inline constexpr double kMinTubeRadius_m = 0.0003;

// True when every edge is shared by exactly two triangles (a closed surface
// bounding a volume); open sheets (a leaflet as a surface, a membrane disc)
// are imaged as thin layers instead.
bool IsClosedMesh(const std::vector<std::uint32_t>& indices);

// Ellipsoid with semi-axes `radii_m` along x, y, z about `centre_m`. A
// `squareness` below 1 makes a superellipsoid (0.3: a box with rounded edges,
// like a vertebral body).
sim::SnapshotMesh EllipsoidMesh(const std::string& name, const Vec3& centre_m, const Vec3& radii_m,
                                int slices = 24, int stacks = 16, double squareness = 1.0);
// Box centred at `centre_m` with half-sizes along the orthonormal axes `axis_u`,
// `axis_v` and their cross product.
sim::SnapshotMesh BoxMesh(const std::string& name, const Vec3& centre_m, const Vec3& axis_u,
                          const Vec3& axis_v, const Vec3& half_m);

}  // namespace teersim::views
