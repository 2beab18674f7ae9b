#include "physics/spec_check.h"

#include <cmath>
#include <sstream>

#include "base/input_error.h"

namespace teersim::physics {

void RejectSpecValue(std::string_view spec, const std::string& key, const std::string& expected,
                     double got) {
  std::ostringstream message;
  message << key << ": expected " << expected << ", got " << got;
  throw InputError(FormatInputError(spec, 0, "", message.str()));
}

void CheckSpecRange(std::string_view spec, const std::string& key, double value, double min,
                    double max, bool min_open) {
  const bool ok = std::isfinite(value) && (min_open ? value > min : value >= min) && value <= max;
  if (ok) return;
  std::ostringstream expected;
  expected << (min_open ? "> " : "") << min << (min_open ? " and <= " : " to ") << max;
  RejectSpecValue(spec, key, expected.str(), value);
}

}  // namespace teersim::physics
