#include "sim/views/tee_image.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "sim/views/materials.h"
#include "sim/views/tube_mesh.h"

namespace teersim::views {
namespace {

using devices::ControlId;

constexpr double kPi = 3.141592653589793;
constexpr double kRadiansPerDegree = kPi / 180.0;
// Polar sampling of the sector: scan lines and samples along each line.
constexpr int kBeamCount = 192;
constexpr int kSampleCount = 420;
// Axial point-spread of a specular echo (σ), ≈ half a wavelength at 5 MHz [BK].
constexpr double kAxialPsf_m = 0.0004;
// Background (myocardium, mediastinum) backscatter where no mesh claims a sample.
constexpr double kBackgroundEcho = 0.12;
// Net depth attenuation after time-gain compensation (amplitude, 1/m) and gain.
constexpr double kNetAttenuation_per_m = 4.0;
constexpr double kGain = 1.0;
// Log compression: amplitude kReferenceAmplitude is white, kDynamicRange_dB below it black.
constexpr double kReferenceAmplitude = 1.6;
constexpr double kDynamicRange_dB = 48.0;
// Reverberation behind metal: echoes every kReverbSpacing_m, each kReverbDecay of the previous.
constexpr double kReverbSpacing_m = 0.0018;
constexpr double kReverbDecay = 0.45;
constexpr int kReverbCount = 4;
// Materials at or above this echo priority hide whatever they overlap.
constexpr int kOpaqueEchoPriority = 4;
// A blood pool's surface is drawn as a wall of this half-thickness outside it
// (myocardium, atrial wall), as a broader specular band [BK].
constexpr double kWallPsf_m = 0.0009;
// Speckle correlation: scan lines and samples averaged in the complex field.
constexpr int kSpeckleLateralReach = 2;
constexpr int kSpeckleAxialReach = 1;
// Rayleigh amplitude mean sqrt(π/2): dividing by it gives unit-mean speckle.
constexpr double kRayleighMean = 1.2533141373155;

constexpr std::array<TeePreset, 5> kPresets{{
    {"tee-4ch", "ME 4-chamber", 0.0, -10.0},
    {"tee-sax", "ME SAX at AV", 45.0, 5.0},
    {"tee-ic", "ME intercommissural", 65.0, -25.0},
    {"tee-bicaval", "ME bicaval", 100.0, 0.0},
    {"tee-lvot", "ME LVOT long axis", 135.0, -15.0},
}};

struct Segment2 {
  double a_lat, a_ax, b_lat, b_ax;  // end points in plane coordinates (m)
  double n_lat, n_ax;               // unit in-plane surface normal
  int volume;                       // index into the volume list
};

struct Hit {
  double range_m;
  double incidence_cos;
  int volume;
};

struct Volume {
  ImagingMaterial material;
  double size_m;  // bounding-box diagonal: where volumes nest, the smaller one is seen
  bool blood_pool;
};

double BoxDiagonal(const std::vector<float>& xyz) {
  if (xyz.size() < 3) return 0.0;
  Vec3 low = VertexAt(xyz, 0), high = low;
  for (std::size_t i = 1; i < xyz.size() / 3; ++i) {
    const Vec3 p = VertexAt(xyz, i);
    for (int k = 0; k < 3; ++k) low[k] = std::min(low[k], p[k]), high[k] = std::max(high[k], p[k]);
  }
  return Norm(high - low);
}

// The volume seen at a sample: strongly reflecting classes (bone, lung, metal,
// catheter) first, then the smallest volume containing it (a septum inside an
// overlapping atrium, a chamber inside the heart envelope).
bool SeenBefore(const Volume& a, const Volume& b) {
  const int class_a = a.material.echo_priority >= kOpaqueEchoPriority ? a.material.echo_priority : 0;
  const int class_b = b.material.echo_priority >= kOpaqueEchoPriority ? b.material.echo_priority : 0;
  if (class_a != class_b) return class_a > class_b;
  return a.size_m < b.size_m;
}

// Cuts one triangle mesh with the plane into 2D segments.
void CutMesh(const TeePlane& plane, const std::vector<float>& vertices_m, const std::vector<std::uint32_t>& indices,
             int volume, std::vector<Segment2>* segments) {
  const std::size_t count = vertices_m.size() / 3;
  std::vector<double> distance(count), lat(count), ax(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Vec3 q = VertexAt(vertices_m, i) - plane.apex_m;
    distance[i] = Dot(q, plane.normal);
    lat[i] = Dot(q, plane.lateral);
    ax[i] = Dot(q, plane.beam_axis);
  }
  for (std::size_t t = 0; t + 2 < indices.size(); t += 3) {
    const std::array<std::uint32_t, 3> v{indices[t], indices[t + 1], indices[t + 2]};
    if (v[0] >= count || v[1] >= count || v[2] >= count) continue;
    std::array<double, 4> ends{};
    int found = 0;
    for (int e = 0; e < 3 && found < 4; ++e) {
      const std::uint32_t p = v[e], q = v[(e + 1) % 3];
      // Zero counts as positive so a vertex on the plane is cut once.
      if ((distance[p] >= 0.0) == (distance[q] >= 0.0)) continue;
      const double s = distance[p] / (distance[p] - distance[q]);
      ends[found++] = lat[p] + s * (lat[q] - lat[p]);
      ends[found++] = ax[p] + s * (ax[q] - ax[p]);
    }
    if (found != 4) continue;
    const Vec3 normal = Normalized(Cross(VertexAt(vertices_m, v[1]) - VertexAt(vertices_m, v[0]),
                                         VertexAt(vertices_m, v[2]) - VertexAt(vertices_m, v[0])));
    double n_lat = Dot(normal, plane.lateral), n_ax = Dot(normal, plane.beam_axis);
    const double length = std::hypot(n_lat, n_ax);
    if (length > 0.0) n_lat /= length, n_ax /= length;
    segments->push_back({ends[0], ends[1], ends[2], ends[3], n_lat, n_ax, volume});
  }
}

// Unit-mean Rayleigh speckle on the polar grid: the magnitude of a complex
// Gaussian field summed over a few scan lines and samples (the resolution
// cell), so speckle grains are wider than they are deep, as on a real scanner.
std::vector<std::vector<float>> SpeckleField(std::uint64_t seed) {
  std::vector<std::vector<float>> in_phase(kBeamCount, std::vector<float>(kSampleCount));
  auto quadrature = in_phase;
  for (int beam = 0; beam < kBeamCount; ++beam) {
    for (int k = 0; k < kSampleCount; ++k) {
      const std::uint64_t key = seed ^ Mix64((static_cast<std::uint64_t>(beam) << 32) ^ static_cast<std::uint32_t>(k));
      in_phase[beam][k] = static_cast<float>(Gaussian(key));
      quadrature[beam][k] = static_cast<float>(Gaussian(key ^ 0xA5A5A5A5ull));
    }
  }
  const double cell = (2 * kSpeckleLateralReach + 1) * (2 * kSpeckleAxialReach + 1);
  std::vector<std::vector<float>> speckle(kBeamCount, std::vector<float>(kSampleCount));
  for (int beam = 0; beam < kBeamCount; ++beam) {
    for (int k = 0; k < kSampleCount; ++k) {
      double i_sum = 0.0, q_sum = 0.0;
      for (int b = std::max(0, beam - kSpeckleLateralReach); b <= std::min(kBeamCount - 1, beam + kSpeckleLateralReach); ++b) {
        for (int j = std::max(0, k - kSpeckleAxialReach); j <= std::min(kSampleCount - 1, k + kSpeckleAxialReach); ++j) {
          i_sum += in_phase[b][j];
          q_sum += quadrature[b][j];
        }
      }
      speckle[beam][k] = static_cast<float>(std::hypot(i_sum, q_sum) / std::sqrt(cell) / kRayleighMean);
    }
  }
  return speckle;
}

void AddPulse(std::vector<double>* line, double range_m, double amplitude, double sample_spacing_m,
              double width_m = kAxialPsf_m) {
  const int centre = static_cast<int>(range_m / sample_spacing_m);
  const int reach = static_cast<int>(3.0 * width_m / sample_spacing_m) + 1;
  for (int k = std::max(0, centre - reach); k <= std::min(kSampleCount - 1, centre + reach); ++k) {
    const double offset = ((k + 0.5) * sample_spacing_m - range_m) / width_m;
    (*line)[k] += amplitude * std::exp(-0.5 * offset * offset);
  }
}

// The volume seen where the volumes flagged in `inside` overlap (nullptr: none).
const Volume* SeenVolume(const std::vector<Volume>& volumes, const std::vector<int>& inside) {
  const Volume* seen = nullptr;
  for (std::size_t v = 0; v < volumes.size(); ++v) {
    if (inside[v] && (seen == nullptr || SeenBefore(volumes[v], *seen))) seen = &volumes[v];
  }
  return seen;
}

}  // namespace

std::optional<TeePreset> FindTeePreset(std::string_view view) {
  for (const auto& preset : kPresets) {
    if (preset.view == view) return preset;
  }
  return std::nullopt;
}

sim::Snapshot WithTeePreset(const sim::Snapshot& snapshot, const TeePreset& preset) {
  sim::Snapshot result = snapshot;
  result.handles.Set(ControlId::kTeeMultiplane, preset.multiplane_deg * kRadiansPerDegree);
  result.handles.Set(ControlId::kTeeFlexion, preset.flexion_deg * kRadiansPerDegree);
  return result;
}

TeePlane TeePlaneFromSnapshot(const sim::Snapshot& snapshot) {
  TeePlane plane;
  plane.apex_m = kDefaultProbe_m - (snapshot.handles.Get(ControlId::kTeeDepth) - kReferenceProbeDepth_m) * Vec3{0, 0, 1};
  for (const auto& landmark : snapshot.landmarks) {
    if (landmark.name == "tee_probe") plane.apex_m = {landmark.p_m[0], landmark.p_m[1], landmark.p_m[2]};
  }
  // Beam: anterior from the oesophagus, tilted by flexion (anteflexion up).
  const double flexion = snapshot.handles.Get(ControlId::kTeeFlexion);
  plane.beam_axis = {0.0, -std::cos(flexion), std::sin(flexion)};
  // Multiplane: the plane turns about the beam from patient-left (0°) to superior (90°).
  const double multiplane = snapshot.handles.Get(ControlId::kTeeMultiplane);
  const Vec3 up = Normalized(Vec3{0, 0, 1} - plane.beam_axis[2] * plane.beam_axis);
  plane.lateral = std::cos(multiplane) * Vec3{1, 0, 0} + std::sin(multiplane) * up;
  plane.normal = Cross(plane.beam_axis, plane.lateral);
  return plane;
}

FanLayout TeeFanLayout(int width_px, int height_px) {
  const double margin = 0.04 * height_px;
  const double half = kTeeSectorAngle_rad / 2.0;
  const double px_per_m = std::min((height_px - 2.0 * margin) / kTeeImageDepth_m,
                                   (width_px / 2.0 - margin) / (kTeeImageDepth_m * std::sin(half)));
  return {width_px / 2.0, margin, px_per_m};
}

std::array<double, 2> TeeImagePosition(const TeePlane& plane, const FanLayout& fan, const Vec3& p_m) {
  const Vec3 q = p_m - plane.apex_m;
  return {fan.apex_x_px + Dot(q, plane.lateral) * fan.px_per_m, fan.apex_y_px + Dot(q, plane.beam_axis) * fan.px_per_m};
}

RgbImage RenderTeeImage(const sim::Snapshot& snapshot, int width_px, int height_px) {
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);

