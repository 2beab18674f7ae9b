#include "scenes/case_description.h"

#include "base/data_file.h"

namespace teersim::scenes {
namespace {

// Heart rate accepted in a case: bradycardia to tachycardia under anaesthesia.
constexpr double kMinHeartRate_bpm = 30.0;
constexpr double kMaxHeartRate_bpm = 180.0;
constexpr double kSecondsPerMinute = 60.0;

CaseDescription FromDataFile(const DataFile& file, const std::filesystem::path& path) {
  const Field root = file.Root();
  root.ExpectOnlyKeys({"name", "title", "objective", "seed", "references", "lesion", "physiology",
                       "anatomy", "instruments"});
  CaseDescription description;
  description.source_file = path;
  description.name = root.Child("name").String();
  if (description.name != path.stem().string()) {
    root.Child("name").Fail("must match the file name '" + path.stem().string() + "'");
  }
  description.title = root.Child("title").String();
  description.objective = root.Child("objective").String();
  description.seed = static_cast<std::uint64_t>(root.Child("seed").Integer(0, INT64_MAX));

  const Field lesion = root.Child("lesion");
  const std::string type = lesion.Child("type").OneOf({"degenerative", "functional"});
  description.lesion.type =
      type == "functional" ? LesionType::kFunctional : LesionType::kDegenerative;
  description.lesion.summary = lesion.Child("summary").String();

  const Field physiology = root.Child("physiology");
  description.heart_rate_hz =
      physiology.Child("heart_rate_bpm").Number(kMinHeartRate_bpm, kMaxHeartRate_bpm) /
      kSecondsPerMinute;
  description.anatomy = ReadCaseAnatomy(root, path);
  if (const auto instruments = root.OptionalChild("instruments")) {
    instruments->ExpectOnlyKeys({"clip_size"});
    if (const auto clip_size = instruments->OptionalChild("clip_size"))
      description.clip_size = clip_size->OneOf({"NT", "NTW", "XT", "XTW"});
  }
  return description;
}

}  // namespace

CaseDescription LoadCaseDescription(const std::filesystem::path& path) {
  return FromDataFile(DataFile::Load(path), path);
}

CaseDescription ParseCaseDescription(const std::string& text,
                                     const std::filesystem::path& display_path) {
  return FromDataFile(DataFile::Parse(text, display_path.string()), display_path);
}

}  // namespace teersim::scenes
