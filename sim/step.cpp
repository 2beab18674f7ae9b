#include "sim/step.h"

#include <algorithm>
#include <cmath>

namespace teersim::sim {
namespace {

using devices::ControlUnit;

// The hand-speed limit that applies to a control, per step; imaging controls
// and buttons follow at once (they move no instrument).
double MaxDeltaPerStep(const Model& model, const devices::ControlInfo& info) {
  const bool imaging = info.id >= devices::ControlId::kFluoroPedal;
  if (imaging || info.unit == ControlUnit::kButton || info.unit == ControlUnit::kFactor) {
    return INFINITY;
  }
  if (info.unit == ControlUnit::kMetre) return model.hand.translation_speed_m_per_s * model.step_s;
  const bool knob =
      info.id == devices::ControlId::kGuideKnob || info.id == devices::ControlId::kSleeveApKnob ||
      info.id == devices::ControlId::kSleeveMlKnob || info.id == devices::ControlId::kClipArmAngle;
  const double speed = knob ? model.hand.knob_speed_rad_per_s : model.hand.rotation_speed_rad_per_s;
  return speed * model.step_s;
}

bool AllFinite(const devices::ControlFrame& frame) {
  return std::all_of(frame.values.begin(), frame.values.end(),
                     [](double value) { return std::isfinite(value); });
}

// Stops the run at this step, naming where the fault came from.
void MarkFault(FaultSource source, State* state) {
  state->status = StepStatus::kNumericalFault;
  state->fault_step_index = state->step_index;
  state->fault_source = source;
}

}  // namespace

scenes::Vec3 AnnulusShift(const Model& model, double cardiac_phase) {
  if (!model.anatomy) return {};
  return scenes::AnnulusDisplacement(model.case_description.anatomy.parameters, *model.anatomy,
                                     cardiac_phase);
}

TissueGraspReading ReadTissueGrasp(const Model& model, const State& state) {
  return ReadTissueGrasp(model.valve_tissue, state.valve_tissue, model.procedure, state.procedure,
                         AnnulusShift(model, state.cardiac_phase));
}

double MoveToward(double current, double target, double max_delta) {
  const double delta = std::clamp(target - current, -max_delta, max_delta);
  return current + delta;
}

void Step(const Model& model, const Input& input, State* state) {
  if (state->status != StepStatus::kOk) return;

  // A non-finite command is a device or script fault: refuse it and report,
  // rather than let it reach the instruments.
  if (!AllFinite(input.controls)) {
    MarkFault(FaultSource::kControlCommand, state);
    return;
  }

  // Handles follow the commanded set-points at hand speed, inside each
  // control's range.
  for (const auto& info : devices::AllControls()) {
    const double target = std::clamp(input.controls.Get(info.id), info.min_value, info.max_value);
    const double next =
        MoveToward(state->handles.Get(info.id), target, MaxDeltaPerStep(model, info));
    state->handles.Set(info.id, next);
  }

  // Cardiac cycle: phase advances at the case's heart rate.
  state->cardiac_phase += model.case_description.heart_rate_hz * model.step_s;
  state->cardiac_phase -= std::floor(state->cardiac_phase);

  // Fluoroscopy time accumulates while the pedal is down.
  if (state->handles.Pressed(devices::ControlId::kFluoroPedal)) {
    ++state->fluoro_steps;
    state->fluoro_time_s = static_cast<double>(state->fluoro_steps) * model.step_s;
  }

  // Dose–area product accumulates while the beam is on (pedal or cine).
  state->dap_Gycm2 += DoseAreaProductRate(model.dose, state->handles) * model.step_s;

  // Time is derived from the step count, never summed, so long runs do not drift.
  ++state->step_index;
  state->time_s = static_cast<double>(state->step_index) * model.step_s;

  // A gripper going down this step catches what the tissue has on its arm
  // (read at the clip's pose of the step before: 1 ms, a hair at hand speed).
  TissueGraspReading tissue_grasp;
  tissue_grasp.available = model.valve_tissue.available;
  const bool gripper_dropping =
      (state->handles.Pressed(devices::ControlId::kClipGripperLeft) &&
       !state->procedure.gripper_down[0]) ||
      (state->handles.Pressed(devices::ControlId::kClipGripperRight) &&
       !state->procedure.gripper_down[1]);
  if (tissue_grasp.available && gripper_dropping) tissue_grasp = ReadTissueGrasp(model, *state);

  // The instruments in the patient and what they do to it.
  StepProcedure(model.procedure, model.valve, state->handles, state->time_s, model.step_s,
                &state->procedure, tissue_grasp);

  // The leaflets under the cycle's pressure, held by chordae and clips. A
  // tissue fault (non-finite or torn shape) stops the run like any other.
  // It steps every kStepsPerTissueStep-th step (500 Hz: its motion is slow
  // beside the haptic rate; the cost is in sim/valve_tissue.h).
  // The tissue moves with the annulus; the instruments are in the patient frame.
  // A step the sheet cannot follow at a closed clip's grip is that leaflet
  // tearing out of it (the tissue is left as it was): the step is taken
  // again without it (and once more should the other tear too).
  if (model.valve_tissue.available && state->step_index % kStepsPerTissueStep == 0) {
    const auto step_tissue = [&] {
      return StepValveTissue(model.valve_tissue, model.procedure, state->procedure,
                             state->cardiac_phase, AnnulusShift(model, state->cardiac_phase),
                             kStepsPerTissueStep * model.step_s, &state->valve_tissue);
    };
    const ClipSize& clip = model.procedure.instruments.clip;
    physics::TissueStatus status = step_tissue();
    for (int tears = 0; tears < 2 && status != physics::TissueStatus::kOk; ++tears) {
      const int leaflet = LeafletOverstretchedAtTheGrip(model.valve_tissue, state->procedure, clip,
                                                        state->valve_tissue);
      if (leaflet < 0 ||
          !TearLeafletOutOfGrip(model.valve, clip, leaflet == 0, state->time_s, &state->procedure))
        break;
      status = step_tissue();
    }
    if (status != physics::TissueStatus::kOk) {
      MarkFault(FaultSource::kLeafletTissue, state);
      return;
    }
  }
  // What the closed clip's grip pulls on each leaflet with: the procedure
  // tears a leaflet out of it past the tissue's strength (next step).
  if (model.valve_tissue.available && state->step_index % kStepsPerTissueStep == 0) {
    ProcedureState& procedure = state->procedure;
    procedure.grip_force_N = HeldClipGripForce_N(
        model.valve_tissue, procedure, model.procedure.instruments.clip, state->valve_tissue);
    if (state->time_s - procedure.closed_since_s > kGripSettle_s)
      procedure.peak_grip_force_N = std::max(
          {procedure.peak_grip_force_N, procedure.grip_force_N[0], procedure.grip_force_N[1]});
  }

  if (!AllFinite(state->handles) || !std::isfinite(state->cardiac_phase)) {
    MarkFault(FaultSource::kState, state);
  }
}

}  // namespace teersim::sim
