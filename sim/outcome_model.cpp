#include "sim/outcome_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "base/units.h"

namespace teersim::sim {
namespace {

// Gorlin constant for the mitral valve: 44.3 × 0.85 (Gorlin & Gorlin 1951).
constexpr double kGorlinMitralConstant = 37.7;
constexpr double kMillilitresPerCubicMetre = 1e6;
constexpr double kSquareCentimetresPerSquareMetre = 1e4;
// MR grade thresholds on EROA (cm²), see the header.
constexpr double kGrade1Eroa_cm2 = 0.05, kGrade2Eroa_cm2 = 0.20, kGrade3Eroa_cm2 = 0.30,
                 kGrade4Eroa_cm2 = 0.40;

// Superellipse (1 − |u|^p)^(1/p) of half-width `half` centred at `centre`,
// unit peak; p = 2 is the ellipse, larger p flatter.
double Superellipse(double s, double centre, double half, double exponent) {
  const double u = std::fabs((s - centre) / half);
  return u >= 1.0 ? 0.0 : std::pow(1.0 - std::pow(u, exponent), 1.0 / exponent);
}
constexpr double kEllipseExponent = 2.0;

// How much of the local gap/opening a clip leaves: 0 in its zone, rising to 1 away from it.
double ClipFactor(double s, double centre, double half_zone, double decay) {
  const double beyond = std::fabs(s - centre) - half_zone;
  if (beyond <= 0.0) return 0.0;
  return 1.0 - std::exp(-beyond / decay);
}

struct EffectiveClip {
  double centre, half_zone, decay, half_arms;
};

}  // namespace

int MrGradeFromEroa(double eroa_m2) {
  const double eroa_cm2 = eroa_m2 * kSquareCentimetresPerSquareMetre;
  if (eroa_cm2 < kGrade1Eroa_cm2) return 0;
  if (eroa_cm2 < kGrade2Eroa_cm2) return 1;
  if (eroa_cm2 < kGrade3Eroa_cm2) return 2;
  if (eroa_cm2 < kGrade4Eroa_cm2) return 3;
  return 4;
}

double GorlinMeanGradient_mmHg(double flow_m3_per_s, double area_m2) {
  if (!(area_m2 > 0.0)) return INFINITY;
  const double flow_ml_per_s = flow_m3_per_s * kMillilitresPerCubicMetre;
  const double area_cm2 = area_m2 * kSquareCentimetresPerSquareMetre;
  const double root = flow_ml_per_s / (kGorlinMitralConstant * area_cm2);
  return root * root;
}

Outcome EvaluateOutcomeValues(const ValveLesion& lesion, const ValveGeometry& geometry,
                              const Haemodynamics& haemodynamics,
                              std::span<const ClipPlacement> clips,
                              const OutcomeModelConstants& constants) {
  Outcome outcome;
  // Clips that hold both leaflets, with their coapted zone and reach (a fixed
  // array: Step calls this and must not allocate).
  std::array<EffectiveClip, kMaxOutcomeClips> effective_storage{};
  std::size_t effective_count = 0;
  for (const auto& clip : clips.first(std::min(clips.size(), kMaxOutcomeClips))) {
    const double bite = std::min(clip.insertion_anterior_m, clip.insertion_posterior_m);
    if (bite < constants.attachment_threshold_m) {
      outcome.slda = true;
      continue;
    }
    const double alignment = std::max(std::cos(clip.rotation_error_rad), 0.0);
    const double half_zone =
        (clip.arm_width_m / 2.0 + constants.bridging_per_insertion * bite) * alignment;
    const double decay = constants.approximation_length_m * bite / constants.reference_insertion_m;
    effective_storage[effective_count++] = {clip.position_m, half_zone, std::max(decay, 1e-6),
                                            clip.arm_width_m / 2.0 * alignment};
  }
  const std::span<const EffectiveClip> effective(effective_storage.data(), effective_count);
  // Systole: the coapted zone is shut and the gap narrows beside it.
  const auto regurgitant_left = [&](double s) {
    double factor = 1.0;
    for (const auto& clip : effective)
      factor *= ClipFactor(s, clip.centre, clip.half_zone, clip.decay);
    return factor;
  };
  // Diastole: only the arms hold the leaflets shut; the bridged tissue beside
  // them still opens, restricted over a shorter length. The free edge is
  // tethered at each clip, and how far it can open at s is set by the nearest
  // tether (the minimum over clips), not by every clip at once: a second clip
  // beside the first restricts edge that the first already holds down.
  const auto opening_left = [&](double s) {
    double factor = 1.0;
    for (const auto& clip : effective) {
      factor = std::min(factor, ClipFactor(s, clip.centre, clip.half_arms,
                                           clip.decay * constants.opening_decay_fraction));
    }
    return factor;
  };

  // Integrate gap and opening profiles over the intercommissural span
  // (trapezoid rule); each profile is normalised so that without clips it
  // integrates to the lesion's EROA and the baseline MVA exactly.
  const double half_span = geometry.intercommissural_m / 2.0;
  const int points = std::max(constants.quadrature_points, 3);
  const double ds = geometry.intercommissural_m / (points - 1);
  double gap_shape = 0.0, open_shape = 0.0, gap_left = 0.0, open_left = 0.0;
  for (int i = 0; i < points; ++i) {
    const double s = -half_span + i * ds;
    const double weight = (i == 0 || i == points - 1) ? 0.5 * ds : ds;
    const double gap =
        Superellipse(s, lesion.centre_m, lesion.width_m / 2.0, constants.lesion_profile_exponent);
    const double open = Superellipse(s, 0.0, half_span, kEllipseExponent);
    gap_shape += weight * gap;
    open_shape += weight * open;
    gap_left += weight * gap * regurgitant_left(s);
    open_left += weight * open * opening_left(s);
  }
  const double eroa = gap_shape > 0.0 ? lesion.eroa_m2 * gap_left / gap_shape : 0.0;
  const double mva = open_shape > 0.0 ? geometry.baseline_mva_m2 * open_left / open_shape : 0.0;
  outcome.eroa_m2 = eroa;
  outcome.mva_m2 = mva;
  outcome.mr_grade = MrGradeFromEroa(eroa);

  // Gorlin gradient with the diastolic flow, regurgitant volume included.
  outcome.regurgitant_volume_m3 = eroa * haemodynamics.mr_vti_m;
  const double cycle_s = 1.0 / haemodynamics.heart_rate_hz;
  const double diastole_s = std::max(cycle_s - haemodynamics.systolic_duration_s, 0.1 * cycle_s);
  const double baseline_regurgitant_m3 = lesion.eroa_m2 * haemodynamics.mr_vti_m;
  const double forward_m3 =
      haemodynamics.forward_stroke_volume_m3 +
      constants.forward_recovery_fraction *
          std::max(baseline_regurgitant_m3 - outcome.regurgitant_volume_m3, 0.0);
  const double flow = (forward_m3 + outcome.regurgitant_volume_m3) / diastole_s;
  outcome.mean_gradient_mmHg = GorlinMeanGradient_mmHg(flow, mva);
  outcome.stenosis_flag = GradientOverLimit(outcome.mean_gradient_mmHg) || MvaAtOrBelowLimit(mva);
  return outcome;
}

Outcome EvaluateOutcome(const ValveLesion& lesion, const ValveGeometry& geometry,
                        const Haemodynamics& haemodynamics, const std::vector<ClipPlacement>& clips,
                        const OutcomeModelConstants& constants) {
  Outcome outcome = EvaluateOutcomeValues(lesion, geometry, haemodynamics, clips, constants);
  const double mva = outcome.mva_m2;
  if (outcome.slda) outcome.flags.emplace_back("slda");
  if (GradientOverLimit(outcome.mean_gradient_mmHg))
    outcome.flags.emplace_back("gradient_over_5_mmHg");
  if (MvaAtOrBelowLimit(mva)) outcome.flags.emplace_back("mva_at_or_below_1_5_cm2");
  return outcome;
}

}  // namespace teersim::sim
