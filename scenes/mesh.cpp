#include "scenes/mesh.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <utility>

namespace teersim::scenes {
namespace {

// Möller–Trumbore rejects rays this close to parallel with a triangle.
constexpr double kParallelEpsilon = 1e-15;
// Jacobi sweeps for a 3×3 symmetric eigenproblem converge in well under this.
constexpr int kJacobiSweeps = 50;
// Ray hits closer than a nanometre are one crossing (a shared vertex or edge).
constexpr double kSameHit_m = 1e-9;

using Index = std::uint32_t;

}  // namespace

std::uint32_t TriangleMesh::AddVertex(const Vec3& p) {
  vertices.push_back(p);
  return static_cast<Index>(vertices.size() - 1);
}

void TriangleMesh::Append(const TriangleMesh& other) {
  const auto base = static_cast<Index>(vertices.size());
  vertices.insert(vertices.end(), other.vertices.begin(), other.vertices.end());
  for (const auto& t : other.triangles)
    triangles.push_back({t[0] + base, t[1] + base, t[2] + base});
}

TriangleMesh Ellipsoid(const Vec3& centre, const Basis& basis, const Vec3& semi_axes_m, int rings,
                       int segments) {
  // Latitude/longitude grid with one vertex at each pole.
  TriangleMesh mesh;
  const Index north = mesh.AddVertex(centre + basis(0, 0, semi_axes_m[2]));
  for (int r = 1; r < rings; ++r) {
    const double polar = std::numbers::pi * r / rings;
    for (int s = 0; s < segments; ++s) {
      const double azimuth = 2.0 * std::numbers::pi * s / segments;
      mesh.AddVertex(centre + basis(semi_axes_m[0] * std::sin(polar) * std::cos(azimuth),
                                    semi_axes_m[1] * std::sin(polar) * std::sin(azimuth),
                                    semi_axes_m[2] * std::cos(polar)));
    }
  }
  const Index south = mesh.AddVertex(centre + basis(0, 0, -semi_axes_m[2]));
  const auto at = [&](int r, int s) {
    return static_cast<Index>(1 + (r - 1) * segments + (s % segments));
  };
  for (int s = 0; s < segments; ++s) {
    mesh.AddTriangle(north, at(1, s), at(1, s + 1));
    mesh.AddTriangle(south, at(rings - 1, s + 1), at(rings - 1, s));
    for (int r = 1; r + 1 < rings; ++r) {
      mesh.AddTriangle(at(r, s), at(r + 1, s), at(r + 1, s + 1));
      mesh.AddTriangle(at(r, s), at(r + 1, s + 1), at(r, s + 1));
    }
  }
  OrientOutward(&mesh);
  return mesh;
}

TriangleMesh Tube(const std::vector<TubeSection>& sections, const Vec3& first_normal, int sides) {
  TriangleMesh mesh;
  const std::size_t n = sections.size();
  // Tangents by central differences; normals by parallel transport, so the
  // cross-section does not twist along a curved vessel.
  std::vector<Vec3> tangents(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Vec3& prev = sections[i == 0 ? 0 : i - 1].centre;
    const Vec3& next = sections[i + 1 == n ? n - 1 : i + 1].centre;
    tangents[i] = Normalized(next - prev);
  }
  Vec3 normal = Normalized(first_normal - Dot(first_normal, tangents[0]) * tangents[0]);
  for (std::size_t i = 0; i < n; ++i) {
    normal = Normalized(normal - Dot(normal, tangents[i]) * tangents[i]);
    const Vec3 binormal = Cross(tangents[i], normal);
    for (int k = 0; k < sides; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / sides;
      mesh.AddVertex(sections[i].centre + sections[i].radius_a_m * std::cos(angle) * normal +
                     sections[i].radius_b_m * std::sin(angle) * binormal);
    }
  }
  const auto at = [&](std::size_t i, int k) { return static_cast<Index>(i * sides + (k % sides)); };
  for (std::size_t i = 0; i + 1 < n; ++i) {
    for (int k = 0; k < sides; ++k) {
      mesh.AddTriangle(at(i, k), at(i, k + 1), at(i + 1, k + 1));
      mesh.AddTriangle(at(i, k), at(i + 1, k + 1), at(i + 1, k));
    }
  }
  // Flat caps: a fan around each end's centre.
  const Index first = mesh.AddVertex(sections.front().centre);
  const Index last = mesh.AddVertex(sections.back().centre);
  for (int k = 0; k < sides; ++k) {
    mesh.AddTriangle(first, at(0, k + 1), at(0, k));
    mesh.AddTriangle(last, at(n - 1, k), at(n - 1, k + 1));
  }
  OrientOutward(&mesh);
  return mesh;
}

TriangleMesh LoopTube(const std::vector<Vec3>& loop, const Vec3& up, double radius_m, int sides) {
  // Each ring's normal is `up` made orthogonal to the local tangent, so the
  // loop closes without the twist parallel transport would leave.
  TriangleMesh mesh;
  const std::size_t n = loop.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Vec3 tangent = Normalized(loop[(i + 1) % n] - loop[(i + n - 1) % n]);
    const Vec3 normal = Normalized(up - Dot(up, tangent) * tangent);
    const Vec3 binormal = Cross(tangent, normal);
    for (int k = 0; k < sides; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / sides;
      mesh.AddVertex(loop[i] + radius_m * std::cos(angle) * normal +
                     radius_m * std::sin(angle) * binormal);
    }
  }
  const auto at = [&](std::size_t i, int k) {
    return static_cast<Index>((i % n) * sides + (k % sides));
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < sides; ++k) {
      mesh.AddTriangle(at(i, k), at(i, k + 1), at(i + 1, k + 1));
      mesh.AddTriangle(at(i, k), at(i + 1, k + 1), at(i + 1, k));
    }
  }
  OrientOutward(&mesh);
  return mesh;
}

