#include "sim/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace teersim::sim {
namespace {

// Plot margins (pixels): room for tick labels left and below, title above.
constexpr double kLeft_px = 64, kRight_px = 16, kTop_px = 30, kBottom_px = 44;
constexpr int kTargetTicks = 6;
constexpr double kBarRow_px = 26, kBarLabel_px = 220;

std::string Number(double value) {
  char text[32];
  if (value != 0.0 && (std::fabs(value) >= 1e5 || std::fabs(value) < 1e-3)) {
    std::snprintf(text, sizeof text, "%.3g", value);
  } else {
    std::snprintf(text, sizeof text, "%.6g", value);
  }
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

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
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
  const auto px = [&](double x) { return kLeft_px + (x - x_range.low) / (x_range.high - x_range.low) * plot_w; };
  const auto py = [&](double y) { return kTop_px + plot_h - (y - y_range.low) / (y_range.high - y_range.low) * plot_h; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << spec.width_px << "\" height=\"" << spec.height_px
      << "\" viewBox=\"0 0 " << spec.width_px << ' ' << spec.height_px << "\" class=\"plot\">"
      << "<text x=\"" << Px(kLeft_px) << "\" y=\"18\" class=\"title\">" << XmlEscape(spec.title) << "</text>"
      << "<rect x=\"" << Px(kLeft_px) << "\" y=\"" << Px(kTop_px) << "\" width=\"" << Px(plot_w) << "\" height=\""
      << Px(plot_h) << "\" class=\"frame\"/>";
  for (double tick : x_ticks) {
    svg << "<line x1=\"" << Px(px(tick)) << "\" y1=\"" << Px(kTop_px) << "\" x2=\"" << Px(px(tick)) << "\" y2=\""
        << Px(kTop_px + plot_h) << "\" class=\"grid\"/><text x=\"" << Px(px(tick)) << "\" y=\""
        << Px(kTop_px + plot_h + 16) << "\" class=\"tick\" text-anchor=\"middle\">" << Number(tick) << "</text>";
  }
  for (double tick : y_ticks) {
    svg << "<line x1=\"" << Px(kLeft_px) << "\" y1=\"" << Px(py(tick)) << "\" x2=\"" << Px(kLeft_px + plot_w)
        << "\" y2=\"" << Px(py(tick)) << "\" class=\"grid\"/><text x=\"" << Px(kLeft_px - 6) << "\" y=\""
        << Px(py(tick) + 4) << "\" class=\"tick\" text-anchor=\"end\">" << Number(tick) << "</text>";
  }
  svg << "<text x=\"" << Px(kLeft_px + plot_w / 2) << "\" y=\"" << Px(height - 6)
      << "\" class=\"label\" text-anchor=\"middle\">" << XmlEscape(spec.x_label) << "</text>"
      << "<text transform=\"translate(14 " << Px(kTop_px + plot_h / 2) << ") rotate(-90)\" class=\"label\" "
      << "text-anchor=\"middle\">" << XmlEscape(spec.y_label) << "</text>";
  for (const auto& marker : spec.markers) {
    svg << "<line x1=\"" << Px(px(marker.x)) << "\" y1=\"" << Px(kTop_px) << "\" x2=\"" << Px(px(marker.x))
        << "\" y2=\"" << Px(kTop_px + plot_h) << "\" class=\"marker\"><title>" << XmlEscape(marker.label) << " at "
        << Number(marker.x) << "</title></line>";
  }
  if (spec.threshold) {
    svg << "<line x1=\"" << Px(kLeft_px) << "\" y1=\"" << Px(py(*spec.threshold)) << "\" x2=\"" << Px(kLeft_px + plot_w)
        << "\" y2=\"" << Px(py(*spec.threshold)) << "\" class=\"threshold\"/><text x=\"" << Px(kLeft_px + plot_w - 4)
        << "\" y=\"" << Px(py(*spec.threshold) - 4) << "\" class=\"tick\" text-anchor=\"end\">"
        << XmlEscape(spec.threshold_label) << "</text>";
  }
  double legend_x = kLeft_px + 8;
  for (const auto& one : series) {
    std::ostringstream points;
    for (std::size_t i = 0; i < one.x.size() && i < one.y.size(); ++i) {
      if (one.step && i > 0) points << Px(px(one.x[i])) << ',' << Px(py(one.y[i - 1])) << ' ';
      points << Px(px(one.x[i])) << ',' << Px(py(one.y[i])) << ' ';
    }
    svg << "<polyline fill=\"none\" stroke=\"" << one.colour << "\" stroke-width=\"1.6\" points=\"" << points.str()
        << "\"/><rect x=\"" << Px(legend_x) << "\" y=\"" << Px(kTop_px + 6) << "\" width=\"10\" height=\"10\" fill=\""
        << one.colour << "\"/><text x=\"" << Px(legend_x + 14) << "\" y=\"" << Px(kTop_px + 15)
        << "\" class=\"tick\">" << XmlEscape(one.label) << "</text>";
    legend_x += 20 + 7.0 * static_cast<double>(one.label.size());
  }
  svg << "</svg>";
  return svg.str();
}

std::string BandBarsSvg(const std::string& title, const std::vector<BandBar>& bars, int width_px) {
  const double height = kTop_px + kBarRow_px * static_cast<double>(bars.size()) + 10;
  const double bar_w = width_px - kBarLabel_px - 90;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width_px << "\" height=\"" << Px(height)
      << "\" viewBox=\"0 0 " << width_px << ' ' << Px(height) << "\" class=\"plot\"><text x=\"8\" y=\"18\" class=\"title\">"
      << XmlEscape(title) << "</text>";
  double y = kTop_px;
  for (const auto& bar : bars) {
    // Axis from the smallest to the largest of band, novice and value.
    double low = std::min({bar.expert_low, bar.novice, bar.value.value_or(bar.expert_low)});
    double high = std::max({bar.expert_high, bar.novice, bar.value.value_or(bar.expert_high)});
    if (high - low < 1e-12) high = low + 1.0;
    const auto px = [&](double v) { return kBarLabel_px + (v - low) / (high - low) * bar_w; };
    svg << "<text x=\"8\" y=\"" << Px(y + 15) << "\" class=\"tick\">" << XmlEscape(bar.label) << "</text>"
        << "<rect x=\"" << Px(kBarLabel_px) << "\" y=\"" << Px(y + 5) << "\" width=\"" << Px(bar_w)
        << "\" height=\"12\" class=\"bar-bg\"/><rect x=\"" << Px(px(bar.expert_low)) << "\" y=\"" << Px(y + 5)
        << "\" width=\"" << Px(std::max(2.0, px(bar.expert_high) - px(bar.expert_low)))
        << "\" height=\"12\" class=\"bar-expert\"><title>expert band " << Number(bar.expert_low) << "–"
        << Number(bar.expert_high) << "</title></rect><line x1=\"" << Px(px(bar.novice)) << "\" y1=\"" << Px(y + 3)
        << "\" x2=\"" << Px(px(bar.novice)) << "\" y2=\"" << Px(y + 19) << "\" class=\"novice\"><title>novice "
        << Number(bar.novice) << "</title></line>";
    if (bar.value && bar.score) {
      const int red = static_cast<int>(220 * (1.0 - *bar.score)), green = static_cast<int>(160 * *bar.score);
      svg << "<circle cx=\"" << Px(px(*bar.value)) << "\" cy=\"" << Px(y + 11) << "\" r=\"6\" fill=\"rgb(" << red
          << ',' << green << ",40)\"><title>" << Number(*bar.value) << "</title></circle><text x=\""
          << Px(kBarLabel_px + bar_w + 8) << "\" y=\"" << Px(y + 15) << "\" class=\"tick\">" << Number(*bar.value)
          << " (" << static_cast<int>(std::lround(*bar.score * 100)) << "%)</text>";
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
