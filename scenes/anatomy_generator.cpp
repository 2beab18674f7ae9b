// GenerateAnatomy: places every structure from the case parameters and seed.
// Order of placement: the mitral valve frame (origin, annular normal), the
// left atrium on the annulus, the septum on the atrium's right wall with the
// fossa at the case's height above the annular plane, the right atrium
// against the septum, the venous route down from the right atrium, then
// the aorta, ventricle, oesophagus and spine. Shape ratios without a
// clinical-reference row are [BK] constants below (keep them configurable).
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "scenes/anatomy.h"
#include "scenes/mitral_valve.h"

namespace teersim::scenes {
namespace {

constexpr double kPi = std::numbers::pi;
// Systole takes about a third of the cardiac cycle at rest [BK].
constexpr double kSystolicFraction = 1.0 / 3.0;

// --- Orientation of the heart [BK; CT-derived angles vary widely, §4.2 S77].
// The annular plane faces the LV apex: anterior, inferior and leftward.
constexpr Vec3 kApexDirection{0.50, -0.55, -0.65};
// The septum's normal from the RA towards the LA: leftward and posterior.
constexpr Vec3 kSeptumNormal{0.80, 0.60, 0.0};

// --- Left atrium: an ellipsoid whose long axis is the annular normal; its
// AP chord through the centre is the case's LA diameter [S29, S37].
constexpr double kLaTransverseRatio = 1.10;    // transverse / AP [BK]
constexpr double kLaLongRatio = 1.25;          // along the annular normal / AP [BK]
constexpr double kAnnulusInsetInLa_m = 0.007;  // annulus this far above the LA floor

// --- Septum and fossa. The fossa sits posterior and inferior in the septum
// (clinical-reference §1.1 step 2); the septum's outline is 48 × 44 mm [BK].
constexpr double kSeptumHalfWidth_m = 0.024;
constexpr double kSeptumHalfHeight_m = 0.022;
constexpr double kSeptumCentreAnteriorOfFossa_m = 0.005;
constexpr double kSeptumCentreSuperiorOfFossa_m = 0.007;
// The thick septum overlaps the membrane's rim by 1 mm so nothing leaks.
constexpr double kFossaRimOverlap_m = 0.001;

// --- Right atrium: minor (mediolateral) axis from the case [S29];
// AP and superior–inferior axes relative to it [BK].
constexpr double kRaApRatio = 1.2;
constexpr double kRaSiRatio = 1.4;
constexpr double kRaBelowFossa_m = 0.008;
constexpr double kSvcRadius_m = 0.010;  // [BK] SVC ≈ 20 mm
constexpr double kSvcLength_m = 0.050;
constexpr double kCoronarySinusRadius_m = 0.004;  // [BK] ostium ≈ 8 mm
// Where the cavae meet the RA ellipsoid, as fractions of its semi-axes: the
// IVC low and a little posterior, the SVC high [BK].
constexpr double kIvcBelowRaCentre = 0.85;
constexpr double kIvcPosteriorOfRaCentre = 0.2;
constexpr double kSvcAboveRaCentre = 0.8;
// Coronary sinus: ostium inferior and septal in the RA; then along the
// posterior AV groove, 1.5 × the annulus radius out and 4 mm above its plane,
// from 80° medial to 80° lateral of the posterior annulus in 20° steps [BK].
constexpr Vec3 kCoronarySinusOstiumDirection{0.45, -0.15, -0.75};
constexpr double kCoronarySinusGrooveScale = 0.75;  // × the annulus diameters
constexpr double kCoronarySinusAboveAnnulus_m = 0.004;
constexpr double kCoronarySinusArc_deg = 80.0;
constexpr double kCoronarySinusStep_deg = 20.0;

// --- Venous route: control points from the IVC–RA junction down to the
// right common femoral vein puncture site, metres in the patient frame, for
// an adult of standard size [BK: femoral to RA ≈ 45 cm]. Jittered by the seed.
constexpr std::array<Vec3, 8> kRouteFromIvcTop{{
    {0.0, 0.0, 0.0},           // IVC–RA junction
    {-0.003, 0.008, -0.045},   // lower end of the hepatic IVC
    {-0.008, 0.025, -0.150},   // renal veins
    {-0.010, 0.030, -0.250},   // iliac confluence (L5)
    {-0.045, 0.022, -0.310},   // right common → external iliac
    {-0.075, -0.010, -0.380},  // external iliac over the pelvic brim
    {-0.085, -0.035, -0.420},  // inguinal ligament: common femoral vein
    {-0.090, -0.040, -0.470},  // femoral puncture site
}};
constexpr int kIliacConfluence = 3, kInguinalLigament = 6, kFemoralPuncture = 7;
constexpr double kHepaticConfluenceBelowRa_m = 0.015;  // hepatic veins join here [BK]
constexpr double kRouteJitter_m = 0.003;
constexpr double kDirectionJitter = 0.08;
constexpr int kTortuosityBends = 3;

// --- Pulmonary veins and appendage [BK]: ≈14 mm veins, 25 mm outside the LA.
constexpr double kPulmonaryVeinRadius_m = 0.007;
constexpr double kPulmonaryVeinLength_m = 0.025;
constexpr double kAppendageBaseRadius_m = 0.009;
constexpr double kAppendageTipRadius_m = 0.004;
constexpr double kAppendageLength_m = 0.028;
constexpr double kAppendageHook = 0.3;        // tip drop as a fraction of the length
constexpr double kAppendageFlattening = 0.8;  // minor / major radius of its section
// Pulmonary vein and appendage directions from the LA centre [BK].
constexpr std::array<std::pair<const char*, Vec3>, 4> kPulmonaryVeins{{
    {"left_upper", {0.70, 0.50, 0.50}},
    {"left_lower", {0.70, 0.65, -0.20}},
    {"right_upper", {-0.55, 0.60, 0.50}},
    {"right_lower", {-0.50, 0.75, -0.20}},
}};
constexpr Vec3 kAppendageDirection{0.75, -0.55, 0.35};

// --- Aortic root [BK]: LVOT 20 mm, sinuses 32 mm, ascending aorta 30 mm.
constexpr double kAorticValveAnteriorOfAnnulus_m = 0.010;
constexpr double kAorticValveAboveAnnulus_m = 0.008;
constexpr double kLvotRadius_m = 0.010;
constexpr double kAorticAnnulusRadius_m = 0.0115;
constexpr double kSinusRadius_m = 0.016;
constexpr double kAscendingRadius_m = 0.015;
constexpr Vec3 kAorticRootAxis{-0.35, -0.45, 0.80};
constexpr Vec3 kAscendingAortaAxis{-0.15, -0.20, 1.0};
// Centreline stations: LVOT 12 mm below the valve, sinuses 12 mm above, the
// sinotubular junction 24 mm above, then 60 mm of ascending aorta [BK].
constexpr double kLvotBelowValve_m = 0.012;
constexpr double kSinusAboveValve_m = 0.012;
constexpr double kSinotubularAboveValve_m = 0.024;
constexpr double kAscendingAortaLength_m = 0.060;

// --- Left ventricle [BK]: 48 mm wide, 84 mm base to apex at end-diastole.
constexpr double kLvRadius_m = 0.024;
constexpr double kLvHalfLength_m = 0.042;
constexpr double kLvBaseInset_m = 0.004;

// --- Oesophagus behind the LA and the spine behind it [BK].
constexpr double kOesophagusRadius_m = 0.009;
constexpr double kOesophagusBehindLa_m = 0.004;  // wall-to-wall gap
constexpr double kSpineRadius_m = 0.018;
constexpr double kSpineBehindOesophagus_m = 0.030;
constexpr double kTopOfChest_m = 0.150;  // z of the upper end of oesophagus and spine
// Oesophagus below the LA: straight down 60 mm, then left and forward
// through the hiatus to the stomach (transgastric probe position) [BK].
constexpr double kOesophagusStraightBelowLa_m = 0.060;
constexpr Vec3 kHiatusFromLa{0.030, -0.015, -0.100};
constexpr Vec3 kStomachFromLa{0.050, -0.030, -0.120};

struct Resolution {
  int vessel_sides;
  int rings;
  int segments;
  int septum_rows;
  int septum_columns;
  double route_step_m;
  ValveResolution valve;
};
// Collision meshes coarse, render meshes fine (STYLE.md: separate resolutions).
const Resolution kCoarse{8, 10, 16, 3, 24, 0.010, {32, 6, 5, 2, 16, 3, 3, 6, 8}};
// The leaflet tissue grid (physics/leaflet_tissue.h): ~2.5 mm between nodes,
// coarse enough for the tissue to step in real time beside everything else.
constexpr int kTissueBodyRows = 7, kTissueTailRows = 3, kTissueColumns = 21, kTissueChordEvery = 1;
const Resolution kFine{20, 24, 48, 5, 64, 0.004, {64, 10, 12, 4, 64, 6, 6, 12, 16}};

// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a small deterministic stream.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  double Uniform(double lo, double hi) {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return lo + (hi - lo) * static_cast<double>(z >> 11) / 9007199254740992.0;
  }
  Vec3 Jitter(double amplitude) {
    return {Uniform(-amplitude, amplitude), Uniform(-amplitude, amplitude),
            Uniform(-amplitude, amplitude)};
  }

