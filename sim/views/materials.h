// Imaging properties of each sim::TissueKind: linear X-ray attenuation for the
// fluoroscopy DRR and echogenicity for the TEE B-mode image. Plain C++ (no OSG).
//
// Attenuation values are effective linear coefficients near 60–70 keV (a
// cardiac fluoroscopy spectrum) [BK]; echo values are relative backscatter
// amplitudes [BK, tuned by eye]. Both are meant to be retuned: they live here
// and nowhere else.
#pragma once

#include <string_view>

#include "sim/snapshot.h"

namespace teersim::views {

struct ImagingMaterial {
  double xray_mu_per_m;      // linear attenuation coefficient μ (1/m)
  double echo_interior;      // backscatter amplitude inside the volume (0 = anechoic)
  double echo_boundary;      // specular echo amplitude where a beam crosses the surface
  double echo_transmission;  // fraction of amplitude that passes the surface (1 = no shadow)
  int echo_priority;         // ≥ 4 (bone, lung, instruments) hides what it overlaps in a TEE
                             // slice; below that the smallest containing volume is seen
};

// The material of a kind (kAuto is treated as soft tissue).
const ImagingMaterial& MaterialOf(sim::TissueKind kind);

// kAuto resolved from a mesh or instrument name: "spine", "rib", "vertebra",
// "sternum" → bone; "atrium", "ventricle", "aort", "vena_cava", "ivc", "svc",
// "vein", "sinus", "chamber", "lumen", "blood", "appendage" → blood pool; "fossa", "membrane" →
// membrane; "lung" → lung; "clip", "needle", "marker", "wire" → metal; anything else → soft tissue.
// Explicit kinds are returned unchanged.
sim::TissueKind ResolveMeshKind(sim::TissueKind kind, std::string_view name);
// Instruments default to catheter, metal for "clip", "needle", "wire", "marker".
sim::TissueKind ResolveInstrumentKind(sim::TissueKind kind, std::string_view name);

// The medium the meshes are embedded in (the thorax around the heart is mostly
// lung): fluoroscopy integrates (μ_mesh − μ_background) over each mesh, so a
// heart in lung field gives the faint shadow of a chest film.
inline constexpr double kBackgroundXrayMu_per_m = 5.0;

}  // namespace teersim::views
