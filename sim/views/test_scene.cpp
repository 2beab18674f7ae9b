#include "sim/views/test_scene.h"

#include <cmath>

#include "sim/views/tube_mesh.h"

namespace teersim::views::test_scene {
namespace {

using sim::TissueKind;

sim::SnapshotMesh With(sim::SnapshotMesh mesh, TissueKind kind, std::array<float, 4> rgba) {
  mesh.tissue = kind;
  mesh.rgba = rgba;
  return mesh;
}

// A rib: half an ellipse around the thorax from the spine to the front at height z.
sim::SnapshotPolyline Rib(double z_m, double side) {
  constexpr double kHalfWidth_m = 0.13, kHalfDepth_m = 0.10, kRibRadius_m = 0.0035;
  constexpr double kAnteriorDrop_m = 0.07;  // ribs run down towards the front
  constexpr double kPi = 3.141592653589793;
  sim::SnapshotPolyline rib;
  rib.name = "rib";
  rib.radius_m = static_cast<float>(kRibRadius_m);
  rib.tissue = TissueKind::kBone;
  for (int i = 0; i <= 16; ++i) {
    const double angle = kPi * (0.1 + 0.85 * i / 16.0);  // from posterior round to anterior
    const double x = kSpineX_m + side * kHalfWidth_m * std::sin(angle);
    const double y = kHalfDepth_m * std::cos(angle);
    const double z = z_m - kAnteriorDrop_m * (1.0 - std::cos(angle)) / 2.0;
    rib.points_m.insert(rib.points_m.end(),
                        {static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)});
  }
  return rib;
}

}  // namespace

