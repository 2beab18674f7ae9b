// The teersim window: runs the simulation in real time with a fixed-step loop
// and shows it. Keyboard drives every control when no device is attached
// (KeyboardControls; press H for the key list).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "devices/controls.h"
#include "devices/input_device.h"
#include "sim/model.h"
#include "sim/replay_player.h"
#include "sim/state.h"

namespace teersim::views {

// One key binding: a key nudges a control's set-point by `step` (SI) or, for
// buttons, toggles it.
struct KeyBinding {
  int key;                // osgGA::GUIEventAdapter key symbol or ASCII
  std::string key_label;  // "Up", "+", "w"
  devices::ControlId control;
  double step;  // SI; 0 = toggle a button
};

const std::vector<KeyBinding>& DefaultKeyBindings();
// Help overlay text, one line per binding ("Up / Down  guide.translation ±5 mm").
std::vector<std::string> KeyHelpLines();

struct GuiOptions {
  int width_px = 1280;
  int height_px = 720;
  // A USB device (joystick, gamepad, 3D mouse, catheter interface): it drives
  // the controls its profile maps, the keyboard the rest. May be null.
  devices::InputDevice* device = nullptr;
  // Called after each frame's steps with the state (force feedback to the
  // device, say). May be empty.
  std::function<void(const sim::State&)> after_steps;
};

// Opens the window and runs until it is closed. Returns 0, or 1 with a message
// on stderr when no window can be opened.
int RunGui(const sim::Model& model, const GuiOptions& options);

// Plays a recording in the same window (overview or cath-lab layout, V):
// space pauses, + / - double or halve the speed, Left / Right jump 5 s,
// PageUp / PageDown 30 s, Home goes to the start.
int RunReplayGui(sim::ReplayPlayer& player, const GuiOptions& options);

}  // namespace teersim::views
