#include "sim/views/layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <osg/CullFace>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/Texture2D>
#include <osgText/Text>

#include "sim/views/fluoro_image.h"
#include "sim/views/materials.h"
#include "sim/views/osg_conversions.h"
#include "sim/views/overview_scene.h"
#include "sim/views/tee_image.h"
#include "sim/views/tube_mesh.h"

namespace teersim::views {
namespace {

using devices::ControlId;

constexpr double kDegreesPerRadian = 180.0 / 3.141592653589793;
const osg::Vec4 kBlack{0.0f, 0.0f, 0.0f, 1.0f};
const osg::Vec4 kOverlayText{0.85f, 0.9f, 0.85f, 1.0f};
const osg::Vec4 kWarningText{1.0f, 0.85f, 0.2f, 1.0f};
constexpr float kOverlayTextSize_px = 15.0f;
constexpr float kOverlayMargin_px = 8.0f;
// Layout: the HUD strip's share of the window height.
constexpr double kHudStripFraction = 0.12;
// En-face 3D: eye on the annulus normal, near plane cutting away the LA roof.
constexpr double kEnFaceEyeDistance_m = 0.045;
constexpr double kEnFaceNear_m = 0.018;
constexpr double kEnFaceFar_m = 0.09;
constexpr double kEnFaceFieldOfView_deg = 55.0;
// Only structures this close to the annulus centre are drawn en face (leaflets,
// septum, instruments), not the heart envelope around the eye.
constexpr double kEnFaceMaxMeshRadius_m = 0.03;
// Depth colouring runs from bronze at this distance from the eye to dark red-brown.
constexpr double kEnFaceColourNear_m = 0.03;
constexpr double kEnFaceColourFar_m = 0.07;
constexpr double kOverviewFieldOfView_deg = 40.0;
// Fluoroscopy image matrix limit: a 512² frame, as many cath-lab systems show [BK].
constexpr int kMaxFluoroMatrix_px = 512;

std::string AngleText(double value_rad, const char* positive, const char* negative) {
  char text[32];
  std::snprintf(text, sizeof text, "%s %.0f", value_rad >= 0.0 ? positive : negative,
                std::fabs(value_rad) * kDegreesPerRadian);
  return text;
}

Vec3 Centroid(const std::vector<float>& xyz) {
  Vec3 sum{0, 0, 0};
  const std::size_t count = xyz.size() / 3;
  for (std::size_t i = 0; i < count; ++i) sum = sum + VertexAt(xyz, i);
  return count > 0 ? (1.0 / count) * sum : sum;
}

double BoundingRadius(const std::vector<float>& xyz, const Vec3& centre) {
  double radius = 0.0;
  for (std::size_t i = 0; i < xyz.size() / 3; ++i)
    radius = std::max(radius, Norm(VertexAt(xyz, i) - centre));
  return radius;
}

const sim::SnapshotLandmark* FindLandmark(const sim::Snapshot& snapshot, std::string_view name) {
  for (const auto& landmark : snapshot.landmarks) {
    if (landmark.name == name) return &landmark;
  }
  return nullptr;
}

// The en-face camera: on the annulus normal in the LA, 12 o'clock towards the aorta.
struct EnFaceCamera {
  Vec3 centre, eye, up;
};
EnFaceCamera EnFaceCameraFor(const sim::Snapshot& snapshot) {
  Vec3 centre{0, 0, 0};
  if (const auto* l = FindLandmark(snapshot, "mitral_annulus_centre"))
    centre = {l->p_m[0], l->p_m[1], l->p_m[2]};
  Vec3 normal{0, 0, 1};
  Vec3 aorta = centre + Vec3{0, -0.03, 0};  // anterior
  for (const auto& mesh : snapshot.meshes) {
    if (mesh.name.find("left_atrium") != std::string::npos)
      normal = Normalized(Centroid(mesh.vertices_m) - centre);
    if (mesh.name.find("aort") != std::string::npos) aorta = Centroid(mesh.vertices_m);
  }
  if (const auto* l = FindLandmark(snapshot, "mitral_annulus_normal_tip")) {
    normal = Normalized(Vec3{l->p_m[0], l->p_m[1], l->p_m[2]} - centre);
  }
  for (const char* name : {"aortic_valve", "aortic_valve_centre"}) {
    if (const auto* l = FindLandmark(snapshot, name)) aorta = {l->p_m[0], l->p_m[1], l->p_m[2]};
  }
  const Vec3 towards_aorta = aorta - centre;
  Vec3 up = Normalized(towards_aorta - Dot(towards_aorta, normal) * normal);
  if (Norm(up) < 0.5) up = {0, -1, 0};
  return {centre, centre + kEnFaceEyeDistance_m * normal, up};
}

// One mesh for the en-face view, coloured by depth like a 3D echo rendering
// (bronze near the eye, dark red-brown further away) and shaded by how
// squarely each vertex faces the eye; computed here so no GL lighting is needed.
osg::ref_ptr<osg::Geometry> DepthShadedMesh(const sim::SnapshotMesh& mesh,
                                            const EnFaceCamera& camera) {
  const Vec3 forward = Normalized(camera.centre - camera.eye);
  const std::size_t count = mesh.vertices_m.size() / 3;
  std::vector<Vec3> normals(count, Vec3{0, 0, 0});
  for (std::size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
    const auto a = mesh.indices[t], b = mesh.indices[t + 1], c = mesh.indices[t + 2];
    if (a >= count || b >= count || c >= count) continue;
    const Vec3 pa = VertexAt(mesh.vertices_m, a);
    const Vec3 face = Cross(VertexAt(mesh.vertices_m, b) - pa, VertexAt(mesh.vertices_m, c) - pa);
    for (const auto v : {a, b, c}) normals[v] = normals[v] + face;
  }
  constexpr double kAmbient = 0.35;
  const osg::Vec4 near_colour{1.0f, 0.8f, 0.55f, 1.0f}, far_colour{0.4f, 0.14f, 0.08f, 1.0f};
  auto vertices = new osg::Vec3Array;
  auto colours = new osg::Vec4Array;
  for (std::size_t i = 0; i < count; ++i) {
    const Vec3 p = VertexAt(mesh.vertices_m, i);
    vertices->push_back(
        osg::Vec3(static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2])));
    const double depth = std::clamp((Dot(p - camera.eye, forward) - kEnFaceColourNear_m) /
                                        (kEnFaceColourFar_m - kEnFaceColourNear_m),
                                    0.0, 1.0);
    const double facing = std::fabs(Dot(Normalized(normals[i]), forward));
    osg::Vec4 colour =
        near_colour * static_cast<float>(1.0 - depth) + far_colour * static_cast<float>(depth);
    const auto shade = static_cast<float>(kAmbient + (1.0 - kAmbient) * facing);
    colours->push_back(osg::Vec4(colour.r() * shade, colour.g() * shade, colour.b() * shade, 1.0f));
  }
  osg::ref_ptr<osg::Geometry> geometry = new osg::Geometry;
  geometry->setVertexArray(vertices);
  geometry->setColorArray(colours, osg::Array::BIND_PER_VERTEX);
  geometry->addPrimitiveSet(
      new osg::DrawElementsUInt(GL_TRIANGLES, mesh.indices.begin(), mesh.indices.end()));
  return geometry;
}

