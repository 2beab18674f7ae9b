#include "sim/run.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/data_paths.h"
#include "base/input_error.h"
#include "base/units.h"
#include "devices/scripted_device.h"
#include "sim/recording.h"
#include "sim/scoring.h"
#include "sim/step.h"
#include "sim/valve_motion.h"

namespace teersim::sim {
namespace {

// Longest headless run accepted: two hours of simulated time.
constexpr double kMaxRunDuration_s = 7200.0;
// After the last keyframe, run this long so the hands settle at their targets.
constexpr double kSettleAfterScript_s = 1.0;
// After the autopilot's last move, run this long (the last events settle).
constexpr double kSettleAfterAutopilot_s = 2.0;
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

  if (!options.script_file && !options.autopilot) {
    throw InputError("run: a driver is needed: --script FILE or --autopilot");
  }
  // The driver: a script, or the autopilot watching the state.
  std::optional<devices::ScriptedDevice> device;
  std::optional<Autopilot> autopilot;
  double duration_s = Autopilot::kTimeLimit_s + kSettleAfterAutopilot_s;
  if (options.autopilot) {
    autopilot.emplace(model, *options.autopilot);
  } else {
    device.emplace(devices::LoadScript(*options.script_file));
    duration_s = device->GetScript().LastKeyframeTime_s() + kSettleAfterScript_s;
    if (device->GetScript().duration_s) duration_s = *device->GetScript().duration_s;
  }
  const std::string driver = autopilot ? autopilot->Name() : device->Name();
  if (options.duration_s) duration_s = *options.duration_s;
  if (!(duration_s > 0.0) || duration_s > kMaxRunDuration_s) {
    throw InputError("run: --duration must be > 0 and <= " +
                     std::to_string(static_cast<int>(kMaxRunDuration_s)) + " s");
  }

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    throw InputError(options.out_dir.string() +
                     ": cannot create output directory: " + error.message());
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
                                 description.seed, model.step_s, driver, options.trainee});

  // The loop: sample the device at the current time, step, record, log every 10 ms.
  State state = InitialState(model);
  const auto total_steps = static_cast<std::int64_t>(std::llround(duration_s / model.step_s));
  Input input;
  WriteCsvRow(csv, state);
  int events_recorded = 0;
  std::optional<double> finished_at_s;
  for (std::int64_t i = 0; i < total_steps; ++i) {
    if (autopilot) {
      autopilot->Sample(state, &input.controls);
    } else {
      device->Sample(state.time_s, &input.controls);
    }
    Step(model, input, &state);
    if (state.status != StepStatus::kOk) break;
    recording.AppendStep(input, state);
    // The procedure's new events go to the recording as they happen.
    if (state.procedure.event_count > events_recorded) {
      for (auto& event : ProcedureEvents(state.procedure, events_recorded)) {
        recording.AppendEvent(event);
        result.events.push_back(std::move(event));
      }
      events_recorded = state.procedure.event_count;
    }
    if (state.step_index % kCsvEverySteps == 0) WriteCsvRow(csv, state);
    // The autopilot's run ends a little after its plan does.
    if (autopilot && autopilot->Finished() && !finished_at_s) finished_at_s = state.time_s;
    if (finished_at_s && !options.duration_s &&
        state.time_s >= *finished_at_s + kSettleAfterAutopilot_s)
      break;
  }
  if (autopilot) result.driver_problem = autopilot->Problem();
  if (autopilot && !autopilot->Problem().empty()) {
    result.events.push_back(
        {state.time_s, "autopilot_gave_up", nlohmann::json{{"why", autopilot->Problem()}}.dump()});
    recording.AppendEvent(result.events.back());
  }

  // A numerical fault is an event: the recording and the score say so.
  if (state.status != StepStatus::kOk) {
    result.events.push_back({state.time_s, "numerical_fault",
                             "{\"fault_step\": " + std::to_string(state.fault_step_index) + "}"});
    recording.AppendEvent(result.events.back());
  }
  recording.Finish(state);
  if (!recording.Error().empty())
    throw std::runtime_error(result.outputs.recording.string() + ": " + recording.Error());

  result.case_name = description.name;
  result.case_title = description.title;
  result.clip_size = model.procedure.instruments.clip.name;
  result.driver = driver;
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
  result.completed = state.procedure.completed;
  result.score_json =
      ScoreJson(ScoreRun(LoadRubric(DefaultRubricPath()), MetricsFromRun(state, result.events),
                         result.events, state.time_s));

  std::ofstream summary(result.outputs.summary_json);
  if (!summary) throw InputError(result.outputs.summary_json.string() + ": cannot write");
  summary << RunSummaryJson(result) << '\n';
  return result;
}

