// Bad input never crashes: malformed case files, values out of range, missing
// or broken mesh files and landmarks that do not match the meshes each give
// an InputError naming the file, line and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/input_error.h"
#include "scenes/anatomy_import.h"
#include "scenes/anatomy_measurements.h"
#include "scenes/case_description.h"

namespace teersim::scenes {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kDemo =
    std::filesystem::path(TEERSIM_SOURCE_DIR) / "tests/data/patient_demo";

// One directory per test process: ctest runs tests in parallel, and two build
// trees may test at once on one machine.
std::filesystem::path TempDir() {
  const auto dir = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" /
                   ("anatomy-input-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path Write(const std::string& name, const std::string& text) {
  const auto path = TempDir() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The InputError message of `body`, or a failure if it does not throw one.
template <typename Body>
std::string ErrorOf(Body body) {
  try {
    body();
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

const std::string kHeader =
    "name: tiny\ntitle: Tiny\nobjective: test\nseed: 7\n"
    "lesion:\n  type: degenerative\n  summary: flail\n";

TEST(CaseAnatomyInput, ReadsAndConvertsToMetres) {
  const auto d = LoadCaseDescription(
      Write("tiny.yaml", kHeader + "  kind: flail\n  scallop: P3\n  gap_mm: 5\n  width_mm: 8\n"
                                   "physiology:\n  heart_rate_bpm: 60\n  annulus_excursion_mm: 8\n"
                                   "anatomy:\n  septum:\n    fossa_above_annulus_mm: 38\n"));
  const auto& p = d.anatomy.parameters;
  EXPECT_DOUBLE_EQ(p.fossa_above_annulus_m, 0.038);
  EXPECT_DOUBLE_EQ(p.degenerative.gap_m, 0.005);
  EXPECT_EQ(ScallopName(p.degenerative.scallop), "P3");
  EXPECT_DOUBLE_EQ(p.annulus_excursion_m, 0.008);
}

TEST(CaseAnatomyInput, OutOfRangeValueNamesFileLineAndKey) {
  const auto path = Write("tiny.yaml", kHeader +
                                           "physiology:\n  heart_rate_bpm: 60\n"
                                           "anatomy:\n  mitral:\n    annulus_ap_mm: -3\n");
  EXPECT_THAT(
      ErrorOf([&] { LoadCaseDescription(path); }),
      HasSubstr(path.string() + ":12: anatomy.mitral.annulus_ap_mm: expected 20 to 45, got -3"));
}

TEST(CaseAnatomyInput, UnknownKeyAndBadScallopAreRejected) {
  const auto typo = Write("tiny.yaml", kHeader +
                                           "physiology:\n  heart_rate_bpm: 60\n"
                                           "anatomy:\n  septum:\n    fossa_height_cm: 1\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(typo); }),
              HasSubstr(":12: anatomy.septum.fossa_height_cm: unknown key"));
  const auto scallop =
      Write("tiny.yaml", kHeader +
                             "  kind: flail\n  scallop: P4\n  gap_mm: 5\n  width_mm: 8\n"
                             "physiology:\n  heart_rate_bpm: 60\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(scallop); }),
              HasSubstr(":9: lesion.scallop: expected one of A1, A2, A3, P1, P2, P3, got 'P4'"));
}

TEST(CaseAnatomyInput, ClipSizeIsOneOfTheFourAndOptional) {
  const std::string physiology = "physiology:\n  heart_rate_bpm: 60\n";
  EXPECT_EQ(LoadCaseDescription(Write("tiny.yaml", kHeader + physiology)).clip_size, "");
  EXPECT_EQ(LoadCaseDescription(
                Write("tiny.yaml", kHeader + physiology + "instruments:\n  clip_size: NTW\n"))
                .clip_size,
            "NTW");
  const auto unknown = Write("tiny.yaml", kHeader + physiology + "instruments:\n  clip_size: XL\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(unknown); }),
              HasSubstr(":11: instruments.clip_size: expected one of NT, NTW, XT, XTW, got 'XL'"));
  // Keys no reader uses are refused, as everywhere in a case.
  const auto stray = Write("tiny.yaml", kHeader + physiology + "autopilot:\n  style: expert\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(stray); }),
              HasSubstr(":10: autopilot: unknown key"));
}

TEST(CaseAnatomyInput, InconsistentValuesAreRejected) {
  const auto wide =
      Write("tiny.yaml", kHeader +
                             "  kind: flail\n  scallop: P2\n  gap_mm: 5\n  width_mm: 25\n"
                             "physiology:\n  heart_rate_bpm: 60\n"
                             "anatomy:\n  mitral:\n    annulus_ic_mm: 28\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(wide); }),
              HasSubstr(":11: lesion.width_mm: wider than 80% of the intercommissural diameter"));
  const auto membrane = Write(
      "tiny.yaml", kHeader +
                       "physiology:\n  heart_rate_bpm: 60\n"
                       "anatomy:\n  septum:\n    thickness_mm: 3\n    fossa_thickness_mm: 4\n");
  EXPECT_THAT(
      ErrorOf([&] { LoadCaseDescription(membrane); }),
      HasSubstr(":13: anatomy.septum.fossa_thickness_mm: the fossa membrane must be thinner"));
  const auto missing = Write("tiny.yaml", kHeader +
                                              "  kind: flail\n  scallop: P2\n  width_mm: 8\n"
                                              "physiology:\n  heart_rate_bpm: 60\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(missing); }),
              HasSubstr("lesion.gap_mm: missing key"));
}

TEST(CaseAnatomyInput, MalformedYamlNamesTheLine) {
  const auto path = Write("tiny.yaml", kHeader + "anatomy:\n  mitral: [unclosed\n");
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(path); }), HasSubstr(path.string() + ":"));
  EXPECT_THAT(ErrorOf([&] { LoadCaseDescription(path); }), HasSubstr("YAML syntax error"));
}

// --- Import ------------------------------------------------------------------

TEST(AnatomyImport, ReadsEveryFormatAndFlipsRasToLps) {
  const Anatomy anatomy = ImportAnatomy(kDemo / "patient_demo.yaml");
  ASSERT_EQ(anatomy.structures.size(), 4u);
  for (const auto& s : anatomy.structures) {
    EXPECT_TRUE(CheckClosed(s.render).Closed()) << s.name;
    EXPECT_GT(SignedVolume(s.render), 0.0) << s.name;
  }
  // The annulus centre is the origin; the fossa (LPS mm (-26, 4, 40) from it
  // in make_patient_demo.py) is right (-x), posterior (+y) and superior.
  EXPECT_NEAR(Norm(anatomy.Landmark("annulus_centre")), 0.0, 1e-12);
  const Vec3 fossa = anatomy.Landmark("fossa_centre");
  EXPECT_NEAR(fossa[0], -0.026, 1e-9);
  EXPECT_NEAR(fossa[1], 0.004, 1e-9);
  EXPECT_NEAR(fossa[2], 0.040, 1e-9);
  // Measured on the imported meshes: the script's known sizes.
  const auto m = MeasureAnatomy(anatomy, MeasuredLesion::kNone);
  EXPECT_NEAR(*m.Get("fossa_to_annulus_mm"), 40.0, 0.1);
  EXPECT_NEAR(*m.Get("fossa_width_mm"), 16.0, 0.1);
  EXPECT_NEAR(*m.Get("fossa_height_mm"), 12.0, 0.1);
  EXPECT_NEAR(*m.Get("fossa_thickness_mm"), 2.0, 0.1);
  EXPECT_NEAR(*m.Get("annulus_ap_mm"), 30.0, 0.2);
  EXPECT_NEAR(*m.Get("annulus_ic_mm"), 34.0, 0.2);
  EXPECT_NEAR(*m.Get("la_diameter_mm"), 44.0, 2.0);  // ± the 2% segmentation bumps
  EXPECT_NEAR(*m.Get("ra_diameter_mm"), 38.0, 1.5);
}

TEST(AnatomyImport, AsciiStlAndBinaryStlGiveTheSameMesh) {
  const TriangleMesh binary = LoadMeshFile(kDemo / "left_atrium.stl");
  std::ostringstream ascii;
  ascii << "solid la\n";
  for (const auto& t : binary.triangles) {
    ascii << " facet normal 0 0 0\n  outer loop\n";
    for (auto i : t) {
      ascii.precision(9);
      ascii << "   vertex " << binary.vertices[i][0] << ' ' << binary.vertices[i][1] << ' '
            << binary.vertices[i][2] << '\n';
    }
    ascii << "  endloop\n endfacet\n";
  }
  ascii << "endsolid la\n";
  const TriangleMesh text = LoadMeshFile(Write("la_ascii.stl", ascii.str()));
  EXPECT_EQ(text.triangles, binary.triangles);
  ASSERT_EQ(text.vertices.size(), binary.vertices.size());
  EXPECT_TRUE(CheckClosed(text).Closed());
}

TEST(AnatomyImport, BrokenMeshFilesNameFileAndLine) {
  // Truncated binary STL: neither a consistent binary size nor ASCII.
  const std::string stl = ReadText(kDemo / "left_atrium.stl");
  const auto truncated = Write("truncated.stl", stl.substr(0, stl.size() - 20));
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(truncated); }),
              HasSubstr("truncated.stl: neither an ASCII STL"));
  const auto obj = Write("bad.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 7\n");
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(obj); }),
              HasSubstr("bad.obj:4: face index 7 out of range"));
  const auto nan = Write("nan.obj", "v 0 nan 0\n");
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(nan); }),
              HasSubstr("nan.obj:1: expected three finite numbers"));
  const std::string ply = ReadText(kDemo / "mitral_annulus.ply");
  const auto short_ply = Write("short.ply", ply.substr(0, ply.size() / 2));
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(short_ply); }), HasSubstr("short.ply:"));
  const std::string binary_ply = ReadText(kDemo / "right_atrium.ply");
  const auto short_binary = Write("short_binary.ply", binary_ply.substr(0, binary_ply.size() - 7));
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(short_binary); }), HasSubstr("truncated binary PLY body"));
  const auto ascii_stl =
      Write("cut.stl", "solid x\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n");
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(ascii_stl); }),
              HasSubstr("cut.stl:4: truncated ASCII STL"));
  EXPECT_THAT(ErrorOf([&] { LoadMeshFile(Write("x.vtk", "x")); }),
              HasSubstr("unsupported mesh format '.vtk'"));
}

