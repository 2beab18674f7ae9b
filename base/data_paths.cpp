#include "base/data_paths.h"

#include <cstdlib>

#include "teersim_config.h"

namespace teersim {

std::filesystem::path DataRoot() {
  if (const char* overridden = std::getenv("TEERSIM_DATA_DIR"); overridden && *overridden) {
    return overridden;
  }
  return TEERSIM_SOURCE_DATA_DIR;
}

std::string VersionString() { return TEERSIM_VERSION_STRING; }

}  // namespace teersim
