// The command-line contract of issue #2: subcommands, --help, exit codes
// (0 success, 1 failure, 2 bad usage or input), --json outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/recording.h"
#include "tests/smoke/cli_run.h"

namespace teersim::testing {
namespace {

using ::testing::HasSubstr;

const std::string kDemoScript = std::string(TEERSIM_SOURCE_DIR) + "/scenes/scripts/demo_short.yaml";

// Starts `teersim ARGUMENTS` and kills it with SIGKILL as soon as its
// recording holds steps. Why not a fixed sleep: on a loaded 2-core CI machine
// under ASan the first chunk (1000 steps with the leaflet tissue) can take
// longer than any sleep short enough for a test.
void RunThenKillOnceStepsAreRecorded(const std::string& arguments, const std::filesystem::path& recording) {
  std::filesystem::remove(recording);
  const std::string command = "exec " + std::string(TEERSIM_EXE) + " " + arguments + " >/dev/null 2>&1";
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ), 0);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool has_steps = false;
  while (!has_steps && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(recording)) continue;
    try {
      has_steps = sim::ReadRecording(recording).StepCount() > 0;
    } catch (const std::exception&) {
      // The header is still being written.
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(has_steps) << "no steps recorded in 120 s: " << recording;
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";
}

TEST(Cli, HelpListsEverySubcommand) {
  const CliResult result = RunCli("--help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* name : {"run", "case", "render", "replay", "score", "report", "trainee", "devices", "bench"}) {
    EXPECT_THAT(result.out, HasSubstr(std::string("  ") + name + " ")) << name;
  }
}

TEST(Cli, EverySubcommandHasItsOwnHelp) {
  for (const char* command :
       {"run", "case", "case list", "case describe", "render", "replay", "score", "report", "trainee",
        "devices", "devices list", "devices monitor", "devices describe-descriptor", "bench",
        "bench physics", "bench render", "bench haptics"}) {
    const CliResult result = RunCli(std::string(command) + " --help");
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_THAT(result.out, HasSubstr("Usage:")) << command;
  }
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(RunCli("frobnicate").exit_code, 2);
  EXPECT_EQ(RunCli("run --headless").exit_code, 2);  // --case is required
  EXPECT_EQ(RunCli("render --case p2_flail --view xray --out a.png").exit_code, 2);
  EXPECT_EQ(RunCli("run --case p2_flail --autopilot --script x.yaml").exit_code, 2);
  EXPECT_EQ(RunCli("render --case p2_flail --view overview --out a.png --size 12").exit_code, 2);
}

TEST(Cli, UnknownCaseExitsTwoAndListsStockCases) {
  const CliResult result = RunCli("case describe no_such_case");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown case 'no_such_case'"));
  EXPECT_THAT(result.err, HasSubstr("p2_flail"));
}

TEST(Cli, MalformedCaseFileNamesFileLineAndKey) {
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/broken.yaml";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "name: broken\ntitle: B\nobjective: o\nseed: 1\n"
                         "lesion: {type: degenerative, summary: s}\nphysiology:\n  heart_rate_bpm: -5\n";
  const CliResult result = RunCli("case describe " + path.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path.string() + ":7: physiology.heart_rate_bpm: expected 30 to 180, got -5"));
}

