#include "sim/views/overview_scene.h"

#include <cmath>
#include <cstdio>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/LineWidth>
#include <osg/Material>
#include <osgText/Text>

#include "sim/views/osg_conversions.h"

namespace teersim::views {
namespace {

// Axis triad length: 5 cm, about the size of the left atrium.
constexpr double kAxisLength_m = 0.05;
constexpr float kAxisLineWidth_px = 3.0f;
constexpr float kInstrumentLineWidth_px = 4.0f;
constexpr float kHudTextSize_px = 16.0f;
constexpr float kHudMargin_px = 10.0f;

osg::ref_ptr<osg::Geometry> MeshGeometry(const sim::SnapshotMesh& mesh) {
  auto vertices = new osg::Vec3Array;
  for (std::size_t i = 0; i + 2 < mesh.vertices_m.size(); i += 3) {
    vertices->push_back({mesh.vertices_m[i], mesh.vertices_m[i + 1], mesh.vertices_m[i + 2]});
  }
  // Area-weighted vertex normals from the counter-clockwise (outward) winding.
  auto normals = new osg::Vec3Array(vertices->size());
  for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    const auto a = mesh.indices[t], b = mesh.indices[t + 1], c = mesh.indices[t + 2];
    const osg::Vec3 normal = ((*vertices)[b] - (*vertices)[a]) ^ ((*vertices)[c] - (*vertices)[a]);
    (*normals)[a] += normal;
    (*normals)[b] += normal;
    (*normals)[c] += normal;
  }
  for (auto& normal : *normals) normal.normalize();

  osg::ref_ptr<osg::Geometry> geometry = new osg::Geometry;
  geometry->setVertexArray(vertices);
  geometry->setNormalArray(normals, osg::Array::BIND_PER_VERTEX);
  auto colours = new osg::Vec4Array;
  colours->push_back(ToOsg(mesh.rgba));
  geometry->setColorArray(colours, osg::Array::BIND_OVERALL);
  auto elements = new osg::DrawElementsUInt(GL_TRIANGLES, mesh.indices.begin(), mesh.indices.end());
  geometry->addPrimitiveSet(elements);
  if (mesh.rgba[3] < 1.0f) {
    auto state = geometry->getOrCreateStateSet();
    state->setMode(GL_BLEND, osg::StateAttribute::ON);
    state->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
    // Only the outward (counter-clockwise) faces of a translucent closed mesh:
    // its unsorted back faces would otherwise stripe through the front.
    state->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
  }
  return geometry;
}

osg::ref_ptr<osg::Geometry> PolylineGeometry(const std::vector<float>& points_m,
                                             const std::array<float, 4>& rgba, float width_px) {
  auto vertices = new osg::Vec3Array;
  for (std::size_t i = 0; i + 2 < points_m.size(); i += 3) {
    vertices->push_back({points_m[i], points_m[i + 1], points_m[i + 2]});
  }
  osg::ref_ptr<osg::Geometry> geometry = new osg::Geometry;
  geometry->setVertexArray(vertices);
  auto colours = new osg::Vec4Array;
  colours->push_back(ToOsg(rgba));
  geometry->setColorArray(colours, osg::Array::BIND_OVERALL);
  geometry->addPrimitiveSet(
      new osg::DrawArrays(GL_LINE_STRIP, 0, static_cast<int>(vertices->size())));
  auto state = geometry->getOrCreateStateSet();
  state->setAttributeAndModes(new osg::LineWidth(width_px));
  state->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  return geometry;
}

osg::ref_ptr<osg::Geode> AxisTriad() {
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  const float length = static_cast<float>(kAxisLength_m);
  geode->addDrawable(
      PolylineGeometry({0, 0, 0, length, 0, 0}, {1, 0.2f, 0.2f, 1}, kAxisLineWidth_px));
  geode->addDrawable(
      PolylineGeometry({0, 0, 0, 0, length, 0}, {0.2f, 1, 0.2f, 1}, kAxisLineWidth_px));
  geode->addDrawable(
      PolylineGeometry({0, 0, 0, 0, 0, length}, {0.3f, 0.4f, 1, 1}, kAxisLineWidth_px));
  return geode;
}

}  // namespace

osg::ref_ptr<osg::Node> BuildAnatomyNode(const std::vector<sim::SnapshotMesh>& meshes) {
  osg::ref_ptr<osg::Geode> anatomy = new osg::Geode;
  for (const auto& mesh : meshes) anatomy->addDrawable(MeshGeometry(mesh));
  // Colours come from the meshes; material tracks the vertex colour.
  auto material = new osg::Material;
  material->setColorMode(osg::Material::AMBIENT_AND_DIFFUSE);
  anatomy->getOrCreateStateSet()->setAttributeAndModes(material);
  return anatomy;
}

