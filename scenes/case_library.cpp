#include "scenes/case_library.h"

#include <algorithm>

#include "base/data_paths.h"
#include "base/input_error.h"

namespace teersim::scenes {

std::filesystem::path CasesDirectory() { return DataRoot() / "scenes" / "cases"; }

std::vector<CaseDescription> ListStockCases() {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(CasesDirectory(), error)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (error) {
    throw InputError(FormatInputError(CasesDirectory().string(), 0, "",
                                      "cannot read the case library: " + error.message()));
  }
  std::sort(files.begin(), files.end());
  std::vector<CaseDescription> cases;
  for (const auto& file : files) cases.push_back(LoadCaseDescription(file));
  return cases;
}

std::filesystem::path ResolveCase(const std::string& name_or_file) {
  const bool looks_like_path = name_or_file.find('/') != std::string::npos ||
                               name_or_file.ends_with(".yaml");
  if (looks_like_path) {
    if (!std::filesystem::exists(name_or_file)) {
      throw InputError(FormatInputError(name_or_file, 0, "", "case file not found"));
    }
    return name_or_file;
  }
  const auto stock = CasesDirectory() / (name_or_file + ".yaml");
  if (std::filesystem::exists(stock)) return stock;
  std::string names;
  std::error_code error;
  std::vector<std::string> stems;
  for (const auto& entry : std::filesystem::directory_iterator(CasesDirectory(), error)) {
    if (entry.path().extension() == ".yaml") stems.push_back(entry.path().stem().string());
  }
  std::sort(stems.begin(), stems.end());
  for (const auto& stem : stems) names += (names.empty() ? "" : ", ") + stem;
  throw InputError("unknown case '" + name_or_file + "' (stock cases: " + names + ")");
}

}  // namespace teersim::scenes
