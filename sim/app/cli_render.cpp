#include <charconv>
#include <cmath>
#include <iostream>
#include <optional>

#include "base/input_error.h"
#include "scenes/case_library.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/app/headless_display.h"
#include "sim/replay.h"
#include "sim/run.h"
#include "sim/step.h"
#include "sim/views/offscreen.h"

namespace teersim::app {
namespace {

// Largest offscreen image: 4K UHD.
constexpr int kMaxWidth_px = 3840;
constexpr int kMaxHeight_px = 2160;
constexpr int kMinSide_px = 64;
// --time: render after this much simulated time with the controls at rest.
constexpr double kMaxRenderTime_s = 600.0;

struct RenderArgs {
  std::string case_name;
  std::string view;
  std::optional<double> time_s;
  std::string recording;
  std::optional<double> at_s;
  std::string out;
  std::string size = "1280x720";
};

// Parses "WIDTHxHEIGHT" (decimal digits only).
void ParseSize(const std::string& size, int* width, int* height) {
  const auto fail = [&] {
    throw InputError("render: --size: expected WIDTHxHEIGHT, e.g. 1280x720, got '" + size + "'");
  };
  const std::size_t cross = size.find('x');
  if (cross == std::string::npos || cross == 0 || cross + 1 == size.size()) fail();
  const char* begin = size.data();
  const char* end = begin + size.size();
  const auto first = std::from_chars(begin, begin + cross, *width);
  const auto second = std::from_chars(begin + cross + 1, end, *height);
  if (first.ec != std::errc() || first.ptr != begin + cross || second.ec != std::errc() ||
      second.ptr != end) {
    fail();
  }
  if (*width < kMinSide_px || *height < kMinSide_px || *width > kMaxWidth_px ||
      *height > kMaxHeight_px) {
    throw InputError("render: --size: expected 64x64 to 3840x2160, got '" + size + "'");
  }
}

int RenderCommand(const RenderArgs& args) {
  if (args.recording.empty() == args.case_name.empty()) {
    throw InputError("render: give --case NAME (with --time) or --recording FILE --at S");
  }
  views::RenderRequest request;
  request.view = args.view;
  ParseSize(args.size, &request.width_px, &request.height_px);
  if (!args.out.ends_with(".png")) throw InputError("render: --out must name a .png file");
  if (!views::ViewAvailable(args.view)) {
    return NotAvailableYet("render --view " + args.view, "views issue #6");
  }

  // The state: from a recording re-simulated to --at, or the case stepped to
  // --time with every control at rest.
  std::optional<sim::Model> model;
  std::optional<sim::State> state;
  if (!args.recording.empty()) {
    const sim::Recording recording = sim::ReadRecording(args.recording);
    model.emplace(sim::CompileModel(scenes::ParseCaseDescription(
        recording.header.case_text,
        args.recording + " (embedded case)/" + recording.header.case_name + ".yaml")));
    sim::ReplayObserver observer;
    observer.every_steps = 1;
    observer.on_sample = [&](const sim::Input&, const sim::State& s) {
      if (!state && s.time_s >= args.at_s.value_or(0.0)) state = s;
    };
    const sim::ReplayResult replay = sim::ReplayRecording(recording, args.recording, &observer);
    if (!state) {
      throw InputError("render: --at " + std::to_string(args.at_s.value_or(0.0)) +
                       " s is after the end of " + args.recording + " (" +
                       std::to_string(replay.simulated_s) + " s)");
    }
  } else {
    const auto description = scenes::LoadCaseDescription(scenes::ResolveCase(args.case_name));
    model.emplace(sim::CompileModel(description));
    state = sim::InitialState(*model);
    const sim::Input at_rest;
    const auto steps =
        static_cast<std::int64_t>(std::llround(args.time_s.value_or(0.0) / model->step_s));
    for (std::int64_t i = 0; i < steps; ++i) sim::Step(*model, at_rest, &*state);
  }

  HeadlessDisplay display;
  std::string error;
  if (!display.Ensure(&error)) throw std::runtime_error(error);
  const views::RenderResult result =
      views::RenderToPng(sim::MakeSnapshot(*model, *state), request, args.out);
  if (!result.ok) throw std::runtime_error(result.error);
  std::cout << args.out << '\n';
  return kExitSuccess;
}

}  // namespace

void AddRenderCommand(CLI::App& app, Handler* handler) {
  auto args = std::make_shared<RenderArgs>();
  CLI::App* render =
      app.add_subcommand("render", "Render one view of a case to PNG (no window needed)");
  render->add_option("--case", args->case_name,
                     "Stock case NAME or case FILE (not with --recording: it carries its case)");
  std::string views_list;
  for (const auto& name : views::AllViewNames())
    views_list += (views_list.empty() ? "" : "|") + name;
  render->add_option("--view", args->view, views_list)
      ->required()
      ->check(CLI::IsMember(views::AllViewNames()));
  auto* time = render->add_option("--time", args->time_s, "Simulated time of the frame (s)")
                   ->check(CLI::Range(0.0, kMaxRenderTime_s));
  auto* recording =
      render->add_option("--recording", args->recording, "Render from a recording FILE");
  auto* at = render->add_option("--at", args->at_s, "Time in the recording (s)")
                 ->check(CLI::NonNegativeNumber);
  time->excludes(recording);
  recording->needs(at);
  at->needs(recording);
  render->add_option("--out", args->out, "Output FILE.png")->required();
  render->add_option("--size", args->size, "Image size WIDTHxHEIGHT (default 1280x720)");
  render->callback([handler, args] {
    *handler = [args] { return Guarded([&] { return RenderCommand(*args); }); };
  });
}

}  // namespace teersim::app
