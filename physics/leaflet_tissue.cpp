#include "physics/leaflet_tissue.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "base/state_hash.h"
#include "physics/spec_check.h"

namespace teersim::physics {
namespace {

// Spatial hash for the leaflet–leaflet contact search: buckets of a uniform
// grid, linked lists in fixed arrays (no allocation in Step).
constexpr int kHashBuckets = 4096;
// Contact pairs are found once per step within this multiple of the contact
// distance, so a pair that closes during the substeps is already listed.
constexpr double kContactSearchFactor = 2.5;
constexpr int kMaxContactPairsPerNode = 8;

[[noreturn]] void Reject(const std::string& key, const std::string& range, double value) {
  RejectSpecValue("leaflet tissue", key, range, value);
}

void RequireRange(const std::string& key, double value, double low, double high,
                  bool low_open = true) {
  CheckSpecRange("leaflet tissue", key, value, low, high, low_open);
}

std::uint32_t CellHash(long long ix, long long iy, long long iz) {
  // Teschner et al. 2003 (optimized spatial hashing): large primes, xor.
  const auto h = static_cast<std::uint64_t>(ix * 73856093LL) ^
                 static_cast<std::uint64_t>(iy * 19349663LL) ^
                 static_cast<std::uint64_t>(iz * 83492791LL);
  return static_cast<std::uint32_t>(h % kHashBuckets);
}

long long CellIndex(double x, double cell) { return static_cast<long long>(std::floor(x / cell)); }

void FindContacts(const LeafletTissueModel& model, LeafletTissueState* state) {
  // Nodes of the first sheet go into the grid; every other sheet's nodes
  // look in the 27 cells around them (contact is between sheets only). A
  // bucket may hold other cells' nodes (hash collisions): each is checked
  // against the queried cell, so no pair is listed twice.
  const double search = kContactSearchFactor * model.Material().contact_distance_m;
  const double cell = search;
  auto& head = state->cell_head;
  auto& next = state->cell_next;
  auto& cells = state->node_cell;
  std::fill(head.begin(), head.end(), -1);
  const int n = model.NodeCount();
  const auto& x = state->position_m;
  for (int i = 0; i < n; ++i) {
    const auto index = static_cast<std::size_t>(i);
    cells[index] = {CellIndex(x[index].x, cell), CellIndex(x[index].y, cell),
                    CellIndex(x[index].z, cell)};
    if (model.SheetOfNode(i) != 0) continue;
    const auto b = CellHash(cells[index][0], cells[index][1], cells[index][2]);
    next[index] = head[b];
    head[b] = i;
  }
  auto& pairs = state->contact_pairs;
  std::size_t count = 0;
  const std::size_t capacity = pairs.size() / 2;
  for (int a = 0; a < n && count < capacity; ++a) {
    if (model.SheetOfNode(a) == 0) continue;
    const auto& c = cells[static_cast<std::size_t>(a)];
    for (long long dx = -1; dx <= 1; ++dx)
      for (long long dy = -1; dy <= 1; ++dy)
        for (long long dz = -1; dz <= 1; ++dz) {
          const std::array<long long, 3> query{c[0] + dx, c[1] + dy, c[2] + dz};
          for (int b = head[CellHash(query[0], query[1], query[2])]; b >= 0;
               b = next[static_cast<std::size_t>(b)]) {
            const auto bi = static_cast<std::size_t>(b);
            const auto& cb = cells[bi];
            if (cb[0] != query[0] || cb[1] != query[1] || cb[2] != query[2] || count >= capacity)
              continue;
            if (Norm(x[bi] - x[static_cast<std::size_t>(a)]) >= search) continue;
            pairs[2 * count] = b;
            pairs[2 * count + 1] = a;
            ++count;
          }
        }
  }
  // Mark the end of the list.
  if (count < capacity) pairs[2 * count] = -1;
}

// One XPBD projection of a distance-type constraint C = |x_b − x_a| − rest
// (either end may be fixed: w = 0), given 1 / (w_a + w_b + α/h²):
// Δλ = −C / (w_a + w_b + α̃), each end moved along the unit vector by w Δλ.
// Returns Δλ.
[[gnu::always_inline]] inline double ProjectDistance(Vec3* xa, double wa, Vec3* xb, double wb,
                                                     double rest, double inverse_denominator) {
  const Vec3 d = *xb - *xa;
  const double length = Norm(d);
  if (length < 1e-12) return 0.0;
  const double delta_lambda = -(length - rest) * inverse_denominator;
  // One division for the unit vector and the step together.
  const Vec3 step = (delta_lambda / length) * d;
  *xa -= wa * step;
  *xb += wb * step;
  return delta_lambda;
}

double InverseDenominator(double wa, double wb, double alpha_tilde) {
  const double denominator = wa + wb + alpha_tilde;
  return denominator > 0.0 ? 1.0 / denominator : 0.0;
}

}  // namespace

LeafletTissueModel LeafletTissueModel::Build(const LeafletTissueSpec& spec) {
  const TissueMaterial& m = spec.material;
  RequireRange("material.density_kg_per_m3", m.density_kg_per_m3, 0.0, 1e5);
  RequireRange("material.added_mass_kg_per_m2", m.added_mass_kg_per_m2, 0.0, 1e3, false);
  RequireRange("material.membrane_stiffness_N_per_m", m.membrane_stiffness_N_per_m, 0.0, 1e8);
  RequireRange("material.bending_stiffness_N_per_m", m.bending_stiffness_N_per_m, 0.0, 1e8, false);
  RequireRange("material.chord_stiffness_N_per_m", m.chord_stiffness_N_per_m, 0.0, 1e8);
  RequireRange("material.damping_per_s", m.damping_per_s, 0.0, 1e5, false);
  RequireRange("material.contact_distance_m", m.contact_distance_m, 0.0, 0.01);
  RequireRange("material.hold_stiffness_N_per_m", m.hold_stiffness_N_per_m, 0.0, 1e8);
  RequireRange("material.substeps", m.substeps, 1, 64, false);
  RequireRange("material.max_stretch", m.max_stretch, 1.0, 100.0);
  RequireRange("material.min_mass_fraction", m.min_mass_fraction, 0.0, 1.0, false);
  RequireRange("material.max_stretch_slack_m", m.max_stretch_slack_m, 0.0, 1.0, false);
  if (spec.sheets.empty()) Reject("sheets", "at least one sheet (count)", 0);

  LeafletTissueModel model;
  model.material_ = m;
  model.sheets_ = spec.sheets;
  for (std::size_t s = 0; s < spec.sheets.size(); ++s) {
    const TissueSheetSpec& sheet = spec.sheets[s];
    const std::string key = "sheets[" + std::to_string(s) + "]";
    RequireRange(key + ".rows", sheet.rows, 2, 10000, false);
    RequireRange(key + ".columns", sheet.columns, 2, 10000, false);
    RequireRange(key + ".thickness_m", sheet.thickness_m, 0.0, 0.01);
    if (sheet.load_sign != 1.0 && sheet.load_sign != -1.0)
      Reject(key + ".load_sign", "1 or -1", sheet.load_sign);
    const auto expected = static_cast<std::size_t>(sheet.rows) * sheet.columns;
    if (sheet.rest_m.size() != expected)
      Reject(key + ".rest_m size", "rows x columns = " + std::to_string(expected),
             static_cast<double>(sheet.rest_m.size()));
    const int offset = static_cast<int>(model.rest_.size());
    model.sheet_offset_.push_back(offset);
    for (std::size_t i = 0; i < sheet.rest_m.size(); ++i) {
      if (!IsFinite(sheet.rest_m[i]))
        Reject(key + ".rest_m[" + std::to_string(i) + "]", "finite coordinates", NAN);
      model.rest_.push_back(sheet.rest_m[i]);
      model.sheet_of_node_.push_back(static_cast<int>(s));
    }
    // Lumped mass: a quarter of each adjoining cell's area per node.
    std::vector<double> area(expected, 0.0);
    const auto at = [&](int r, int c) { return sheet.rest_m[static_cast<std::size_t>(r * sheet.columns + c)]; };
    const auto index = [&](int r, int c) { return offset + r * sheet.columns + c; };
    for (int r = 0; r + 1 < sheet.rows; ++r) {
      for (int c = 0; c + 1 < sheet.columns; ++c) {
        const double cell_area =
            0.5 * Norm(Cross(at(r + 1, c + 1) - at(r, c), at(r + 1, c) - at(r, c + 1)));
        for (const auto& [rr, cc] : {std::pair{r, c}, {r, c + 1}, {r + 1, c}, {r + 1, c + 1}})
          area[static_cast<std::size_t>(rr * sheet.columns + cc)] += cell_area / 4.0;
        model.triangles_.push_back({index(r, c), index(r, c + 1), index(r + 1, c + 1)});
        model.triangles_.push_back({index(r, c), index(r + 1, c + 1), index(r + 1, c)});
      }
    }
    const double areal_density = m.density_kg_per_m3 * sheet.thickness_m + m.added_mass_kg_per_m2;
    // A node much lighter than the others is soft in XPBD (the unconverged
    // compliance of a substep grows as h²/m), so no node is lighter than
    // min_mass_fraction of the sheet's mean.
    double mean_area = 0.0;
    for (double a : area) mean_area += a / static_cast<double>(area.size());
    for (int r = 0; r < sheet.rows; ++r) {
      for (int c = 0; c < sheet.columns; ++c) {
        const double node_area = area[static_cast<std::size_t>(r * sheet.columns + c)];
        const double mass = areal_density * std::max(node_area, m.min_mass_fraction * mean_area);
        if (!(mass > 0.0))
          Reject(key + " cell area at row " + std::to_string(r) + ", column " + std::to_string(c),
                 "more than 0 (distinct rest positions)", mass);
        const bool pinned = r == 0 || (sheet.pin_end_columns && (c == 0 || c == sheet.columns - 1));
        model.inverse_mass_.push_back(pinned ? 0.0 : 1.0 / mass);
      }
    }
    // Constraints; none between two pinned nodes.
    const auto add = [&](int r0, int c0, int r1, int c1, double stiffness) {
      if (model.inverse_mass_[static_cast<std::size_t>(index(r0, c0))] == 0.0 &&
          model.inverse_mass_[static_cast<std::size_t>(index(r1, c1))] == 0.0)
        return;
      const double rest = Norm(at(r1, c1) - at(r0, c0));
      model.distances_.push_back({index(r0, c0), index(r1, c1), rest, 1.0 / stiffness});
    };
    const double k = m.membrane_stiffness_N_per_m;
    for (int r = 0; r < sheet.rows; ++r) {
      for (int c = 0; c < sheet.columns; ++c) {
        if (c + 1 < sheet.columns) add(r, c, r, c + 1, k);
        if (r + 1 < sheet.rows) add(r, c, r + 1, c, k);
        if (r + 1 < sheet.rows && c + 1 < sheet.columns) {
          add(r, c, r + 1, c + 1, k);
          add(r, c + 1, r + 1, c, k);
        }
      }
    }
    if (m.bending_stiffness_N_per_m > 0.0) {
      for (int r = 0; r < sheet.rows; ++r) {
        for (int c = 0; c < sheet.columns; ++c) {
          if (c + 2 < sheet.columns) add(r, c, r, c + 2, m.bending_stiffness_N_per_m);
          if (r + 2 < sheet.rows) add(r, c, r + 2, c, m.bending_stiffness_N_per_m);
        }
      }
    }
  }
  // Order the constraints by a greedy colouring (no two of one colour share a
  // node): the sweep is still Gauss–Seidel, but consecutive projections are
  // independent, so the processor overlaps them instead of waiting on each.
  {
    std::vector<std::vector<int>> colours_at_node(model.rest_.size());
    std::vector<int> colour(model.distances_.size(), 0);
    for (std::size_t i = 0; i < model.distances_.size(); ++i) {
      const auto& a = colours_at_node[static_cast<std::size_t>(model.distances_[i].a)];
      const auto& b = colours_at_node[static_cast<std::size_t>(model.distances_[i].b)];
      int c = 0;
      while (std::find(a.begin(), a.end(), c) != a.end() || std::find(b.begin(), b.end(), c) != b.end()) ++c;
      colour[i] = c;
      colours_at_node[static_cast<std::size_t>(model.distances_[i].a)].push_back(c);
      colours_at_node[static_cast<std::size_t>(model.distances_[i].b)].push_back(c);
    }
    std::vector<std::size_t> order(model.distances_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return colour[x] < colour[y]; });
    std::vector<TissueDistance> sorted;
    for (std::size_t i : order) sorted.push_back(model.distances_[i]);
    model.distances_ = std::move(sorted);
  }
  for (std::size_t i = 0; i < spec.chordae.size(); ++i) {
    const TissueChordSpec& chord = spec.chordae[i];
    const std::string key = "chordae[" + std::to_string(i) + "]";
    RequireRange(key + ".sheet", chord.sheet, 0, static_cast<double>(spec.sheets.size()) - 1,
                 false);
    const TissueSheetSpec& sheet = spec.sheets[static_cast<std::size_t>(chord.sheet)];
    RequireRange(key + ".row", chord.row, 1, sheet.rows - 1, false);
    RequireRange(key + ".column", chord.column, 0, sheet.columns - 1, false);
    RequireRange(key + ".rest_length_m", chord.rest_length_m, 0.0, 1.0, false);
    if (!IsFinite(chord.anchor_m)) Reject(key + ".anchor_m", "finite coordinates", NAN);
    model.chordae_.push_back(chord);
    model.chord_node_.push_back(model.Node(chord.sheet, chord.row, chord.column));
  }
  return model;
}

