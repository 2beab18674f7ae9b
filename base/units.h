// SI units inside teersim: metres, kilograms, seconds, newtons, pascals,
// radians. Non-SI values exist only at the edges (case files, CLI output), with
// the unit in the name (length_mm, angle_deg, diameter_Fr), and are converted
// once with these constants.
#pragma once

#include <numbers>

namespace teersim::units {

inline constexpr double kMetresPerMillimetre = 1e-3;
inline constexpr double kMetresPerCentimetre = 1e-2;
// French catheter gauge: 1 Fr = 1/3 mm outer diameter (clinical-reference §1.3).
inline constexpr double kMetresPerFrench = 1e-3 / 3.0;
inline constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;
inline constexpr double kSquareMetresPerSquareCentimetre = 1e-4;
// 1 mmHg = 133.322 Pa (conventional millimetre of mercury).
inline constexpr double kPascalsPerMmHg = 133.322387415;

constexpr double MmToM(double length_mm) { return length_mm * kMetresPerMillimetre; }
constexpr double MToMm(double length_m) { return length_m / kMetresPerMillimetre; }
constexpr double DegToRad(double angle_deg) { return angle_deg * kRadiansPerDegree; }
constexpr double RadToDeg(double angle_rad) { return angle_rad / kRadiansPerDegree; }
constexpr double FrToM(double diameter_Fr) { return diameter_Fr * kMetresPerFrench; }

}  // namespace teersim::units
