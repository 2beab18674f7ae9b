#include <cstdlib>
#include <exception>
#include <iostream>

#include "base/input_error.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"

namespace teersim::app {

int Guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& error) {
    std::cerr << "teersim: error: " << error.what() << '\n';
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "teersim: failed: " << error.what() << '\n';
    return kExitFailure;
  }
}

int NotAvailableYet(const std::string& what, const std::string& issue) {
  std::cerr << "teersim " << what << ": not available yet (" << issue << ")\n";
  return kExitFailure;
}

bool HasDisplay() {
  const char* display = std::getenv("DISPLAY");
  return display != nullptr && *display != '\0';
}

}  // namespace teersim::app
