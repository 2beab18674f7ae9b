// Transoesophageal echo B-mode, formed on the CPU from a sim::Snapshot. Plain
// C++ (no OSG): sim/views/layout.* shows it.
//
// Probe: in the oesophagus behind the left atrium: the landmark "tee_probe"
// when the snapshot has one (the transducer itself), else the landmark
// "tee_mid_oesophageal" (or kDefaultProbe_m) moved along the oesophagus by
// tee.depth, the beam tilted by tee.flexion, the image plane turned about the
// central beam by tee.multiplane (0° transverse with the patient's left on the
// screen's right, 90° longitudinal with superior on the right).
//
// Image formation: each mesh is cut by the image plane into 2D segments; each
// of the sector's beams is traced through them: crossings are specular echoes
// (strongest at normal incidence), the volume between crossings takes the
// backscatter of the highest-priority material it lies in (blood pools
// anechoic), metal and bone transmit little (acoustic shadow) and ring
// (reverberation). Rayleigh speckle multiplies it, depth attenuation and gain
// scale it, log compression maps it to grey, and scan conversion draws the fan
// with its apex (the probe, the near field: the LA) at the top.
//
// Colour Doppler: when the snapshot has a mitral jet (eroa_m2 > 0) and the
// cardiac phase is in systole, a colour box around the jet shows the velocity
// component towards the transducer in BART colours (red towards, blue away),
// aliased beyond the Nyquist limit and mixed with green where the flow is
// turbulent: the mosaic of an MR jet.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "sim/snapshot.h"
#include "sim/views/imaging_math.h"

namespace teersim::views {

// Probe at tee.depth = kReferenceProbeDepth_m: behind the LA, slightly to the
// patient's right of the mitral annulus [BK]. Deeper insertion moves it inferior.
inline constexpr Vec3 kDefaultProbe_m{-0.01, 0.05, 0.03};
inline constexpr double kReferenceProbeDepth_m = 0.30;
// Mid-oesophageal imaging depth and sector [BK: 12–16 cm, 60–90°].
inline constexpr double kTeeImageDepth_m = 0.14;
inline constexpr double kTeeSectorAngle_rad = 90.0 * 3.141592653589793 / 180.0;

// Colour Doppler Nyquist limit [BK: 50–70 cm/s].
inline constexpr double kNyquistVelocity_m_per_s = 0.6;

struct TeePreset {
  std::string_view view;   // "tee-4ch"
  std::string_view label;  // "ME 4-chamber"
  double multiplane_deg;   // clinical-reference §4.1
  double flexion_deg;      // + anteflexion, − retroflexion
};
// The preset of a tee-* 2D view name, or nullopt.
std::optional<TeePreset> FindTeePreset(std::string_view view);
// The snapshot with its TEE handles set to the preset.
sim::Snapshot WithTeePreset(const sim::Snapshot& snapshot, const TeePreset& preset);

struct TeePlane {
  Vec3 apex_m;     // transducer face, patient frame
  Vec3 beam_axis;  // unit, centre of the sector (screen down)
  Vec3 lateral;    // unit, in the plane, screen right
  Vec3 normal;     // unit, beam_axis × lateral
};
TeePlane TeePlaneFromSnapshot(const sim::Snapshot& snapshot);

// Fan layout in a width × height image: apex position and pixels per metre.
struct FanLayout {
  double apex_x_px, apex_y_px, px_per_m;
};
FanLayout TeeFanLayout(int width_px, int height_px);
// Where an in-plane patient-frame point lands in the image (x right, y down).
std::array<double, 2> TeeImagePosition(const TeePlane& plane, const FanLayout& fan,
                                       const Vec3& p_m);

// True when the snapshot's mitral jet flows now (MR present and systole).
bool JetFlowing(const sim::Snapshot& snapshot);
// Length of the colour jet: grows with the orifice (momentum flux ∝ EROA·v²),
// kJetLengthPerRootArea × √EROA × v / 5 m/s, at most 6 cm [BK, tuned so
// 0.1 cm² gives ≈2.5 cm (mild) and 0.4 cm² ≈5 cm (severe)].
inline constexpr double kJetLengthPerRootArea = 8.0;
double JetLength_m(const sim::SnapshotRegurgitantJet& jet);

// The B-mode fan image (black outside the sector), with colour Doppler.
RgbImage RenderTeeImage(const sim::Snapshot& snapshot, int width_px, int height_px);

}  // namespace teersim::views
