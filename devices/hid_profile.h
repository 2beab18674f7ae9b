// Device profiles: which HID usages drive which teersim controls, and how.
// Profiles are data files (devices/profiles/*.yaml); the schema, every value
// with its unit in the key (the unit follows the control, see controls.h):
//
//   name: generic_joystick
//   description: "Any HID joystick: ..."
//   match:                              # a profile applies when any entry matches
//     applications: [generic_desktop.joystick]   # top-level Application usages
//     devices: ["046d:c626"]            # optional vendor:product IDs (hex); these win
//   mappings:
//     - usage: generic_desktop.y        # see hid_usages.h for names
//       control: guide.translation      # a control name from controls.h
//       mode: rate                      # position | rate | button (default: button for
//                                       #   button controls, else position)
//       full_rate_mm_per_s: 20          # rate: speed at full deflection
//       dead_zone: 0.08                 # fraction of full deflection, 0..0.9 (default 0)
//       invert: true                    # default false
//     - usage: generic_desktop.rz
//       control: guide.knob
//       full_scale_deg: 90              # position: value at full deflection (from the default)
//       range: unipolar                 # bipolar (default, centre = 0) | unipolar (min = 0)
//     - usage: button.1
//       control: fluoro.pedal
//     - usage: generic_desktop.hat_switch
//       control: carm.lao_rao
//       mode: rate
//       hat: x                          # a hat as one axis: x (right +) or y (up +)
//       full_rate_deg_per_s: 20
//
// Normalisation of a field value v with logical range [lo, hi]: bipolar gives
// -1..1 (v/hi or -v/lo about 0 when lo < 0 < hi, else linear with the
// middle of the range at 0); unipolar gives 0..1. Then the dead zone: |n| <=
// dead_zone gives 0, the rest is rescaled to keep full deflection at 1.
// A null-state (out of range) value counts as centred / released. A hat
// mapping reads the hat's direction (logical minimum = up, then clockwise in
// equal steps over the logical range) as -1, 0 or 1 along its axis.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/controls.h"
#include "devices/hid_descriptor.h"
#include "devices/hid_report.h"

namespace teersim::devices {

enum class HidMappingMode : std::uint8_t { kPosition, kRate, kButton };
enum class HidHatAxis : std::uint8_t { kNone, kX, kY };

struct HidMapping {
  std::uint32_t usage = 0;
  ControlId control = ControlId::kCount;
  HidMappingMode mode = HidMappingMode::kPosition;
  // SI value at full deflection (position) or SI per second (rate); 1 for buttons.
  double full_scale_si = 0.0;
  double dead_zone = 0.0;  // fraction of full deflection
  bool invert = false;
  bool unipolar = false;
  HidHatAxis hat = HidHatAxis::kNone;
};

struct HidDeviceId {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  bool operator==(const HidDeviceId&) const = default;
};

struct HidProfile {
  std::string name;
  std::string description;
  std::string file;  // where it was loaded from
  std::vector<std::uint32_t> match_applications;
  std::vector<HidDeviceId> match_devices;
  std::vector<HidMapping> mappings;
};

// Throw InputError naming file, line and key (unknown usage or control, a
// scale key with the wrong unit, out-of-range dead zone, ...).
HidProfile LoadHidProfile(const std::filesystem::path& path);
HidProfile ParseHidProfile(const std::string& text, const std::string& display_name);
// Every devices/profiles/*.yaml under DataRoot(), sorted by file name.
std::vector<HidProfile> LoadBuiltInHidProfiles();

// The profile for a device: one listing its vendor:product ID first, else the
// first whose applications include one of the descriptor's; nullptr if none.
const HidProfile* ChooseHidProfile(const std::vector<HidProfile>& profiles,
                                   const HidDescriptor& descriptor,
                                   std::optional<HidDeviceId> device = std::nullopt);

// The profile for a USB device seen by enumeration: by vendor:product ID, else
// by its report descriptor when one could be read (a malformed one matches
// nothing). nullptr when none applies.
const HidProfile* ChooseHidProfileForUsb(const std::vector<HidProfile>& profiles, HidDeviceId id,
                                         std::span<const std::uint8_t> report_descriptor);

// Normalised deflection of one value of `field` (see the header comment).
double NormalizeHidValue(const HidField& field, const HidValue& value, bool unipolar);
double ApplyDeadZone(double normalized, double dead_zone);
// Component (-1, 0 or 1) of a hat direction along `axis`; 0 when centred.
double HatComponent(const HidField& field, const HidValue& value, HidHatAxis axis);

// Turns decoded input reports into control values through a profile. Keeps
// the latest deflection of each mapping (a latest-sample slot); Apply() writes
// them into a ControlFrame once per step. Not thread-safe: the owner locks.
class HidControlMapper {
 public:
  // Mappings whose usage no input report carries are dropped and listed in
  // Unmatched() (a generic profile fits many devices).
  HidControlMapper(HidProfile profile, HidDescriptor descriptor);

  void Update(const DecodedHidReport& report);
  // Position controls are set; rate controls move by rate * dt_s (clamped to
  // the control's limits); buttons are set to 0 or 1.
  void Apply(double dt_s, ControlFrame* frame) const;
  // The device is gone: rates and buttons go to rest (0); positions hold the
  // last value received — the last safe input.
  void Release();

  const HidProfile& Profile() const { return profile_; }
  const std::vector<std::uint32_t>& Unmatched() const { return unmatched_; }
  // Latest deflection (-1..1, 0..1 for buttons) of each active mapping.
  double Deflection(std::size_t mapping) const { return active_[mapping].deflection; }
  std::size_t ActiveCount() const { return active_.size(); }

 private:
  struct Active {
    HidMapping mapping;
    std::uint8_t report_id = 0;
    std::uint32_t field = 0;
    double deflection = 0.0;
    bool received = false;  // a position mapping writes only once data arrived
  };
  HidProfile profile_;
  HidDescriptor descriptor_;
  std::vector<Active> active_;
  std::vector<std::uint32_t> unmatched_;
};

}  // namespace teersim::devices
