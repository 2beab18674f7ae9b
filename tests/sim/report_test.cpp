#include "sim/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "scenes/case_library.h"
#include "sim/run.h"
#include "sim/svg_plot.h"

namespace teersim::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Checks that every element opened is closed in order (the report is written
// as well-formed XHTML-style markup: void elements self-close).
bool TagsBalanced(const std::string& html, std::string* problem) {
  std::vector<std::string> stack;
  std::size_t at = 0;
  while ((at = html.find('<', at)) != std::string::npos) {
    const std::size_t end = html.find('>', at);
    if (end == std::string::npos) {
      *problem = "unterminated tag";
      return false;
    }
    const std::string tag = html.substr(at + 1, end - at - 1);
    at = end + 1;
    if (tag.empty() || tag[0] == '!') continue;  // doctype
    if (tag.back() == '/') continue;             // self-closing
    const bool closing = tag[0] == '/';
    const std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", closing ? 1 : 0) - (closing ? 1 : 0));
    if (!closing) {
      stack.push_back(name);
    } else if (stack.empty() || stack.back() != name) {
      *problem = "</" + name + "> closes <" + (stack.empty() ? "nothing" : stack.back()) + ">";
      return false;
    } else {
      stack.pop_back();
    }
  }
  if (!stack.empty()) *problem = "<" + stack.back() + "> never closed";
  return stack.empty();
}

std::string DemoReport(std::string* recording_path) {
  RunOptions options;
  options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
  options.script_file = std::filesystem::path(TEERSIM_SOURCE_DIR) / "scenes/scripts/demo_short.yaml";
  options.out_dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out/report";
  const RunResult run = RunHeadless(options);
  *recording_path = run.outputs.recording.string();
  const Recording recording = ReadRecording(run.outputs.recording);
  ReplayResult replay;
  const RunSeries series = CollectRunSeries(recording, *recording_path, &replay);
  EXPECT_TRUE(replay.verified);
  EXPECT_LE(series.time_s.size(), kMaxReportSamples + 1);
  const ScoreResult score = ScoreRun(LoadRubric(DefaultRubricPath()), MetricsFromRun(replay.final_state, recording.events),
                                     recording.events, replay.simulated_s);
  const std::vector<ReportImage> images{{"a 1x1 PNG", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}}};
  return RunReportHtml(*recording_path, recording, replay, score, series, images);
}

TEST(Report, RunReportIsSelfContainedWellFormedHtmlWithPlots) {
  std::string recording;
  const std::string html = DemoReport(&recording);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  std::string problem;
  EXPECT_TRUE(TagsBalanced(html, &problem)) << problem;
  // Self-contained: no scripts, stylesheets or images fetched from anywhere.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  for (const std::string attribute : {"src=\"", "href=\""}) {
    for (std::size_t at = 0; (at = html.find(attribute, at)) != std::string::npos; at += attribute.size()) {
      EXPECT_EQ(html.compare(at + attribute.size(), 5, "data:"), 0) << html.substr(at, 60);
    }
  }
  // Plots: band bars + three time series; the image embedded as a data URI.
  std::size_t svgs = 0;
  for (std::size_t at = 0; (at = html.find("<svg", at)) != std::string::npos; ++at) ++svgs;
  EXPECT_GE(svgs, 4u);
  EXPECT_THAT(html, HasSubstr("src=\"data:image/png;base64,iVBORw0KGgo=\""));
  EXPECT_THAT(html, HasSubstr("Fluoroscopy: pedal and cumulative time"));
  EXPECT_THAT(html, HasSubstr("transseptal_puncture"));
}

TEST(Report, ProgressReportAndCsvCoverEveryRun) {
  RunRow first{1, "Dr Ada", "p2_flail", "2026-11-25T10:00:00Z", "finished", 600, "script", "/r/1", 40.0, false,
               R"({"metrics": {"fluoro_time_s": 300, "total_time_s": 600}, "score": {"total": 40}})"};
  RunRow second{2, "Dr Ada", "p2_flail", "2026-11-25T11:00:00Z", "finished", 500, "script", "/r/2", std::nullopt, true,
                R"({"metrics": {"fluoro_time_s": 200, "dap_cGy_cm2": 900}, "score": {"total": 62.5}})"};
  RunRow killed{3, "Dr Ada", "p2_flail", "2026-11-25T12:00:00Z", "interrupted", 0, "script", "/r/3", std::nullopt, false, ""};
  const std::vector<RunRow> runs{first, second, killed};
  const std::string html = ProgressReportHtml("Dr Ada", runs);
  std::string problem;
  EXPECT_TRUE(TagsBalanced(html, &problem)) << problem;
  EXPECT_THAT(html, HasSubstr("Total score by run"));
  EXPECT_THAT(html, HasSubstr("interrupted"));

  const std::string csv = RunsCsv(runs);
  std::istringstream lines(csv);
  std::string header, line;
  std::getline(lines, header);
  EXPECT_EQ(header, "run_id,trainee,case,started_at,status,duration_s,completed,score,dap_cGy_cm2,fluoro_time_s,total_time_s");
  std::getline(lines, line);
  EXPECT_EQ(line, "1,\"Dr Ada\",\"p2_flail\",2026-11-25T10:00:00Z,finished,600,0,40.00,,300,600");
  std::getline(lines, line);
  EXPECT_EQ(line, "2,\"Dr Ada\",\"p2_flail\",2026-11-25T11:00:00Z,finished,500,1,62.50,900,200,");
  std::getline(lines, line);
  EXPECT_EQ(line, "3,\"Dr Ada\",\"p2_flail\",2026-11-25T12:00:00Z,interrupted,0,0,,,,");
}

TEST(SvgPlot, NiceTicksAndEscaping) {
  EXPECT_THAT(NiceTicks(0, 8, 6), ::testing::ElementsAre(0, 2, 4, 6, 8));
  using ::testing::DoubleNear;
  constexpr double kTickTolerance = 1e-12;  // ticks are k * step in floating point
  EXPECT_THAT(NiceTicks(0.3, 1.2, 6),
              ::testing::ElementsAre(DoubleNear(0.4, kTickTolerance), DoubleNear(0.6, kTickTolerance),
                                     DoubleNear(0.8, kTickTolerance), DoubleNear(1.0, kTickTolerance),
                                     DoubleNear(1.2, kTickTolerance)));
  EXPECT_THAT(NiceTicks(-950, 20, 6), ::testing::ElementsAre(-800, -600, -400, -200, 0));
  EXPECT_EQ(XmlEscape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
  EXPECT_EQ(Base64({'M', 'a', 'n'}), "TWFu");  // RFC 4648 §10 test vectors
  EXPECT_EQ(Base64({'f', 'o'}), "Zm8=");
  EXPECT_EQ(Base64({'f'}), "Zg==");
}

}  // namespace
}  // namespace teersim::sim
