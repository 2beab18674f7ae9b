// Each subcommand registers itself on the CLI11 app and sets `*handler` to the
// function that runs it after a successful parse.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "devices/haptic_device.h"
#include "devices/hid_usb_device.h"
#include "sim/haptic_driver.h"
#include "sim/views/gui.h"

namespace teersim::app {

using Handler = std::function<int()>;

void AddRunCommand(CLI::App& app, Handler* handler);
void AddCaseCommand(CLI::App& app, Handler* handler);
void AddRenderCommand(CLI::App& app, Handler* handler);
void AddDevicesCommand(CLI::App& app, Handler* handler);
void AddBenchCommand(CLI::App& app, Handler* handler);
// `bench physics`, registered by AddBenchCommand (bench_physics.cpp).
void AddPhysicsBenchCommand(CLI::App& bench, Handler* handler);
// `bench haptics` (bench_haptics.cpp).
void AddHapticsBenchCommand(CLI::App& bench, Handler* handler);
// replay (cli_replay.cpp); score, report, trainee (the scoring issue).
void AddReplayCommand(CLI::App& app, Handler* handler);
void AddTraineeCommand(CLI::App& app, Handler* handler);
void AddScoreCommand(CLI::App& app, Handler* handler);
void AddReportCommand(CLI::App& app, Handler* handler);
void AddRecordingCommands(CLI::App& app, Handler* handler);

// Runs `body`, turning InputError into exit 2 and other exceptions into exit 1,
// each with a one-line message on stderr.
int Guarded(const std::function<int()>& body);

// Prints "teersim <what>: not available yet (<issue>)" and returns exit 1.
int NotAvailableYet(const std::string& what, const std::string& issue);

bool HasDisplay();

// The GUI's devices: the first HID joystick, gamepad, 3D mouse or catheter
// interface a built-in profile matches, picked up whenever it is plugged in
// (none with TEERSIM_NO_DEVICE=1), and a Novint Falcon when
// TEERSIM_FALCON_FIRMWARE names the user's firmware file. They drive the
// controls together (HID first, then the Falcon's active handle); a catheter
// interface gets the handle forces, the Falcon renders the active one's.
class GuiDevices final : public devices::InputDevice {
 public:
  GuiDevices();
  ~GuiDevices() override;
  std::string Name() const override;
  void Sample(double time_s, devices::ControlFrame* frame) override;
  // GUI options that use these devices (they must outlive the GUI).
  views::GuiOptions Options();

 private:
  void Feedback(const sim::State& state);
  std::unique_ptr<devices::HidUsbDevice> hid_;
  std::unique_ptr<devices::HapticDevice> falcon_;
  std::unique_ptr<sim::HapticDriver> haptic_;
};

}  // namespace teersim::app
