#include "scenes/anatomy_measurements.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "base/units.h"

namespace teersim::scenes {
namespace {

// Section loops within 30 mm of the measuring point belong to the vessel
// there (a tortuous vessel may cross the same plane again further away).
constexpr double kSectionNearRadius_m = 0.030;
// The IVC is measured 2 cm below the right atrium, as in [S27].
constexpr double kIvcBelowRa_m = 0.020;
// Rays for chords start this far outside a structure.
constexpr double kRayStandOff_m = 0.100;
// Sections across the coaptation line every 0.25 mm.
constexpr double kSliceStep_m = 0.00025;
// Leaflets closer than 0.5 mm count as touching: about the axial resolution
// of TEE [BK], and well above the mesh's discretisation of a shared face.
constexpr double kTouchingGap_m = 0.0005;
constexpr double kSquareCentimetresPerSquareMetre = 1e4;

using units::MToMm;

struct Measurer {
  const Anatomy& anatomy;

  const TriangleMesh* Mesh(const std::string& name) const {
    const Structure* structure = anatomy.Find(name);
    return structure != nullptr ? &structure->render : nullptr;
  }
  const Vec3* Mark(const std::string& name) const {
    const auto found = anatomy.landmarks.find(name);
    return found != anatomy.landmarks.end() ? &found->second : nullptr;
  }

  // Equivalent-circle diameter of `mesh`'s cut normal to the centreline at
  // `index`.
  static std::optional<double> VesselDiameter(const TriangleMesh& mesh,
                                              const std::vector<Vec3>& line, std::size_t index) {
    if (line.size() < 3) return std::nullopt;
    index = std::clamp<std::size_t>(index, 1, line.size() - 2);
    const Vec3 tangent = Normalized(line[index + 1] - line[index - 1]);
    const auto cut =
        KeepNear(PlaneSection(mesh, line[index], tangent), line[index], kSectionNearRadius_m);
    const double area = std::abs(SectionArea(cut, tangent));
    if (area <= 0.0) return std::nullopt;
    return 2.0 * std::sqrt(area / std::numbers::pi);
  }

  static std::size_t Nearest(const std::vector<Vec3>& line, const Vec3& point) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (Distance(line[i], point) < Distance(line[best], point)) best = i;
    }
    return best;
  }

  // Length of the chord through `centre` along ±`direction` (a convex chamber).
  static std::optional<double> Chord(const TriangleMesh& mesh, const Vec3& centre,
                                     const Vec3& direction) {
    const auto forward = RayHits(mesh, centre, direction);
    const auto backward = RayHits(mesh, centre, -direction);
    if (forward.empty() || backward.empty()) return std::nullopt;
    return forward.front() + backward.front();
  }

  // Thickness of a sheet crossed along `normal` through `point`.
  static std::optional<double> Crossing(const TriangleMesh& mesh, const Vec3& point,
                                        const Vec3& normal) {
    const auto hits = RayHits(mesh, point - kRayStandOff_m * normal, normal);
    if (hits.size() < 2) return std::nullopt;
    return hits[1] - hits[0];
  }
};

double Extent(const TriangleMesh& mesh, const Vec3& axis) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& v : mesh.vertices) {
    lo = std::min(lo, Dot(v, axis));
    hi = std::max(hi, Dot(v, axis));
  }
  return hi - lo;
}

// Distance between the centroids of a section's two loops, split by the
// sign of their position along `axis` from `centre`.
std::optional<double> RingDiameter(const std::vector<Segment>& cut, const Vec3& centre,
                                   const Vec3& axis) {
  std::vector<Segment> ahead, behind;
  for (const auto& s : cut)
    (Dot(0.5 * (s.a + s.b) - centre, axis) >= 0.0 ? ahead : behind).push_back(s);
  if (ahead.empty() || behind.empty()) return std::nullopt;
  return Distance(SectionCentroid(ahead), SectionCentroid(behind));
}

