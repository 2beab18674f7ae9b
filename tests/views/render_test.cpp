#include <gtest/gtest.h>

#include <cstdlib>
#include <osg/Image>
#include <osgDB/ReadFile>

#include "scenes/case_library.h"
#include "sim/run.h"
#include "sim/views/fluoro_image.h"
#include "sim/views/offscreen.h"
#include "sim/views/tee_image.h"
#include "sim/views/test_scene.h"

namespace teersim::views {
namespace {

osg::ref_ptr<osg::Image> RenderDefaultOverview(const std::filesystem::path& png) {
  const auto model =
      sim::CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase(scenes::kDefaultCaseName)));
  const auto snapshot = sim::MakeSnapshot(model, sim::InitialState(model, 1));
  RenderRequest request;
  request.width_px = 640;
  request.height_px = 360;
  const RenderResult result = RenderToPng(snapshot, request, png);
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_FALSE(result.renderer.empty());
  return osgDB::readRefImageFile(png.string());
}

TEST(Render, OverviewPngHasTheAxisTriadAndHud) {
  if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "needs an X display (run under xvfb-run)";
  const auto png = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/overview.png";
  std::filesystem::create_directories(png.parent_path());
  auto image = RenderDefaultOverview(png);
  ASSERT_TRUE(image.valid());
  ASSERT_EQ(image->s(), 640);
  ASSERT_EQ(image->t(), 360);
  // Count strongly red pixels (the patient-left axis) and bright text pixels
  // (HUD) in the top rows.
  int red = 0, hud = 0;
  for (int y = 0; y < image->t(); ++y) {
    for (int x = 0; x < image->s(); ++x) {
      const osg::Vec4 colour = image->getColor(x, y);
      if (colour.r() > 0.8f && colour.g() < 0.4f && colour.b() < 0.4f) ++red;
      if (y > image->t() - 40 && colour.r() > 0.7f && colour.g() > 0.7f) ++hud;
    }
  }
  EXPECT_GT(red, 20) << "axis triad missing";
  EXPECT_GT(hud, 50) << "HUD text missing";
}

TEST(Render, UnknownViewsSaySo) {
  RenderRequest request;
  request.view = "tee-5d";
  const auto result = RenderToPng(sim::Snapshot{}, request, "/tmp/never.png");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("not available"), std::string::npos);
  for (const auto& name : AllViewNames()) EXPECT_TRUE(ViewAvailable(name)) << name;
}

// Renders the synthetic heart through the whole OSG path (pbuffer, panels,
// HUD, PNG) and reads the PNG back. Pictures stay in build/.../test-out/.
osg::ref_ptr<osg::Image> RenderSynthetic(const std::string& view, const sim::Snapshot& snapshot,
                                         int width, int height, const std::string& file) {
  const auto png = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / file;
  std::filesystem::create_directories(png.parent_path());
  RenderRequest request;
  request.view = view;
  request.width_px = width;
  request.height_px = height;
  const RenderResult result = RenderToPng(snapshot, request, png);
  EXPECT_TRUE(result.ok) << result.error;
  auto image = osgDB::readRefImageFile(png.string());
  EXPECT_TRUE(image.valid());
  if (image.valid()) {
    EXPECT_EQ(image->s(), width);
    EXPECT_EQ(image->t(), height);
  }
  return image;
}

// Grey level (0..255) at image pixel (x, y) with y counted from the top.
double GreyAt(const osg::Image& image, int x, int y_from_top) {
  return 255.0 * image.getColor(x, image.t() - 1 - y_from_top).r();
}

std::uint64_t PixelSum(const osg::Image& image) {
  std::uint64_t sum = 0;
  for (unsigned int i = 0; i < image.getTotalSizeInBytes(); ++i) sum += image.data()[i];
  return sum;
}

TEST(Render, FluoroPngShowsTheCatheterAndLihWhenThePedalIsUp) {
  if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "needs an X display (run under xvfb-run)";
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  auto image = RenderSynthetic("fluoro", snapshot, 512, 512, "fluoro-ap.png");
  ASSERT_TRUE(image.valid());
  const auto carm = CArmFromHandles(snapshot.handles);
  const auto guide = ProjectToImage(carm, 512, {-0.045, -0.012, -0.05});
  const auto field = ProjectToImage(carm, 512, {-0.07, -0.012, -0.05});
  ASSERT_TRUE(guide && field);
  // Mean across the guide's width (≈20 px here) against the field beside it.
  const auto band = [&](const std::array<double, 2>& at) {
    double sum = 0;
    for (int dx = -9; dx <= 9; ++dx)
      sum += GreyAt(*image, static_cast<int>(at[0]) + dx, static_cast<int>(at[1]));
    return sum / 19.0;
  };
  EXPECT_LT(band(*guide) + 20, band(*field));
  // "LIH" in yellow at the bottom right (pedal up by default).
  int yellow = 0;
  for (int y = 512 - 70; y < 512; ++y) {
    for (int x = 512 - 90; x < 512; ++x) {
      const osg::Vec4 c = image->getColor(x, 511 - y);
      if (c.r() > 0.8f && c.g() > 0.6f && c.b() < 0.4f) ++yellow;
    }
  }
  EXPECT_GT(yellow, 20) << "LIH marker missing";
  // Same snapshot, same picture.
  auto again = RenderSynthetic("fluoro", snapshot, 512, 512, "fluoro-ap-again.png");
  ASSERT_TRUE(again.valid());
  EXPECT_EQ(PixelSum(*image), PixelSum(*again));
  // Pedal down: no LIH.
  snapshot.handles.Set(devices::ControlId::kFluoroPedal, 1.0);
  snapshot.handles.Set(devices::ControlId::kCArmLaoRao, 30.0 * 3.141592653589793 / 180.0);
  auto live = RenderSynthetic("fluoro", snapshot, 512, 512, "fluoro-lao30.png");
  ASSERT_TRUE(live.valid());
  int live_yellow = 0;
  for (int y = 512 - 70; y < 512; ++y) {
    for (int x = 512 - 90; x < 512; ++x) {
      const osg::Vec4 c = live->getColor(x, 511 - y);
      if (c.r() > 0.8f && c.g() > 0.6f && c.b() < 0.4f) ++live_yellow;
    }
  }
  EXPECT_EQ(live_yellow, 0);
}

