#include "sim/views/fluoro_image.h"

#include <algorithm>
#include <cmath>

#include "sim/views/materials.h"
#include "sim/views/tube_mesh.h"

namespace teersim::views {
namespace {

using devices::ControlId;

// Sub-pixel precision of the scan conversion: coordinates are snapped to
// 1/256 px and edge functions evaluated in exact integers, so triangles that
// share an edge cover each pixel exactly once (a missed or doubled face would
// add a spurious μ·d).
constexpr double kSubpixel = 256.0;
// Attenuation outside the meshes (chest wall, mediastinum): scales the counts
// for the noise model only, the log display removes it [BK].
constexpr double kBodyBaselineIntegral = 2.5;
// An open mesh (a sheet) is imaged as a layer this thick; at grazing incidence
// its path length is capped at kMaxSheetObliquity times that [BK].
constexpr double kSheetThickness_m = 0.0015;
// Catheters at least this thick are drawn hollow, the lumen this fraction of
// the outer radius (a 24 Fr guide: ≈8 mm outside, ≈5.6 mm lumen) [BK].
constexpr double kMinHollowRadius_m = 0.0015;
constexpr double kLumenFraction = 0.7;
constexpr double kMaxSheetObliquity = 5.0;
// Log display: grey = kWhiteLevel − kGreyPerIntegral·Σ, clamped [BK, by eye].
constexpr double kWhiteLevel = 0.86;
constexpr double kGreyPerIntegral = 0.16;
constexpr double kBlackLevel = 0.03;
// Detector vignetting: brightness falls by this fraction from the centre to the corners [BK].
constexpr double kVignetting = 0.18;

struct Projected {
  std::int64_t x, y;  // fixed point, kSubpixel per pixel
};

class Accumulator {
 public:
  Accumulator(const CArmGeometry& carm, int size_px)
      : carm_(carm), size_(size_px), sum_(static_cast<std::size_t>(size_px) * size_px, 0.0) {}

  // Adds μ·(signed chord) of one closed mesh, or μ × the slanted thickness of
  // an open one (`sheet`).
  void AddMesh(const std::vector<float>& vertices_m, const std::vector<std::uint32_t>& indices,
               double mu) {
    if (mu == 0.0) return;
    sheet_ = !IsClosedMesh(indices);
    const std::size_t count = vertices_m.size() / 3;
    std::vector<Projected> screen(count);
    std::vector<bool> valid(count);
    for (std::size_t i = 0; i < count; ++i) {
      const auto p = ProjectToImage(carm_, size_, VertexAt(vertices_m, i));
      valid[i] = p.has_value();
      if (p) screen[i] = {std::llround((*p)[0] * kSubpixel), std::llround((*p)[1] * kSubpixel)};
    }
    for (std::size_t t = 0; t + 2 < indices.size(); t += 3) {
      const std::uint32_t a = indices[t], b = indices[t + 1], c = indices[t + 2];
      if (a >= count || b >= count || c >= count || !valid[a] || !valid[b] || !valid[c]) continue;
      AddTriangle(VertexAt(vertices_m, a), VertexAt(vertices_m, b), VertexAt(vertices_m, c),
                  screen[a], screen[b], screen[c], mu);
    }
  }

  const std::vector<double>& Sum() const { return sum_; }

