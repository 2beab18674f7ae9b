#include "physics/contact_world.h"

#include <BulletCollision/CollisionShapes/btBvhTriangleMeshShape.h>
#include <BulletCollision/CollisionShapes/btTriangleCallback.h>
#include <BulletCollision/CollisionShapes/btTriangleIndexVertexArray.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "base/input_error.h"

namespace teersim::physics {
namespace {

// Bullet's default collision margin (0.04 m) is larger than a catheter; the
// BVH only bounds triangles, so its margin is set to zero and the rod solver's
// own detection margin (RodSpec::contact_margin_m) applies.
constexpr double kBvhMargin_m = 0.0;
// Two hits are the same feature when their normals agree this closely
// (adjacent triangles reporting their shared edge).
constexpr double kSameFeatureCos = 0.95;
constexpr int kMaxCandidates = 16;
// cos(45 deg): a hit's offset must be within 45 degrees of its face normal.
constexpr double kMinFaceAlignment = 0.7071;
constexpr double kTinyDistance_m = 1e-12;

Vec3 FromBt(const btVector3& v) { return {v.x(), v.y(), v.z()}; }

// Closest point on triangle abc to p (Ericson, Real-Time Collision Detection,
// 2005, sec. 5.1.5, Voronoi-region tests).
Vec3 ClosestPointOnTriangle(const Vec3& p, const Vec3& a, const Vec3& b, const Vec3& c) {
  const Vec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = Dot(ab, ap), d2 = Dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return a;
  const Vec3 bp = p - b;
  const double d3 = Dot(ab, bp), d4 = Dot(ac, bp);
  if (d3 >= 0 && d4 <= d3) return b;
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) return a + ab * (d1 / (d1 - d3));
  const Vec3 cp = p - c;
  const double d5 = Dot(ab, cp), d6 = Dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return c;
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) return a + ac * (d2 / (d2 - d6));
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
  }
  const double denom = 1.0 / (va + vb + vc);
  return a + ab * (vb * denom) + ac * (vc * denom);
}

// Collects triangles' closest points within a radius; no allocation.
class ProximityCallback : public btTriangleCallback {
 public:
  // `face_normals`: unit normal per triangle (zero when degenerate),
  // computed once when the world is built.
  ProximityCallback(const Vec3& point, double radius, const Vec3* face_normals)
      : point_(point), radius_(radius), face_normals_(face_normals) {}

  void processTriangle(btVector3* triangle, int /*part*/, int index) override {
    const Vec3& face_normal = face_normals_[index];
    if (Dot(face_normal, face_normal) == 0.0) return;  // degenerate
    const Vec3 a = FromBt(triangle[0]);
    // Cheap rejection: a point farther than the radius in front of the plane
    // is farther from the triangle too.
    if (Dot(face_normal, point_ - a) >= radius_) return;
    const Vec3 b = FromBt(triangle[1]), c = FromBt(triangle[2]);
    const Vec3 closest = ClosestPointOnTriangle(point_, a, b, c);
    const Vec3 offset = point_ - closest;
    const double distance = Norm(offset);
    // Only hits roughly along the face normal: a point that reaches a
    // triangle's edge or vertex obliquely belongs to a neighbouring face, and
    // signing its distance by this face would invent deep "penetrations"
    // (e.g. a point just outside a tube seen from a ring further along).
    if (distance > kTinyDistance_m &&
        std::abs(Dot(face_normal, offset)) < kMinFaceAlignment * distance)
      return;
    // Signed by the side of the face: the free side is where the face normal
    // points (counter-clockwise winding).
    const double side = Dot(face_normal, offset) >= 0.0 ? 1.0 : -1.0;
    ProximityHit hit;
    hit.point = closest;
    hit.signed_distance_m = side * distance;
    hit.normal = distance > kTinyDistance_m ? offset * (side / distance) : face_normal;
    if (hit.signed_distance_m >= radius_) return;
    // Keep the deepest kMaxCandidates.
    if (count_ < kMaxCandidates) {
      hits_[count_++] = hit;
      return;
    }
    int worst = 0;
    for (int k = 1; k < count_; ++k) {
      if (hits_[k].signed_distance_m > hits_[worst].signed_distance_m) worst = k;
    }
    if (hit.signed_distance_m < hits_[worst].signed_distance_m) hits_[worst] = hit;
  }