osg::ref_ptr<osg::Camera> PerspectivePanel(const PanelRect& rect, const osg::Vec4& background,
                                           double fov_deg, double near_m, double far_m) {
  osg::ref_ptr<osg::Camera> camera = new osg::Camera;
  camera->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  camera->setViewport(rect.x, rect.y, rect.width, rect.height);
  camera->setClearColor(background);
  camera->setClearMask(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
  camera->setProjectionMatrixAsPerspective(fov_deg, static_cast<double>(rect.width) / rect.height,
                                           near_m, far_m);
  return camera;
}

// A 2D overlay camera drawn after the panel's own content.
osg::ref_ptr<osg::Camera> OverlayCamera(const PanelRect& rect) {
  osg::ref_ptr<osg::Camera> overlay = PanelCamera(rect, kBlack);
  overlay->setClearMask(0);
  return overlay;
}

}  // namespace

std::string CArmAnglesText(const devices::ControlFrame& handles) {
  return AngleText(handles.Get(ControlId::kCArmLaoRao), "LAO", "RAO") + "  " +
         AngleText(handles.Get(ControlId::kCArmCranCaud), "CRA", "CAU");
}

osg::ref_ptr<osg::Camera> PanelCamera(const PanelRect& rect, const osg::Vec4& background) {
  osg::ref_ptr<osg::Camera> camera = new osg::Camera;
  camera->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  camera->setViewport(rect.x, rect.y, rect.width, rect.height);
  camera->setProjectionMatrixAsOrtho2D(0, rect.width, 0, rect.height);
  camera->setViewMatrix(osg::Matrix::identity());
  camera->setClearColor(background);
  camera->setClearMask(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  camera->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  camera->getOrCreateStateSet()->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  return camera;
}

osg::ref_ptr<osg::Node> ImageQuad(const RgbImage& image, float x, float y, float width,
                                  float height) {
  osg::ref_ptr<osg::Image> texels = new osg::Image;
  auto* data = new unsigned char[image.rgb.size()];
  std::memcpy(data, image.rgb.data(), image.rgb.size());
  texels->setImage(image.width, image.height, 1, GL_RGB, GL_RGB, GL_UNSIGNED_BYTE, data,
                   osg::Image::USE_NEW_DELETE, 1);
  osg::ref_ptr<osg::Texture2D> texture = new osg::Texture2D(texels);
  texture->setResizeNonPowerOfTwoHint(false);
  texture->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
  texture->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
  texture->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
  texture->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
  // Row 0 of the image is its top: texture t runs downwards.
  osg::ref_ptr<osg::Geometry> quad =
      osg::createTexturedQuadGeometry(osg::Vec3(x, y, 0.0f), osg::Vec3(width, 0.0f, 0.0f),
                                      osg::Vec3(0.0f, height, 0.0f), 0.0f, 1.0f, 1.0f, 0.0f);
  quad->getOrCreateStateSet()->setTextureAttributeAndModes(0, texture);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  geode->addDrawable(quad);
  return geode;
}

osg::ref_ptr<osg::Node> PanelText(const std::vector<std::string>& lines, float x, float y_top,
                                  float size_px, const osg::Vec4& colour) {
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    osg::ref_ptr<osgText::Text> text = new osgText::Text;
    text->setCharacterSize(size_px);
    text->setColor(colour);
    text->setPosition({x, y_top - size_px * (1.0f + 1.3f * static_cast<float>(i)), 0.0f});
    text->setText(lines[i]);
    // A dark shadow keeps overlay text legible on a light fluoroscopy field.
    text->setBackdropType(osgText::Text::DROP_SHADOW_BOTTOM_RIGHT);
    text->setBackdropColor(osg::Vec4(0.0f, 0.0f, 0.0f, 0.9f));
    geode->addDrawable(text);
  }
  return geode;
}