  // Cut every mesh and instrument tube with the image plane.
  std::vector<Volume> volumes;
  std::vector<Segment2> segments;
  for (const auto& mesh : snapshot.meshes) {
    CutMesh(plane, mesh.vertices_m, mesh.indices, static_cast<int>(volumes.size()), &segments);
    const auto kind = ResolveMeshKind(mesh.tissue, mesh.name);
    volumes.push_back({MaterialOf(kind), BoxDiagonal(mesh.vertices_m), kind == sim::TissueKind::kBloodPool});
  }
  for (const auto& instrument : snapshot.instruments) {
    const sim::SnapshotMesh tube = TubeMesh(instrument);
    CutMesh(plane, tube.vertices_m, tube.indices, static_cast<int>(volumes.size()), &segments);
    volumes.push_back({MaterialOf(ResolveInstrumentKind(instrument.tissue, instrument.name)),
                       BoxDiagonal(tube.vertices_m), false});
  }

  // Trace each scan line: specular echoes at crossings, backscatter between them.
  const double spacing = kTeeImageDepth_m / kSampleCount;
  const double half = kTeeSectorAngle_rad / 2.0;
  const std::uint64_t seed = Mix64(HashString(snapshot.case_name) ^ 0x7EE);
  const auto speckle = SpeckleField(seed);
  std::vector<std::vector<double>> amplitude(kBeamCount, std::vector<double>(kSampleCount, 0.0));
  std::vector<Hit> hits;
  std::vector<int> inside(volumes.size());
  for (int beam = 0; beam < kBeamCount; ++beam) {
    const double angle = -half + kTeeSectorAngle_rad * beam / (kBeamCount - 1);
    const double dir_lat = std::sin(angle), dir_ax = std::cos(angle);
    hits.clear();
    for (const auto& s : segments) {
      const double e_lat = s.b_lat - s.a_lat, e_ax = s.b_ax - s.a_ax;
      const double denominator = dir_lat * e_ax - dir_ax * e_lat;
      if (denominator == 0.0) continue;
      const double range = (s.a_lat * e_ax - s.a_ax * e_lat) / denominator;
      const double along = (s.a_lat * dir_ax - s.a_ax * dir_lat) / denominator;
      if (range <= 0.0 || along < 0.0 || along >= 1.0) continue;
      hits.push_back({range, std::fabs(dir_lat * s.n_lat + dir_ax * s.n_ax), s.volume});
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.range_m < b.range_m; });
    std::fill(inside.begin(), inside.end(), 0);
    auto& line = amplitude[beam];
    double transmission = 1.0;
    std::size_t next = 0;
    for (int k = 0; k < kSampleCount; ++k) {
      const double range = (k + 0.5) * spacing;
      for (; next < hits.size() && hits[next].range_m <= range; ++next) {
        const Hit& hit = hits[next];
        const ImagingMaterial& material = volumes[hit.volume].material;
        // An echo only where what is seen changes (no walls drawn inside
        // another chamber or inside the septum; blood to blood is silent).
        const Volume* before = SeenVolume(volumes, inside);
        inside[hit.volume] ^= 1;
        const Volume* after = SeenVolume(volumes, inside);
        const bool blood_before = before == nullptr ? false : before->blood_pool;
        const bool blood_after = after == nullptr ? false : after->blood_pool;
        if (before != after && !(blood_before && blood_after)) {
          // Specular reflection: strongest at normal incidence, some diffuse part.
          const double echo = material.echo_boundary * (0.3 + 0.7 * hit.incidence_cos) * transmission;
          if (blood_before != blood_after) {
            // The wall lies on the tissue side of the blood.
            AddPulse(&line, hit.range_m + (blood_after ? -kWallPsf_m : kWallPsf_m), echo, spacing, kWallPsf_m);
          } else {
            AddPulse(&line, hit.range_m, echo, spacing);
          }
          if (material.echo_transmission < 0.5) {
            for (int r = 1; r <= kReverbCount; ++r) {
              AddPulse(&line, hit.range_m + r * kReverbSpacing_m, echo * std::pow(kReverbDecay, r), spacing);
            }
          }
        }
        transmission *= material.echo_transmission;
      }
      // Backscatter of the volume seen at this sample.
      const Volume* seen = SeenVolume(volumes, inside);
      const double interior = seen ? seen->material.echo_interior : kBackgroundEcho;
      line[k] += interior * transmission;
    }
    // Speckle, attenuation and gain.
    for (int k = 0; k < kSampleCount; ++k) {
      const double range = (k + 0.5) * spacing;
      line[k] *= speckle[beam][k] * kGain * std::exp(-kNetAttenuation_per_m * range);
    }
  }

  // Lateral beam width: a [1 2 1] blur across neighbouring scan lines, then log compression.
  std::vector<std::vector<float>> grey(kBeamCount, std::vector<float>(kSampleCount));
  for (int beam = 0; beam < kBeamCount; ++beam) {
    const auto& left = amplitude[std::max(0, beam - 1)];
    const auto& right = amplitude[std::min(kBeamCount - 1, beam + 1)];
    for (int k = 0; k < kSampleCount; ++k) {
      const double blurred = 0.25 * left[k] + 0.5 * amplitude[beam][k] + 0.25 * right[k];
      const double decibels = 20.0 * std::log10(std::max(blurred, 1e-9) / kReferenceAmplitude);
      grey[beam][k] = static_cast<float>(std::clamp((decibels + kDynamicRange_dB) / kDynamicRange_dB, 0.0, 1.0));
    }
  }

  // Scan conversion into the fan (bilinear in beam and range).
  const FanLayout fan = TeeFanLayout(width_px, height_px);
  RgbImage image(width_px, height_px);
  for (int y = 0; y < height_px; ++y) {
    for (int x = 0; x < width_px; ++x) {
      const double lat = (x + 0.5 - fan.apex_x_px) / fan.px_per_m;
      const double ax = (y + 0.5 - fan.apex_y_px) / fan.px_per_m;
      const double range = std::hypot(lat, ax);
      const double angle = std::atan2(lat, ax);
      if (range >= kTeeImageDepth_m || std::fabs(angle) > half || ax <= 0.0) continue;
      const double fb = (angle + half) / kTeeSectorAngle_rad * (kBeamCount - 1);
      const double fs = std::clamp(range / spacing - 0.5, 0.0, kSampleCount - 1.0);
      const int b0 = std::min(static_cast<int>(fb), kBeamCount - 2), s0 = std::min(static_cast<int>(fs), kSampleCount - 2);
      const double wb = fb - b0, ws = fs - s0;
      const double value = (1 - wb) * ((1 - ws) * grey[b0][s0] + ws * grey[b0][s0 + 1]) +
                           wb * ((1 - ws) * grey[b0 + 1][s0] + ws * grey[b0 + 1][s0 + 1]);
      // A faint warm tint, as on many echo machines.
      std::uint8_t* pixel = image.At(x, y);
      pixel[0] = static_cast<std::uint8_t>(std::lround(255.0 * value));
      pixel[1] = static_cast<std::uint8_t>(std::lround(250.0 * value));
      pixel[2] = static_cast<std::uint8_t>(std::lround(232.0 * value));
    }
  }
  // Depth marks every centimetre just outside the right edge of the sector.
  constexpr double kMarkSpacing_m = 0.01;
  for (double range = kMarkSpacing_m; range < kTeeImageDepth_m; range += kMarkSpacing_m) {
    const double angle = half + 0.04;
    const int cx = static_cast<int>(fan.apex_x_px + range * std::sin(angle) * fan.px_per_m);
    const int cy = static_cast<int>(fan.apex_y_px + range * std::cos(angle) * fan.px_per_m);
    for (int dy = 0; dy < 2; ++dy) {
      for (int dx = 0; dx < 2; ++dx) {
        if (cx + dx >= 0 && cx + dx < width_px && cy + dy >= 0 && cy + dy < height_px) {
          std::uint8_t* pixel = image.At(cx + dx, cy + dy);
          pixel[0] = pixel[1] = pixel[2] = 200;
        }
      }
    }
  }
  return image;
}

}  // namespace teersim::views
