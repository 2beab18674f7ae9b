// The CPU image formers (fluoroscopy DRR, TEE B-mode) on the synthetic heart:
// geometry predicted from the C-arm and probe models, pixels checked where the
// projection says. No X display needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <osg/Image>
#include <osgDB/WriteFile>

#include "sim/views/fluoro_image.h"
#include "tests/views/image_probes.h"
#include "sim/views/layout.h"
#include "sim/views/materials.h"
#include "sim/views/tee_image.h"
#include "sim/views/test_scene.h"
#include "sim/views/tube_mesh.h"

namespace teersim::views {
namespace {

using devices::ControlId;
constexpr double kRadiansPerDegree = 3.141592653589793 / 180.0;
constexpr int kFluoroSize_px = 256;

sim::Snapshot WithBead(const Vec3& p_m) {
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  sim::SnapshotMesh bead = EllipsoidMesh("marker_bead", p_m, {0.002, 0.002, 0.002}, 12, 8);
  bead.tissue = sim::TissueKind::kMetal;
  snapshot.meshes.push_back(bead);
  return snapshot;
}

// Centroid of the pixels where `with` attenuates at least `threshold` more than `without`.
std::array<double, 2> DifferenceCentroid(const std::vector<double>& with,
                                         const std::vector<double>& without, int size,
                                         double threshold) {
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * size + x;
      if (with[i] - without[i] > threshold) sx += x + 0.5, sy += y + 0.5, n += 1;
    }
  }
  return {n > 0 ? sx / n : -1.0, n > 0 ? sy / n : -1.0};
}

double Grey(const RgbImage& image, int x, int y) { return image.At(x, y)[0]; }

// Saves a CPU image (with the checked points marked in green) for a human to look at.
void SaveForInspection(RgbImage image, const std::string& file,
                       const std::vector<std::array<double, 2>>& marks) {
  for (const auto& mark : marks) {
    for (int d = -3; d <= 3; ++d) {
      for (const auto& [x, y] :
           {std::pair{int(mark[0]) + d, int(mark[1])}, std::pair{int(mark[0]), int(mark[1]) + d}}) {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        std::uint8_t* p = image.At(x, y);
        p[0] = 0, p[1] = 255, p[2] = 0;
      }
    }
  }
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / file;
  std::filesystem::create_directories(path.parent_path());
  osg::ref_ptr<osg::Image> out = new osg::Image;
  out->allocateImage(image.width, image.height, 1, GL_RGB, GL_UNSIGNED_BYTE);
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(out->data(0, image.height - 1 - y), image.At(0, y),
                static_cast<std::size_t>(image.width) * 3);
  }
  osgDB::writeImageFile(*out, path.string());
}


TEST(TubeMesh, ClosedTubeHasTheChordOfItsDiameter) {
  // A bare tube seen side-on: the DRR integral at its centre is μ·2r.
  sim::Snapshot snapshot;
  snapshot.handles = devices::ControlFrame::Defaults();
  sim::SnapshotPolyline wire{"rod",
                             {-0.05f, 0.0f, 0.02f, 0.05f, 0.0f, 0.02f},
                             0.005f,
                             {1, 1, 1, 1},
                             sim::TissueKind::kBone};
  snapshot.instruments.push_back(wire);
  const auto integrals = FluoroLineIntegrals(snapshot, kFluoroSize_px);
  const auto centre =
      ProjectToImage(CArmFromHandles(snapshot.handles), kFluoroSize_px, {0.0, 0.0, 0.02});
  ASSERT_TRUE(centre);
  const auto i = static_cast<std::size_t>((*centre)[1]) * kFluoroSize_px +
                 static_cast<std::size_t>((*centre)[0]);
  const double expected =
      (MaterialOf(sim::TissueKind::kBone).xray_mu_per_m - kBackgroundXrayMu_per_m) * 0.010;
  // A 10-sided tube's chord through its centre lies between the inscribed and circumscribed
  // diameters.
  EXPECT_NEAR(integrals[i], expected * 0.975, expected * 0.03);
  // Away from the tube nothing is added: closed surfaces cancel exactly.
  EXPECT_NEAR(integrals[5], 0.0, 1e-9);
  const double total = std::accumulate(integrals.begin(), integrals.end(), 0.0);
  EXPECT_GT(total, 0.0);
}

