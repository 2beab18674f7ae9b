#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/input_error.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/app/headless_display.h"
#include "sim/model.h"
#include "sim/report.h"
#include "sim/run.h"
#include "sim/views/offscreen.h"

namespace teersim::app {
namespace {

// Report images: small enough to keep the HTML file light.
constexpr int kReportImageWidth_px = 760;
constexpr int kReportImageHeight_px = 428;

struct ReportArgs {
  std::string recording;
  std::string trainee;
  std::string db;
  std::string rubric;
  std::string out;
  std::string csv;
  bool no_images = false;
};

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw InputError(path.string() + ": cannot write");
  out << text;
}

// The views a reviewer needs at the run's final state, with their captions:
// fluoroscopy and the TEE views that show the clip on the leaflets.
struct ReportView {
  const char* view;
  const char* caption;
};
constexpr ReportView kReportViews[] = {
    {"fluoro", "Fluoroscopy (AP, seen from the detector: patient's left on the right)"},
    {"tee-lvot", "TEE mid-oesophageal long axis (LVOT view): the clip across A2–P2"},
    {"tee-ic", "TEE mid-oesophageal intercommissural view"},
    {"tee-3d", "3D TEE en face from the left atrium (surgeon's view, aorta at 12 o'clock)"},
    {"overview", "Overview: the instruments in the heart"},
};

// Renders the report's views at the run's final state.
std::vector<sim::ReportImage> FinalImages(const sim::ReplayResult& replay,
                                          const std::filesystem::path& scratch) {
  std::vector<sim::ReportImage> images;
  HeadlessDisplay display;
  std::string error;
  if (!display.Ensure(&error)) {
    std::cerr << "teersim report: warning: no images (" << error << ")\n";
    return images;
  }
  const sim::Snapshot snapshot = sim::MakeSnapshot(*replay.model, replay.final_state);
  char at[32];
  std::snprintf(at, sizeof at, " — final state, t = %.1f s", replay.simulated_s);
  for (const auto& [view, caption] : kReportViews) {
    if (!views::ViewAvailable(view)) continue;
    const auto png = scratch / ("report-" + std::string(view) + ".png");
    const auto result =
        views::RenderToPng(snapshot, {view, kReportImageWidth_px, kReportImageHeight_px}, png);
    if (!result.ok) {
      std::cerr << "teersim report: warning: view " << view << ": " << result.error << '\n';
      continue;
    }
    std::ifstream in(png, std::ios::binary);
    images.push_back({std::string(caption) + at,
                      {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}});
    std::filesystem::remove(png);
  }
  return images;
}

int RunReport(const ReportArgs& args) {
  const sim::Recording recording = sim::ReadRecording(args.recording);
  for (const auto& warning : recording.warnings)
    std::cerr << "teersim report: warning: " << warning << '\n';
  sim::ReplayResult replay;
  const sim::RunSeries series = sim::CollectRunSeries(recording, args.recording, &replay);
  const sim::Rubric rubric = sim::LoadRubric(
      args.rubric.empty() ? sim::DefaultRubricPath() : std::filesystem::path(args.rubric));
  const sim::ScoreResult score =
      sim::ScoreRun(rubric, sim::MetricsFromRun(replay.final_state, recording.events),
                    recording.events, replay.simulated_s);
  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path(args.recording).replace_extension(".html")
                       : std::filesystem::path(args.out);
  std::vector<sim::ReportImage> images;
  if (!args.no_images)
    images = FinalImages(replay, out.parent_path().empty() ? "." : out.parent_path());
  WriteFile(out, sim::RunReportHtml(args.recording, recording, replay, score, series, images));
  std::cout << out.string() << '\n';
  return kExitSuccess;
}

int TraineeReport(const ReportArgs& args) {
  sim::TraineeDatabase database(args.db.empty() ? sim::DefaultDatabasePath()
                                                : std::filesystem::path(args.db));
  database.MarkInterruptedRuns();
  const auto runs = database.History(args.trainee);
  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path("progress.html") : std::filesystem::path(args.out);
  WriteFile(out, sim::ProgressReportHtml(args.trainee, runs));
  std::cout << out.string() << '\n';
  if (!args.csv.empty()) {
    WriteFile(args.csv, sim::RunsCsv(runs));
    std::cout << args.csv << '\n';
  }
  return kExitSuccess;
}

}  // namespace

void AddReportCommand(CLI::App& app, Handler* handler) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* report = app.add_subcommand("report",
                                        "Write a self-contained HTML report: of a run (RECORDING) "
                                        "or of a trainee's progress (--trainee)");
  auto* recording =
      report->add_option("recording", args->recording, "Recording FILE (.teerrec) of one run");
  auto* trainee = report->add_option("--trainee", args->trainee,
                                     "Progress report (learning curves) of trainee NAME");
  recording->excludes(trainee);
  report->add_option("--db", args->db, "Trainee database FILE (with --trainee)")->needs(trainee);
  report->add_option("--csv", args->csv, "Also export the trainee's runs and metrics as CSV FILE")
      ->needs(trainee);
  report->add_option("--rubric", args->rubric, "Rubric FILE for the run's score")->needs(recording);
  report->add_flag("--no-images", args->no_images, "Skip the rendered final images")
      ->needs(recording);
  report->add_option(
      "--out", args->out,
      "Output FILE.html (default: the recording's name with .html, or progress.html)");
  report->callback([handler, args] {
    *handler = [args] {
      return Guarded([&] {
        if (args->recording.empty() && args->trainee.empty()) {
          throw InputError("report: give a RECORDING or --trainee NAME");
        }
        return args->trainee.empty() ? RunReport(*args) : TraineeReport(*args);
      });
    };
  });
}

}  // namespace teersim::app
