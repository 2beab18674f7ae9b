#include "sim/views/offscreen.h"

#include <osg/GraphicsContext>
#include <osg/Image>
#include <osgDB/WriteFile>
#include <osgViewer/Viewer>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "sim/views/layout.h"
#include "sim/views/overview_scene.h"

namespace teersim::views {
namespace {

constexpr double kOverviewFieldOfView_deg = 40.0;
constexpr double kNearPlane_m = 0.005;
constexpr double kFarPlane_m = 5.0;

// After everything of a frame is drawn (HUD cameras included), reads the
// pixels into `image` and GL_RENDERER into `renderer`. Attaching the image to
// the camera instead would capture before the post-render HUD.
class FrameCapture : public osg::Camera::DrawCallback {
 public:
  FrameCapture(osg::Image* image, std::string* renderer) : image_(image), renderer_(renderer) {}
  void operator()(osg::RenderInfo& info) const override {
    const osg::Viewport* viewport = info.getCurrentCamera()->getViewport();
    image_->readPixels(static_cast<int>(viewport->x()), static_cast<int>(viewport->y()),
                       static_cast<int>(viewport->width()), static_cast<int>(viewport->height()),
                       GL_RGB, GL_UNSIGNED_BYTE);
    if (const auto* text = reinterpret_cast<const char*>(glGetString(GL_RENDERER))) *renderer_ = text;
  }

 private:
  osg::Image* image_;
  std::string* renderer_;
};

}  // namespace

const std::vector<std::string>& AllViewNames() {
  static const std::vector<std::string> kNames{"fluoro", "tee-bicaval", "tee-sax", "tee-4ch",
                                               "tee-ic", "tee-lvot",    "tee-3d",  "overview",
                                               "layout"};
  return kNames;
}

bool ViewAvailable(std::string_view view) {
  for (const auto& name : AllViewNames()) {
    if (name == view) return true;
  }
  return false;
}

osg::ref_ptr<osg::GraphicsContext> CreatePbufferContext(int width_px, int height_px, std::string* error) {
  if (std::getenv("DISPLAY") == nullptr) {
    *error = "no X display: set DISPLAY or let teersim start Xvfb";
    return nullptr;
  }
  osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
  traits->width = width_px;
  traits->height = height_px;
  traits->readDISPLAY();  // else OSG assumes display :0
  traits->pbuffer = true;
  traits->doubleBuffer = false;
  traits->alpha = 0;  // Xvfb's 24-bit screen: an alpha channel picks a 32-bit config and BadMatch
  traits->depth = 24;
  traits->sharedContext = nullptr;
  // Creating pbuffers in quick succession on Xvfb occasionally fails while the
  // previous one is still being torn down: retry a few times before giving up.
  constexpr int kAttempts = 4;
  constexpr auto kRetryDelay = std::chrono::milliseconds(100);
  osg::ref_ptr<osg::GraphicsContext> context;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    context = osg::GraphicsContext::createGraphicsContext(traits);
    if (context && context->valid()) break;
    std::this_thread::sleep_for(kRetryDelay);
  }
  if (!context || !context->valid()) {
    *error = "cannot create an OpenGL pbuffer on display " + std::string(std::getenv("DISPLAY"));
    return nullptr;
  }
  return context;
}

RenderResult RenderToPng(const sim::Snapshot& snapshot, const RenderRequest& request,
                         const std::filesystem::path& png_path) {
  RenderResult result;
  if (!ViewAvailable(request.view)) {
    result.error = "view '" + request.view + "' is not available (views: " + [] {
      std::string names;
      for (const auto& name : AllViewNames()) names += (names.empty() ? "" : ", ") + name;
      return names;
    }() + ")";
    return result;
  }
  osg::ref_ptr<osg::GraphicsContext> context = CreatePbufferContext(request.width_px, request.height_px, &result.error);
  if (!context) return result;

  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  osg::Camera* camera = viewer.getCamera();
  camera->setGraphicsContext(context);
  camera->setViewport(0, 0, request.width_px, request.height_px);
  const bool overview = request.view == "overview";
  camera->setClearColor(overview ? kOverviewBackground : osg::Vec4(0.0f, 0.0f, 0.0f, 1.0f));
  camera->setDrawBuffer(GL_FRONT);
  camera->setReadBuffer(GL_FRONT);
  const double aspect = static_cast<double>(request.width_px) / request.height_px;
  camera->setProjectionMatrixAsPerspective(kOverviewFieldOfView_deg, aspect, kNearPlane_m, kFarPlane_m);
  const OverviewCamera view = DefaultOverviewCamera();
  camera->setViewMatrixAsLookAt(view.eye, view.centre, view.up);
  camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);

  osg::ref_ptr<osg::Group> root = new osg::Group;
  if (overview) {
    root->addChild(BuildOverviewScene(snapshot));
    root->addChild(BuildHud(HudLines(snapshot), request.width_px, request.height_px));
  } else {
    // The imaging views and the layout: panels with their own cameras.
    root->addChild(BuildViewRoot(snapshot, request.view, request.width_px, request.height_px));
  }
  viewer.setSceneData(root);

  osg::ref_ptr<osg::Image> image = new osg::Image;
  camera->setFinalDrawCallback(new FrameCapture(image.get(), &result.renderer));

  viewer.realize();
  if (!viewer.isRealized()) {
    result.error = "cannot realise the OpenGL viewer";
    return result;
  }
  viewer.frame();
  if (!image->valid()) {
    result.error = "the frame could not be read back from OpenGL";
    return result;
  }
  if (!osgDB::writeImageFile(*image, png_path.string())) {
    result.error = png_path.string() + ": cannot write PNG (is the osgdb_png plugin installed?)";
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace teersim::views
