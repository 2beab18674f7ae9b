#include "sim/fluoro_dose.h"

#include <gtest/gtest.h>

namespace teersim::sim {
namespace {

using devices::ControlId;

TEST(FluoroDose, AccumulatesOnlyWithTheBeamOn) {
  const FluoroDoseParameters parameters;
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  FluoroDose dose;
  for (int i = 0; i < 1000; ++i) AccumulateFluoroDose(parameters, handles, 0.001, &dose);
  EXPECT_EQ(dose.fluoro_time_s, 0.0);
  EXPECT_EQ(dose.dap_Gycm2, 0.0);
  handles.Set(ControlId::kFluoroPedal, 1.0);
  for (int i = 0; i < 1000; ++i) AccumulateFluoroDose(parameters, handles, 0.001, &dose);
  EXPECT_NEAR(dose.fluoro_time_s, 1.0, 1e-9);
  // 1 s at zoom 1: kerma rate × field area.
  EXPECT_NEAR(dose.dap_Gycm2, parameters.air_kerma_rate_Gy_per_s * parameters.field_area_cm2,
              1e-12);
}

TEST(FluoroDose, ZoomLowersDapRateAndCineRaisesIt) {
  const FluoroDoseParameters parameters;
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  handles.Set(ControlId::kFluoroPedal, 1.0);
  const double base = DoseAreaProductRate(parameters, handles);
  handles.Set(ControlId::kCArmZoom, 2.0);
  EXPECT_NEAR(DoseAreaProductRate(parameters, handles), base / 2.0, 1e-15);  // kerma ×2, area ÷4
  handles.Set(ControlId::kCArmZoom, 1.0);
  handles.Set(ControlId::kCineButton, 1.0);
  EXPECT_NEAR(DoseAreaProductRate(parameters, handles), base * parameters.cine_factor, 1e-15);
}

TEST(FluoroDose, FifteenMinutesLandNearTheStandardMedian) {
  // clinical-reference §2.5: median ≈2,265 cGy·cm² with a standard protocol.
  const FluoroDoseParameters parameters;
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  handles.Set(ControlId::kFluoroPedal, 1.0);
  const double dap_cGycm2 = DoseAreaProductRate(parameters, handles) * 15.0 * 60.0 * 100.0;
  EXPECT_GT(dap_cGycm2, 1000.0);
  EXPECT_LT(dap_cGycm2, 5000.0);
}

}  // namespace
}  // namespace teersim::sim
