#include "sim/views/render_bench.h"

#include <chrono>
#include <osgViewer/Viewer>

#include "sim/views/fluoro_image.h"
#include "sim/views/layout.h"
#include "sim/views/offscreen.h"

namespace teersim::views {
namespace {

// Waits for the frame to finish on the GPU (llvmpipe renders lazily) and
// records GL_RENDERER.
class FinishFrame : public osg::Camera::DrawCallback {
 public:
  explicit FinishFrame(std::string* renderer) : renderer_(renderer) {}
  void operator()(osg::RenderInfo&) const override {
    glFinish();
    if (const auto* text = reinterpret_cast<const char*>(glGetString(GL_RENDERER)))
      *renderer_ = text;
  }

 private:
  std::string* renderer_;
};

}  // namespace

RenderBenchResult BenchLayout(sim::Snapshot snapshot, int width_px, int height_px,
                              double min_seconds, int min_frames) {
  RenderBenchResult result;
  osg::ref_ptr<osg::GraphicsContext> context =
      CreatePbufferContext(width_px, height_px, &result.error);
  if (!context) return result;
  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  osg::Camera* camera = viewer.getCamera();
  camera->setGraphicsContext(context);
  camera->setViewport(0, 0, width_px, height_px);
  camera->setDrawBuffer(GL_FRONT);
  camera->setReadBuffer(GL_FRONT);
  camera->setProjectionMatrixAsOrtho2D(0, width_px, 0, height_px);
  camera->setFinalDrawCallback(new FinishFrame(&result.renderer));
  viewer.setSceneData(new osg::Group);
  viewer.realize();
  if (!viewer.isRealized()) {
    result.error = "cannot realise the OpenGL viewer";
    return result;
  }

  snapshot.handles.Set(devices::ControlId::kFluoroPedal, 1.0);
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  while (result.frames < min_frames || elapsed < min_seconds) {
    snapshot.time_s += 1.0 / kPulseRate_per_s;
    viewer.setSceneData(BuildViewRoot(snapshot, "layout", width_px, height_px));
    viewer.frame();
    ++result.frames;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  result.seconds = elapsed;
  result.fps = result.frames / elapsed;
  result.ok = true;
  return result;
}

}  // namespace teersim::views