LeafletTissueState InitialTissueState(const LeafletTissueModel& model) {
  const auto n = static_cast<std::size_t>(model.NodeCount());
  LeafletTissueState state;
  state.position_m = model.RestPositions();
  state.velocity_m_per_s.assign(n, Vec3{});
  state.chord_tension_N.assign(model.Chordae().size(), 0.0);
  state.previous_m.assign(n, Vec3{});
  state.force_N.assign(n, Vec3{});
  state.backup_position_m.assign(n, Vec3{});
  state.backup_velocity_m_per_s.assign(n, Vec3{});
  state.cell_head.assign(kHashBuckets, -1);
  state.cell_next.assign(n, -1);
  state.node_cell.assign(n, {});
  state.inverse_denominator.assign(model.Distances().size(), 0.0);
  state.contact_pairs.assign(2 * n * kMaxContactPairsPerNode, -1);
  return state;
}

Vec3 FrontNormal(const LeafletTissueModel& model, const LeafletTissueState& state, int sheet,
                 int row, int column) {
  const TissueSheetSpec& spec = model.Sheet(sheet);
  const auto x = [&](int r, int c) {
    return state.position_m[static_cast<std::size_t>(model.Node(sheet, r, c))];
  };
  const Vec3 along_columns = x(row, std::min(column + 1, spec.columns - 1)) -
                             x(row, std::max(column - 1, 0));
  const Vec3 along_rows = x(std::min(row + 1, spec.rows - 1), column) - x(std::max(row - 1, 0), column);
  const Vec3 n = Cross(along_columns, along_rows);
  const double length = Norm(n);
  return length > 0.0 ? n / length : Vec3{};
}

