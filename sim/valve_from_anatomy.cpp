#include "sim/valve_from_anatomy.h"

#include <numbers>

#include "base/units.h"

namespace teersim::sim {
namespace {

// A lesion without a measured width (imported anatomy, no leaflets) is taken
// as a central 10 mm jet [DESIGN].
constexpr double kDefaultLesionWidth_m = 0.010;
constexpr double kSquareMetresPerSquareCentimetre = 1e-4;

}  // namespace

ValveModelInputs ValveInputsFromCase(const scenes::CaseDescription& description,
                                     const scenes::AnatomyMeasurements& measured) {
  const auto& parameters = description.anatomy.parameters;
  const auto mm = [&](const char* key, double fallback_m) {
    const auto value = measured.Get(key);
    return value ? units::MmToM(*value) : fallback_m;
  };
  ValveModelInputs inputs;
  inputs.geometry.intercommissural_m = mm("annulus_ic_mm", parameters.annulus_ic_m);
  const double ap_m = mm("annulus_ap_mm", parameters.annulus_ap_m);
  inputs.geometry.baseline_mva_m2 =
      std::numbers::pi / 4.0 * ap_m * inputs.geometry.intercommissural_m * kOpenAreaFractionOfAnnulus;

  inputs.lesion.eroa_m2 = measured.Get("eroa_cm2").value_or(0.0) * kSquareMetresPerSquareCentimetre;
  double width_m = kDefaultLesionWidth_m;
  for (const char* key : {"flail_width_mm", "prolapse_width_mm"}) {
    if (const auto value = measured.Get(key)) width_m = units::MmToM(*value);
  }
  if (parameters.functional.present && parameters.functional.gap_width_m > 0.0) {
    width_m = parameters.functional.gap_width_m;
  }
  inputs.lesion.width_m = width_m;
  // Scallop 1 lies towards the antero-lateral commissure (s < 0), 3 towards
  // the postero-medial (s > 0); the middle scallop and functional gaps are central.
  const auto& degenerative = parameters.degenerative;
  if (degenerative.kind != scenes::DegenerativeKind::kNone && !parameters.functional.present) {
    inputs.lesion.centre_m = (degenerative.scallop.index - 2) * inputs.geometry.intercommissural_m / 3.0;
  }
  inputs.haemodynamics.heart_rate_hz = description.heart_rate_hz;
  return inputs;
}

}  // namespace teersim::sim