 private:
  std::uint64_t state_;
};

// Distance from an ellipsoid's centre to its surface along unit `d`.
double EllipsoidRadius(const Basis& basis, const Vec3& semi, const Vec3& d) {
  const double x = Dot(d, basis.x) / semi[0], y = Dot(d, basis.y) / semi[1],
               z = Dot(d, basis.z) / semi[2];
  return 1.0 / std::sqrt(x * x + y * y + z * z);
}

// Catmull–Rom through `controls`, about `step` apart; `knots` receives the
// sample index of each control point.
std::vector<Vec3> SampleSpline(const std::vector<Vec3>& controls, double step,
                               std::vector<int>* knots) {
  std::vector<Vec3> samples;
  const std::size_t n = controls.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const Vec3& p0 = controls[i == 0 ? 0 : i - 1];
    const Vec3& p1 = controls[i];
    const Vec3& p2 = controls[i + 1];
    const Vec3& p3 = controls[std::min(n - 1, i + 2)];
    const int steps = std::max(2, static_cast<int>(std::ceil(Distance(p1, p2) / step)));
    knots->push_back(static_cast<int>(samples.size()));
    for (int k = 0; k < steps; ++k) {
      const double t = static_cast<double>(k) / steps, t2 = t * t, t3 = t2 * t;
      samples.push_back(0.5 *
                        ((2.0 * p1) + t * (p2 - p0) + t2 * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) +
                         t3 * (3.0 * p1 - p0 - 3.0 * p2 + p3)));
    }
  }
  knots->push_back(static_cast<int>(samples.size()));
  samples.push_back(controls.back());
  return samples;
}

