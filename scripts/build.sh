#!/usr/bin/env bash
# Builds the release site into dist/ (size profile, wasm-opt -Oz, minified
# HTML, CSS and JS) and prints the gzipped first-load size of wasm + JS +
# CSS.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target; ensure_wasm_opt; ensure_terser; ensure_trunk; ensure_wasm_bindgen
# Relative asset URLs, so dist/ works under any sub-path (GitHub Pages…).
trunk build --release --public-url ./ "$@"
node scripts/minify-glue.mjs dist
scripts/size.sh