 private:
  // Edge function: twice the signed area of (a, b, p), exact in integers.
  static std::int64_t Edge(const Projected& a, const Projected& b, std::int64_t px,
                           std::int64_t py) {
    return (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
  }
  // Fill rule for pixels exactly on an edge: an edge and its reverse never both own them.
  static bool OwnsTies(const Projected& a, const Projected& b) {
    return (b.y > a.y) || (b.y == a.y && b.x < a.x);
  }

  void AddTriangle(const Vec3& pa, const Vec3& pb, const Vec3& pc, Projected a, Projected b,
                   Projected c, double mu) {
    std::int64_t area = Edge(a, b, c.x, c.y);
    if (area == 0) return;
    if (area < 0) {
      std::swap(b, c);
      area = -area;
    }
    // Facing: the ray enters where the outward normal points back to the source.
    const Vec3 normal = Cross(pb - pa, pc - pa);
    const double plane_offset = Dot(normal, pa - carm_.source_m);
    const double sign = plane_offset < 0.0 ? -1.0 : 1.0;  // enter: −μ·d, leave: +μ·d
    const auto to_pixel = [](std::int64_t v) { return v / static_cast<std::int64_t>(kSubpixel); };
    const int x0 = std::max<int>(0, static_cast<int>(to_pixel(std::min({a.x, b.x, c.x}))) - 1);
    const int x1 =
        std::min<int>(size_ - 1, static_cast<int>(to_pixel(std::max({a.x, b.x, c.x}))) + 1);
    const int y0 = std::max<int>(0, static_cast<int>(to_pixel(std::min({a.y, b.y, c.y}))) - 1);
    const int y1 =
        std::min<int>(size_ - 1, static_cast<int>(to_pixel(std::max({a.y, b.y, c.y}))) + 1);
    const bool tie_ab = OwnsTies(a, b), tie_bc = OwnsTies(b, c), tie_ca = OwnsTies(c, a);
    const auto half = static_cast<std::int64_t>(kSubpixel / 2);
    const auto step = static_cast<std::int64_t>(kSubpixel);
    for (int y = y0; y <= y1; ++y) {
      const std::int64_t py = y * step + half;
      for (int x = x0; x <= x1; ++x) {
        const std::int64_t px = x * step + half;
        const std::int64_t e0 = Edge(b, c, px, py), e1 = Edge(c, a, px, py),
                           e2 = Edge(a, b, px, py);
        if (e0 < 0 || e1 < 0 || e2 < 0) continue;
        if ((e0 == 0 && !tie_bc) || (e1 == 0 && !tie_ca) || (e2 == 0 && !tie_ab)) continue;
        // Distance from the source to the triangle's plane along this pixel's
        // ray, measured from the isocentre distance to keep the sums small.
        const Vec3 ray = DetectorPoint(x, y) - carm_.source_m;
        const double along = Dot(normal, ray);
        if (along == 0.0) continue;
        const std::size_t pixel = static_cast<std::size_t>(y) * size_ + x;
        if (sheet_) {
          const double obliquity = Norm(normal) * Norm(ray) / std::fabs(along);
          sum_[pixel] += mu * kSheetThickness_m * std::min(obliquity, kMaxSheetObliquity);
          continue;
        }
        const double distance = plane_offset / along * Norm(ray);
        sum_[pixel] += sign * mu * (distance - kSourceIsocentreDistance_m);
      }
    }
  }

  Vec3 DetectorPoint(int x, int y) const {
    const double u = ((x + 0.5) / size_ - 0.5) * carm_.field_m;
    const double v = (0.5 - (y + 0.5) / size_) * carm_.field_m;
    return carm_.detector_centre_m + u * carm_.image_right + v * carm_.image_up;
  }

  CArmGeometry carm_;
  int size_;
  std::vector<double> sum_;
  bool sheet_ = false;
};

std::uint64_t NoiseSeed(const sim::Snapshot& snapshot) {
  const auto frame = static_cast<std::uint64_t>(std::floor(snapshot.time_s * kPulseRate_per_s));
  return Mix64(HashString(snapshot.case_name) ^ Mix64(frame));
}

}  // namespace

CArmGeometry CArmFromHandles(const devices::ControlFrame& handles) {
  const double lao = handles.Get(ControlId::kCArmLaoRao);
  const double cranial = handles.Get(ControlId::kCArmCranCaud);
  const double zoom = std::max(1.0, handles.Get(ControlId::kCArmZoom));
  // AP: the source under the table (posterior, +y), the detector anterior.
  // LAO turns the detector towards the patient's left; cranial tilts it to the head.
  const Vec3 towards_detector = {std::sin(lao) * std::cos(cranial),
                                 -std::cos(lao) * std::cos(cranial), std::sin(cranial)};
  CArmGeometry carm;
  carm.towards_detector = towards_detector;
  carm.source_m = kIsocentre_m - kSourceIsocentreDistance_m * towards_detector;
  carm.detector_centre_m = carm.source_m + kSourceImageDistance_m * towards_detector;
  // Seen from the detector: right is the horizontal axis (z × d), up completes the frame.
  carm.image_right = Normalized(Cross(Vec3{0, 0, 1}, towards_detector));
  carm.image_up = Cross(towards_detector, carm.image_right);
  carm.field_m = kDetectorField_m / zoom;
  return carm;
}

std::optional<std::array<double, 2>> ProjectToImage(const CArmGeometry& carm, int size_px,
                                                    const Vec3& p_m) {
  const Vec3 q = p_m - carm.source_m;
  const double depth = Dot(q, carm.towards_detector);
  if (depth <= 1e-6) return std::nullopt;
  const double scale = kSourceImageDistance_m / depth;
  const double u = Dot(q, carm.image_right) * scale;
  const double v = Dot(q, carm.image_up) * scale;
  return std::array<double, 2>{(u / carm.field_m + 0.5) * size_px,
                               (0.5 - v / carm.field_m) * size_px};
}

std::vector<double> FluoroLineIntegrals(const sim::Snapshot& snapshot, int size_px) {
  Accumulator accumulator(CArmFromHandles(snapshot.handles), size_px);
  for (const auto& mesh : snapshot.meshes) {
    const auto kind = ResolveMeshKind(mesh.tissue, mesh.name);
    accumulator.AddMesh(mesh.vertices_m, mesh.indices,
                        MaterialOf(kind).xray_mu_per_m - kBackgroundXrayMu_per_m);
  }
  for (const auto& instrument : snapshot.instruments) {
    if (instrument.radius_m <= 0.0f)
      continue;  // a guide line (centreline, coaptation line), not an object
    const auto kind = ResolveInstrumentKind(instrument.tissue, instrument.name);
    const sim::SnapshotMesh tube = TubeMesh(instrument);
    const double wall_mu = MaterialOf(kind).xray_mu_per_m;
    accumulator.AddMesh(tube.vertices_m, tube.indices, wall_mu - kBackgroundXrayMu_per_m);
    // Large-bore catheters are hollow: the blood-filled lumen replaces the wall
    // material inside, so their edges show darker than their middle ("tram tracks").
    if (kind == sim::TissueKind::kCatheter && instrument.radius_m >= kMinHollowRadius_m) {
      sim::SnapshotPolyline lumen = instrument;
      lumen.radius_m = static_cast<float>(instrument.radius_m * kLumenFraction);
      const sim::SnapshotMesh inner = TubeMesh(lumen);
      accumulator.AddMesh(inner.vertices_m, inner.indices,
                          MaterialOf(sim::TissueKind::kBloodPool).xray_mu_per_m - wall_mu);
    }
  }
  return accumulator.Sum();
}

// Focal-spot and detector blur: a [1 2 1]² binomial filter on the line integrals.
std::vector<double> Blurred(const std::vector<double>& image, int size) {
  std::vector<double> rows(image.size()), out(image.size());
  const auto at = [size](int x, int y) { return static_cast<std::size_t>(y) * size + x; };
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      rows[at(x, y)] = 0.25 * image[at(std::max(0, x - 1), y)] + 0.5 * image[at(x, y)] +
                       0.25 * image[at(std::min(size - 1, x + 1), y)];
    }
  }
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      out[at(x, y)] = 0.25 * rows[at(x, std::max(0, y - 1))] + 0.5 * rows[at(x, y)] +
                      0.25 * rows[at(x, std::min(size - 1, y + 1))];
    }
  }
  return out;
}

