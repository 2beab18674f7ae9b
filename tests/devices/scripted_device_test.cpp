#include "devices/scripted_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/input_error.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;

TEST(ScriptedDevice, RampsLinearlyAndHolds) {
  Script script = ParseScript(
      "keyframes:\n"
      "  - {t_s: 1, guide.translation_mm: 0}\n"
      "  - {t_s: 3, guide.translation_mm: 40}\n",
      "s.yaml");
  ScriptedDevice device(std::move(script));
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(0.5, &frame);
  EXPECT_DOUBLE_EQ(frame.Get(ControlId::kGuideTranslation), 0.0);
  device.Sample(2.0, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), 0.020, 1e-15);
  device.Sample(10.0, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), 0.040, 1e-15);
}

TEST(ScriptedDevice, ButtonsStepNotRamp) {
  ScriptedDevice device(ParseScript(
      "keyframes:\n  - {t_s: 0, fluoro.pedal: 1}\n  - {t_s: 2, fluoro.pedal: 0}\n", "s.yaml"));
  ControlFrame frame = ControlFrame::Defaults();
  device.Sample(1.99, &frame);
  EXPECT_TRUE(frame.Pressed(ControlId::kFluoroPedal));
  device.Sample(2.0, &frame);
  EXPECT_FALSE(frame.Pressed(ControlId::kFluoroPedal));
}

TEST(ScriptedDevice, UndrivenControlsAreLeftAlone) {
  ScriptedDevice device(ParseScript("keyframes:\n  - {t_s: 0, guide.knob_deg: 10}\n", "s.yaml"));
  ControlFrame frame = ControlFrame::Defaults();
  frame.Set(ControlId::kSleeveApKnob, 0.3);
  device.Sample(1.0, &frame);
  EXPECT_DOUBLE_EQ(frame.Get(ControlId::kSleeveApKnob), 0.3);
}

std::string ScriptError(const std::string& text) {
  try {
    ParseScript(text, "bad.yaml");
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(ScriptedDevice, BadScriptsNameLineAndKey) {
  EXPECT_THAT(
      ScriptError("keyframes:\n  - {t_s: 0, guide.speed_mm: 3}\n"),
      HasSubstr("bad.yaml:2: keyframes[0].guide.speed_mm: unknown control 'guide.speed_mm'"));
  EXPECT_THAT(ScriptError("keyframes:\n  - {t_s: 0, guide.translation: 3}\n"),
              HasSubstr("needs its unit: write 'guide.translation_mm'"));
  EXPECT_THAT(ScriptError("keyframes:\n  - {t_s: 2}\n  - {t_s: 1}\n"),
              HasSubstr("bad.yaml:3: keyframes[1].t_s: keyframe times must not decrease"));
  EXPECT_THAT(ScriptError("keyframes:\n  - {t_s: 0, clip.arm_angle_deg: 400}\n"),
              HasSubstr("expected 0 to 240, got 400"));
  EXPECT_THAT(ScriptError("keyframes:\n  - {guide.knob_deg: 3}\n"), HasSubstr("t_s: missing key"));
}

}  // namespace
}  // namespace teersim::devices
