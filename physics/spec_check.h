// Range checks for physics specs (rods, leaflet tissue): a value out of range
// is an InputError naming the spec, the key, the allowed range and the value,
// so a bad case or instrument file is reported, never simulated.
#pragma once

#include <string>
#include <string_view>

namespace teersim::physics {

// Throws InputError "<spec>: <key>: expected <expected>, got <got>".
[[noreturn]] void RejectSpecValue(std::string_view spec, const std::string& key,
                                  const std::string& expected, double got);

// value must be finite and in [min, max] ((min, max] when min_open):
// otherwise RejectSpecValue with "> min and <= max" or "min to max".
void CheckSpecRange(std::string_view spec, const std::string& key, double value, double min,
                    double max, bool min_open);

}  // namespace teersim::physics
