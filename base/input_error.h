// InputError: the one exception type for bad user input (case files, scripts,
// recordings, descriptors, command-line values). The CLI turns it into exit
// code 2 and prints what() verbatim, so the message must name the file, line
// and key: "scenes/cases/p2_flail.yaml:14: anatomy.mitral.annulus_ap_mm:
// expected 20–45, got -3".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace teersim {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// "<file>:<line>: <key>: <problem>"; line <= 0 omits the line number and an
// empty key omits the key.
std::string FormatInputError(std::string_view file, int line, std::string_view key,
                             std::string_view problem);

}  // namespace teersim
