// Fluoroscopy as a digitally reconstructed radiograph (DRR), formed on the CPU
// from a sim::Snapshot. Plain C++ (no OSG): sim/views/fluoro_view.* shows it.
//
// C-arm: a point source and a flat detector on opposite sides of an isocentre
// near the heart, rotated by the LAO/RAO angle about the patient's long axis
// (LAO: detector towards the patient's left) and tilted cranial/caudal
// (cranial: detector towards the head). Cone-beam perspective.
//
// Image formation (Beer–Lambert, I = I₀·exp(−Σ μᵢ·tᵢ)): every closed mesh (and
// every instrument as a capped tube of its radius) is scan-converted onto the
// detector; at each pixel a face the ray enters adds −μ·d and a face it leaves
// adds +μ·d, d being the distance from the source, so a closed mesh contributes
// μ times the chord length. Quantum noise is Poisson-like on the detected
// counts, keyed by the snapshot time and case (never the wall clock). Display:
// log of the transmitted intensity, dark = attenuating, seen from the detector
// side (the patient's left on the viewer's right in AP).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "sim/snapshot.h"
#include "sim/views/imaging_math.h"

namespace teersim::views {

// C-arm geometry [BK]: source–image distance 1.0 m, source–isocentre 0.65 m,
// a 30 cm detector field at zoom 1 (≈ 20 cm at the isocentre).
inline constexpr double kSourceImageDistance_m = 1.0;
inline constexpr double kSourceIsocentreDistance_m = 0.65;
inline constexpr double kDetectorField_m = 0.30;
// Isocentre: 2 cm above the mitral annulus centre, between LA and LV.
inline constexpr Vec3 kIsocentre_m{0.0, 0.0, 0.02};
// Pulsed fluoroscopy rate keys the noise frame [BK: 7.5–15 pulses/s].
inline constexpr double kPulseRate_per_s = 15.0;

struct CArmGeometry {
  Vec3 source_m;           // X-ray focal spot, patient frame
  Vec3 detector_centre_m;  // centre of the detector
  Vec3 towards_detector;   // unit, source → detector (central ray)
  Vec3 image_right;        // unit, detector axis shown to the viewer's right
  Vec3 image_up;           // unit, detector axis shown up
  double field_m;          // detector side length imaged (kDetectorField_m / zoom)
};

// The C-arm of the snapshot's handles: carm.lao_rao, carm.cran_caud, carm.zoom.
CArmGeometry CArmFromHandles(const devices::ControlFrame& handles);

// Where a patient-frame point lands in a square image of `size_px` (x right,
// y down, pixel centres at i + 0.5); nullopt when behind the source.
std::optional<std::array<double, 2>> ProjectToImage(const CArmGeometry& carm, int size_px,
                                                    const Vec3& p_m);

struct FluoroOptions {
  bool noise = true;
  // Detected quanta per pixel through unattenuated background at zoom 1 [BK]:
  // lower means grainier (a low-dose protocol).
  double photons_per_pixel = 1200.0;
};

// A square grey DRR of side `size_px` (R = G = B).
RgbImage RenderFluoroImage(const sim::Snapshot& snapshot, int size_px,
                           const FluoroOptions& options = {});

// The line integral Σ (μ − μ_background)·t along each pixel's ray, row-major,
// row 0 at the top (no noise, no display mapping): what tests check.
std::vector<double> FluoroLineIntegrals(const sim::Snapshot& snapshot, int size_px);

// The fluoroscopy monitor of a live session: a new frame only while the beam
// is on (fluoro pedal or cine), otherwise the last frame stays on screen
// (last-image hold); black before the first exposure. One-shot renders
// (`teersim render`) have no history and show the snapshot's own frame,
// marked LIH when the pedal is up.
class FluoroMonitor {
 public:
  // The image to show for this snapshot at `size_px`.
  const RgbImage& Update(const sim::Snapshot& snapshot, int size_px);
  // True when the image shown is a held frame (beam off).
  bool Holding() const { return holding_; }

 private:
  RgbImage shown_;
  bool holding_ = true;
};

}  // namespace teersim::views