TEST(TubeMesh, ClosedAndOpenMeshesAreTold) {
  EXPECT_TRUE(IsClosedMesh(EllipsoidMesh("e", {0, 0, 0}, {0.01, 0.01, 0.01}).indices));
  EXPECT_TRUE(
      IsClosedMesh(BoxMesh("b", {0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0.01, 0.01, 0.01}).indices));
  EXPECT_TRUE(IsClosedMesh(
      TubeMesh({"t", {0, 0, 0, 0, 0, 0.05f, 0.01f, 0, 0.08f}, 0.002f, {}, {}}).indices));
  auto open = EllipsoidMesh("e", {0, 0, 0}, {0.01, 0.01, 0.01});
  open.indices.resize(open.indices.size() - 3);
  EXPECT_FALSE(IsClosedMesh(open.indices));
}

TEST(Fluoro, OpenSheetAddsItsSlantedThicknessOnly) {
  // A square sheet (two triangles) facing the source: μ × 1.5 mm where it is, nothing elsewhere.
  sim::Snapshot snapshot;
  snapshot.handles = devices::ControlFrame::Defaults();
  sim::SnapshotMesh sheet;
  sheet.name = "membrane";
  sheet.tissue = sim::TissueKind::kBone;
  sheet.vertices_m = {-0.02f, 0.0f, 0.0f,  0.02f,  0.0f, 0.0f,
                      0.02f,  0.0f, 0.04f, -0.02f, 0.0f, 0.04f};
  sheet.indices = {0, 1, 2, 0, 2, 3};
  snapshot.meshes.push_back(sheet);
  const auto integrals = FluoroLineIntegrals(snapshot, kFluoroSize_px);
  const auto centre =
      ProjectToImage(CArmFromHandles(snapshot.handles), kFluoroSize_px, {0.0, 0.0, 0.02});
  ASSERT_TRUE(centre);
  const auto i = static_cast<std::size_t>((*centre)[1]) * kFluoroSize_px +
                 static_cast<std::size_t>((*centre)[0]);
  const double mu = MaterialOf(sim::TissueKind::kBone).xray_mu_per_m - kBackgroundXrayMu_per_m;
  EXPECT_NEAR(integrals[i], mu * 0.0015, mu * 0.0015 * 0.01);
  EXPECT_EQ(integrals[3], 0.0);
}

TEST(Fluoro, PatientLeftBeadShowsOnTheViewersRightInAp) {
  const Vec3 left_bead{0.04, 0.0, 0.02};
  const auto without = FluoroLineIntegrals(test_scene::SyntheticHeart(), kFluoroSize_px);
  const auto with = FluoroLineIntegrals(WithBead(left_bead), kFluoroSize_px);
  const auto found = DifferenceCentroid(with, without, kFluoroSize_px, 0.5);
  const auto predicted =
      ProjectToImage(CArmFromHandles(devices::ControlFrame::Defaults()), kFluoroSize_px, left_bead);
  ASSERT_TRUE(predicted);
  EXPECT_GT(found[0], kFluoroSize_px / 2.0 + 20) << "patient's left must be on the viewer's right";
  EXPECT_NEAR(found[0], (*predicted)[0], 1.5);
  EXPECT_NEAR(found[1], (*predicted)[1], 1.5);
}

