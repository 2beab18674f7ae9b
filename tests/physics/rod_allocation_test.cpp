// Step allocates nothing after start-up (STYLE.md: no allocation after
// start-up). Counts global operator new calls around Step with anatomy,
// steering, friction and contacts.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numbers>

#include "physics/contact_world.h"
#include "physics/rod_model.h"
#include "physics/rod_solver.h"
#include "physics/rod_state.h"
#include "tests/physics/rod_test_util.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Replaced for this test binary: count, then allocate with malloc (and free
// in the matching deletes; GCC cannot see that they pair, hence the pragma).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
#pragma GCC diagnostic pop

namespace teersim::physics {
namespace {

TEST(RodAllocation, StepAllocatesNothingAfterStartUp) {
  std::vector<Vec3> axis;
  for (int k = 0; k <= 220; ++k) axis.push_back({0, 0, -0.01 + 1e-3 * k});
  const ContactWorld world({MakeTubeMesh(axis, 5e-3, 24)});
  RodSpec spec = testing::UniformRodSpec(0.1, 50, 5e-4, 3e-4);
  spec.sections[0].rest_curvature_x_per_m = 20.0;
  spec.sections[0].friction_static = 0.2;
  spec.sections[0].friction_dynamic = 0.15;
  spec.steering.push_back(SteeringSpec{"knob", 0, 0.0, 3.0, 1.0, 0.1});
  const RodModel model = RodModel::Build(spec);
  RodSolver solver(model);
  RodState state = MakeStateAlongPath(model, {{0, 0, 0}, {0, 0, 0.2}}, {1, 0, 0});
  const Quat rest = state.handle_orientation;
  const long before = g_allocations.load();
  for (int step = 0; step < 200; ++step) {
    RodInput input;
    input.handle_position = {0, 0, 1e-4 * step};
    input.handle_orientation = (rest * QuatFromRotationVector({0, 0, 0.01 * step})).Normalized();
    input.knob_rad[0] = 0.01 * step;
    EXPECT_EQ(solver.Step(input, &world, testing::kStep_s, &state).status, RodStatus::kOk);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace teersim::physics
