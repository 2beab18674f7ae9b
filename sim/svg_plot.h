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
  std::string label;         // metric name with unit
  std::optional<double> value;
  double expert_low = 0.0, expert_high = 0.0, novice = 0.0;
  std::optional<double> score;  // [0, 1]
};

// One row per metric: the axis spans band and novice value, the expert band is
// shaded green, the value is a marker coloured by its score.
std::string BandBarsSvg(const std::string& title, const std::vector<BandBar>& bars, int width_px = 760);

// "Nice" axis ticks (1, 2, 5 × 10^k) covering [low, high]; exposed for tests.
std::vector<double> NiceTicks(double low, double high, int target_count);

// Escapes &, <, >, " for text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace teersim::sim