TEST(Fluoro, AnteriorBeadMovesToTheViewersLeftInLao30) {
  const Vec3 anterior_bead{0.0, -0.04, 0.02};
  sim::Snapshot plain = test_scene::SyntheticHeart();
  sim::Snapshot beaded = WithBead(anterior_bead);
  for (auto* s : {&plain, &beaded})
    s->handles.Set(ControlId::kCArmLaoRao, 30.0 * kRadiansPerDegree);
  const auto found =
      DifferenceCentroid(FluoroLineIntegrals(beaded, kFluoroSize_px),
                         FluoroLineIntegrals(plain, kFluoroSize_px), kFluoroSize_px, 0.5);
  const auto predicted =
      ProjectToImage(CArmFromHandles(beaded.handles), kFluoroSize_px, anterior_bead);
  ASSERT_TRUE(predicted);
  // LAO 30: the bead 4 cm anterior moves 4·sin 30° = 2 cm (magnified) to the viewer's left.
  const double magnification = kSourceImageDistance_m / (kSourceIsocentreDistance_m +
                                                         0.04 * std::cos(30.0 * kRadiansPerDegree));
  const double expected_px =
      kFluoroSize_px / 2.0 - 0.02 * magnification / kDetectorField_m * kFluoroSize_px;
  EXPECT_NEAR((*predicted)[0], expected_px, 1.0);
  EXPECT_NEAR(found[0], (*predicted)[0], 1.5);
  EXPECT_NEAR(found[1], (*predicted)[1], 1.5);
  // What the overlay and HUD say is the projection that was made.
  EXPECT_EQ(CArmAnglesText(beaded.handles), "LAO 30  CRA 0");
  // RAO 20: the same bead moves to the viewer's right, and the HUD says so.
  beaded.handles.Set(ControlId::kCArmLaoRao, -20.0 * kRadiansPerDegree);
  const auto rao = ProjectToImage(CArmFromHandles(beaded.handles), kFluoroSize_px, anterior_bead);
  ASSERT_TRUE(rao);
  EXPECT_GT((*rao)[0], kFluoroSize_px / 2.0 + 1.0);
  EXPECT_EQ(CArmAnglesText(beaded.handles), "RAO 20  CRA 0");
}

TEST(Fluoro, ZoomMagnifiesAboutTheCentre) {
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  const Vec3 bead{0.02, 0.0, 0.03};
  const auto at_1 = ProjectToImage(CArmFromHandles(handles), kFluoroSize_px, bead);
  handles.Set(ControlId::kCArmZoom, 2.0);
  const auto at_2 = ProjectToImage(CArmFromHandles(handles), kFluoroSize_px, bead);
  ASSERT_TRUE(at_1 && at_2);
  const double centre = kFluoroSize_px / 2.0;
  EXPECT_NEAR((*at_2)[0] - centre, 2.0 * ((*at_1)[0] - centre), 1e-9);
  EXPECT_NEAR((*at_2)[1] - centre, 2.0 * ((*at_1)[1] - centre), 1e-9);
}

TEST(Fluoro, CranialTiltMovesAnteriorStructuresDown) {
  // Cranial: the detector tilts to the head, so anterior points project towards the feet (down).
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  handles.Set(ControlId::kCArmCranCaud, 20.0 * kRadiansPerDegree);
  const auto p = ProjectToImage(CArmFromHandles(handles), kFluoroSize_px, {0.0, -0.04, 0.02});
  ASSERT_TRUE(p);
  EXPECT_GT((*p)[1], kFluoroSize_px / 2.0 + 5.0);
}

TEST(Fluoro, InstrumentAndSpineAreDarkerThanSoftTissue) {
  const sim::Snapshot snapshot = test_scene::SyntheticHeart();
  const RgbImage image = RenderFluoroImage(snapshot, kFluoroSize_px);
  const CArmGeometry carm = CArmFromHandles(snapshot.handles);
  // Guide catheter in the IVC (below the heart), beside it soft tissue field.
  const auto guide = ProjectToImage(carm, kFluoroSize_px, {-0.045, -0.012, -0.05});
  const auto beside_guide = ProjectToImage(carm, kFluoroSize_px, {-0.065, -0.012, -0.05});
  // Spine: a vertebral body below the heart, and lung field lateral to it.
  const auto vertebra =
      ProjectToImage(carm, kFluoroSize_px, {test_scene::kSpineX_m, test_scene::kSpineY_m, -0.128});
  const auto heart = ProjectToImage(carm, kFluoroSize_px, {0.05, -0.015, -0.005});
  ASSERT_TRUE(guide && beside_guide && vertebra && heart);
  // Across the whole guide (≈10 px wide here): a hollow catheter is darkest at its walls.
  const double g_guide = MeanGrey(image, (*guide)[0], (*guide)[1], 4);
  const double g_beside = MeanGrey(image, (*beside_guide)[0], (*beside_guide)[1], 4);
  const double g_spine = MeanGrey(image, (*vertebra)[0], (*vertebra)[1], 3);
  const double g_heart = MeanGrey(image, (*heart)[0], (*heart)[1], 3);
  // Lung field: the brightest spot (between ribs) lateral to the heart on the patient's left.
  double g_lung = 0.0;
  for (double z = -0.06; z <= 0.06; z += 0.004) {
    const auto lung = ProjectToImage(carm, kFluoroSize_px, {0.09, 0.0, z});
    if (lung) g_lung = std::max(g_lung, MeanGrey(image, (*lung)[0], (*lung)[1], 1));
  }
  EXPECT_LT(g_guide + 20, g_beside) << "radiopaque guide must be darker than the field beside it";
  EXPECT_LT(g_spine + 20, g_heart) << "spine must be darker than the soft-tissue heart shadow";
  EXPECT_LT(g_heart + 10, g_lung) << "heart shadow must be darker than the lung field";
}

