// The generated anatomy of every stock case: closed outward meshes, measured
// numbers inside the published ranges each case cites (clinical-reference
// §1.3 and §5, source tags below), measurements that follow the case's
// parameters, plausible relative placement, and determinism.
#include "scenes/anatomy.h"

#include <gtest/gtest.h>

#include <map>

#include "scenes/anatomy_measurements.h"
#include "scenes/case_library.h"

namespace teersim::scenes {
namespace {

struct PublishedRange {
  double min, max;
  const char* source;  // clinical-reference row and tag
};

// Ranges that hold for every stock case. Mean ± 2 SD where a source gives
// mean ± SD.
const std::map<std::string, PublishedRange>& CommonRanges() {
  static const std::map<std::string, PublishedRange> kRanges{
      // §1.3 [S25] CSA 114 ± 35 mm² → 44–184 mm² → 7.5–15.3 mm equivalent diameter.
      {"femoral_vein_diameter_mm", {7.5, 15.3, "§1.3 S25"}},
      {"ivc_diameter_mm", {15.0, 25.0, "§1.3 S29 (TEE 1.5–2.5 cm)"}},
      {"ra_diameter_mm", {29.0, 45.0, "§1.3 S29 (minor axis 2.9–4.5 cm)"}},
      // §1.3 [S29] normal from 27 mm; [S37] TEER 51 ± 9 mm → up to 69 mm.
      {"la_diameter_mm", {27.0, 69.0, "§1.3 S29, S37"}},
      {"septum_thickness_mm", {2.0, 10.0, "§1.3 S32 (6 ± 2 mm)"}},
      {"fossa_thickness_mm", {0.4, 3.2, "§1.3 S32 (1.8 ± 0.7 mm)"}},
      {"fossa_width_mm", {9.0, 25.4, "§1.3 S33 (17.2 ± 4.1 mm)"}},
      {"fossa_height_mm", {5.1, 20.3, "§1.3 S33 (12.7 ± 3.8 mm)"}},
      {"fossa_to_annulus_mm", {35.0, 45.0, "§1.3 BK (3.5–4.5 cm), S8"}},
      {"annulus_ap_mm", {22.0, 36.0, "§1.3 S35b (AP 22–36 mm)"}},
      {"annulus_ic_mm", {27.0, 46.0, "§1.3 S35b (IC 27–46 mm)"}},
      {"anterior_leaflet_length_mm", {22.0, 26.0, "§1.3 BK (22–26 mm), S38"}},
      {"posterior_leaflet_length_mm", {10.0, 15.0, "§1.3 S39 (>= 10 mm optimal), BK (12–15 mm)"}},
      {"eroa_cm2", {0.40, INFINITY, "§2.1 S42 (severe primary MR >= 0.40 cm²)"}},
      {"flail_gap_mm", {0.0, 10.0, "§1.3 S40 (flail gap < 10 mm)"}},
      {"flail_width_mm", {0.0, 15.0, "§1.3 S40 (flail width < 15 mm)"}},
      {"prolapse_gap_mm", {0.0, 10.0, "§1.3 S40, S2 (< 10 mm)"}},
      {"prolapse_width_mm", {0.0, 15.0, "§1.3 S40 (< 15 mm)"}},
      {"coaptation_gap_mm", {0.0, 2.0, "§1.3 S2 (gap < 2 mm)"}},
  };
  return kRanges;
}

// Where a case's teaching point is the abnormal value, it cites its own row.
const std::map<std::string, std::map<std::string, PublishedRange>>& CaseRanges() {
  static const std::map<std::string, std::map<std::string, PublishedRange>> kRanges{
      {"thick_septum",
       {{"septum_thickness_mm", {15.0, 20.0, "§1.3 S33d (lipomatous > 15–20 mm)"}}}},
      {"large_la_low_septum",
       {{"fossa_to_annulus_mm", {25.0, 35.0, "below the §1.3 BK window of 3.5–4.5 cm"}},
        {"la_diameter_mm", {40.0, 69.0, "§1.3 S29 (enlarged > 40 mm), S37"}}}},
      {"functional_dilated",
       {{"annulus_ap_mm", {32.0, 36.0, "§5 S35c (FMR AP 32–36 mm)"}},
        {"annulus_ic_mm", {40.0, 44.0, "§1.3 S35c (FMR AL–PM 41–44 mm; §5 40–43)"}},
        {"eroa_cm2", {0.20, INFINITY, "§2.1 S43 (severe secondary MR >= 0.20 cm²)"}}}},
  };
  return kRanges;
}

// Keys every stock case must report, and the lesion keys by lesion.
const std::vector<std::string> kAlwaysMeasured{"femoral_vein_diameter_mm",
                                               "ivc_diameter_mm",
                                               "ra_diameter_mm",
                                               "la_diameter_mm",
                                               "septum_thickness_mm",
                                               "fossa_thickness_mm",
                                               "fossa_width_mm",
                                               "fossa_height_mm",
                                               "fossa_to_annulus_mm",
                                               "annulus_ap_mm",
                                               "annulus_ic_mm",
                                               "anterior_leaflet_length_mm",
                                               "posterior_leaflet_length_mm",
                                               "eroa_cm2"};

struct CaseAndAnatomy {
  CaseDescription description;
  Anatomy anatomy;
  AnatomyMeasurements measured;
};

const std::vector<CaseAndAnatomy>& StockAnatomies() {
  static const std::vector<CaseAndAnatomy> kAll = [] {
    std::vector<CaseAndAnatomy> all;
    for (auto& description : ListStockCases()) {
      Anatomy anatomy = GenerateAnatomy(description.anatomy.parameters, description.seed);
      AnatomyMeasurements measured =
          MeasureAnatomy(anatomy, MeasuredLesionOf(description.anatomy.parameters));
      all.push_back({std::move(description), std::move(anatomy), std::move(measured)});
    }
    return all;
  }();
  return kAll;
}

TEST(StockAnatomy, AtLeastSixCasesWithTheDefault) { EXPECT_GE(StockAnatomies().size(), 6u); }

TEST(StockAnatomy, EveryMeshIsClosedAndOutward) {
  for (const auto& c : StockAnatomies()) {
    EXPECT_GE(c.anatomy.structures.size(), 18u) << c.description.name;
    for (const auto& s : c.anatomy.structures) {
      for (const TriangleMesh* mesh : {&s.collision, &s.render}) {
        const ClosednessReport report = CheckClosed(*mesh);
        EXPECT_TRUE(report.Closed())
            << c.description.name << " " << s.name << ": " << report.boundary_edges << " boundary, "
            << report.nonmanifold_edges << " non-manifold, " << report.inconsistent_edges
            << " inconsistent, " << report.degenerate_triangles << " degenerate";
        EXPECT_GT(SignedVolume(*mesh), 0.0) << c.description.name << " " << s.name;
      }
      // Collision meshes are the coarse ones.
      EXPECT_LT(s.collision.triangles.size(), s.render.triangles.size()) << s.name;
    }
  }
}

TEST(StockAnatomy, MeasuredNumbersLieInTheirPublishedRanges) {
  for (const auto& c : StockAnatomies()) {
    const std::string& name = c.description.name;
    for (const auto& key : kAlwaysMeasured)
      EXPECT_TRUE(c.measured.Get(key)) << name << " lacks " << key;
    for (const auto& m : c.measured.values) {
      PublishedRange range = CommonRanges().at(m.key);
      const auto overrides = CaseRanges().find(name);
      if (overrides != CaseRanges().end() && overrides->second.count(m.key))
        range = overrides->second.at(m.key);
      EXPECT_GE(m.value, range.min) << name << " " << m.key << " [" << range.source << "]";
      EXPECT_LE(m.value, range.max) << name << " " << m.key << " [" << range.source << "]";
    }
  }
}

TEST(StockAnatomy, LesionKeysMatchTheLesion) {
  for (const auto& c : StockAnatomies()) {
    const auto& p = c.description.anatomy.parameters;
    const MeasuredLesion lesion = MeasuredLesionOf(p);
    EXPECT_NE(lesion, MeasuredLesion::kNone)
        << c.description.name << ": every stock case has a lesion";
    EXPECT_EQ(c.measured.Get("flail_gap_mm").has_value(), lesion == MeasuredLesion::kFlail);
    EXPECT_EQ(c.measured.Get("prolapse_gap_mm").has_value(), lesion == MeasuredLesion::kProlapse);
    EXPECT_EQ(c.measured.Get("coaptation_gap_mm").has_value(),
              lesion == MeasuredLesion::kFunctional);
  }
}

// Measurements follow the case parameters. Tolerances: 0.3 mm for sizes set
// directly (mesh discretisation), 3% for the vessels (inscribed polygons),
// 1 mm for the lesion gap and 1.5 mm for its width (the blended lesion edge).
constexpr double kDirectTolerance_mm = 0.3;
constexpr double kVesselTolerance = 0.03;
constexpr double kGapTolerance_mm = 1.0;
constexpr double kWidthTolerance_mm = 1.5;

TEST(StockAnatomy, MeasurementsFollowTheCaseParameters) {
  for (const auto& c : StockAnatomies()) {
    const auto& p = c.description.anatomy.parameters;
    const auto& m = c.measured;
    const std::string& name = c.description.name;
    EXPECT_NEAR(*m.Get("fossa_to_annulus_mm"), p.fossa_above_annulus_m * 1e3, kDirectTolerance_mm)
        << name;
    EXPECT_NEAR(*m.Get("septum_thickness_mm"), p.septum_thickness_m * 1e3, kDirectTolerance_mm)
        << name;
    EXPECT_NEAR(*m.Get("fossa_thickness_mm"), p.fossa_thickness_m * 1e3, kDirectTolerance_mm)
        << name;
    EXPECT_NEAR(*m.Get("fossa_width_mm"), p.fossa_width_m * 1e3, kDirectTolerance_mm) << name;
    EXPECT_NEAR(*m.Get("annulus_ap_mm"), p.annulus_ap_m * 1e3, kDirectTolerance_mm) << name;
    EXPECT_NEAR(*m.Get("annulus_ic_mm"), p.annulus_ic_m * 1e3, kDirectTolerance_mm) << name;
    EXPECT_NEAR(*m.Get("la_diameter_mm"), p.la_diameter_m * 1e3, kDirectTolerance_mm) << name;
    EXPECT_NEAR(*m.Get("femoral_vein_diameter_mm") / (p.femoral_vein_diameter_m * 1e3), 1.0,
                kVesselTolerance);
    if (p.degenerative.kind != DegenerativeKind::kNone) {
      const std::string prefix =
          p.degenerative.kind == DegenerativeKind::kFlail ? "flail" : "prolapse";
      const double gap = *m.Get(prefix + "_gap_mm"), width = *m.Get(prefix + "_width_mm");
      EXPECT_NEAR(gap, p.degenerative.gap_m * 1e3, kGapTolerance_mm) << name;
      EXPECT_NEAR(width, p.degenerative.width_m * 1e3, kWidthTolerance_mm) << name;
      // The orifice is the gap integrated over the width: at most their product.
      EXPECT_LE(*m.Get("eroa_cm2"), gap * width / 100.0) << name;
      EXPECT_GE(*m.Get("eroa_cm2"), 0.5 * gap * width / 100.0) << name;
    }
    if (p.functional.present) {
      EXPECT_NEAR(*m.Get("coaptation_gap_mm"), p.functional.coaptation_gap_m * 1e3,
                  kGapTolerance_mm)
          << name;
    }
  }
}

TEST(Anatomy, CompetentValveHasNoOrifice) {
  const Anatomy anatomy = GenerateAnatomy(AnatomyParameters{}, 1);
  const auto measured = MeasureAnatomy(anatomy, MeasuredLesion::kNone);
  EXPECT_LT(*measured.Get("eroa_cm2"), 0.01);
}

TEST(Anatomy, FossaHeightMovesWithItsParameter) {
  AnatomyParameters low, high;
  low.fossa_above_annulus_m = 0.033;
  high.fossa_above_annulus_m = 0.045;
  const double measured_low =
      *MeasureAnatomy(GenerateAnatomy(low, 1), MeasuredLesion::kNone).Get("fossa_to_annulus_mm");
  const double measured_high =
      *MeasureAnatomy(GenerateAnatomy(high, 1), MeasuredLesion::kNone).Get("fossa_to_annulus_mm");
  EXPECT_NEAR(measured_high - measured_low, 12.0, kDirectTolerance_mm);
}

// Relative placement in the patient frame (LPS: +x left, +y posterior, +z superior).
TEST(Anatomy, RelativePlacementIsAnatomicallyPlausible) {
  for (const auto& c : StockAnatomies()) {
    const Anatomy& a = c.anatomy;
    const std::string& name = c.description.name;
    const Vec3 fossa = a.Landmark("fossa_centre"), septum = a.Landmark("septum_centre");
    const Vec3 posterior_in_septum = Normalized(a.Landmark("fossa_posterior_axis_tip") - fossa);
    const Vec3 superior_in_septum = Normalized(a.Landmark("fossa_superior_axis_tip") - fossa);
    // The fossa sits posterior and inferior in the septum.
    EXPECT_GT(Dot(fossa - septum, posterior_in_septum), 0.0) << name;
    EXPECT_LT(Dot(fossa - septum, superior_in_septum), 0.0) << name;
    EXPECT_GT(posterior_in_septum[1], 0.0) << name;
    // The aortic valve is anterior to the fossa.
    EXPECT_LT(a.Landmark("aortic_valve_centre")[1], fossa[1]) << name;
    // The IVC enters the RA from below; the SVC from above.
    EXPECT_LT(a.Landmark("ivc_ra_junction")[2], a.Landmark("ra_centre")[2]) << name;
    EXPECT_GT(a.Landmark("svc_ra_junction")[2], a.Landmark("ra_centre")[2]) << name;
    // The LA is posterior and left of the RA; the septal normal points into the LA.
    EXPECT_GT(a.Landmark("la_centre")[1], a.Landmark("ra_centre")[1]) << name;
    EXPECT_GT(a.Landmark("la_centre")[0], a.Landmark("ra_centre")[0]) << name;
    // The annular plane faces the apex: anterior, inferior and leftward.
    const Vec3 to_apex = a.Landmark("lv_apex") - a.Landmark("annulus_centre");
    EXPECT_GT(to_apex[0], 0.0) << name;
    EXPECT_LT(to_apex[1], 0.0) << name;
    EXPECT_LT(to_apex[2], 0.0) << name;
    // The oesophagus (TEE probe) is behind the LA, the spine behind that.
    EXPECT_GT(a.Landmark("tee_mid_oesophageal")[1], a.Landmark("la_centre")[1]) << name;
    EXPECT_GT(a.FindPolyline("spine")->points_m.front()[1], a.Landmark("tee_mid_oesophageal")[1])
        << name;
    // The venous route runs from the groin (far below) up to the RA.
    const auto& route = a.FindPolyline("venous_centreline")->points_m;
    EXPECT_LT(route.front()[2], -0.3) << name;
    EXPECT_LT(route.front()[0], 0.0)
        << name << ": the right femoral vein is on the patient's right";
    EXPECT_NEAR(Distance(route.back(), a.Landmark("ra_centre")), 0.0, 1e-12) << name;
    // The mitral annulus is the origin.
    EXPECT_NEAR(Norm(a.Landmark("annulus_centre")), 0.0, 1e-12) << name;
  }
}

TEST(Anatomy, AnnulusDescendsTowardsTheApexInSystoleAndReturns) {
  AnatomyParameters p;
  p.annulus_excursion_m = 0.012;
  const Anatomy anatomy = GenerateAnatomy(p, 1);
  const Vec3 to_apex = Normalized(anatomy.Landmark("lv_apex") - anatomy.Landmark("annulus_centre"));
  EXPECT_NEAR(Norm(AnnulusDisplacement(p, anatomy, 0.0)), 0.0, 1e-15);
  const Vec3 peak = AnnulusDisplacement(p, anatomy, 1.0 / 3.0);
  EXPECT_NEAR(Norm(peak), 0.012, 1e-12);
  EXPECT_GT(Dot(peak, to_apex), 0.0);  // towards the apex
  EXPECT_NEAR(Norm(AnnulusDisplacement(p, anatomy, 0.999999)), 0.0, 1e-9);
  EXPECT_NEAR(Norm(AnnulusDisplacement(p, anatomy, 1.0 / 6.0)), 0.006, 1e-12);
}

TEST(Anatomy, SameSeedSameBitsOtherSeedOtherRoute) {
  const auto& description = StockAnatomies().front().description;
  const Anatomy a = GenerateAnatomy(description.anatomy.parameters, description.seed);
  const Anatomy b = GenerateAnatomy(description.anatomy.parameters, description.seed);
  const Anatomy other = GenerateAnatomy(description.anatomy.parameters, description.seed + 1);
  ASSERT_EQ(a.structures.size(), b.structures.size());
  for (std::size_t i = 0; i < a.structures.size(); ++i) {
    EXPECT_EQ(a.structures[i].render.vertices, b.structures[i].render.vertices)
        << a.structures[i].name;
    EXPECT_EQ(a.structures[i].collision.triangles, b.structures[i].collision.triangles);
  }
  EXPECT_NE(a.FindPolyline("venous_centreline")->points_m,
            other.FindPolyline("venous_centreline")->points_m);
}

}  // namespace
}  // namespace teersim::scenes
