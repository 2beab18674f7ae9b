#include "scenes/mitral_valve.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace teersim::scenes {
namespace {

constexpr double kPi = std::numbers::pi;
// Exponent flattening the anterior half of the annulus into the straight side
// of the "D" (the aortic–mitral curtain) [BK: the D-shape of the annulus].
constexpr double kAnteriorFlattening = 0.6;
// Samples of the ring when its area centroid is computed.
constexpr int kCentroidSamples = 720;
// Leaflets span this fraction of the commissure-to-commissure half width; the
// last sliver at each commissure is left to the annulus ring.
constexpr double kLeafletExtent = 0.96;
// Chordal slack in the closed valve [DESIGN]: the papillary tips sit under the
// commissures here, so a chord exactly taut when closed would tether the
// free edges as they part in diastole.
constexpr double kChordSlack_m = 0.002;
// The shortest apposing tail (coaptation length) the solver accepts: 1 mm.
constexpr double kMinimumTail_m = 0.001;
// Centres of the outer scallops (1 lateral, 3 medial) as a fraction of the
// half intercommissural width; scallop 2 is central [BK: P2 the widest].
constexpr double kOuterScallopCentre = 0.55;
// A lesion's edge blends into the normal leaflet over 2 mm.
constexpr double kLesionTaper_m = 0.002;
// Range of the lesion swing about the hinge searched for the target gap.
constexpr double kMinSwing_rad = -40.0 * kPi / 180.0;
constexpr double kMaxSwing_rad = 80.0 * kPi / 180.0;
constexpr int kBisectionSteps = 60;
constexpr int kArcLengthIterations = 4;
// The swing solve: profiles of 12 rows (straight pieces, so exact) and 30
// halvings of the 120° range (≈1e-7 rad).
constexpr int kSolveRows = 12;
constexpr int kSolveTailRows = 3;
constexpr int kSwingBisectionSteps = 30;
// Annulus ring tube radius: 1.5 mm, a visible fibrous ring.
constexpr double kAnnulusRingRadius_m = 0.0015;
// Chordae tendineae: 0.4 mm radius [BK], ≈22 mm from papillary tip to leaflet [BK].
constexpr double kChordRadius_m = 0.0004;
constexpr double kChordLength_m = 0.022;
// Papillary muscles under each commissure: tips at 55% of the half width from
// the centre; bodies 10 × 10 × 24 mm [BK].
constexpr double kPapillarySpread = 0.55;
constexpr double kPapillaryRadius_m = 0.005;
constexpr double kPapillaryHalfLength_m = 0.012;

}  // namespace

MitralValve::MitralValve(const AnatomyParameters& parameters, const ValveFrame& frame)
    : p_(parameters), frame_(frame) {
  // Shift the ring so its area centroid (in u, v) is the origin.
  double area = 0.0, moment_u = 0.0;
  for (int k = 0; k < kCentroidSamples; ++k) {
    const Point2 a = RingUW(2.0 * kPi * k / kCentroidSamples);
    const Point2 b = RingUW(2.0 * kPi * (k + 1) / kCentroidSamples);
    const double va = p_.annulus_ic_m / 2.0 * std::sin(2.0 * kPi * k / kCentroidSamples);
    const double vb = p_.annulus_ic_m / 2.0 * std::sin(2.0 * kPi * (k + 1) / kCentroidSamples);
    const double cross = a.u * vb - b.u * va;
    area += cross;
    moment_u += (a.u + b.u) * cross;
  }
  ring_u_shift_ = moment_u / (3.0 * area);

  // Solve where the leaflets meet at the centre (v = 0): the coaptation point
  // u_c where both leaflets, hinge → coaptation point → apposed tail, have
  // their case lengths and equal tails (the coaptation length).
  const Point2 hinge_a = RingUW(kPi), hinge_p = RingUW(0.0);
  const double half_t = p_.leaflet_thickness_m / 2.0;
  const double depth = p_.coaptation_depth_m;
  const auto tails = [&](double uc) {
    const double body_a = std::hypot(uc - half_t - hinge_a.u, -depth - hinge_a.w);
    const double body_p = std::hypot(hinge_p.u - (uc + half_t), -depth - hinge_p.w);
    return std::pair{p_.anterior_leaflet_length_m - body_a, p_.posterior_leaflet_length_m - body_p};
  };
  double lo = hinge_a.u + p_.leaflet_thickness_m, hi = hinge_p.u - p_.leaflet_thickness_m;
  for (int i = 0; i < kBisectionSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    const auto [tail_a, tail_p] = tails(mid);
    (tail_a > tail_p ? lo : hi) = mid;
  }
  centre_coaptation_u_ = 0.5 * (lo + hi);
  centre_tail_ = std::max(kMinimumTail_m, tails(centre_coaptation_u_).first);
}