// A copy of the demo landmarks file with one line replaced, next to the meshes.
std::filesystem::path DemoWith(const std::string& from, const std::string& to) {
  std::string text = ReadText(kDemo / "patient_demo.yaml");
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  for (const char* mesh :
       {"left_atrium.stl", "right_atrium.ply", "fossa_ovalis.obj", "mitral_annulus.ply"}) {
    std::filesystem::copy_file(kDemo / mesh, TempDir() / mesh,
                               std::filesystem::copy_options::overwrite_existing);
  }
  return Write("landmarks.yaml", text);
}

TEST(AnatomyImport, MissingOrBrokenMeshNamesTheLandmarksFileLineAndKey) {
  const auto missing = DemoWith("fossa_ovalis: fossa_ovalis.obj", "fossa_ovalis: no_such.obj");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(missing); }),
              HasSubstr(missing.string() + ":9: structures.fossa_ovalis: mesh file not found"));
  Write("broken.obj", "v 0 0 0\nf 1 2 3\n");
  const auto broken = DemoWith("fossa_ovalis: fossa_ovalis.obj", "fossa_ovalis: broken.obj");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(broken); }),
              HasSubstr(":9: structures.fossa_ovalis: " + (TempDir() / "broken.obj").string() +
                        ":2: face index 2"));
  // An open surface (one triangle) is refused.
  Write("open.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  const auto open = DemoWith("fossa_ovalis: fossa_ovalis.obj", "fossa_ovalis: open.obj");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(open); }),
              HasSubstr(":9: structures.fossa_ovalis: mesh is not closed: 3 boundary"));
  const auto unknown = DemoWith("fossa_ovalis: fossa_ovalis.obj", "fossa_ovale: fossa_ovalis.obj");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(unknown); }),
              HasSubstr(":9: structures.fossa_ovale: unknown structure name"));
}