// Everything placed once from the parameters and seed; meshes are then built
// from it at each resolution.
struct Layout {
  ValveFrame valve;
  Vec3 la_centre;
  Basis la_basis;
  Vec3 la_semi;
  Basis septum;  // z: RA → LA normal; x: posterior along the septum; y: superior
  Vec3 fossa_centre, septum_centre;
  Vec3 ra_centre, ra_semi;
  Vec3 ivc_top, svc_top, cs_ostium;
  std::vector<Vec3> route;       // femoral puncture → IVC top
  std::vector<int> route_knots;  // sample index of each control, femoral first
  std::vector<Vec3> coronary_sinus;
  std::vector<std::pair<std::string, Vec3>> pulmonary_veins;  // name, direction
  Vec3 appendage_direction;
  std::vector<Vec3> aorta;
  Vec3 lv_centre;
  std::vector<Vec3> oesophagus;
  Vec3 spine_top, spine_bottom;
};

Layout Place(const AnatomyParameters& p, const MitralValve& valve, std::uint64_t seed) {
  Layout L;
  Random random(seed);
  L.valve = valve.Frame();
  const Vec3 w = L.valve.w;

  // Left atrium above the annulus; its AP semi-axis is solved so the chord
  // along the patient's AP axis through the centre is the LA diameter.
  const double half_la = p.la_diameter_m / 2.0;
  L.la_basis = BasisFromZ(w, frame::kLeft);
  const double a = kLaTransverseRatio * half_la, c = kLaLongRatio * half_la;
  const Vec3 ap = frame::kPosterior;
  const double dx = Dot(ap, L.la_basis.x), dy = Dot(ap, L.la_basis.y), dz = Dot(ap, L.la_basis.z);
  const double b = std::abs(dy) /
                   std::sqrt(1.0 / (half_la * half_la) - (dx / a) * (dx / a) - (dz / c) * (dz / c));
  L.la_semi = {a, b, c};
  L.la_centre = (c - kAnnulusInsetInLa_m) * w;

  // The fossa: the point of the LA's septal wall at the case's height above
  // the annular plane (bisection on the direction's superior tilt).
  const Vec3 septal = Normalized(kSeptumNormal);
  const auto wall = [&](double tilt) {
    const Vec3 d = Normalized(-septal + tilt * frame::kSuperior);
    return L.la_centre + EllipsoidRadius(L.la_basis, L.la_semi, d) * d;
  };
  double lo = -1.5, hi = 3.0;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (Dot(wall(mid), w) < p.fossa_above_annulus_m ? lo : hi) = mid;
  }
  L.fossa_centre = wall(0.5 * (lo + hi));
  // Put the fossa exactly at the case's height along the annular normal (the
  // bisection is exact unless the height lies beyond the atrium's wall).
  L.fossa_centre = L.fossa_centre + (p.fossa_above_annulus_m - Dot(L.fossa_centre, w)) * w;
  L.septum = BasisFromZ(septal, Cross(frame::kSuperior, septal));
  L.septum_centre = L.fossa_centre - kSeptumCentreAnteriorOfFossa_m * L.septum.x +
                    kSeptumCentreSuperiorOfFossa_m * L.septum.y;

  // Right atrium against the septum, a little lower than the fossa.
  const double half_ra = p.ra_minor_axis_m / 2.0;
  L.ra_semi = {half_ra, kRaApRatio * half_ra, kRaSiRatio * half_ra};
  const Basis patient;
  L.ra_centre = L.fossa_centre - EllipsoidRadius(patient, L.ra_semi, septal) * septal -
                kRaBelowFossa_m * frame::kSuperior;
  L.ivc_top = L.ra_centre - kIvcBelowRaCentre * L.ra_semi[2] * frame::kSuperior +
              kIvcPosteriorOfRaCentre * L.ra_semi[1] * frame::kPosterior;
  L.svc_top = L.ra_centre + kSvcAboveRaCentre * L.ra_semi[2] * frame::kSuperior;
  // Coronary sinus ostium: inferior, septal, between the IVC and the tricuspid valve.
  const Vec3 cs_direction = Normalized(kCoronarySinusOstiumDirection);
  L.cs_ostium = L.ra_centre + EllipsoidRadius(patient, L.ra_semi, cs_direction) * cs_direction;
  L.coronary_sinus.push_back(L.cs_ostium);
  for (double angle_deg = -kCoronarySinusArc_deg; angle_deg <= kCoronarySinusArc_deg;
       angle_deg += kCoronarySinusStep_deg) {
    // Along the posterior atrioventricular groove, outside the posterior annulus.
    const double t = angle_deg * kPi / 180.0;
    L.coronary_sinus.push_back(L.valve(kCoronarySinusGrooveScale * p.annulus_ap_m * std::cos(t),
                                       kCoronarySinusGrooveScale * p.annulus_ic_m * std::sin(t),
                                       kCoronarySinusAboveAnnulus_m));
  }

  // Venous route, femoral first; the seed jitters the control points.
  std::vector<Vec3> controls;
  for (int i = kFemoralPuncture; i >= 0; --i) {
    const Vec3 jitter = i == 0 ? Vec3{0, 0, 0} : random.Jitter(kRouteJitter_m);
    controls.push_back(L.ivc_top + p.route_scale * kRouteFromIvcTop[i] + jitter);
  }
  L.route = SampleSpline(controls, kFine.route_step_m, &L.route_knots);
  // Tortuosity: bends of the iliac segment, zero at its ends.
  const int iliac_begin = L.route_knots[kFemoralPuncture - kInguinalLigament];
  const int iliac_end = L.route_knots[kFemoralPuncture - kIliacConfluence];
  for (int k = iliac_begin; k <= iliac_end; ++k) {
    const double s = static_cast<double>(k - iliac_begin) / (iliac_end - iliac_begin);
    const double envelope = std::sin(kPi * s);
    L.route[k] =
        L.route[k] + p.iliac_tortuosity_m * envelope *
                         (std::sin(2.0 * kPi * kTortuosityBends * s) * frame::kLeft +
                          0.5 * std::cos(2.0 * kPi * kTortuosityBends * s) * frame::kPosterior);
  }

  // Pulmonary veins leave the posterior LA; the appendage is anterior-left-superior.
  for (const auto& [name, direction] : kPulmonaryVeins) {
    L.pulmonary_veins.emplace_back(name, Normalized(direction + random.Jitter(kDirectionJitter)));
  }
  L.appendage_direction = Normalized(kAppendageDirection + random.Jitter(kDirectionJitter));

  // Aortic root anterior to the anterior annulus, then the ascending aorta.
  const Vec3 av = valve.Landmarks().at("annulus_anterior") -
                  kAorticValveAnteriorOfAnnulus_m * L.valve.u + kAorticValveAboveAnnulus_m * w;
  const Vec3 root_axis = Normalized(kAorticRootAxis), ascending = Normalized(kAscendingAortaAxis);
  const Vec3 sinotubular = av + kSinotubularAboveValve_m * root_axis;
  L.aorta = {av - kLvotBelowValve_m * root_axis, av, av + kSinusAboveValve_m * root_axis,
             sinotubular, sinotubular + kAscendingAortaLength_m * ascending};

  L.lv_centre = -(kLvHalfLength_m - kLvBaseInset_m) * w;

  // Oesophagus behind the LA; its path is the TEE probe's. Spine behind it.
  const double la_back = EllipsoidRadius(L.la_basis, L.la_semi, frame::kPosterior);
  const Vec3 behind_la =
      L.la_centre + (la_back + kOesophagusBehindLa_m + kOesophagusRadius_m) * frame::kPosterior;
  L.oesophagus = {{behind_la[0], behind_la[1], kTopOfChest_m},
                  behind_la,
                  behind_la - kOesophagusStraightBelowLa_m * frame::kSuperior,
                  behind_la + kHiatusFromLa,
                  behind_la + kStomachFromLa};
  const double spine_y = behind_la[1] + kSpineBehindOesophagus_m;
  L.spine_top = {0.0, spine_y, kTopOfChest_m};
  L.spine_bottom = {0.0, spine_y, L.route.front()[2]};
  return L;
}

