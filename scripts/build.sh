#!/usr/bin/env bash
# Builds the release site into dist/ (size profile, wasm-opt -Oz) and prints
# the gzipped first-load size of wasm + JS + CSS.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target; ensure_wasm_opt; ensure_trunk; ensure_wasm_bindgen
trunk build --release "$@"
scripts/size.sh
