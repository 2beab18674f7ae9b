// Subcommands whose contracts are fixed now and whose work lands with later
// issues: bench (render #6, haptics #7; physics is in bench_physics.cpp) and replay / score /
// report / trainee (scoring #8).
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
  static constexpr Entry kEntries[] = {
      {"render", "Frames per second of the full layout at 1280x720", "views issue #6"},
      {"haptics", "Haptic loop period error and latency", "devices issue #7"},
  };
  for (const auto& entry : kEntries) {
    CLI::App* sub = bench->add_subcommand(entry.name, entry.help);
    sub->add_flag("--json")->description("Machine-readable output");
    sub->callback([handler, entry] {
      *handler = [entry] { return NotAvailableYet(std::string("bench ") + entry.name, entry.issue); };
    });
  }
}

void AddRecordingCommands(CLI::App& app, Handler* handler) {
  CLI::App* replay = app.add_subcommand("replay", "Replay a recording (GUI) or --verify it headless");
  replay->add_option("file", "Recording FILE")->required();
  replay->add_flag("--verify")->description("Re-simulate and check the final state hash");
  replay->add_flag("--json")->description("Machine-readable output");
  replay->callback([handler] { *handler = [] { return NotAvailableYet("replay", "scoring issue #8"); }; });

  CLI::App* score = app.add_subcommand("score", "Score a recording with a rubric");
  score->add_option("file", "Recording FILE")->required();
  score->add_option("--rubric", "Rubric FILE (default: the stock rubric)");
  score->add_flag("--json")->description("Machine-readable output");
  score->callback([handler] { *handler = [] { return NotAvailableYet("score", "scoring issue #8"); }; });

  CLI::App* report = app.add_subcommand("report", "Write an HTML report for a run or a trainee");
  report->allow_extras();
  report->callback([handler] { *handler = [] { return NotAvailableYet("report", "scoring issue #8"); }; });

  CLI::App* trainee = app.add_subcommand("trainee", "Trainee database: add | list | history NAME");
  trainee->allow_extras();
  trainee->callback([handler] { *handler = [] { return NotAvailableYet("trainee", "scoring issue #8"); }; });
}

}  // namespace teersim::app
