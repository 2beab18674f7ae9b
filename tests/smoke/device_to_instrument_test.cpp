// A device moves the instruments as its profile says (issue #7): reports of
// teersim's open catheter interface (devices/catheter_interface.hid) decoded
// through its built-in profile into controls, which Step turns into the
// guide's insertion along the patient's venous route — the same path the GUI
// takes from a USB device to the instruments (sim/views/gui.cpp).
#include <gtest/gtest.h>

#include <algorithm>

#include "devices/hid_descriptor.h"
#include "devices/hid_profile.h"
#include "devices/hid_report.h"
#include "devices/hid_usages.h"
#include "scenes/case_library.h"
#include "sim/run.h"
#include "sim/step.h"

namespace teersim {
namespace {

using devices::ControlId;

TEST(DeviceToInstrument, CatheterInterfaceAdvancesTheGuideAlongTheVeins) {
  const auto descriptor = devices::ParseHidDescriptor(devices::ReadDescriptorFile(
      std::string(TEERSIM_SOURCE_DIR) + "/devices/catheter_interface.hid"));
  const auto profiles = devices::LoadBuiltInHidProfiles();
  const auto profile =
      std::find_if(profiles.begin(), profiles.end(),
                   [](const devices::HidProfile& p) { return p.name == "catheter_interface"; });
  ASSERT_NE(profile, profiles.end());
  devices::HidControlMapper mapper(*profile, descriptor);
  // Guide pushed 120 mm in (counts of 0.01 mm), turned 30° (0.01°).
  constexpr std::int64_t kGuideCounts = 12000, kRotationCounts = 3000;
  const auto report =
      devices::EncodeHidReport(descriptor, devices::HidReportKind::kInput, 1,
                               {{devices::HidUsage(0xFFA0, 0x01), kGuideCounts},
                                {devices::HidUsage(0xFFA0, 0x02), kRotationCounts}});
  ASSERT_TRUE(report.has_value());
  std::string error;
  const auto decoded =
      devices::DecodeHidReport(descriptor, devices::HidReportKind::kInput, *report, &error);
  ASSERT_TRUE(decoded.has_value()) << error;
  mapper.Update(*decoded);

  const sim::Model model =
      sim::CompileModel(scenes::LoadCaseDescription(scenes::ResolveCase("p2_flail")));
  sim::State state = sim::InitialState(model);
  sim::Input input;
  for (int i = 0; i < 2000; ++i) {  // 2 s: the handle follows at hand speed
    mapper.Apply(model.step_s, &input.controls);
    sim::Step(model, input, &state);
  }
  EXPECT_NEAR(state.handles.Get(ControlId::kGuideTranslation), 0.120, 1e-9);
  EXPECT_NEAR(state.handles.Get(ControlId::kGuideRotation), 30.0 * 3.141592653589793 / 180.0, 1e-9);
  // The guide tip travelled 120 mm along the venous centreline from the
  // femoral puncture (the path it swept equals its insertion).
  EXPECT_NEAR(state.procedure.tip_path_length_m[1], 0.120, 1e-6);
  EXPECT_GT(state.procedure.guide_tip[2],
            model.procedure.route.front()[2]);  // headed up, towards the heart
}

}  // namespace
}  // namespace teersim