osg::ref_ptr<osg::Group> BuildOverviewScene(const sim::Snapshot& snapshot) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(BuildAnatomyNode(snapshot.meshes));
  root->addChild(BuildDynamicNode(snapshot));
  return root;
}

osg::ref_ptr<osg::Group> BuildDynamicNode(const sim::Snapshot& snapshot) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  osg::ref_ptr<osg::Geode> instruments = new osg::Geode;
  for (const auto& instrument : snapshot.instruments) {
    instruments->addDrawable(
        PolylineGeometry(instrument.points_m, instrument.rgba, kInstrumentLineWidth_px));
  }
  root->addChild(instruments);
  root->addChild(AxisTriad());
  return root;
}

OverviewCamera DefaultOverviewCamera() {
  // The operator's view of the supine patient from the right side of the
  // table: head to the left, feet to the right, anterior (the ceiling) up.
  // It frames the heart and the venous route down to the right groin (about
  // 60 cm) and looks down the septum's normal from the right atrium, so the
  // fossa faces the viewer (patient frame: scenes/README.md).
  return {osg::Vec3d(-0.43, -0.36, -0.20), osg::Vec3d(-0.04, 0.0, -0.20),
          osg::Vec3d(0.0, -1.0, 0.0)};
}

std::vector<std::string> HudLines(const sim::Snapshot& snapshot) {
  char line[200];
  std::vector<std::string> lines;
  lines.push_back("teersim  |  " + snapshot.case_title + " (" + snapshot.case_name +
                  ")  |  phase " + snapshot.phase);
  std::snprintf(line, sizeof line,
                "t = %.2f s   HR %.0f/min  cardiac phase %.2f   fluoro %.1f s   status %s",
                snapshot.time_s, snapshot.heart_rate_bpm, snapshot.cardiac_phase,
                snapshot.fluoro_time_s, snapshot.status.c_str());
  lines.push_back(line);
  using devices::ControlId;
  const auto mm = [&](ControlId id) { return snapshot.handles.Get(id) * 1000.0; };
  const auto deg = [&](ControlId id) { return snapshot.handles.Get(id) * 180.0 / M_PI; };
  std::snprintf(line, sizeof line,
                "guide %.0f mm %.0f deg knob %+.0f deg   sleeve %.0f mm A/P %+.0f M/L %+.0f",
                mm(ControlId::kGuideTranslation), deg(ControlId::kGuideRotation),
                deg(ControlId::kGuideKnob), mm(ControlId::kSleeveTranslation),
                deg(ControlId::kSleeveApKnob), deg(ControlId::kSleeveMlKnob));
  lines.push_back(line);
  const auto down = [&](ControlId id) { return snapshot.handles.Pressed(id) ? "down" : "up"; };
  std::snprintf(
      line, sizeof line,
      "delivery %.0f mm %.0f deg   clip arms %.0f deg  grippers L %s R %s%s   MR %d+  %.1f mmHg",
      mm(ControlId::kDeliveryTranslation), deg(ControlId::kDeliveryRotation),
      deg(ControlId::kClipArmAngle), down(ControlId::kClipGripperLeft),
      down(ControlId::kClipGripperRight),
      snapshot.handles.Pressed(ControlId::kClipLock) ? "  LOCKED" : "", snapshot.mr_grade,
      snapshot.mean_gradient_mmHg);
  lines.push_back(line);
  if (!snapshot.warnings.empty()) {
    std::string warning = "!";
    for (const auto& w : snapshot.warnings) warning += "  " + w;
    lines.push_back(warning);
  }
  return lines;
}

osg::ref_ptr<osg::Camera> BuildHud(const std::vector<std::string>& lines, int width, int height) {
  osg::ref_ptr<osg::Camera> hud = new osg::Camera;
  hud->setProjectionMatrixAsOrtho2D(0, width, 0, height);
  hud->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  hud->setViewMatrix(osg::Matrix::identity());
  hud->setClearMask(GL_DEPTH_BUFFER_BIT);
  hud->setRenderOrder(osg::Camera::POST_RENDER);
  hud->setAllowEventFocus(false);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  geode->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  float y = static_cast<float>(height) - kHudMargin_px - kHudTextSize_px;
  for (const auto& text_line : lines) {
    osg::ref_ptr<osgText::Text> text = new osgText::Text;
    text->setCharacterSize(kHudTextSize_px);
    text->setPosition({kHudMargin_px, y, 0.0f});
    text->setColor({0.95f, 0.95f, 0.85f, 1.0f});
    text->setText(text_line);
    geode->addDrawable(text);
    y -= kHudTextSize_px * 1.4f;
  }
  hud->addChild(geode);
  return hud;
}

}  // namespace teersim::views
