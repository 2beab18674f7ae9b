// ContactWorld: static anatomy as plain triangle meshes (vertex array +
// index array, metres, patient frame LPS), with Bullet's BVH
// (btBvhTriangleMeshShape) for the per-element proximity queries of the rod
// solver. Bullet stays behind this interface (pImpl). Built once at start-up;
// queries allocate nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "physics/rod_math.h"

namespace teersim::physics {

struct TriangleMesh {
  std::vector<double> vertices_m;      // x0 y0 z0 x1 y1 z1 ...
  std::vector<std::uint32_t> indices;  // three per triangle, counter-clockwise
                                       // seen from the side the rod may occupy
};

// Closest feature of the anatomy near a point.
struct ProximityHit {
  Vec3 point;                      // closest point on a triangle (m)
  Vec3 normal;                     // unit, from the surface towards the query point (free side)
  double signed_distance_m = 0.0;  // negative behind the surface
};

inline constexpr int kMaxProximityHits = 2;

class ContactWorld {
 public:
  // Throws InputError for an index out of range, a degenerate mesh or an empty
  // mesh list.
  explicit ContactWorld(const std::vector<TriangleMesh>& meshes);
  ~ContactWorld();
  ContactWorld(const ContactWorld&) = delete;
  ContactWorld& operator=(const ContactWorld&) = delete;

  // Up to kMaxProximityHits hits with signed distance < `radius_m`, deepest
  // first, with distinct normals. Returns the count written to `hits`.
  int Query(const Vec3& point, double radius_m, ProximityHit* hits) const;

  int TriangleCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A closed-side tube around a polyline centreline (m): `sides` vertices per
// ring, triangles facing inwards (the rod lives inside). For tests and
// benchmarks; real anatomy comes from scenes/.
TriangleMesh MakeTubeMesh(const std::vector<Vec3>& centreline, double radius_m, int sides);

// Centreline of a straight run of `lead_m`, then a circular arc of `radius_m`
// and angle `angle_rad` turning from +z towards +x, then a straight run of
// `lead_m`; points spaced about `spacing_m` apart, starting at `start`.
std::vector<Vec3> MakeBentPath(const Vec3& start, double lead_m, double radius_m, double angle_rad,
                               double spacing_m);

}  // namespace teersim::physics
