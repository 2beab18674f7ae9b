// The outcome model's inputs for a case: its measured anatomy (lesion EROA and
// width, annulus) and physiology. Measurements come from the meshes
// (scenes/anatomy_measurements.h), so imported anatomy works the same way.
#pragma once

#include "scenes/anatomy_measurements.h"
#include "scenes/case_description.h"
#include "sim/outcome_model.h"

namespace teersim::sim {

struct ValveModelInputs {
  ValveLesion lesion;
  ValveGeometry geometry;
  Haemodynamics haemodynamics;
};

// Open diastolic area as a fraction of the annulus ellipse area [DESIGN]:
// a normal annulus (≈8.5 cm², §1.3 [S35c]) opens to ≈5 cm², above the 4 cm²
// suitability threshold (§1.3 [S39,S40]).
inline constexpr double kOpenAreaFractionOfAnnulus = 0.6;

ValveModelInputs ValveInputsFromCase(const scenes::CaseDescription& description,
                                     const scenes::AnatomyMeasurements& measured);

}  // namespace teersim::sim
