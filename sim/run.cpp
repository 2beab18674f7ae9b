#include "sim/run.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iterator>

#include "base/data_paths.h"
#include "base/input_error.h"
#include "base/units.h"
#include "devices/scripted_device.h"
#include "sim/recording.h"
#include "sim/scoring.h"
#include "sim/step.h"

namespace teersim::sim {
namespace {

// Longest headless run accepted: two hours of simulated time.
constexpr double kMaxRunDuration_s = 7200.0;
// After the last keyframe, run this long so the hands settle at their targets.
constexpr double kSettleAfterScript_s = 1.0;
// The controls CSV samples every 10 ms (100 Hz): enough for plots, small files.
constexpr std::int64_t kCsvEverySteps = 10;

void WriteCsvHeader(std::ofstream& csv) {
  csv << "time_s";
  for (const auto& info : devices::AllControls()) {
    csv << ',' << info.name << devices::EdgeUnitSuffix(info.unit);
  }
  csv << '\n';
}

void WriteCsvRow(std::ofstream& csv, const State& state) {
  csv << state.time_s;
  for (const auto& info : devices::AllControls()) {
    csv << ',' << devices::SiToEdge(info.unit, state.handles.Get(info.id));
  }
  csv << '\n';
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

RunResult RunHeadless(const RunOptions& options) {
  const scenes::CaseDescription description = scenes::LoadCaseDescription(options.case_file);
  const Model model = CompileModel(description);

  if (!options.script_file) {
    throw InputError("run: a driver is needed: --script FILE (the autopilot is not available yet)");
  }
  devices::ScriptedDevice device(devices::LoadScript(*options.script_file));

  double duration_s = device.GetScript().LastKeyframeTime_s() + kSettleAfterScript_s;
  if (device.GetScript().duration_s) duration_s = *device.GetScript().duration_s;
  if (options.duration_s) duration_s = *options.duration_s;
  if (!(duration_s > 0.0) || duration_s > kMaxRunDuration_s) {
    throw InputError("run: --duration must be > 0 and <= " +
                     std::to_string(static_cast<int>(kMaxRunDuration_s)) + " s");
  }

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    throw InputError(options.out_dir.string() + ": cannot create output directory: " +
                     error.message());
  }
  RunResult result;
  result.outputs.summary_json = options.out_dir / "summary.json";
  result.outputs.controls_csv = options.out_dir / "controls.csv";
  result.outputs.recording = options.out_dir / "recording.teerrec";
  std::ofstream csv(result.outputs.controls_csv);
  if (!csv) throw InputError(result.outputs.controls_csv.string() + ": cannot write");
  csv.precision(9);
  WriteCsvHeader(csv);

  // Every run is recorded, so it can be replayed, verified and scored.
  RecordingWriter recording;
  recording.Open(result.outputs.recording,
                 RecordingHeader{VersionString(), description.name, ReadText(options.case_file),
                                 description.seed, model.step_s, device.Name(), options.trainee});

  // The loop: sample the device at the current time, step, record, log every 10 ms.
  State state = InitialState(description.seed);
  const auto total_steps = static_cast<std::int64_t>(std::llround(duration_s / model.step_s));
  Input input;
  WriteCsvRow(csv, state);
  for (std::int64_t i = 0; i < total_steps; ++i) {
    device.Sample(state.time_s, &input.controls);
    Step(model, input, &state);
    if (state.status != StepStatus::kOk) break;
    recording.AppendStep(input, state);
    if (state.step_index % kCsvEverySteps == 0) WriteCsvRow(csv, state);
  }

  // A numerical fault is an event: the recording and the score say so.
  if (state.status != StepStatus::kOk) {
    result.events.push_back({state.time_s, "numerical_fault",
                             "{\"fault_step\": " + std::to_string(state.fault_step_index) + "}"});
    recording.AppendEvent(result.events.back());
  }
  recording.Finish(state);
  if (!recording.Error().empty()) throw std::runtime_error(result.outputs.recording.string() + ": " + recording.Error());

  result.case_name = description.name;
  result.case_title = description.title;
  result.driver = device.Name();
  result.duration_s = state.time_s;
  result.steps = state.step_index;
  result.status = state.status;
  result.fluoro_time_s = state.fluoro_time_s;
  result.final_state_hash = [&] {
    StateHasher hasher;
    return AddToHash(state, hasher).Hex();
  }();
  result.final_state = state;
  result.baseline = model.baseline_outcome;
  result.score_json = ScoreJson(ScoreRun(LoadRubric(DefaultRubricPath()),
                                         MetricsFromRun(state, result.events), result.events, state.time_s));

  std::ofstream summary(result.outputs.summary_json);
  if (!summary) throw InputError(result.outputs.summary_json.string() + ": cannot write");
  summary << RunSummaryJson(result) << '\n';
  return result;
}

std::string RunSummaryJson(const RunResult& result) {
  nlohmann::ordered_json json;
  json["case"] = result.case_name;
  json["title"] = result.case_title;
  json["driver"] = result.driver;
  json["status"] = std::string(StepStatusName(result.status));
  // Procedure outcome and score arrive with the procedure and scoring issues;
  // until then they are reported as not computed rather than invented.
  json["outcome"] = {{"completed", result.completed},
                     {"mr_grade_before", result.baseline.mr_grade},
                     {"eroa_cm2_before", result.baseline.eroa_m2 * 1e4},
                     {"mva_cm2_before", result.baseline.mva_m2 * 1e4},
                     {"mean_gradient_mmHg_before", result.baseline.mean_gradient_mmHg}};
  json["metrics"] = {{"duration_s", result.duration_s},
                     {"steps", result.steps},
                     {"fluoro_time_s", result.fluoro_time_s},
                     {"dap_cGy_cm2", result.final_state.dap_Gycm2 * 100.0}};
  json["score"] = result.score_json.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json::parse(result.score_json);
  json["final_state_hash"] = result.final_state_hash;
  json["outputs"] = {{"summary_json", result.outputs.summary_json.string()},
                     {"controls_csv", result.outputs.controls_csv.string()},
                     {"recording", result.outputs.recording.string()}};
  return json.dump(2);
}

Snapshot MakeSnapshot(const Model& model, const State& state, SnapshotContent content) {
  Snapshot snapshot;
  snapshot.case_name = model.case_description.name;
  snapshot.case_title = model.case_description.title;
  snapshot.time_s = state.time_s;
  snapshot.cardiac_phase = state.cardiac_phase;
  snapshot.fluoro_time_s = state.fluoro_time_s;
  snapshot.handles = state.handles;
  snapshot.status = std::string(StepStatusName(state.status));
  snapshot.dap_Gycm2 = state.dap_Gycm2;
  if (model.anatomy) {
    // Landmarks by the anatomy's names, plus the names the views look for.
    const auto& marks = model.anatomy->landmarks;
    const auto add = [&](const std::string& name, const scenes::Vec3& p) {
      snapshot.landmarks.push_back({name, {static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2])}});
    };
    for (const auto& [name, p] : marks) add(name, p);
    if (const auto centre = marks.find("annulus_centre"); centre != marks.end()) {
      add("mitral_annulus_centre", centre->second);
      if (const auto tip = marks.find("annulus_normal_tip"); tip != marks.end()) {
        add("mitral_annulus_normal_tip", tip->second);
        // Colour Doppler: the current regurgitant orifice, from the jet origin into the LA.
        const scenes::Vec3 axis{tip->second[0] - centre->second[0], tip->second[1] - centre->second[1],
                                tip->second[2] - centre->second[2]};
        const double length = std::sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        const auto origin = marks.find("jet_origin");
        if (length > 0.0 && origin != marks.end()) {
          snapshot.mitral_jet.origin_m = {static_cast<float>(origin->second[0]), static_cast<float>(origin->second[1]),
                                          static_cast<float>(origin->second[2])};
          snapshot.mitral_jet.direction = {static_cast<float>(axis[0] / length), static_cast<float>(axis[1] / length),
                                           static_cast<float>(axis[2] / length)};
          snapshot.mitral_jet.eroa_m2 = model.baseline_outcome.eroa_m2;
        }
      }
    }
  }
  // The anatomy at render resolution (end-diastole until the motion model).
  if (model.anatomy && content == SnapshotContent::kEverything) {
    for (const auto& structure : model.anatomy->structures) {
      SnapshotMesh mesh;
      mesh.name = structure.name;
      mesh.rgba = structure.rgba;
      mesh.vertices_m.reserve(structure.render.vertices.size() * 3);
      for (const auto& v : structure.render.vertices) {
        for (double c : v) mesh.vertices_m.push_back(static_cast<float>(c));
      }
      mesh.indices.reserve(structure.render.triangles.size() * 3);
      for (const auto& t : structure.render.triangles) mesh.indices.insert(mesh.indices.end(), t.begin(), t.end());
      snapshot.meshes.push_back(std::move(mesh));
    }
  }
  return snapshot;
}

}  // namespace teersim::sim
