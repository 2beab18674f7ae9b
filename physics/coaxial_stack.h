// CoaxialStack: instruments inside one another (sheath > dilator > needle;
// guide > sleeve > delivery catheter) sharing one rod centreline where they
// overlap, with combined stiffness. The stack owns a RodModel covering the
// furthest reach of the innermost instrument; each step, Apply rewrites the
// solver's per-element properties for the instruments' current advances,
// rolls and knob angles (no allocation), so an inner instrument can be
// advanced out of, or retracted into, the outer one. Elements beyond every
// instrument's current reach are vacant: straight, massless in effect, no
// contact (VacantFrom() tells where they start).
//
// Model (documented in physics/README.md): over an overlap, bending and
// torsional stiffness add (tubes forced to one centreline bend together;
// torsion adds as if the tubes turn together, an approximation), masses add,
// the outer diameter and friction are the outermost instrument's, and the
// rest curvature is the stiffness-weighted mean of the instruments' own
// (parallel springs' equilibrium), including each instrument's pull-wire
// knobs in its own plane turned by its roll. The outermost instrument is
// driven by the rod's handle (RodInput); the inner ones by advance and roll
// relative to it. Not modelled: sliding friction and clearance between the
// instruments, separate twist of each tube, per-instrument handle forces,
// knob play for stack knobs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "physics/rod_model.h"
#include "physics/rod_state.h"

namespace teersim::physics {

class RodSolver;

inline constexpr int kMaxStackInstruments = 3;

struct CoaxialInstrument {
  std::string name;
  std::vector<RodSectionSpec> sections;  // proximal to distal
  // Knobs on this instrument's own sections (SteeringSpec::section indexes
  // `sections`; backlash is ignored). At most kMaxKnobs over the stack.
  std::vector<SteeringSpec> steering;
  // Travel of its proximal end ahead of the outermost instrument's proximal
  // end (m); 0..0 for the outermost.
  double min_advance_m = 0.0;
  double max_advance_m = 0.0;
};

struct CoaxialCommand {
  std::array<double, kMaxStackInstruments> advance_m{};  // clamped to each travel
  std::array<double, kMaxStackInstruments> roll_rad{};   // about the shared axis, vs the outermost
  std::array<double, kMaxKnobs> knob_rad{};              // the instruments' knobs in order
};

class CoaxialStack {
 public:
  // Instruments outermost first. Throws InputError (bad sections, travel,
  // knob count, an inner instrument wider than its outer one).
  CoaxialStack(std::vector<CoaxialInstrument> instruments, const RodSpec& numerics);

  const RodModel& Model() const { return model_; }
  // Rewrites `solver`'s element properties and joint compliances; the
  // solver must have been built from Model(). Never throws or allocates.
  void Apply(const CoaxialCommand& command, RodSolver* solver) const;
  // First vacant element after the last Apply-equivalent command.
  int VacantFrom(const CoaxialCommand& command) const;

 private:
  std::vector<CoaxialInstrument> instruments_;
  std::vector<double> lengths_m_;
  RodModel model_;
};

}  // namespace teersim::physics