namespace {

// Puts every node inside the thickened plate back on the face of its side;
// returns the normal force that takes (Σ m |Δx| / h², N).
double ProjectOntoPlate(const TissuePlate& plate, double margin_m, const std::vector<double>& w,
                        double h, const std::vector<TissueDistance>& edges, std::vector<Vec3>* x) {
  const Vec3 normal = Cross(plate.length_axis, plate.width_axis);
  const double face = plate.half_thickness_m + margin_m;
  double force = 0.0;
  // An edge of the membrane across the plate (its nodes on opposite sides,
  // both over it) would let the tissue fold round the plate between nodes:
  // the node nearer the plate goes to the other's side.
  const auto over = [&](const Vec3& d) {
    const double along = Dot(d, plate.length_axis);
    return along >= 0.0 && along <= plate.length_m &&
           std::fabs(Dot(d, plate.width_axis)) <= plate.half_width_m;
  };
  for (const TissueDistance& edge : edges) {
    const auto a = static_cast<std::size_t>(edge.a), b = static_cast<std::size_t>(edge.b);
    const Vec3 da = (*x)[a] - plate.origin_m, db = (*x)[b] - plate.origin_m;
    const double oa = Dot(da, normal), ob = Dot(db, normal);
    if ((oa >= 0.0) == (ob >= 0.0) || !over(da) || !over(db)) continue;
    const bool move_a = w[a] > 0.0 && (std::fabs(oa) < std::fabs(ob) || w[b] == 0.0);
    const std::size_t i = move_a ? a : b;
    if (w[i] == 0.0) continue;
    const double off = move_a ? oa : ob, target = (move_a ? ob : oa) >= 0.0 ? face : -face;
    (*x)[i] += (target - off) * normal;
    force += std::fabs(target - off) / (w[i] * h * h);
  }
  for (std::size_t i = 0; i < x->size(); ++i) {
    if (w[i] == 0.0) continue;
    const Vec3 d = (*x)[i] - plate.origin_m;
    const double along = Dot(d, plate.length_axis);
    if (along < 0.0 || along > plate.length_m) continue;
    if (std::fabs(Dot(d, plate.width_axis)) > plate.half_width_m) continue;
    const double off = Dot(d, normal);
    if (std::fabs(off) >= face) continue;
    const double push = (off >= 0.0 ? face : -face) - off;
    (*x)[i] += push * normal;
    force += std::fabs(push) / (w[i] * h * h);
  }
  return force;
}

// Puts every node inside the capsule back on its surface, radially from the
// segment (a node exactly on the axis has no direction to go: left).
void ProjectOutOfCapsule(const TissueCapsule& capsule, double margin_m, const std::vector<double>& w,
                         std::vector<Vec3>* x) {
  const Vec3 axis = capsule.b_m - capsule.a_m;
  const double length2 = Dot(axis, axis);
  const double reach = capsule.radius_m + margin_m;
  for (std::size_t i = 0; i < x->size(); ++i) {
    if (w[i] == 0.0) continue;
    const Vec3 d = (*x)[i] - capsule.a_m;
    const double t = length2 > 0.0 ? std::clamp(Dot(d, axis) / length2, 0.0, 1.0) : 0.0;
    const Vec3 radial = d - t * axis;
    const double distance = Norm(radial);
    if (distance >= reach || distance < 1e-12) continue;
    (*x)[i] += ((reach - distance) / distance) * radial;
  }
}

}  // namespace

