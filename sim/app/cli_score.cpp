#include <iomanip>
#include <iostream>

#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/replay.h"
#include "sim/scoring.h"

namespace teersim::app {
namespace {

struct ScoreArgs {
  std::string file;
  std::string rubric;
  bool json = false;
  bool resimulate = false;
};

int ScoreCommand(const ScoreArgs& args) {
  const sim::Rubric rubric = sim::LoadRubric(
      args.rubric.empty() ? sim::DefaultRubricPath() : std::filesystem::path(args.rubric));
  const sim::Recording recording = sim::ReadRecording(args.file);
  for (const auto& warning : recording.warnings)
    std::cerr << "teersim score: warning: " << warning << '\n';
  // Metrics stored by this build in an intact recording, or re-simulated
  // (sim/replay.h ScoreRecording): the score needs no other file.
  bool resimulated = false;
  const sim::ScoreResult score =
      sim::ScoreRecording(rubric, recording, args.file, args.resimulate, &resimulated);
  if (args.json) {
    std::cout << sim::ScoreJson(score) << '\n';
    return kExitSuccess;
  }
  std::cout << "teersim score: " << args.file << " (" << recording.header.case_name
            << ") with rubric " << rubric.name << '\n'
            << (resimulated ? "  metrics re-simulated from the inputs\n"
                            : "  metrics as this build stored them in the recording\n")
            << std::fixed << std::setprecision(1) << "  total " << score.total
            << " / 100  (checklist " << score.checklist_score << ", metrics " << score.metric_score
            << ", errors -" << score.error_penalty << ")\n  checklist:\n";
  for (const auto& step : score.checklist)
    std::cout << "    [" << (step.passed ? 'x' : ' ') << "] " << step.name << '\n';
  std::cout << "  errors:" << (score.errors.empty() ? " none\n" : "\n");
  for (const auto& error : score.errors) {
    std::cout << "    severity " << error.severity << "  " << error.name << " at " << error.time_s
              << " s\n";
  }
  std::cout << "  metrics:\n";
  for (const auto& metric : score.metrics) {
    std::cout << "    " << std::left << std::setw(26) << metric.metric;
    if (metric.value) {
      std::cout << std::setw(10) << *metric.value << " score " << std::setprecision(2)
                << *metric.score << std::setprecision(1) << "  (expert " << metric.expert_low << "-"
                << metric.expert_high << ")\n";
    } else {
      std::cout << "not available in this run\n";
    }
  }
  return kExitSuccess;
}

}  // namespace

void AddScoreCommand(CLI::App& app, Handler* handler) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* score = app.add_subcommand("score", "Score a recording with a rubric");
  score->add_option("file", args->file, "Recording FILE (.teerrec)")->required();
  score->add_option("--rubric", args->rubric,
                    "Rubric FILE (default: sim/rubrics/teer_standard.yaml)");
  score->add_flag("--json", args->json, "Print {total, errors, metrics, checklist, metric_scores}");
  score->add_flag("--resimulate", args->resimulate,
                  "Re-simulate for the metrics even when this build stored them in the recording");
  score->callback([handler, args] {
    *handler = [args] { return Guarded([&] { return ScoreCommand(*args); }); };
  });
}

}  // namespace teersim::app
