// Where teersim finds its data files (scenes/cases, scenes/scripts, device
// profiles, instruments): $TEERSIM_DATA_DIR if set, else the source tree the
// binary was built from. Both hold the repository layout (scenes/, devices/…).
#pragma once

#include <filesystem>
#include <string>

namespace teersim {

std::filesystem::path DataRoot();
// "0.1.0+<git describe>" as configured at build time.
std::string VersionString();

}  // namespace teersim
