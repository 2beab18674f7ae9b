// State: everything that changes during a run. Copyable; save -> restore ->
// step gives identical bits (tests/determinism). Input: one step's commands.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/state_hash.h"
#include "devices/controls.h"
#include "physics/leaflet_tissue.h"
#include "sim/procedure.h"

namespace teersim::sim {

// One step's commands: the set-point of every control (SI), as sampled from
// the active device. Recordings store these, so a replay is exact.
struct Input {
  devices::ControlFrame controls = devices::ControlFrame::Defaults();
};

enum class StepStatus : std::uint8_t {
  kOk,
  kNumericalFault,  // a non-finite or runaway value; the run stops stepping
};
std::string_view StepStatusName(StepStatus status);

// Where a fault came from, so the message can name it.
enum class FaultSource : std::uint8_t {
  kNone,
  kControlCommand,  // a non-finite set-point from the device or script
  kLeafletTissue,   // the leaflet tissue went non-finite or tore (sim/valve_tissue.h)
  kState,           // a non-finite handle or cardiac phase
};
// "none", "control_command", "leaflet_tissue", "state".
std::string_view FaultSourceName(FaultSource source);

struct State {
  std::int64_t step_index = 0;
  double time_s = 0.0;
  // Where each control actually is: follows Input at the model's hand limits.
  devices::ControlFrame handles = devices::ControlFrame::Defaults();
  // Position in the cardiac cycle, [0, 1), 0 at end-diastole.
  double cardiac_phase = 0.0;
  // Fluoroscopy pedal-down time, the first fluoro metric (clinical-reference §3),
  // derived from a step count so it does not drift.
  std::int64_t fluoro_steps = 0;
  double fluoro_time_s = 0.0;
  // Dose–area product while the beam is on (sim/fluoro_dose.h), Gy·cm².
  double dap_Gycm2 = 0.0;
  // xorshift64* state for everything stochastic that physics/imaging needs.
  std::uint64_t rng_state = 0;
  StepStatus status = StepStatus::kOk;
  std::int64_t fault_step_index = -1;
  FaultSource fault_source = FaultSource::kNone;
  // Instruments in the patient, the septum, the clips, phase and events.
  ProcedureState procedure;
  // The leaflets' nodes (sim/valve_tissue.h), moving with the annulus.
  physics::LeafletTissueState valve_tissue;
};

struct Model;
// A fresh state for a model: seeded from the case seed (or `seed`), the
// instruments outside the patient, the valve at its baseline.
State InitialState(const Model& model);
State InitialState(const Model& model, std::uint64_t seed);

// Hash of every field, bit-exact.
StateHasher& AddToHash(const State& state, StateHasher& hasher);
std::uint64_t HashState(const State& state);

}  // namespace teersim::sim