TissueStatus StepTissue(const LeafletTissueModel& model, const TissueLoad& load, double dt_s,
                        LeafletTissueState* state) {
  const TissueMaterial& m = model.Material();
  const int substeps = m.substeps;
  const double h = dt_s / substeps;
  auto& x = state->position_m;
  auto& v = state->velocity_m_per_s;
  const auto& w = model.InverseMass();
  const std::size_t n = x.size();
  state->overstretched_edge = {-1, -1};
  if (!(dt_s > 0.0) || !std::isfinite(load.pressure_Pa) || load.plates.size() > kMaxTissuePlates ||
      load.capsules.size() > kMaxTissueCapsules)
    return TissueStatus::kFault;
  for (const TissueCapsule& capsule : load.capsules) {
    if (!IsFinite(capsule.a_m) || !IsFinite(capsule.b_m) || !std::isfinite(capsule.radius_m))
      return TissueStatus::kFault;
  }
  for (const TissuePlate& plate : load.plates) {
    if (!IsFinite(plate.origin_m) || !IsFinite(plate.length_axis) || !IsFinite(plate.width_axis) ||
        !std::isfinite(plate.length_m + plate.half_width_m + plate.half_thickness_m))
      return TissueStatus::kFault;
  }
  state->plate_force_N.fill(0.0);
  std::copy(x.begin(), x.end(), state->backup_position_m.begin());
  std::copy(v.begin(), v.end(), state->backup_velocity_m_per_s.begin());

  FindContacts(model, state);
  const double chord_alpha = 1.0 / (m.chord_stiffness_N_per_m * h * h);
  const double hold_alpha = 1.0 / (m.hold_stiffness_N_per_m * h * h);
  const double damping = 1.0 / (1.0 + h * m.damping_per_s);

  for (int sub = 0; sub < substeps; ++sub) {
    // Pressure on the current shape: p · area vector / 3 per corner.
    std::fill(state->force_N.begin(), state->force_N.end(), Vec3{});
    for (const TissueTriangle& t : model.Triangles()) {
      const double sign = model.Sheet(model.SheetOfNode(t.a)).load_sign;
      const Vec3 area = 0.5 * Cross(x[static_cast<std::size_t>(t.b)] - x[static_cast<std::size_t>(t.a)],
                                    x[static_cast<std::size_t>(t.c)] - x[static_cast<std::size_t>(t.a)]);
      const Vec3 f = (sign * load.pressure_Pa / 3.0) * area;
      state->force_N[static_cast<std::size_t>(t.a)] += f;
      state->force_N[static_cast<std::size_t>(t.b)] += f;
      state->force_N[static_cast<std::size_t>(t.c)] += f;
    }
    for (std::size_t i = 0; i < n; ++i) {
      state->previous_m[i] = x[i];
      if (w[i] == 0.0) continue;
      // Drag (implicit) on the velocity the node has, then the load's
      // impulse: damping the impulse too would let a resting node carry only
      // 1 / (1 + h c) of its load into its constraints.
      v[i] = v[i] * damping + (h * w[i]) * state->force_N[i];
      x[i] += h * v[i];
    }
    // One Gauss–Seidel sweep of every constraint (small steps: λ starts at 0).
    // Each constraint's 1 / (w_a + w_b + α/h²) is fixed for a substep length:
    // computed once (the division is the sweep's bottleneck).
    if (state->cached_substep_s != h) {
      for (std::size_t i = 0; i < model.Distances().size(); ++i) {
        const TissueDistance& d = model.Distances()[i];
        state->inverse_denominator[i] = InverseDenominator(
            w[static_cast<std::size_t>(d.a)], w[static_cast<std::size_t>(d.b)], d.compliance / (h * h));
      }
      state->cached_substep_s = h;
    }
    for (std::size_t i = 0; i < model.Distances().size(); ++i) {
      const TissueDistance& d = model.Distances()[i];
      const auto a = static_cast<std::size_t>(d.a), b = static_cast<std::size_t>(d.b);
      ProjectDistance(&x[a], w[a], &x[b], w[b], d.rest_m, state->inverse_denominator[i]);
    }
    for (std::size_t c = 0; c < model.Chordae().size(); ++c) {
      const auto node = static_cast<std::size_t>(model.ChordNodes()[c]);
      const TissueChordSpec& chord = model.Chordae()[c];
      Vec3 anchor = chord.anchor_m;
      double tension = 0.0;
      if (Norm(x[node] - anchor) > chord.rest_length_m) {  // a chord pulls, never pushes
        const double delta_lambda =
            ProjectDistance(&anchor, 0.0, &x[node], w[node], chord.rest_length_m,
                            InverseDenominator(0.0, w[node], chord_alpha));
        tension = -delta_lambda / (h * h);
      }
      state->chord_tension_N[c] = tension;
    }
    for (const TissueHold& hold : load.holds) {
      if (hold.node < 0 || static_cast<std::size_t>(hold.node) >= n) continue;
      Vec3 target = hold.target_m;
      const auto node = static_cast<std::size_t>(hold.node);
      ProjectDistance(&target, 0.0, &x[node], w[node], 0.0,
                      InverseDenominator(0.0, w[node], hold_alpha));
    }
    // Leaflet–leaflet contact: hard, one thickness apart.
    const auto& pairs = state->contact_pairs;
    for (std::size_t p = 0; p + 1 < pairs.size() && pairs[p] >= 0; p += 2) {
      const auto a = static_cast<std::size_t>(pairs[p]), b = static_cast<std::size_t>(pairs[p + 1]);
      if (Norm(x[b] - x[a]) < m.contact_distance_m)
        ProjectDistance(&x[a], w[a], &x[b], w[b], m.contact_distance_m,
                        InverseDenominator(w[a], w[b], 0.0));
    }
    // Rigid bodies last, so nothing else in the sweep leaves a node inside one.
    for (const TissueCapsule& capsule : load.capsules)
      ProjectOutOfCapsule(capsule, 0.5 * m.contact_distance_m, w, &x);
    for (std::size_t k = 0; k < load.plates.size(); ++k) {
      state->plate_force_N[k] =
          ProjectOntoPlate(load.plates[k], 0.5 * m.contact_distance_m, w, h, model.Distances(), &x);
    }
    for (std::size_t i = 0; i < n; ++i) v[i] = (x[i] - state->previous_m[i]) / h;
  }

  // A non-finite or torn shape is a fault: restore and report.
  bool ok = true;
  for (std::size_t i = 0; i < n && ok; ++i) ok = IsFinite(x[i]) && IsFinite(v[i]);
  for (const TissueDistance& d : model.Distances()) {
    if (!ok) break;
    ok = Norm(x[static_cast<std::size_t>(d.b)] - x[static_cast<std::size_t>(d.a)]) <=
         m.max_stretch * d.rest_m + m.max_stretch_slack_m;
    if (!ok) state->overstretched_edge = {d.a, d.b};
  }
  if (!ok) {
    std::copy(state->backup_position_m.begin(), state->backup_position_m.end(), x.begin());
    std::copy(state->backup_velocity_m_per_s.begin(), state->backup_velocity_m_per_s.end(),
              v.begin());
    return TissueStatus::kFault;
  }
  return TissueStatus::kOk;
}

StateHasher& AddToHash(const LeafletTissueState& state, StateHasher& hasher) {
  for (const Vec3& p : state.position_m) hasher.Add(p.x).Add(p.y).Add(p.z);
  for (const Vec3& p : state.velocity_m_per_s) hasher.Add(p.x).Add(p.y).Add(p.z);
  hasher.Add(std::span<const double>(state.chord_tension_N));
  hasher.Add(std::span<const double>(state.plate_force_N));
  return hasher;
}

}  // namespace teersim::physics
