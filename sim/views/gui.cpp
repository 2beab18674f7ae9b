#include "sim/views/gui.h"

#include <cstdio>
#include <mutex>
#include <osg/Switch>
#include <osg/Timer>
#include <osgGA/GUIEventHandler>
#include <osgGA/TrackballManipulator>
#include <osgViewer/Viewer>
#include <osgViewer/ViewerEventHandlers>

#include "base/log.h"
#include "base/units.h"
#include "sim/fixed_step_loop.h"
#include "sim/run.h"
#include "sim/step.h"
#include "sim/views/fluoro_image.h"
#include "sim/views/layout.h"
#include "sim/views/overview_scene.h"

namespace teersim::views {
namespace {

using devices::ControlId;
using Key = osgGA::GUIEventAdapter::KeySymbol;

// Key nudges: 5 mm and 5 deg per press for handles and knobs; 10 deg for the
// clip arms (a grasp opening of 120 deg takes 12 presses).
constexpr double kTranslationNudge_m = 5.0 * units::kMetresPerMillimetre;
constexpr double kFineTranslationNudge_m = 2.0 * units::kMetresPerMillimetre;
constexpr double kRotationNudge_rad = 5.0 * units::kRadiansPerDegree;
constexpr double kArmNudge_rad = 10.0 * units::kRadiansPerDegree;
// At most 100 physics steps (0.1 s) per frame; a slower frame drops time.
constexpr int kMaxStepsPerFrame = 100;

// Keeps the keyboard's set-points; the event handler writes, the loop reads.
class KeyboardControls : public osgGA::GUIEventHandler {
 public:
  KeyboardControls() : targets_(devices::ControlFrame::Defaults()) {}

  bool handle(const osgGA::GUIEventAdapter& event, osgGA::GUIActionAdapter&) override {
    if (event.getEventType() != osgGA::GUIEventAdapter::KEYDOWN) return false;
    const int key = event.getKey();
    if (key == 'h' || key == 'H') {
      show_help_ = !show_help_;
      return true;
    }
    if (key == 'v' || key == 'V') {
      show_layout_ = !show_layout_;
      return true;
    }
    for (const auto& binding : DefaultKeyBindings()) {
      if (binding.key != key) continue;
      const auto& info = devices::Info(binding.control);
      double value = targets_.Get(binding.control);
      value = binding.step == 0.0 ? (value >= 0.5 ? 0.0 : 1.0) : value + binding.step;
      targets_.Set(binding.control, std::clamp(value, info.min_value, info.max_value));
      return true;
    }
    return false;
  }

  const devices::ControlFrame& Targets() const { return targets_; }
  bool ShowHelp() const { return show_help_; }
  bool ShowLayout() const { return show_layout_; }

