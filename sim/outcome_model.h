// Outcome model: what a clip does to the patient's mitral valve, from the
// post-clip geometry (clinical-reference §2.1–2.3). Plain equations, no
// physics engine:
//
// 1. Coaptation line. Positions s along the line of coaptation, from the
//    antero-lateral (s < 0) to the postero-medial commissure (s > 0), in metres.
// 2. Regurgitant orifice (systole). The lesion leaves a gap g(s) across the
//    coaptation line over its width w centred at c, a flat-topped superellipse
//    (exponent p, see OutcomeModelConstants):
//        g(s) = g0 · (1 − |2(s − c)/w|^p)^(1/p),   g0 such that ∫ g ds = EROA₀.
//    A clip k at s_k closes the gap over its coapted zone of half-width
//        a_k = (arm_width/2 + b · min(ins_A, ins_P)) · cos(rotation error)
//    (b: tissue bridging per mm of the shallower bite [DESIGN]), and pulls the
//    leaflets together beside it with decay length λ_k = λ0 · min(ins)/6 mm:
//        g'(s) = g(s) · Π_k f_k(s),  f_k = 0 inside, 1 − exp(−(|s − s_k| − a_k)/λ_k) outside.
//    A clip with either bite < the attachment threshold holds one leaflet
//    only (single-leaflet device attachment, SLDA) and closes nothing.
//    Residual EROA = ∫ g' ds (numerical quadrature).
// 3. MR grade from EROA (§2.1 [S42] severe ≥ 0.40 cm²; mild/moderate bands
//    [BK]; 2+/3+ split at 0.30 cm² [BK]): 0 < 0.05, 1+ < 0.20, 2+ < 0.30,
//    3+ < 0.40, else 4+ (the 0/1+ split at 0.05 cm² is [DESIGN]).
// 4. Mitral valve area (diastole). The open orifice is an ellipse across the
//    intercommissural span with area MVA₀; in diastole only the arms hold the
//    leaflets shut (half-width arm_width/2 · cos(rotation error)) and the
//    opening beside them is restricted over a shorter decay length (the
//    bridged tissue still opens; double orifice). The free edge is tethered
//    at each clip and how far it opens at s is set by the nearest tether:
//        MVA = ∫ h(s) min_k f_k(s; arms, λ_k · opening_decay_fraction) ds.
//    (A product over clips would count the edge beside two adjacent clips as
//    held down twice; a clip placed on top of another would shrink the area.)
//    In systole (2.) the factors multiply: there each clip pulls the edges
//    together, and the gap left between two clips is narrowed from both
//    sides. (Two clips on one spot, which the arms cannot reach, would count
//    twice there.)
// 5. Mean transmitral gradient, Gorlin & Gorlin 1951 (Am Heart J 41:1) with
//    the mitral constant 44.3 × 0.85 = 37.7:
//        ΔP [mmHg] = ( Q [mL/s] / (37.7 · MVA [cm²]) )²,
//    Q = (forward stroke volume + regurgitant volume) / diastolic filling
//    period; regurgitant volume RVol = EROA · VTI_MR (PISA method, [BK]).
//    Reducing MR does not remove its volume from the diastolic inflow one to
//    one: the LV, no longer unloaded into the LA, ejects part of it forward
//    (forward stroke volume rises, total stroke volume falls):
//        SV_fwd = SV_fwd,0 + r · (RVol₀ − RVol),  0 ≤ r ≤ 1 ([DESIGN], r below).
//    With r = 0 the gradient fell after a good clip (the flow drop outweighed
//    the smaller area). The references: 1.6 → 3.1 mmHg typical (§2.3 [S47]);
//    Herrmann et al. (EuroIntervention 2009;4:437, 96 patients) measured MVA
//    6.0 → 3.6 cm² by planimetry and 1.7 → 4.1 mmHg, a gradient ratio close to
//    the inverse square of the area ratio, i.e. a diastolic inflow that hardly
//    fell (r near 1). A single central clip here leaves ~67 % of the MVA, as
//    there, but an adjacent second clip leaves ~54 % where that series found
//    no difference between one and two clips (a comparison between patients,
//    not within one), so r is bounded by the two-clip stock case
//    (p2_wide_prolapse, checked end to end in tests/sim): r = 0.4 raises a
//    central clip's gradient by ~0.6 mmHg (2.2 → 2.7 in p2_flail) and keeps
//    two adjacent clips in a 14 mm prolapse below 5 mmHg (2.4 → 4.3); r = 0.6
//    gives 2.2 → 3.4 but over 5 mmHg with two clips. A commissural clip barely
//    changes the gradient (central clips give higher gradients than
//    commissural ones [S49]).
#pragma once

#include <span>
#include <string>
#include <vector>

