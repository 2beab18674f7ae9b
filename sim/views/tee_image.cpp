#include "sim/views/tee_image.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

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
constexpr double kBackgroundEcho = 0.085;
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
// Colour Doppler: the colour grid is coarser than B-mode (every kColourBeamStep
// scan lines, kColourSampleStep samples), the colour box reaches this far
// around the jet, the jet spreads with this half-angle, and turbulence adds
// this fraction of the local speed as random velocity [BK].
constexpr int kColourBeamStep = 2;
constexpr int kColourSampleStep = 4;
constexpr double kColourBoxMargin_m = 0.012;
constexpr double kJetHalfAngle_rad = 0.2;
constexpr double kTurbulence = 0.45;
constexpr double kMaxJetLength_m = 0.06;
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
  bool sheet;  // an open mesh: echoes where the beam crosses it, encloses nothing
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
  const int class_a =
      a.material.echo_priority >= kOpaqueEchoPriority ? a.material.echo_priority : 0;
  const int class_b =
      b.material.echo_priority >= kOpaqueEchoPriority ? b.material.echo_priority : 0;
  if (class_a != class_b) return class_a > class_b;
  return a.size_m < b.size_m;
}

// Cuts one triangle mesh with the plane into 2D segments.
void CutMesh(const TeePlane& plane, const std::vector<float>& vertices_m,
             const std::vector<std::uint32_t>& indices, int volume,
             std::vector<Segment2>* segments) {
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
      const std::uint64_t key =
          seed ^ Mix64((static_cast<std::uint64_t>(beam) << 32) ^ static_cast<std::uint32_t>(k));
      in_phase[beam][k] = static_cast<float>(Gaussian(key));
      quadrature[beam][k] = static_cast<float>(Gaussian(key ^ 0xA5A5A5A5ull));
    }
  }
  const double cell = (2 * kSpeckleLateralReach + 1) * (2 * kSpeckleAxialReach + 1);
  std::vector<std::vector<float>> speckle(kBeamCount, std::vector<float>(kSampleCount));
  for (int beam = 0; beam < kBeamCount; ++beam) {
    for (int k = 0; k < kSampleCount; ++k) {
      double i_sum = 0.0, q_sum = 0.0;
      for (int b = std::max(0, beam - kSpeckleLateralReach);
           b <= std::min(kBeamCount - 1, beam + kSpeckleLateralReach); ++b) {
        for (int j = std::max(0, k - kSpeckleAxialReach);
             j <= std::min(kSampleCount - 1, k + kSpeckleAxialReach); ++j) {
          i_sum += in_phase[b][j];
          q_sum += quadrature[b][j];
        }
      }
      speckle[beam][k] =
          static_cast<float>(std::hypot(i_sum, q_sum) / std::sqrt(cell) / kRayleighMean);
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

// Velocity (m/s) of the regurgitant jet at `p_m`, or nullopt outside it.
std::optional<Vec3> JetVelocity(const sim::SnapshotRegurgitantJet& jet, double length_m,
                                const Vec3& p_m, std::uint64_t key) {
  const Vec3 origin{jet.origin_m[0], jet.origin_m[1], jet.origin_m[2]};
  const Vec3 axis = Normalized(Vec3{jet.direction[0], jet.direction[1], jet.direction[2]});
  const Vec3 offset = p_m - origin;
  const double along = Dot(offset, axis);
  if (along < 0.0 || along > length_m) return std::nullopt;
  const double orifice_radius = std::sqrt(jet.eroa_m2 / 3.141592653589793);
  const double radius = orifice_radius + along * std::tan(kJetHalfAngle_rad);
  const double radial = Norm(offset - along * axis);
  if (radial > radius) return std::nullopt;
  // Centreline speed falls as the jet widens (momentum spread over its section);
  // parabolic profile across it; turbulent fluctuation in every direction.
  const double centre_speed = jet.peak_velocity_m_per_s * orifice_radius / radius;
  const double speed = centre_speed * (1.0 - 0.7 * (radial / radius) * (radial / radius));
  const Vec3 fluctuation{Gaussian(key), Gaussian(key ^ 0x1111), Gaussian(key ^ 0x2222)};
  return speed * axis + (kTurbulence * centre_speed) * fluctuation;
}

// BART colour of a Doppler velocity towards the transducer, aliased into the
// Nyquist interval; turbulence (the spread of the velocity) adds green.
std::array<std::uint8_t, 3> DopplerColour(double towards_m_per_s, double turbulence) {
  const double nyquist = kNyquistVelocity_m_per_s;
  const double aliased =
      towards_m_per_s - 2.0 * nyquist * std::floor((towards_m_per_s + nyquist) / (2.0 * nyquist));
  const double level = std::fabs(aliased) / nyquist;  // 0..1
  const double green = std::clamp(180.0 * level * level + 140.0 * turbulence, 0.0, 255.0);
  const double main = 255.0 * (0.45 + 0.55 * level);
  if (aliased >= 0.0) return {static_cast<std::uint8_t>(main), static_cast<std::uint8_t>(green), 0};
  return {0, static_cast<std::uint8_t>(green), static_cast<std::uint8_t>(main)};
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

bool JetFlowing(const sim::Snapshot& snapshot) {
  const auto& jet = snapshot.mitral_jet;
  return jet.eroa_m2 > 0.0 && snapshot.cardiac_phase >= 0.0 &&
         snapshot.cardiac_phase < jet.systole_fraction;
}

double JetLength_m(const sim::SnapshotRegurgitantJet& jet) {
  return std::min(kMaxJetLength_m, kJetLengthPerRootArea * std::sqrt(std::max(0.0, jet.eroa_m2)) *
                                       jet.peak_velocity_m_per_s / 5.0);
}

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
  // Probe: the anatomy's mid-oesophageal point (or the default) at the
  // reference depth, moved along the oesophagus (inferior) by deeper
  // insertion; an explicit "tee_probe" landmark is the transducer itself.
  Vec3 mid_oesophageal = kDefaultProbe_m;
  for (const auto& landmark : snapshot.landmarks) {
    if (landmark.name == "tee_mid_oesophageal")
      mid_oesophageal = {landmark.p_m[0], landmark.p_m[1], landmark.p_m[2]};
  }
  plane.apex_m =
      mid_oesophageal -
      (snapshot.handles.Get(ControlId::kTeeDepth) - kReferenceProbeDepth_m) * Vec3{0, 0, 1};
  for (const auto& landmark : snapshot.landmarks) {
    if (landmark.name == "tee_probe")
      plane.apex_m = {landmark.p_m[0], landmark.p_m[1], landmark.p_m[2]};
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

std::array<double, 2> TeeImagePosition(const TeePlane& plane, const FanLayout& fan,
                                       const Vec3& p_m) {
  const Vec3 q = p_m - plane.apex_m;
  return {fan.apex_x_px + Dot(q, plane.lateral) * fan.px_per_m,
          fan.apex_y_px + Dot(q, plane.beam_axis) * fan.px_per_m};
}

RgbImage RenderTeeImage(const sim::Snapshot& snapshot, int width_px, int height_px) {
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);

  // Cut every mesh and instrument tube with the image plane.
  std::vector<Volume> volumes;
  std::vector<Segment2> segments;
  for (const auto& mesh : snapshot.meshes) {
    CutMesh(plane, mesh.vertices_m, mesh.indices, static_cast<int>(volumes.size()), &segments);
    const auto kind = ResolveMeshKind(mesh.tissue, mesh.name);
    volumes.push_back({MaterialOf(kind), BoxDiagonal(mesh.vertices_m),
                       kind == sim::TissueKind::kBloodPool, !IsClosedMesh(mesh.indices)});
  }
  for (const auto& instrument : snapshot.instruments) {
    if (instrument.radius_m <= 0.0f) continue;  // a guide line, not an object
    const sim::SnapshotMesh tube = TubeMesh(instrument);
    CutMesh(plane, tube.vertices_m, tube.indices, static_cast<int>(volumes.size()), &segments);
    volumes.push_back({MaterialOf(ResolveInstrumentKind(instrument.tissue, instrument.name)),
                       BoxDiagonal(tube.vertices_m), false, false});
  }

  // Trace each scan line: specular echoes at crossings, backscatter between them.
  const double spacing = kTeeImageDepth_m / kSampleCount;
  const double half = kTeeSectorAngle_rad / 2.0;
  const std::uint64_t seed = Mix64(HashString(snapshot.case_name) ^ 0x7EE);
  const auto speckle = SpeckleField(seed);
  std::vector<std::vector<double>> amplitude(kBeamCount, std::vector<double>(kSampleCount, 0.0));
  // Volumes that contain the transducer itself (the oesophagus around the
  // probe): a ray from the apex backwards, away from the sector, crosses
  // their cut an odd number of times. Each scan line starts inside them.
  std::vector<int> start_inside(volumes.size(), 0);
  for (const auto& s : segments) {
    if ((s.a_lat >= 0.0) == (s.b_lat >= 0.0)) continue;  // does not straddle the axial line
    const double ax = s.a_ax + (0.0 - s.a_lat) / (s.b_lat - s.a_lat) * (s.b_ax - s.a_ax);
    if (ax < 0.0) start_inside[s.volume] ^= 1;
  }
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
    std::sort(hits.begin(), hits.end(),
              [](const Hit& a, const Hit& b) { return a.range_m < b.range_m; });
    inside = start_inside;
    auto& line = amplitude[beam];
    double transmission = 1.0;
    std::size_t next = 0;
    for (int k = 0; k < kSampleCount; ++k) {
      const double range = (k + 0.5) * spacing;
      for (; next < hits.size() && hits[next].range_m <= range; ++next) {
        const Hit& hit = hits[next];
        const ImagingMaterial& material = volumes[hit.volume].material;
        if (volumes[hit.volume].sheet) {
          AddPulse(&line, hit.range_m,
                   material.echo_boundary * (0.3 + 0.7 * hit.incidence_cos) * transmission, spacing,
                   kWallPsf_m);
          transmission *= material.echo_transmission;
          continue;
        }
        // An echo only where what is seen changes (no walls drawn inside
        // another chamber or inside the septum; blood to blood is silent).
        const Volume* before = SeenVolume(volumes, inside);
        inside[hit.volume] ^= 1;
        const Volume* after = SeenVolume(volumes, inside);
        const bool blood_before = before == nullptr ? false : before->blood_pool;
        const bool blood_after = after == nullptr ? false : after->blood_pool;
        if (before != after && !(blood_before && blood_after)) {
          // Specular reflection: strongest at normal incidence, some diffuse part.
          const double echo =
              material.echo_boundary * (0.3 + 0.7 * hit.incidence_cos) * transmission;
          if (blood_before != blood_after) {
            // The wall lies on the tissue side of the blood.
            AddPulse(&line, hit.range_m + (blood_after ? -kWallPsf_m : kWallPsf_m), echo, spacing,
                     kWallPsf_m);
          } else {
            AddPulse(&line, hit.range_m, echo, spacing);
          }
          if (material.echo_transmission < 0.5) {
            for (int r = 1; r <= kReverbCount; ++r) {
              AddPulse(&line, hit.range_m + r * kReverbSpacing_m, echo * std::pow(kReverbDecay, r),
                       spacing);
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
      grey[beam][k] = static_cast<float>(
          std::clamp((decibels + kDynamicRange_dB) / kDynamicRange_dB, 0.0, 1.0));
    }
  }

  // Colour Doppler on a coarser polar grid inside a box around the jet.
  const int colour_beams = kBeamCount / kColourBeamStep,
            colour_samples = kSampleCount / kColourSampleStep;
  std::vector<std::array<std::uint8_t, 4>> colour(
      static_cast<std::size_t>(colour_beams) * colour_samples,
      {0, 0, 0, 0});  // rgb + flag: 1 in box, 2 coloured
  if (JetFlowing(snapshot)) {
    const auto& jet = snapshot.mitral_jet;
    const double length = JetLength_m(jet);
    const Vec3 origin{jet.origin_m[0], jet.origin_m[1], jet.origin_m[2]};
    const Vec3 tip =
        origin + length * Normalized(Vec3{jet.direction[0], jet.direction[1], jet.direction[2]});
    // Box in (angle, range) spanning the jet's in-plane projection plus a margin.
    double angle_low = half, angle_high = -half, range_low = kTeeImageDepth_m, range_high = 0.0;
    for (const Vec3& p : {origin, tip}) {
      const Vec3 q = p - plane.apex_m;
      const double lat = Dot(q, plane.lateral), ax = Dot(q, plane.beam_axis);
      const double range = std::hypot(lat, ax), angle = std::atan2(lat, ax);
      const double margin_angle = kColourBoxMargin_m / std::max(range, kColourBoxMargin_m);
      angle_low = std::min(angle_low, angle - margin_angle),
      angle_high = std::max(angle_high, angle + margin_angle);
      range_low = std::min(range_low, range - kColourBoxMargin_m),
      range_high = std::max(range_high, range + kColourBoxMargin_m);
    }
    for (int cb = 0; cb < colour_beams; ++cb) {
      const int beam = cb * kColourBeamStep + kColourBeamStep / 2;
      const double angle = -half + kTeeSectorAngle_rad * beam / (kBeamCount - 1);
      if (angle < angle_low || angle > angle_high) continue;
      const Vec3 direction = std::sin(angle) * plane.lateral + std::cos(angle) * plane.beam_axis;
      for (int cs = 0; cs < colour_samples; ++cs) {
        const int sample = cs * kColourSampleStep + kColourSampleStep / 2;
        const double range = (sample + 0.5) * spacing;
        if (range < range_low || range > range_high) continue;
        auto& cell = colour[static_cast<std::size_t>(cb) * colour_samples + cs];
        cell[3] = 1;
        const Vec3 p = plane.apex_m + range * direction;
        const std::uint64_t key =
            seed ^ Mix64(0xD0FFull + (static_cast<std::uint64_t>(cb) << 20) + cs);
        const auto velocity = JetVelocity(jet, length, p, key);
        if (!velocity) continue;
        // Doppler measures the component along the beam, positive towards the transducer.
        const double towards = -Dot(*velocity, direction);
        const double spread =
            std::min(1.0, kTurbulence * Norm(*velocity) / jet.peak_velocity_m_per_s * 3.0);
        const auto rgb = DopplerColour(towards, spread);
        cell = {rgb[0], rgb[1], rgb[2], 2};
      }
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
      const int b0 = std::min(static_cast<int>(fb), kBeamCount - 2),
                s0 = std::min(static_cast<int>(fs), kSampleCount - 2);
      const double wb = fb - b0, ws = fs - s0;
      const double value = (1 - wb) * ((1 - ws) * grey[b0][s0] + ws * grey[b0][s0 + 1]) +
                           wb * ((1 - ws) * grey[b0 + 1][s0] + ws * grey[b0 + 1][s0 + 1]);
      // Colour Doppler where the jet is, a faint box outline around its grid.
      std::uint8_t* pixel = image.At(x, y);
      const int cb = std::min(colour_beams - 1, static_cast<int>(fb + 0.5) / kColourBeamStep);
      const int cs = std::min(colour_samples - 1, static_cast<int>(fs + 0.5) / kColourSampleStep);
      const auto& cell = colour[static_cast<std::size_t>(cb) * colour_samples + cs];
      if (cell[3] == 2) {
        pixel[0] = cell[0], pixel[1] = cell[1], pixel[2] = cell[2];
        continue;
      }
      const auto in_box = [&](int b, int k) {
        return b >= 0 && k >= 0 && b < colour_beams && k < colour_samples &&
               colour[static_cast<std::size_t>(b) * colour_samples + k][3] != 0;
      };
      if (cell[3] == 1 && (!in_box(cb - 1, cs) || !in_box(cb + 1, cs) || !in_box(cb, cs - 1) ||
                           !in_box(cb, cs + 1))) {
        pixel[0] = pixel[1] = pixel[2] = 140;  // colour box outline
        continue;
      }
      // A faint warm tint, as on many echo machines.
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
