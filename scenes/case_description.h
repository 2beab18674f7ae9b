// CaseDescription: what a case file says — the patient, the lesion, the
// teaching point and the seed — converted to SI. Loaded from
// scenes/cases/<name>.yaml; the schema is documented in scenes/README.md.
// The anatomy, lesion geometry and cardiac motion parameters are read with
// it (scenes/anatomy_parameters.h), so a bad anatomy value fails at load.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "scenes/anatomy_parameters.h"

namespace teersim::scenes {

enum class LesionType { kDegenerative, kFunctional };

struct LesionDescription {
  LesionType type = LesionType::kDegenerative;
  std::string summary;  // "flail P2, gap 6 mm, width 10 mm"
};

struct CaseDescription {
  std::string name;        // file stem, e.g. "p2_flail"
  std::string title;       // "Standard P2 flail"
  std::string objective;   // the learning objective, one sentence
  std::uint64_t seed = 0;  // seeds anatomy variation, speckle, noise
  LesionDescription lesion;
  double heart_rate_hz = 0.0;  // case file: physiology.heart_rate_bpm
  CaseAnatomy anatomy;         // anatomy:, lesion geometry, physiology.annulus_excursion_mm
  // instruments.clip_size: the clip the case is planned for (NT, NTW, XT,
  // XTW); empty: the instrument set's default.
  std::string clip_size;
  std::filesystem::path source_file;
};

// Throws InputError ("file:line: key: problem") on a malformed case.
CaseDescription LoadCaseDescription(const std::filesystem::path& path);
// The same from a case file's text (e.g. embedded in a recording);
// `display_path` names it in errors and its stem must equal the case name.
CaseDescription ParseCaseDescription(const std::string& text,
                                     const std::filesystem::path& display_path);

}  // namespace teersim::scenes
