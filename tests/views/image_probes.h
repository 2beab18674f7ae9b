// Pixel probes the view tests share: a small square's mean grey and the count
// of colour Doppler pixels.
#pragma once

#include <cstdlib>

#include "sim/views/imaging_math.h"

namespace teersim::views {

// Mean grey (red channel) of a small square around (cx, cy).
inline double MeanGrey(const RgbImage& image, double cx, double cy, int half) {
  double sum = 0;
  int n = 0;
  for (int y = static_cast<int>(cy) - half; y <= static_cast<int>(cy) + half; ++y) {
    for (int x = static_cast<int>(cx) - half; x <= static_cast<int>(cx) + half; ++x) {
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      sum += image.At(x, y)[0];
      ++n;
    }
  }
  return n > 0 ? sum / n : 0.0;
}

// Colour Doppler pixels: strongly red or strongly blue ones.
inline int ColourPixels(const RgbImage& image) {
  int coloured = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const std::uint8_t* p = image.At(x, y);
      if (std::abs(int(p[0]) - int(p[2])) > 100) ++coloured;
    }
  }
  return coloured;
}

}  // namespace teersim::views
