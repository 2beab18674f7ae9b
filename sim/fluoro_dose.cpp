#include "sim/fluoro_dose.h"

#include <algorithm>
#include <cmath>

namespace teersim::sim {

using devices::ControlId;

double DoseAreaProductRate(const FluoroDoseParameters& parameters,
                           const devices::ControlFrame& handles) {
  const bool cine = handles.Pressed(ControlId::kCineButton);
  if (!cine && !handles.Pressed(ControlId::kFluoroPedal)) return 0.0;
  const double zoom = std::max(1.0, handles.Get(ControlId::kCArmZoom));
  const double kerma_rate = parameters.air_kerma_rate_Gy_per_s *
                            std::pow(zoom, parameters.zoom_kerma_exponent) *
                            (cine ? parameters.cine_factor : 1.0);
  return kerma_rate * parameters.field_area_cm2 / (zoom * zoom);
}

void AccumulateFluoroDose(const FluoroDoseParameters& parameters,
                          const devices::ControlFrame& handles, double step_s, FluoroDose* dose) {
  const double rate = DoseAreaProductRate(parameters, handles);
  const bool beam_on =
      handles.Pressed(ControlId::kFluoroPedal) || handles.Pressed(ControlId::kCineButton);
  if (beam_on) dose->fluoro_time_s += step_s;
  dose->dap_Gycm2 += rate * step_s;
}

}  // namespace teersim::sim
