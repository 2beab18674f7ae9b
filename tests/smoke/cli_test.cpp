// The command-line contract of issue #2: subcommands, --help, exit codes
// (0 success, 1 failure, 2 bad usage or input), --json outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/smoke/cli_run.h"

namespace teersim::testing {
namespace {

using ::testing::HasSubstr;

const std::string kDemoScript = std::string(TEERSIM_SOURCE_DIR) + "/scenes/scripts/demo_short.yaml";

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
  }
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

TEST(Cli, NoArgumentsWithoutDisplayExplainsHeadless) {
  const CliResult result = RunCli("", "env -u DISPLAY");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--headless"));
}

TEST(Cli, NotYetAvailableCommandsFailHonestly) {
  const CliResult result = RunCli("bench render --json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("not available yet"));
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
