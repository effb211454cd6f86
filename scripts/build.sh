#!/usr/bin/env bash
# Builds the release site into dist/ (size profile, wasm-opt -Oz, minified
# HTML, CSS and JS, the page's later part in a module of its own) and
# prints the gzipped first-load size of wasm + JS + CSS.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target; ensure_wasm_opt; ensure_terser; ensure_trunk; ensure_wasm_bindgen; ensure_wasm_split
# Relative asset URLs, so dist/ works under any sub-path (GitHub Pages…).
trunk build --release --public-url ./ "$@"
# The grading worker's imports get short names too (see the script).
node scripts/short-imports.mjs dist/worker.js dist/worker_bg.wasm
# The page again with its later part as a split point (src/later.rs),
# cut into its own module by scripts/split.sh in place of trunk's page.
cargo build --profile wasm-release --target wasm32-unknown-unknown --bin playground --features split
scripts/split.sh dist target/wasm32-unknown-unknown/wasm-release/playground.wasm
node scripts/minify-glue.mjs dist
scripts/size.sh
