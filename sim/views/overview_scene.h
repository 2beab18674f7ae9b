// The instructor's 3D overview: anatomy meshes and instruments from a
// Snapshot, a patient-frame axis triad (L red, P green, S blue) and a HUD line.
#pragma once

#include <osg/Camera>
#include <osg/Group>
#include <osg/ref_ptr>

#include "sim/snapshot.h"

namespace teersim::views {

// Background of the overview: the dark grey of a cath-lab monitor.
inline const osg::Vec4 kOverviewBackground{0.08f, 0.09f, 0.11f, 1.0f};

struct OverviewCamera {
  osg::Vec3d eye, centre, up;
};

// Builds the scene for one snapshot: BuildAnatomyNode + BuildDynamicNode.
osg::ref_ptr<osg::Group> BuildOverviewScene(const sim::Snapshot& snapshot);
// The anatomy meshes alone (the GUI builds this once, not every frame).
osg::ref_ptr<osg::Node> BuildAnatomyNode(const std::vector<sim::SnapshotMesh>& meshes);
// Instruments and the axis triad: what changes every frame.
osg::ref_ptr<osg::Group> BuildDynamicNode(const sim::Snapshot& snapshot);

// Default camera: the operator's view from the right of the table (head
// left, anterior up), framing the heart and the venous route from the groin.
OverviewCamera DefaultOverviewCamera();

// Orthographic HUD camera with one text line per entry, drawn over the view.
osg::ref_ptr<osg::Camera> BuildHud(const std::vector<std::string>& lines, int width, int height);

// The HUD lines for a snapshot: case, time, status, key handles.
std::vector<std::string> HudLines(const sim::Snapshot& snapshot);

}  // namespace teersim::views