// Tube through points with one radius.
TriangleMesh SimpleTube(const std::vector<Vec3>& points, double radius, int sides) {
  std::vector<TubeSection> sections;
  for (const auto& point : points) sections.push_back({point, radius, radius});
  return Tube(sections, frame::kPosterior, sides);
}

struct Built {
  std::vector<std::pair<std::string, TriangleMesh>> meshes;
  void Add(const std::string& name, TriangleMesh mesh) {
    meshes.emplace_back(name, std::move(mesh));
  }
};

Built Build(const AnatomyParameters& p, const Layout& L, const MitralValve& valve,
            const Resolution& r) {
  Built out;

  // Venous route in three tubes; cross-sections interpolate between the
  // femoral, iliac and (elliptical) IVC sizes along the route.
  // Route controls are numbered from the femoral puncture (0).
  const int inguinal = kFemoralPuncture - kInguinalLigament;
  const int confluence = kFemoralPuncture - kIliacConfluence;
  const auto radius_at_control = [&](int control, bool ap) {
    if (control <= inguinal) return p.femoral_vein_diameter_m / 2.0;
    if (control < confluence) return p.iliac_vein_diameter_m / 2.0;
    return (ap ? p.ivc_ap_diameter_m : p.ivc_transverse_diameter_m) / 2.0;
  };
  // Resample the fine route at this resolution's step.
  const int stride =
      std::max(1, static_cast<int>(std::lround(r.route_step_m / kFine.route_step_m)));
  const auto route_tube = [&](int first_control, int last_control) {
    std::vector<TubeSection> sections;
    const int begin = L.route_knots[first_control], end = L.route_knots[last_control];
    for (int k = begin;; k = std::min(end, k + stride)) {
      // Which control span the sample lies in, and how far along it.
      int span = first_control;
      while (span + 1 < last_control && L.route_knots[span + 1] <= k) ++span;
      const double t = static_cast<double>(k - L.route_knots[span]) /
                       (L.route_knots[span + 1] - L.route_knots[span]);
      const auto radius = [&](bool ap) {
        return (1.0 - t) * radius_at_control(span, ap) + t * radius_at_control(span + 1, ap);
      };
      sections.push_back({L.route[k], radius(true), radius(false)});
      if (k == end) break;
    }
    return Tube(sections, frame::kPosterior, r.vessel_sides);
  };
  out.Add("femoral_vein", route_tube(0, inguinal));
  out.Add("iliac_veins", route_tube(inguinal, confluence));
  out.Add("ivc", route_tube(confluence, kFemoralPuncture));
  out.Add("svc", SimpleTube({L.svc_top, L.svc_top + kSvcLength_m * frame::kSuperior}, kSvcRadius_m,
                            r.vessel_sides));

  const Basis patient;
  out.Add("right_atrium", Ellipsoid(L.ra_centre, patient, L.ra_semi, r.rings, r.segments));
  out.Add("coronary_sinus",
          SimpleTube(L.coronary_sinus, kCoronarySinusRadius_m, r.vessel_sides / 2));

  // Septum: a thick ring from the fossa's rim to the septal outline.
  SheetGrid ring;
  ring.rows = r.septum_rows;
  ring.columns = r.septum_columns;
  ring.periodic_columns = true;
  for (int i = 0; i < ring.rows; ++i) {
    const double s = static_cast<double>(i) / (ring.rows - 1);
    for (int j = 0; j < ring.columns; ++j) {
      const double phi = 2.0 * kPi * j / ring.columns;
      const Vec3 inner = L.fossa_centre +
                         (p.fossa_width_m / 2.0 - kFossaRimOverlap_m) * std::cos(phi) * L.septum.x +
                         (p.fossa_height_m / 2.0 - kFossaRimOverlap_m) * std::sin(phi) * L.septum.y;
      const Vec3 outer = L.septum_centre + kSeptumHalfWidth_m * std::cos(phi) * L.septum.x +
                         kSeptumHalfHeight_m * std::sin(phi) * L.septum.y;
      ring.mid.push_back(Lerp(inner, outer, s));
      ring.offset.push_back(L.septum.z);
      ring.thickness_m.push_back(p.septum_thickness_m);
    }
  }
  out.Add("interatrial_septum", ThickSheet(ring));

  // Fossa membrane: a flat ellipsoid of the case's size and thickness; an
  // aneurysmal membrane bulges into the RA, most at its centre.
  TriangleMesh fossa =
      Ellipsoid(L.fossa_centre, L.septum,
                {p.fossa_width_m / 2.0, p.fossa_height_m / 2.0, p.fossa_thickness_m / 2.0}, r.rings,
                r.segments);
  for (auto& vertex : fossa.vertices) {
    const Vec3 d = vertex - L.fossa_centre;
    const double x = Dot(d, L.septum.x) / (p.fossa_width_m / 2.0),
                 y = Dot(d, L.septum.y) / (p.fossa_height_m / 2.0);
    vertex = vertex - p.fossa_aneurysm_m * std::max(0.0, 1.0 - x * x - y * y) * L.septum.z;
  }
  out.Add("fossa_ovalis", fossa);

  out.Add("left_atrium", Ellipsoid(L.la_centre, L.la_basis, L.la_semi, r.rings, r.segments));
  TriangleMesh veins;
  for (const auto& [name, direction] : L.pulmonary_veins) {
    const Vec3 ostium = L.la_centre + EllipsoidRadius(L.la_basis, L.la_semi, direction) * direction;
    veins.Append(SimpleTube(
        {ostium - kPulmonaryVeinRadius_m * direction, ostium + kPulmonaryVeinLength_m * direction},
        kPulmonaryVeinRadius_m, r.vessel_sides));
  }
  out.Add("pulmonary_veins", veins);
  const Vec3 laa_base =
      L.la_centre +
      EllipsoidRadius(L.la_basis, L.la_semi, L.appendage_direction) * L.appendage_direction;
  std::vector<TubeSection> laa;
  const int laa_samples = 5;
  for (int k = 0; k < laa_samples; ++k) {
    const double s = static_cast<double>(k) / (laa_samples - 1);
    // The appendage hooks downward towards its tip.
    const Vec3 centre = laa_base +
                        (s * kAppendageLength_m - kAppendageBaseRadius_m) * L.appendage_direction -
                        kAppendageHook * s * s * kAppendageLength_m * frame::kSuperior;
    const double radius =
        kAppendageBaseRadius_m + s * (kAppendageTipRadius_m - kAppendageBaseRadius_m);
    laa.push_back({centre, radius, radius * kAppendageFlattening});
  }
  out.Add("left_atrial_appendage", Tube(laa, frame::kSuperior, r.vessel_sides));

  const ValveMeshes valve_meshes = valve.Build(r.valve);
  out.Add("mitral_annulus", valve_meshes.annulus);
  out.Add("anterior_leaflet", valve_meshes.anterior_leaflet);
  out.Add("posterior_leaflet", valve_meshes.posterior_leaflet);
  out.Add("chordae", valve_meshes.chordae);
  out.Add("papillary_muscles", valve_meshes.papillary_muscles);
  out.Add("left_ventricle",
          Ellipsoid(L.lv_centre, BasisFromZ(L.valve.w, L.valve.u),
                    {kLvRadius_m, kLvRadius_m, kLvHalfLength_m}, r.rings, r.segments));
  std::vector<TubeSection> aorta;
  const double aorta_radii[] = {kLvotRadius_m, kAorticAnnulusRadius_m, kSinusRadius_m,
                                kAscendingRadius_m, kAscendingRadius_m};
  for (std::size_t k = 0; k < L.aorta.size(); ++k)
    aorta.push_back({L.aorta[k], aorta_radii[k], aorta_radii[k]});
  out.Add("aortic_root", Tube(aorta, frame::kLeft, r.vessel_sides));
  out.Add("oesophagus", SimpleTube(L.oesophagus, kOesophagusRadius_m, r.vessel_sides));
  out.Add("spine", SimpleTube({L.spine_top, L.spine_bottom}, kSpineRadius_m, r.vessel_sides));
  return out;
}

