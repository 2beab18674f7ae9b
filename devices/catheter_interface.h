// teersim's open catheter interface (devices/README.md, "The open catheter
// interface"): the force output report. Input reports need nothing special
// (the built-in profile maps them like any HID device's).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "devices/hid_descriptor.h"

namespace teersim::devices {

// Vendor page and the output usages of report 2 (catheter_interface.hid).
inline constexpr std::uint16_t kCatheterInterfacePage = 0xFFA0;
inline constexpr std::uint8_t kCatheterForceReportId = 2;
// Counts: axial force 0.01 N, torque 0.1 mN·m (int16 each).
inline constexpr double kForceCountsPerNewton = 100.0;
inline constexpr double kTorqueCountsPerNewtonMetre = 10000.0;

// Handles in the interface's order: guide, sleeve, delivery catheter.
struct CatheterHandleForces {
  std::array<double, 3> axial_N{};  // resisting advance (positive pushes the handle back)
  std::array<double, 3> torque_Nm{};
};

// Output report 2 as it goes on the wire (report ID first), each value
// clamped to the int16 range; nullopt when the descriptor has no report 2.
std::optional<std::vector<std::uint8_t>> EncodeCatheterForces(const HidDescriptor& descriptor,
                                                              const CatheterHandleForces& forces);

}  // namespace teersim::devices