TriangleMesh ThickSheet(const SheetGrid& grid) {
  // Two faces (top = mid + offset·t/2, bottom = mid − offset·t/2) wound
  // opposite ways, then walls whose winding continues each face's border,
  // so every edge is shared by two triangles running opposite ways.
  TriangleMesh mesh;
  const int rows = grid.rows, cols = grid.columns;
  const auto point = [&](int i, int j) { return static_cast<std::size_t>(i * cols + j); };
  for (int side = 0; side < 2; ++side) {
    const double sign = side == 0 ? 0.5 : -0.5;
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        const auto p = point(i, j);
        mesh.AddVertex(grid.mid[p] + sign * grid.thickness_m[p] * grid.offset[p]);
      }
    }
  }
  const auto wrap = [&](int j) { return grid.periodic_columns ? j % cols : j; };
  const auto top = [&](int i, int j) { return static_cast<Index>(point(i, wrap(j))); };
  const auto bottom = [&](int i, int j) {
    return static_cast<Index>(rows * cols + point(i, wrap(j)));
  };
  const int quad_cols = grid.periodic_columns ? cols : cols - 1;
  for (int i = 0; i + 1 < rows; ++i) {
    for (int j = 0; j < quad_cols; ++j) {
      mesh.AddTriangle(top(i, j), top(i + 1, j), top(i + 1, j + 1));
      mesh.AddTriangle(top(i, j), top(i + 1, j + 1), top(i, j + 1));
      mesh.AddTriangle(bottom(i, j), bottom(i, j + 1), bottom(i + 1, j + 1));
      mesh.AddTriangle(bottom(i, j), bottom(i + 1, j + 1), bottom(i + 1, j));
    }
  }
  const int last_row = rows - 1;
  for (int j = 0; j < quad_cols; ++j) {
    mesh.AddTriangle(top(0, j), top(0, j + 1), bottom(0, j + 1));
    mesh.AddTriangle(top(0, j), bottom(0, j + 1), bottom(0, j));
    mesh.AddTriangle(top(last_row, j + 1), top(last_row, j), bottom(last_row, j));
    mesh.AddTriangle(top(last_row, j + 1), bottom(last_row, j), bottom(last_row, j + 1));
  }
  if (!grid.periodic_columns) {
    const int last_col = cols - 1;
    for (int i = 0; i + 1 < rows; ++i) {
      mesh.AddTriangle(top(i + 1, 0), top(i, 0), bottom(i, 0));
      mesh.AddTriangle(top(i + 1, 0), bottom(i, 0), bottom(i + 1, 0));
      mesh.AddTriangle(top(i, last_col), top(i + 1, last_col), bottom(i + 1, last_col));
      mesh.AddTriangle(top(i, last_col), bottom(i + 1, last_col), bottom(i, last_col));
    }
  }
  OrientOutward(&mesh);
  return mesh;
}

void OrientOutward(TriangleMesh* mesh) {
  if (SignedVolume(*mesh) >= 0.0) return;
  for (auto& t : mesh->triangles) std::swap(t[1], t[2]);
}