osg::ref_ptr<osg::Camera> FluoroPanel(const sim::Snapshot& snapshot, const PanelRect& rect,
                                      FluoroMonitor* monitor) {
  osg::ref_ptr<osg::Camera> panel = PanelCamera(rect, kBlack);
  const int side = std::min(rect.width, rect.height);
  // The DRR is formed at most kMaxFluoroMatrix_px square and scaled to the panel.
  const int matrix = std::min(side, kMaxFluoroMatrix_px);
  const float left = static_cast<float>(rect.width - side) / 2.0f,
              bottom = static_cast<float>(rect.height - side) / 2.0f;
  panel->addChild(
      ImageQuad(monitor ? monitor->Update(snapshot, matrix) : RenderFluoroImage(snapshot, matrix),
                left, bottom, static_cast<float>(side), static_cast<float>(side)));

  // Overlay: beam state, C-arm angles, zoom and fluoroscopy time.
  const auto& handles = snapshot.handles;
  const bool cine = handles.Pressed(ControlId::kCineButton);
  const bool beam_on = cine || handles.Pressed(ControlId::kFluoroPedal);
  char zoom[64];
  std::snprintf(zoom, sizeof zoom, "zoom %.1fx   %.0f p/s",
                std::max(1.0, handles.Get(ControlId::kCArmZoom)), kPulseRate_per_s);
  char time[96];
  std::snprintf(time, sizeof time, "fluoro %.1f s   DAP %.0f cGy.cm2", snapshot.fluoro_time_s,
                snapshot.dap_Gycm2 * 100.0);
  const std::vector<std::string> lines{
      cine ? "CINE" : (beam_on ? "FLUORO" : "FLUORO (pedal up)"),
      CArmAnglesText(handles),
      zoom, time};
  osg::ref_ptr<osg::Camera> overlay = OverlayCamera(rect);
  overlay->addChild(PanelText(lines, left + kOverlayMargin_px,
                              bottom + static_cast<float>(side) - kOverlayMargin_px,
                              kOverlayTextSize_px, kOverlayText));
  // Last-image hold: the pedal is up, the screen keeps the last frame.
  if (!beam_on) {
    overlay->addChild(
        PanelText({"LIH"}, left + static_cast<float>(side) - 4.0f * kOverlayTextSize_px,
                  bottom + 2.6f * kOverlayTextSize_px, 1.6f * kOverlayTextSize_px, kWarningText));
  }
  panel->addChild(overlay);
  return panel;
}

