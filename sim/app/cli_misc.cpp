// Subcommands whose contracts are fixed now and whose work lands with later
// issues: bench (render #6 in bench_render.cpp, physics #3 in bench_physics.cpp,
// haptics #7 in bench_haptics.cpp) and report (scoring #8); replay, score and
// trainee live in their own files.
#include <memory>
#include <string_view>

#include "sim/app/bench_render.h"
#include "sim/app/commands.h"

namespace teersim::app {

void AddBenchCommand(CLI::App& app, Handler* handler) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks that print numbers");
  bench->require_subcommand(1);
  struct Entry {
    const char* name;
    const char* help;
    const char* issue;
  };
  AddPhysicsBenchCommand(*bench, handler);
  AddHapticsBenchCommand(*bench, handler);
  static constexpr Entry kEntries[] = {
      {"render", "Frames per second of the full layout at 1280x720", "views issue #6"},
  };
  for (const auto& entry : kEntries) {
    CLI::App* sub = bench->add_subcommand(entry.name, entry.help);
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Machine-readable output");
    if (std::string_view(entry.name) == "render") {
      sub->callback([handler, json] { *handler = [json] { return Guarded([&] { return BenchRenderCommand(*json); }); }; });
      continue;
    }
    sub->callback([handler, entry] {
      *handler = [entry] { return NotAvailableYet(std::string("bench ") + entry.name, entry.issue); };
    });
  }
}

void AddRecordingCommands(CLI::App& app, Handler* handler) {
  AddReplayCommand(app, handler);

  AddScoreCommand(app, handler);

  AddReportCommand(app, handler);

  AddTraineeCommand(app, handler);
}

}  // namespace teersim::app