namespace teersim::sim {

struct ValveLesion {
  double eroa_m2 = 0.0;   // baseline effective regurgitant orifice area
  double centre_m = 0.0;  // jet origin along the coaptation line
  double width_m = 0.0;   // lesion width along the line (flail width / gap extent)
};

struct ValveGeometry {
  double intercommissural_m = 0.035;  // commissure-to-commissure span
  double baseline_mva_m2 = 5.0e-4;    // open diastolic area before any clip
};

struct Haemodynamics {
  double heart_rate_hz = 70.0 / 60.0;
  double forward_stroke_volume_m3 = 70e-6;  // [BK] 70 mL
  double mr_vti_m = 1.4;                    // MR jet velocity-time integral [BK] ~140 cm
  double systolic_duration_s = 0.33;        // diastole = cycle − systole [BK]
};

struct ClipPlacement {
  double position_m = 0.0;          // along the coaptation line
  double rotation_error_rad = 0.0;  // arms vs the perpendicular to the coaptation line
  double insertion_anterior_m = 0.0;
  double insertion_posterior_m = 0.0;
  double arm_width_m = 0.004;  // NT/XT 4 mm, NTW/XTW 6 mm (§1.2 [BK])
};

struct OutcomeModelConstants {
  // Shape of the regurgitant gap along the line: a superellipse with this
  // exponent [DESIGN]; a flail or prolapsing segment leaves a nearly uniform
  // gap across its width that narrows only at its edges.
  double lesion_profile_exponent = 4.0;
  // Tissue bridged beside the arms per metre of the shallower bite [DESIGN]:
  // a 6 mm bite coapts ~0.6 mm each side of a 4 mm arm.
  double bridging_per_insertion = 0.1;
  // Decay length of leaflet approximation beyond the coapted zone at a 6 mm
  // bite [DESIGN]; scales with the shallower bite.
  double approximation_length_m = 0.0015;
  double reference_insertion_m = 0.006;
  // In diastole the opening beside the arms is restricted over this multiple
  // of the systolic decay length [DESIGN].
  //
  // Calibration of these [DESIGN] constants (tests/sim): one clip fixes
  // a 10 mm flail to <= 1+ with the typical gradient rise (1.6 -> 3.1 ± 1.5
  // mmHg, §2.3 [S47]); one clip leaves a 14 mm prolapse at >= 2+ and two
  // spread clips bring it to <= 1+ below 5 mmHg (§1.1 step 12).
  double opening_decay_fraction = 1.5;
  // Fraction r of the abolished regurgitant volume the LV ejects forward
  // after the clip (see 5. above) [DESIGN], calibrated with the four above
  // and bounded by the two-clip case (see 5.).
  double forward_recovery_fraction = 0.4;
  // Below this bite on either leaflet the clip holds one leaflet (SLDA) [DESIGN].
  double attachment_threshold_m = 0.002;
  int quadrature_points = 2001;
};

struct Outcome {
  double eroa_m2 = 0.0;
  int mr_grade = 0;  // 0..4
  double regurgitant_volume_m3 = 0.0;
  double mva_m2 = 0.0;
  double mean_gradient_mmHg = 0.0;
  bool slda = false;               // some clip attached to one leaflet only
  bool stenosis_flag = false;      // MVA ≤ 1.5 cm² or gradient > 5 mmHg (§2.3 [S16,S48])
  std::vector<std::string> flags;  // "gradient_over_5_mmHg", "mva_at_or_below_1_5_cm2", "slda"
};

// MR grade (0–4) for an EROA (§2.1 thresholds, see above).
int MrGradeFromEroa(double eroa_m2);

// Iatrogenic stenosis after clipping (§2.3): a mean gradient over 5 mmHg
// [S48], and the EVEREST criterion MVA ≤ 1.5 cm² [S16].
inline constexpr double kHighGradient_mmHg = 5.0;
inline constexpr double kStenosisMva_m2 = 1.5e-4;
constexpr bool GradientOverLimit(double mean_gradient_mmHg) {
  return mean_gradient_mmHg > kHighGradient_mmHg;
}
constexpr bool MvaAtOrBelowLimit(double mva_m2) { return mva_m2 <= kStenosisMva_m2; }

// Gorlin: mean gradient (mmHg) for a flow (m³/s) through an area (m²).
double GorlinMeanGradient_mmHg(double flow_m3_per_s, double area_m2);

Outcome EvaluateOutcome(const ValveLesion& lesion, const ValveGeometry& geometry,
                        const Haemodynamics& haemodynamics, const std::vector<ClipPlacement>& clips,
                        const OutcomeModelConstants& constants = {});
// The same without `flags`: allocates nothing (for Step). At most
// kMaxOutcomeClips clips are taken into account.
inline constexpr std::size_t kMaxOutcomeClips = 8;
Outcome EvaluateOutcomeValues(const ValveLesion& lesion, const ValveGeometry& geometry,
                              const Haemodynamics& haemodynamics,
                              std::span<const ClipPlacement> clips,
                              const OutcomeModelConstants& constants = {});

}  // namespace teersim::sim