  // Deepest first, one per feature (distinct normals).
  int Select(ProximityHit* out) {
    std::sort(hits_, hits_ + count_, [](const ProximityHit& l, const ProximityHit& r) {
      return l.signed_distance_m < r.signed_distance_m;
    });
    int written = 0;
    for (int k = 0; k < count_ && written < kMaxProximityHits; ++k) {
      bool same = false;
      for (int m = 0; m < written; ++m)
        same = same || Dot(out[m].normal, hits_[k].normal) > kSameFeatureCos;
      if (!same) out[written++] = hits_[k];
    }
    return written;
  }

 private:
  Vec3 point_;
  double radius_;
  const Vec3* face_normals_;
  ProximityHit hits_[kMaxCandidates];
  int count_ = 0;
};

}  // namespace

struct ContactWorld::Impl {
  std::vector<btScalar> vertices;
  std::vector<int> indices;
  std::vector<Vec3> face_normals;  // per triangle, unit (zero if degenerate)
  std::unique_ptr<btTriangleIndexVertexArray> array;
  std::unique_ptr<btBvhTriangleMeshShape> shape;
};

ContactWorld::ContactWorld(const std::vector<TriangleMesh>& meshes)
    : impl_(std::make_unique<Impl>()) {
  if (meshes.empty())
    throw InputError(
        FormatInputError("anatomy meshes", 0, "meshes", "expected at least 1 mesh, got 0"));
  // Merge all meshes into one indexed array (one BVH over the anatomy).
  for (std::size_t m = 0; m < meshes.size(); ++m) {
    const TriangleMesh& mesh = meshes[m];
    const std::string key = "meshes[" + std::to_string(m) + "]";
    if (mesh.vertices_m.size() % 3 != 0 || mesh.indices.size() % 3 != 0 || mesh.indices.empty()) {
      throw InputError(
          FormatInputError("anatomy meshes", 0, key,
                           "expected vertex and index counts that are non-zero multiples of 3"));
    }
    const auto base = static_cast<int>(impl_->vertices.size() / 3);
    const std::size_t vertex_count = mesh.vertices_m.size() / 3;
    for (double v : mesh.vertices_m) {
      if (!std::isfinite(v))
        throw InputError(
            FormatInputError("anatomy meshes", 0, key + ".vertices_m", "non-finite coordinate"));
      impl_->vertices.push_back(v);
    }
    for (std::uint32_t index : mesh.indices) {
      if (index >= vertex_count) {
        throw InputError(FormatInputError("anatomy meshes", 0, key + ".indices",
                                          "expected 0 to " + std::to_string(vertex_count - 1) +
                                              ", got " + std::to_string(index)));
      }
      impl_->indices.push_back(base + static_cast<int>(index));
    }
  }
  // Face normals, once (counter-clockwise winding faces the free side).
  const auto vertex = [this](int i) {
    const auto k = static_cast<std::size_t>(3 * i);
    return Vec3{impl_->vertices[k], impl_->vertices[k + 1], impl_->vertices[k + 2]};
  };
  for (std::size_t t = 0; t + 2 < impl_->indices.size(); t += 3) {
    const Vec3 a = vertex(impl_->indices[t]);
    const Vec3 normal = Cross(vertex(impl_->indices[t + 1]) - a, vertex(impl_->indices[t + 2]) - a);
    const double norm = Norm(normal);
    impl_->face_normals.push_back(norm < kTinyDistance_m ? Vec3{} : normal / norm);
  }
  impl_->array = std::make_unique<btTriangleIndexVertexArray>(
      static_cast<int>(impl_->indices.size() / 3), impl_->indices.data(),
      static_cast<int>(3 * sizeof(int)), static_cast<int>(impl_->vertices.size() / 3),
      impl_->vertices.data(), static_cast<int>(3 * sizeof(btScalar)));
  impl_->shape = std::make_unique<btBvhTriangleMeshShape>(impl_->array.get(), true, true);
  impl_->shape->setMargin(kBvhMargin_m);
}

ContactWorld::~ContactWorld() = default;

int ContactWorld::TriangleCount() const { return static_cast<int>(impl_->indices.size() / 3); }

int ContactWorld::Query(const Vec3& point, double radius_m, ProximityHit* hits) const {
  ProximityCallback callback(point, radius_m, impl_->face_normals.data());
  const btVector3 lo(point.x - radius_m, point.y - radius_m, point.z - radius_m);
  const btVector3 hi(point.x + radius_m, point.y + radius_m, point.z + radius_m);
  impl_->shape->processAllTriangles(&callback, lo, hi);
  return callback.Select(hits);
}

