// Device profiles: the built-in YAML profiles choose themselves for the real
// descriptors in tests/data/hid and turn decoded reports into controls.
#include "devices/catheter_interface.h"
#include "devices/hid_profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include <numbers>

#include "base/input_error.h"
#include "base/units.h"
#include "tests/devices/hid_test_data.h"

namespace teersim::devices {
namespace {

using ::testing::HasSubstr;
namespace usage = hid_usage;

// Deflections and rates are products of a few doubles.
constexpr double kTolerance = 1e-12;
constexpr double kDegToRad = std::numbers::pi / 180.0;

const std::vector<HidProfile>& BuiltIn() {
  static const std::vector<HidProfile> profiles = LoadBuiltInHidProfiles();
  return profiles;
}

const HidProfile& BuiltInNamed(const std::string& name) {
  for (const auto& profile : BuiltIn()) {
    if (profile.name == name) return profile;
  }
  throw std::runtime_error("no built-in profile " + name);
}

DecodedHidReport DecodeOrDie(const HidDescriptor& d, const std::vector<std::uint8_t>& bytes) {
  std::string error;
  auto report = DecodeHidReport(d, HidReportKind::kInput, bytes, &error);
  if (!report) throw std::runtime_error(error);
  return *report;
}

TEST(HidProfile, BuiltInProfilesChooseThemselvesForRealDevices) {
  ASSERT_GE(BuiltIn().size(), 3u);
  const auto pick = [](const char* file, std::optional<HidDeviceId> id = std::nullopt) {
    const HidProfile* profile =
        ChooseHidProfile(BuiltIn(), ParseHidDescriptor(LoadHidTestDescriptor(file)), id);
    return profile == nullptr ? std::string("none") : profile->name;
  };
  EXPECT_EQ(pick("thrustmaster_hotas_cougar_joystick.hid"), "generic_joystick");
  EXPECT_EQ(pick("xbox_one_s_controller_bt.hid"), "gamepad");
  EXPECT_EQ(pick("3dconnexion_spacenavigator.hid"), "3d_mouse");
  EXPECT_EQ(pick("logitech_c077_mouse.hid"), "none");
  // A vendor:product entry wins over the application usage.
  EXPECT_EQ(pick("logitech_c077_mouse.hid", HidDeviceId{0x046D, 0xC626}), "3d_mouse");
}

TEST(HidProfile, UsbListingChoosesByIdThenByDescriptor) {
  const auto cougar = LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid");
  const auto name = [](const HidProfile* p) {
    return p == nullptr ? std::string("none") : p->name;
  };
  EXPECT_EQ(name(ChooseHidProfileForUsb(BuiltIn(), {0x046D, 0xC626}, {})), "3d_mouse");
  EXPECT_EQ(name(ChooseHidProfileForUsb(BuiltIn(), {0x044F, 0x0400}, cougar)), "generic_joystick");
  EXPECT_EQ(name(ChooseHidProfileForUsb(BuiltIn(), {0x044F, 0x0400}, {})), "none");
  const std::vector<std::uint8_t> malformed{0x05, 0x01, 0x09, 0x04, 0xA1, 0x01};  // unclosed
  EXPECT_EQ(name(ChooseHidProfileForUsb(BuiltIn(), {0x044F, 0x0400}, malformed)), "none");
}

TEST(HidProfile, SpaceNavigatorRatesIntoSleeveAndDelivery) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("3dconnexion_spacenavigator.hid"));
  HidControlMapper mapper(BuiltInNamed("3d_mouse"), d);
  EXPECT_TRUE(mapper.Unmatched().empty());
  ControlFrame frame = ControlFrame::Defaults();
  // The published packet (Ry = -30 of 350) lies inside the 10 % dead zone.
  mapper.Update(DecodeOrDie(d, {0x02, 0x00, 0x00, 0xE2, 0xFF, 0x00, 0x00}));
  mapper.Apply(0.5, &frame);
  EXPECT_EQ(frame.Get(ControlId::kSleeveMlKnob), 0.0);
  // Full tilt on Ry (-350) for 0.5 s at 30 deg/s: -15 degrees.
  mapper.Update(DecodeOrDie(d, {0x02, 0x00, 0x00, 0xA2, 0xFE, 0x00, 0x00}));
  mapper.Apply(0.5, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kSleeveMlKnob), -15.0 * kDegToRad, kTolerance);
  // Push forward (Y = -175, half way): 1 - dead zone rescaled, inverted.
  mapper.Update(DecodeOrDie(d, {0x01, 0x00, 0x00, 0x51, 0xFF, 0x00, 0x00}));
  mapper.Apply(1.0, &frame);
  const double deflection = (0.5 - 0.1) / (1.0 - 0.1);
  EXPECT_NEAR(frame.Get(ControlId::kSleeveTranslation), deflection * 0.015, kTolerance);
  // Buttons: both pressed, then the device is lost: rates stop, buttons release.
  mapper.Update(DecodeOrDie(d, {0x03, 0x03, 0x00}));
  mapper.Apply(0.0, &frame);
  EXPECT_TRUE(frame.Pressed(ControlId::kFluoroPedal));
  EXPECT_TRUE(frame.Pressed(ControlId::kCineButton));
  mapper.Release();
  const double held = frame.Get(ControlId::kSleeveTranslation);
  mapper.Apply(1.0, &frame);
  EXPECT_FALSE(frame.Pressed(ControlId::kFluoroPedal));
  EXPECT_EQ(frame.Get(ControlId::kSleeveTranslation), held);
}

