#include <iostream>
#include <nlohmann/json.hpp>

#include "base/input_error.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/replay.h"
#include "sim/replay_player.h"
#include "sim/views/gui.h"

namespace teersim::app {
namespace {

struct ReplayArgs {
  std::string file;
  bool verify = false;
  bool json = false;
};

int ReplayCommand(const ReplayArgs& args) {
  const sim::Recording recording = sim::ReadRecording(args.file);
  for (const auto& warning : recording.warnings)
    std::cerr << "teersim replay: warning: " << warning << '\n';
  if (!args.verify) {
    // Watching a run: the GUI with pause, speed and scrubbing.
    if (!HasDisplay()) {
      throw InputError(
          "replay: no display for the GUI (DISPLAY is not set); use --verify to check the "
          "recording headless, or render it: teersim render --recording " +
          args.file + " --at S --view layout --out FILE.png");
    }
    sim::ReplayPlayer player(recording, args.file);
    return views::RunReplayGui(player, views::GuiOptions{});
  }
  const sim::ReplayResult result = sim::ReplayRecording(recording, args.file);
  const double speed = result.wall_s > 0.0 ? result.simulated_s / result.wall_s : 0.0;
  if (args.json) {
    nlohmann::ordered_json out{{"file", args.file},
                               {"case", recording.header.case_name},
                               {"software_version", recording.header.software_version},
                               {"driver", recording.header.driver},
                               {"verified", result.verified},
                               {"steps", result.steps},
                               {"simulated_s", result.simulated_s},
                               {"wall_s", result.wall_s},
                               {"speed_x_realtime", speed},
                               {"recorded_final_hash", result.recorded_final_hash},
                               {"replayed_final_hash", result.replayed_final_hash},
                               {"first_mismatch_step", result.first_mismatch_step},
                               {"complete", recording.end.has_value()},
                               {"warnings", recording.warnings}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << "teersim replay: " << args.file << " (" << recording.header.case_name << ", "
              << recording.header.driver << ")\n"
              << "  replayed " << result.steps << " steps (" << result.simulated_s << " s) in "
              << result.wall_s << " s, " << speed << "x real time\n"
              << "  final state hash: recorded "
              << (result.recorded_final_hash.empty() ? "(none: run cut short)"
                                                     : result.recorded_final_hash)
              << ", replayed " << result.replayed_final_hash << '\n'
              << (result.verified ? "  VERIFIED: bit-identical\n" : "  NOT VERIFIED\n");
    if (result.first_mismatch_step >= 0) {
      std::cout << "  first mismatch after step " << result.first_mismatch_step << '\n';
    }
  }
  return result.verified ? kExitSuccess : kExitFailure;
}

}  // namespace

void AddReplayCommand(CLI::App& app, Handler* handler) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* replay =
      app.add_subcommand("replay", "Replay a recording (GUI) or --verify it headless");
  replay->add_option("file", args->file, "Recording FILE (.teerrec)")->required();
  replay->add_flag("--verify", args->verify, "Re-simulate and check the state hashes bit for bit");
  replay->add_flag("--json", args->json, "Machine-readable output");
  replay->callback([handler, args] {
    *handler = [args] { return Guarded([&] { return ReplayCommand(*args); }); };
  });
}

}  // namespace teersim::app
