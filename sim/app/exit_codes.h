// Exit codes of every teersim subcommand (a contract for scripts):
//   0 success, 1 failure (a run or tool failed), 2 bad usage or bad input.
#pragma once

namespace teersim::app {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

}  // namespace teersim::app