TEST(HidProfile, XboxTriggerIsAPositionAndSticksAreRates) {
  const HidDescriptor d = ParseHidDescriptor(LoadHidTestDescriptor("xbox_one_s_controller_bt.hid"));
  HidControlMapper mapper(BuiltInNamed("gamepad"), d);
  EXPECT_TRUE(mapper.Unmatched().empty());
  std::vector<std::uint8_t> packet(17, 0);
  packet[0] = 1;
  const auto data = std::span(packet).subspan(1);
  InsertBits(data, 0, 16, 0x8000);  // left X centred
  InsertBits(data, 16, 16, 0);      // left Y fully forward
  InsertBits(data, 32, 16, 0x8000);
  InsertBits(data, 48, 16, 0x8000);
  InsertBits(data, 80, 10, 1023);  // right trigger fully in
  InsertBits(data, 104, 1, 1);     // A
  ControlFrame frame = ControlFrame::Defaults();
  mapper.Update(DecodeOrDie(d, packet));
  mapper.Apply(0.25, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), 0.020 * 0.25, kTolerance);
  EXPECT_NEAR(frame.Get(ControlId::kClipArmAngle), std::numbers::pi, kTolerance);
  EXPECT_EQ(frame.Get(ControlId::kGuideRotation), 0.0);  // 32768 of 0..65535 is in the dead zone
  EXPECT_TRUE(frame.Pressed(ControlId::kFluoroPedal));
  InsertBits(data, 80, 10, 0);  // trigger released: arms back to 0
  mapper.Update(DecodeOrDie(d, packet));
  mapper.Apply(0.25, &frame);
  EXPECT_EQ(frame.Get(ControlId::kClipArmAngle), 0.0);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), 0.020 * 0.5, kTolerance);
}

TEST(HidProfile, CougarStickThroughGenericJoystick) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid"));
  HidControlMapper mapper(BuiltInNamed("generic_joystick"), d);
  EXPECT_TRUE(mapper.Unmatched().empty());
  std::vector<std::uint8_t> packet(16, 0);
  InsertBits(packet, 48, 16, 0xFFFF);  // X full right
  InsertBits(packet, 64, 16, 0x8000);  // Y centre
  InsertBits(packet, 80, 8, 0x80);     // Z centre
  InsertBits(packet, 104, 8, 0x80);    // Rz centre
  InsertBits(packet, 2, 1, 1);         // button 3
  ControlFrame frame = ControlFrame::Defaults();
  mapper.Update(DecodeOrDie(d, packet));
  mapper.Apply(1.0, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideRotation), 60.0 * kDegToRad, kTolerance);
  EXPECT_EQ(frame.Get(ControlId::kGuideTranslation), 0.0);
  EXPECT_TRUE(frame.Pressed(ControlId::kClipGripperLeft));
  EXPECT_FALSE(frame.Pressed(ControlId::kFluoroPedal));
}

