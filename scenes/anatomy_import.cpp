#include "scenes/anatomy_import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "base/data_file.h"
#include "base/input_error.h"
#include "base/units.h"

namespace teersim::scenes {
namespace {

// Binary STL: 80-byte header, uint32 count, 50 bytes per facet.
constexpr std::size_t kStlHeaderBytes = 84;
constexpr std::size_t kStlFacetBytes = 50;
// A landmark must lie within 20 mm of the meshes' bounding box, and a
// landmark that belongs to a structure within 10 mm of one of its vertices:
// generous for segmentation noise, far below a RAS/LPS or mm/m mix-up.
constexpr double kLandmarkBoxMargin_m = 0.020;
constexpr double kLandmarkToStructure_m = 0.010;

// Names import accepts: the generator's, so views and measurements find them.
const std::vector<std::string>& KnownStructures() {
  static const std::vector<std::string> kNames{"femoral_vein",
                                               "iliac_veins",
                                               "ivc",
                                               "svc",
                                               "right_atrium",
                                               "coronary_sinus",
                                               "interatrial_septum",
                                               "fossa_ovalis",
                                               "left_atrium",
                                               "pulmonary_veins",
                                               "left_atrial_appendage",
                                               "mitral_annulus",
                                               "anterior_leaflet",
                                               "posterior_leaflet",
                                               "chordae",
                                               "papillary_muscles",
                                               "left_ventricle",
                                               "aortic_root",
                                               "oesophagus",
                                               "spine"};
  return kNames;
}

// Landmarks that lie on a structure's surface or rim.
const std::map<std::string, std::string>& LandmarkOwners() {
  static const std::map<std::string, std::string> kOwners{
      {"fossa_centre", "fossa_ovalis"},
      {"annulus_anterior", "mitral_annulus"},
      {"annulus_posterior", "mitral_annulus"},
      {"commissure_anterolateral", "mitral_annulus"},
      {"commissure_posteromedial", "mitral_annulus"},
      {"coronary_sinus_ostium", "right_atrium"},
      {"laa_ostium", "left_atrium"}};
  return kOwners;
}

[[noreturn]] void Fail(const std::filesystem::path& path, int line, const std::string& problem) {
  throw InputError(FormatInputError(path.string(), line, "", problem));
}

// Merges identical vertices so facets share edges.
class Welder {
 public:
  std::uint32_t Add(const Vec3& p) {
    const auto [it, inserted] = index_.emplace(p, static_cast<std::uint32_t>(mesh.vertices.size()));
    if (inserted) mesh.vertices.push_back(p);
    return it->second;
  }
  void Triangle(const Vec3& a, const Vec3& b, const Vec3& c) {
    mesh.AddTriangle(Add(a), Add(b), Add(c));
  }
  TriangleMesh mesh;

