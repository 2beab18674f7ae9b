#include "base/input_error.h"

namespace teersim {

std::string FormatInputError(std::string_view file, int line, std::string_view key,
                             std::string_view problem) {
  std::string message(file);
  if (line > 0) {
    message.push_back(':');
    message.append(std::to_string(line));
  }
  message += ": ";
  if (!key.empty()) {
    message += key;
    message += ": ";
  }
  message += problem;
  return message;
}

}  // namespace teersim