RgbImage RenderFluoroImage(const sim::Snapshot& snapshot, int size_px,
                           const FluoroOptions& options) {
  const std::vector<double> integrals = Blurred(FluoroLineIntegrals(snapshot, size_px), size_px);
  const std::uint64_t seed = NoiseSeed(snapshot);
  RgbImage image(size_px, size_px);
  for (int y = 0; y < size_px; ++y) {
    for (int x = 0; x < size_px; ++x) {
      const std::size_t index = static_cast<std::size_t>(y) * size_px + x;
      double integral = integrals[index];
      // Poisson quanta, approximated as Gaussian with variance = mean (N ≫ 1),
      // then back to a line integral: −log(N / N₀).
      if (options.noise) {
        const double expected =
            options.photons_per_pixel * std::exp(-(integral + kBodyBaselineIntegral));
        const double counted =
            std::max(0.5, expected + std::sqrt(expected) * Gaussian(seed ^ Mix64(index)));
        integral = -std::log(counted / options.photons_per_pixel) - kBodyBaselineIntegral;
      }
      const double dx = (x + 0.5) / size_px - 0.5, dy = (y + 0.5) / size_px - 0.5;
      const double vignette = 1.0 - kVignetting * 2.0 * (dx * dx + dy * dy);
      const double grey =
          std::clamp((kWhiteLevel - kGreyPerIntegral * integral) * vignette, kBlackLevel, 1.0);
      const auto level = static_cast<std::uint8_t>(std::lround(grey * 255.0));
      std::uint8_t* pixel = image.At(x, y);
      pixel[0] = pixel[1] = pixel[2] = level;
    }
  }
  return image;
}

const RgbImage& FluoroMonitor::Update(const sim::Snapshot& snapshot, int size_px) {
  const auto& handles = snapshot.handles;
  const bool beam_on =
      handles.Pressed(ControlId::kFluoroPedal) || handles.Pressed(ControlId::kCineButton);
  holding_ = !beam_on;
  if (beam_on) {
    shown_ = RenderFluoroImage(snapshot, size_px);
  } else if (shown_.width != size_px) {
    shown_ = RgbImage(size_px, size_px);  // nothing exposed yet at this size: a dark monitor
  }
  return shown_;
}

}  // namespace teersim::views