TEST(Fluoro, NoiseIsDeterministicPerFrameAndChangesBetweenFrames) {
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  const RgbImage first = RenderFluoroImage(snapshot, 128);
  const RgbImage again = RenderFluoroImage(snapshot, 128);
  EXPECT_EQ(first.rgb, again.rgb);
  snapshot.time_s = 1.0;
  const RgbImage later = RenderFluoroImage(snapshot, 128);
  EXPECT_NE(first.rgb, later.rgb);
  FluoroOptions clean;
  clean.noise = false;
  EXPECT_NE(RenderFluoroImage(snapshot, 128, clean).rgb, later.rgb);
}

TEST(Fluoro, MonitorHoldsTheLastImageWhenThePedalIsReleased) {
  FluoroMonitor monitor;
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  const RgbImage dark = monitor.Update(snapshot, 64);
  EXPECT_TRUE(monitor.Holding());
  EXPECT_EQ(*std::max_element(dark.rgb.begin(), dark.rgb.end()), 0) << "nothing exposed yet";
  snapshot.handles.Set(ControlId::kFluoroPedal, 1.0);
  const RgbImage live = monitor.Update(snapshot, 64);
  EXPECT_FALSE(monitor.Holding());
  EXPECT_EQ(live.rgb, RenderFluoroImage(snapshot, 64).rgb);
  // Pedal up, the C-arm turns and time passes: the held frame stays.
  snapshot.handles.Set(ControlId::kFluoroPedal, 0.0);
  snapshot.handles.Set(ControlId::kCArmLaoRao, 30.0 * kRadiansPerDegree);
  snapshot.time_s = 2.0;
  EXPECT_EQ(monitor.Update(snapshot, 64).rgb, live.rgb);
  EXPECT_TRUE(monitor.Holding());
  // Cine is a beam too.
  snapshot.handles.Set(ControlId::kCineButton, 1.0);
  EXPECT_NE(monitor.Update(snapshot, 64).rgb, live.rgb);
}

// TEE: the probe-plane model puts the septum where the geometry says.
struct TeeCheck {
  RgbImage image;
  std::array<double, 2> septum_px, la_px, ra_px;
};

TeeCheck RenderTeeView(std::string_view view) {
  const auto preset = FindTeePreset(view);
  EXPECT_TRUE(preset);
  // Without instruments: the guide crosses the septum on the central beam and its shadow would hide
  // it.
  sim::Snapshot snapshot = WithTeePreset(test_scene::SyntheticHeart(), *preset);
  snapshot.instruments.clear();
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);
  // Where the central beam meets the septum's mid-plane, and points 8 mm before and after it.
  const Vec3 n = test_scene::kSeptumNormal;
  const double range = Dot(test_scene::kSeptumCentre_m - plane.apex_m, n) / Dot(plane.beam_axis, n);
  const Vec3 hit = plane.apex_m + range * plane.beam_axis;
  const FanLayout fan = TeeFanLayout(400, 400);
  return {RenderTeeImage(snapshot, 400, 400), TeeImagePosition(plane, fan, hit),
          TeeImagePosition(plane, fan, plane.apex_m + (range - 0.008) * plane.beam_axis),
          TeeImagePosition(plane, fan, plane.apex_m + (range + 0.008) * plane.beam_axis)};
}

void ExpectSeptumBrightBetweenDarkAtria(const TeeCheck& check, const std::string& file) {
  SaveForInspection(check.image, file, {check.septum_px, check.la_px, check.ra_px});
  const double septum = MeanGrey(check.image, check.septum_px[0], check.septum_px[1], 2);
  const double la = MeanGrey(check.image, check.la_px[0], check.la_px[1], 3);
  const double ra = MeanGrey(check.image, check.ra_px[0], check.ra_px[1], 3);
  EXPECT_GT(septum, 90.0) << "septum echo should be bright";
  EXPECT_LT(la, 45.0) << "LA blood should be dark";
  EXPECT_LT(ra, 45.0) << "RA blood should be dark";
  EXPECT_GT(septum, 2.5 * std::max(la, ra));
}

