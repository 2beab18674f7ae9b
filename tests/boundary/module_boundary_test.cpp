// Module boundaries (STYLE.md): OSG only in sim/views and sim/app, Bullet only
// in physics/, libusb only in devices/, and project includes run one way:
//   base <- physics, scenes, devices <- sim <- sim/views <- sim/app
// Tests may include what the module they test includes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Rule {
  std::string what;                   // e.g. "OpenSceneGraph"
  std::vector<std::string> includes;  // prefixes of the <target> that belong to the library
  std::vector<std::string> allowed;   // path prefixes where it may appear
};

// (Plain prefixes, not <regex>: GCC 12 warns falsely inside libstdc++'s regex.)
const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules{
      {"OpenSceneGraph/OpenGL", {"<osg/", "<osg", "<OpenThreads/", "<GL/"},
       {"sim/views/", "sim/app/", "tests/views/"}},
      {"Bullet",
       {"<btBullet", "<LinearMath/", "<BulletCollision/", "<BulletDynamics/", "<BulletSoftBody/"},
       {"physics/", "tests/physics/", "bench/physics"}},
      {"libusb", {"<libusb"}, {"devices/", "tests/devices/"}},
  };
  return kRules;
}

// Project modules a directory may not include, by the includer's path prefix
// (most specific first).
const std::vector<std::pair<std::string, std::vector<std::string>>>& ForbiddenProjectIncludes() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kForbidden{
      {"base/", {"physics/", "scenes/", "devices/", "sim/"}},
      {"physics/", {"scenes/", "devices/", "sim/"}},
      {"scenes/", {"physics/", "devices/", "sim/"}},
      {"devices/", {"physics/", "scenes/", "sim/"}},
      {"sim/views/", {"sim/app/"}},
      {"sim/app/", {}},
      {"sim/", {"sim/views/", "sim/app/"}},
  };
  return kForbidden;
}

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// The include target of a line ("<osg/Geode>" or "\"sim/state.h\""), or "".
std::string IncludeTarget(const std::string& line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return "";
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos || line.compare(i, 7, "include") != 0) return "";
  i = line.find_first_of("<\"", i + 7);
  if (i == std::string::npos) return "";
  const char close = line[i] == '<' ? '>' : '"';
  const std::size_t end = line.find(close, i + 1);
  return end == std::string::npos ? "" : line.substr(i, end - i + 1);
}

// Violations in one file's text; `path` is relative to the repository root.
std::vector<std::string> Violations(const std::string& path, const std::string& text) {
  std::vector<std::string> found;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string target = IncludeTarget(line);
    if (target.empty()) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    for (const auto& rule : Rules()) {
      bool matches = false;
      for (const auto& prefix : rule.includes) matches = matches || StartsWith(target, prefix);
      if (!matches) continue;
      bool ok = false;
      for (const auto& prefix : rule.allowed) ok = ok || StartsWith(path, prefix);
      if (!ok) found.push_back(where + rule.what + " include " + target + " outside its module");
    }
    if (target.front() != '"') continue;
    const std::string header = target.substr(1, target.size() - 2);
    for (const auto& [prefix, forbidden] : ForbiddenProjectIncludes()) {
      if (!StartsWith(path, prefix)) continue;
      for (const auto& module : forbidden) {
        if (StartsWith(header, module)) {
          found.push_back(where + prefix + " must not include " + header);
        }
      }
      break;  // only the most specific prefix applies
    }
  }
  return found;
}

TEST(ModuleBoundary, SourceTreeRespectsTheRules) {
  const std::filesystem::path root = TEERSIM_SOURCE_DIR;
  std::vector<std::string> all;
  int files = 0;
  for (const char* top : {"base", "physics", "scenes", "devices", "sim", "bench", "tests"}) {
    if (!std::filesystem::exists(root / top)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / top)) {
      const auto extension = entry.path().extension();
      if (extension != ".h" && extension != ".cpp" && extension != ".cc") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string relative = std::filesystem::relative(entry.path(), root).generic_string();
      // This file spells out the forbidden includes in its test strings.
      if (relative == "tests/boundary/module_boundary_test.cpp") continue;
      ++files;
      for (auto& violation : Violations(relative, text.str())) all.push_back(std::move(violation));
    }
  }
  EXPECT_GT(files, 20);
  for (const auto& violation : all) ADD_FAILURE() << violation;
}

TEST(ModuleBoundary, CheckerCatchesEachKindOfViolation) {
  EXPECT_EQ(Violations("physics/rod.cpp", "#include <osg/Geometry>\n").size(), 1u);
  EXPECT_EQ(Violations("sim/step.cpp", "#include <btBulletDynamicsCommon.h>\n").size(), 1u);
  EXPECT_EQ(Violations("sim/step.cpp", "  #include <LinearMath/btVector3.h>\n").size(), 1u);
  EXPECT_EQ(Violations("sim/run.cpp", "#include <libusb.h>\n").size(), 1u);
  EXPECT_EQ(Violations("physics/rod.cpp", "#include \"sim/state.h\"\n").size(), 1u);
  EXPECT_EQ(Violations("devices/hid.cpp", "#include \"physics/rod.h\"\n").size(), 1u);
  EXPECT_EQ(Violations("sim/run.cpp", "#include \"sim/views/gui.h\"\n").size(), 1u);
  EXPECT_EQ(Violations("scenes/anatomy.cpp", "#include <GL/gl.h>\n").size(), 1u);
}

TEST(ModuleBoundary, CheckerAllowsWhatTheRulesAllow) {
  EXPECT_TRUE(Violations("sim/views/fluoro.cpp", "#include <osg/Geometry>\n#include \"sim/state.h\"\n").empty());
  EXPECT_TRUE(Violations("physics/contact.cpp", "#include <BulletCollision/btBvh.h>\n").empty());
  EXPECT_TRUE(Violations("devices/usb.cpp", "#include <libusb.h>\n").empty());
  EXPECT_TRUE(Violations("sim/app/main.cpp", "#include \"sim/views/gui.h\"\n").empty());
  EXPECT_TRUE(Violations("sim/run.cpp", "#include \"physics/rod.h\"\n#include \"devices/controls.h\"\n").empty());
}

}  // namespace