TEST(Cli, CaseListJson) {
  const CliResult result = RunCli("case list --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto cases = nlohmann::json::parse(result.out);
  ASSERT_TRUE(cases.is_array());
  ASSERT_FALSE(cases.empty());
  for (const auto& entry : cases) {
    EXPECT_TRUE(entry.contains("name") && entry.contains("title") && entry.contains("objective"));
    EXPECT_EQ(entry.size(), 3u) << "case list --json stays {name, title, objective}";
  }
}

TEST(Cli, CaseDescribeJsonPrintsTheMeasuredAnatomy) {
  const CliResult result = RunCli("case describe p2_flail --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto description = nlohmann::json::parse(result.out);
  for (const char* key : {"name", "title", "objective", "seed", "lesion", "heart_rate_bpm", "file"}) {
    EXPECT_TRUE(description.contains(key)) << key;
  }
  // Measured from the meshes: numbers at the top level (the contract) and
  // the same under "measured".
  for (const char* key :
       {"femoral_vein_diameter_mm", "ivc_diameter_mm", "ra_diameter_mm", "la_diameter_mm", "septum_thickness_mm",
        "fossa_thickness_mm", "fossa_width_mm", "fossa_height_mm", "fossa_to_annulus_mm", "annulus_ap_mm",
        "annulus_ic_mm", "anterior_leaflet_length_mm", "posterior_leaflet_length_mm", "eroa_cm2", "flail_gap_mm",
        "flail_width_mm"}) {
    ASSERT_TRUE(description.contains(key) && description[key].is_number()) << key;
    EXPECT_EQ(description[key], description["measured"][key]) << key;
  }
  EXPECT_FALSE(description.contains("coaptation_gap_mm"));
  const auto functional = nlohmann::json::parse(RunCli("case describe functional_dilated --json").out);
  EXPECT_TRUE(functional.contains("coaptation_gap_mm"));
  EXPECT_FALSE(functional.contains("flail_gap_mm"));
  // The clip the case is planned for, from the instrument set (§1.2).
  EXPECT_EQ(description["clip"]["size"], "NT");
  EXPECT_DOUBLE_EQ(description["clip"]["arm_length_mm"].get<double>(), 9.0);
  EXPECT_DOUBLE_EQ(description["clip"]["arm_width_mm"].get<double>(), 4.0);
  const auto xtw = nlohmann::json::parse(RunCli("case describe " + std::string(TEERSIM_SOURCE_DIR) +
                                                "/tests/data/cases/p2_flail_xtw.yaml --json")
                                             .out);
  EXPECT_EQ(xtw["clip"]["size"], "XTW");
  EXPECT_DOUBLE_EQ(xtw["clip"]["arm_width_mm"].get<double>(), 6.0);
}

TEST(Cli, HeadlessScriptedRunJsonSummaryAndOutputs) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-run";
  const CliResult result = RunCli("run --case p2_flail --script " + kDemoScript +
                                  " --headless --duration 3 --out " + out_dir.string() + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto summary = nlohmann::json::parse(result.out);
  for (const char* key : {"outcome", "metrics", "score", "outputs", "status", "final_state_hash"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  EXPECT_EQ(summary["status"], "ok");
  EXPECT_DOUBLE_EQ(summary["metrics"]["duration_s"].get<double>(), 3.0);
  EXPECT_FALSE(summary["outcome"]["completed"].get<bool>());
  EXPECT_TRUE(std::filesystem::exists(summary["outputs"]["summary_json"].get<std::string>()));
  EXPECT_TRUE(std::filesystem::exists(summary["outputs"]["controls_csv"].get<std::string>()));
  // The summary file and the printed summary are the same document.
  EXPECT_EQ(nlohmann::json::parse(ReadAll(summary["outputs"]["summary_json"].get<std::string>())), summary);
}

// Issue #5's command as an instructor's script runs it: the expert performs
// the default case and the printed `outcome` carries every key, typed.
TEST(Cli, AutopilotRunJsonReportsTheProcedureOutcome) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-autopilot";
  const CliResult result =
      RunCli("run --case p2_flail --autopilot --headless --json --out " + out_dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto summary = nlohmann::json::parse(result.out);
  EXPECT_EQ(summary.at("clip_size"), "NT");
  const auto outcome = summary.at("outcome");
  EXPECT_TRUE(outcome.at("completed").get<bool>());
  EXPECT_GE(outcome.at("tsp_height_mm").get<double>(), 35.0);
  EXPECT_LE(outcome.at("tsp_height_mm").get<double>(), 45.0);
  EXPECT_THAT(outcome.at("tsp_position").get<std::string>(), ::testing::StartsWith("posterior-"));
  EXPECT_LT(outcome.at("clip_rotation_error_deg").get<double>(), 10.0);
  EXPECT_GE(outcome.at("insertion_anterior_mm").get<double>(), 6.0);
  EXPECT_GE(outcome.at("insertion_posterior_mm").get<double>(), 6.0);
  EXPECT_EQ(outcome.at("mr_grade_before").get<int>(), 4);
  EXPECT_LE(outcome.at("mr_grade_after").get<int>(), 1);
  EXPECT_LT(outcome.at("eroa_cm2_after").get<double>(),
            outcome.at("eroa_cm2_before").get<double>());
  EXPECT_GT(outcome.at("mva_cm2").get<double>(), 1.5);
  EXPECT_GT(outcome.at("mean_gradient_mmHg").get<double>(), 0.0);
  EXPECT_LT(outcome.at("mean_gradient_mmHg").get<double>(), 5.0);
  EXPECT_TRUE(outcome.at("complications").is_array());
  EXPECT_TRUE(outcome.at("complications").empty());
  ASSERT_TRUE(outcome.at("phase_times_s").is_object());
  for (const char* phase :
       {"access", "ivc_ra_navigation", "transseptal", "guide_crossing", "steering_la",
        "clip_orientation", "lv_entry", "grasp", "closure_assessment", "release", "withdrawal"}) {
    EXPECT_GT(outcome.at("phase_times_s").at(phase).get<double>(), 0.0) << phase;
  }
}

TEST(Cli, NoArgumentsWithoutDisplayExplainsHeadless) {
  const CliResult result = RunCli("", "env -u DISPLAY");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--headless"));
}

// `replay FILE` without --verify opens the replay GUI; without a display it
// says how to check or render the recording instead, and a missing file is
// named.
TEST(Cli, ReplayGuiWithoutDisplayPointsToVerifyAndRender) {
  const CliResult missing = RunCli("replay out/any.teerrec", "env -u DISPLAY");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("out/any.teerrec"));
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-replay-gui";
  ASSERT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --duration 1 --out " +
                   out_dir.string()).exit_code, 0);
  const CliResult headless = RunCli("replay " + (out_dir / "recording.teerrec").string(), "env -u DISPLAY");
  EXPECT_EQ(headless.exit_code, 2);
  EXPECT_THAT(headless.err, HasSubstr("--verify"));
  EXPECT_THAT(headless.err, HasSubstr("render --recording"));
}

// Issue #3: `bench physics --json` prints the scenarios with their element
// counts and per-step times (a short run; the numbers are not checked here).
TEST(Cli, BenchPhysicsPrintsScenarios) {
  const CliResult result = RunCli("bench physics --json --steps 10");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json out = nlohmann::json::parse(result.out);
  ASSERT_EQ(out["scenarios"].size(), 4u);
  const char* names[] = {"free_rod", "rod_in_tube", "coaxial_stack", "coaxial_stack_2x"};
  for (std::size_t k = 0; k < 4; ++k) {
    const nlohmann::json& s = out["scenarios"][k];
    EXPECT_EQ(s["name"], names[k]);
    EXPECT_GT(s["median_ms"].get<double>(), 0.0);
    EXPECT_GE(s["p99_ms"].get<double>(), s["median_ms"].get<double>());
  }
  EXPECT_EQ(out["scenarios"][0]["elements"], 100);
  EXPECT_GE(out["scenarios"][2]["elements"].get<int>(), 300);
  EXPECT_EQ(out["scenarios"][3]["elements"].get<int>(), 2 * out["scenarios"][2]["elements"].get<int>());
}

// Issue #7: `bench haptics --json` prints exactly the loop's period error
// (median, p99) and latency (a short run; the numbers are not checked here).
TEST(Cli, BenchHapticsPrintsPeriodErrorAndLatency) {
  const CliResult result = RunCli("bench haptics --json --cycles 300");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json out = nlohmann::json::parse(result.out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_GT(out["period_error_median_ms"].get<double>(), 0.0);
  EXPECT_GE(out["period_error_p99_ms"].get<double>(), out["period_error_median_ms"].get<double>());
  EXPECT_GT(out["latency_ms"].get<double>(), 0.0);
  EXPECT_EQ(RunCli("bench haptics --cycles 5").exit_code, 2);
}

TEST(Cli, RenderStartsItsOwnXvfbWhenNoDisplay) {
  const auto png = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-overview.png";
  std::filesystem::remove(png);
  const CliResult result = RunCli("render --case p2_flail --view overview --size 320x240 --out " + png.string(),
                                  "env -u DISPLAY");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GT(std::filesystem::file_size(png), 1000u);
}

}  // namespace
}  // namespace teersim::testing