// teersim's own catheter interface layout (devices/catheter_interface.hid):
// every channel a position, counts in 0.01 mm and 0.01 degree.
TEST(HidProfile, CatheterInterfaceCountsBecomeSiPositions) {
  const HidDescriptor d = ParseHidDescriptor(
      ReadDescriptorFile(std::string(TEERSIM_SOURCE_DIR) + "/devices/catheter_interface.hid"));
  ASSERT_EQ(ChooseHidProfile(BuiltIn(), d), &BuiltInNamed("catheter_interface"));
  EXPECT_EQ(d.Find(HidReportKind::kInput, 1)->WireBytes(true), 34u);
  EXPECT_EQ(d.Find(HidReportKind::kOutput, 2)->WireBytes(true), 14u);
  HidControlMapper mapper(BuiltInNamed("catheter_interface"), d);
  EXPECT_TRUE(mapper.Unmatched().empty());
  EXPECT_EQ(mapper.ActiveCount(), 16u);
  const auto report = EncodeHidReport(d, HidReportKind::kInput, 1,
                                      {{HidUsage(0xFFA0, 0x01), -2500},   // guide -25 mm
                                       {HidUsage(0xFFA0, 0x09), 144000},  // delivery +1440 deg
                                       {HidUsage(0xFFA0, 0x07), 4500},    // M/L knob +45 deg
                                       {HidUsage(0xFFA0, 0x0A), 30000},   // arms: clamped to 24000
                                       {usage::Button(5), 1}});           // clip lock
  ASSERT_TRUE(report.has_value());
  ControlFrame frame = ControlFrame::Defaults();
  mapper.Update(DecodeOrDie(d, *report));
  mapper.Apply(0.001, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kGuideTranslation), -0.025, kTolerance);
  EXPECT_NEAR(frame.Get(ControlId::kDeliveryRotation), 8.0 * std::numbers::pi, kTolerance);
  EXPECT_NEAR(frame.Get(ControlId::kSleeveMlKnob), 45.0 * kDegToRad, kTolerance);
  EXPECT_NEAR(frame.Get(ControlId::kClipArmAngle), 240.0 * kDegToRad, kTolerance);
  EXPECT_TRUE(frame.Pressed(ControlId::kClipLock));
  EXPECT_FALSE(frame.Pressed(ControlId::kClipRelease));
  EXPECT_FALSE(EncodeHidReport(d, HidReportKind::kInput, 2, {}).has_value());
}

TEST(HidProfile, HatDirectionsAlongEachAxis) {
  HidField eight_way;  // Xbox style: 1..8, 0 = centred (null state)
  eight_way.logical_min = 1;
  eight_way.logical_max = 8;
  const auto at = [&](const HidField& f, std::int64_t v, HidHatAxis axis) {
    const bool in_range = v >= f.logical_min && v <= f.logical_max;
    return HatComponent(f, {usage::kHatSwitch, v, 0, in_range}, axis);
  };
  EXPECT_EQ(at(eight_way, 1, HidHatAxis::kY), 1.0);  // up
  EXPECT_EQ(at(eight_way, 1, HidHatAxis::kX), 0.0);
  EXPECT_EQ(at(eight_way, 2, HidHatAxis::kX), 1.0);  // up-right counts on both
  EXPECT_EQ(at(eight_way, 2, HidHatAxis::kY), 1.0);
  EXPECT_EQ(at(eight_way, 3, HidHatAxis::kX), 1.0);  // right
  EXPECT_EQ(at(eight_way, 3, HidHatAxis::kY), 0.0);
  EXPECT_EQ(at(eight_way, 5, HidHatAxis::kY), -1.0);  // down
  EXPECT_EQ(at(eight_way, 7, HidHatAxis::kX), -1.0);  // left
  EXPECT_EQ(at(eight_way, 0, HidHatAxis::kX), 0.0);   // centred
  HidField four_way;                                  // 0..3: up, right, down, left
  four_way.logical_min = 0;
  four_way.logical_max = 3;
  EXPECT_EQ(at(four_way, 1, HidHatAxis::kX), 1.0);
  EXPECT_EQ(at(four_way, 2, HidHatAxis::kY), -1.0);
}

