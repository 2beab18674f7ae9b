#include "sim/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

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
    const std::string name =
        tag.substr(closing ? 1 : 0, tag.find_first_of(" /", closing ? 1 : 0) - (closing ? 1 : 0));
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

// A directory of this test's own: ctest runs each test in its own process,
// in parallel, and they must not write the same recording.
std::filesystem::path TestDir(const std::string& what) {
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / what /
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::create_directories(dir);
  return dir;
}

std::string DemoReport(std::string* recording_path) {
  RunOptions options;
  options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
  options.script_file =
      std::filesystem::path(TEERSIM_SOURCE_DIR) / "scenes/scripts/demo_short.yaml";
  options.out_dir = TestDir("report");
  const RunResult run = RunHeadless(options);
  *recording_path = run.outputs.recording.string();
  const Recording recording = ReadRecording(run.outputs.recording);
  ReplayResult replay;
  const RunSeries series = CollectRunSeries(recording, *recording_path, &replay);
  EXPECT_TRUE(replay.verified);
  EXPECT_LE(series.time_s.size(), kMaxReportSamples + 1);
  const ScoreResult score = ScoreRun(LoadRubric(DefaultRubricPath()),
                                     MetricsFromRun(replay.final_state, recording.events),
                                     recording.events, replay.simulated_s);
  const std::vector<ReportImage> images{
      {"a 1x1 PNG", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}}};
  return RunReportHtml(*recording_path, recording, replay, score, series, images);
}

// Self-contained: no scripts, stylesheets or images fetched from anywhere;
// every src/href is a data URI.
void ExpectSelfContained(const std::string& html) {
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  std::string problem;
  EXPECT_TRUE(TagsBalanced(html, &problem)) << problem;
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  for (const std::string attribute : {"src=\"", "href=\""}) {
    for (std::size_t at = 0; (at = html.find(attribute, at)) != std::string::npos;
         at += attribute.size()) {
      EXPECT_EQ(html.compare(at + attribute.size(), 5, "data:"), 0) << html.substr(at, 60);
    }
  }
}

std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size())
    ++count;
  return count;
}

TEST(Report, RunReportIsSelfContainedWellFormedHtmlWithPlots) {
  std::string recording;
  const std::string html = DemoReport(&recording);
  ExpectSelfContained(html);
  // Plots: band bars, timeline, force, fluoro, two projections, handles, knobs.
  EXPECT_GE(CountOf(html, "<svg"), 8u);
  EXPECT_THAT(html, HasSubstr("src=\"data:image/png;base64,iVBORw0KGgo=\""));
  EXPECT_THAT(html, HasSubstr("Fluoroscopy: pedal and cumulative time"));
  EXPECT_THAT(html, HasSubstr("transseptal_puncture"));
}

// A report of an autopilot run, with what it was made from.
struct AutopilotReport {
  RunResult run;
  Recording recording;
  ReplayResult replay;
  RunSeries series;
  ScoreResult score;
  std::string html;
};

const AutopilotReport& ReportOf(AutopilotStyle style) {
  static std::map<AutopilotStyle, AutopilotReport> reports;
  if (const auto found = reports.find(style); found != reports.end()) return found->second;
  AutopilotReport& report = reports[style];
  RunOptions options;
  options.case_file = scenes::ResolveCase(scenes::kDefaultCaseName);
  options.autopilot = style;
  options.out_dir = TestDir(style == AutopilotStyle::kExpert ? "report-expert" : "report-poor");
  report.run = RunHeadless(options);
  report.recording = ReadRecording(report.run.outputs.recording);
  report.series = CollectRunSeries(report.recording, "autopilot", &report.replay);
  report.score = ScoreRun(LoadRubric(DefaultRubricPath()),
                          MetricsFromRun(report.replay.final_state, report.recording.events),
                          report.recording.events, report.replay.simulated_s);
  report.html =
      RunReportHtml("autopilot", report.recording, report.replay, report.score, report.series, {});
  return report;
}