TEST(Tee, BicavalShowsTheSeptumBetweenDarkAtria) {
  ExpectSeptumBrightBetweenDarkAtria(RenderTeeView("tee-bicaval"), "cpu-tee-bicaval.png");
}
TEST(Tee, FourChamberShowsTheSeptumBetweenDarkAtria) {
  ExpectSeptumBrightBetweenDarkAtria(RenderTeeView("tee-4ch"), "cpu-tee-4ch.png");
}

TEST(Tee, CatheterIsBrightWithAnAcousticShadowBehindIt) {
  // A lone guide across the bicaval plane, 5 cm in front of the probe, in the background tissue.
  sim::Snapshot snapshot =
      WithTeePreset(test_scene::SyntheticHeart(), *FindTeePreset("tee-bicaval"));
  snapshot.meshes.clear();
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);
  const Vec3 centre = plane.apex_m + 0.05 * plane.beam_axis;
  const Vec3 a = centre - 0.03 * plane.normal, b = centre + 0.03 * plane.normal;
  snapshot.instruments = {sim::SnapshotPolyline{
      "guide",
      {float(a[0]), float(a[1]), float(a[2]), float(b[0]), float(b[1]), float(b[2])},
      0.004f,
      {1, 1, 1, 1},
      sim::TissueKind::kAuto}};
  const RgbImage image = RenderTeeImage(snapshot, 400, 400);
  const FanLayout fan = TeeFanLayout(400, 400);
  const auto front = TeeImagePosition(plane, fan, plane.apex_m + 0.046 * plane.beam_axis);
  const auto before = TeeImagePosition(plane, fan, plane.apex_m + 0.035 * plane.beam_axis);
  const auto behind = TeeImagePosition(plane, fan, plane.apex_m + 0.08 * plane.beam_axis);
  const auto beside =
      TeeImagePosition(plane, fan, plane.apex_m + 0.08 * plane.beam_axis + 0.02 * plane.lateral);
  SaveForInspection(image, "cpu-tee-catheter.png", {front, before, behind, beside});
  EXPECT_GT(MeanGrey(image, front[0], front[1], 1), 200.0)
      << "catheter wall echo should be very bright";
  EXPECT_GT(MeanGrey(image, front[0], front[1], 1),
            MeanGrey(image, before[0], before[1], 3) + 60.0);
  EXPECT_LT(MeanGrey(image, behind[0], behind[1], 3),
            0.4 * MeanGrey(image, beside[0], beside[1], 3))
      << "no acoustic shadow behind the catheter";
}


TEST(TeeDoppler, JetShowsInSystoleOnlyAndGrowsWithTheOrifice) {
  sim::Snapshot snapshot = WithTeePreset(test_scene::SyntheticHeart(), *FindTeePreset("tee-lvot"));
  snapshot.instruments.clear();
  EXPECT_EQ(ColourPixels(RenderTeeImage(snapshot, 400, 400)), 0) << "no jet in diastole";
  snapshot.cardiac_phase = 0.1;
  snapshot.mitral_jet.eroa_m2 = 0.1e-4;
  const RgbImage mild = RenderTeeImage(snapshot, 400, 400);
  snapshot.mitral_jet.eroa_m2 = 0.4e-4;
  const RgbImage severe = RenderTeeImage(snapshot, 400, 400);
  SaveForInspection(severe, "cpu-tee-doppler-severe.png", {});
  SaveForInspection(mild, "cpu-tee-doppler-mild.png", {});
  EXPECT_GT(ColourPixels(mild), 50);
  EXPECT_GT(ColourPixels(severe), 2 * ColourPixels(mild));
  // Both aliased colours appear in the fast jet (a mosaic), not just one.
  int red = 0, blue = 0;
  for (std::size_t i = 0; i + 2 < severe.rgb.size(); i += 3) {
    if (severe.rgb[i] > 150 && severe.rgb[i + 2] < 50) ++red;
    if (severe.rgb[i + 2] > 150 && severe.rgb[i] < 50) ++blue;
  }
  EXPECT_GT(red, 30);
  EXPECT_GT(blue, 30);
  snapshot.mitral_jet.eroa_m2 = 0.0;
  EXPECT_EQ(ColourPixels(RenderTeeImage(snapshot, 400, 400)), 0) << "no MR, no colour";
}