 private:
  std::map<Vec3, std::uint32_t> index_;
};

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(path, 0, "cannot open mesh file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Vec3 ParseVec3(std::istringstream& in, const std::filesystem::path& path, int line) {
  Vec3 p{};
  for (auto& c : p) {
    if (!(in >> c) || !std::isfinite(c)) Fail(path, line, "expected three finite numbers");
  }
  return p;
}

TriangleMesh ParseStlBinary(const std::string& data, const std::filesystem::path& path) {
  std::uint32_t count = 0;
  std::memcpy(&count, data.data() + 80, sizeof count);
  Welder welder;
  for (std::uint32_t f = 0; f < count; ++f) {
    const char* facet = data.data() + kStlHeaderBytes + f * kStlFacetBytes;
    Vec3 corners[3];
    for (int k = 0; k < 3; ++k) {
      float xyz[3];
      std::memcpy(xyz, facet + 12 + 12 * k, sizeof xyz);  // skip the 12-byte normal
      for (int i = 0; i < 3; ++i) {
        if (!std::isfinite(xyz[i]))
          Fail(path, 0, "facet " + std::to_string(f) + " has a non-finite vertex");
        corners[k][i] = xyz[i];
      }
    }
    welder.Triangle(corners[0], corners[1], corners[2]);
  }
  return welder.mesh;
}

TriangleMesh ParseStlAscii(const std::string& data, const std::filesystem::path& path) {
  std::istringstream lines(data);
  std::string text;
  int line = 0;
  std::vector<Vec3> loop;
  bool in_loop = false, ended = false;
  Welder welder;
  while (std::getline(lines, text)) {
    ++line;
    std::istringstream in(text);
    std::string word;
    if (!(in >> word)) continue;
    if (word == "vertex") {
      if (!in_loop) Fail(path, line, "'vertex' outside 'outer loop'");
      loop.push_back(ParseVec3(in, path, line));
    } else if (word == "outer") {
      in_loop = true;
      loop.clear();
    } else if (word == "endloop") {
      if (loop.size() != 3)
        Fail(path, line, "a facet needs exactly 3 vertices, got " + std::to_string(loop.size()));
      welder.Triangle(loop[0], loop[1], loop[2]);
      in_loop = false;
    } else if (word == "endsolid") {
      ended = true;
    } else if (word != "solid" && word != "facet" && word != "endfacet") {
      Fail(path, line, "unexpected '" + word + "' in an ASCII STL");
    }
  }
  if (in_loop || !ended) Fail(path, line, "truncated ASCII STL (no 'endsolid')");
  return welder.mesh;
}

TriangleMesh ParseObj(const std::string& data, const std::filesystem::path& path) {
  std::istringstream lines(data);
  std::string text;
  int line = 0;
  TriangleMesh mesh;
  while (std::getline(lines, text)) {
    ++line;
    std::istringstream in(text);
    std::string word;
    if (!(in >> word) || word[0] == '#') continue;
    if (word == "v") {
      mesh.vertices.push_back(ParseVec3(in, path, line));
    } else if (word == "f") {
      // "f 1 2 3", "f 1/1/1 2/2/2 3/3/3", negative = relative to the end.
      std::vector<std::uint32_t> face;
      std::string corner;
      while (in >> corner) {
        long index = 0;
        try {
          index = std::stol(corner.substr(0, corner.find('/')));
        } catch (const std::exception&) {
          Fail(path, line, "bad face index '" + corner + "'");
        }
        const long count = static_cast<long>(mesh.vertices.size());
        const long resolved = index < 0 ? count + index : index - 1;
        if (index == 0 || resolved < 0 || resolved >= count) {
          Fail(path, line,
               "face index " + corner + " out of range (" + std::to_string(count) +
                   " vertices so far)");
        }
        face.push_back(static_cast<std::uint32_t>(resolved));
      }
      if (face.size() < 3) Fail(path, line, "a face needs at least 3 vertices");
      for (std::size_t k = 1; k + 1 < face.size(); ++k)
        mesh.AddTriangle(face[0], face[k], face[k + 1]);
    }
  }
  return mesh;
}

// PLY scalar type sizes (bytes); 0 for an unknown type.
std::size_t PlySize(const std::string& type) {
  if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
  if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
  if (type == "int" || type == "uint" || type == "int32" || type == "uint32" || type == "float" ||
      type == "float32")
    return 4;
  if (type == "double" || type == "float64") return 8;
  return 0;
}

bool PlyInteger(const std::string& type) {
  return PlySize(type) != 0 && type != "float" && type != "float32" && type != "double" &&
         type != "float64";
}

double PlyRead(const char* at, const std::string& type) {
  const auto get = [&](auto value) {
    std::memcpy(&value, at, sizeof value);
    return static_cast<double>(value);
  };
  if (type == "char" || type == "int8") return get(std::int8_t{});
  if (type == "uchar" || type == "uint8") return get(std::uint8_t{});
  if (type == "short" || type == "int16") return get(std::int16_t{});
  if (type == "ushort" || type == "uint16") return get(std::uint16_t{});
  if (type == "int" || type == "int32") return get(std::int32_t{});
  if (type == "uint" || type == "uint32") return get(std::uint32_t{});
  if (type == "float" || type == "float32") return get(float{});
  return get(double{});
}

TriangleMesh ParsePly(const std::string& data, const std::filesystem::path& path) {
  // Header: format, vertex element with scalar properties (x, y, z among
  // them), face element with one list property.
  std::istringstream lines(data);
  std::string text, format;
  int line = 0;
  long vertex_count = -1, face_count = -1;
  std::vector<std::pair<std::string, std::string>> vertex_properties;  // type, name
  std::string list_count_type, list_index_type, element;
  bool header_done = false;
  while (std::getline(lines, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    std::istringstream in(text);
    std::string word;
    in >> word;
    if (line == 1 && word != "ply") Fail(path, line, "not a PLY file (no 'ply' magic)");
    if (word == "format") {
      in >> format;
      if (format != "ascii" && format != "binary_little_endian")
        Fail(path, line, "unsupported PLY format '" + format + "'");
    } else if (word == "element") {
      long count = -1;
      in >> element >> count;
      if (count < 0) Fail(path, line, "bad element count");
      if (element == "vertex")
        vertex_count = count;
      else if (element == "face")
        face_count = count;
      else
        Fail(path, line, "unsupported PLY element '" + element + "'");
    } else if (word == "property") {
      std::string type, name;
      in >> type;
      if (type == "list") {
        in >> list_count_type >> list_index_type >> name;
        if (element != "face" || !PlyInteger(list_count_type) || !PlyInteger(list_index_type)) {
          Fail(path, line, "unsupported list property");
        }
      } else {
        in >> name;
        if (element != "vertex" || PlySize(type) == 0)
          Fail(path, line, "unsupported property '" + type + " " + name + "'");
        vertex_properties.emplace_back(type, name);
      }
    } else if (word == "end_header") {
      header_done = true;
      break;
    }
  }
  if (!header_done || vertex_count < 0 || face_count < 0) Fail(path, line, "incomplete PLY header");
  int xyz[3] = {-1, -1, -1};
  for (std::size_t i = 0; i < vertex_properties.size(); ++i) {
    const std::string& name = vertex_properties[i].second;
    if (name == "x") xyz[0] = static_cast<int>(i);
    if (name == "y") xyz[1] = static_cast<int>(i);
    if (name == "z") xyz[2] = static_cast<int>(i);
  }
  if (xyz[0] < 0 || xyz[1] < 0 || xyz[2] < 0) Fail(path, line, "vertex element lacks x, y or z");

  TriangleMesh mesh;
  const auto add_face = [&](const std::vector<long>& face, int at_line) {
    if (face.size() < 3) Fail(path, at_line, "a face needs at least 3 vertices");
    for (long index : face) {
      if (index < 0 || index >= vertex_count)
        Fail(path, at_line, "face index " + std::to_string(index) + " out of range");
    }
    for (std::size_t k = 1; k + 1 < face.size(); ++k) {
      mesh.AddTriangle(static_cast<std::uint32_t>(face[0]), static_cast<std::uint32_t>(face[k]),
                       static_cast<std::uint32_t>(face[k + 1]));
    }
  };
  if (format == "ascii") {
    for (long v = 0; v < vertex_count; ++v) {
      if (!std::getline(lines, text))
        Fail(path, line, "truncated: expected " + std::to_string(vertex_count) + " vertices");
      ++line;
      std::istringstream in(text);
      std::vector<double> values(vertex_properties.size());
      for (auto& value : values) {
        if (!(in >> value) || !std::isfinite(value)) Fail(path, line, "bad vertex line");
      }
      mesh.vertices.push_back({values[xyz[0]], values[xyz[1]], values[xyz[2]]});
    }
    for (long f = 0; f < face_count; ++f) {
      if (!std::getline(lines, text))
        Fail(path, line, "truncated: expected " + std::to_string(face_count) + " faces");
      ++line;
      std::istringstream in(text);
      long n = 0;
      if (!(in >> n) || n < 0) Fail(path, line, "bad face line");
      std::vector<long> face(static_cast<std::size_t>(n));
      for (auto& index : face) {
        if (!(in >> index)) Fail(path, line, "bad face line");
      }
      add_face(face, line);
    }
    return mesh;
  }
  // Binary little-endian body right after the header's newline.
  const std::size_t newline = data.find('\n', data.find("end_header"));
  if (newline == std::string::npos) Fail(path, line, "no data after 'end_header'");
  std::size_t offset = newline + 1;
  std::size_t stride = 0;
  for (const auto& property : vertex_properties) stride += PlySize(property.first);
  const auto need = [&](std::size_t bytes) {
    if (offset + bytes > data.size()) Fail(path, 0, "truncated binary PLY body");
  };
  for (long v = 0; v < vertex_count; ++v) {
    need(stride);
    Vec3 p{};
    std::size_t at = offset;
    for (std::size_t i = 0; i < vertex_properties.size(); ++i) {
      const double value = PlyRead(data.data() + at, vertex_properties[i].first);
      for (int k = 0; k < 3; ++k) {
        if (xyz[k] == static_cast<int>(i)) p[k] = value;
      }
      at += PlySize(vertex_properties[i].first);
    }
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]))
      Fail(path, 0, "non-finite vertex");
    mesh.vertices.push_back(p);
    offset += stride;
  }
  for (long f = 0; f < face_count; ++f) {
    need(PlySize(list_count_type));
    const auto n = static_cast<long>(PlyRead(data.data() + offset, list_count_type));
    offset += PlySize(list_count_type);
    if (n < 0) Fail(path, 0, "negative face size");
    need(static_cast<std::size_t>(n) * PlySize(list_index_type));
    std::vector<long> face;
    for (long k = 0; k < n; ++k) {
      face.push_back(static_cast<long>(PlyRead(data.data() + offset, list_index_type)));
      offset += PlySize(list_index_type);
    }
    add_face(face, 0);
  }
  return mesh;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

Vec3 ReadPoint(const Field& field) {
  const auto items = field.Items();
  if (items.size() != 3) field.Fail("expected [x, y, z]");
  constexpr double kLimit_mm = 1e5;  // 100 m: anything beyond is not a patient
  return {items[0].Number(-kLimit_mm, kLimit_mm), items[1].Number(-kLimit_mm, kLimit_mm),
          items[2].Number(-kLimit_mm, kLimit_mm)};
}

}  // namespace

