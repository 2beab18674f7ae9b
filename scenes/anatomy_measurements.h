// Measuring an anatomy from its meshes — what `teersim case describe`
// prints and tests/scenes checks against published ranges. Every number is
// measured on the render meshes (sections, ray chords, fitted planes), never
// copied from the case parameters, so it is true for imported anatomy too.
//
// Definitions (scenes/README.md has the table):
//   femoral_vein_diameter_mm  equivalent-circle diameter of the femoral vein's
//                             cross-section halfway along it (from its CSA, as [S25])
//   ivc_diameter_mm           same, 2 cm below the IVC–RA junction ([S27])
//   ra_diameter_mm            RA chord along the patient's left–right axis
//                             through its centroid (minor axis, [S29])
//   la_diameter_mm            LA chord along the patient's AP axis through its centroid
//   septum_thickness_mm       septum crossed along its normal at the superior limbus
//   fossa_thickness_mm        fossa membrane crossed along the normal at its centre
//   fossa_width_mm / _height_mm  extent of the membrane along the septum's
//                             horizontal / vertical axes
//   fossa_to_annulus_mm       distance of the membrane's centroid from the
//                             least-squares annular plane ("TSP height", [S8])
//   annulus_ap_mm / _ic_mm    distance between the ring's cross-section centres
//                             in the AP / intercommissural section planes
//   *_leaflet_length_mm       mid-surface length of the leaflet's section in the
//                             plane through the centre normal to the IC axis (A2, P2)
//   eroa_cm2                  ∫ gap dv: the smallest distance between the
//                             leaflets in sections across the coaptation line,
//                             summed where they do not touch
//   flail_gap_mm / prolapse_gap_mm / coaptation_gap_mm  the largest of those gaps
//   flail_width_mm / prolapse_width_mm  the extent along the coaptation line
//                             where the leaflets do not touch
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenes/anatomy.h"

namespace teersim::scenes {

enum class MeasuredLesion { kNone, kFlail, kProlapse, kFunctional };
MeasuredLesion MeasuredLesionOf(const AnatomyParameters& parameters);

struct Measurement {
  std::string key;  // with its unit: "fossa_to_annulus_mm"
  double value = 0.0;
};

struct AnatomyMeasurements {
  std::vector<Measurement> values;  // in the order of the table above
  std::optional<double> Get(const std::string& key) const;
};

// Measures what the anatomy has the structures and landmarks for (an
// imported anatomy may lack some); never throws for a missing structure.
AnatomyMeasurements MeasureAnatomy(const Anatomy& anatomy, MeasuredLesion lesion);

}  // namespace teersim::scenes
