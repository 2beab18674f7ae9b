#include <iostream>
#include <memory>
#include <optional>

#include "base/input_error.h"
#include "scenes/case_library.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/run.h"
#include "sim/trainee_db.h"
#include "sim/views/gui.h"

namespace teersim::app {
namespace {

struct RunArgs {
  std::string case_name;
  bool autopilot = false;
  std::string autopilot_style = "expert";
  std::string script;
  bool headless = false;
  std::optional<double> duration_s;
  std::string out_dir;
  bool json = false;
  std::string trainee;
  std::string db;
};

int RunCommand(const RunArgs& args) {
  const auto case_file = scenes::ResolveCase(args.case_name);
  // With a display and no driver, `run` opens the GUI on the case.
  if (!args.headless && HasDisplay() && !args.autopilot) {
    if (!args.script.empty()) {
      return NotAvailableYet("run --script in the GUI (add --headless)", "views issue #6");
    }
    GuiDevices devices;
    return views::RunGui(sim::CompileModel(scenes::LoadCaseDescription(case_file)),
                         devices.Options());
  }
  if (args.script.empty() && !args.autopilot) {
    throw InputError("run: headless runs need a driver: --script FILE or --autopilot");
  }
  if (args.autopilot && !args.headless && HasDisplay()) {
    std::cerr << "teersim run: the autopilot runs headless (watch it afterwards with replay)\n";
  }

  sim::RunOptions options;
  options.case_file = case_file;
  if (args.autopilot) {
    options.autopilot =
        args.autopilot_style == "poor" ? sim::AutopilotStyle::kPoor : sim::AutopilotStyle::kExpert;
  } else {
    options.script_file = args.script;
  }
  options.duration_s = args.duration_s;
  options.out_dir = args.out_dir.empty()
                        ? std::filesystem::path("out") / ("run-" + case_file.stem().string())
                        : std::filesystem::path(args.out_dir);
  options.trainee = args.trainee;

  // Runs attributed to a trainee (or with --db) are stored in the database:
  // inserted before the first step, finished after the last.
  std::unique_ptr<sim::TraineeDatabase> database;
  std::int64_t run_id = 0;
  if (!args.trainee.empty() || !args.db.empty()) {
    database = std::make_unique<sim::TraineeDatabase>(
        args.db.empty() ? sim::DefaultDatabasePath() : std::filesystem::path(args.db));
    const auto description = scenes::LoadCaseDescription(case_file);
    std::filesystem::create_directories(options.out_dir);
    run_id = database->StartRun(
        args.trainee, description.name, description.title,
        args.autopilot ? "autopilot " + args.autopilot_style
                       : "script " + std::filesystem::path(args.script).filename().string(),
        std::filesystem::absolute(options.out_dir / "recording.teerrec").string());
  }
  const sim::RunResult result = sim::RunHeadless(options);
  if (database) {
    database->FinishRun(run_id, result.status == sim::StepStatus::kOk ? "finished" : "fault",
                        result.duration_s, result.completed, sim::RunSummaryJson(result));
  }
  if (args.json) {
    std::cout << sim::RunSummaryJson(result) << '\n';
  } else {
    std::cout << "teersim run: " << result.case_title << " (" << result.case_name << "), "
              << result.driver << '\n'
              << "  simulated " << result.duration_s << " s in " << result.steps
              << " steps, status " << sim::StepStatusName(result.status) << ", fluoro "
              << result.fluoro_time_s << " s\n"
              << "  procedure: " << (result.completed ? "completed" : "not completed") << ", phase "
              << sim::PhaseName(result.final_state.procedure.phase) << ", MR "
              << result.baseline.mr_grade << "+ -> " << result.final_state.procedure.mr_grade
              << "+, gradient " << result.final_state.procedure.mean_gradient_mmHg << " mmHg\n"
              << "  final state hash " << result.final_state_hash << '\n'
              << "  outputs:\n"
              << "    " << result.outputs.summary_json.string() << '\n'
              << "    " << result.outputs.controls_csv.string() << '\n'
              << "    " << result.outputs.recording.string() << '\n';
  }
  if (!result.driver_problem.empty()) {
    std::cerr << "teersim run: the autopilot gave up: " << result.driver_problem << '\n';
  }
  if (result.status != sim::StepStatus::kOk) {
    std::cerr << "teersim run: the simulation stopped at t = " << result.duration_s << " s ("
              << sim::StepStatusName(result.status) << " in "
              << sim::FaultSourceName(result.final_state.fault_source) << " at step "
              << result.final_state.fault_step_index << "); everything before it is kept in "
              << result.outputs.recording.string() << '\n';
    return kExitFailure;
  }
  return kExitSuccess;
}

}  // namespace

void AddRunCommand(CLI::App& app, Handler* handler) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* run =
      app.add_subcommand("run", "Run a case (GUI, or headless with a script/autopilot)");
  run->add_option("--case", args->case_name, "Stock case NAME or case FILE (.yaml)")->required();
  auto* autopilot =
      run->add_flag("--autopilot", args->autopilot, "Drive the case with the expert autopilot");
  auto* script =
      run->add_option("--script", args->script, "Drive the case with a script FILE (.yaml)");
  autopilot->excludes(script);
  run->add_option(
         "--autopilot-style", args->autopilot_style,
         "expert (default): the case's targets; poor: anterior-low puncture, misoriented clip")
      ->check(CLI::IsMember({"expert", "poor"}));
  run->add_flag("--headless", args->headless,
                "No window: run as fast as possible and write outputs");
  run->add_option("--duration", args->duration_s, "Simulated seconds (default: the script's; the autopilot: until it has finished)")
      ->check(CLI::PositiveNumber);
  run->add_option("--out", args->out_dir, "Output directory (default out/run-<case>)");
  run->add_flag("--json", args->json, "Print a machine-readable summary on stdout");
  run->add_option("--trainee", args->trainee,
                  "Attribute the run to trainee NAME (stored in the database)");
  run->add_option(
      "--db", args->db,
      "Trainee database FILE (default $TEERSIM_DB or ~/.local/share/teersim/teersim.db)");
  run->callback([handler, args] {
    *handler = [args] { return Guarded([&] { return RunCommand(*args); }); };
  });
}

}  // namespace teersim::app
