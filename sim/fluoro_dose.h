// Fluoroscopy dose bookkeeping: fluoroscopy time and dose–area product (DAP)
// accumulate only while the beam is on (pedal down, or the cine button).
// Plain C++, no clock: the caller passes the step length.
//
// DAP rate = air-kerma rate at the reference point × field area there. With
// zoom z the field area shrinks as 1/z² while automatic exposure control
// raises the air-kerma rate roughly as z [BK], so DAP rate ∝ 1/z. Cine costs
// about ten times fluoroscopy per second [BK]. All constants are [BK] and live
// in FluoroDoseParameters so a case or the lead can retune them; the default
// puts 15 minutes of fluoroscopy at zoom 1 near the standard-protocol median
// DAP of ≈2,265 cGy·cm² (clinical-reference §2.5).
#pragma once

#include "devices/controls.h"

namespace teersim::sim {

struct FluoroDoseParameters {
  double air_kerma_rate_Gy_per_s = 1.0e-4;  // at the reference point, zoom 1, fluoroscopy [BK]
  double field_area_cm2 = 250.0;            // at the reference point, zoom 1 [BK]
  double zoom_kerma_exponent = 1.0;         // air-kerma rate ∝ zoom^exponent under AEC [BK]
  double cine_factor = 10.0;                // cine dose rate / fluoroscopy dose rate [BK]
};

struct FluoroDose {
  double fluoro_time_s = 0.0;  // beam-on time (fluoroscopy and cine)
  double dap_Gycm2 = 0.0;      // dose–area product
};

// DAP rate (Gy·cm²/s) for the imaging controls in `handles`; 0 with the beam off.
double DoseAreaProductRate(const FluoroDoseParameters& parameters,
                           const devices::ControlFrame& handles);

// Adds `step_s` of the current beam state to `dose`.
void AccumulateFluoroDose(const FluoroDoseParameters& parameters,
                          const devices::ControlFrame& handles, double step_s, FluoroDose* dose);

}  // namespace teersim::sim