TEST(TeeDoppler, JetLengthGrowsWithTheRootOfTheOrifice) {
  EXPECT_NEAR(JetLength_m({{}, {0, 0, 1}, 0.1e-4, 5.0, 0.35}), 0.0253, 0.001);
  EXPECT_NEAR(JetLength_m({{}, {0, 0, 1}, 0.4e-4, 5.0, 0.35}), 0.0506, 0.001);
}

TEST(Tee, OpenSheetEchoesWithoutFillingWhatLiesBehind) {
  // A membrane sheet across the central beam 5 cm from the probe (a fossa-like disc).
  sim::Snapshot snapshot =
      WithTeePreset(test_scene::SyntheticHeart(), *FindTeePreset("tee-bicaval"));
  snapshot.meshes.clear();
  snapshot.instruments.clear();
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);
  const Vec3 c = plane.apex_m + 0.05 * plane.beam_axis;
  const Vec3 u = 0.015 * plane.lateral, v = 0.015 * plane.normal;
  sim::SnapshotMesh sheet;
  sheet.name = "fossa_ovalis";
  for (const Vec3& p : {c - u - v, c + u - v, c + u + v, c - u + v}) {
    for (const double k : p) sheet.vertices_m.push_back(static_cast<float>(k));
  }
  sheet.indices = {0, 1, 2, 0, 2, 3};
  snapshot.meshes.push_back(sheet);
  const RgbImage with = RenderTeeImage(snapshot, 400, 400);
  snapshot.meshes.clear();
  const RgbImage without = RenderTeeImage(snapshot, 400, 400);
  const FanLayout fan = TeeFanLayout(400, 400);
  const auto at = TeeImagePosition(plane, fan, c);
  const auto behind = TeeImagePosition(plane, fan, c + 0.02 * plane.beam_axis);
  EXPECT_GT(MeanGrey(with, at[0], at[1], 1), MeanGrey(without, at[0], at[1], 1) + 40.0);
  EXPECT_NEAR(MeanGrey(with, behind[0], behind[1], 4), MeanGrey(without, behind[0], behind[1], 4),
              8.0);
}

TEST(Tee, AnOesophagusAroundTheProbeDoesNotInvertTheImage) {
  // The probe lies inside an oesophagus tube: the LA must stay dark, the septum bright.
  sim::Snapshot snapshot =
      WithTeePreset(test_scene::SyntheticHeart(), *FindTeePreset("tee-bicaval"));
  snapshot.instruments.clear();
  const Vec3 probe = TeePlaneFromSnapshot(snapshot).apex_m;
  sim::SnapshotMesh oesophagus =
      TubeMesh({"oesophagus",
                {float(probe[0]), float(probe[1] + 0.004), float(probe[2] - 0.1), float(probe[0]),
                 float(probe[1] + 0.004), float(probe[2] + 0.1)},
                0.009f,
                {},
                sim::TissueKind::kAuto});
  oesophagus.tissue = sim::TissueKind::kAuto;
  const RgbImage without = RenderTeeImage(snapshot, 400, 400);
  snapshot.meshes.push_back(oesophagus);
  const TeePlane plane = TeePlaneFromSnapshot(snapshot);
  const RgbImage image = RenderTeeImage(snapshot, 400, 400);
  const FanLayout fan = TeeFanLayout(400, 400);
  const auto la = TeeImagePosition(plane, fan, plane.apex_m + 0.03 * plane.beam_axis);
  // Far field beyond the heart, outside the oesophagus: background tissue either way.
  const auto far =
      TeeImagePosition(plane, fan, plane.apex_m + 0.125 * plane.beam_axis + 0.02 * plane.lateral);
  SaveForInspection(image, "cpu-tee-oesophagus.png", {la, far});
  EXPECT_LT(MeanGrey(image, la[0], la[1], 3), 45.0);
  EXPECT_NEAR(MeanGrey(image, far[0], far[1], 5), MeanGrey(without, far[0], far[1], 5), 12.0);
}

