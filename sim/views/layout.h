// Panels of the cath-lab screen as OSG subgraphs, each a nested camera with its
// own viewport: fluoroscopy, TEE 2D, TEE 3D en-face, the 3D overview and a HUD
// strip; `--view layout` puts them all on one screen.
#pragma once

#include <osg/Camera>
#include <osg/Group>
#include <osg/ref_ptr>
#include <string>
#include <string_view>
#include <vector>

#include "sim/snapshot.h"
#include "sim/views/imaging_math.h"

namespace teersim::views {

// A viewport in window pixels, origin at the bottom left (OpenGL).
struct PanelRect {
  int x = 0, y = 0, width = 0, height = 0;
};

// An orthographic camera over `rect` whose scene coordinates are the panel's
// pixels (0..width, 0..height), cleared to `background`.
osg::ref_ptr<osg::Camera> PanelCamera(const PanelRect& rect, const osg::Vec4& background);
// A textured quad showing `image` at panel pixels (x, y, w, h), y up.
osg::ref_ptr<osg::Node> ImageQuad(const RgbImage& image, float x, float y, float width,
                                  float height);
// Text lines starting at panel pixel (x, y_top), going down.
osg::ref_ptr<osg::Node> PanelText(const std::vector<std::string>& lines, float x, float y_top,
                                  float size_px, const osg::Vec4& colour);

class FluoroMonitor;

// Fluoroscopy: with a `monitor`, the live session's image (held while the
// pedal is up); without, the snapshot's own frame (one-shot renders).
osg::ref_ptr<osg::Camera> FluoroPanel(const sim::Snapshot& snapshot, const PanelRect& rect,
                                      FluoroMonitor* monitor = nullptr);
// `view` is one of the tee-* 2D view names (preset multiplane angle and
// flexion) or "tee" for the snapshot's own TEE handles.
osg::ref_ptr<osg::Camera> TeePanel(const sim::Snapshot& snapshot, std::string_view view,
                                   const PanelRect& rect);
osg::ref_ptr<osg::Camera> Tee3dPanel(const sim::Snapshot& snapshot, const PanelRect& rect);
osg::ref_ptr<osg::Camera> OverviewPanel(const sim::Snapshot& snapshot, const PanelRect& rect);
// The C-arm angles as the fluoroscopy overlay and the HUD show them:
// "LAO 30  CRA 0", "RAO 20  CAU 15" (degrees, rounded).
std::string CArmAnglesText(const devices::ControlFrame& handles);

osg::ref_ptr<osg::Camera> HudStrip(const sim::Snapshot& snapshot, const PanelRect& rect);

// The cath-lab layout filling a width × height window.
osg::ref_ptr<osg::Group> BuildLayout(const sim::Snapshot& snapshot, int width_px, int height_px,
                                     FluoroMonitor* monitor = nullptr);

// The whole window for a view name other than "overview": one panel filling
// the window, or the cath-lab layout for "layout".
osg::ref_ptr<osg::Group> BuildViewRoot(const sim::Snapshot& snapshot, std::string_view view,
                                       int width_px, int height_px);

}  // namespace teersim::views
