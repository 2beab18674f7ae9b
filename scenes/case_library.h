// The case library: stock cases in <data root>/scenes/cases/*.yaml, and
// resolution of a --case argument (a stock name or a path to a file).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "scenes/case_description.h"

namespace teersim::scenes {

// The case `teersim` opens with no arguments and the headless demo runs.
inline constexpr const char* kDefaultCaseName = "p2_flail";

std::filesystem::path CasesDirectory();

// Every stock case, sorted by name. Throws InputError if one is malformed
// (a broken stock case is a bug the smoke test catches).
std::vector<CaseDescription> ListStockCases();

// NAME (a stock case) or FILE (a path ending in .yaml / containing '/').
// Throws InputError "unknown case 'x' (stock cases: …)".
std::filesystem::path ResolveCase(const std::string& name_or_file);

}  // namespace teersim::scenes