double SignedVolume(const TriangleMesh& mesh) {
  // Sum of signed tetrahedra (origin, a, b, c): V = Σ a·(b×c)/6.
  double volume = 0.0;
  for (const auto& t : mesh.triangles) {
    volume += Dot(mesh.vertices[t[0]], Cross(mesh.vertices[t[1]], mesh.vertices[t[2]]));
  }
  return volume / 6.0;
}

ClosednessReport CheckClosed(const TriangleMesh& mesh) {
  // Count each undirected edge and how many times it runs each way.
  std::map<std::pair<Index, Index>, std::pair<int, int>> edges;
  ClosednessReport report;
  for (const auto& t : mesh.triangles) {
    if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2]) ++report.degenerate_triangles;
    for (int k = 0; k < 3; ++k) {
      const Index a = t[k], b = t[(k + 1) % 3];
      auto& count = edges[{std::min(a, b), std::max(a, b)}];
      (a < b ? count.first : count.second) += 1;
    }
  }
  for (const auto& [edge, count] : edges) {
    const int total = count.first + count.second;
    if (total == 1) ++report.boundary_edges;
    if (total > 2) ++report.nonmanifold_edges;
    if (total == 2 && count.first != 1) ++report.inconsistent_edges;
  }
  return report;
}

Vec3 VertexCentroid(const TriangleMesh& mesh) {
  Vec3 sum{0, 0, 0};
  for (const auto& v : mesh.vertices) sum = sum + v;
  return (1.0 / static_cast<double>(mesh.vertices.size())) * sum;
}

Vec3 VolumeCentroid(const TriangleMesh& mesh) {
  Vec3 weighted{0, 0, 0};
  double volume = 0.0;
  for (const auto& t : mesh.triangles) {
    const Vec3 &a = mesh.vertices[t[0]], &b = mesh.vertices[t[1]], &c = mesh.vertices[t[2]];
    const double v = Dot(a, Cross(b, c)) / 6.0;
    volume += v;
    weighted = weighted + (v / 4.0) * (a + b + c);
  }
  return (1.0 / volume) * weighted;
}

std::vector<double> RayHits(const TriangleMesh& mesh, const Vec3& origin, const Vec3& direction) {
  // Möller & Trumbore, "Fast, minimum storage ray-triangle intersection",
  // J. Graphics Tools 2(1), 1997.
  std::vector<double> hits;
  for (const auto& t : mesh.triangles) {
    const Vec3 &a = mesh.vertices[t[0]], &b = mesh.vertices[t[1]], &c = mesh.vertices[t[2]];
    const Vec3 e1 = b - a, e2 = c - a;
    const Vec3 p = Cross(direction, e2);
    const double det = Dot(e1, p);
    if (std::abs(det) < kParallelEpsilon) continue;
    const Vec3 s = origin - a;
    const double u = Dot(s, p) / det;
    if (u < 0.0 || u > 1.0) continue;
    const Vec3 q = Cross(s, e1);
    const double v = Dot(direction, q) / det;
    if (v < 0.0 || u + v > 1.0) continue;
    const double distance = Dot(e2, q) / det;
    if (distance >= 0.0) hits.push_back(distance);
  }
  // A ray through a shared vertex or edge hits each triangle there: count
  // such a crossing once.
  std::sort(hits.begin(), hits.end());
  hits.erase(
      std::unique(hits.begin(), hits.end(), [](double a, double b) { return b - a < kSameHit_m; }),
      hits.end());
  return hits;
}

std::vector<Segment> PlaneSection(const TriangleMesh& mesh, const Vec3& plane_point,
                                  const Vec3& plane_normal) {
  // Each triangle the plane crosses gives one segment, directed along
  // n × N_triangle so the loops of an outward mesh run counter-clockwise
  // about n (SectionArea is then positive). A vertex exactly on the plane
  // counts as above it, so no crossing is counted twice.
  std::vector<Segment> segments;
  for (const auto& t : mesh.triangles) {
    std::array<Vec3, 3> p{mesh.vertices[t[0]], mesh.vertices[t[1]], mesh.vertices[t[2]]};
    std::array<double, 3> d{};
    for (int k = 0; k < 3; ++k) d[k] = Dot(p[k] - plane_point, plane_normal);
    std::vector<Vec3> cut;
    for (int k = 0; k < 3; ++k) {
      const int m = (k + 1) % 3;
      if ((d[k] >= 0.0) != (d[m] >= 0.0)) cut.push_back(Lerp(p[k], p[m], d[k] / (d[k] - d[m])));
    }
    if (cut.size() != 2) continue;
    const Vec3 along = Cross(plane_normal, Cross(p[1] - p[0], p[2] - p[0]));
    if (Dot(cut[1] - cut[0], along) >= 0.0) {
      segments.push_back({cut[0], cut[1]});
    } else {
      segments.push_back({cut[1], cut[0]});
    }
  }
  return segments;
}

