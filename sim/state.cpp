#include "sim/state.h"

#include "base/input_error.h"
#include "sim/model.h"

namespace teersim::sim {

std::string_view StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kOk:
      return "ok";
    case StepStatus::kNumericalFault:
      return "numerical_fault";
  }
  return "unknown";
}

std::string_view FaultSourceName(FaultSource source) {
  switch (source) {
    case FaultSource::kNone:
      return "none";
    case FaultSource::kControlCommand:
      return "control_command";
    case FaultSource::kLeafletTissue:
      return "leaflet_tissue";
    case FaultSource::kState:
      return "state";
  }
  return "unknown";
}

State InitialState(const Model& model) { return InitialState(model, model.case_description.seed); }

State InitialState(const Model& model, std::uint64_t seed) {
  State state;
  state.procedure = InitialProcedureState(model.procedure, model.baseline_outcome);
  if (model.valve_tissue.available)
    state.valve_tissue = physics::InitialTissueState(*model.valve_tissue.tissue);
  // xorshift must not start at zero; mix the seed (splitmix64 finaliser).
  std::uint64_t mixed = seed + 0x9E3779B97F4A7C15ull;
  mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ull;
  mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBull;
  mixed ^= mixed >> 31;
  state.rng_state = mixed == 0 ? 1 : mixed;
  return state;
}

StateHasher& AddToHash(const State& state, StateHasher& hasher) {
  hasher.Add(state.step_index).Add(state.time_s);
  hasher.Add(std::span<const double>(state.handles.values));
  hasher.Add(state.cardiac_phase)
      .Add(state.fluoro_steps)
      .Add(state.fluoro_time_s)
      .Add(state.dap_Gycm2)
      .Add(state.rng_state);
  hasher.Add(static_cast<std::uint64_t>(state.status)).Add(state.fault_step_index);
  hasher.Add(static_cast<std::uint64_t>(state.fault_source));
  AddToHash(state.procedure, hasher);
  physics::AddToHash(state.valve_tissue, hasher);
  return hasher;
}

std::uint64_t HashState(const State& state) {
  StateHasher hasher;
  return AddToHash(state, hasher).Value();
}

InstrumentSet InstrumentsForCase(const scenes::CaseDescription& description) {
  InstrumentSet instruments = LoadInstrumentSet(DefaultInstrumentSetPath());
  if (!description.clip_size.empty()) {
    const ClipSize* size = FindClipSize(instruments, description.clip_size);
    if (size == nullptr)
      throw InputError(description.source_file.string() + ": instruments.clip_size: '" +
                       description.clip_size + "' is not in " + instruments.name);
    instruments.clip = *size;
  }
  return instruments;
}

Model CompileModel(const scenes::CaseDescription& description) {
  Model model;
  model.case_description = description;
  model.anatomy = std::make_shared<const scenes::Anatomy>(
      scenes::BuildCaseAnatomy(description.anatomy, description.seed));
  const auto measured = scenes::MeasureAnatomy(
      *model.anatomy, scenes::MeasuredLesionOf(description.anatomy.parameters));
  model.valve = ValveInputsFromCase(description, measured);
  model.baseline_outcome =
      EvaluateOutcome(model.valve.lesion, model.valve.geometry, model.valve.haemodynamics, {});
  // An anatomy without the venous route or septal landmarks (an imported
  // segmentation of the heart only) can be viewed but not performed.
  const InstrumentSet instruments = InstrumentsForCase(description);
  try {
    model.procedure = CompileProcedureModel(*model.anatomy, description.anatomy.parameters,
                                            instruments, model.valve.geometry.intercommissural_m);
  } catch (const InputError& error) {
    model.procedure = ProcedureModel{};
    model.procedure.instruments = instruments;
    model.procedure.unavailable_reason = error.what();
  }
  if (model.procedure.available)
    model.valve_tissue = BuildValveTissue(model.anatomy->valve_tissue, model.procedure.valve);
  return model;
}

}  // namespace teersim::sim
