// Importing a segmented patient anatomy (e.g. exported from 3D Slicer) to
// replace the generated one.
//
// Mesh files: STL (ASCII or binary), OBJ (v/f lines; polygons are fanned),
// PLY (ASCII or binary little-endian; vertex x y z, face vertex_indices).
// A landmarks file (YAML, schema in scenes/README.md) names the mesh of each
// structure, the coordinate convention and units of the files, and the
// landmarks. Import converts once: RAS (3D Slicer's default) → LPS flips x
// and y; millimetres → metres; then translates so the `annulus_centre`
// landmark is the origin of the patient frame.
#pragma once

#include <filesystem>

#include "scenes/anatomy.h"

namespace teersim::scenes {

// Raw mesh in the file's own coordinates and units, vertices merged where
// identical (STL repeats them per facet). Throws InputError naming the file
// (and line, for text formats) on a missing, truncated or malformed file.
TriangleMesh LoadMeshFile(const std::filesystem::path& path);

// Throws InputError naming the landmarks file, line and key for a missing or
// broken mesh, a mesh that is not closed, a missing `annulus_centre`, or a
// landmark that does not lie on/near the meshes it belongs to.
Anatomy ImportAnatomy(const std::filesystem::path& landmarks_file);

}  // namespace teersim::scenes
