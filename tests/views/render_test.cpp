#include <gtest/gtest.h>
#include <osg/Image>
#include <osgDB/ReadFile>

#include <cstdlib>

#include "scenes/case_library.h"
#include "sim/run.h"
#include "sim/views/offscreen.h"

namespace teersim::views {
namespace {

osg::ref_ptr<osg::Image> RenderDefaultOverview(const std::filesystem::path& png) {
  const auto model =
      sim::CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase(scenes::kDefaultCaseName)));
  const auto snapshot = sim::MakeSnapshot(model, sim::InitialState(1));
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

TEST(Render, UnavailableViewsSaySo) {
  RenderRequest request;
  request.view = "tee-3d";
  const auto result = RenderToPng(sim::Snapshot{}, request, "/tmp/never.png");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("not available yet"), std::string::npos);
}

}  // namespace
}  // namespace teersim::views
