// Anatomy generation and measurement per stock case (scenes/README.md reports
// the numbers). Run: ./build/release/bench/anatomy_bench
#include <benchmark/benchmark.h>

#include "scenes/anatomy_measurements.h"
#include "scenes/case_library.h"

namespace {

using teersim::scenes::CaseDescription;

void GenerateCase(benchmark::State& state, const CaseDescription& description) {
  for (auto _ : state) {
    auto anatomy =
        teersim::scenes::GenerateAnatomy(description.anatomy.parameters, description.seed);
    benchmark::DoNotOptimize(anatomy);
  }
}

void MeasureCase(benchmark::State& state, const CaseDescription& description) {
  const auto anatomy =
      teersim::scenes::GenerateAnatomy(description.anatomy.parameters, description.seed);
  const auto lesion = teersim::scenes::MeasuredLesionOf(description.anatomy.parameters);
  for (auto _ : state) {
    auto measured = teersim::scenes::MeasureAnatomy(anatomy, lesion);
    benchmark::DoNotOptimize(measured);
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& description : teersim::scenes::ListStockCases()) {
    benchmark::RegisterBenchmark(("GenerateAnatomy/" + description.name).c_str(), GenerateCase,
                                 description)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("MeasureAnatomy/" + description.name).c_str(), MeasureCase,
                                 description)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
