// The haptic device as the hand on the active instrument (sim/haptic_driver.h):
// the grip's displacement drives the active handle at a rate, and the
// anatomy's push back on it reaches the device through the proxy and the
// 1 kHz loop, with the centring spring.
#include "sim/haptic_driver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace teersim::sim {
namespace {

using devices::ControlId;

// Waits (up to 2 s) for the haptic thread to have done something.
template <typename Predicate>
bool WaitFor(Predicate predicate) {
  for (int i = 0; i < 2000 && !predicate(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return predicate();
}

TEST(HapticDriver, GripPushedAwayAdvancesTheActiveInstrumentAndItsForceComesBack) {
  constexpr double kGripZ_m = -0.02;  // pushed 20 mm away from the user
  devices::ScriptedHapticDevice device([](double) { return devices::Vec3{0.0, 0.0, kGripZ_m}; });
  const HapticDriverOptions options;
  devices::HapticLoopOptions loop;
  loop.realtime = false;
  HapticDriver driver(device, options, loop);
  std::string error;
  ASSERT_TRUE(driver.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return driver.Loop().Latest().valid; }));

  // Rate control: 1 s at this deflection advances the transseptal set (the
  // active handle before the septum is crossed).
  devices::ControlFrame frame = devices::ControlFrame::Defaults();
  driver.Sample(0.0, &frame);
  driver.Sample(1.0, &frame);
  const double deflection =
      (0.02 - options.dead_zone_m) / (options.full_speed_displacement_m - options.dead_zone_m);
  EXPECT_NEAR(frame.Get(ControlId::kSheathTranslation),
              deflection * options.full_translation_speed_m_per_s, 1e-9);
  EXPECT_EQ(frame.Get(ControlId::kGuideTranslation), 0.0);
  EXPECT_EQ(frame.Get(ControlId::kSheathRotation), 0.0);  // grip centred in x: no turn

  // Across the septum the guide is the active handle; its wall force pushes
  // the grip back towards the user, on top of the centring spring.
  State state;
  state.procedure.sheath_across = true;
  state.procedure.handle_force_N = {0.0, 2.0, 0.0};
  driver.Feedback(state);
  EXPECT_EQ(ActiveHandle(state.procedure), 1);
  const double expected_z = 2.0 + options.centring_stiffness_N_per_m * (-kGripZ_m);
  ASSERT_TRUE(WaitFor([&] { return std::abs(device.LastForce()[2] - expected_z) < 1e-9; }))
      << "force sent " << device.LastForce()[2] << " N, expected " << expected_z;
  driver.Sample(2.0, &frame);
  EXPECT_GT(frame.Get(ControlId::kGuideTranslation), 0.0);

  // The anatomy's force is capped before it reaches the hand.
  state.procedure.handle_force_N = {0.0, 50.0, 0.0};
  driver.Feedback(state);
  const double capped_z =
      options.max_feedback_force_N + options.centring_stiffness_N_per_m * (-kGripZ_m);
  EXPECT_TRUE(WaitFor([&] { return std::abs(device.LastForce()[2] - capped_z) < 1e-9; }));

  // Chordae that caught the clip pull the delivery grip away from the user
  // (a negative handle force), capped the same.
  state.procedure.guide_across = true;
  ASSERT_EQ(ActiveHandle(state.procedure), 2);
  state.procedure.handle_force_N = {0.0, 0.0, -2.0};
  driver.Feedback(state);
  const double pulled_z = -2.0 + options.centring_stiffness_N_per_m * (-kGripZ_m);
  EXPECT_TRUE(WaitFor([&] { return std::abs(device.LastForce()[2] - pulled_z) < 1e-9; }))
      << "force sent " << device.LastForce()[2] << " N, expected " << pulled_z;
  state.procedure.handle_force_N = {0.0, 0.0, -50.0};
  driver.Feedback(state);
  const double capped_pull_z =
      -options.max_feedback_force_N + options.centring_stiffness_N_per_m * (-kGripZ_m);
  EXPECT_TRUE(WaitFor([&] { return std::abs(device.LastForce()[2] - capped_pull_z) < 1e-9; }));
  driver.Stop();
}

TEST(HapticDriver, UnpluggedDeviceLeavesTheLastInput) {
  devices::ScriptedHapticDevice device([](double) { return devices::Vec3{0.0, 0.0, -0.03}; }, 20);
  devices::HapticLoopOptions loop;
  loop.realtime = false;
  HapticDriver driver(device, {}, loop);
  std::string error;
  ASSERT_TRUE(driver.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return !driver.Loop().Running(); }));  // vanished after 20 exchanges
  devices::ControlFrame frame = devices::ControlFrame::Defaults();
  frame.Set(ControlId::kSheathTranslation, 0.1);
  driver.Sample(0.0, &frame);
  driver.Sample(1.0, &frame);
  EXPECT_EQ(frame.Get(ControlId::kSheathTranslation), 0.1);
}

}  // namespace
}  // namespace teersim::sim