std::string RunSummaryJson(const RunResult& result) {
  nlohmann::ordered_json json;
  json["case"] = result.case_name;
  json["title"] = result.case_title;
  json["clip_size"] = result.clip_size;
  json["driver"] = result.driver;
  json["status"] = std::string(StepStatusName(result.status));
  if (result.status != StepStatus::kOk)
    json["fault_source"] = std::string(FaultSourceName(result.final_state.fault_source));
  json["outcome"] =
      nlohmann::ordered_json::parse(OutcomeJson(result.final_state.procedure, result.baseline));
  json["metrics"] = {{"duration_s", result.duration_s},
                     {"steps", result.steps},
                     {"fluoro_time_s", result.fluoro_time_s},
                     {"dap_cGy_cm2", result.final_state.dap_Gycm2 * 100.0}};
  json["score"] = result.score_json.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json::parse(result.score_json);
  if (!result.driver_problem.empty()) json["driver_problem"] = result.driver_problem;
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const auto& event : result.events) {
    if (event.name == "phase") continue;  // phase times are in outcome.phase_times_s
    events.push_back(
        {{"time_s", event.time_s},
         {"name", event.name},
         {"details", nlohmann::ordered_json::parse(event.details.empty() ? "{}" : event.details)}});
  }
  json["events"] = events;
  json["final_state_hash"] = result.final_state_hash;
  json["outputs"] = {{"summary_json", result.outputs.summary_json.string()},
                     {"controls_csv", result.outputs.controls_csv.string()},
                     {"recording", result.outputs.recording.string()}};
  return json.dump(2);
}

std::vector<std::string> ProcedureWarnings(const ProcedureModel& model, const ProcedureState& p) {
  std::vector<std::string> warnings;
  char text[96];
  if (p.contact_force_N >= model.instruments.excessive_force_N) {
    std::snprintf(text, sizeof text, "WALL FORCE %.2f N", p.contact_force_N);
    warnings.emplace_back(text);
  }
  if (p.septal_contact_active && p.tent_depth_m > 0.0) {
    std::snprintf(text, sizeof text, "tenting %.1f mm, %.1f N", p.tent_depth_m * 1000.0,
                  p.septal_force_N);
    warnings.emplace_back(text);
  }
  if (p.aortic_puncture) warnings.emplace_back("AORTIC PUNCTURE");
  if (p.la_perforation) warnings.emplace_back("LA WALL PERFORATION");
  if (p.entangled) {
    std::snprintf(text, sizeof text, "CHORDAL ENTANGLEMENT %.1f N (invert the arms)",
                  p.chordal_tension_N);
    warnings.emplace_back(text);
  }
  if (p.slda) warnings.emplace_back("SINGLE-LEAFLET ATTACHMENT");
  if (GradientOverLimit(p.mean_gradient_mmHg)) warnings.emplace_back("gradient > 5 mmHg");
  if (MvaAtOrBelowLimit(p.mva_m2)) warnings.emplace_back("MVA <= 1.5 cm2");
  if (p.clip_in_lv && p.clip_arm_angle_rad > 0.0 && !p.reached_lv)
    warnings.emplace_back("arms open crossing");
  return warnings;
}

