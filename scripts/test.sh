#!/usr/bin/env bash
# README command 2: the whole test suite. Installs what is needed, builds
# Release with warnings as errors and runs every test under Xvfb (Mesa), then
# does the same for the ASan+UBSan build. .ci/run calls exactly this.
#   TEERSIM_SKIP_SANITIZERS=1  skip the ASan+UBSan pass (quicker local runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs="$(nproc)"
start=$SECONDS

scripts/install-deps.sh

run_suite() {
  local preset=$1
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" -DTEERSIM_WERROR=ON
  cmake --build --preset "$preset" -j"$jobs"
  echo "=== ${preset}: tests"
  # One private X server for the rendering tests; tests that start their own
  # (teersim render without DISPLAY) unset DISPLAY themselves.
  xvfb-run -a -s "-screen 0 1920x1080x24" ctest --preset "$preset" -j"$jobs" --timeout 900
}

run_suite release
if [[ "${TEERSIM_SKIP_SANITIZERS:-0}" != 1 ]]; then
  export ASAN_OPTIONS="abort_on_error=0:detect_leaks=0:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  run_suite asan
fi
echo "=== all test passes finished in $((SECONDS - start)) s"
