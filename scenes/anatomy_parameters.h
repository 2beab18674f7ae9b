// Reading a case's anatomy, lesion geometry and cardiac motion (the
// `anatomy:`, `lesion:` and `physiology:` sections; schema in
// scenes/README.md) into AnatomyParameters, converted to SI once here.
#pragma once

#include <filesystem>
#include <optional>

#include "base/data_file.h"
#include "scenes/anatomy.h"

namespace teersim::scenes {

struct CaseAnatomy {
  AnatomyParameters parameters;
  // anatomy.import_file: a landmarks file naming segmented meshes, resolved
  // against the case file's folder; when set it replaces the generated anatomy.
  std::optional<std::filesystem::path> import_file;
};

// `root` is the case file's top mapping. Every section and key is optional
// (the defaults are the standard anatomy, no lesion geometry), unknown keys
// and out-of-range values throw InputError naming file, line and key.
CaseAnatomy ReadCaseAnatomy(const Field& root, const std::filesystem::path& case_file);

// The case's anatomy: imported when it names an import file (throws
// InputError as ImportAnatomy does), else generated from the parameters.
Anatomy BuildCaseAnatomy(const CaseAnatomy& anatomy, std::uint64_t seed);

}  // namespace teersim::scenes
