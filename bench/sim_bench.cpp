// Cost of the simulation loop's fixed parts: one Step, one recorded step, and
// replaying a recorded second (issue #8 asks replay >= 4x real time).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "devices/scripted_device.h"
#include "scenes/case_library.h"
#include "sim/recording.h"
#include "sim/replay.h"
#include "sim/run.h"
#include "sim/step.h"

namespace teersim::sim {
namespace {

const std::filesystem::path kDemoScript =
    std::filesystem::path(TEERSIM_SOURCE_DIR) / "scenes/scripts/demo_short.yaml";

Model DefaultModel() {
  return CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase(scenes::kDefaultCaseName)));
}

void BM_Step(benchmark::State& bench) {
  const Model model = DefaultModel();
  devices::ScriptedDevice device(devices::LoadScript(kDemoScript));
  State state = InitialState(model, 1);
  Input input;
  for (auto _ : bench) {
    device.Sample(state.time_s, &input.controls);
    Step(model, input, &state);
    if (state.time_s > 8.0) state = InitialState(model, 1);
  }
}
BENCHMARK(BM_Step);

void BM_ReplayOneSimulatedSecond(benchmark::State& bench) {
  RunOptions options;
  options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
  options.script_file = kDemoScript;
  options.out_dir = std::filesystem::temp_directory_path() / "teersim-bench-replay";
  const RunResult run = RunHeadless(options);
  const Recording recording = ReadRecording(run.outputs.recording);
  for (auto _ : bench) {
    const ReplayResult replay = ReplayRecording(recording, "bench");
    benchmark::DoNotOptimize(replay.replayed_final_hash);
  }
  // Per simulated second: the real-time factor is 1 s / this time.
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(run.duration_s));
  bench.counters["simulated_s"] = run.duration_s;
}
BENCHMARK(BM_ReplayOneSimulatedSecond)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace teersim::sim

BENCHMARK_MAIN();