std::vector<Segment> KeepNear(const std::vector<Segment>& segments, const Vec3& near,
                              double radius_m) {
  std::vector<Segment> kept;
  for (const auto& s : segments) {
    if (Distance(0.5 * (s.a + s.b), near) <= radius_m) kept.push_back(s);
  }
  return kept;
}

double SectionArea(const std::vector<Segment>& segments, const Vec3& n) {
  if (segments.empty()) return 0.0;
  const Vec3 c = SectionCentroid(segments);
  double area = 0.0;
  for (const auto& s : segments) area += Dot(Cross(s.a - c, s.b - c), n);
  return 0.5 * area;
}

double SectionPerimeter(const std::vector<Segment>& segments) {
  double length = 0.0;
  for (const auto& s : segments) length += Distance(s.a, s.b);
  return length;
}

Vec3 SectionCentroid(const std::vector<Segment>& segments) {
  Vec3 sum{0, 0, 0};
  double total = 0.0;
  for (const auto& s : segments) {
    const double length = Distance(s.a, s.b);
    sum = sum + (0.5 * length) * (s.a + s.b);
    total += length;
  }
  if (total <= 0.0) return segments.empty() ? Vec3{0, 0, 0} : segments.front().a;
  return (1.0 / total) * sum;
}

double SegmentDistance(const Segment& s, const Segment& t) {
  // Closest points of two segments: Ericson, "Real-Time Collision Detection"
  // (2005), §5.1.9, with the degenerate (point) cases handled.
  const Vec3 d1 = s.b - s.a, d2 = t.b - t.a, r = s.a - t.a;
  const double a = Dot(d1, d1), e = Dot(d2, d2), f = Dot(d2, r);
  double u = 0.0, v = 0.0;
  if (a <= 0.0 && e <= 0.0) return Norm(r);
  if (a <= 0.0) {
    v = std::clamp(f / e, 0.0, 1.0);
  } else {
    const double c = Dot(d1, r);
    if (e <= 0.0) {
      u = std::clamp(-c / a, 0.0, 1.0);
    } else {
      const double b = Dot(d1, d2);
      const double denominator = a * e - b * b;
      u = denominator > 0.0 ? std::clamp((b * f - c * e) / denominator, 0.0, 1.0) : 0.0;
      v = (b * u + f) / e;
      if (v < 0.0) {
        v = 0.0;
        u = std::clamp(-c / a, 0.0, 1.0);
      } else if (v > 1.0) {
        v = 1.0;
        u = std::clamp((b - c) / a, 0.0, 1.0);
      }
    }
  }
  return Distance(s.a + u * d1, t.a + v * d2);
}

Plane FitPlane(const std::vector<Vec3>& points, const Vec3& toward) {
  // The plane normal is the eigenvector of the covariance with the smallest
  // eigenvalue; cyclic Jacobi rotations diagonalise the 3×3 matrix.
  Vec3 centre{0, 0, 0};
  for (const auto& p : points) centre = centre + p;
  centre = (1.0 / static_cast<double>(points.size())) * centre;
  double m[3][3] = {};
  for (const auto& p : points) {
    const Vec3 d = p - centre;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) m[i][j] += d[i] * d[j];
    }
  }
  double v[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (int sweep = 0; sweep < kJacobiSweeps; ++sweep) {
    for (int p = 0; p < 2; ++p) {
      for (int q = p + 1; q < 3; ++q) {
        if (m[p][q] == 0.0) continue;
        const double theta = 0.5 * std::atan2(2.0 * m[p][q], m[q][q] - m[p][p]);
        const double c = std::cos(theta), s = std::sin(theta);
        for (int k = 0; k < 3; ++k) {  // m = Jᵀ m J
          const double mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < 3; ++k) {
          const double mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (int k = 0; k < 3; ++k) {
          const double vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  int smallest = 0;
  for (int i = 1; i < 3; ++i) {
    if (m[i][i] < m[smallest][smallest]) smallest = i;
  }
  Vec3 normal{v[0][smallest], v[1][smallest], v[2][smallest]};
  if (Dot(normal, toward) < 0.0) normal = -normal;
  return {centre, Normalized(normal)};
}

}  // namespace teersim::scenes