// Mid-surface length of a thin strip's section loop: with perimeter P and
// area A, P = 2(L + t) and A = L·t give L = (P/2 + √(P²/4 − 4A)) / 2.
std::optional<double> StripLength(const std::vector<Segment>& cut, const Vec3& normal) {
  if (cut.empty()) return std::nullopt;
  const double half_perimeter = SectionPerimeter(cut) / 2.0;
  const double area = std::abs(SectionArea(cut, normal));
  const double discriminant = half_perimeter * half_perimeter - 4.0 * area;
  if (discriminant < 0.0) return std::nullopt;
  return (half_perimeter + std::sqrt(discriminant)) / 2.0;
}

double SmallestDistance(const std::vector<Segment>& a, const std::vector<Segment>& b) {
  double best = INFINITY;
  for (const auto& s : a) {
    for (const auto& t : b) best = std::min(best, SegmentDistance(s, t));
  }
  return best;
}

}  // namespace

MeasuredLesion MeasuredLesionOf(const AnatomyParameters& parameters) {
  if (parameters.functional.present) return MeasuredLesion::kFunctional;
  switch (parameters.degenerative.kind) {
    case DegenerativeKind::kFlail:
      return MeasuredLesion::kFlail;
    case DegenerativeKind::kProlapse:
      return MeasuredLesion::kProlapse;
    case DegenerativeKind::kNone:
      break;
  }
  return MeasuredLesion::kNone;
}

std::optional<double> AnatomyMeasurements::Get(const std::string& key) const {
  for (const auto& m : values) {
    if (m.key == key) return m.value;
  }
  return std::nullopt;
}