TEST(Report, AutopilotRunReportHasEveryPlot) {
  const AutopilotReport& report = ReportOf(AutopilotStyle::kExpert);
  ASSERT_TRUE(report.run.completed);
  ExpectSelfContained(report.html);
  // Phase timeline: one band per phase of the run, every phase named.
  EXPECT_THAT(report.html, HasSubstr("class=\"plot timeline\""));
  EXPECT_EQ(CountOf(report.html, "class=\"phase-band\""), report.series.phases.size());
  for (const auto& span : report.series.phases)
    EXPECT_THAT(report.html, HasSubstr(std::string(PhaseName(span.phase))));
  // Contact force with the instrument data's threshold line.
  EXPECT_THAT(report.html, HasSubstr("Largest LA wall contact force"));
  EXPECT_THAT(report.html, HasSubstr("class=\"threshold\""));
  EXPECT_THAT(report.html, HasSubstr("excessive ≥ 0.39 N"));
  // Fluoroscopy, both projections of the tips with LPS directions.
  EXPECT_THAT(report.html, HasSubstr("Fluoroscopy: pedal and cumulative time"));
  EXPECT_THAT(report.html, HasSubstr("Frontal (x–z), seen from the front"));
  EXPECT_THAT(report.html, HasSubstr("Lateral (y–z), seen from the left"));
  EXPECT_THAT(report.html, HasSubstr("x (mm) → patient left"));
  EXPECT_THAT(report.html, HasSubstr("y (mm) → posterior"));
  EXPECT_THAT(report.html, HasSubstr("z (mm) → superior"));
  EXPECT_EQ(CountOf(report.html, "class=\"plot trajectory\""), 2u);
  // Score breakdown: a table row per rubric metric.
  EXPECT_THAT(report.html, HasSubstr("Score breakdown"));
  for (const auto& metric : report.score.metrics) {
    EXPECT_THAT(report.html, HasSubstr("<tr><td>" + metric.metric + "</td>"));
  }
  // Outcome summary near the top, before the score.
  const auto outcome = report.html.find("<h2>Outcome</h2>");
  ASSERT_NE(outcome, std::string::npos);
  EXPECT_LT(outcome, report.html.find("<h2>Score</h2>"));
  const auto& baseline = report.replay.model->baseline_outcome;
  EXPECT_THAT(
      report.html,
      HasSubstr("<tr><td>MR grade</td><td>" + std::to_string(baseline.mr_grade) + "+</td><td>" +
                std::to_string(report.replay.final_state.procedure.mr_grade) + "+</td></tr>"));
  EXPECT_THAT(report.html, HasSubstr("Transseptal puncture</td><td>"));
}

TEST(Report, TimelineMatchesTheRun) {
  const AutopilotReport& report = ReportOf(AutopilotStyle::kExpert);
  // Phases begin where the recorded phase events say, in order, and end done.
  std::vector<double> phase_event_times;
  for (const auto& event : report.recording.events) {
    if (event.name == "phase") phase_event_times.push_back(event.time_s);
  }
  ASSERT_EQ(report.series.phases.size(), phase_event_times.size() + 1);  // access has no event
  EXPECT_EQ(report.series.phases.front().phase, Phase::kAccess);
  EXPECT_EQ(report.series.phases.back().phase, Phase::kDone);
  for (std::size_t i = 0; i < phase_event_times.size(); ++i) {
    EXPECT_DOUBLE_EQ(report.series.phases[i + 1].start_s, phase_event_times[i]);
  }
  EXPECT_DOUBLE_EQ(report.series.phases.back().end_s, report.replay.simulated_s);
  // The expert released a clip: the marker and its label are there, not red.
  EXPECT_THAT(report.html, HasSubstr("<title>release at "));
  EXPECT_THAT(report.html, HasSubstr("class=\"event-label\" text-anchor=\"start\">release"));
  EXPECT_THAT(report.html, Not(HasSubstr("event-label alert")));
  // Samples: bounded, and the force series keeps the run's peak.
  EXPECT_LE(report.series.time_s.size(), kMaxReportSamples + 1);
  EXPECT_DOUBLE_EQ(report.series.time_s.back(), report.replay.simulated_s);
  EXPECT_DOUBLE_EQ(
      *std::max_element(report.series.contact_force_N.begin(), report.series.contact_force_N.end()),
      report.replay.final_state.procedure.peak_contact_force_N);
}