ValveFrame MakeValveFrame() {
  ValveFrame frame;
  frame.w = -1.0 * Normalized(kApexDirection);
  frame.u = Normalized(frame::kPosterior - Dot(frame::kPosterior, frame.w) * frame.w);
  // v towards the anterolateral commissure: lateral (patient-left) side.
  frame.v = Cross(frame.u, frame.w);
  if (frame.v[0] < 0.0) frame.v = -frame.v;
  return frame;
}

}  // namespace

std::array<float, 4> StructureColour(const std::string& name) {
  // Chambers translucent so the valve, septum and instruments show through.
  if (name == "left_atrium") return {0.85f, 0.35f, 0.35f, 0.30f};
  if (name == "right_atrium") return {0.35f, 0.45f, 0.90f, 0.28f};
  if (name == "left_ventricle") return {0.80f, 0.30f, 0.30f, 0.15f};
  if (name == "femoral_vein" || name == "iliac_veins" || name == "ivc" || name == "svc" ||
      name == "coronary_sinus")
    return {0.30f, 0.40f, 0.90f, 0.80f};
  if (name == "aortic_root") return {0.90f, 0.25f, 0.20f, 0.45f};
  if (name == "interatrial_septum") return {0.90f, 0.72f, 0.55f, 0.85f};
  if (name == "fossa_ovalis") return {1.00f, 0.90f, 0.30f, 0.95f};
  if (name == "pulmonary_veins" || name == "left_atrial_appendage")
    return {0.85f, 0.35f, 0.55f, 0.50f};
  if (name == "anterior_leaflet") return {0.95f, 0.85f, 0.65f, 1.0f};
  if (name == "posterior_leaflet") return {0.95f, 0.70f, 0.55f, 1.0f};
  if (name == "mitral_annulus" || name == "chordae") return {0.95f, 0.95f, 0.90f, 1.0f};
  if (name == "papillary_muscles") return {0.75f, 0.30f, 0.30f, 1.0f};
  if (name == "spine") return {0.90f, 0.88f, 0.80f, 0.50f};
  if (name == "oesophagus") return {0.70f, 0.55f, 0.50f, 0.35f};
  return {0.7f, 0.7f, 0.7f, 1.0f};
}