TEST(Render, TeeViewsPngShowAFanWithTheSeptum) {
  if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "needs an X display (run under xvfb-run)";
  for (const std::string view : {"tee-bicaval", "tee-4ch", "tee-sax", "tee-ic", "tee-lvot"}) {
    auto image = RenderSynthetic(view, test_scene::SyntheticHeart(), 480, 400, view + ".png");
    ASSERT_TRUE(image.valid());
    // Black corners outside the fan, echo inside it.
    EXPECT_LT(GreyAt(*image, 2, 399), 5.0) << view;
    EXPECT_LT(GreyAt(*image, 477, 399), 5.0) << view;
    double inside = 0;
    for (int y = 40; y < 380; ++y) inside += GreyAt(*image, 240, y);
    EXPECT_GT(inside / 340.0, 10.0) << view;
  }
}

// Bronze (en-face) pixels in the upper and lower halves of a picture.
std::array<int, 2> BronzeUpperLower(const osg::Image& image) {
  std::array<int, 2> counts{0, 0};
  for (int y = 0; y < image.t(); ++y) {
    for (int x = 0; x < image.s(); ++x) {
      const osg::Vec4 c = image.getColor(x, y);  // y counts from the bottom
      if (c.r() > 0.2f && c.r() > c.b() + 0.1f) ++counts[y >= image.t() / 2 ? 0 : 1];
    }
  }
  return counts;
}

TEST(Render, EnFaceViewPutsTheAorticSideAtTwelveOClock) {
  if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "needs an X display (run under xvfb-run)";
  // Only a short rod 1 cm from the annulus centre towards the aortic valve, seen from the LA.
  sim::Snapshot snapshot = test_scene::SyntheticHeart();
  snapshot.meshes.clear();
  snapshot.instruments = {sim::SnapshotPolyline{"rod",
                                                {-0.006f, -0.01f, 0.0f, 0.006f, -0.01f, 0.0f},
                                                0.002f,
                                                {1, 1, 1, 1},
                                                sim::TissueKind::kAuto}};
  auto towards_aorta = RenderSynthetic("tee-3d", snapshot, 300, 300, "tee-3d-aortic-marker.png");
  ASSERT_TRUE(towards_aorta.valid());
  const auto upper_lower = BronzeUpperLower(*towards_aorta);
  EXPECT_GT(upper_lower[0], 50) << "a structure on the aortic side belongs at 12 o'clock";
  EXPECT_EQ(upper_lower[1], 0);
}

TEST(Render, Tee3dAndLayoutPngHaveContent) {
  if (std::getenv("DISPLAY") == nullptr) GTEST_SKIP() << "needs an X display (run under xvfb-run)";
  auto enface = RenderSynthetic("tee-3d", test_scene::SyntheticHeart(), 400, 400, "tee-3d.png");
  ASSERT_TRUE(enface.valid());
  // The leaflets fill the centre in bronze (red well above blue).
  double red = 0, blue = 0;
  for (int y = 120; y < 280; ++y) {
    for (int x = 120; x < 280; ++x)
      red += enface->getColor(x, y).r(), blue += enface->getColor(x, y).b();
  }
  red /= 160.0 * 160.0, blue /= 160.0 * 160.0;
  EXPECT_GT(red, 0.3);
  EXPECT_GT(red, blue + 0.15);
  sim::Snapshot systole = test_scene::SyntheticHeart();
  systole.cardiac_phase = 0.1;
  systole.handles.Set(devices::ControlId::kTeeMultiplane, 135.0 * 3.141592653589793 / 180.0);
  systole.handles.Set(devices::ControlId::kTeeFlexion, -15.0 * 3.141592653589793 / 180.0);
  auto layout = RenderSynthetic("layout", systole, 1280, 720, "layout.png");
  ASSERT_TRUE(layout.valid());
  EXPECT_GT(PixelSum(*layout), 1280u * 720u * 3u * 20u);
}

}  // namespace
}  // namespace teersim::views
