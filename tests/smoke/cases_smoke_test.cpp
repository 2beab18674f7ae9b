// Every stock case file loads and steps for one simulated second.
#include <gtest/gtest.h>

#include "scenes/case_library.h"
#include "sim/step.h"

namespace teersim::sim {
namespace {

TEST(CasesSmoke, EveryStockCaseLoadsAndSteps) {
  const auto cases = scenes::ListStockCases();
  ASSERT_FALSE(cases.empty());
  for (const auto& description : cases) {
    const Model model = CompileModel(description);
    State state = InitialState(model);
    const Input input;
    for (int i = 0; i < 1000; ++i) Step(model, input, &state);
    EXPECT_EQ(state.status, StepStatus::kOk) << description.name;
    EXPECT_EQ(state.step_index, 1000) << description.name;
  }
}

}  // namespace
}  // namespace teersim::sim