std::vector<RecordedEvent> ProcedureEvents(const ProcedureState& procedure, int first) {
  std::vector<RecordedEvent> events;
  for (int i = std::max(first, 0); i < procedure.event_count; ++i) {
    const ProcedureEvent& e = procedure.events[static_cast<std::size_t>(i)];
    nlohmann::ordered_json details = nlohmann::ordered_json::object();
    const auto& v = e.value;
    switch (e.kind) {
      case EventKind::kPhase:
        details["phase"] = PhaseName(static_cast<Phase>(static_cast<int>(v[0])));
        break;
      case EventKind::kTentingStarted:
        details = {{"posterior_mm", v[0]}, {"superior_mm", v[1]}, {"height_mm", v[2]}};
        break;
      case EventKind::kTsp:
        details = {{"height_mm", v[0]},
                   {"posterior_mm", v[1]},
                   {"superior_mm", v[2]},
                   {"on_fossa", v[3] > 0.5}};
        break;
      case EventKind::kTspAnterior:
        details["posterior_mm"] = v[0];
        break;
      case EventKind::kComplicationAorticPuncture:
      case EventKind::kComplicationLaWallPerforation:
        details["point_mm"] = {v[0], v[1], v[2]};
        break;
      case EventKind::kGuideCrossed:
        details["depth_mm"] = v[0];
        break;
      case EventKind::kExcessiveContactForce:
        details["force_N"] = v[0];
        break;
      case EventKind::kLvEntry:
      case EventKind::kLvEntryArmsOpen:
        details["arm_angle_deg"] = v[0];
        break;
      case EventKind::kGraspAttempt:
        details = {{"arm", v[0] < 0.5 ? "left" : "right"},
                   {"captured", v[1] > 0.5},
                   {"insertion_mm", v[2]}};
        break;
      case EventKind::kRegrasp:
        details["arm"] = v[0] < 0.5 ? "left" : "right";
        break;
      case EventKind::kGraspBoth:
      case EventKind::kGraspSingleLeaflet:
        details = {{"insertion_anterior_mm", v[0]}, {"insertion_posterior_mm", v[1]}};
        break;
      case EventKind::kComplicationLeafletTear:
        details = {{"arm", v[0] < 0.5 ? "left" : "right"}, {"clip_moved_mm", v[1]}};
        if (v[2] > 0.0) details["grip_force_N"] = v[2];  // torn out of a closed clip's grip
        // Open clip moved too far, closed clip's grip pulled too hard, or a
        // stretch the sheet cannot follow under the grip.
        details["by"] = v[3] > 0.5 ? "stretch" : v[2] > 0.0 ? "force" : "displacement";
        break;
      case EventKind::kComplicationChordalEntanglement:
        details = {
            {"by", v[0] < 0.5 ? "turning" : "advancing"}, {"turn_deg", v[1]}, {"advance_mm", v[2]}};
        break;
      case EventKind::kChordaeFreed:
        details = {{"arm_angle_deg", v[0]}, {"chordal_tension_N", v[1]}};
        break;
      case EventKind::kClipClosed:
        details = {{"rotation_error_deg", v[0]},
                   {"insertion_anterior_mm", v[1]},
                   {"insertion_posterior_mm", v[2]},
                   {"position_mm", v[3]}};
        break;
      case EventKind::kAssessment:
        details = {{"mr_grade", v[0]},
                   {"eroa_cm2", v[1]},
                   {"mean_gradient_mmHg", v[2]},
                   {"mva_cm2", v[3]}};
        break;
      case EventKind::kRelease:
        details = {{"clip", v[0]}, {"mr_grade", v[1]}, {"mean_gradient_mmHg", v[2]}};
        break;
      case EventKind::kClipLoaded:
        details["clip"] = v[0];
        break;
      case EventKind::kCompleted:
        details["clips"] = v[0];
        break;
      default:
        break;
    }
    events.push_back({e.time_s, std::string(EventName(e.kind)), details.dump()});
  }
  return events;
}

namespace {

// "posterior-superior": the site's side of the fossa centre in each axis,
// with a ±2 mm band called "mid" [DESIGN].
std::string TspPosition(const ProcedureState& p) {
  constexpr double kMidBand_m = 0.002;
  const auto word = [](double x, const char* plus, const char* minus) {
    return x > kMidBand_m ? plus : (x < -kMidBand_m ? minus : "mid");
  };
  return std::string(word(p.tsp_posterior_m, "posterior", "anterior")) + "-" +
         word(p.tsp_superior_m, "superior", "inferior");
}

}  // namespace

