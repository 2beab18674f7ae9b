// `teersim bench physics [--json] [--steps N]`: median and p99 wall time per
// 1 ms physics step for the scenarios of physics/bench_physics.h.
#include "physics/bench_physics.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "sim/app/commands.h"

namespace teersim::app {

int RunPhysicsBench(bool json, int steps) {
  const std::vector<physics::BenchScenarioResult> results = physics::RunPhysicsBenchmark(steps);
  if (json) {
    nlohmann::ordered_json out;
    out["scenarios"] = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      out["scenarios"].push_back({{"name", r.name},
                                  {"elements", r.elements},
                                  {"median_ms", r.median_ms},
                                  {"p99_ms", r.p99_ms},
                                  {"faults", r.faults},
                                  {"mean_iterations", r.mean_iterations},
                                  {"first_fault", r.first_fault}});
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("%-18s %9s %10s %10s %7s %11s\n", "scenario", "elements", "median_ms", "p99_ms",
              "faults", "iterations");
  for (const auto& r : results) {
    std::printf("%-18s %9d %10.4f %10.4f %7d %11.2f\n", r.name.c_str(), r.elements, r.median_ms,
                r.p99_ms, r.faults, r.mean_iterations);
  }
  return 0;
}

void AddPhysicsBenchCommand(CLI::App& bench, Handler* handler) {
  CLI::App* sub = bench.add_subcommand("physics", "Median/p99 wall time per 1 ms physics step");
  auto json = std::make_shared<bool>(false);
  auto steps = std::make_shared<int>(2000);
  sub->add_flag("--json", *json, "Machine-readable output");
  sub->add_option("--steps", *steps, "Measured steps per scenario")->check(CLI::Range(10, 1000000));
  sub->callback([handler, json, steps] {
    *handler = [json, steps] { return Guarded([&] { return RunPhysicsBench(*json, *steps); }); };
  });
}

}  // namespace teersim::app