std::string ScallopName(const Scallop& scallop) {
  std::string name(1, scallop.leaflet == Leaflet::kAnterior ? 'A' : 'P');
  name.push_back(static_cast<char>('0' + scallop.index));
  return name;
}

const Structure* Anatomy::Find(const std::string& name) const {
  for (const auto& structure : structures) {
    if (structure.name == name) return &structure;
  }
  return nullptr;
}

const Polyline* Anatomy::FindPolyline(const std::string& name) const {
  for (const auto& polyline : polylines) {
    if (polyline.name == name) return &polyline;
  }
  return nullptr;
}

const Vec3& Anatomy::Landmark(const std::string& name) const {
  const auto found = landmarks.find(name);
  if (found == landmarks.end()) throw std::out_of_range("anatomy has no landmark '" + name + "'");
  return found->second;
}

Vec3 AnnulusDisplacement(const AnatomyParameters& parameters, const Anatomy& anatomy,
                         double cardiac_phase) {
  const auto centre = anatomy.landmarks.find("annulus_centre");
  const auto tip = anatomy.landmarks.find("annulus_normal_tip");
  if (centre == anatomy.landmarks.end() || tip == anatomy.landmarks.end()) return {0, 0, 0};
  const Vec3 towards_la = Normalized(tip->second - centre->second);
  // Descent s in [0, 1]: rises over systole, falls back over diastole.
  const double phase = cardiac_phase - std::floor(cardiac_phase);
  const double s =
      phase < kSystolicFraction
          ? 0.5 * (1.0 - std::cos(kPi * phase / kSystolicFraction))
          : 0.5 * (1.0 + std::cos(kPi * (phase - kSystolicFraction) / (1.0 - kSystolicFraction)));
  return -(parameters.annulus_excursion_m * s) * towards_la;
}