namespace teersim::testing {
namespace {

TEST(CliReplay, VerifyPassesOnAFinishedRun) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-replay";
  ASSERT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --out " + out_dir.string()).exit_code, 0);
  const CliResult result = RunCli("replay " + (out_dir / "recording.teerrec").string() + " --verify --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_TRUE(json["verified"].get<bool>());
  EXPECT_EQ(json["steps"], 8000);
  EXPECT_EQ(json["recorded_final_hash"], json["replayed_final_hash"]);
}

TEST(CliReplay, RunKilledMidWayLeavesAReadableRecording) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-killed";
  std::filesystem::remove_all(out_dir);
  // A two-hour simulated run, killed with SIGKILL once it has recorded steps.
  RunThenKillOnceStepsAreRecorded(
      "run --case p2_flail --script " + kDemoScript + " --headless --duration 7200 --out " + out_dir.string(),
      out_dir / "recording.teerrec");
  const CliResult result = RunCli("replay " + (out_dir / "recording.teerrec").string() + " --verify --json");
  EXPECT_EQ(result.exit_code, 1);  // not verified: the run has no end
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_FALSE(json["complete"].get<bool>()) << "the run finished before it was killed";
  EXPECT_GT(json["steps"].get<int>(), 0);
  EXPECT_LT(json["steps"].get<int>(), 7200000);
  EXPECT_EQ(json["first_mismatch_step"], -1);  // what survived replays bit for bit
  EXPECT_THAT(result.err, HasSubstr("warning"));
}

TEST(CliReplay, NotARecordingExitsTwoNamingTheByte) {
  const CliResult result = RunCli("replay " + kDemoScript + " --verify");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("byte 0: not a teersim recording"));
}

}  // namespace
}  // namespace teersim::testing