TEST(Materials, AnatomyGeneratorNames) {
  using sim::TissueKind;
  for (const char* blood :
       {"ivc", "svc", "coronary_sinus", "femoral_vein", "iliac_veins", "pulmonary_veins",
        "left_atrial_appendage", "aortic_root", "right_atrium", "left_ventricle"}) {
    EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, blood), TissueKind::kBloodPool) << blood;
  }
  for (const char* tissue : {"interatrial_septum", "anterior_leaflet", "posterior_leaflet",
                             "mitral_annulus", "chordae", "papillary_muscles", "oesophagus"}) {
    EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, tissue), TissueKind::kSoftTissue) << tissue;
  }
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "spine"), TissueKind::kBone);
}

TEST(Fluoro, ZeroRadiusPolylinesAreGuideLinesNotObjects) {
  sim::Snapshot snapshot;
  snapshot.handles = devices::ControlFrame::Defaults();
  snapshot.instruments.push_back(
      {"coaptation_line", {-0.02f, 0.0f, 0.0f, 0.02f, 0.0f, 0.0f}, 0.0f, {}, {}});
  const auto integrals = FluoroLineIntegrals(snapshot, 64);
  EXPECT_EQ(*std::max_element(integrals.begin(), integrals.end()), 0.0);
}

TEST(Tee, FanSectorIsBlackOutsideAndApexAtTheTop) {
  const RgbImage image = RenderTeeImage(test_scene::SyntheticHeart(), 400, 300);
  EXPECT_EQ(Grey(image, 5, 5), 0) << "top-left corner is outside the fan";
  EXPECT_EQ(Grey(image, 395, 5), 0);
  // Inside the fan somewhere near the centre line there is signal.
  double inside = 0;
  for (int y = 30; y < 280; ++y) inside += Grey(image, 200, y);
  EXPECT_GT(inside, 0.0);
}

TEST(Tee, MultiplaneTurnsThePlaneFromLeftToSuperior) {
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).lateral[0], 1.0, 1e-9);
  snapshot.handles.Set(ControlId::kTeeMultiplane, 90.0 * kRadiansPerDegree);
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).lateral[2], 1.0, 1e-9);
}

TEST(Tee, DeeperInsertionMovesTheProbeInferiorAndFlexionTiltsTheBeam) {
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  const TeePlane reference = TeePlaneFromSnapshot(snapshot);
  snapshot.handles.Set(ControlId::kTeeDepth, kReferenceProbeDepth_m + 0.02);
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).apex_m[2], reference.apex_m[2] - 0.02, 1e-12);
  snapshot.handles.Set(ControlId::kTeeFlexion, 20.0 * kRadiansPerDegree);
  EXPECT_GT(TeePlaneFromSnapshot(snapshot).beam_axis[2], 0.3)
      << "anteflexion tilts the beam superior";
  snapshot.landmarks.push_back({"tee_mid_oesophageal", {0.002f, 0.055f, 0.02f}});
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).apex_m[2], 0.0, 1e-6)
      << "2 cm deeper than the mid-oesophageal point";
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).apex_m[1], 0.055, 1e-6);
  snapshot.landmarks.push_back({"tee_probe", {0.0f, 0.06f, 0.01f}});
  EXPECT_NEAR(TeePlaneFromSnapshot(snapshot).apex_m[1], 0.06, 1e-6) << "a probe landmark wins";
}

TEST(Tee, SpeckleIsDeterministic) {
  const sim::Snapshot snapshot = test_scene::SyntheticHeart();
  EXPECT_EQ(RenderTeeImage(snapshot, 200, 150).rgb, RenderTeeImage(snapshot, 200, 150).rgb);
}

TEST(Materials, DefaultsByName) {
  using sim::TissueKind;
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "spine"), TissueKind::kBone);
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "left_atrium"), TissueKind::kBloodPool);
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "fossa_ovalis"), TissueKind::kMembrane);
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "aortic_root"), TissueKind::kBloodPool);
  EXPECT_EQ(ResolveMeshKind(TissueKind::kAuto, "mitral_anterior_leaflet"), TissueKind::kSoftTissue);
  EXPECT_EQ(ResolveMeshKind(TissueKind::kLung, "left_atrium"), TissueKind::kLung);
  EXPECT_EQ(ResolveInstrumentKind(TissueKind::kAuto, "clip"), TissueKind::kMetal);
  EXPECT_EQ(ResolveInstrumentKind(TissueKind::kAuto, "guide"), TissueKind::kCatheter);
}

}  // namespace
}  // namespace teersim::views