MitralValve::Point2 MitralValve::RingUW(double theta) const {
  const double c = std::cos(theta);
  const double half_ap = p_.annulus_ap_m / 2.0;
  const double u = c >= 0.0 ? half_ap * c : -half_ap * std::pow(-c, kAnteriorFlattening);
  return {u - ring_u_shift_, p_.annular_height_m / 2.0 * std::cos(2.0 * theta)};
}

Vec3 MitralValve::RingPoint(double theta) const {
  const Point2 uw = RingUW(theta);
  return frame_(uw.u, p_.annulus_ic_m / 2.0 * std::sin(theta), uw.w);
}

double MitralValve::HalfExtentV() const { return p_.annulus_ic_m / 2.0; }

double MitralValve::DepthFactor(double v) const {
  const double x = v / HalfExtentV();
  return std::sqrt(std::max(0.0, 1.0 - x * x));
}

double MitralValve::CoaptationU(double v) const {
  const double commissure_u = RingUW(kPi / 2.0).u;
  const double x = v / HalfExtentV();
  return commissure_u + (centre_coaptation_u_ - commissure_u) * (1.0 - x * x);
}

double MitralValve::ScallopCentreV(int index) const {
  if (index == 1) return kOuterScallopCentre * HalfExtentV();
  if (index == 3) return -kOuterScallopCentre * HalfExtentV();
  return 0.0;
}

namespace {
// 1 inside |v − centre| ≤ (width − taper)/2, 0 beyond (width + taper)/2, a
// cosine ramp between whose midpoint is at width/2.
double Window(double v, double centre, double width) {
  const double d = std::abs(v - centre);
  const double inner = width / 2.0 - kLesionTaper_m / 2.0;
  if (d <= inner) return 1.0;
  if (d >= inner + kLesionTaper_m) return 0.0;
  return 0.5 * (1.0 + std::cos(kPi * (d - inner) / kLesionTaper_m));
}
}  // namespace

double MitralValve::LesionWeight(double v) const {
  if (p_.degenerative.kind == DegenerativeKind::kNone) return 0.0;
  return Window(v, ScallopCentreV(p_.degenerative.scallop.index), p_.degenerative.width_m);
}

double MitralValve::FunctionalWeight(double v) const {
  if (!p_.functional.present) return 0.0;
  return Window(v, 0.0, p_.functional.gap_width_m);
}

