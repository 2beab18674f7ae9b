// The mitral apparatus of the generated anatomy: saddle-shaped D annulus,
// anterior and posterior leaflets with scallops, chordae and papillary
// muscles, and the degenerative or functional lesion. Internal to
// scenes/anatomy_generator.cpp; split out because the valve is the one part
// whose geometry is solved (leaflet lengths, lesion gap) rather than placed.
//
// Valve coordinates (u, v, w), metres, origin at the annulus centre:
//   u  towards the posterior annulus (mid-P2), in the annular plane
//   v  towards the anterolateral commissure (A1/P1 side, next to the LAA)
//   w  the annular normal towards the left atrium (away from the LV apex)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scenes/anatomy.h"

namespace teersim::scenes {

struct ValveFrame {
  Vec3 u, v, w;  // unit vectors in the patient frame
  Vec3 operator()(double a, double b, double c) const { return a * u + b * v + c * w; }
};

struct ValveResolution {
  int ring_samples = 48;
  int ring_sides = 8;
  int body_rows = 8;
  int tail_rows = 3;
  int columns = 30;
  int chord_sides = 4;
  int chord_every = 4;  // a chord from every n-th free-edge column
  int papillary_rings = 8;
  int papillary_segments = 12;
};

struct ValveMeshes {
  TriangleMesh annulus, anterior_leaflet, posterior_leaflet, chordae, papillary_muscles;
};

class MitralValve {
 public:
  MitralValve(const AnatomyParameters& parameters, const ValveFrame& frame);

  ValveMeshes Build(const ValveResolution& resolution) const;
  // The leaflets' mid-surfaces and chordae for the tissue simulation: a chord
  // from every `chord_every`-th free-edge column (none in a flail's width).
  ValveTissue Tissue(int body_rows, int tail_rows, int columns, int chord_every) const;
  // annulus_*, commissure_*, scallop_*, jet_origin, papillary tips.
  std::map<std::string, Vec3> Landmarks() const;
  std::vector<Vec3> CoaptationLine(int samples) const;
  const ValveFrame& Frame() const { return frame_; }

 private:
  struct Point2 {  // (u, w) in one section at fixed v
    double u = 0.0, w = 0.0;
  };
  using Profile = std::vector<Point2>;

  Vec3 RingPoint(double theta) const;  // patient frame
  Point2 RingUW(double theta) const;
  double HalfExtentV() const;  // v of the commissures
  double CoaptationU(double v) const;
  double DepthFactor(double v) const;  // 1 at the centre, falls to the commissures
  // Mid-surface profile of a leaflet at v: hinge → coaptation point → tail.
  // Without `functional_gap` the free edges meet (where a clip pulls them).
  Profile NormalProfile(Leaflet leaflet, double v, int body_rows, int tail_rows,
                        bool functional_gap = true) const;
  // The case's profile at v (normal blended into the lesion's), as meshed.
  Profile CaseProfile(Leaflet leaflet, double v, int body_rows, int tail_rows) const;
  // The lesion's shape of the leaflet at v (flail: straight, swung about the
  // hinge by `swing_rad`; prolapse: also billowed).
  Profile LesionProfile(Leaflet leaflet, double v, int rows, double swing_rad) const;
  // The swing at v that leaves the case's gap between the leaflets' faces.
  double SolveLesionSwing(double v) const;
  double LesionWeight(double v) const;
  // A flail's chordae are ruptured across its width.
  bool ChordRuptured(Leaflet leaflet, double v) const;
  double FunctionalWeight(double v) const;
  double ScallopCentreV(int index) const;
  TriangleMesh LeafletMesh(Leaflet leaflet, const ValveResolution& resolution) const;

  AnatomyParameters p_;
  ValveFrame frame_;
  double ring_u_shift_ = 0.0;  // moves the ring's area centroid to the origin
  double centre_coaptation_u_ = 0.0;
  double centre_tail_ = 0.0;
};

}  // namespace teersim::scenes
