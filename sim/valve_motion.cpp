#include "sim/valve_motion.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "scenes/vec3.h"
#include "sim/step.h"
#include "sim/valve_tissue.h"

namespace teersim::sim {
namespace {

using scenes::Cross;
using scenes::Distance;
using scenes::Dot;
using scenes::Norm;
using scenes::Normalized;
using scenes::operator+;
using scenes::operator-;
using scenes::operator*;

constexpr double kPi = std::numbers::pi;
// Cycle timing [BK]: systole (closed) is the first 35% of the cycle from the R
// wave (as the colour Doppler's systole_fraction); the leaflets open rapidly
// in early diastole (E wave), drift half-closed in diastasis and open again
// with the atrial kick (A wave) before closing at the next R wave.
constexpr double kRapidOpening = 0.08;  // fraction of the cycle to open fully
constexpr double kDiastasisOpening = 0.6;
// Clip zone: tissue within the arm's half-width plus the bridged tissue stays
// shut, released over this ramp beside it [DESIGN, as the outcome model's
// bridging and decay].
constexpr double kClipRamp_m = 0.003;
// Near the commissures the leaflets hardly open (their hinge turns into the
// commissure); the hinge search keeps inside this fraction of the half-span.
constexpr double kCommissureLimit = 0.95;

// The closed valve's annulus from its landmarks, as a D-shaped ring in valve
// coordinates: semi-axes towards each landmark, height interpolated.
struct Ring {
  double anterior = 0.0, posterior = 0.0, lateral = 0.0, medial = 0.0;          // semi-axes (m)
  double w_anterior = 0.0, w_posterior = 0.0, w_lateral = 0.0, w_medial = 0.0;  // saddle heights

