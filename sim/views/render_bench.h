// Frames per second of the cath-lab layout (fluoroscopy, TEE 2D and 3D,
// overview, HUD) rendered offscreen, the scene rebuilt from the snapshot every
// frame as the live screen would. Speed is measured here, never in tests.
#pragma once

#include <string>

#include "sim/snapshot.h"

namespace teersim::views {

struct RenderBenchResult {
  bool ok = false;
  std::string error;
  double fps = 0.0;
  int frames = 0;
  double seconds = 0.0;
  std::string renderer;  // GL_RENDERER
};

// Renders the layout of `snapshot` at width × height for at least
// `min_seconds` (and at least `min_frames` frames), advancing its time by one
// fluoroscopy pulse per frame with the pedal down. Needs an X display.
RenderBenchResult BenchLayout(sim::Snapshot snapshot, int width_px, int height_px,
                              double min_seconds = 3.0, int min_frames = 10);

}  // namespace teersim::views