std::string OutcomeJson(const ProcedureState& p, const Outcome& baseline) {
  constexpr double kMm = 1000.0, kCm2 = 1e4, kDegPerRad = 180.0 / 3.141592653589793;
  nlohmann::ordered_json out;
  out["completed"] = p.completed;
  out["phase"] = PhaseName(p.phase);
  const auto number_or_null = [](bool have, double value) {
    return have ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
  };
  out["tsp_height_mm"] = number_or_null(p.punctured, p.tsp_height_m * kMm);
  out["tsp_position"] =
      p.punctured ? nlohmann::ordered_json(TspPosition(p)) : nlohmann::ordered_json(nullptr);
  out["tsp_posterior_mm"] = number_or_null(p.punctured, p.tsp_posterior_m * kMm);
  out["tsp_superior_mm"] = number_or_null(p.punctured, p.tsp_superior_m * kMm);
  out["tsp_attempts"] = p.tsp_attempts;
  const bool clip = p.clips_released > 0;
  const ClipRecord& first = p.released[0];
  out["clip_rotation_error_deg"] = number_or_null(clip, first.rotation_error_rad * kDegPerRad);
  out["insertion_anterior_mm"] = number_or_null(clip, first.insertion_anterior_m * kMm);
  out["insertion_posterior_mm"] = number_or_null(clip, first.insertion_posterior_m * kMm);
  out["clips_released"] = p.clips_released;
  nlohmann::ordered_json clips = nlohmann::ordered_json::array();
  for (int i = 0; i < p.clips_released; ++i) {
    const ClipRecord& c = p.released[static_cast<std::size_t>(i)];
    clips.push_back({{"position_mm", c.position_s_m * kMm},
                     {"rotation_error_deg", c.rotation_error_rad * kDegPerRad},
                     {"insertion_anterior_mm", c.insertion_anterior_m * kMm},
                     {"insertion_posterior_mm", c.insertion_posterior_m * kMm}});
  }
  out["clips"] = clips;
  out["mr_grade_before"] = baseline.mr_grade;
  out["mr_grade_after"] = p.mr_grade;
  out["eroa_cm2_before"] = baseline.eroa_m2 * kCm2;
  out["eroa_cm2_after"] = p.eroa_m2 * kCm2;
  out["mva_cm2_before"] = baseline.mva_m2 * kCm2;
  out["mva_cm2"] = p.mva_m2 * kCm2;
  out["mean_gradient_mmHg_before"] = baseline.mean_gradient_mmHg;
  out["mean_gradient_mmHg"] = p.mean_gradient_mmHg;
  out["gradient_over_5_mmHg"] = GradientOverLimit(p.mean_gradient_mmHg);
  out["mva_at_or_below_1_5_cm2"] = MvaAtOrBelowLimit(p.mva_m2);
  out["slda"] = p.slda;
  // Largest pull of a closed clip's grip on a leaflet (N; tears past kLeafletTearForce_N).
  out["peak_grip_force_N"] = p.peak_grip_force_N;
  nlohmann::ordered_json complications = nlohmann::ordered_json::array();
  if (p.aortic_puncture) complications.push_back("aortic_puncture");
  if (p.la_perforation) complications.push_back("la_wall_perforation");
  bool tear = false;
  for (int i = 0; i < p.event_count; ++i) {
    tear =
        tear || p.events[static_cast<std::size_t>(i)].kind == EventKind::kComplicationLeafletTear;
  }
  if (tear) complications.push_back("leaflet_tear");
  if (p.entanglements > 0) complications.push_back("chordal_entanglement");  // freed or not
  if (p.slda) complications.push_back("single_leaflet_device_attachment");
  out["complications"] = complications;
  nlohmann::ordered_json phases = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < kPhaseCount; ++i)
    phases[std::string(PhaseName(static_cast<Phase>(i)))] = p.phase_time_s[i];
  out["phase_times_s"] = phases;
  return out.dump();
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
  snapshot.phase = std::string(PhaseName(state.procedure.phase));
  snapshot.heart_rate_bpm = model.case_description.heart_rate_hz * 60.0;
  snapshot.mr_grade = state.procedure.mr_grade;
  snapshot.mean_gradient_mmHg = state.procedure.mean_gradient_mmHg;
  snapshot.warnings = ProcedureWarnings(model.procedure, state.procedure);
  if (model.anatomy) {
    // Landmarks by the anatomy's names, plus the names the views look for.
    const auto& marks = model.anatomy->landmarks;
    const auto add = [&](const std::string& name, const scenes::Vec3& p) {
      snapshot.landmarks.push_back(
          {name, {static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2])}});
    };
    for (const auto& [name, p] : marks) add(name, p);
    if (const auto centre = marks.find("annulus_centre"); centre != marks.end()) {
      add("mitral_annulus_centre", centre->second);
      if (const auto tip = marks.find("annulus_normal_tip"); tip != marks.end()) {
        add("mitral_annulus_normal_tip", tip->second);
        // Colour Doppler: the current regurgitant orifice, from the jet origin into the LA.
        const scenes::Vec3 axis{tip->second[0] - centre->second[0],
                                tip->second[1] - centre->second[1],
                                tip->second[2] - centre->second[2]};
        const double length = std::sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        const auto origin = marks.find("jet_origin");
        if (length > 0.0 && origin != marks.end()) {
          snapshot.mitral_jet.origin_m = {static_cast<float>(origin->second[0]),
                                          static_cast<float>(origin->second[1]),
                                          static_cast<float>(origin->second[2])};
          snapshot.mitral_jet.direction = {static_cast<float>(axis[0] / length),
                                           static_cast<float>(axis[1] / length),
                                           static_cast<float>(axis[2] / length)};
          // The current orifice: shrinks as clips close on the leaflets.
          snapshot.mitral_jet.eroa_m2 = state.procedure.eroa_m2;
        }
      }
    }
  }
  // The instruments in the patient and the clips in place.
  for (const auto& shape : InstrumentShapes(model.procedure, state.handles, state.procedure)) {
    SnapshotPolyline line;
    line.name = shape.name;
    line.radius_m = static_cast<float>(shape.radius_m);
    line.points_m.reserve(shape.points.size() * 3);
    for (const auto& p : shape.points) {
      for (double c : p) line.points_m.push_back(static_cast<float>(c));
    }
    // Released clips ride on the leaflets: they move with the annulus.
    if (shape.name.starts_with("clip_") && !shape.name.starts_with("clip_arm") && model.anatomy) {
      const auto shift = AnnulusShift(model, state.cardiac_phase);
      for (std::size_t i = 0; i < line.points_m.size(); ++i)
        line.points_m[i] += static_cast<float>(shift[i % 3]);
    }
    const bool metal = shape.name.starts_with("clip") || shape.name == "needle";
    line.rgba = metal ? std::array<float, 4>{0.85f, 0.85f, 0.9f, 1.0f}
                      : std::array<float, 4>{0.3f, 0.55f, 0.9f, 1.0f};
    line.tissue = metal ? TissueKind::kMetal : TissueKind::kCatheter;
    snapshot.instruments.push_back(std::move(line));
  }
  if (state.procedure.punctured) {
    const auto& site = state.procedure.puncture_site;
    snapshot.landmarks.push_back(
        {"tsp_site",
         {static_cast<float>(site[0]), static_cast<float>(site[1]), static_cast<float>(site[2])}});
  }
  // The anatomy at render resolution (end-diastole until the motion model).
  if (model.anatomy && content == SnapshotContent::kEverything) {
    for (const auto& structure : model.anatomy->structures) {
      SnapshotMesh mesh;
      mesh.name = structure.name;
      mesh.rgba = structure.rgba;
      mesh.vertices_m.reserve(structure.render.vertices.size() * 3);
      // The fossa tents under the needle: a Gaussian dent of the tent depth
      // towards the LA around the contact point, 6 mm wide [DESIGN: the tent spans
      // much of a 17 x 13 mm fossa on TEE, §1.3 [S33]].
      const bool tented = structure.name == "fossa_ovalis" &&
                          state.procedure.septal_contact_active &&
                          state.procedure.tent_depth_m > 0.0;
      constexpr double kTentWidth_m = 0.006;
      const auto& normal = model.procedure.septum_normal;
      const auto& contact = state.procedure.septal_contact;
      for (const auto& v : structure.render.vertices) {
        double dent = 0.0;
        if (tented) {
          double r2 = 0.0;
          for (int k = 0; k < 3; ++k) r2 += (v[k] - contact[k]) * (v[k] - contact[k]);
          dent = state.procedure.tent_depth_m * std::exp(-r2 / (kTentWidth_m * kTentWidth_m));
        }
        for (int k = 0; k < 3; ++k)
          mesh.vertices_m.push_back(static_cast<float>(v[k] + dent * normal[k]));
      }
      mesh.indices.reserve(structure.render.triangles.size() * 3);
      for (const auto& t : structure.render.triangles)
        mesh.indices.insert(mesh.indices.end(), t.begin(), t.end());
      // The valve beats: annulus motion, leaflets open in diastole (sim/valve_motion.h).
      MoveValveMesh(model, state, &mesh);
      snapshot.meshes.push_back(std::move(mesh));
    }
  }
  return snapshot;
}

}  // namespace teersim::sim
