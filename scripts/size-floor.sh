#!/usr/bin/env bash
# Builds the smallest pages this project could ship (scripts/size-floor/)
# the way scripts/build.sh builds the page (opt-level "z", LTO, Leptos's
# erased components, wasm-bindgen, wasm-opt -Oz with index.html's flags)
# and prints each one's wasm gzipped (gzip -9): Leptos and a canvas; with
# serde_json; with each thing the playground reads before it draws (the
# kata, a design link, a design document, one with its lints), then all
# of them. BENCHMARKS.md, "First load", weighs the page's critical path
# against them.
#
# Usage: scripts/size-floor.sh. Uses the crate versions of Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target; ensure_wasm_opt; ensure_wasm_bindgen
flags=$(scripts/wasm-opt-flags.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r scripts/size-floor/Cargo.toml scripts/size-floor/src "$tmp/"
cp Cargo.lock "$tmp/"
# Paths to the workspace's crates, from the copy.
sed -i "s#\.\./\.\./crates#$PWD/crates#" "$tmp/Cargo.toml"
# Leptos's erased components come from .cargo/config.toml, as for the
# page (cargo reads it from this directory).
export CARGO_TARGET_DIR="$PWD/target/size-floor"
for features in "" json kata link document lints open; do
  cargo build -q --manifest-path "$tmp/Cargo.toml" --release --target wasm32-unknown-unknown ${features:+--features "$features"}
  wasm-bindgen --target web --no-typescript --out-dir "$tmp/out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/size-floor.wasm"
  # shellcheck disable=SC2086 # the flags are words
  wasm-opt -Oz $flags "$tmp/out/size-floor_bg.wasm" -o "$tmp/out/opt.wasm"
  printf '%-40s %8d bytes gzipped\n' "Leptos and a canvas${features:+, +$features}" "$(gzip -9c "$tmp/out/opt.wasm" | wc -c)"
done