TEST(HidProfile, CougarHatSwingsTheCArm) {
  const HidDescriptor d =
      ParseHidDescriptor(LoadHidTestDescriptor("thrustmaster_hotas_cougar_joystick.hid"));
  HidControlMapper mapper(BuiltInNamed("generic_joystick"), d);
  std::vector<std::uint8_t> packet(16, 0);
  InsertBits(packet, 44, 4, 2);        // hat right (0 up, 2 right of 0..7)
  InsertBits(packet, 48, 16, 0x8000);  // stick centred
  InsertBits(packet, 64, 16, 0x8000);
  InsertBits(packet, 80, 8, 0x80);
  InsertBits(packet, 104, 8, 0x80);
  ControlFrame frame = ControlFrame::Defaults();
  mapper.Update(DecodeOrDie(d, packet));
  mapper.Apply(0.5, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kCArmLaoRao), 10.0 * kDegToRad, kTolerance);
  EXPECT_EQ(frame.Get(ControlId::kCArmCranCaud), 0.0);
  InsertBits(packet, 44, 4, 0xF);  // released (null state): the C-arm stays
  mapper.Update(DecodeOrDie(d, packet));
  mapper.Apply(0.5, &frame);
  EXPECT_NEAR(frame.Get(ControlId::kCArmLaoRao), 10.0 * kDegToRad, kTolerance);
}

