// Each subcommand registers itself on the CLI11 app and sets `*handler` to the
// function that runs it after a successful parse.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "devices/hid_usb_device.h"
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

// The GUI's USB device: the first HID joystick, gamepad, 3D mouse or catheter
// interface a built-in profile matches, picked up whenever it is plugged in
// (null when TEERSIM_NO_DEVICE=1).
std::unique_ptr<devices::HidUsbDevice> OpenGuiDevice();
// GUI options driving the GUI with `device` (may be null) and, when it is a
// catheter interface, sending it the handle forces each frame.
views::GuiOptions GuiOptionsFor(devices::HidUsbDevice* device);

}  // namespace teersim::app
