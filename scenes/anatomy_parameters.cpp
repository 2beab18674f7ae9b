#include "scenes/anatomy_parameters.h"

#include <string>

#include "base/units.h"
#include "scenes/anatomy_import.h"

namespace teersim::scenes {
namespace {

using units::MmToM;

// Accepted ranges are wider than the published normal ranges so teaching
// cases can show abnormal anatomy; each stock case cites the row it uses.
struct Range {
  double min, max;
};
constexpr Range kFemoralDiameter_mm{5, 20};
constexpr Range kIliacDiameter_mm{6, 22};
constexpr Range kIvcAp_mm{8, 30};
constexpr Range kIvcTransverse_mm{10, 40};
constexpr Range kTortuosity_mm{0, 30};
constexpr Range kRouteLength_percent{70, 130};
constexpr double kPercent = 100.0;
constexpr Range kRaMinorAxis_mm{20, 70};
constexpr Range kLaDiameter_mm{25, 80};
constexpr Range kSeptumThickness_mm{2, 25};
constexpr Range kFossaThickness_mm{0.3, 5};
constexpr Range kFossaWidth_mm{6, 30};
constexpr Range kFossaHeight_mm{4, 25};
constexpr Range kFossaAboveAnnulus_mm{20, 60};
constexpr Range kFossaAneurysm_mm{0, 20};
constexpr Range kAnnulusAp_mm{20, 45};
constexpr Range kAnnulusIc_mm{22, 55};
constexpr Range kAnnularHeight_mm{2, 12};
constexpr Range kAnteriorLeaflet_mm{15, 35};
constexpr Range kPosteriorLeaflet_mm{6, 25};
constexpr Range kLeafletThickness_mm{0.5, 5};
constexpr Range kCoaptationDepth_mm{2, 20};
constexpr Range kLesionGap_mm{0.5, 15};
constexpr Range kLesionWidth_mm{3, 25};
constexpr Range kProlapseHeight_mm{0, 12};
constexpr Range kCoaptationGap_mm{0.5, 10};
constexpr Range kGapWidth_mm{3, 30};
constexpr Range kAnnulusExcursion_mm{0, 20};
// A lesion may not be wider than this fraction of the intercommissural diameter.
constexpr double kMaxLesionFractionOfIc = 0.8;

// Sets `*value_m` from `key_mm` in `section` when present.
void ReadMm(const Field& section, const char* key, Range range, double* value_m) {
  if (auto child = section.OptionalChild(key))
    *value_m = MmToM(child->Number(range.min, range.max));
}

Scallop ParseScallop(const Field& field) {
  const std::string name = field.OneOf({"A1", "A2", "A3", "P1", "P2", "P3"});
  return {name[0] == 'A' ? Leaflet::kAnterior : Leaflet::kPosterior, name[1] - '0'};
}

void ReadAnatomySection(const Field& anatomy, AnatomyParameters* p) {
  anatomy.ExpectOnlyKeys({"import_file", "route", "atria", "septum", "mitral"});
  if (auto route = anatomy.OptionalChild("route")) {
    route->ExpectOnlyKeys({"femoral_vein_diameter_mm", "iliac_vein_diameter_mm",
                           "ivc_ap_diameter_mm", "ivc_transverse_diameter_mm",
                           "iliac_tortuosity_mm", "route_length_percent"});
    ReadMm(*route, "femoral_vein_diameter_mm", kFemoralDiameter_mm, &p->femoral_vein_diameter_m);
    ReadMm(*route, "iliac_vein_diameter_mm", kIliacDiameter_mm, &p->iliac_vein_diameter_m);
    ReadMm(*route, "ivc_ap_diameter_mm", kIvcAp_mm, &p->ivc_ap_diameter_m);
    ReadMm(*route, "ivc_transverse_diameter_mm", kIvcTransverse_mm, &p->ivc_transverse_diameter_m);
    ReadMm(*route, "iliac_tortuosity_mm", kTortuosity_mm, &p->iliac_tortuosity_m);
    p->route_scale = route->NumberOr("route_length_percent", p->route_scale * kPercent,
                                     kRouteLength_percent.min, kRouteLength_percent.max) /
                     kPercent;
  }
  if (auto atria = anatomy.OptionalChild("atria")) {
    atria->ExpectOnlyKeys({"ra_minor_axis_mm", "la_diameter_mm"});
    ReadMm(*atria, "ra_minor_axis_mm", kRaMinorAxis_mm, &p->ra_minor_axis_m);
    ReadMm(*atria, "la_diameter_mm", kLaDiameter_mm, &p->la_diameter_m);
  }
  if (auto septum = anatomy.OptionalChild("septum")) {
    septum->ExpectOnlyKeys({"thickness_mm", "fossa_thickness_mm", "fossa_width_mm",
                            "fossa_height_mm", "fossa_above_annulus_mm", "fossa_aneurysm_mm"});
    ReadMm(*septum, "thickness_mm", kSeptumThickness_mm, &p->septum_thickness_m);
    ReadMm(*septum, "fossa_thickness_mm", kFossaThickness_mm, &p->fossa_thickness_m);
    ReadMm(*septum, "fossa_width_mm", kFossaWidth_mm, &p->fossa_width_m);
    ReadMm(*septum, "fossa_height_mm", kFossaHeight_mm, &p->fossa_height_m);
    ReadMm(*septum, "fossa_above_annulus_mm", kFossaAboveAnnulus_mm, &p->fossa_above_annulus_m);
    ReadMm(*septum, "fossa_aneurysm_mm", kFossaAneurysm_mm, &p->fossa_aneurysm_m);
    if (p->fossa_thickness_m >= p->septum_thickness_m) {
      septum->Child("fossa_thickness_mm")
          .Fail("the fossa membrane must be thinner than the septum");
    }
  }
  if (auto mitral = anatomy.OptionalChild("mitral")) {
    mitral->ExpectOnlyKeys({"annulus_ap_mm", "annulus_ic_mm", "annular_height_mm",
                            "anterior_leaflet_length_mm", "posterior_leaflet_length_mm",
                            "leaflet_thickness_mm", "coaptation_depth_mm"});
    ReadMm(*mitral, "annulus_ap_mm", kAnnulusAp_mm, &p->annulus_ap_m);
    ReadMm(*mitral, "annulus_ic_mm", kAnnulusIc_mm, &p->annulus_ic_m);
    ReadMm(*mitral, "annular_height_mm", kAnnularHeight_mm, &p->annular_height_m);
    ReadMm(*mitral, "anterior_leaflet_length_mm", kAnteriorLeaflet_mm,
           &p->anterior_leaflet_length_m);
    ReadMm(*mitral, "posterior_leaflet_length_mm", kPosteriorLeaflet_mm,
           &p->posterior_leaflet_length_m);
    ReadMm(*mitral, "leaflet_thickness_mm", kLeafletThickness_mm, &p->leaflet_thickness_m);
    ReadMm(*mitral, "coaptation_depth_mm", kCoaptationDepth_mm, &p->coaptation_depth_m);
  }
}

void ReadLesionGeometry(const Field& lesion, AnatomyParameters* p) {
  const bool functional = lesion.Child("type").String() == "functional";
  if (functional) {
    lesion.ExpectOnlyKeys({"type", "summary", "coaptation_gap_mm", "gap_width_mm"});
    if (!lesion.Has("coaptation_gap_mm") && !lesion.Has("gap_width_mm")) return;
    p->functional.present = true;
    p->functional.coaptation_gap_m = MmToM(
        lesion.Child("coaptation_gap_mm").Number(kCoaptationGap_mm.min, kCoaptationGap_mm.max));
    const Field width = lesion.Child("gap_width_mm");
    p->functional.gap_width_m = MmToM(width.Number(kGapWidth_mm.min, kGapWidth_mm.max));
    if (p->functional.gap_width_m > kMaxLesionFractionOfIc * p->annulus_ic_m) {
      width.Fail("wider than 80% of the intercommissural diameter");
    }
    return;
  }
  lesion.ExpectOnlyKeys(
      {"type", "summary", "kind", "scallop", "gap_mm", "width_mm", "prolapse_height_mm"});
  if (!lesion.Has("kind")) return;
  auto& d = p->degenerative;
  d.kind = lesion.Child("kind").OneOf({"flail", "prolapse"}) == "flail"
               ? DegenerativeKind::kFlail
               : DegenerativeKind::kProlapse;
  d.scallop = ParseScallop(lesion.Child("scallop"));
  d.gap_m = MmToM(lesion.Child("gap_mm").Number(kLesionGap_mm.min, kLesionGap_mm.max));
  const Field width = lesion.Child("width_mm");
  d.width_m = MmToM(width.Number(kLesionWidth_mm.min, kLesionWidth_mm.max));
  if (d.width_m > kMaxLesionFractionOfIc * p->annulus_ic_m) {
    width.Fail("wider than 80% of the intercommissural diameter");
  }
  if (d.kind == DegenerativeKind::kProlapse) {
    ReadMm(lesion, "prolapse_height_mm", kProlapseHeight_mm, &d.prolapse_height_m);
  } else if (lesion.Has("prolapse_height_mm")) {
    lesion.Child("prolapse_height_mm").Fail("only a prolapse has a prolapse height");
  }
}

}  // namespace

CaseAnatomy ReadCaseAnatomy(const Field& root, const std::filesystem::path& case_file) {
  CaseAnatomy result;
  AnatomyParameters& p = result.parameters;
  if (auto anatomy = root.OptionalChild("anatomy")) {
    ReadAnatomySection(*anatomy, &p);
    if (auto import_file = anatomy->OptionalChild("import_file")) {
      result.import_file = case_file.parent_path() / import_file->String();
    }
  }
  // Lesion geometry after the anatomy: its width is checked against the annulus.
  ReadLesionGeometry(root.Child("lesion"), &p);
  if (auto physiology = root.OptionalChild("physiology")) {
    physiology->ExpectOnlyKeys({"heart_rate_bpm", "annulus_excursion_mm"});
    ReadMm(*physiology, "annulus_excursion_mm", kAnnulusExcursion_mm, &p.annulus_excursion_m);
  }
  return result;
}

Anatomy BuildCaseAnatomy(const CaseAnatomy& anatomy, std::uint64_t seed) {
  if (anatomy.import_file) return ImportAnatomy(*anatomy.import_file);
  return GenerateAnatomy(anatomy.parameters, seed);
}

}  // namespace teersim::scenes
