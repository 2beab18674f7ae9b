// Small, dependency-free SVG plots for self-contained HTML reports: line plots
// with labelled axes, an optional threshold line and event markers; a
// timeline of events; metric bars against expert bands.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace teersim::sim {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::string colour = "#1f77b4";
  bool step = false;  // draw as a step function (buttons, pedals)
};

struct PlotMarker {
  double x = 0.0;
  std::string label;
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width_px = 760;
  int height_px = 260;
  std::optional<double> threshold;  // horizontal dashed line
  std::string threshold_label;
  std::vector<PlotMarker> markers;  // vertical lines (events)
};

std::string LinePlotSvg(const PlotSpec& spec, const std::vector<PlotSeries>& series);

struct BandBar {
  std::string label;  // metric name with unit
  std::optional<double> value;
  double expert_low = 0.0, expert_high = 0.0, novice = 0.0;
  std::optional<double> score;  // [0, 1]
};

// One row per metric: the axis spans band and novice value, the expert band is
// shaded green, the value is a marker coloured by its score.
std::string BandBarsSvg(const std::string& title, const std::vector<BandBar>& bars,
                        int width_px = 760);

// A timeline: coloured bands (phases) along one time axis, event markers
// through them with their labels in as many lanes as they need not to
// overlap, and a legend of the bands with their durations.
struct TimelineBand {
  double start = 0.0, end = 0.0;
  std::string label;
  std::string colour;
};

struct TimelineEvent {
  double x = 0.0;
  std::string label;
  bool alert = false;  // drawn red (complications, errors)
};

std::string TimelineSvg(const std::string& title, const std::vector<TimelineBand>& bands,
                        const std::vector<TimelineEvent>& events, double end_x, int width_px = 760);

// A point of interest in a trajectory plot (a landmark, a puncture site).
struct PlotLandmark {
  double x = 0.0, y = 0.0;
  std::string label;
  std::string colour = "#1d232b";
};

// Paths in a plane at equal scale on both axes (a projection of 3D tips).
// Non-finite points break a path. `spec.threshold` and markers are unused.
std::string TrajectorySvg(const PlotSpec& spec, const std::vector<PlotSeries>& paths,
                          const std::vector<PlotLandmark>& landmarks);

// "Nice" axis ticks (1, 2, 5 × 10^k) covering [low, high]; exposed for tests.
std::vector<double> NiceTicks(double low, double high, int target_count);

// Escapes &, <, >, " for text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace teersim::sim
