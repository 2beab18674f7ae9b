#include "sim/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

namespace teersim::sim {
namespace {

// Plot margins (pixels): room for tick labels left and below, title above.
constexpr double kLeft_px = 64, kRight_px = 16, kTop_px = 30, kBottom_px = 44;
constexpr int kTargetTicks = 6;
constexpr double kBarRow_px = 26, kBarLabel_px = 220, kBarValue_px = 100;
// Timeline: band row, tick row, label lanes, legend rows (pixels).
constexpr double kBandTop_px = 30, kBand_px = 28, kTickRow_px = 18, kLane_px = 15,
                 kLegendRow_px = 18;
// Width of an 11 px system-ui character, on average, for laying out labels.
constexpr double kCharWidth_px = 6.2;
// Trajectory plots: the legend gets its own row under the title.
constexpr double kLegendTop_px = 28, kTrajectoryTop_px = 44, kTrajectoryPad = 0.06;

double TextWidth(const std::string& text) {
  // UTF-8 continuation bytes do not start a character.
  double characters = 0;
  for (unsigned char c : text) characters += (c & 0xC0) != 0x80 ? 1 : 0;
  return characters * kCharWidth_px;
}

std::string Number(double value) {
  char text[32];
  if (value != 0.0 && (std::fabs(value) >= 1e5 || std::fabs(value) < 1e-3)) {
    std::snprintf(text, sizeof text, "%.3g", value);
  } else {
    std::snprintf(text, sizeof text, "%.6g", value);
  }
  return text;
}

// Three significant digits (a value next to a bar, not a tick).
std::string Short(double value) {
  char text[32];
  std::snprintf(text, sizeof text, std::fabs(value) >= 1000 ? "%.0f" : "%.3g", value);
  return text;
}

std::string Px(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

struct Range {
  double low = 0.0, high = 1.0;
};

// Range of the data, widened so it is never empty.
Range DataRange(const std::vector<PlotSeries>& series, bool use_x, std::optional<double> extra) {
  double low = INFINITY, high = -INFINITY;
  for (const auto& one : series) {
    for (double value : use_x ? one.x : one.y) {
      if (!std::isfinite(value)) continue;
      low = std::min(low, value);
      high = std::max(high, value);
    }
  }
  if (extra) {
    low = std::min(low, *extra);
    high = std::max(high, *extra);
  }
  if (!std::isfinite(low)) return {0.0, 1.0};
  if (high - low < 1e-12) {
    const double pad = std::max(std::fabs(low) * 0.1, 1.0);
    return {low - pad, high + pad};
  }
  return {low, high};
}

// Grid lines, tick labels and axis labels of a plot area kLeft_px from the
// left and `top` from the top of an SVG `height` tall; px/py map data to pixels.
template <typename ToX, typename ToY>
void WriteAxes(std::ostringstream& svg, double top, double plot_w, double plot_h, double height,
               const std::vector<double>& x_ticks, const std::vector<double>& y_ticks, ToX px,
               ToY py, const PlotSpec& spec) {
  for (double tick : x_ticks) {
    svg << "<line x1=\"" << Px(px(tick)) << "\" y1=\"" << Px(top) << "\" x2=\"" << Px(px(tick))
        << "\" y2=\"" << Px(top + plot_h) << "\" class=\"grid\"/><text x=\"" << Px(px(tick))
        << "\" y=\"" << Px(top + plot_h + 16) << "\" class=\"tick\" text-anchor=\"middle\">"
        << Number(tick) << "</text>";
  }
  for (double tick : y_ticks) {
    svg << "<line x1=\"" << Px(kLeft_px) << "\" y1=\"" << Px(py(tick)) << "\" x2=\""
        << Px(kLeft_px + plot_w) << "\" y2=\"" << Px(py(tick)) << "\" class=\"grid\"/><text x=\""
        << Px(kLeft_px - 6) << "\" y=\"" << Px(py(tick) + 4)
        << "\" class=\"tick\" text-anchor=\"end\">" << Number(tick) << "</text>";
  }
  svg << "<text x=\"" << Px(kLeft_px + plot_w / 2) << "\" y=\"" << Px(height - 6)
      << "\" class=\"label\" text-anchor=\"middle\">" << XmlEscape(spec.x_label) << "</text>"
      << "<text transform=\"translate(14 " << Px(top + plot_h / 2)
      << ") rotate(-90)\" class=\"label\" "
      << "text-anchor=\"middle\">" << XmlEscape(spec.y_label) << "</text>";
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> NiceTicks(double low, double high, int target_count) {
  std::vector<double> ticks;
  if (!(high > low) || target_count < 2) return {low};
  const double raw = (high - low) / (target_count - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  // Integer multiples of the step (no accumulated rounding).
  const auto first = static_cast<long long>(std::ceil(low / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(high / step + 1e-9));
  for (long long k = first; k <= last; ++k) ticks.push_back(static_cast<double>(k) * step);
  return ticks;
}

std::string LinePlotSvg(const PlotSpec& spec, const std::vector<PlotSeries>& series) {
  const double width = spec.width_px, height = spec.height_px;
  const double plot_w = width - kLeft_px - kRight_px, plot_h = height - kTop_px - kBottom_px;
  Range x_range = DataRange(series, true, std::nullopt);
  for (const auto& marker : spec.markers) {
    x_range.low = std::min(x_range.low, marker.x);
    x_range.high = std::max(x_range.high, marker.x);
  }
  Range y_range = DataRange(series, false, spec.threshold);
  const auto x_ticks = NiceTicks(x_range.low, x_range.high, kTargetTicks);
  const auto y_ticks = NiceTicks(y_range.low, y_range.high, kTargetTicks);
  const auto px = [&](double x) {
    return kLeft_px + (x - x_range.low) / (x_range.high - x_range.low) * plot_w;
  };
  const auto py = [&](double y) {
    return kTop_px + plot_h - (y - y_range.low) / (y_range.high - y_range.low) * plot_h;
  };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << spec.width_px << "\" height=\""
      << spec.height_px << "\" viewBox=\"0 0 " << spec.width_px << ' ' << spec.height_px
      << "\" class=\"plot\">"
      << "<text x=\"" << Px(kLeft_px) << "\" y=\"18\" class=\"title\">" << XmlEscape(spec.title)
      << "</text>"
      << "<rect x=\"" << Px(kLeft_px) << "\" y=\"" << Px(kTop_px) << "\" width=\"" << Px(plot_w)
      << "\" height=\"" << Px(plot_h) << "\" class=\"frame\"/>";
  WriteAxes(svg, kTop_px, plot_w, plot_h, height, x_ticks, y_ticks, px, py, spec);
  for (const auto& marker : spec.markers) {
    svg << "<line x1=\"" << Px(px(marker.x)) << "\" y1=\"" << Px(kTop_px) << "\" x2=\""
        << Px(px(marker.x)) << "\" y2=\"" << Px(kTop_px + plot_h) << "\" class=\"marker\"><title>"
        << XmlEscape(marker.label) << " at " << Number(marker.x) << "</title></line>";
  }
  if (spec.threshold) {
    svg << "<line x1=\"" << Px(kLeft_px) << "\" y1=\"" << Px(py(*spec.threshold)) << "\" x2=\""
        << Px(kLeft_px + plot_w) << "\" y2=\"" << Px(py(*spec.threshold))
        << "\" class=\"threshold\"/><text x=\"" << Px(kLeft_px + plot_w - 4) << "\" y=\""
        << Px(py(*spec.threshold) - 4) << "\" class=\"tick halo\" text-anchor=\"end\">"
        << XmlEscape(spec.threshold_label) << "</text>";
  }
  double legend_x = kLeft_px + 8;
  for (const auto& one : series) {
    std::ostringstream points;
    for (std::size_t i = 0; i < one.x.size() && i < one.y.size(); ++i) {
      if (one.step && i > 0) points << Px(px(one.x[i])) << ',' << Px(py(one.y[i - 1])) << ' ';
      points << Px(px(one.x[i])) << ',' << Px(py(one.y[i])) << ' ';
    }
    svg << "<polyline fill=\"none\" stroke=\"" << one.colour << "\" stroke-width=\"1.6\" points=\""
        << points.str() << "\"/><rect x=\"" << Px(legend_x) << "\" y=\"" << Px(kTop_px + 6)
        << "\" width=\"10\" height=\"10\" fill=\"" << one.colour << "\"/><text x=\""
        << Px(legend_x + 14) << "\" y=\"" << Px(kTop_px + 15) << "\" class=\"tick\">"
        << XmlEscape(one.label) << "</text>";
    legend_x += 20 + 7.0 * static_cast<double>(one.label.size());
  }
  svg << "</svg>";
  return svg.str();
}

std::string TimelineSvg(const std::string& title, const std::vector<TimelineBand>& bands,
                        const std::vector<TimelineEvent>& events, double end_x, int width_px) {
  const double plot_w = width_px - kLeft_px - kRight_px;
  const double span = end_x > 0.0 ? end_x : 1.0;
  const auto px = [&](double x) { return kLeft_px + std::clamp(x / span, 0.0, 1.0) * plot_w; };

  // Events in time order; a repeat of the event labelled just before it, close
  // enough that its label would overlap, adds to that label's count.
  std::vector<TimelineEvent> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.x < b.x; });
  struct Label {
    double x_px = 0.0;
    std::string text;
    bool alert = false;
    int count = 1;
    int lane = 0;
    double left_px = 0.0, right_px = 0.0;
    bool anchor_end = false;
  };
  std::vector<Label> labels;
  for (const auto& event : sorted) {
    const double x = px(event.x);
    bool merged = false;
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
      if (x - it->x_px > TextWidth(it->text + " ×99")) break;
      if (it->text == event.label) {
        ++it->count;
        merged = true;
        break;
      }
    }
    if (!merged) labels.push_back({x, event.label, event.alert});
  }
  // Lanes: each label goes in the first lane where it does not overlap.
  std::vector<double> lane_end;
  for (auto& label : labels) {
    const double width =
        TextWidth(label.count > 1 ? label.text + " ×" + std::to_string(label.count) : label.text);
    label.anchor_end = label.x_px + width > width_px - kRight_px;
    label.left_px = label.anchor_end ? label.x_px - width : label.x_px;
    label.right_px = label.left_px + width;
    std::size_t lane = 0;
    while (lane < lane_end.size() && lane_end[lane] > label.left_px - 6) ++lane;
    if (lane == lane_end.size()) lane_end.push_back(0.0);
    lane_end[lane] = label.right_px;
    label.lane = static_cast<int>(lane);
  }
  const double lanes_top = kBandTop_px + kBand_px + kTickRow_px + 4;
  const double legend_top = lanes_top + kLane_px * static_cast<double>(lane_end.size()) + 10;
  // Legend rows: swatch, name and duration per band, wrapped.
  struct Item {
    double x = 0.0, y = 0.0;
    const TimelineBand* band = nullptr;
    std::string text;
  };
  std::vector<Item> items;
  double legend_x = kLeft_px, legend_y = legend_top;
  for (const auto& band : bands) {
    char duration[32];
    std::snprintf(duration, sizeof duration, " %.1f s", band.end - band.start);
    const std::string text = band.label + duration;
    const double width = 16 + TextWidth(text) + 14;
    if (legend_x + width > width_px - kRight_px && legend_x > kLeft_px) {
      legend_x = kLeft_px;
      legend_y += kLegendRow_px;
    }
    items.push_back({legend_x, legend_y, &band, text});
    legend_x += width;
  }
  const double height = (bands.empty() ? legend_top : legend_y + kLegendRow_px) + 4;

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_px << "\" height=\""
      << Px(height) << "\" viewBox=\"0 0 " << width_px << ' ' << Px(height)
      << "\" class=\"plot timeline\">"
      << "<text x=\"" << Px(kLeft_px) << "\" y=\"18\" class=\"title\">" << XmlEscape(title)
      << "</text>";
  for (const auto& band : bands) {
    const double left = px(band.start), right = px(band.end);
    svg << "<rect x=\"" << Px(left) << "\" y=\"" << Px(kBandTop_px) << "\" width=\""
        << Px(std::max(right - left, 0.5)) << "\" height=\"" << Px(kBand_px) << "\" fill=\""
        << band.colour << "\" class=\"phase-band\"><title>" << XmlEscape(band.label) << " "
        << Number(band.start) << "–" << Number(band.end) << " s</title></rect>";
  }
  svg << "<rect x=\"" << Px(kLeft_px) << "\" y=\"" << Px(kBandTop_px) << "\" width=\"" << Px(plot_w)
      << "\" height=\"" << Px(kBand_px) << "\" class=\"frame\"/>";
  for (double tick : NiceTicks(0.0, span, kTargetTicks)) {
    svg << "<text x=\"" << Px(px(tick)) << "\" y=\"" << Px(kBandTop_px + kBand_px + 13)
        << "\" class=\"tick\" text-anchor=\"middle\">" << Number(tick) << "</text>";
  }
  svg << "<text x=\"" << Px(kLeft_px - 6) << "\" y=\"" << Px(kBandTop_px + kBand_px + 13)
      << "\" class=\"tick\" text-anchor=\"end\">t (s)</text>";
  // Markers through the band for every event, a leader to each label.
  for (const auto& event : sorted) {
    svg << "<line x1=\"" << Px(px(event.x)) << "\" y1=\"" << Px(kBandTop_px) << "\" x2=\""
        << Px(px(event.x)) << "\" y2=\"" << Px(kBandTop_px + kBand_px) << "\" class=\""
        << (event.alert ? "event alert" : "event") << "\"><title>" << XmlEscape(event.label)
        << " at " << Number(event.x) << " s</title></line>";
  }
  // Band names over the markers; leaders under every label (labels have a
  // halo, so a leader passing a label of a higher lane does not cross it).
  for (const auto& band : bands) {
    const double left = px(band.start), right = px(band.end);
    if (TextWidth(band.label) + 6 < right - left) {
      svg << "<text x=\"" << Px((left + right) / 2) << "\" y=\""
          << Px(kBandTop_px + kBand_px / 2 + 4) << "\" class=\"tick halo\" text-anchor=\"middle\">"
          << XmlEscape(band.label) << "</text>";
    }
  }
  const auto baseline = [&](const Label& label) {
    return lanes_top + kLane_px * (label.lane + 1) - 4;
  };
  for (const auto& label : labels) {
    svg << "<line x1=\"" << Px(label.x_px) << "\" y1=\"" << Px(kBandTop_px + kBand_px) << "\" x2=\""
        << Px(label.x_px) << "\" y2=\"" << Px(baseline(label) + 2) << "\" class=\"leader\"/>";
  }
  for (const auto& label : labels) {
    svg << "<text x=\"" << Px(label.x_px + (label.anchor_end ? -2 : 2)) << "\" y=\""
        << Px(baseline(label)) << "\" class=\""
        << (label.alert ? "event-label alert" : "event-label") << "\" text-anchor=\""
        << (label.anchor_end ? "end" : "start") << "\">" << XmlEscape(label.text)
        << (label.count > 1 ? " ×" + std::to_string(label.count) : "") << "</text>";
  }
  for (const auto& item : items) {
    svg << "<rect x=\"" << Px(item.x) << "\" y=\"" << Px(item.y)
        << "\" width=\"11\" height=\"11\" fill=\"" << item.band->colour
        << "\" class=\"swatch\"/><text x=\"" << Px(item.x + 15) << "\" y=\"" << Px(item.y + 10)
        << "\" class=\"tick\">" << XmlEscape(item.text) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string TrajectorySvg(const PlotSpec& spec, const std::vector<PlotSeries>& paths,
                          const std::vector<PlotLandmark>& landmarks) {
  const double width = spec.width_px, height = spec.height_px;
  const double plot_w = width - kLeft_px - kRight_px,
               plot_h = height - kTrajectoryTop_px - kBottom_px;
  // Equal scale: the data's bounding box, the shorter side widened to the
  // plot's aspect ratio around its centre.
  std::vector<PlotSeries> all = paths;
  PlotSeries marks;
  for (const auto& landmark : landmarks) {
    marks.x.push_back(landmark.x);
    marks.y.push_back(landmark.y);
  }
  all.push_back(marks);
  Range x_range = DataRange(all, true, std::nullopt), y_range = DataRange(all, false, std::nullopt);
  // A margin so paths and labels at the edge stay inside the frame.
  for (Range* range : {&x_range, &y_range}) {
    const double pad = kTrajectoryPad * (range->high - range->low);
    *range = {range->low - pad, range->high + pad};
  }
  const double scale =
      std::min(plot_w / (x_range.high - x_range.low), plot_h / (y_range.high - y_range.low));
  const auto widen = [](Range* range, double length) {
    const double centre = (range->low + range->high) / 2;
    *range = {centre - length / 2, centre + length / 2};
  };
  widen(&x_range, plot_w / scale);
  widen(&y_range, plot_h / scale);
  const auto px = [&](double x) { return kLeft_px + (x - x_range.low) * scale; };
  const auto py = [&](double y) { return kTrajectoryTop_px + plot_h - (y - y_range.low) * scale; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << spec.width_px << "\" height=\""
      << spec.height_px << "\" viewBox=\"0 0 " << spec.width_px << ' ' << spec.height_px
      << "\" class=\"plot trajectory\">"
      << "<text x=\"" << Px(kLeft_px) << "\" y=\"18\" class=\"title\">" << XmlEscape(spec.title)
      << "</text>"
      << "<rect x=\"" << Px(kLeft_px) << "\" y=\"" << Px(kTrajectoryTop_px) << "\" width=\""
      << Px(plot_w) << "\" height=\"" << Px(plot_h) << "\" class=\"frame\"/>";
  const int ticks_x = std::max(3, static_cast<int>(plot_w / 70)),
            ticks_y = std::max(3, static_cast<int>(plot_h / 50));
  WriteAxes(svg, kTrajectoryTop_px, plot_w, plot_h, height,
            NiceTicks(x_range.low, x_range.high, ticks_x),
            NiceTicks(y_range.low, y_range.high, ticks_y), px, py, spec);
  // Paths (split where a point is missing), each ending in a dot.
  double legend_x = kLeft_px;
  for (const auto& path : paths) {
    std::ostringstream points;
    std::optional<std::pair<double, double>> last;
    const auto flush = [&] {
      if (!points.str().empty()) {
        svg << "<polyline fill=\"none\" stroke=\"" << path.colour
            << "\" stroke-width=\"1.5\" points=\"" << points.str() << "\"/>";
      }
      points.str("");
    };
    for (std::size_t i = 0; i < path.x.size() && i < path.y.size(); ++i) {
      if (!std::isfinite(path.x[i]) || !std::isfinite(path.y[i])) {
        flush();
        continue;
      }
      points << Px(px(path.x[i])) << ',' << Px(py(path.y[i])) << ' ';
      last = {path.x[i], path.y[i]};
    }
    flush();
    if (last) {
      svg << "<circle cx=\"" << Px(px(last->first)) << "\" cy=\"" << Px(py(last->second))
          << "\" r=\"3\" fill=\"" << path.colour << "\"/>";
    }
    svg << "<rect x=\"" << Px(legend_x) << "\" y=\"" << Px(kLegendTop_px)
        << "\" width=\"10\" height=\"10\" fill=\"" << path.colour << "\"/><text x=\""
        << Px(legend_x + 14) << "\" y=\"" << Px(kLegendTop_px + 9) << "\" class=\"tick\">"
        << XmlEscape(path.label) << "</text>";
    legend_x += 24 + TextWidth(path.label);
  }
  for (const auto& landmark : landmarks) {
    const double x = px(landmark.x), y = py(landmark.y);
    svg << "<path d=\"M" << Px(x - 5) << ' ' << Px(y) << "L" << Px(x + 5) << ' ' << Px(y) << "M"
        << Px(x) << ' ' << Px(y - 5) << "L" << Px(x) << ' ' << Px(y + 5) << "\" stroke=\""
        << landmark.colour << "\" stroke-width=\"2\" class=\"landmark\"/><text x=\"" << Px(x + 6)
        << "\" y=\"" << Px(y - 5) << "\" class=\"tick halo\" fill=\"" << landmark.colour << "\">"
        << XmlEscape(landmark.label) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string BandBarsSvg(const std::string& title, const std::vector<BandBar>& bars, int width_px) {
  const double height = kTop_px + kBarRow_px * static_cast<double>(bars.size()) + 10;
  const double bar_w = width_px - kBarLabel_px - kBarValue_px;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_px << "\" height=\""
      << Px(height) << "\" viewBox=\"0 0 " << width_px << ' ' << Px(height)
      << "\" class=\"plot\"><text x=\"8\" y=\"18\" class=\"title\">" << XmlEscape(title)
      << "</text>";
  double y = kTop_px;
  for (const auto& bar : bars) {
    // Axis from the smallest to the largest of band, novice and value.
    double low = std::min({bar.expert_low, bar.novice, bar.value.value_or(bar.expert_low)});
    double high = std::max({bar.expert_high, bar.novice, bar.value.value_or(bar.expert_high)});
    if (high - low < 1e-12) high = low + 1.0;
    const auto px = [&](double v) { return kBarLabel_px + (v - low) / (high - low) * bar_w; };
    svg << "<text x=\"8\" y=\"" << Px(y + 15) << "\" class=\"tick\">" << XmlEscape(bar.label)
        << "</text>"
        << "<rect x=\"" << Px(kBarLabel_px) << "\" y=\"" << Px(y + 5) << "\" width=\"" << Px(bar_w)
        << "\" height=\"12\" class=\"bar-bg\"/><rect x=\"" << Px(px(bar.expert_low)) << "\" y=\""
        << Px(y + 5) << "\" width=\"" << Px(std::max(2.0, px(bar.expert_high) - px(bar.expert_low)))
        << "\" height=\"12\" class=\"bar-expert\"><title>expert band " << Number(bar.expert_low)
        << "–" << Number(bar.expert_high) << "</title></rect><line x1=\"" << Px(px(bar.novice))
        << "\" y1=\"" << Px(y + 3) << "\" x2=\"" << Px(px(bar.novice)) << "\" y2=\"" << Px(y + 19)
        << "\" class=\"novice\"><title>novice " << Number(bar.novice) << "</title></line>";
    if (bar.value && bar.score) {
      const int red = static_cast<int>(220 * (1.0 - *bar.score)),
                green = static_cast<int>(160 * *bar.score);
      svg << "<circle cx=\"" << Px(px(*bar.value)) << "\" cy=\"" << Px(y + 11)
          << "\" r=\"6\" fill=\"rgb(" << red << ',' << green << ",40)\"><title>"
          << Number(*bar.value) << "</title></circle><text x=\"" << Px(kBarLabel_px + bar_w + 8)
          << "\" y=\"" << Px(y + 15) << "\" class=\"tick\">" << Short(*bar.value) << " ("
          << static_cast<int>(std::lround(*bar.score * 100)) << "%)</text>";
    } else {
      svg << "<text x=\"" << Px(kBarLabel_px + bar_w + 8) << "\" y=\"" << Px(y + 15)
          << "\" class=\"tick muted\">not reached</text>";
    }
    y += kBarRow_px;
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace teersim::sim
