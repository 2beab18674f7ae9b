#include "sim/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/units.h"
#include "sim/run.h"
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
.pair{display:flex;gap:4px;justify-content:space-between}svg .event{stroke:#1d232b;stroke-width:1.5}
svg .event.alert{stroke:#c0392b;stroke-width:2}svg .leader{stroke:#b8c1cb;stroke-width:0.8}
svg .event-label{font-size:11px;fill:#1d232b;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .halo{paint-order:stroke;stroke:rgba(255,255,255,0.8);stroke-width:3px}table.outcome td:first-child{width:200px}svg .event-label.alert{fill:#c0392b;font-weight:600}svg .swatch{stroke:#b8c1cb}
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

// Tips farther than this from the annulus centre are in the veins: left out
// of the trajectory plots so the heart fills them.
constexpr double kTrajectoryRegion_mm = 90.0;

// One colour per phase, in procedure order (light enough for labels on top).
std::string PhaseColour(Phase phase) {
  static constexpr std::array<const char*, kPhaseCount> kColours{
      "#d9d9d9", "#c6dbef", "#fdd0a2", "#fdae6b", "#c7e9c0", "#a1d99b",
      "#dadaeb", "#bcbddc", "#fcbba1", "#f9e79f", "#d4e6f1", "#e5e8e8"};
  return kColours[std::min(static_cast<std::size_t>(phase), kPhaseCount - 1)];
}

// Events a reviewer must not miss: complications and what the rubric counts
// as errors.
bool IsAlertEvent(const std::string& name) {
  static const std::set<std::string> kErrors{
      "tsp_anterior",         "tsp_off_fossa", "excessive_contact_force", "lv_entry_arms_open",
      "grasp_single_leaflet", "release_slda",  "release_refused_unlocked"};
  return name.rfind("complication", 0) == 0 || kErrors.count(name) > 0;
}

std::string MrGrade(int grade) { return std::to_string(grade) + "+"; }

// The outcome summary: valve before and after, puncture site, clips,
// complications (the keys of `teersim run --json`'s outcome).
std::string OutcomeHtml(const ProcedureState& procedure, const Outcome& baseline) {
  const auto outcome = nlohmann::json::parse(OutcomeJson(procedure, baseline));
  const auto number = [&](const char* key, int decimals) {
    return outcome[key].is_number() ? Format(outcome[key].get<double>(), decimals)
                                    : std::string("–");
  };
  std::ostringstream html;
  html << "<h2>Outcome</h2><p class=\"meta\">"
       << (procedure.completed ? "Procedure completed" : "Procedure not completed")
       << " · final phase " << XmlEscape(outcome["phase"].get<std::string>())
       << " · clips released " << procedure.clips_released
       << "</p><table class=\"outcome\"><tr><th></th><th>Before</th><th>After</th></tr>"
       << "<tr><td>MR grade</td><td>" << MrGrade(baseline.mr_grade) << "</td><td>"
       << MrGrade(procedure.mr_grade) << "</td></tr><tr><td>EROA (cm²)</td><td>"
       << number("eroa_cm2_before", 2) << "</td><td>" << number("eroa_cm2_after", 2)
       << "</td></tr><tr><td>Mitral valve area (cm²)</td><td>" << number("mva_cm2_before", 2)
       << "</td><td>" << number("mva_cm2", 2) << "</td></tr><tr><td>Mean gradient (mmHg)</td><td>"
       << number("mean_gradient_mmHg_before", 1) << "</td><td>" << number("mean_gradient_mmHg", 1)
       << "</td></tr></table><table class=\"outcome\">";
  html << "<tr><td>Transseptal puncture</td><td>";
  if (procedure.punctured) {
    html << number("tsp_height_mm", 1) << " mm above the annulus, "
         << XmlEscape(outcome["tsp_position"].get<std::string>()) << " (posterior "
         << number("tsp_posterior_mm", 1) << " mm, superior " << number("tsp_superior_mm", 1)
         << " mm in the fossa)" << (procedure.tsp_on_fossa ? "" : ", off the fossa") << ", "
         << procedure.tsp_attempts << (procedure.tsp_attempts == 1 ? " attempt" : " attempts");
  } else {
    html << "not done";
  }
  html << "</td></tr>";
  int clip_number = 0;
  for (const auto& clip : outcome["clips"]) {
    html << "<tr><td>Clip " << ++clip_number << "</td><td>insertion anterior "
         << Format(clip["insertion_anterior_mm"].get<double>()) << " mm, posterior "
         << Format(clip["insertion_posterior_mm"].get<double>()) << " mm · rotation error "
         << Format(clip["rotation_error_deg"].get<double>()) << "° · "
         << Format(clip["position_mm"].get<double>()) << " mm along the coaptation line</td></tr>";
  }
  if (clip_number == 0) html << "<tr><td>Clips</td><td>none released</td></tr>";
  html << "<tr><td>Complications</td><td>";
  if (outcome["complications"].empty()) html << "none";
  for (std::size_t i = 0; i < outcome["complications"].size(); ++i) {
    html << (i ? ", " : "") << "<span class=\"fail\">"
         << XmlEscape(outcome["complications"][i].get<std::string>()) << "</span>";
  }
  html << "</td></tr></table>";
  return html.str();
}

// Frontal (x–z) and lateral (y–z) projections of the tips, side by side.
std::string TrajectoriesHtml(const RunSeries& series, const ProcedureState& procedure) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  struct Tip {
    const char* label;
    const std::vector<frame::Vec3>* points;
    const char* colour;
  };
  const std::array<Tip, 3> tips{{{"transseptal set", &series.set_tip_m, "#8e44ad"},
                                 {"guide", &series.guide_tip_m, "#1f77b4"},
                                 {"clip hub", &series.clip_hub_m, "#d62728"}}};
  std::string html;
  // Axes of the two projections: index into the point, label with direction.
  const std::array<std::array<int, 2>, 2> axes{{{0, 2}, {1, 2}}};
  const std::array<const char*, 2> titles{"Frontal (x–z), seen from the front",
                                          "Lateral (y–z), seen from the left"};
  const std::array<const char*, 2> x_labels{"x (mm) → patient left", "y (mm) → posterior"};
  for (std::size_t view = 0; view < 2; ++view) {
    std::vector<PlotSeries> paths;
    for (const auto& tip : tips) {
      PlotSeries path{tip.label, {}, {}, tip.colour};
      for (const auto& p_m : *tip.points) {
        const frame::Vec3 p_mm{units::MToMm(p_m[0]), units::MToMm(p_m[1]), units::MToMm(p_m[2])};
        const bool near = std::hypot(p_mm[0], p_mm[1], p_mm[2]) <= kTrajectoryRegion_mm;
        path.x.push_back(near ? p_mm[axes[view][0]] : kNaN);
        path.y.push_back(near ? p_mm[axes[view][1]] : kNaN);
      }
      paths.push_back(std::move(path));
    }
    std::vector<PlotLandmark> landmarks{{0.0, 0.0, "annulus centre", "#1d232b"}};
    if (procedure.punctured) {
      landmarks.push_back({units::MToMm(procedure.puncture_site[axes[view][0]]),
                           units::MToMm(procedure.puncture_site[axes[view][1]]), "puncture",
                           "#8e44ad"});
    }
    html += TrajectorySvg(
        {titles[view], x_labels[view], "z (mm) → superior", 378, 400, std::nullopt, "", {}}, paths,
        landmarks);
  }
  return "<div class=\"pair\">" + html + "</div>";
}

std::string HtmlPage(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" +
         XmlEscape(title) + "</title><style>" + kStyle + "</style></head><body>" + body +
         "</body></html>\n";
}

}  // namespace

std::string Base64(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t chunk =
        (static_cast<std::uint32_t>(bytes[i]) << 16) |
        (i + 1 < bytes.size() ? static_cast<std::uint32_t>(bytes[i + 1]) << 8 : 0u) |
        (i + 2 < bytes.size() ? static_cast<std::uint32_t>(bytes[i + 2]) : 0u);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

RunSeries CollectRunSeries(const Recording& recording, const std::string& recording_name,
                           ReplayResult* replay) {
  RunSeries series;
  // Intervals of equal steps, rounded up so there are at most
  // kMaxReportSamples of them; every step is seen, so maxima and phase
  // changes are exact.
  const auto steps = std::max<std::int64_t>(recording.StepCount(), 1);
  const auto max_samples = static_cast<std::int64_t>(kMaxReportSamples);
  const std::int64_t interval = (steps + max_samples - 1) / max_samples;
  double force_max_N = 0.0, pedal_max = 0.0;
  const auto sample = [&](const State& state) {
    const auto mm = [&](ControlId id) { return units::MToMm(state.handles.Get(id)); };
    const auto deg = [&](ControlId id) { return units::RadToDeg(state.handles.Get(id)); };
    const ProcedureState& procedure = state.procedure;
    series.time_s.push_back(state.time_s);
    series.fluoro_pedal.push_back(pedal_max);
    series.fluoro_time_s.push_back(state.fluoro_time_s);
    series.guide_mm.push_back(mm(ControlId::kGuideTranslation));
    series.sleeve_mm.push_back(mm(ControlId::kSleeveTranslation));
    series.delivery_mm.push_back(mm(ControlId::kDeliveryTranslation));
    series.guide_knob_deg.push_back(deg(ControlId::kGuideKnob));
    series.sleeve_ap_deg.push_back(deg(ControlId::kSleeveApKnob));
    series.sleeve_ml_deg.push_back(deg(ControlId::kSleeveMlKnob));
    series.clip_arm_deg.push_back(deg(ControlId::kClipArmAngle));
    series.contact_force_N.push_back(force_max_N);
    series.set_tip_m.push_back(procedure.set_tip);
    series.guide_tip_m.push_back(procedure.guide_tip);
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    series.clip_hub_m.push_back(procedure.clip_outside ? procedure.clip_hub
                                                       : frame::Vec3{kNaN, kNaN, kNaN});
    force_max_N = 0.0;
    pedal_max = 0.0;
  };
  std::int64_t last_sampled_step = -1;
  ReplayObserver observer;
  observer.every_steps = 1;
  observer.on_sample = [&](const Input&, const State& state) {
    const ProcedureState& procedure = state.procedure;
    if (series.phases.empty() || series.phases.back().phase != procedure.phase) {
      series.phases.push_back({procedure.phase, state.time_s, state.time_s});
    }
    series.phases.back().end_s = state.time_s;
    force_max_N = std::max(force_max_N, procedure.contact_force_N);
    pedal_max = std::max(pedal_max, state.handles.Get(ControlId::kFluoroPedal));
    if (state.step_index % interval == 0) {
      sample(state);
      last_sampled_step = state.step_index;
    }
  };
  *replay = ReplayRecording(recording, recording_name, &observer);
  if (replay->final_state.step_index != last_sampled_step) sample(replay->final_state);
  return series;
}

std::string RunReportHtml(const std::string& recording_name, const Recording& recording,
                          const ReplayResult& replay, const ScoreResult& score,
                          const RunSeries& series, const std::vector<ReportImage>& images) {
  const auto& header = recording.header;
  std::ostringstream body;
  body << "<h1>teersim run report: " << XmlEscape(header.case_name) << "</h1><div class=\"meta\">"
       << (header.trainee.empty() ? "unattributed run" : "trainee " + XmlEscape(header.trainee))
       << " · driver " << XmlEscape(header.driver) << " · teersim "
       << XmlEscape(header.software_version) << " · " << Format(replay.simulated_s)
       << " s simulated · recording " << XmlEscape(recording_name) << "</div>";
  if (!recording.end || !replay.verified || !recording.warnings.empty()) {
    body << "<p class=\"warn\">" << (replay.verified ? "" : "Replay not verified bit for bit. ");
    for (const auto& warning : recording.warnings) body << XmlEscape(warning) << ". ";
    body << "</p>";
  }

  // Outcome first: what happened to the patient.
  if (replay.model)
    body << OutcomeHtml(replay.final_state.procedure, replay.model->baseline_outcome);

  // Score summary.
  body << "<h2>Score</h2><div class=\"score\"><div class=\"total\">" << Format(score.total, 0)
       << "<span style=\"font-size:18px\">/100</span></div><div class=\"parts\">checklist "
       << Format(score.checklist_score) << " · metrics " << Format(score.metric_score)
       << " · errors −" << Format(score.error_penalty) << "<br/>rubric " << XmlEscape(score.rubric)
       << "</div></div>";
  body << "<table><tr><th>Checklist step</th><th>Result</th></tr>";
  for (const auto& step : score.checklist) {
    body << "<tr><td>" << XmlEscape(step.name) << "</td><td class=\""
         << (step.passed ? "pass\">done" : "fail\">not done") << "</td></tr>";
  }
  body << "</table><h2>Errors</h2>";
  if (score.errors.empty()) {
    body << "<p>No errors.</p>";
  } else {
    body << "<table><tr><th>Error</th><th>Severity (1–5)</th><th>Time (s)</th></tr>";
    for (const auto& error : score.errors) {
      body << "<tr><td>" << XmlEscape(error.name) << "</td><td class=\"sev\">" << error.severity
           << "</td><td>" << Format(error.time_s) << "</td></tr>";
    }
    body << "</table>";
  }

  // Metrics against expert bands: the plot, then each metric's numbers.
  std::vector<BandBar> bars;
  for (const auto& metric : score.metrics) {
    bars.push_back({metric.metric, metric.value, metric.expert_low, metric.expert_high,
                    metric.novice, metric.score});
  }
  body
      << "<h2>Score breakdown: metrics against expert bands</h2>"
      << BandBarsSvg(
             "Metrics against expert bands (green: expert band · red line: novice · dot: this run)",
             bars)
      << "<table class=\"breakdown\"><tr><th>Metric</th><th>This run</th><th>Expert "
         "band</th><th>Novice</th>"
         "<th>Weight</th><th>Score</th></tr>";
  for (const auto& metric : score.metrics) {
    const bool in_band =
        metric.value && *metric.value >= metric.expert_low && *metric.value <= metric.expert_high;
    body << "<tr><td>" << XmlEscape(metric.metric) << "</td><td>"
         << (metric.value ? Format(*metric.value, 2) : std::string("not reached")) << "</td><td>"
         << Format(metric.expert_low, 2) << "–" << Format(metric.expert_high, 2) << "</td><td>"
         << Format(metric.novice, 2) << "</td><td>" << Format(metric.weight, 0)
         << "</td><td class=\"" << (in_band ? "pass" : "fail") << "\">"
         << (metric.score ? Format(*metric.score * 100.0, 0) + " %" : std::string("0 %"))
         << "</td></tr>";
  }
  body << "</table>";

  // Phase timeline with the events.
  body << "<h2>Procedure timeline</h2>";
  std::vector<TimelineBand> bands;
  for (const auto& span : series.phases) {
    bands.push_back(
        {span.start_s, span.end_s, std::string(PhaseName(span.phase)), PhaseColour(span.phase)});
  }
  std::vector<TimelineEvent> timeline_events;
  for (const auto& event : recording.events) {
    if (event.name == "phase") continue;  // the bands show the phases
    timeline_events.push_back({event.time_s, event.name, IsAlertEvent(event.name)});
  }
  if (timeline_events.empty()) body << "<p class=\"meta\">No procedure events in this run.</p>";
  body << TimelineSvg("Phases and events (red: complications and errors)", bands, timeline_events,
                      replay.simulated_s);
  const auto markers = EventMarkers(recording.events);

  // Wall contact force against the excessive-force threshold of the
  // instrument data (the rubric's weighted error and band use the same row).
  body << "<h2>Wall contact force</h2>";
  if (replay.model) {
    const double threshold_N = replay.model->procedure.instruments.excessive_force_N;
    const ProcedureState& procedure = replay.final_state.procedure;
    std::vector<PlotMarker> force_markers;
    for (const auto& marker : markers) {
      if (marker.label == "excessive_contact_force") force_markers.push_back(marker);
    }
    PlotSpec force{"Largest LA wall contact force of the guide, sleeve and clip",
                   "time (s)",
                   "force (N)",
                   760,
                   240,
                   threshold_N,
                   "excessive ≥ " + Format(threshold_N, 2) + " N (§3.4)",
                   force_markers};
    body << LinePlotSvg(force,
                        {{"contact force (N)", series.time_s, series.contact_force_N, "#c0392b"}})
         << "<p class=\"meta\">"
         << (procedure.peak_contact_force_N > 0.0
                 ? ""
                 : "No instrument touched the LA wall in this run. ")
         << "Peak " << Format(procedure.peak_contact_force_N, 2) << " N · "
         << procedure.contacts_above_threshold << " contacts above the threshold, "
         << Format(procedure.time_above_force_threshold_s) << " s in all · impulse "
         << Format(procedure.contact_force_integral_Ns, 2) << " N·s</p>";
  }

  // Fluoroscopy and the hands.
  body << "<h2>Fluoroscopy</h2>";
  PlotSpec fluoro{"Fluoroscopy: pedal and cumulative time",
                  "time (s)",
                  "s / pedal",
                  760,
                  240,
                  std::nullopt,
                  "",
                  {}};
  body << LinePlotSvg(fluoro,
                      {{"pedal (0/1)", series.time_s, series.fluoro_pedal, "#e67e22", true},
                       {"fluoro time (s)", series.time_s, series.fluoro_time_s, "#2c3e50", false}});

  // Tip trajectories, projected on the frontal and lateral planes.
  body << "<h2>Tip trajectories</h2>" << TrajectoriesHtml(series, replay.final_state.procedure)
       << "<p class=\"meta\">Patient frame (DICOM LPS), mm from the mitral annulus centre; points "
          "farther than "
       << Format(kTrajectoryRegion_mm, 0)
       << " mm from it (the venous approach) are left out. Dot: where each tip ended.</p>";

  body << "<h2>Handles</h2>";
  PlotSpec handles{"Handle translations", "time (s)", "mm", 760, 240, std::nullopt, "", {}};
  body << LinePlotSvg(handles, {{"guide", series.time_s, series.guide_mm, "#1f77b4"},
                                {"sleeve", series.time_s, series.sleeve_mm, "#2ca02c"},
                                {"delivery", series.time_s, series.delivery_mm, "#d62728"}});
  PlotSpec knobs{"Knobs and clip arms", "time (s)", "deg", 760, 240, std::nullopt, "", {}};
  body << LinePlotSvg(knobs, {{"guide +/−", series.time_s, series.guide_knob_deg, "#1f77b4"},
                              {"sleeve A/P", series.time_s, series.sleeve_ap_deg, "#2ca02c"},
                              {"sleeve M/L", series.time_s, series.sleeve_ml_deg, "#9467bd"},
                              {"clip arms", series.time_s, series.clip_arm_deg, "#d62728"}});

  if (!images.empty()) body << "<h2>Final images</h2>";
  for (const auto& image : images) {
    body << "<figure><img alt=\"" << XmlEscape(image.caption) << "\" src=\"data:image/png;base64,"
         << Base64(image.png) << "\"/><figcaption>" << XmlEscape(image.caption)
         << "</figcaption></figure>";
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
  body << "<h1>Progress of " << XmlEscape(trainee) << "</h1><div class=\"meta\">" << runs.size()
       << " runs</div>";
  PlotSeries score{"total score", {}, {}, "#1f77b4"}, duration{"duration (min)", {}, {}, "#2ca02c"};
  PlotSeries fluoro{"fluoro time (min)", {}, {}, "#e67e22"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double run_number = static_cast<double>(i + 1);
    const auto summary = runs[i].summary_json.empty()
                             ? nlohmann::json()
                             : nlohmann::json::parse(runs[i].summary_json, nullptr, false);
    const bool has_score =
        summary.is_object() && summary.contains("score") && summary["score"].is_object();
    if (runs[i].score_total || has_score) {
      score.x.push_back(run_number);
      score.y.push_back(runs[i].score_total ? *runs[i].score_total
                                            : summary["score"]["total"].get<double>());
    }
    duration.x.push_back(run_number);
    duration.y.push_back(runs[i].duration_s / 60.0);
    if (summary.is_object() && summary.contains("metrics") &&
        summary["metrics"].contains("fluoro_time_s")) {
      fluoro.x.push_back(run_number);
      fluoro.y.push_back(summary["metrics"]["fluoro_time_s"].get<double>() / 60.0);
    }
  }
  body << "<h2>Learning curves</h2>"
       << LinePlotSvg(
              {"Total score by run", "run", "score (0–100)", 760, 240, std::nullopt, "", {}},
              {score})
       << LinePlotSvg(
              {"Time and fluoroscopy by run", "run", "minutes", 760, 240, std::nullopt, "", {}},
              {duration, fluoro});
  body << "<h2>Runs</h2><table><tr><th>#</th><th>Started</th><th>Case</th><th>Status</"
          "th><th>Duration (s)</th><th>Score</th></tr>";
  for (const auto& run : runs) {
    body << "<tr><td>" << run.id << "</td><td>" << XmlEscape(run.started_at) << "</td><td>"
         << XmlEscape(run.case_name) << "</td><td>" << XmlEscape(run.status) << "</td><td>"
         << Format(run.duration_s) << "</td><td>"
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
    const auto summary = runs[i].summary_json.empty()
                             ? nlohmann::json()
                             : nlohmann::json::parse(runs[i].summary_json, nullptr, false);
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
    if (summary.contains("score") && summary["score"].is_object())
      totals[i] = Format(summary["score"]["total"].get<double>(), 2);
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
    csv << run.id << ',' << quote(run.trainee) << ',' << quote(run.case_name) << ','
        << run.started_at << ',' << run.status << ',' << run.duration_s << ','
        << (run.completed ? 1 : 0) << ','
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