 private:
  devices::ControlFrame targets_;
  bool show_help_ = false;
  bool show_layout_ = false;
};

}  // namespace

const std::vector<KeyBinding>& DefaultKeyBindings() {
  static const std::vector<KeyBinding> kBindings{
      {Key::KEY_Up, "Up", ControlId::kGuideTranslation, kTranslationNudge_m},
      {Key::KEY_Down, "Down", ControlId::kGuideTranslation, -kTranslationNudge_m},
      {Key::KEY_Right, "Right", ControlId::kGuideRotation, kRotationNudge_rad},
      {Key::KEY_Left, "Left", ControlId::kGuideRotation, -kRotationNudge_rad},
      {'+', "+", ControlId::kGuideKnob, kRotationNudge_rad},
      {'-', "-", ControlId::kGuideKnob, -kRotationNudge_rad},
      {'w', "w", ControlId::kSleeveTranslation, kTranslationNudge_m},
      {'s', "s", ControlId::kSleeveTranslation, -kTranslationNudge_m},
      {'a', "a", ControlId::kSleeveApKnob, kRotationNudge_rad},
      {'d', "d", ControlId::kSleeveApKnob, -kRotationNudge_rad},
      {'m', "m", ControlId::kSleeveMlKnob, kRotationNudge_rad},
      {'n', "n", ControlId::kSleeveMlKnob, -kRotationNudge_rad},
      {'i', "i", ControlId::kDeliveryTranslation, kFineTranslationNudge_m},
      {'k', "k", ControlId::kDeliveryTranslation, -kFineTranslationNudge_m},
      {'l', "l", ControlId::kDeliveryRotation, kRotationNudge_rad},
      {'j', "j", ControlId::kDeliveryRotation, -kRotationNudge_rad},
      {'o', "o", ControlId::kClipArmAngle, kArmNudge_rad},
      {'c', "c", ControlId::kClipArmAngle, -kArmNudge_rad},
      {'1', "1", ControlId::kClipGripperLeft, 0.0},
      {'2', "2", ControlId::kClipGripperRight, 0.0},
      {'f', "f", ControlId::kFluoroPedal, 0.0},
      {']', "]", ControlId::kCArmLaoRao, kRotationNudge_rad},
      {'[', "[", ControlId::kCArmLaoRao, -kRotationNudge_rad},
      {'\'', "'", ControlId::kCArmCranCaud, kRotationNudge_rad},
      {';', ";", ControlId::kCArmCranCaud, -kRotationNudge_rad},
      {'.', ".", ControlId::kTeeMultiplane, kRotationNudge_rad},
      {',', ",", ControlId::kTeeMultiplane, -kRotationNudge_rad},
  };
  return kBindings;
}

std::vector<std::string> KeyHelpLines() {
  std::vector<std::string> lines{
      "Keys (H hides this help, V switches overview / cath-lab layout):"};
  for (const auto& binding : DefaultKeyBindings()) {
    const auto& info = devices::Info(binding.control);
    char line[128];
    if (binding.step == 0.0) {
      std::snprintf(line, sizeof line, "  %-6s %s (toggle)", binding.key_label.c_str(),
                    std::string(info.name).c_str());
    } else {
      std::snprintf(line, sizeof line, "  %-6s %s %+g %s", binding.key_label.c_str(),
                    std::string(info.name).c_str(), devices::SiToEdge(info.unit, binding.step),
                    info.unit == devices::ControlUnit::kMetre ? "mm" : "deg");
    }
    lines.emplace_back(line);
  }
  return lines;
}

namespace {

// The window both the live GUI and the replay draw into: the overview
// camera, the anatomy built once, and the group each frame redraws.
struct GuiWindow {
  osgViewer::Viewer viewer;
  osg::ref_ptr<osg::Group> dynamic = new osg::Group;
  osg::ref_ptr<osg::Node> anatomy;
  FluoroMonitor fluoro_monitor;  // last-image hold across frames
};

// Opens the window at (x, y) with `keys` handling the keyboard; false (and
// logged) when the display has no window to give.
bool OpenGuiWindow(const sim::Model& model, const GuiOptions& options, int x, int y,
                   osgGA::GUIEventHandler* keys, GuiWindow* window) {
  osgViewer::Viewer& viewer = window->viewer;
  viewer.setUpViewInWindow(x, y, options.width_px, options.height_px);
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  viewer.getCamera()->setClearColor(kOverviewBackground);
  viewer.addEventHandler(keys);
  viewer.addEventHandler(new osgViewer::WindowSizeHandler);
  osg::ref_ptr<osgGA::TrackballManipulator> manipulator = new osgGA::TrackballManipulator;
  const OverviewCamera view = DefaultOverviewCamera();
  manipulator->setHomePosition(view.eye, view.centre, view.up);
  viewer.setCameraManipulator(manipulator);
  // The anatomy is built once; each frame replaces only the dynamic part.
  osg::ref_ptr<osg::Group> scene = new osg::Group;
  window->anatomy = BuildAnatomyNode(sim::MakeSnapshot(model, sim::InitialState(model)).meshes);
  scene->addChild(window->anatomy);
  scene->addChild(window->dynamic);
  viewer.setSceneData(scene);
  viewer.realize();
  if (!viewer.isRealized()) {
    log::Error("cannot open a window on this display");
    return false;
  }
  return true;
}

// Draws `state`: the cath-lab layout, or the overview with its HUD and
// `extra_lines` under it.
void DrawFrame(const sim::Model& model, const sim::State& state, bool show_layout,
               std::vector<std::string> extra_lines, const GuiOptions& options,
               GuiWindow* window) {
  osg::Group& dynamic = *window->dynamic;
  dynamic.removeChildren(0, dynamic.getNumChildren());
  const osg::Viewport* viewport = window->viewer.getCamera()->getViewport();
  const int width = viewport ? static_cast<int>(viewport->width()) : options.width_px;
  const int height = viewport ? static_cast<int>(viewport->height()) : options.height_px;
  // The cath-lab layout images the anatomy itself (fluoro, TEE): it needs
  // the full snapshot, and the overview's static anatomy is hidden.
  window->anatomy->setNodeMask(show_layout ? 0u : ~0u);
  if (show_layout) {
    dynamic.addChild(
        BuildLayout(sim::MakeSnapshot(model, state), width, height, &window->fluoro_monitor));
  } else {
    const sim::Snapshot snapshot =
        sim::MakeSnapshot(model, state, sim::SnapshotContent::kWithoutAnatomy);
    dynamic.addChild(BuildDynamicNode(snapshot));
    auto lines = HudLines(snapshot);
    for (auto& line : extra_lines) lines.push_back(std::move(line));
    dynamic.addChild(BuildHud(lines, width, height));
  }
  window->viewer.frame();
}

}  // namespace

int RunGui(const sim::Model& model, const GuiOptions& options) {
  osg::ref_ptr<KeyboardControls> keyboard = new KeyboardControls;
  GuiWindow window;
  if (!OpenGuiWindow(model, options, 40, 40, keyboard.get(), &window)) return 1;

  sim::State state = sim::InitialState(model);
  sim::FixedStepLoop loop(model.step_s, kMaxStepsPerFrame);
  sim::Input input;
  devices::ControlFrame previous_keys = keyboard->Targets();
  input.controls = previous_keys;
  osg::Timer_t last_tick = osg::Timer::instance()->tick();
  while (!window.viewer.done()) {
    // Step physics for the wall time since the last frame.
    const osg::Timer_t now = osg::Timer::instance()->tick();
    const int steps = loop.Advance(osg::Timer::instance()->delta_s(last_tick, now));
    last_tick = now;
    // The keyboard's nudges, then the device over the controls it maps (its
    // rate controls integrate in the running set-points, so both compose).
    for (int i = 0; i < steps; ++i) {
      const devices::ControlFrame& keys = keyboard->Targets();
      for (std::size_t c = 0; c < devices::kControlCount; ++c) {
        if (keys.values[c] != previous_keys.values[c]) {
          input.controls.values[c] += keys.values[c] - previous_keys.values[c];
        }
      }
      previous_keys = keys;
      if (options.device) options.device->Sample(state.time_s, &input.controls);
      sim::Step(model, input, &state);
    }
    if (options.after_steps) options.after_steps(state);

    std::vector<std::string> lines;
    if (keyboard->ShowHelp()) {
      lines = KeyHelpLines();
    } else {
      lines.emplace_back("H: keys");
    }
    if (options.device) lines.push_back("device: " + options.device->Name());
    DrawFrame(model, state, keyboard->ShowLayout(), std::move(lines), options, &window);
  }
  return 0;
}

namespace {

// Replay keys: pause, speed and scrubbing (the player does the work).
class ReplayKeys : public osgGA::GUIEventHandler {
 public:
  explicit ReplayKeys(sim::ReplayPlayer& player) : player_(player) {}
  bool handle(const osgGA::GUIEventAdapter& event, osgGA::GUIActionAdapter&) override {
    if (event.getEventType() != osgGA::GUIEventAdapter::KEYDOWN) return false;
    constexpr double kShortJump_s = 5.0, kLongJump_s = 30.0;
    const double now = player_.Current().time_s;
    switch (event.getKey()) {
      case ' ':
        player_.SetPaused(!player_.Paused());
        return true;
      case '+':
      case '=':
        player_.SetSpeed(player_.Speed() * 2.0);
        return true;
      case '-':
        player_.SetSpeed(player_.Speed() / 2.0);
        return true;
      case Key::KEY_Right:
        player_.Seek(now + kShortJump_s);
        return true;
      case Key::KEY_Left:
        player_.Seek(now - kShortJump_s);
        return true;
      case Key::KEY_Page_Up:
        player_.Seek(now + kLongJump_s);
        return true;
      case Key::KEY_Page_Down:
        player_.Seek(now - kLongJump_s);
        return true;
      case Key::KEY_Home:
        player_.Seek(0.0);
        return true;
      case 'v':
      case 'V':
        show_layout_ = !show_layout_;
        return true;
      default:
        return false;
    }
  }
  bool ShowLayout() const { return show_layout_; }

 private:
  sim::ReplayPlayer& player_;
  bool show_layout_ = false;
};

}  // namespace

int RunReplayGui(sim::ReplayPlayer& player, const GuiOptions& options) {
  const sim::Model& model = player.GetModel();
  osg::ref_ptr<ReplayKeys> keys = new ReplayKeys(player);
  GuiWindow window;
  if (!OpenGuiWindow(model, options, 50, 50, keys.get(), &window)) return 1;
  osg::Timer_t last_tick = osg::Timer::instance()->tick();
  while (!window.viewer.done()) {
    const osg::Timer_t now = osg::Timer::instance()->tick();
    player.Advance(osg::Timer::instance()->delta_s(last_tick, now));
    last_tick = now;
    const sim::State& state = player.Current();
    char line[160];
    std::snprintf(line, sizeof line,
                  "REPLAY %.1f / %.1f s   %s %.3gx   space pause, +/- speed, Left/Right 5 s, "
                  "PgUp/PgDn 30 s, Home",
                  state.time_s, player.Duration_s(), player.Paused() ? "paused" : "playing",
                  player.Speed());
    DrawFrame(model, state, keys->ShowLayout(), {line}, options, &window);
  }
  return 0;
}

}  // namespace teersim::views
