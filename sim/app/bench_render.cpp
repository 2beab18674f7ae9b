// `teersim bench render [--json]`: frames per second of the full cath-lab
// layout at 1280x720 offscreen (Xvfb + Mesa llvmpipe when there is no screen).
#include "sim/app/bench_render.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "scenes/case_library.h"
#include "sim/app/exit_codes.h"
#include "sim/app/headless_display.h"
#include "sim/run.h"
#include "sim/views/render_bench.h"
#include "sim/views/test_scene.h"

namespace teersim::app {
namespace {

constexpr int kBenchWidth_px = 1280;
constexpr int kBenchHeight_px = 720;

}  // namespace

int BenchRenderCommand(bool json) {
  // The stock case; until its anatomy carries meshes, the synthetic test heart.
  const auto description =
      scenes::LoadCaseDescription(scenes::ResolveCase(scenes::kDefaultCaseName));
  const sim::Model model = sim::CompileModel(description);
  sim::Snapshot snapshot = sim::MakeSnapshot(model, sim::InitialState(model));
  std::string scene = snapshot.case_name;
  if (snapshot.meshes.empty()) {
    snapshot = views::test_scene::SyntheticHeart();
    scene = "synthetic heart (the stock case has no meshes yet)";
  }

  HeadlessDisplay display;
  std::string error;
  if (!display.Ensure(&error)) throw std::runtime_error(error);
  const views::RenderBenchResult result =
      views::BenchLayout(snapshot, kBenchWidth_px, kBenchHeight_px);
  if (!result.ok) throw std::runtime_error(result.error);
  if (json) {
    const nlohmann::json out{{"fps", result.fps},
                             {"width", kBenchWidth_px},
                             {"height", kBenchHeight_px},
                             {"renderer", result.renderer},
                             {"frames", result.frames},
                             {"seconds", result.seconds},
                             {"scene", scene}};
    std::cout << out.dump() << '\n';
  } else {
    std::printf("render: %.1f fps (layout %dx%d, %d frames in %.2f s)\nrenderer: %s\nscene: %s\n",
                result.fps, kBenchWidth_px, kBenchHeight_px, result.frames, result.seconds,
                result.renderer.c_str(), scene.c_str());
  }
  return kExitSuccess;
}

}  // namespace teersim::app