namespace teersim::testing {
namespace {

TEST(CliTrainee, AttributedRunsAppearInHistoryAndAKilledRunIsInterrupted) {
  const auto db = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-trainee.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  const std::string use_db = " --db " + db.string();
  ASSERT_EQ(RunCli("trainee add 'Dr Ada'" + use_db).exit_code, 0);
  EXPECT_EQ(RunCli("trainee add 'Dr Ada'" + use_db).exit_code, 2);
  const auto out = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-trainee-run";
  ASSERT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --duration 2 --trainee 'Dr Ada' --out " +
                   out.string() + use_db).exit_code, 0);
  EXPECT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --trainee Nobody --out " +
                   out.string() + use_db).exit_code, 2);
  // A long attributed run killed with SIGKILL.
  RunThenKillOnceStepsAreRecorded("run --case p2_flail --script " + kDemoScript +
                                      " --headless --duration 7200 --trainee 'Dr Ada' --out " + out.string() +
                                      "-killed" + use_db,
                                  std::filesystem::path(out.string() + "-killed") / "recording.teerrec");

  const CliResult history = RunCli("trainee history 'Dr Ada' --json" + use_db);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const auto json = nlohmann::json::parse(history.out);
  ASSERT_EQ(json["runs"].size(), 2u);
  EXPECT_EQ(json["runs"][0]["status"], "finished");
  EXPECT_DOUBLE_EQ(json["runs"][0]["duration_s"].get<double>(), 2.0);
  EXPECT_EQ(json["runs"][1]["status"], "interrupted");
  // The killed run's recording is readable (its surviving steps replay).
  const CliResult replay = RunCli("replay " + json["runs"][1]["recording"].get<std::string>() + " --verify --json");
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_GT(nlohmann::json::parse(replay.out)["steps"].get<int>(), 0);

  const CliResult list = RunCli("trainee list --json" + use_db);
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(list.out)[0]["runs"], 2);
}

}  // namespace
}  // namespace teersim::testing