sim::Snapshot SyntheticHeart() {
  sim::Snapshot snapshot;
  snapshot.case_name = "synthetic";
  snapshot.case_title = "Synthetic heart (views test scene)";
  snapshot.handles = devices::ControlFrame::Defaults();
  snapshot.status = "ok";
  const std::array<float, 4> bone{0.9f, 0.9f, 0.85f, 1.0f}, blood{0.7f, 0.1f, 0.1f, 0.4f},
      tissue{0.8f, 0.5f, 0.45f, 1.0f};
  auto& meshes = snapshot.meshes;

  // Spine: vertebral bodies about 2.4 cm tall with discs between, behind the
  // heart, each with its two pedicles (the "eyes" of an AP spine film).
  constexpr double kLevel_m = 0.032;
  for (int level = -6; level <= 6; ++level) {
    const double z = kLevel_m * level;
    constexpr double kVertebraSquareness = 0.3;
    meshes.push_back(With(EllipsoidMesh("spine", {kSpineX_m, kSpineY_m, z}, {0.02, 0.016, 0.011},
                                        24, 16, kVertebraSquareness),
                          TissueKind::kBone, bone));
    for (const double side : {-1.0, 1.0}) {
      meshes.push_back(With(EllipsoidMesh("vertebra_pedicle",
                                          {kSpineX_m + side * 0.014, kSpineY_m + 0.022, z + 0.003},
                                          {0.004, 0.012, 0.006}, 12, 8),
                            TissueKind::kBone, bone));
    }
  }
  // Diaphragm domes: liver under the right hemidiaphragm, spleen/stomach under the left.
  meshes.push_back(With(EllipsoidMesh("liver", {-0.05, 0.0, -0.15}, {0.12, 0.09, 0.075}),
                        TissueKind::kSoftTissue, {0.5f, 0.25f, 0.2f, 0.3f}));
  meshes.push_back(
      With(EllipsoidMesh("spleen_and_stomach", {0.08, 0.02, -0.165}, {0.08, 0.07, 0.06}),
           TissueKind::kSoftTissue, {0.5f, 0.3f, 0.3f, 0.3f}));
  // Heart shadow (pericardium and myocardium) around the chambers.
  meshes.push_back(With(EllipsoidMesh("heart", {0.015, -0.015, -0.005}, {0.065, 0.055, 0.07}),
                        TissueKind::kSoftTissue, {0.6f, 0.3f, 0.3f, 0.2f}));
  meshes.push_back(With(EllipsoidMesh("left_atrium", kLeftAtriumCentre_m, kAtriumRadii_m),
                        TissueKind::kBloodPool, blood));
  meshes.push_back(With(EllipsoidMesh("right_atrium", kRightAtriumCentre_m, kAtriumRadii_m),
                        TissueKind::kBloodPool, blood));
  // Venae cavae entering the RA from above and below (the bicaval view's landmarks).
  meshes.push_back(
      With(EllipsoidMesh("superior_vena_cava", {-0.022, -0.012, 0.075}, {0.011, 0.011, 0.035}),
           TissueKind::kBloodPool, blood));
  meshes.push_back(
      With(EllipsoidMesh("inferior_vena_cava", {-0.03, -0.01, -0.035}, {0.012, 0.012, 0.04}),
           TissueKind::kBloodPool, blood));
  meshes.push_back(
      With(EllipsoidMesh("left_ventricle", {0.02, -0.035, -0.035}, {0.025, 0.028, 0.045}),
           TissueKind::kBloodPool, blood));
  meshes.push_back(With(EllipsoidMesh("aortic_root", {-0.008, -0.03, 0.03}, {0.013, 0.013, 0.03}),
                        TissueKind::kBloodPool, blood));
  // Septum: the plate's in-plane axes are horizontal (normal × z) and superior.
  const Vec3 normal = kSeptumNormal;
  const Vec3 horizontal = Normalized(Cross(normal, {0, 0, 1}));
  meshes.push_back(With(BoxMesh("interatrial_septum", kSeptumCentre_m, horizontal, {0, 0, 1},
                                {0.022, 0.025, kSeptumHalfThickness_m}),
                        TissueKind::kSoftTissue, tissue));
  // Mitral leaflets at the annulus plane: anterior (towards the aorta) and posterior.
  meshes.push_back(
      With(EllipsoidMesh("mitral_anterior_leaflet", {0.0, -0.008, 0.0}, {0.016, 0.009, 0.0015}),
           TissueKind::kSoftTissue, {0.95f, 0.75f, 0.6f, 1.0f}));
  meshes.push_back(
      With(EllipsoidMesh("mitral_posterior_leaflet", {0.0, 0.008, -0.001}, {0.017, 0.0065, 0.0015}),
           TissueKind::kSoftTissue, {0.95f, 0.75f, 0.6f, 1.0f}));

  // Mitral annulus: a saddle-free ring around the leaflets.
  sim::SnapshotPolyline annulus;
  annulus.name = "mitral_annulus";
  annulus.radius_m = 0.0018f;
  for (int i = 0; i <= 32; ++i) {
    const double angle = 6.283185307179586 * i / 32.0;
    annulus.points_m.insert(annulus.points_m.end(),
                            {static_cast<float>(0.018 * std::cos(angle)),
                             static_cast<float>(0.016 * std::sin(angle)), 0.001f});
  }
  meshes.push_back(With(TubeMesh(annulus), TissueKind::kSoftTissue, {0.95f, 0.95f, 0.9f, 1.0f}));

  // Ribs as instruments would be wrong; they are bone tubes turned into meshes.
  for (int level = -3; level <= 4; ++level) {
    for (const double side : {-1.0, 1.0}) {
      meshes.push_back(With(TubeMesh(Rib(0.03 * level + 0.03, side)), TissueKind::kBone, bone));
    }
  }

  // Guide catheter: up the IVC into the RA, across the septum, down to the valve.
  sim::SnapshotPolyline guide;
  guide.name = "guide";
  guide.radius_m = 0.004f;
  guide.points_m = {-0.045f, -0.01f,  -0.16f, -0.045f, -0.012f, -0.06f, -0.04f,
                    -0.01f,  0.0f,    -0.03f, -0.005f, 0.025f,  -0.02f, 0.005f,
                    0.032f,  -0.005f, 0.015f, 0.03f,   0.003f,  0.012f, 0.018f};
  snapshot.instruments.push_back(guide);
  sim::SnapshotPolyline clip;
  clip.name = "clip";
  clip.radius_m = 0.002f;
  clip.points_m = {0.003f, 0.005f, 0.016f, 0.003f, 0.0f, 0.004f};
  snapshot.instruments.push_back(clip);

  // Moderate-to-severe MR: 0.3 cm² through the coaptation line, aimed posterior-superior.
  snapshot.mitral_jet.origin_m = {0.0f, 0.002f, 0.0f};
  snapshot.mitral_jet.direction = {0.0f, 0.6f, 0.8f};
  snapshot.mitral_jet.eroa_m2 = 0.3e-4;
  snapshot.cardiac_phase = 0.5;  // diastole: no jet unless a test asks for systole
  snapshot.landmarks.push_back({"mitral_annulus_normal_tip", {0.0f, 0.0f, 0.01f}});
  snapshot.landmarks.push_back(
      {"aortic_valve",
       {static_cast<float>(kAorticValve_m[0]), static_cast<float>(kAorticValve_m[1]),
        static_cast<float>(kAorticValve_m[2])}});
  return snapshot;
}

}  // namespace teersim::views::test_scene
