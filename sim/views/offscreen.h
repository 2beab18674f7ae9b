// Render a view of a snapshot to a PNG file without showing a window. Needs an
// X display with GLX (a real one, Xvfb + Mesa in tests, or the Xvfb that
// sim/app starts itself when DISPLAY is unset).
#pragma once

#include <filesystem>
#include <osg/GraphicsContext>
#include <osg/ref_ptr>
#include <string>
#include <string_view>
#include <vector>

#include "sim/snapshot.h"

namespace teersim::views {

// View names of `teersim render --view`, in the order --help lists them.
const std::vector<std::string>& AllViewNames();
// Views implemented today (the others report "not available yet").
bool ViewAvailable(std::string_view view);

struct RenderRequest {
  std::string view = "overview";
  int width_px = 1280;
  int height_px = 720;
};

struct RenderResult {
  bool ok = false;
  std::string error;     // why not, when !ok
  std::string renderer;  // GL_RENDERER string, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
};

// An offscreen pbuffer GL context on $DISPLAY (no alpha: Xvfb's 24-bit
// visuals), or nullptr with `error` set.
osg::ref_ptr<osg::GraphicsContext> CreatePbufferContext(int width_px, int height_px,
                                                        std::string* error);

// Never throws; errors (no display, GL context failure, unwritable path) are
// returned with a message.
RenderResult RenderToPng(const sim::Snapshot& snapshot, const RenderRequest& request,
                         const std::filesystem::path& png_path);

}  // namespace teersim::views
