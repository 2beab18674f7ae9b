// teersim: the executable where all modules meet. `teersim --help` lists the
// subcommands; each has its own --help. Exit codes: sim/app/exit_codes.h.
#include <CLI/CLI.hpp>
#include <iostream>

#include "base/data_paths.h"
#include "base/log.h"
#include "scenes/case_library.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/model.h"
#include "sim/views/gui.h"

namespace teersim::app {
namespace {

int RunDefaultGui(bool headless_requested) {
  if (headless_requested || !HasDisplay()) {
    std::cerr << "teersim: no display for the GUI"
              << (headless_requested ? " (--headless given)" : " (DISPLAY is not set)") << ".\n"
              << "Run a case without a window instead, e.g.\n"
              << "  teersim run --case " << scenes::kDefaultCaseName
              << " --autopilot --headless --out out/demo\n"
              << "or render a view: teersim render --case " << scenes::kDefaultCaseName
              << " --view overview --out overview.png\n";
    return kExitBadInput;
  }
  return Guarded([] {
    const auto description =
        scenes::LoadCaseDescription(scenes::ResolveCase(scenes::kDefaultCaseName));
    GuiDevices devices;
    return views::RunGui(sim::CompileModel(description), devices.Options());
  });
}

int Main(int argc, char** argv) {
  CLI::App app{
      "teersim — training simulator for transcatheter edge-to-edge mitral repair "
      "(MitraClip).\nWith no subcommand: the GUI on the default case (" +
      std::string(scenes::kDefaultCaseName) + ")."};
  app.set_version_flag("--version", VersionString());
  bool headless = false;
  app.add_flag("--headless", headless, "Never open a window (explains the headless commands)");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug | info | warn | error | off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  app.require_subcommand(0, 1);

  Handler handler;
  AddRunCommand(app, &handler);
  AddCaseCommand(app, &handler);
  AddRenderCommand(app, &handler);
  AddRecordingCommands(app, &handler);
  AddDevicesCommand(app, &handler);
  AddBenchCommand(app, &handler);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);  // --help, --version
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitBadInput;
  }
  log::Level level = log::Level::kInfo;
  log::ParseLevel(log_level, &level);
  log::SetLevel(level);

  if (handler) return handler();
  return RunDefaultGui(headless);
}

}  // namespace
}  // namespace teersim::app

int main(int argc, char** argv) { return teersim::app::Main(argc, argv); }
