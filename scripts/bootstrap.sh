#!/usr/bin/env bash
# README command 1: install what teersim needs, build it (Release), and run the
# main job — the GUI on the default case when a display exists, otherwise the
# headless demo, whose outputs it lists at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j"$(nproc)"
teersim=build/release/sim/app/teersim

if [[ -n "${DISPLAY:-}" && "${TEERSIM_HEADLESS:-0}" != 1 ]]; then
  exec "$teersim"
fi

# Headless demo: the default case performed by the expert autopilot, views of
# the run rendered from its recording at the grasp, and the run's report.
out=out/demo
"$teersim" run --case p2_flail --autopilot --headless --out "$out"
"$teersim" render --recording "$out/recording.teerrec" --at 60 --view overview --out "$out/overview.png" >/dev/null
"$teersim" render --recording "$out/recording.teerrec" --at 60 --view layout --out "$out/layout.png" >/dev/null
"$teersim" report "$out/recording.teerrec" --out "$out/report.html" >/dev/null
echo
echo "teersim demo finished. Outputs:"
for file in "$out"/*; do echo "  $(realpath "$file")"; done
