// Snapshot: a plain copy of what the views need to draw one instant — no
// pointers into live state, no physics types. Rendering copies one under a
// short lock and never steps physics (MuJoCo's "abstract visualization").
// Geometry is in the patient frame (LPS, metres; base/patient_frame.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/controls.h"

namespace teersim::sim {

// What a mesh is made of, for the imaging views: X-ray attenuation in
// fluoroscopy and echogenicity in TEE (sim/views/materials.h holds the values).
// kAuto lets the views choose from the mesh name ("spine" → bone, "left_atrium"
// → blood pool, "clip" → metal; anything else → soft tissue).
enum class TissueKind : std::uint8_t {
  kAuto,
  kSoftTissue,  // myocardium, septum, leaflets: a solid of tissue
  kBloodPool,   // a chamber or vessel lumen: blood inside, a tissue wall at the surface
  kMembrane,    // thin tissue such as the fossa ovalis (bright thin echo)
  kBone,        // spine, ribs, sternum
  kLung,        // air-filled: dark on fluoroscopy, no echo
  kContrast,    // contrast-filled blood
  kCatheter,    // polymer catheter with braid or marker bands: radiopaque
  kMetal,       // clip, needle: strongly radiopaque, specular with acoustic shadow
};

struct SnapshotMesh {
  std::string name;                    // "left_atrium", "fossa_ovalis", …
  std::vector<float> vertices_m;       // x,y,z triples, patient frame
  std::vector<std::uint32_t> indices;  // triangles, counter-clockwise = outward
  std::array<float, 4> rgba{0.8f, 0.3f, 0.3f, 1.0f};
  TissueKind tissue = TissueKind::kAuto;  // fluoroscopy needs closed meshes
};

struct SnapshotPolyline {
  std::string name;                    // "guide", "sleeve", "needle", …
  std::vector<float> points_m;         // x,y,z triples, patient frame
  float radius_m = 0.0f;                // 0: a guide line (e.g. a centreline), not imaged
  std::array<float, 4> rgba{0.9f, 0.9f, 0.9f, 1.0f};
  TissueKind tissue = TissueKind::kAuto;  // kAuto: "clip"/"needle" metal, others catheter
};

// A named point in the patient frame the views orient themselves by, e.g.
// "tee_probe" (TEE transducer position), "aortic_valve" or
// "aortic_valve_centre" (12 o'clock of the en-face view), "mitral_annulus_normal_tip" (a point 1 cm into the LA along
// the annulus normal). Views fall back to defaults when a landmark is missing.
struct SnapshotLandmark {
  std::string name;
  std::array<float, 3> p_m{};  // patient frame
};

// Mitral regurgitation for colour Doppler: a jet from `origin_m` (the
// regurgitant orifice, patient frame) along `direction` (unit, into the LA)
// through an effective regurgitant orifice area `eroa_m2` (0: no MR) at
// `peak_velocity_m_per_s`. It flows in systole, taken as cardiac_phase in
// [0, systole_fraction) with phase 0 at the R wave [BK: about a third of the
// cycle at 60–80 /min].
struct SnapshotRegurgitantJet {
  std::array<float, 3> origin_m{};
  std::array<float, 3> direction{0.0f, 0.5f, 0.866f};
  double eroa_m2 = 0.0;
  double peak_velocity_m_per_s = 5.0;
  double systole_fraction = 0.35;
};

struct Snapshot {
  std::string case_name;
  std::string case_title;
  double time_s = 0.0;
  double cardiac_phase = 0.0;
  double fluoro_time_s = 0.0;
  double dap_Gycm2 = 0.0;  // dose–area product so far (sim/fluoro_dose.h)
  devices::ControlFrame handles;
  std::string status;
  // The procedure as the HUD shows it: phase, heart rate, the valve's current
  // MR grade and mean gradient, and warnings a fellow must see now (wall
  // force, tenting, complications).
  std::string phase;
  double heart_rate_bpm = 0.0;
  int mr_grade = 0;
  double mean_gradient_mmHg = 0.0;
  std::vector<std::string> warnings;
  std::vector<SnapshotMesh> meshes;
  std::vector<SnapshotPolyline> instruments;
  std::vector<SnapshotLandmark> landmarks;
  SnapshotRegurgitantJet mitral_jet;
};

}  // namespace teersim::sim