MitralValve::Profile MitralValve::NormalProfile(Leaflet leaflet, double v, int body_rows,
                                                int tail_rows, bool functional_gap) const {
  const double theta_p = std::asin(std::clamp(v / HalfExtentV(), -1.0, 1.0));
  const bool posterior = leaflet == Leaflet::kPosterior;
  const Point2 hinge = RingUW(posterior ? theta_p : kPi - theta_p);
  const double sign = posterior ? 1.0 : -1.0;
  const double f = DepthFactor(v);
  // The mid-surface meets the other leaflet's at u_c ± t/2, so the faces touch;
  // a functional gap pulls the two free edges apart.
  const Point2 corner{
      CoaptationU(v) + sign * (p_.leaflet_thickness_m / 2.0 +
                               (functional_gap ? p_.functional.coaptation_gap_m / 2.0 : 0.0) *
                                   FunctionalWeight(v)),
      -p_.coaptation_depth_m * f};
  Profile profile;
  for (int i = 0; i < body_rows; ++i) {
    const double s = static_cast<double>(i) / (body_rows - 1);
    profile.push_back({hinge.u + s * (corner.u - hinge.u), hinge.w + s * (corner.w - hinge.w)});
  }
  for (int k = 1; k <= tail_rows; ++k) {
    profile.push_back({corner.u, corner.w - centre_tail_ * f * k / tail_rows});
  }
  return profile;
}

MitralValve::Profile MitralValve::LesionProfile(Leaflet leaflet, double v, int rows,
                                                double swing_rad) const {
  // The diseased segment as a leaflet of the same length swung about its
  // hinge by the solved angle (towards the atrium as it grows); a prolapse
  // also billows its body towards the atrium.
  const Profile normal = NormalProfile(leaflet, v, rows - 1, 1);
  double length = 0.0;
  for (std::size_t i = 1; i < normal.size(); ++i) {
    length += std::hypot(normal[i].u - normal[i - 1].u, normal[i].w - normal[i - 1].w);
  }
  const double sign = leaflet == Leaflet::kPosterior ? 1.0 : -1.0;
  const double du = -sign * std::cos(swing_rad), dw = std::sin(swing_rad);
  // Unit normal to the leaflet pointing to the atrial side (w > 0).
  double nu = -dw, nw = du;
  if (nw < 0.0) nu = -nu, nw = -nw;
  const double billow =
      p_.degenerative.kind == DegenerativeKind::kProlapse ? p_.degenerative.prolapse_height_m : 0.0;
  // The billow lengthens the arc: rescale the chord until the arc has the
  // leaflet's length (a fixed-point iteration; it converges in a few steps).
  Profile profile(rows);
  double chord = length;
  for (int iteration = 0; iteration < kArcLengthIterations; ++iteration) {
    double arc = 0.0;
    for (int i = 0; i < rows; ++i) {
      const double s = static_cast<double>(i) / (rows - 1);
      const double lift = billow * std::sin(kPi * s);
      profile[i] = {normal.front().u + s * chord * du + lift * nu,
                    normal.front().w + s * chord * dw + lift * nw};
      if (i > 0)
        arc += std::hypot(profile[i].u - profile[i - 1].u, profile[i].w - profile[i - 1].w);
    }
    chord *= length / arc;
  }
  return profile;
}

