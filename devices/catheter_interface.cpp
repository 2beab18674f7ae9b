#include "devices/catheter_interface.h"

#include <algorithm>
#include <cmath>

#include "devices/hid_report.h"

namespace teersim::devices {
namespace {

constexpr std::uint16_t kFirstForceUsage = 0x21;   // axial: guide, sleeve, delivery
constexpr std::uint16_t kFirstTorqueUsage = 0x24;  // torque: guide, sleeve, delivery
constexpr double kInt16Max = 32767.0;

std::int64_t Counts(double value, double per_unit) {
  if (!std::isfinite(value)) return 0;  // a fault upstream must not jerk the handle
  return static_cast<std::int64_t>(
      std::lround(std::clamp(value * per_unit, -kInt16Max, kInt16Max)));
}

}  // namespace

std::optional<std::vector<std::uint8_t>> EncodeCatheterForces(const HidDescriptor& descriptor,
                                                              const CatheterHandleForces& forces) {
  std::vector<std::pair<std::uint32_t, std::int64_t>> values;
  for (std::uint16_t i = 0; i < 3; ++i) {
    values.emplace_back(
        HidUsage(kCatheterInterfacePage, static_cast<std::uint16_t>(kFirstForceUsage + i)),
        Counts(forces.axial_N[i], kForceCountsPerNewton));
    values.emplace_back(
        HidUsage(kCatheterInterfacePage, static_cast<std::uint16_t>(kFirstTorqueUsage + i)),
        Counts(forces.torque_Nm[i], kTorqueCountsPerNewtonMetre));
  }
  return EncodeHidReport(descriptor, HidReportKind::kOutput, kCatheterForceReportId, values);
}

}  // namespace teersim::devices
