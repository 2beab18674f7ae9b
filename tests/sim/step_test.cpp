#include "sim/step.h"

#include <gtest/gtest.h>

#include <cmath>

namespace teersim::sim {
namespace {

using devices::ControlId;

Model TestModel(double heart_rate_hz = 1.0) {
  scenes::CaseDescription description;
  description.name = "test";
  description.heart_rate_hz = heart_rate_hz;
  return CompileModel(description);
}

TEST(Step, HandleFollowsCommandAtHandSpeed) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  Input input;
  input.controls.Set(ControlId::kGuideTranslation, 1.0);  // a 1 m jump
  for (int i = 0; i < 100; ++i) Step(model, input, &state);
  // 100 steps of 1 ms at 0.2 m/s: 20 mm, not the commanded metre.
  EXPECT_NEAR(state.handles.Get(ControlId::kGuideTranslation),
              100 * model.step_s * model.hand.translation_speed_m_per_s, 1e-12);
}

TEST(Step, ReachesTargetAndStops) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  Input input;
  input.controls.Set(ControlId::kGuideKnob, 0.1);
  for (int i = 0; i < 1000; ++i) Step(model, input, &state);
  EXPECT_DOUBLE_EQ(state.handles.Get(ControlId::kGuideKnob), 0.1);
}

TEST(Step, TimeIsStepCountTimesStep) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  const Input input;
  for (int i = 0; i < 12345; ++i) Step(model, input, &state);
  EXPECT_EQ(state.step_index, 12345);
  EXPECT_DOUBLE_EQ(state.time_s, 12345 * model.step_s);
}

TEST(Step, CardiacPhaseWrapsAtTheHeartRate) {
  const Model model = TestModel(/*heart_rate_hz=*/1.25);  // 75 bpm
  State state = InitialState(model, 1);
  const Input input;
  for (int i = 0; i < 400; ++i) Step(model, input, &state);  // 0.4 s = half a beat
  EXPECT_NEAR(state.cardiac_phase, 0.5, 1e-9);
  for (int i = 0; i < 800; ++i) Step(model, input, &state);  // 1.2 s = 1.5 beats
  EXPECT_NEAR(state.cardiac_phase, 0.5, 1e-9);
  EXPECT_LT(state.cardiac_phase, 1.0);
}

TEST(Step, FluoroTimeCountsOnlyPedalDown) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  Input input;
  input.controls.Set(ControlId::kFluoroPedal, 1.0);
  for (int i = 0; i < 250; ++i) Step(model, input, &state);
  input.controls.Set(ControlId::kFluoroPedal, 0.0);
  for (int i = 0; i < 250; ++i) Step(model, input, &state);
  EXPECT_EQ(state.fluoro_steps, 250);
  EXPECT_DOUBLE_EQ(state.fluoro_time_s, 0.25);
}

TEST(Step, NonFiniteInputIsAFaultNotACrash) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  Input input;
  for (int i = 0; i < 10; ++i) Step(model, input, &state);
  input.controls.Set(ControlId::kSleeveApKnob, std::nan(""));
  Step(model, input, &state);
  EXPECT_EQ(state.status, StepStatus::kNumericalFault);
  EXPECT_EQ(state.fault_step_index, 10);
  EXPECT_EQ(state.fault_source, FaultSource::kControlCommand);
  // A faulted state no longer advances.
  const auto hash = HashState(state);
  Step(model, Input{}, &state);
  EXPECT_EQ(HashState(state), hash);
}

TEST(Step, TornLeafletTissueIsAFaultNamedAsSuch) {
  // A physics blow-up (here an absurd systolic pressure tears the leaflets)
  // stops the run with a status naming the tissue, and the tissue keeps its
  // last good shape.
  Model model = TestModel();
  ASSERT_TRUE(model.valve_tissue.available);
  model.valve_tissue.peak_systolic_pressure_Pa = 1e12;
  State state = InitialState(model, 1);
  Input input;
  for (int i = 0; i < 200 && state.status == StepStatus::kOk; ++i) Step(model, input, &state);
  EXPECT_EQ(state.status, StepStatus::kNumericalFault);
  EXPECT_EQ(state.fault_source, FaultSource::kLeafletTissue);
  EXPECT_EQ(FaultSourceName(state.fault_source), "leaflet_tissue");
  for (const auto& p : state.valve_tissue.position_m) EXPECT_TRUE(std::isfinite(p.x + p.y + p.z));
}

TEST(Step, CommandsAreClampedToTheControlRange) {
  const Model model = TestModel();
  State state = InitialState(model, 1);
  Input input;
  input.controls.Set(ControlId::kClipArmAngle, 100.0);  // far beyond inversion
  for (int i = 0; i < 5000; ++i) Step(model, input, &state);
  EXPECT_DOUBLE_EQ(state.handles.Get(ControlId::kClipArmAngle),
                   devices::Info(ControlId::kClipArmAngle).max_value);
}

}  // namespace
}  // namespace teersim::sim