double MitralValve::SolveLesionSwing(double v) const {
  // Bisect the swing so the smallest distance between the lesion leaflet's
  // face and the other leaflet's face (mid-surfaces less one thickness) in
  // the section at v is the case's gap. Solved per section, so the gap is
  // even across the lesion's width.
  const Leaflet lesion = p_.degenerative.scallop.leaflet;
  const Leaflet other = lesion == Leaflet::kPosterior ? Leaflet::kAnterior : Leaflet::kPosterior;
  const Profile b = NormalProfile(other, v, kSolveRows - kSolveTailRows, kSolveTailRows);
  const auto gap = [&](double swing) {
    const Profile a = LesionProfile(lesion, v, kSolveRows, swing);
    double best = INFINITY;
    for (std::size_t i = 1; i < a.size(); ++i) {
      for (std::size_t j = 1; j < b.size(); ++j) {
        best = std::min(best, SegmentDistance({{a[i - 1].u, a[i - 1].w, 0}, {a[i].u, a[i].w, 0}},
                                              {{b[j - 1].u, b[j - 1].w, 0}, {b[j].u, b[j].w, 0}}));
      }
    }
    return best - p_.leaflet_thickness_m;
  };
  double lo = kMinSwing_rad, hi = kMaxSwing_rad;
  if (gap(hi) < p_.degenerative.gap_m) return hi;
  for (int i = 0; i < kSwingBisectionSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (gap(mid) < p_.degenerative.gap_m ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool MitralValve::ChordRuptured(Leaflet leaflet, double v) const {
  return p_.degenerative.kind == DegenerativeKind::kFlail &&
         p_.degenerative.scallop.leaflet == leaflet && LesionWeight(v) > 0.0;
}

MitralValve::Profile MitralValve::CaseProfile(Leaflet leaflet, double v, int body_rows,
                                              int tail_rows) const {
  Profile profile = NormalProfile(leaflet, v, body_rows, tail_rows);
  const bool diseased =
      p_.degenerative.kind != DegenerativeKind::kNone && p_.degenerative.scallop.leaflet == leaflet;
  const double weight = diseased ? LesionWeight(v) : 0.0;
  if (weight > 0.0) {
    const int rows = body_rows + tail_rows;
    const Profile lesion = LesionProfile(leaflet, v, rows, SolveLesionSwing(v));
    for (int i = 0; i < rows; ++i) {
      profile[i].u += weight * (lesion[i].u - profile[i].u);
      profile[i].w += weight * (lesion[i].w - profile[i].w);
    }
  }
  return profile;
}

namespace {

// The profile's points at `rows` equal steps of arc length (linear between
// the given points): the tissue's nodes evenly spaced down each column, so no
// node is much lighter than its neighbours (a light node is soft in the
// position-based solver).
std::vector<Vec3> EvenlySpaced(const std::vector<Vec3>& dense, int rows) {
  std::vector<double> arc(dense.size(), 0.0);
  for (std::size_t i = 1; i < dense.size(); ++i) arc[i] = arc[i - 1] + Distance(dense[i], dense[i - 1]);
  std::vector<Vec3> out;
  std::size_t segment = 1;
  for (int r = 0; r < rows; ++r) {
    const double target = arc.back() * r / (rows - 1);
    while (segment + 1 < dense.size() && arc[segment] < target) ++segment;
    const double span = arc[segment] - arc[segment - 1];
    const double t = span > 0.0 ? std::clamp((target - arc[segment - 1]) / span, 0.0, 1.0) : 0.0;
    out.push_back(dense[segment - 1] + t * (dense[segment] - dense[segment - 1]));
  }
  return out;
}

}  // namespace

ValveTissue MitralValve::Tissue(int body_rows, int tail_rows, int columns, int chord_every) const {
  ValveTissue tissue;
  // Profiles sampled finely, then resampled evenly to the tissue's rows.
  constexpr int kDense = 8;
  const double v_max = kLeafletExtent * HalfExtentV();
  const auto landmarks = Landmarks();
  const Vec3 tip_al = landmarks.at("papillary_anterolateral_tip");
  const Vec3 tip_pm = landmarks.at("papillary_posteromedial_tip");
  for (const Leaflet leaflet : {Leaflet::kAnterior, Leaflet::kPosterior}) {
    LeafletSheet sheet;
    sheet.name = leaflet == Leaflet::kAnterior ? "anterior_leaflet" : "posterior_leaflet";
    sheet.rows = body_rows + tail_rows;
    sheet.columns = columns;
    sheet.thickness_m = p_.leaflet_thickness_m;
    sheet.closed_m.resize(static_cast<std::size_t>(sheet.rows * columns));
    sheet.coapted_m.resize(sheet.closed_m.size());
    for (int j = 0; j < columns; ++j) {
      const double v = -v_max + 2.0 * v_max * j / (columns - 1);
      sheet.column_v_m.push_back(v);
      const auto in_patient_frame = [&](const Profile& profile) {
        std::vector<Vec3> points;
        for (const Point2& q : profile) points.push_back(frame_(q.u, v, q.w));
        return EvenlySpaced(points, sheet.rows);
      };
      const std::vector<Vec3> closed = in_patient_frame(
          CaseProfile(leaflet, v, kDense * body_rows, kDense * tail_rows));
      const std::vector<Vec3> coapted = in_patient_frame(
          NormalProfile(leaflet, v, kDense * body_rows, kDense * tail_rows, false));
      for (int i = 0; i < sheet.rows; ++i) {
        const auto index = static_cast<std::size_t>(i * columns + j);
        sheet.closed_m[index] = closed[static_cast<std::size_t>(i)];
        sheet.coapted_m[index] = coapted[static_cast<std::size_t>(i)];
      }
      // Chordae as Build draws them: to the nearer papillary muscle, none
      // across a flail (ruptured).
      if (j < chord_every / 2 || (j - chord_every / 2) % chord_every != 0) continue;
      if (ChordRuptured(leaflet, v)) continue;
      ChordAttachment chord;
      chord.sheet = static_cast<int>(tissue.sheets.size());
      chord.row = sheet.rows - 1;
      chord.column = j;
      chord.papillary_tip_m = v >= 0.0 ? tip_al : tip_pm;
      // Taut only once systolic pressure stretches it: slack by kChordSlack_m
      // in the closed shape, so it does not hold the leaflet shut in diastole.
      chord.rest_length_m =
          Distance(sheet.closed_m[static_cast<std::size_t>(chord.row * columns + j)],
                   chord.papillary_tip_m) +
          kChordSlack_m;
      tissue.chordae.push_back(chord);
    }
    tissue.sheets.push_back(std::move(sheet));
  }
  return tissue;
}

TriangleMesh MitralValve::LeafletMesh(Leaflet leaflet, const ValveResolution& resolution) const {
  SheetGrid grid;
  grid.rows = resolution.body_rows + resolution.tail_rows;
  grid.columns = resolution.columns;
  grid.mid.resize(static_cast<std::size_t>(grid.rows * grid.columns));
  grid.offset.resize(grid.mid.size());
  grid.thickness_m.assign(grid.mid.size(), p_.leaflet_thickness_m);
  const double v_max = kLeafletExtent * HalfExtentV();
  for (int j = 0; j < grid.columns; ++j) {
    const double v = -v_max + 2.0 * v_max * j / (grid.columns - 1);
    const Profile profile = CaseProfile(leaflet, v, resolution.body_rows, resolution.tail_rows);
    for (int i = 0; i < grid.rows; ++i) {
      // Offset along the profile's in-section normal (central differences).
      const Point2& before = profile[std::max(0, i - 1)];
      const Point2& after = profile[std::min(grid.rows - 1, i + 1)];
      const double tu = after.u - before.u, tw = after.w - before.w;
      const double norm = std::hypot(tu, tw);
      const auto index = static_cast<std::size_t>(i * grid.columns + j);
      grid.mid[index] = frame_(profile[i].u, v, profile[i].w);
      grid.offset[index] = frame_(tw / norm, 0.0, -tu / norm);
    }
  }
  return ThickSheet(grid);
}

ValveMeshes MitralValve::Build(const ValveResolution& resolution) const {
  ValveMeshes meshes;
  std::vector<Vec3> ring;
  for (int k = 0; k < resolution.ring_samples; ++k) {
    ring.push_back(RingPoint(2.0 * kPi * k / resolution.ring_samples));
  }
  meshes.annulus = LoopTube(ring, frame_.w, kAnnulusRingRadius_m, resolution.ring_sides);
  meshes.anterior_leaflet = LeafletMesh(Leaflet::kAnterior, resolution);
  meshes.posterior_leaflet = LeafletMesh(Leaflet::kPosterior, resolution);

  // Papillary muscles below each commissure, chordae from the free edges to
  // the nearer one; a flail's chordae are ruptured (left out).
  const auto landmarks = Landmarks();
  const Vec3 tip_al = landmarks.at("papillary_anterolateral_tip");
  const Vec3 tip_pm = landmarks.at("papillary_posteromedial_tip");
  for (const Vec3& tip : {tip_al, tip_pm}) {
    meshes.papillary_muscles.Append(
        Ellipsoid(tip - kPapillaryHalfLength_m * frame_.w, BasisFromZ(frame_.w, frame_.u),
                  {kPapillaryRadius_m, kPapillaryRadius_m, kPapillaryHalfLength_m},
                  resolution.papillary_rings, resolution.papillary_segments));
  }
  const double v_max = kLeafletExtent * HalfExtentV();
  const int rows = resolution.body_rows + resolution.tail_rows;
  for (const Leaflet leaflet : {Leaflet::kAnterior, Leaflet::kPosterior}) {
    for (int j = resolution.chord_every / 2; j < resolution.columns; j += resolution.chord_every) {
      const double v = -v_max + 2.0 * v_max * j / (resolution.columns - 1);
      if (ChordRuptured(leaflet, v)) continue;
      const Profile profile = NormalProfile(leaflet, v, resolution.body_rows, resolution.tail_rows);
      const Vec3 attach = frame_(profile[rows - 1].u, v, profile[rows - 1].w);
      const Vec3& tip = v >= 0.0 ? tip_al : tip_pm;
      meshes.chordae.Append(
          Tube({{attach, kChordRadius_m, kChordRadius_m}, {tip, kChordRadius_m, kChordRadius_m}},
               frame_.u, resolution.chord_sides));
    }
  }
  return meshes;
}

std::map<std::string, Vec3> MitralValve::Landmarks() const {
  std::map<std::string, Vec3> marks;
  marks["annulus_centre"] = frame_(0, 0, 0);
  marks["annulus_normal_tip"] = frame_(0, 0, 0.01);
  marks["annulus_anterior"] = RingPoint(kPi);
  marks["annulus_posterior"] = RingPoint(0.0);
  marks["commissure_anterolateral"] = RingPoint(kPi / 2.0);
  marks["commissure_posteromedial"] = RingPoint(-kPi / 2.0);
  for (int index = 1; index <= 3; ++index) {
    const double v = ScallopCentreV(index);
    const double w = -p_.coaptation_depth_m * DepthFactor(v);
    marks["scallop_A" + std::to_string(index)] =
        frame_(CoaptationU(v) - p_.leaflet_thickness_m, v, w);
    marks["scallop_P" + std::to_string(index)] =
        frame_(CoaptationU(v) + p_.leaflet_thickness_m, v, w);
  }
  // The jet leaves through the lesion's centre (or the central gap).
  const double jet_v = p_.degenerative.kind != DegenerativeKind::kNone
                           ? ScallopCentreV(p_.degenerative.scallop.index)
                           : 0.0;
  marks["jet_origin"] =
      frame_(CoaptationU(jet_v), jet_v, -p_.coaptation_depth_m * DepthFactor(jet_v));
  const double tip_w = -(p_.coaptation_depth_m + centre_tail_ + kChordLength_m);
  marks["papillary_anterolateral_tip"] =
      frame_(centre_coaptation_u_, kPapillarySpread * HalfExtentV(), tip_w);
  marks["papillary_posteromedial_tip"] =
      frame_(centre_coaptation_u_, -kPapillarySpread * HalfExtentV(), tip_w);
  return marks;
}

std::vector<Vec3> MitralValve::CoaptationLine(int samples) const {
  std::vector<Vec3> line;
  const double v_max = kLeafletExtent * HalfExtentV();
  for (int k = 0; k < samples; ++k) {
    const double v = -v_max + 2.0 * v_max * k / (samples - 1);
    line.push_back(frame_(CoaptationU(v), v, -p_.coaptation_depth_m * DepthFactor(v)));
  }
  return line;
}

}  // namespace teersim::scenes
