// Instrument data from YAML (base/data_file.h): one instrument's sections,
// steering knobs and discretisation, with units in the keys, converted to SI
// here once. Every error throws InputError naming file:line: key and the
// allowed range. Schema (all keys required unless marked optional):
//
//   element_length_mm: 2                 # 0.1 to 50
//   damping_per_s: 5                     # optional, 0 to 1000
//   sections:                            # proximal to distal
//     - name: shaft
//       length_mm: 800                   # > 0, up to 3000
//       outer_diameter_Fr: 24            # > 0, up to 60
//       inner_diameter_Fr: 21            # 0 to < outer_diameter_Fr
//       density_kg_per_m3: 1150          # 100 to 25000
//       bending_stiffness_Nm2: 0.02      # EI, > 0 up to 100
//       torsional_stiffness_Nm2: 0.015   # GJ, > 0 up to 100
//       rest_curvature_per_m: [0, 0]     # optional, about material x, y
//       friction_static: 0.1             # 0 to 2
//       friction_dynamic: 0.08           # 0 to friction_static
//   steering:                            # optional, at most 4 knobs
//     - name: "+/-"
//       section: 1                       # index into sections
//       plane_angle_deg: 0
//       knob_max_deg: 180
//       bend_at_max_deg: 90
//       backlash_deg: 5
#pragma once

#include "base/data_file.h"
#include "physics/rod_model.h"

namespace teersim::physics {

// Reads `instrument` (a mapping laid out as above). Throws InputError.
RodSpec LoadRodSpec(const Field& instrument);

}  // namespace teersim::physics