AnatomyMeasurements MeasureAnatomy(const Anatomy& anatomy, MeasuredLesion lesion) {
  AnatomyMeasurements out;
  const Measurer m{anatomy};
  const auto put = [&](const char* key, std::optional<double> value_m) {
    if (value_m) out.values.push_back({key, MToMm(*value_m)});
  };

  // Venous route: cross-sections normal to the centreline.
  const Polyline* centreline = anatomy.FindPolyline("venous_centreline");
  if (centreline != nullptr) {
    const auto& line = centreline->points_m;
    const auto* femoral = m.Mesh("femoral_vein");
    const auto* puncture = m.Mark("femoral_puncture");
    const auto* ligament = m.Mark("inguinal_ligament");
    if (femoral != nullptr && puncture != nullptr && ligament != nullptr) {
      const std::size_t mid =
          (Measurer::Nearest(line, *puncture) + Measurer::Nearest(line, *ligament)) / 2;
      put("femoral_vein_diameter_mm", Measurer::VesselDiameter(*femoral, line, mid));
    }
    const auto* ivc = m.Mesh("ivc");
    const auto* junction = m.Mark("ivc_ra_junction");
    if (ivc != nullptr && junction != nullptr) {
      // Walk down the centreline from the junction 2 cm.
      std::size_t i = Measurer::Nearest(line, *junction);
      double walked = 0.0;
      while (i > 1 && walked < kIvcBelowRa_m) {
        walked += Distance(line[i], line[i - 1]);
        --i;
      }
      put("ivc_diameter_mm", Measurer::VesselDiameter(*ivc, line, i));
    }
  }

  // Atria: chords through the volume centroid.
  if (const auto* ra = m.Mesh("right_atrium"))
    put("ra_diameter_mm", Measurer::Chord(*ra, VolumeCentroid(*ra), frame::kLeft));
  if (const auto* la = m.Mesh("left_atrium"))
    put("la_diameter_mm", Measurer::Chord(*la, VolumeCentroid(*la), frame::kPosterior));

  // Septum and fossa, in the septum's axes from the landmarks.
  const auto* fossa_centre = m.Mark("fossa_centre");
  const auto* normal_tip = m.Mark("septum_normal_tip");
  const auto* fossa = m.Mesh("fossa_ovalis");
  if (fossa_centre != nullptr && normal_tip != nullptr) {
    const Vec3 normal = Normalized(*normal_tip - *fossa_centre);
    const auto* septum = m.Mesh("interatrial_septum");
    const auto* limbus = m.Mark("septum_limbus_superior");
    if (septum != nullptr && limbus != nullptr)
      put("septum_thickness_mm", Measurer::Crossing(*septum, *limbus, normal));
    if (fossa != nullptr) {
      put("fossa_thickness_mm", Measurer::Crossing(*fossa, *fossa_centre, normal));
      const auto* posterior_tip = m.Mark("fossa_posterior_axis_tip");
      const auto* superior_tip = m.Mark("fossa_superior_axis_tip");
      if (posterior_tip != nullptr && superior_tip != nullptr) {
        put("fossa_width_mm", Extent(*fossa, Normalized(*posterior_tip - *fossa_centre)));
        put("fossa_height_mm", Extent(*fossa, Normalized(*superior_tip - *fossa_centre)));
      }
    }
  }

  // Annulus: least-squares plane, then AP and IC sections of the ring.
  const auto* ring = m.Mesh("mitral_annulus");
  const auto* anterior = m.Mark("annulus_anterior");
  const auto* posterior = m.Mark("annulus_posterior");
  const auto* lateral = m.Mark("commissure_anterolateral");
  const auto* medial = m.Mark("commissure_posteromedial");
  const auto* centre = m.Mark("annulus_centre");
  const auto* up = m.Mark("annulus_normal_tip");
  if (ring == nullptr || anterior == nullptr || posterior == nullptr || lateral == nullptr ||
      medial == nullptr || centre == nullptr || up == nullptr) {
    return out;
  }
  const Plane plane = FitPlane(ring->vertices, *up - *centre);
  if (fossa != nullptr)
    put("fossa_to_annulus_mm", std::abs(Dot(VolumeCentroid(*fossa) - plane.point, plane.normal)));
  const Vec3 ap_axis = Normalized(*posterior - *anterior);
  const Vec3 ic_axis = Normalized(*lateral - *medial);
  put("annulus_ap_mm",
      RingDiameter(PlaneSection(*ring, plane.point, Normalized(Cross(ap_axis, plane.normal))),
                   plane.point, ap_axis));
  const Vec3 commissure_mid = 0.5 * (*lateral + *medial);
  put("annulus_ic_mm",
      RingDiameter(PlaneSection(*ring, commissure_mid, ap_axis), commissure_mid, ic_axis));

  // Leaflet lengths in the A2–P2 section.
  const auto* anterior_leaflet = m.Mesh("anterior_leaflet");
  const auto* posterior_leaflet = m.Mesh("posterior_leaflet");
  if (anterior_leaflet == nullptr || posterior_leaflet == nullptr) return out;
  put("anterior_leaflet_length_mm",
      StripLength(PlaneSection(*anterior_leaflet, *centre, ic_axis), ic_axis));
  put("posterior_leaflet_length_mm",
      StripLength(PlaneSection(*posterior_leaflet, *centre, ic_axis), ic_axis));

  // Regurgitant orifice: sections across the line of coaptation, from
  // commissure to commissure; where the leaflets do not touch, the gap
  // between them times the section spacing adds to the orifice area.
  double orifice_m2 = 0.0, largest_gap = 0.0, open_width = 0.0;
  const double from = Dot(*medial - *centre, ic_axis), to = Dot(*lateral - *centre, ic_axis);
  for (double s = from; s <= to; s += kSliceStep_m) {
    const Vec3 point = *centre + s * ic_axis;
    const auto a = PlaneSection(*anterior_leaflet, point, ic_axis);
    const auto b = PlaneSection(*posterior_leaflet, point, ic_axis);
    if (a.empty() || b.empty()) continue;
    const double gap = SmallestDistance(a, b);
    if (gap <= kTouchingGap_m) continue;
    orifice_m2 += gap * kSliceStep_m;
    open_width += kSliceStep_m;
    largest_gap = std::max(largest_gap, gap);
  }
  out.values.push_back({"eroa_cm2", orifice_m2 * kSquareCentimetresPerSquareMetre});
  switch (lesion) {
    case MeasuredLesion::kFlail:
      put("flail_gap_mm", largest_gap);
      put("flail_width_mm", open_width);
      break;
    case MeasuredLesion::kProlapse:
      put("prolapse_gap_mm", largest_gap);
      put("prolapse_width_mm", open_width);
      break;
    case MeasuredLesion::kFunctional:
      put("coaptation_gap_mm", largest_gap);
      break;
    case MeasuredLesion::kNone:
      break;
  }
  return out;
}

}  // namespace teersim::scenes
