// Patient anatomy: the parameters a case file gives (converted to SI), the
// generated (or imported) geometry, and the generator.
//
// Frame: the one patient frame (base/patient_frame.h, scenes/README.md):
// DICOM LPS, metres, origin at the centre of the mitral annulus.
//
// GenerateAnatomy builds, deterministically from the parameters and the case
// seed, closed outward-wound meshes per structure at two resolutions
// (collision: coarse, render: fine), the venous centreline from the right
// common femoral vein to the right atrium, and named landmarks.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenes/mesh.h"

namespace teersim::scenes {

enum class Leaflet { kAnterior, kPosterior };

// Where a degenerative lesion sits: a scallop A1–A3 / P1–P3 (1 = lateral,
// next to the anterolateral commissure and the appendage; 3 = medial).
struct Scallop {
  Leaflet leaflet = Leaflet::kPosterior;
  int index = 2;  // 1, 2 or 3
};
std::string ScallopName(const Scallop& scallop);  // "P2"

enum class DegenerativeKind { kNone, kFlail, kProlapse };

struct DegenerativeLesion {
  DegenerativeKind kind = DegenerativeKind::kNone;
  Scallop scallop;
  double gap_m = 0.0;              // flail gap / prolapse gap between the leaflets' surfaces
  double width_m = 0.0;            // extent along the line of coaptation
  double prolapse_height_m = 0.0;  // billow of a prolapsing body above the annular plane
};

struct FunctionalLesion {
  bool present = false;
  double coaptation_gap_m = 0.0;  // central gap between the free edges
  double gap_width_m = 0.0;       // extent of the gap along the line of coaptation
};

// Every length in metres. Defaults are the standard anatomy (scenes/README.md
// lists each with its clinical-reference row).
struct AnatomyParameters {
  // Venous route.
  double femoral_vein_diameter_m = 0.012;    // §1.3 [S25] CSA 114 mm² ≈ 12 mm
  double iliac_vein_diameter_m = 0.014;      // between femoral and IVC [BK]
  double ivc_ap_diameter_m = 0.017;          // §1.3 [S27] 16.9 mm 2 cm below the RA
  double ivc_transverse_diameter_m = 0.024;  // §1.3 [S27] 26.2 mm; echo <21 mm [S28]
  double iliac_tortuosity_m = 0.0;           // amplitude of the iliac bends
  double route_scale =
      1.0;  // route length relative to the standard adult (case: route_length_percent)
  // Atria and septum.
  double ra_minor_axis_m = 0.038;        // §1.3 [S29] 29–45 mm
  double la_diameter_m = 0.045;          // §1.3 [S29] normal 27–40 mm; TEER 48–51 mm [S37]
  double septum_thickness_m = 0.006;     // §1.3 [S32] 6 ± 2 mm
  double fossa_thickness_m = 0.0018;     // §1.3 [S32] 1.8 ± 0.7 mm
  double fossa_width_m = 0.0172;         // §1.3 [S33] 17.2 ± 4.1 mm (horizontal)
  double fossa_height_m = 0.0127;        // §1.3 [S33] 12.7 ± 3.8 mm (vertical)
  double fossa_above_annulus_m = 0.040;  // §1.3 [S8] >4 cm DMR; [BK] 3.5–4.5 cm
  double fossa_aneurysm_m = 0.0;         // bulge of the membrane into the RA
  // Mitral valve.
  double annulus_ap_m = 0.030;                // §5 [S35] 24–31 mm normal
  double annulus_ic_m = 0.034;                // §5 [S35] 28–35 mm normal
  double annular_height_m = 0.006;            // §1.3 [S35c] saddle height 5.6–6.9 mm
  double anterior_leaflet_length_m = 0.024;   // §1.3 [BK] 22–26 mm
  double posterior_leaflet_length_m = 0.014;  // §1.3 [BK] 12–15 mm; [S39] ≥10 mm
  double leaflet_thickness_m = 0.0015;        // [BK] 1–2 mm
  double coaptation_depth_m = 0.006;  // free-edge depth below the annular plane; ≤11 mm [S39]
  DegenerativeLesion degenerative;
  FunctionalLesion functional;
  // Cardiac motion (used by the motion model; the meshes are end-diastole).
  double annulus_excursion_m = 0.010;  // [BK] systolic descent of the annulus
};

struct Structure {
  std::string name;        // "left_atrium", "fossa_ovalis", …
  TriangleMesh collision;  // coarse
  TriangleMesh render;     // fine
  std::array<float, 4> rgba{0.8f, 0.3f, 0.3f, 1.0f};
};

struct Polyline {
  std::string name;
  std::vector<Vec3> points_m;
};

// The leaflets as tissue for simulation (physics/leaflet_tissue.h): each
// leaflet's mid-surface as a grid, row 0 on the annulus (the hinge) to the
// free edge, columns from the postero-medial (v < 0) to the antero-lateral
// commissure, and its chordae. Patient frame, the valve closed (systole).
struct LeafletSheet {
  std::string name;  // "anterior_leaflet", "posterior_leaflet"
  int rows = 0, columns = 0;
  std::vector<Vec3> closed_m;   // rows × columns, row-major: the case's (diseased) shape
  std::vector<Vec3> coapted_m;  // the same leaflet healthy: where a clip pulls it
  std::vector<double> column_v_m;  // each column's position along the commissural axis
  double thickness_m = 0.0;
};
struct ChordAttachment {
  int sheet = 0, row = 0, column = 0;
  Vec3 papillary_tip_m{};
  double rest_length_m = 0.0;  // taut in the closed shape (elongated in a prolapse)
};
struct ValveTissue {
  std::vector<LeafletSheet> sheets;
  std::vector<ChordAttachment> chordae;  // ruptured ones (flail) left out
  bool Available() const { return !sheets.empty(); }
};

struct Anatomy {
  std::vector<Structure> structures;
  // Named points, patient frame: fossa_centre, annulus_anterior,
  // annulus_posterior, commissure_anterolateral, commissure_posteromedial,
  // jet_origin, septum_normal_tip, … (scenes/README.md lists them).
  std::map<std::string, Vec3> landmarks;
  // venous_centreline (femoral → RA), coaptation_line, tee_probe_path, spine.
  std::vector<Polyline> polylines;
  // Generated anatomies only (an imported segmentation has no leaflet grid).
  ValveTissue valve_tissue;

  const Structure* Find(const std::string& name) const;
  const Polyline* FindPolyline(const std::string& name) const;
  // Throws std::out_of_range naming the landmark when absent.
  const Vec3& Landmark(const std::string& name) const;
};

// Cardiac motion of the mitral annulus: its displacement (m, patient frame)
// at `cardiac_phase` in [0, 1) (0 = end-diastole, as sim::State). The annulus
// descends towards the apex along its normal by `annulus_excursion_m` at end
// of systole (a third of the cycle [BK]) and returns through diastole, with a
// smooth (cosine) profile. Needs the annulus_centre and annulus_normal_tip
// landmarks; zero without them.
Vec3 AnnulusDisplacement(const AnatomyParameters& parameters, const Anatomy& anatomy,
                         double cardiac_phase);

// Display colour (RGBA) of a structure by name: chambers translucent.
std::array<float, 4> StructureColour(const std::string& name);

// Deterministic: the same parameters and seed give bit-identical meshes.
Anatomy GenerateAnatomy(const AnatomyParameters& parameters, std::uint64_t seed);

}  // namespace teersim::scenes