namespace teersim::testing {
namespace {

TEST(CliScore, ScoresARecordingAndRejectsABadRubric) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-score";
  ASSERT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --out " + out_dir.string()).exit_code, 0);
  const std::string recording = (out_dir / "recording.teerrec").string();
  const CliResult result = RunCli("score " + recording + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_GE(json["total"].get<double>(), 0.0);
  EXPECT_LE(json["total"].get<double>(), 100.0);
  EXPECT_TRUE(json["errors"].is_array());
  EXPECT_DOUBLE_EQ(json["metrics"]["fluoro_time_s"].get<double>(), 6.5);  // demo: pedal down 0-3 s and 4-7.5 s
  // The run's own summary carries the same score.
  const auto summary = nlohmann::json::parse(ReadAll((out_dir / "summary.json").string()));
  EXPECT_DOUBLE_EQ(summary["score"]["total"].get<double>(), json["total"].get<double>());
  // Re-simulated, the metrics and the score are the same.
  const CliResult resimulated = RunCli("score " + recording + " --json --resimulate");
  ASSERT_EQ(resimulated.exit_code, 0) << resimulated.err;
  EXPECT_EQ(nlohmann::json::parse(resimulated.out), json);

  const auto bad = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/bad-rubric.yaml";
  std::ofstream(bad) << "name: r\nchecklist_points: forty\n";
  const CliResult rejected = RunCli("score " + recording + " --rubric " + bad.string());
  EXPECT_EQ(rejected.exit_code, 2);
  EXPECT_THAT(rejected.err, HasSubstr(bad.string() + ":2: checklist_points: expected a number, got 'forty'"));
}

}  // namespace
}  // namespace teersim::testing

namespace teersim::testing {
namespace {

TEST(CliReport, WritesRunAndProgressReports) {
  const auto out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/cli-report";
  const auto db = out_dir / "report.db";
  std::filesystem::remove_all(out_dir);
  std::filesystem::create_directories(out_dir);
  ASSERT_EQ(RunCli("trainee add Fellow --db " + db.string()).exit_code, 0);
  ASSERT_EQ(RunCli("run --case p2_flail --script " + kDemoScript + " --headless --trainee Fellow --db " + db.string() +
                   " --out " + out_dir.string()).exit_code, 0);
  const auto html = out_dir / "run.html";
  const CliResult run_report =
      RunCli("report " + (out_dir / "recording.teerrec").string() + " --out " + html.string(), "env -u DISPLAY");
  ASSERT_EQ(run_report.exit_code, 0) << run_report.err;
  const std::string text = ReadAll(html.string());
  EXPECT_THAT(text, HasSubstr("teersim run report: p2_flail"));
  EXPECT_THAT(text, HasSubstr("data:image/png;base64,"));  // the final views, rendered on a private Xvfb
  // The final fluoroscopy and a TEE view, each with its caption.
  EXPECT_THAT(text, HasSubstr("<figcaption>Fluoroscopy (AP"));
  EXPECT_THAT(text, HasSubstr("<figcaption>TEE mid-oesophageal long axis (LVOT view)"));
  const CliResult progress = RunCli("report --trainee Fellow --db " + db.string() + " --out " +
                                    (out_dir / "progress.html").string() + " --csv " + (out_dir / "runs.csv").string());
  ASSERT_EQ(progress.exit_code, 0) << progress.err;
  EXPECT_THAT(ReadAll((out_dir / "runs.csv").string()), HasSubstr("\"Fellow\",\"p2_flail\""));
  EXPECT_EQ(RunCli("report").exit_code, 2);
}

}  // namespace
}  // namespace teersim::testing