Anatomy GenerateAnatomy(const AnatomyParameters& parameters, std::uint64_t seed) {
  const MitralValve valve(parameters, MakeValveFrame());
  const Layout layout = Place(parameters, valve, seed);
  const Built coarse = Build(parameters, layout, valve, kCoarse);
  const Built fine = Build(parameters, layout, valve, kFine);

  Anatomy anatomy;
  for (std::size_t i = 0; i < fine.meshes.size(); ++i) {
    anatomy.structures.push_back({fine.meshes[i].first, coarse.meshes[i].second,
                                  fine.meshes[i].second, StructureColour(fine.meshes[i].first)});
  }

  // Landmarks: the valve's, then the septum, atria, route, imaging.
  anatomy.landmarks = valve.Landmarks();
  auto& marks = anatomy.landmarks;
  marks["fossa_centre"] = layout.fossa_centre;
  marks["fossa_posterior_axis_tip"] = layout.fossa_centre + 0.01 * layout.septum.x;
  marks["fossa_superior_axis_tip"] = layout.fossa_centre + 0.01 * layout.septum.y;
  marks["septum_normal_tip"] = layout.fossa_centre + 0.01 * layout.septum.z;
  marks["septum_centre"] = layout.septum_centre;
  marks["septum_limbus_superior"] =
      Lerp(layout.fossa_centre + (parameters.fossa_height_m / 2.0) * layout.septum.y,
           layout.septum_centre + kSeptumHalfHeight_m * layout.septum.y, 0.5);
  marks["la_centre"] = layout.la_centre;
  marks["ra_centre"] = layout.ra_centre;
  marks["ivc_ra_junction"] = layout.ivc_top;
  marks["svc_ra_junction"] = layout.svc_top;
  marks["coronary_sinus_ostium"] = layout.cs_ostium;
  marks["femoral_puncture"] = layout.route.front();
  marks["inguinal_ligament"] =
      layout.route[layout.route_knots[kFemoralPuncture - kInguinalLigament]];
  marks["iliac_confluence"] = layout.route[layout.route_knots[kFemoralPuncture - kIliacConfluence]];
  marks["hepatic_vein_confluence"] =
      layout.ivc_top - kHepaticConfluenceBelowRa_m * frame::kSuperior;
  marks["laa_ostium"] = layout.la_centre + EllipsoidRadius(layout.la_basis, layout.la_semi,
                                                           layout.appendage_direction) *
                                               layout.appendage_direction;
  for (const auto& [name, direction] : layout.pulmonary_veins) {
    marks["pv_" + name + "_ostium"] =
        layout.la_centre + EllipsoidRadius(layout.la_basis, layout.la_semi, direction) * direction;
  }
  marks["aortic_valve_centre"] = layout.aorta[1];
  marks["lv_apex"] = layout.lv_centre - kLvHalfLength_m * layout.valve.w;
  marks["tee_mid_oesophageal"] = layout.oesophagus[1];
  marks["tee_transgastric"] = layout.oesophagus.back();

  std::vector<Vec3> centreline = layout.route;
  centreline.push_back(layout.ra_centre);
  anatomy.polylines.push_back({"venous_centreline", centreline});
  anatomy.polylines.push_back({"coaptation_line", valve.CoaptationLine(kFine.valve.columns)});
  anatomy.polylines.push_back({"tee_probe_path", layout.oesophagus});
  anatomy.polylines.push_back({"spine", {layout.spine_top, layout.spine_bottom}});
  anatomy.valve_tissue = valve.Tissue(kTissueBodyRows, kTissueTailRows, kTissueColumns,
                                      kTissueChordEvery);
  return anatomy;
}

}  // namespace teersim::scenes
