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
  const CliResult result = RunCli("bench physics --json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("not available yet"));
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