  // Hinge of a leaflet at v: the ring point on that leaflet's side.
  Vec3 Hinge(bool anterior_leaflet, double v) const {
    const double half = v >= 0.0 ? lateral : medial;
    const double x = std::clamp(v / half, -kCommissureLimit, kCommissureLimit);
    const double along = std::sqrt(1.0 - x * x);
    const double u = anterior_leaflet ? -anterior * along : posterior * along;
    const double w_ap = anterior_leaflet ? w_anterior : w_posterior;
    const double w_side = v >= 0.0 ? w_lateral : w_medial;
    return {u, x * half, along * along * w_ap + x * x * w_side};
  }
};

Ring RingFromAnatomy(const Model& model) {
  Ring ring;
  const auto& marks = model.anatomy->landmarks;
  const auto get = [&](const char* name, double* semi, double* height) {
    const auto it = marks.find(name);
    if (it == marks.end()) return;
    const Vec3 q = ToValve(model.procedure.valve, it->second);
    *semi = std::hypot(q[0], q[1]);
    *height = q[2];
  };
  get("annulus_anterior", &ring.anterior, &ring.w_anterior);
  get("annulus_posterior", &ring.posterior, &ring.w_posterior);
  get("commissure_anterolateral", &ring.lateral, &ring.w_lateral);
  get("commissure_posteromedial", &ring.medial, &ring.w_medial);
  return ring;
}

Vec3 FromValve(const AnnularFrame& valve, const Vec3& q) {
  return valve.centre + q[0] * valve.u + q[1] * valve.v + q[2] * valve.w;
}

Vec3 RotateAbout(const Vec3& p, const Vec3& origin, const Vec3& axis, double angle) {
  // Rodrigues' rotation of p about the line through origin along unit axis.
  const Vec3 r = p - origin;
  const double c = std::cos(angle), s = std::sin(angle);
  return origin + c * r + s * Cross(axis, r) + (1.0 - c) * Dot(axis, r) * axis;
}

// How much of the leaflet at s (along the coaptation line) may open, given
// the clips holding it.
double ClipFreedom(const ProcedureState& p, const ClipSize& clip, double s) {
  double freedom = 1.0;
  // Named: a range-for over a temporary's member view would dangle (C++20).
  const ClipsOnTissue clips_on_tissue = ListClipsOnTissue(p);
  for (const ClipOnTissue& held : clips_on_tissue.View()) {
    const double zone = ClipHeldHalfWidth_m(clip, held);
    freedom *= std::clamp((std::fabs(s - held.position_s_m) - zone) / kClipRamp_m, 0.0, 1.0);
  }
  return freedom;
}

}  // namespace

double LeafletOpening(double cardiac_phase) {
  const double phase = cardiac_phase - std::floor(cardiac_phase);
  if (phase < kSystolicFraction) return 0.0;
  const double d = (phase - kSystolicFraction) / (1.0 - kSystolicFraction);  // 0..1 through diastole
  const double rapid = kRapidOpening / (1.0 - kSystolicFraction);
  if (d < rapid) return 0.5 * (1.0 - std::cos(kPi * d / rapid));  // E wave
  // Diastasis then the A wave: open, drift to the diastasis level, reopen,
  // and close at the end of diastole.
  const double rest = (d - rapid) / (1.0 - rapid);
  const double drift = 1.0 - (1.0 - kDiastasisOpening) * std::sin(kPi * std::min(rest / 0.7, 1.0));
  const double closing = rest > 0.9 ? 0.5 * (1.0 + std::cos(kPi * (rest - 0.9) / 0.1)) : 1.0;
  return drift * closing;
}

bool IsValveStructure(std::string_view name) {
  return name == "mitral_annulus" || name == "anterior_leaflet" || name == "posterior_leaflet" ||
         name == "chordae" || name == "papillary_muscles";
}

void MoveValveMesh(const Model& model, const State& state, SnapshotMesh* mesh) {
  if (!model.anatomy || !IsValveStructure(mesh->name)) return;
  const AnnularFrame& valve = model.procedure.valve;
  const Vec3 shift = AnnulusShift(model, state.cardiac_phase);
  const bool anterior = mesh->name == "anterior_leaflet";
  const bool leaflet = anterior || mesh->name == "posterior_leaflet";
  // With the tissue simulation the leaflets and chordae are where it has them.
  if (model.valve_tissue.available && (leaflet || mesh->name == "chordae")) {
    const scenes::TriangleMesh surface =
        leaflet ? LeafletSurface(model.valve_tissue, state.valve_tissue,
                                 anterior ? model.valve_tissue.anterior_sheet
                                          : model.valve_tissue.posterior_sheet,
                                 shift)
                : ChordaeSurface(model.valve_tissue, state.valve_tissue, shift);
    mesh->vertices_m.clear();
    mesh->indices.clear();
    for (const auto& v : surface.vertices)
      for (int k = 0; k < 3; ++k) mesh->vertices_m.push_back(static_cast<float>(v[static_cast<std::size_t>(k)]));
    for (const auto& t : surface.triangles) mesh->indices.insert(mesh->indices.end(), t.begin(), t.end());
    return;
  }
  // Without the procedure's valve frame (an imported anatomy lacking the
  // valve landmarks) only the annulus motion applies.
  const double opening =
      leaflet && model.procedure.available ? LeafletOpening(state.cardiac_phase) : 0.0;
  const Ring ring = RingFromAnatomy(model);
  const double max_angle = anterior ? kAnteriorOpening_rad : kPosteriorOpening_rad;
  const Vec3 down = -1.0 * valve.w;

  for (std::size_t i = 0; i + 2 < mesh->vertices_m.size(); i += 3) {
    Vec3 p{mesh->vertices_m[i], mesh->vertices_m[i + 1], mesh->vertices_m[i + 2]};
    if (opening > 0.0) {
      const Vec3 q = ToValve(valve, p);
      // Swing about the hinge tangent, towards the LV.
      constexpr double kTangentStep_m = 0.0005;
      const Vec3 hinge_q = ring.Hinge(anterior, q[1]);
      const Vec3 hinge = FromValve(valve, hinge_q);
      const Vec3 ahead = FromValve(valve, ring.Hinge(anterior, q[1] + kTangentStep_m));
      const Vec3 behind = FromValve(valve, ring.Hinge(anterior, q[1] - kTangentStep_m));
      const Vec3 tangent = ahead - behind;
      const double half = q[1] >= 0.0 ? ring.lateral : ring.medial;
      const double x = half > 0.0 ? std::min(std::fabs(q[1]) / half, 1.0) : 1.0;
      const double angle = opening * max_angle * std::sqrt(1.0 - x * x) *
                           ClipFreedom(state.procedure, model.procedure.instruments.clip, -q[1]);
      if (Norm(tangent) > 1e-12 && angle > 0.0) {
        const Vec3 axis = Normalized(tangent);
        const double sign = Dot(Cross(axis, p - hinge), down) >= 0.0 ? 1.0 : -1.0;
        p = RotateAbout(p, hinge, axis, sign * angle);
      }
    }
    p = p + shift;
    for (int k = 0; k < 3; ++k)
      mesh->vertices_m[i + static_cast<std::size_t>(k)] =
          static_cast<float>(p[static_cast<std::size_t>(k)]);
  }
}

}  // namespace teersim::sim
