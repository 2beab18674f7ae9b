#include "sim/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "base/units.h"
#include "sim/svg_plot.h"

namespace teersim::sim {
namespace {

using devices::ControlId;

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:820px;color:#1d232b;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #d6dce3;padding-bottom:4px}
.meta{color:#5a6672;font-size:13px}.score{display:flex;gap:18px;align-items:center;margin:14px 0}
.total{font-size:44px;font-weight:700}.parts{font-size:13px;color:#38434f;line-height:1.6}
table{border-collapse:collapse;font-size:13px;width:100%}td,th{border-bottom:1px solid #e3e7ec;padding:4px 6px;text-align:left}
.pass{color:#18794e}.fail{color:#c0392b}.sev{font-weight:700}.warn{background:#fff4d6;border:1px solid #e5c36a;padding:6px 10px;font-size:13px}
svg.plot{background:#fff;border:1px solid #e3e7ec;margin:4px 0}svg .title{font-size:13px;font-weight:600;fill:#1d232b}
svg .tick{font-size:11px;fill:#47525e}svg .muted{fill:#9aa5b1}svg .label{font-size:12px;fill:#38434f}svg .frame{fill:none;stroke:#b8c1cb}
svg .grid{stroke:#eef1f4}svg .marker{stroke:#8e44ad;stroke-dasharray:3 3}svg .threshold{stroke:#c0392b;stroke-dasharray:6 4}
svg .bar-bg{fill:#eef1f4}svg .bar-expert{fill:#b7e4c7}svg .novice{stroke:#c0392b;stroke-width:2}
figure{margin:10px 0}figure img{max-width:100%;border:1px solid #d6dce3}figcaption{font-size:12px;color:#5a6672}
)css";

std::string Format(double value, int decimals = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::vector<PlotMarker> EventMarkers(const std::vector<RecordedEvent>& events) {
  std::vector<PlotMarker> markers;
  for (const auto& event : events) markers.push_back({event.time_s, event.name});
  return markers;
}

std::string HtmlPage(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" + XmlEscape(title) +
         "</title><style>" + kStyle + "</style></head><body>" + body + "</body></html>\n";
}

}  // namespace

std::string Base64(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t chunk = (static_cast<std::uint32_t>(bytes[i]) << 16) |
                                (i + 1 < bytes.size() ? static_cast<std::uint32_t>(bytes[i + 1]) << 8 : 0u) |
                                (i + 2 < bytes.size() ? static_cast<std::uint32_t>(bytes[i + 2]) : 0u);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

RunSeries CollectRunSeries(const Recording& recording, const std::string& recording_name, ReplayResult* replay) {
  RunSeries series;
  ReplayObserver observer;
  const auto steps = std::max<std::int64_t>(recording.StepCount(), 1);
  observer.every_steps = std::max<std::int64_t>(steps / static_cast<std::int64_t>(kMaxReportSamples), 1);
  observer.on_sample = [&](const Input&, const State& state) {
    const auto mm = [&](ControlId id) { return units::MToMm(state.handles.Get(id)); };
    const auto deg = [&](ControlId id) { return units::RadToDeg(state.handles.Get(id)); };
    series.time_s.push_back(state.time_s);
    series.fluoro_pedal.push_back(state.handles.Get(ControlId::kFluoroPedal));
    series.fluoro_time_s.push_back(state.fluoro_time_s);
    series.guide_mm.push_back(mm(ControlId::kGuideTranslation));
    series.sleeve_mm.push_back(mm(ControlId::kSleeveTranslation));
    series.delivery_mm.push_back(mm(ControlId::kDeliveryTranslation));
    series.guide_knob_deg.push_back(deg(ControlId::kGuideKnob));
    series.sleeve_ap_deg.push_back(deg(ControlId::kSleeveApKnob));
    series.sleeve_ml_deg.push_back(deg(ControlId::kSleeveMlKnob));
    series.clip_arm_deg.push_back(deg(ControlId::kClipArmAngle));
  };
  *replay = ReplayRecording(recording, recording_name, &observer);
  return series;
}

std::string RunReportHtml(const std::string& recording_name, const Recording& recording, const ReplayResult& replay,
                          const ScoreResult& score, const RunSeries& series, const std::vector<ReportImage>& images) {
  const auto& header = recording.header;
  std::ostringstream body;
  body << "<h1>teersim run report: " << XmlEscape(header.case_name) << "</h1><div class=\"meta\">"
       << (header.trainee.empty() ? "unattributed run" : "trainee " + XmlEscape(header.trainee)) << " · driver "
       << XmlEscape(header.driver) << " · teersim " << XmlEscape(header.software_version) << " · "
       << Format(replay.simulated_s) << " s simulated · recording " << XmlEscape(recording_name) << "</div>";
  if (!recording.end || !replay.verified || !recording.warnings.empty()) {
    body << "<p class=\"warn\">" << (replay.verified ? "" : "Replay not verified bit for bit. ");
    for (const auto& warning : recording.warnings) body << XmlEscape(warning) << ". ";
    body << "</p>";
  }

  // Score summary.
  body << "<h2>Score</h2><div class=\"score\"><div class=\"total\">" << Format(score.total, 0)
       << "<span style=\"font-size:18px\">/100</span></div><div class=\"parts\">checklist "
       << Format(score.checklist_score) << " · metrics " << Format(score.metric_score) << " · errors −"
       << Format(score.error_penalty) << "<br/>rubric " << XmlEscape(score.rubric) << "</div></div>";
  body << "<table><tr><th>Checklist step</th><th>Result</th></tr>";
  for (const auto& step : score.checklist) {
    body << "<tr><td>" << XmlEscape(step.name) << "</td><td class=\"" << (step.passed ? "pass\">done" : "fail\">not done")
         << "</td></tr>";
  }
  body << "</table><h2>Errors</h2>";
  if (score.errors.empty()) {
    body << "<p>No errors.</p>";
  } else {
    body << "<table><tr><th>Error</th><th>Severity (1–5)</th><th>Time (s)</th></tr>";
    for (const auto& error : score.errors) {
      body << "<tr><td>" << XmlEscape(error.name) << "</td><td class=\"sev\">" << error.severity << "</td><td>"
           << Format(error.time_s) << "</td></tr>";
    }
    body << "</table>";
  }

  // Metrics against expert bands.
  std::vector<BandBar> bars;
  for (const auto& metric : score.metrics) {
    bars.push_back({metric.metric, metric.value, metric.expert_low, metric.expert_high, metric.novice, metric.score});
  }
  body << "<h2>Metrics against expert bands</h2>"
       << BandBarsSvg("green: expert band · red line: novice value · dot: this run", bars);

  // Timeline and time series.
  const auto markers = EventMarkers(recording.events);
  body << "<h2>Timeline</h2>";
  if (recording.events.empty()) body << "<p class=\"meta\">No procedure events in this run.</p>";
  PlotSpec fluoro{"Fluoroscopy: pedal and cumulative time", "time (s)", "s / pedal", 760, 240, std::nullopt, "", markers};
  body << LinePlotSvg(fluoro, {{"pedal (0/1)", series.time_s, series.fluoro_pedal, "#e67e22", true},
                               {"fluoro time (s)", series.time_s, series.fluoro_time_s, "#2c3e50", false}});
  PlotSpec handles{"Handle translations", "time (s)", "mm", 760, 240, std::nullopt, "", markers};
  body << LinePlotSvg(handles, {{"guide", series.time_s, series.guide_mm, "#1f77b4"},
                                {"sleeve", series.time_s, series.sleeve_mm, "#2ca02c"},
                                {"delivery", series.time_s, series.delivery_mm, "#d62728"}});
  PlotSpec knobs{"Knobs and clip arms", "time (s)", "deg", 760, 240, std::nullopt, "", markers};
  body << LinePlotSvg(knobs, {{"guide +/−", series.time_s, series.guide_knob_deg, "#1f77b4"},
                              {"sleeve A/P", series.time_s, series.sleeve_ap_deg, "#2ca02c"},
                              {"sleeve M/L", series.time_s, series.sleeve_ml_deg, "#9467bd"},
                              {"clip arms", series.time_s, series.clip_arm_deg, "#d62728"}});
  // Contact force and tip trajectory need per-step physics outputs; the
  // report says so until the physics issue records them.
  if (score.values.count("peak_contact_force_N") == 0) {
    body << "<p class=\"meta\">Wall contact force and tip trajectory: not recorded in this run.</p>";
  }

  if (!images.empty()) body << "<h2>Final images</h2>";
  for (const auto& image : images) {
    body << "<figure><img alt=\"" << XmlEscape(image.caption) << "\" src=\"data:image/png;base64," << Base64(image.png)
         << "\"/><figcaption>" << XmlEscape(image.caption) << "</figcaption></figure>";
  }

  body << "<h2>All metrics</h2><table><tr><th>Metric</th><th>Value</th></tr>";
  for (const auto& [name, value] : score.values) {
    body << "<tr><td>" << XmlEscape(name) << "</td><td>" << Format(value, 3) << "</td></tr>";
  }
  body << "</table>";
  return HtmlPage("teersim report: " + header.case_name, body.str());
}

std::string ProgressReportHtml(const std::string& trainee, const std::vector<RunRow>& runs) {
  std::ostringstream body;
  body << "<h1>Progress of " << XmlEscape(trainee) << "</h1><div class=\"meta\">" << runs.size() << " runs</div>";
  PlotSeries score{"total score", {}, {}, "#1f77b4"}, duration{"duration (min)", {}, {}, "#2ca02c"};
  PlotSeries fluoro{"fluoro time (min)", {}, {}, "#e67e22"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double run_number = static_cast<double>(i + 1);
    const auto summary = runs[i].summary_json.empty() ? nlohmann::json() : nlohmann::json::parse(runs[i].summary_json, nullptr, false);
    const bool has_score = summary.is_object() && summary.contains("score") && summary["score"].is_object();
    if (runs[i].score_total || has_score) {
      score.x.push_back(run_number);
      score.y.push_back(runs[i].score_total ? *runs[i].score_total : summary["score"]["total"].get<double>());
    }
    duration.x.push_back(run_number);
    duration.y.push_back(runs[i].duration_s / 60.0);
    if (summary.is_object() && summary.contains("metrics") && summary["metrics"].contains("fluoro_time_s")) {
      fluoro.x.push_back(run_number);
      fluoro.y.push_back(summary["metrics"]["fluoro_time_s"].get<double>() / 60.0);
    }
  }
  body << "<h2>Learning curves</h2>"
       << LinePlotSvg({"Total score by run", "run", "score (0–100)", 760, 240, std::nullopt, "", {}}, {score})
       << LinePlotSvg({"Time and fluoroscopy by run", "run", "minutes", 760, 240, std::nullopt, "", {}}, {duration, fluoro});
  body << "<h2>Runs</h2><table><tr><th>#</th><th>Started</th><th>Case</th><th>Status</th><th>Duration (s)</th><th>Score</th></tr>";
  for (const auto& run : runs) {
    body << "<tr><td>" << run.id << "</td><td>" << XmlEscape(run.started_at) << "</td><td>" << XmlEscape(run.case_name)
         << "</td><td>" << XmlEscape(run.status) << "</td><td>" << Format(run.duration_s) << "</td><td>"
         << (run.score_total ? Format(*run.score_total) : std::string("–")) << "</td></tr>";
  }
  body << "</table>";
  return HtmlPage("teersim progress: " + trainee, body.str());
}

std::string RunsCsv(const std::vector<RunRow>& runs) {
  // Union of metric names over all runs, in sorted order.
  std::set<std::string> names;
  std::vector<std::map<std::string, double>> metrics(runs.size());
  std::vector<std::string> totals(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto summary = runs[i].summary_json.empty() ? nlohmann::json() : nlohmann::json::parse(runs[i].summary_json, nullptr, false);
    if (!summary.is_object()) continue;
    if (summary.contains("metrics")) {
      for (const auto& [name, value] : summary["metrics"].items()) {
        // Metrics that repeat a fixed column (duration_s) are not repeated.
        if (value.is_number() && name != "duration_s") {
          names.insert(name);
          metrics[i][name] = value.get<double>();
        }
      }
    }
    if (summary.contains("score") && summary["score"].is_object()) totals[i] = Format(summary["score"]["total"].get<double>(), 2);
  }
  const auto quote = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::ostringstream csv;
  csv << "run_id,trainee,case,started_at,status,duration_s,completed,score";
  for (const auto& name : names) csv << ',' << name;
  csv << '\n';
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    csv << run.id << ',' << quote(run.trainee) << ',' << quote(run.case_name) << ',' << run.started_at << ','
        << run.status << ',' << run.duration_s << ',' << (run.completed ? 1 : 0) << ','
        << (run.score_total ? Format(*run.score_total, 2) : totals[i]);
    for (const auto& name : names) {
      csv << ',';
      if (const auto found = metrics[i].find(name); found != metrics[i].end()) csv << found->second;
    }
    csv << '\n';
  }
  return csv.str();
}

}  // namespace teersim::sim
