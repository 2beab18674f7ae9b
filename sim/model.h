// Model: the immutable description of one simulation, compiled once from a
// case file and shared read-only by Step, views and scoring (MuJoCo's mjModel,
// Drake's System). Everything that changes lives in State.
#pragma once

#include <memory>

#include "scenes/anatomy.h"
#include "scenes/case_description.h"
#include "sim/fluoro_dose.h"
#include "sim/procedure.h"
#include "sim/valve_from_anatomy.h"
#include "sim/valve_tissue.h"

namespace teersim::sim {

// How fast a hand can move each kind of control. Step follows the commanded
// value at no more than these rates, so a device glitch or a script jump never
// teleports an instrument (and physics never sees an impossible motion).
struct HandLimits {
  // 0.2 m/s: a fast push of a catheter at the femoral sheath; issue 3 requires
  // physics to stay stable at 100 mm/s insertion, so this bounds the worst case.
  double translation_speed_m_per_s = 0.2;
  // 4 pi rad/s (2 rev/s): the fastest torque a fellow applies to a handle.
  double rotation_speed_rad_per_s = 4.0 * 3.141592653589793;
  // Knob and clip-arm speed: about a half turn per second.
  double knob_speed_rad_per_s = 3.141592653589793;
};

struct Model {
  scenes::CaseDescription case_description;
  // The patient: generated from the case (or imported), shared read-only.
  std::shared_ptr<const scenes::Anatomy> anatomy;
  // The valve as the outcome model sees it (from the measured anatomy) and
  // its state before any clip: what colour Doppler and scoring start from.
  ValveModelInputs valve;
  Outcome baseline_outcome;
  FluoroDoseParameters dose;
  // Instruments, septum and valve as the procedure uses them (sim/procedure.h).
  ProcedureModel procedure;
  // The leaflets as tissue (sim/valve_tissue.h); unavailable for anatomies
  // without a leaflet grid or a valve frame.
  ValveTissueModel valve_tissue;
  // Fixed physics step (1 kHz, the haptic rate; physics-notes.md).
  double step_s = 1e-3;
  HandLimits hand;
};

// Throws InputError for values a case may not set or an anatomy that cannot
// be imported.
Model CompileModel(const scenes::CaseDescription& description);
// The instrument set a case is performed with: the stock set, with the
// case's clip size when it names one (throws InputError if the set lacks it).
InstrumentSet InstrumentsForCase(const scenes::CaseDescription& description);

}  // namespace teersim::sim
