#include "sim/views/materials.h"

#include <array>
#include <initializer_list>

namespace teersim::views {
namespace {

using sim::TissueKind;

// One row per TissueKind, in enum order. μ: soft tissue and blood ≈ water
// (≈0.2 /cm), bone ≈ 0.42 /cm (vertebral bodies are mostly trabecular),
// inflated lung ≈ 0.05 /cm, iodinated contrast blood ≈ 0.6 /cm, braided
// catheter wall (polymer with a steel braid) ≈ 3 /cm, cobalt–chromium / steel ≈ 8 /cm [BK].
constexpr std::array<ImagingMaterial, 9> kMaterials{{
    /* kAuto       */ {20.0, 0.20, 0.55, 0.97, 1},
    /* kSoftTissue */ {20.0, 0.20, 0.55, 0.97, 2},
    /* kBloodPool  */ {12.0, 0.006, 0.75, 0.97, 1},
    /* kMembrane   */ {20.0, 0.45, 0.80, 0.95, 3},
    /* kBone       */ {42.0, 0.90, 1.00, 0.10, 4},
    /* kLung       */ {5.0, 0.00, 1.00, 0.02, 4},
    /* kContrast   */ {60.0, 0.006, 0.60, 0.97, 1},
    /* kCatheter   */ {300.0, 0.90, 1.60, 0.35, 5},
    /* kMetal      */ {800.0, 1.00, 2.50, 0.08, 6},
}};

bool ContainsAny(std::string_view name, std::initializer_list<std::string_view> words) {
  for (const auto word : words) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

const ImagingMaterial& MaterialOf(sim::TissueKind kind) {
  return kMaterials[static_cast<std::size_t>(kind)];
}

sim::TissueKind ResolveMeshKind(sim::TissueKind kind, std::string_view name) {
  if (kind != TissueKind::kAuto) return kind;
  if (ContainsAny(name, {"spine", "rib", "vertebra", "sternum", "bone"})) return TissueKind::kBone;
  if (ContainsAny(name, {"clip", "needle", "marker", "wire"})) return TissueKind::kMetal;
  if (ContainsAny(name, {"fossa", "membrane"})) return TissueKind::kMembrane;
  if (ContainsAny(name, {"lung"})) return TissueKind::kLung;
  if (name == "ivc" || name == "svc" ||
      ContainsAny(name, {"atrium", "ventricle", "aort", "vena_cava", "vein", "sinus", "chamber",
                         "lumen", "blood", "appendage"})) {
    return TissueKind::kBloodPool;
  }
  return TissueKind::kSoftTissue;
}

sim::TissueKind ResolveInstrumentKind(sim::TissueKind kind, std::string_view name) {
  if (kind != TissueKind::kAuto) return kind;
  if (ContainsAny(name, {"clip", "needle", "marker", "wire"})) return TissueKind::kMetal;
  return TissueKind::kCatheter;
}

}  // namespace teersim::views