TriangleMesh MakeTubeMesh(const std::vector<Vec3>& centreline, double radius_m, int sides) {
  TriangleMesh mesh;
  // Rings perpendicular to the centreline, frames parallel-transported.
  Vec3 tangent = centreline[1] - centreline[0];
  tangent = tangent / Norm(tangent);
  Vec3 u =
      std::abs(tangent.x) < 0.9 ? Cross(tangent, Vec3{1, 0, 0}) : Cross(tangent, Vec3{0, 1, 0});
  u = u / Norm(u);
  const std::size_t rings = centreline.size();
  for (std::size_t k = 0; k < rings; ++k) {
    Vec3 t = k + 1 < rings ? centreline[k + 1] - centreline[k] : centreline[k] - centreline[k - 1];
    if (k > 0 && k + 1 < rings) t = centreline[k + 1] - centreline[k - 1];
    t = t / Norm(t);
    u = QuatFromTo(tangent, t).Rotate(u);
    u = (u - t * Dot(u, t)) / Norm(u - t * Dot(u, t));
    tangent = t;
    const Vec3 v = Cross(t, u);
    for (int s = 0; s < sides; ++s) {
      // Half-facet phase: a face centre, not a valley, faces material -v.
      const double phi = 2.0 * 3.14159265358979323846 * (s + 0.5) / sides;
      const Vec3 p = centreline[k] + (u * std::cos(phi) + v * std::sin(phi)) * radius_m;
      mesh.vertices_m.insert(mesh.vertices_m.end(), {p.x, p.y, p.z});
    }
  }
  // Two triangles per quad, wound so that the normal faces the centreline.
  const auto vertex = [&mesh](std::uint32_t i) {
    return Vec3{mesh.vertices_m[3 * i], mesh.vertices_m[3 * i + 1], mesh.vertices_m[3 * i + 2]};
  };
  const auto add = [&](std::uint32_t a, std::uint32_t b, std::uint32_t c, const Vec3& centre) {
    const Vec3 n = Cross(vertex(b) - vertex(a), vertex(c) - vertex(a));
    if (Dot(n, centre - vertex(a)) < 0.0) std::swap(b, c);
    mesh.indices.insert(mesh.indices.end(), {a, b, c});
  };
  for (std::size_t k = 0; k + 1 < rings; ++k) {
    const Vec3 centre = (centreline[k] + centreline[k + 1]) * 0.5;
    for (int s = 0; s < sides; ++s) {
      const auto a = static_cast<std::uint32_t>(k * static_cast<std::size_t>(sides) +
                                                static_cast<std::size_t>(s));
      const auto b = static_cast<std::uint32_t>(k * static_cast<std::size_t>(sides) +
                                                static_cast<std::size_t>((s + 1) % sides));
      const auto c = a + static_cast<std::uint32_t>(sides);
      const auto d = b + static_cast<std::uint32_t>(sides);
      add(a, b, d, centre);
      add(a, d, c, centre);
    }
  }
  return mesh;
}

std::vector<Vec3> MakeBentPath(const Vec3& start, double lead_m, double radius_m, double angle_rad,
                               double spacing_m) {
  std::vector<Vec3> path;
  const auto straight_count = std::max(1, static_cast<int>(std::ceil(lead_m / spacing_m)));
  for (int k = 0; k < straight_count; ++k)
    path.push_back(start + Vec3{0, 0, lead_m * k / straight_count});
  // Arc in the x-z plane: centre at +x radius from the end of the lead.
  const Vec3 arc_start = start + Vec3{0, 0, lead_m};
  const Vec3 centre = arc_start + Vec3{radius_m, 0, 0};
  const auto arc_count = std::max(1, static_cast<int>(std::ceil(radius_m * angle_rad / spacing_m)));
  for (int k = 0; k < arc_count; ++k) {
    const double a = angle_rad * k / arc_count;
    path.push_back(centre + Vec3{-radius_m * std::cos(a), 0, radius_m * std::sin(a)});
  }
  const Vec3 arc_end =
      centre + Vec3{-radius_m * std::cos(angle_rad), 0, radius_m * std::sin(angle_rad)};
  const Vec3 out_dir{std::sin(angle_rad), 0, std::cos(angle_rad)};
  for (int k = 0; k <= straight_count; ++k)
    path.push_back(arc_end + out_dir * (lead_m * k / straight_count));
  return path;
}

}  // namespace teersim::physics