TriangleMesh LoadMeshFile(const std::filesystem::path& path) {
  const std::string data = ReadAll(path);
  const std::string extension = Lower(path.extension().string());
  TriangleMesh mesh;
  if (extension == ".stl") {
    std::uint32_t count = 0;
    if (data.size() >= kStlHeaderBytes) std::memcpy(&count, data.data() + 80, sizeof count);
    const bool binary =
        data.size() >= kStlHeaderBytes && data.size() == kStlHeaderBytes + kStlFacetBytes * count;
    if (binary) {
      mesh = ParseStlBinary(data, path);
    } else if (data.rfind("solid", 0) == 0) {
      mesh = ParseStlAscii(data, path);
    } else {
      Fail(path, 0, "neither an ASCII STL nor a binary STL of consistent size (truncated?)");
    }
  } else if (extension == ".obj") {
    mesh = ParseObj(data, path);
  } else if (extension == ".ply") {
    mesh = ParsePly(data, path);
  } else {
    Fail(path, 0, "unsupported mesh format '" + extension + "' (expected .stl, .obj or .ply)");
  }
  if (mesh.triangles.empty()) Fail(path, 0, "no triangles");
  return mesh;
}

Anatomy ImportAnatomy(const std::filesystem::path& landmarks_file) {
  const DataFile file = DataFile::Load(landmarks_file);
  const Field root = file.Root();
  root.ExpectOnlyKeys({"description", "coordinates", "mesh_units", "structures", "landmarks_mm"});
  // RAS → LPS negates x and y; the mesh unit scales to metres.
  const bool ras = root.Child("coordinates").OneOf({"RAS", "LPS"}) == "RAS";
  const double scale =
      root.Child("mesh_units").OneOf({"mm", "m"}) == "mm" ? units::kMetresPerMillimetre : 1.0;
  const auto to_patient = [&](const Vec3& p, double unit) {
    return Vec3{(ras ? -p[0] : p[0]) * unit, (ras ? -p[1] : p[1]) * unit, p[2] * unit};
  };

  Anatomy anatomy;
  const Field structures = root.Child("structures");
  for (const auto& name : structures.Keys()) {
    const Field entry = structures.Child(name);
    const auto& known = KnownStructures();
    if (std::find(known.begin(), known.end(), name) == known.end())
      entry.Fail("unknown structure name");
    const std::filesystem::path mesh_path = landmarks_file.parent_path() / entry.String();
    if (!std::filesystem::exists(mesh_path))
      entry.Fail("mesh file not found: " + mesh_path.string());
    TriangleMesh mesh;
    try {
      mesh = LoadMeshFile(mesh_path);
    } catch (const InputError& error) {
      entry.Fail(error.what());
    }
    for (auto& v : mesh.vertices) v = to_patient(v, scale);
    // RAS → LPS is a rotation (two axes flipped), so the winding survives.
    const ClosednessReport report = CheckClosed(mesh);
    if (!report.Closed()) {
      entry.Fail("mesh is not closed: " + std::to_string(report.boundary_edges) + " boundary, " +
                 std::to_string(report.nonmanifold_edges) + " non-manifold, " +
                 std::to_string(report.inconsistent_edges) + " inconsistently wound edges, " +
                 std::to_string(report.degenerate_triangles) + " degenerate triangles");
    }
    OrientOutward(&mesh);
    Structure structure;
    structure.name = name;
    structure.rgba = StructureColour(name);
    structure.collision = mesh;  // one resolution only: segmentations come as they are
    structure.render = std::move(mesh);
    anatomy.structures.push_back(std::move(structure));
  }
  if (anatomy.structures.empty()) structures.Fail("names no structure");

  // Landmarks, then move the origin to the annulus centre.
  const Field landmarks = root.Child("landmarks_mm");
  for (const auto& name : landmarks.Keys()) {
    anatomy.landmarks[name] =
        to_patient(ReadPoint(landmarks.Child(name)), units::kMetresPerMillimetre);
  }
  const Vec3 origin =
      to_patient(ReadPoint(landmarks.Child("annulus_centre")), units::kMetresPerMillimetre);
  for (auto& [name, point] : anatomy.landmarks) point = point - origin;
  for (auto& structure : anatomy.structures) {
    for (auto& v : structure.render.vertices) v = v - origin;
    for (auto& v : structure.collision.vertices) v = v - origin;
  }

  // Each landmark must lie with the meshes: near their bounding box, and
  // near its own structure's surface when that structure was imported.
  Vec3 lo{INFINITY, INFINITY, INFINITY}, hi{-INFINITY, -INFINITY, -INFINITY};
  for (const auto& structure : anatomy.structures) {
    for (const auto& v : structure.render.vertices) {
      for (int k = 0; k < 3; ++k) lo[k] = std::min(lo[k], v[k]), hi[k] = std::max(hi[k], v[k]);
    }
  }
  const std::string convention = ras ? "RAS" : "LPS";
  for (const auto& [name, point] : anatomy.landmarks) {
    double outside = 0.0;
    for (int k = 0; k < 3; ++k) outside = std::max({outside, lo[k] - point[k], point[k] - hi[k]});
    if (outside > kLandmarkBoxMargin_m) {
      landmarks.Child(name).Fail("lies " + std::to_string(std::lround(units::MToMm(outside))) +
                                 " mm outside the meshes (are the coordinates " + convention +
                                 " and in mm?)");
    }
    const auto owner = LandmarkOwners().find(name);
    if (owner == LandmarkOwners().end()) continue;
    const Structure* structure = anatomy.Find(owner->second);
    if (structure == nullptr) continue;
    double nearest = INFINITY;
    for (const auto& v : structure->render.vertices)
      nearest = std::min(nearest, Distance(v, point));
    if (nearest > kLandmarkToStructure_m) {
      landmarks.Child(name).Fail("lies " + std::to_string(std::lround(units::MToMm(nearest))) +
                                 " mm from " + owner->second + " (at most " +
                                 std::to_string(std::lround(units::MToMm(kLandmarkToStructure_m))) +
                                 " mm)");
    }
  }
  return anatomy;
}

}  // namespace teersim::scenes