TEST(AnatomyImport, LandmarksThatDoNotMatchTheMeshesAreRefused) {
  // The fossa landmark moved 30 mm up: 24 mm above the membrane's top edge.
  const auto off =
      DemoWith("fossa_centre: [13.50, -144.20, -55.30]", "fossa_centre: [13.50, -144.20, -25.30]");
  EXPECT_THAT(
      ErrorOf([&] { ImportAnatomy(off); }),
      HasSubstr(off.string() +
                ":18: landmarks_mm.fossa_centre: lies 24 mm from fossa_ovalis (at most 10 mm)"));
  // A landmark copied in LPS into a RAS file lands on the wrong side.
  const auto lps = DemoWith("annulus_anterior: [-12.50, -125.20, -95.30]",
                            "annulus_anterior: [12.50, 125.20, -95.30]");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(lps); }),
              HasSubstr(":14: landmarks_mm.annulus_anterior: lies 241 mm outside the meshes (are "
                        "the coordinates RAS and in mm?)"));
  // Metres declared for millimetre meshes.
  const auto metres = DemoWith("mesh_units: mm", "mesh_units: m");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(metres); }), HasSubstr("landmarks_mm."));
  const auto no_centre = DemoWith("  annulus_centre: [-12.50, -140.20, -95.30]\n", "");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(no_centre); }),
              HasSubstr("landmarks_mm.annulus_centre: missing key"));
  const auto bad_point = DemoWith("[-12.50, -140.20, -85.30]", "[1, 2]");
  EXPECT_THAT(ErrorOf([&] { ImportAnatomy(bad_point); }),
              HasSubstr(":13: landmarks_mm.annulus_normal_tip: expected [x, y, z]"));
}

TEST(AnatomyImport, ACaseCanNameAnImportedAnatomy) {
  const auto landmarks = DemoWith("coordinates: RAS", "coordinates: RAS");
  const auto d = LoadCaseDescription(Write("tiny.yaml", kHeader +
                                                            "physiology:\n  heart_rate_bpm: 60\n"
                                                            "anatomy:\n  import_file: " +
                                                            landmarks.string() + "\n"));
  ASSERT_TRUE(d.anatomy.import_file.has_value());
  const Anatomy anatomy = BuildCaseAnatomy(d.anatomy, d.seed);
  EXPECT_TRUE(anatomy.Find("fossa_ovalis") != nullptr);
  EXPECT_TRUE(anatomy.Find("ivc") == nullptr);
}

}  // namespace
}  // namespace teersim::scenes
