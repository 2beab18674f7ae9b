// Step: advance the simulation by one fixed step of model.step_s.
// Reads only its arguments (no clock, no globals), never allocates, never
// throws. A numerical fault sets state->status and the state stops advancing;
// callers show the status and keep everything recorded before it.
#pragma once

#include "sim/model.h"
#include "sim/state.h"

namespace teersim::sim {

void Step(const Model& model, const Input& input, State* state);

// How far the annulus (and the leaflet tissue with it) has moved from its
// place at `cardiac_phase` (scenes::AnnulusDisplacement; 0 without anatomy).
scenes::Vec3 AnnulusShift(const Model& model, double cardiac_phase);

// What each open arm's gripper would catch if dropped now, read off the
// leaflet tissue at `state` (sim/valve_tissue.h ReadTissueGrasp).
TissueGraspReading ReadTissueGrasp(const Model& model, const State& state);

// Moves `current` toward `target` by at most `max_delta`.
double MoveToward(double current, double target, double max_delta);

}  // namespace teersim::sim
