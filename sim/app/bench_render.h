// `teersim bench render`: see bench_render.cpp.
#pragma once

namespace teersim::app {

// Prints the layout's frames per second (JSON with --json); exit code.
int BenchRenderCommand(bool json);

}  // namespace teersim::app