TEST(Report, PoorRunShowsItsErrorsInRed) {
  const AutopilotReport& report = ReportOf(AutopilotStyle::kPoor);
  ExpectSelfContained(report.html);
  EXPECT_THAT(report.html,
              HasSubstr("class=\"event-label alert\" text-anchor=\"start\">tsp_anterior"));
  EXPECT_THAT(report.html, HasSubstr("anterior-"));  // the outcome's puncture site
}

TEST(Report, ForcePlotKeepsEveryContactAboveTheThreshold) {
  const AutopilotReport& expert = ReportOf(AutopilotStyle::kExpert);
  // From just after the guide crossed, the hand pushes it 4 cm further than
  // the expert did: its tip runs into the LA wall.
  constexpr double kPushAt_s = 35.0, kPush_m = 0.04;
  const Recording pushed = RewriteRecording(
      expert.recording, "expert",
      [](double time_s, Input* input) {
        if (time_s < kPushAt_s) return;
        input->controls.Set(devices::ControlId::kGuideTranslation,
                            input->controls.Get(devices::ControlId::kGuideTranslation) + kPush_m);
      },
      0.0, TestDir("report-pushed") / "pushed.teerrec");
  ReplayResult replay;
  const RunSeries series = CollectRunSeries(pushed, "pushed", &replay);
  ASSERT_TRUE(replay.verified);
  const ProcedureState& procedure = replay.final_state.procedure;
  const double threshold_N = replay.model->procedure.instruments.excessive_force_N;
  ASSERT_GT(procedure.peak_contact_force_N, threshold_N);
  // The series keeps the largest force of every interval: the run's peak,
  // exactly, though the samples are dozens of steps apart.
  ASSERT_GT(series.time_s[1] - series.time_s[0], replay.model->step_s);
  EXPECT_DOUBLE_EQ(*std::max_element(series.contact_force_N.begin(), series.contact_force_N.end()),
                   procedure.peak_contact_force_N);
  const ScoreResult score =
      ScoreRun(LoadRubric(DefaultRubricPath()), MetricsFromRun(replay.final_state, pushed.events),
               pushed.events, replay.simulated_s);
  const std::string html = RunReportHtml("pushed", pushed, replay, score, series, {});
  ExpectSelfContained(html);
  EXPECT_THAT(html, HasSubstr("excessive ≥ 0.39 N"));
  EXPECT_THAT(html, Not(HasSubstr("No instrument touched the LA wall")));
  // Each contact above the threshold is a red event on the timeline and a
  // marker on the force plot.
  EXPECT_THAT(
      html, HasSubstr("class=\"event-label alert\" text-anchor=\"start\">excessive_contact_force"));
  EXPECT_THAT(html, HasSubstr("class=\"marker\"><title>excessive_contact_force at "));
}

TEST(Report, ProgressReportAndCsvCoverEveryRun) {
  RunRow first{
      1,
      "Dr Ada",
      "p2_flail",
      "2026-11-25T10:00:00Z",
      "finished",
      600,
      "script",
      "/r/1",
      40.0,
      false,
      R"({"metrics": {"fluoro_time_s": 300, "total_time_s": 600}, "score": {"total": 40}})"};
  RunRow second{
      2,
      "Dr Ada",
      "p2_flail",
      "2026-11-25T11:00:00Z",
      "finished",
      500,
      "script",
      "/r/2",
      std::nullopt,
      true,
      R"({"metrics": {"fluoro_time_s": 200, "dap_cGy_cm2": 900}, "score": {"total": 62.5}})"};
  RunRow killed{3, "Dr Ada", "p2_flail", "2026-11-25T12:00:00Z", "interrupted",
                0, "script", "/r/3",     std::nullopt,           false,
                ""};
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
  EXPECT_EQ(header,
            "run_id,trainee,case,started_at,status,duration_s,completed,score,dap_cGy_cm2,fluoro_"
            "time_s,total_time_s");
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
  EXPECT_THAT(
      NiceTicks(0.3, 1.2, 6),
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