namespace {

// The snapshot as the TEE view `view` images it (preset angles applied).
sim::Snapshot TeeImaged(const sim::Snapshot& snapshot, std::string_view view) {
  const auto preset = FindTeePreset(view);
  return preset ? WithTeePreset(snapshot, *preset) : snapshot;
}

osg::ref_ptr<osg::Camera> TeePanelOf(const sim::Snapshot& imaged, std::string_view view,
                                     const RgbImage& image, const PanelRect& rect) {
  const auto preset = FindTeePreset(view);
  osg::ref_ptr<osg::Camera> panel = PanelCamera(rect, kBlack);
  panel->addChild(ImageQuad(image, 0.0f, 0.0f, static_cast<float>(rect.width),
                            static_cast<float>(rect.height)));
  char angle[64];
  std::snprintf(angle, sizeof angle, "%.0f deg",
                imaged.handles.Get(ControlId::kTeeMultiplane) * kDegreesPerRadian);
  char depth[64];
  std::snprintf(depth, sizeof depth, "depth %.0f cm", kTeeImageDepth_m * 100.0);
  const float top = static_cast<float>(rect.height) - kOverlayMargin_px;
  panel->addChild(PanelText({"TEE", preset ? std::string(preset->label) : std::string("ME")},
                            kOverlayMargin_px, top, kOverlayTextSize_px, kOverlayText));
  panel->addChild(PanelText({angle, depth},
                            static_cast<float>(rect.width) - 8.0f * kOverlayTextSize_px, top,
                            kOverlayTextSize_px, kOverlayText));
  return panel;
}

}  // namespace

osg::ref_ptr<osg::Camera> TeePanel(const sim::Snapshot& snapshot, std::string_view view,
                                   const PanelRect& rect) {
  const sim::Snapshot imaged = TeeImaged(snapshot, view);
  return TeePanelOf(imaged, view, RenderTeeImage(imaged, rect.width, rect.height), rect);
}

osg::ref_ptr<osg::Camera> Tee3dPanel(const sim::Snapshot& snapshot, const PanelRect& rect) {
  const EnFaceCamera view = EnFaceCameraFor(snapshot);
  osg::ref_ptr<osg::Camera> panel =
      PerspectivePanel(rect, kBlack, kEnFaceFieldOfView_deg, kEnFaceNear_m, kEnFaceFar_m);
  panel->setViewMatrixAsLookAt(ToOsg(view.eye), ToOsg(view.centre), ToOsg(view.up));

  // Valve-sized tissue and the instruments; blood pools and the heart envelope stay invisible.
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  for (const auto& mesh : snapshot.meshes) {
    const auto kind = ResolveMeshKind(mesh.tissue, mesh.name);
    if (kind == sim::TissueKind::kBloodPool || kind == sim::TissueKind::kBone ||
        kind == sim::TissueKind::kLung)
      continue;
    if (BoundingRadius(mesh.vertices_m, Centroid(mesh.vertices_m)) > kEnFaceMaxMeshRadius_m)
      continue;
    geode->addDrawable(DepthShadedMesh(mesh, view));
  }
  for (const auto& instrument : snapshot.instruments) {
    if (instrument.radius_m > 0.0f) geode->addDrawable(DepthShadedMesh(TubeMesh(instrument), view));
  }
  auto* state = geode->getOrCreateStateSet();
  state->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  state->setAttributeAndModes(new osg::CullFace(osg::CullFace::BACK));
  panel->addChild(geode);

  osg::ref_ptr<osg::Camera> overlay = OverlayCamera(rect);
  overlay->addChild(PanelText({"3D en face (from LA)", "AV at 12 o'clock"}, kOverlayMargin_px,
                              static_cast<float>(rect.height) - kOverlayMargin_px,
                              kOverlayTextSize_px, kOverlayText));
  overlay->addChild(PanelText({"AV"}, static_cast<float>(rect.width) / 2.0f - kOverlayTextSize_px,
                              static_cast<float>(rect.height) - 3.0f * kOverlayTextSize_px,
                              kOverlayTextSize_px, kWarningText));
  panel->addChild(overlay);
  return panel;
}

