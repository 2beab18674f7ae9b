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

# Headless demo: the default case driven by the demo script (the autopilot
# replaces it once the procedure lands), rendered views and the run's report.
out=out/demo
"$teersim" run --case p2_flail --script scenes/scripts/demo_short.yaml --headless --out "$out"
"$teersim" render --case p2_flail --view overview --time 2 --out "$out/overview.png" >/dev/null
"$teersim" render --case p2_flail --view layout --time 2 --out "$out/layout.png" >/dev/null
"$teersim" report "$out/recording.teerrec" --out "$out/report.html" >/dev/null
echo
echo "teersim demo finished. Outputs:"
for file in "$out"/*; do echo "  $(realpath "$file")"; done
