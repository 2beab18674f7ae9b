// Snapshot: a plain copy of what the views need to draw one instant — no
// pointers into live state, no physics types. Rendering copies one under a
// short lock and never steps physics (MuJoCo's "abstract visualization").
// Geometry is in the patient frame (LPS, metres; base/patient_frame.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/controls.h"

namespace teersim::sim {

struct SnapshotMesh {
  std::string name;                    // "left_atrium", "fossa_ovalis", …
  std::vector<float> vertices_m;       // x,y,z triples, patient frame
  std::vector<std::uint32_t> indices;  // triangles, counter-clockwise = outward
  std::array<float, 4> rgba{0.8f, 0.3f, 0.3f, 1.0f};
};

struct SnapshotPolyline {
  std::string name;                    // "guide", "sleeve", "needle", …
  std::vector<float> points_m;         // x,y,z triples, patient frame
  float radius_m = 0.0f;
  std::array<float, 4> rgba{0.9f, 0.9f, 0.9f, 1.0f};
};

struct Snapshot {
  std::string case_name;
  std::string case_title;
  double time_s = 0.0;
  double cardiac_phase = 0.0;
  double fluoro_time_s = 0.0;
  devices::ControlFrame handles;
  std::string status;
  std::vector<SnapshotMesh> meshes;
  std::vector<SnapshotPolyline> instruments;
};

}  // namespace teersim::sim
