// Outcome model (sim/outcome_model.h): Gorlin's equation, MR grading
// thresholds, and the clip's effect on EROA, MVA and gradient.
#include "sim/outcome_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace teersim::sim {
namespace {

constexpr double kCm2 = 1e-4;  // m² per cm²
constexpr double kMm = 1e-3;
constexpr double kDeg = 3.141592653589793 / 180.0;

// A typical degenerative lesion: EROA 0.5 cm², 10 mm wide, centred (A2/P2).
const ValveLesion kLesion{0.5 * kCm2, 0.0, 10 * kMm};

ClipPlacement GoodClip(double position_m = 0.0) { return {position_m, 5 * kDeg, 8 * kMm, 8 * kMm, 4 * kMm}; }

Outcome Evaluate(const std::vector<ClipPlacement>& clips, ValveLesion lesion = kLesion) {
  return EvaluateOutcome(lesion, ValveGeometry{}, Haemodynamics{}, clips);
}

TEST(OutcomeModel, GorlinEquation) {
  // ΔP = (Q / (37.7 · MVA))², Gorlin & Gorlin 1951: 150.8 mL/s through 2 cm² gives 4 mmHg.
  EXPECT_NEAR(GorlinMeanGradient_mmHg(150.8e-6, 2.0 * kCm2), 4.0, 1e-9);
  // Halving the area quadruples the gradient.
  EXPECT_NEAR(GorlinMeanGradient_mmHg(100e-6, 1.0 * kCm2) / GorlinMeanGradient_mmHg(100e-6, 2.0 * kCm2), 4.0, 1e-12);
}

TEST(OutcomeModel, MrGradeThresholds) {
  // §2.1: severe >= 0.40 cm² [S42]; mild < 0.20, moderate 0.20–0.39 [BK].
  EXPECT_EQ(MrGradeFromEroa(0.0), 0);
  EXPECT_EQ(MrGradeFromEroa(0.10 * kCm2), 1);
  EXPECT_EQ(MrGradeFromEroa(0.25 * kCm2), 2);
  EXPECT_EQ(MrGradeFromEroa(0.35 * kCm2), 3);
  EXPECT_EQ(MrGradeFromEroa(0.40 * kCm2), 4);
}

TEST(OutcomeModel, BaselineReproducesTheLesion) {
  const Outcome baseline = Evaluate({});
  // The elliptic gap profile integrates back to the lesion's EROA.
  EXPECT_NEAR(baseline.eroa_m2 / kCm2, 0.5, 0.005);
  EXPECT_EQ(baseline.mr_grade, 4);
  EXPECT_NEAR(baseline.mva_m2 / kCm2, 5.0, 0.05);
  // Baseline gradient 1.6 ± 1.0 mmHg (§2.3 [S47]).
  EXPECT_GT(baseline.mean_gradient_mmHg, 0.6);
  EXPECT_LT(baseline.mean_gradient_mmHg, 2.6);
  EXPECT_TRUE(baseline.flags.empty());
}

TEST(OutcomeModel, GoodClipGivesTypicalResult) {
  const Outcome baseline = Evaluate({});
  const Outcome clipped = Evaluate({GoodClip()});
  EXPECT_LE(clipped.mr_grade, 1);  // optimal result ≤ 1+ (§2.2 [S44])
  EXPECT_LT(clipped.mva_m2, baseline.mva_m2);
  // After the clip 3.1 ± 1.5 mmHg (§2.3 [S47]); not flagged.
  EXPECT_GT(clipped.mean_gradient_mmHg, 1.6);
  EXPECT_LT(clipped.mean_gradient_mmHg, 4.6);
  // ... and it rises by a fifth or more: the smaller double orifice
  // outweighs the lost regurgitant inflow (1.6 -> 3.1 mmHg, §2.3 [S47]; the
  // two-clip bound on r in the header keeps it below that typical rise).
  EXPECT_GT(clipped.mean_gradient_mmHg, 1.2 * baseline.mean_gradient_mmHg);
  EXPECT_GT(clipped.mva_m2 / kCm2, 1.5);
  EXPECT_FALSE(clipped.stenosis_flag);
}

TEST(OutcomeModel, WorsePlacementLeavesMoreRegurgitation) {
  const double centred = Evaluate({GoodClip()}).eroa_m2;
  const double off_target = Evaluate({GoodClip(6 * kMm)}).eroa_m2;
  EXPECT_GT(off_target, centred + 0.1 * kCm2);
  ClipPlacement rotated = GoodClip();
  rotated.rotation_error_rad = 60 * kDeg;
  EXPECT_GT(Evaluate({rotated}).eroa_m2, centred);
  // Deeper bites never leave more regurgitation (monotone in insertion).
  double previous = INFINITY;
  for (double insertion_mm = 2.5; insertion_mm <= 10.0; insertion_mm += 0.5) {
    ClipPlacement clip = GoodClip();
    clip.insertion_anterior_m = clip.insertion_posterior_m = insertion_mm * kMm;
    const double eroa = Evaluate({clip}).eroa_m2;
    EXPECT_LE(eroa, previous + 1e-12) << insertion_mm;
    previous = eroa;
  }
}

TEST(OutcomeModel, SingleLeafletAttachmentClosesNothingAndIsFlagged) {
  ClipPlacement slda = GoodClip();
  slda.insertion_posterior_m = 1 * kMm;
  const Outcome outcome = Evaluate({slda});
  EXPECT_TRUE(outcome.slda);
  EXPECT_THAT(outcome.flags, ::testing::Contains("slda"));
  EXPECT_NEAR(outcome.eroa_m2, Evaluate({}).eroa_m2, 1e-12);
}

TEST(OutcomeModel, SecondClipLowersMrAndRaisesGradient) {
  // Wide prolapse (15 mm): one clip leaves a residual jet, two close it,
  // at the cost of a higher gradient (§2.3 [S19]: multiple clips).
  const ValveLesion wide{0.6 * kCm2, 0.0, 15 * kMm};
  const Outcome one = Evaluate({GoodClip(-1 * kMm)}, wide);
  const Outcome two = Evaluate({GoodClip(-4 * kMm), GoodClip(5 * kMm)}, wide);
  EXPECT_LT(two.eroa_m2, one.eroa_m2);
  EXPECT_LE(two.mr_grade, one.mr_grade);
  EXPECT_GT(two.mean_gradient_mmHg, one.mean_gradient_mmHg);
  EXPECT_LT(two.mva_m2, one.mva_m2);
}

TEST(OutcomeModel, TheNearestClipSetsTheDiastolicOpening) {
  // The edge opens as far as its nearest tether allows: a clip placed on top
  // of another holds nothing more down (a product over clips would shrink the
  // area), and an adjacent second clip costs less area than the first did.
  const Outcome none = Evaluate({});
  const Outcome one = Evaluate({GoodClip()});
  const Outcome stacked = Evaluate({GoodClip(), GoodClip()});
  EXPECT_NEAR(stacked.mva_m2, one.mva_m2, 1e-12);
  const Outcome adjacent = Evaluate({GoodClip(), GoodClip(5.5 * kMm)});
  EXPECT_LT(adjacent.mva_m2, one.mva_m2);
  EXPECT_LT(one.mva_m2 - adjacent.mva_m2, none.mva_m2 - one.mva_m2);
}

TEST(OutcomeModel, StenosisIsFlagged) {
  // Three clips side by side in a small valve: iatrogenic stenosis (§2.3 [S16]).
  ValveGeometry small;
  small.baseline_mva_m2 = 3.5 * kCm2;
  const Outcome outcome = EvaluateOutcome(kLesion, small, Haemodynamics{},
                                          {GoodClip(-7 * kMm), GoodClip(0.0), GoodClip(7 * kMm)});
  EXPECT_TRUE(outcome.stenosis_flag);
  EXPECT_GT(outcome.mean_gradient_mmHg, 5.0);
  EXPECT_THAT(outcome.flags, ::testing::Contains("gradient_over_5_mmHg"));
}

}  // namespace
}  // namespace teersim::sim
