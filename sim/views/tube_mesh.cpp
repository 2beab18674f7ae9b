#include "sim/views/tube_mesh.h"

#include <cmath>
#include <unordered_map>

namespace teersim::views {
namespace {

constexpr double kTwoPi = 6.283185307179586;

void AddVertex(sim::SnapshotMesh* mesh, const Vec3& p) {
  for (const double c : p) mesh->vertices_m.push_back(static_cast<float>(c));
}
void AddTriangle(sim::SnapshotMesh* mesh, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  mesh->indices.insert(mesh->indices.end(), {a, b, c});
}
// Any unit vector perpendicular to `t`.
Vec3 Perpendicular(const Vec3& t) {
  const Vec3 helper = std::fabs(t[2]) < 0.9 ? Vec3{0, 0, 1} : Vec3{1, 0, 0};
  return Normalized(Cross(t, helper));
}

}  // namespace

sim::SnapshotMesh TubeMesh(const sim::SnapshotPolyline& polyline, int sides) {
  sim::SnapshotMesh mesh;
  mesh.name = polyline.name;
  mesh.rgba = polyline.rgba;
  mesh.tissue = polyline.tissue;
  std::vector<Vec3> points;
  for (std::size_t i = 0; 3 * i + 2 < polyline.points_m.size(); ++i) {
    const Vec3 p = VertexAt(polyline.points_m, i);
    if (points.empty() || Norm(p - points.back()) > 1e-6) points.push_back(p);
  }
  if (points.size() < 2) return mesh;
  const double radius = std::max<double>(polyline.radius_m, kMinTubeRadius_m);

  // Rings with a parallel-transported frame (no twist), one per point; the
  // tangent at an inner point bisects its two segments.
  Vec3 normal = Perpendicular(Normalized(points[1] - points[0]));
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Vec3 forward =
        Normalized(points[std::min(i + 1, points.size() - 1)] - points[i > 0 ? i - 1 : 0]);
    normal = Normalized(normal - Dot(normal, forward) * forward);
    if (Norm(normal) < 0.5) normal = Perpendicular(forward);
    const Vec3 binormal = Cross(forward, normal);
    for (int k = 0; k < sides; ++k) {
      const double angle = kTwoPi * k / sides;
      AddVertex(&mesh,
                points[i] + radius * (std::cos(angle) * normal + std::sin(angle) * binormal));
    }
  }
  const auto ring = [sides](std::size_t i, int k) {
    return static_cast<std::uint32_t>(i * sides + (k % sides));
  };
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    for (int k = 0; k < sides; ++k) {
      AddTriangle(&mesh, ring(i, k), ring(i + 1, k + 1), ring(i + 1, k));
      AddTriangle(&mesh, ring(i, k), ring(i, k + 1), ring(i + 1, k + 1));
    }
  }
  // End caps: a fan around each end point.
  const auto first_centre = static_cast<std::uint32_t>(mesh.vertices_m.size() / 3);
  AddVertex(&mesh, points.front());
  const auto last_centre = first_centre + 1;
  AddVertex(&mesh, points.back());
  const std::size_t last = points.size() - 1;
  for (int k = 0; k < sides; ++k) {
    AddTriangle(&mesh, first_centre, ring(0, k + 1), ring(0, k));
    AddTriangle(&mesh, last_centre, ring(last, k), ring(last, k + 1));
  }
  return mesh;
}

bool IsClosedMesh(const std::vector<std::uint32_t>& indices) {
  if (indices.size() < 12) return false;  // a closed surface needs at least a tetrahedron
  std::unordered_map<std::uint64_t, int> edge_uses;
  edge_uses.reserve(indices.size());
  for (std::size_t t = 0; t + 2 < indices.size(); t += 3) {
    for (int e = 0; e < 3; ++e) {
      const std::uint64_t a = indices[t + e], b = indices[t + (e + 1) % 3];
      ++edge_uses[std::min(a, b) << 32 | std::max(a, b)];
    }
  }
  for (const auto& [edge, uses] : edge_uses) {
    if (uses != 2) return false;
  }
  return true;
}

sim::SnapshotMesh EllipsoidMesh(const std::string& name, const Vec3& centre_m, const Vec3& radii_m,
                                int slices, int stacks, double squareness) {
  // Signed power keeps the octant: |c|^e with the sign of c.
  const auto shaped = [squareness](double c) {
    return std::copysign(std::pow(std::fabs(c), squareness), c);
  };
  sim::SnapshotMesh mesh;
  mesh.name = name;
  // Poles plus (stacks - 1) rings of `slices` vertices.
  AddVertex(&mesh, centre_m + Vec3{0, 0, radii_m[2]});
  for (int s = 1; s < stacks; ++s) {
    const double polar = kTwoPi * 0.5 * s / stacks;
    for (int k = 0; k < slices; ++k) {
      const double azimuth = kTwoPi * k / slices;
      AddVertex(&mesh,
                centre_m + Vec3{radii_m[0] * shaped(std::sin(polar)) * shaped(std::cos(azimuth)),
                                radii_m[1] * shaped(std::sin(polar)) * shaped(std::sin(azimuth)),
                                radii_m[2] * shaped(std::cos(polar))});
    }
  }
  const auto bottom = static_cast<std::uint32_t>(mesh.vertices_m.size() / 3);
  AddVertex(&mesh, centre_m - Vec3{0, 0, radii_m[2]});
  const auto at = [slices](int ring, int k) {
    return static_cast<std::uint32_t>(1 + ring * slices + ((k + slices) % slices));
  };
  for (int k = 0; k < slices; ++k) {
    AddTriangle(&mesh, 0, at(0, k), at(0, k + 1));
    AddTriangle(&mesh, bottom, at(stacks - 2, k + 1), at(stacks - 2, k));
  }
  for (int s = 0; s + 2 < stacks; ++s) {
    for (int k = 0; k < slices; ++k) {
      AddTriangle(&mesh, at(s, k), at(s + 1, k), at(s + 1, k + 1));
      AddTriangle(&mesh, at(s, k), at(s + 1, k + 1), at(s, k + 1));
    }
  }
  return mesh;
}

sim::SnapshotMesh BoxMesh(const std::string& name, const Vec3& centre_m, const Vec3& axis_u,
                          const Vec3& axis_v, const Vec3& half_m) {
  sim::SnapshotMesh mesh;
  mesh.name = name;
  const Vec3 axis_w = Cross(axis_u, axis_v);
  for (int corner = 0; corner < 8; ++corner) {
    const double su = (corner & 1) ? 1.0 : -1.0;
    const double sv = (corner & 2) ? 1.0 : -1.0;
    const double sw = (corner & 4) ? 1.0 : -1.0;
    AddVertex(&mesh, centre_m + (su * half_m[0]) * axis_u + (sv * half_m[1]) * axis_v +
                         (sw * half_m[2]) * axis_w);
  }
  // Faces as quads of corner indices, counter-clockwise seen from outside.
  constexpr std::uint32_t kFaces[6][4] = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4},
                                          {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
  for (const auto& face : kFaces) {
    AddTriangle(&mesh, face[0], face[1], face[2]);
    AddTriangle(&mesh, face[0], face[2], face[3]);
  }
  return mesh;
}

}  // namespace teersim::views