TEST(HidProfile, NormalisationAndDeadZone) {
  HidField signed_field;
  signed_field.logical_min = -127;
  signed_field.logical_max = 127;
  HidField unsigned_field;
  unsigned_field.logical_min = 0;
  unsigned_field.logical_max = 1023;
  EXPECT_DOUBLE_EQ(NormalizeHidValue(signed_field, {0, -127, 0, true}, false), -1.0);
  EXPECT_DOUBLE_EQ(NormalizeHidValue(signed_field, {0, 127, 0, true}, false), 1.0);
  EXPECT_DOUBLE_EQ(NormalizeHidValue(unsigned_field, {0, 1023, 0, true}, false), 1.0);
  EXPECT_DOUBLE_EQ(NormalizeHidValue(unsigned_field, {0, 0, 0, true}, false), -1.0);
  EXPECT_DOUBLE_EQ(NormalizeHidValue(unsigned_field, {0, 1023, 0, true}, true), 1.0);
  EXPECT_DOUBLE_EQ(NormalizeHidValue(unsigned_field, {0, 5000, 0, false}, false), 0.0);
  EXPECT_EQ(ApplyDeadZone(0.05, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(ApplyDeadZone(0.55, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(ApplyDeadZone(-1.0, 0.1), -1.0);
}

std::string ProfileError(const std::string& mappings) {
  try {
    ParseHidProfile(
        "name: t\nmatch: {applications: [generic_desktop.joystick]}\nmappings:\n" + mappings,
        "p.yaml");
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(HidProfile, BadProfilesNameLineAndKey) {
  EXPECT_THAT(
      ProfileError("  - {usage: generic_desktop.q, control: guide.knob, full_scale_deg: 9}\n"),
      HasSubstr("p.yaml:4: mappings[0].usage: unknown usage 'generic_desktop.q'"));
  EXPECT_THAT(ProfileError("  - {usage: button.1, control: guide.speed}\n"),
              HasSubstr("mappings[0].control: unknown control 'guide.speed'"));
  EXPECT_THAT(
      ProfileError(
          "  - {usage: generic_desktop.x, control: guide.translation, full_scale_deg: 9}\n"),
      HasSubstr("mappings[0].full_scale_deg: unknown key (allowed here: usage, control, mode, "
                "dead_zone, invert, range, hat, full_scale_mm)"));
  EXPECT_THAT(ProfileError("  - {usage: generic_desktop.x, control: guide.knob, mode: rate}\n"),
              HasSubstr("mappings[0].full_rate_deg_per_s: missing key"));
  EXPECT_THAT(ProfileError("  - {usage: generic_desktop.x, control: guide.knob, full_scale_deg: 9, "
                           "dead_zone: 1.5}\n"),
              HasSubstr("mappings[0].dead_zone: expected 0 to 0.9, got 1.5"));
  EXPECT_THAT(ProfileError("  - {usage: button.1, control: guide.knob, mode: button}\n"),
              HasSubstr("mode button is for button controls only"));
  EXPECT_THAT(ProfileError("  - {usage: button.1, control: fluoro.pedal, mode: rate}\n"),
              HasSubstr("button control 'fluoro.pedal' needs mode button"));
  EXPECT_THAT(
      ProfileError("  - {usage: generic_desktop.x, control: guide.knob, full_scale_deg: 400}\n"),
      HasSubstr("full_scale_deg: expected 0 to 360, got 400"));
  try {
    ParseHidProfile("name: t\nmatch: {}\nmappings: [{usage: button.1, control: fluoro.pedal}]\n",
                    "p.yaml");
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("p.yaml:2: match: needs applications or devices"));
  }
}

TEST(HidProfile, UsagesTheDeviceLacksAreListedNotFatal) {
  const HidDescriptor mouse = ParseHidDescriptor(LoadHidTestDescriptor("logitech_c077_mouse.hid"));
  HidControlMapper mapper(BuiltInNamed("generic_joystick"), mouse);
  // The mouse has X, Y and buttons 1..3 (button 3 repeats over bits 3..7).
  EXPECT_EQ(mapper.ActiveCount(), 5u);
  EXPECT_THAT(mapper.Unmatched(), ::testing::ElementsAre(usage::kRz, usage::kZ, usage::Button(4),
                                                         usage::kHatSwitch, usage::kHatSwitch));
}

}  // namespace
// The interface's force output (report 2): handle forces in 0.01 N and
// torques in 0.1 mN·m, int16, clamped; read back through the decoder.
TEST(CatheterInterface, ForceReportCarriesEachHandlesForceInItsCounts) {
  const HidDescriptor d = ParseHidDescriptor(
      ReadDescriptorFile(std::string(TEERSIM_SOURCE_DIR) + "/devices/catheter_interface.hid"));
  CatheterHandleForces forces;
  forces.axial_N = {1.5, -0.25, 400.0};  // 400 N is beyond int16 counts: clamped
  forces.torque_Nm = {0.002, 0.0, -0.0015};
  const auto report = EncodeCatheterForces(d, forces);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->size(), 14u);
  EXPECT_EQ((*report)[0], kCatheterForceReportId);
  std::string error;
  const auto decoded = DecodeHidReport(d, HidReportKind::kOutput, *report, &error);
  ASSERT_TRUE(decoded.has_value()) << error;
  std::map<std::uint32_t, std::int64_t> values;
  for (const auto& field : decoded->values) values[field.usage] = field.value;
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x21)], 150);
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x22)], -25);
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x23)], 32767);
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x24)], 20);
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x25)], 0);
  EXPECT_EQ(values[HidUsage(0xFFA0, 0x26)], -15);
  forces.axial_N[0] = NAN;  // a fault upstream sends no force rather than garbage
  const auto safe = DecodeHidReport(d, HidReportKind::kOutput, *EncodeCatheterForces(d, forces), &error);
  ASSERT_TRUE(safe.has_value());
  ASSERT_NE(safe->Find(HidUsage(0xFFA0, 0x21)), nullptr);
  EXPECT_EQ(safe->Find(HidUsage(0xFFA0, 0x21))->value, 0);
}

}  // namespace teersim::devices