osg::ref_ptr<osg::Camera> OverviewPanel(const sim::Snapshot& snapshot, const PanelRect& rect) {
  constexpr double kNear_m = 0.005, kFar_m = 5.0;
  osg::ref_ptr<osg::Camera> panel =
      PerspectivePanel(rect, kOverviewBackground, kOverviewFieldOfView_deg, kNear_m, kFar_m);
  const OverviewCamera view = DefaultOverviewCamera();
  panel->setViewMatrixAsLookAt(view.eye, view.centre, view.up);
  panel->addChild(BuildOverviewScene(snapshot));
  return panel;
}

osg::ref_ptr<osg::Camera> HudStrip(const sim::Snapshot& snapshot, const PanelRect& rect) {
  osg::ref_ptr<osg::Camera> panel = PanelCamera(rect, osg::Vec4(0.05f, 0.06f, 0.08f, 1.0f));
  const float size = std::min(kOverlayTextSize_px, static_cast<float>(rect.height) / 6.6f);
  const float top = static_cast<float>(rect.height) - 4.0f;
  panel->addChild(PanelText(HudLines(snapshot), kOverlayMargin_px, top, size, kOverlayText));
  // Imaging state on the right: C-arm, TEE probe, beam and dose.
  const auto& h = snapshot.handles;
  char carm[96], tee[96], beam[96];
  std::snprintf(carm, sizeof carm, "C-arm %s  zoom %.1fx", CArmAnglesText(h).c_str(),
                std::max(1.0, h.Get(ControlId::kCArmZoom)));
  std::snprintf(tee, sizeof tee, "TEE %.0f deg  depth %.0f cm  %s",
                h.Get(ControlId::kTeeMultiplane) * kDegreesPerRadian,
                h.Get(ControlId::kTeeDepth) * 100.0,
                AngleText(h.Get(ControlId::kTeeFlexion), "ante", "retro").c_str());
  std::snprintf(beam, sizeof beam, "%s  fluoro %.1f s  DAP %.0f cGy.cm2",
                h.Pressed(ControlId::kCineButton)
                    ? "CINE"
                    : (h.Pressed(ControlId::kFluoroPedal) ? "FLUORO" : "beam off"),
                snapshot.fluoro_time_s, snapshot.dap_Gycm2 * 100.0);
  panel->addChild(PanelText({carm, tee, beam}, static_cast<float>(rect.width) * 0.62f, top, size,
                            kOverlayText));
  return panel;
}

osg::ref_ptr<osg::Group> BuildLayout(const sim::Snapshot& snapshot, int width_px, int height_px,
                                     FluoroMonitor* monitor) {
  // Fluoroscopy square on the left; TEE 2D and 3D top right; overview below
  // them; the HUD strip along the bottom.
  osg::ref_ptr<osg::Group> root = new osg::Group;
  const int strip = static_cast<int>(std::lround(kHudStripFraction * height_px));
  const int side = std::min(height_px - strip, width_px / 2);
  const int right = width_px - side, half = (height_px - strip) / 2;
  // The TEE image forms on a second thread while this one forms the fluoroscopy.
  const PanelRect tee_rect{side, strip + half, right / 2, height_px - strip - half};
  auto tee_image = std::async(std::launch::async, [&snapshot, tee_rect] {
    return RenderTeeImage(snapshot, tee_rect.width, tee_rect.height);
  });
  root->addChild(FluoroPanel(snapshot, {0, strip, side, height_px - strip}, monitor));
  root->addChild(TeePanelOf(snapshot, "tee", tee_image.get(), tee_rect));
  root->addChild(Tee3dPanel(
      snapshot, {side + right / 2, strip + half, right - right / 2, height_px - strip - half}));
  root->addChild(OverviewPanel(snapshot, {side, strip, right, half}));
  root->addChild(HudStrip(snapshot, {0, 0, width_px, strip}));
  return root;
}

osg::ref_ptr<osg::Group> BuildViewRoot(const sim::Snapshot& snapshot, std::string_view view,
                                       int width_px, int height_px) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  const PanelRect window{0, 0, width_px, height_px};
  if (view == "fluoro") {
    root->addChild(FluoroPanel(snapshot, window));
  } else if (view == "tee-3d") {
    root->addChild(Tee3dPanel(snapshot, window));
  } else if (view.starts_with("tee")) {
    root->addChild(TeePanel(snapshot, view, window));
  } else if (view == "layout") {
    root->addChild(BuildLayout(snapshot, width_px, height_px));
  }
  return root;
}

}  // namespace teersim::views
