#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), native
# tests, browser tests in headless Chromium, and the end-to-end test of the
# built release site. Installs the toolchain first if anything is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_all

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
start=$(date +%s)
# Every test runner's output is copied here so the closing line can add up
# the counts of all suites.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
counted() { "$@" 2>&1 | tee -a "$results"; }

step "format"
cargo fmt --all --check

step "clippy, native crates"
cargo clippy -p design -p editor -p sim -p e2e --all-targets -- -D warnings
# The stand-in for send_wrapper that Leptos gets (patches/send_wrapper).
cargo clippy -p send_wrapper --all-targets --all-features -- -D warnings

step "clippy, the app on wasm32"
cargo clippy -p playground -p wasm-streams --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy -p send_wrapper --all-features --target wasm32-unknown-unknown --all-targets -- -D warnings
# The release site's page: its later part is a split point (src/later.rs).
cargo clippy -p playground --target wasm32-unknown-unknown --features split -- -D warnings

step "native tests"
counted cargo test -p design -p editor -p sim
counted cargo test -p send_wrapper --all-features
# The build's renaming of the wasm's imports (scripts/short-imports.mjs).
counted node scripts/short-imports.test.mjs

step "browser tests (wasm-bindgen-test in headless Chromium)"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
# The runner gives each test binary 20 s in all by default. The editor's
# 31 tests take about 11 s here, and more than 20 s on a freshly set-up
# machine still busy with its first Chromium: allow 5 minutes per binary.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
counted cargo test -p playground --target wasm32-unknown-unknown -- --nocapture
# The stand-in for wasm-streams that Leptos's server functions get
# (patches/wasm-streams).
counted cargo test -p wasm-streams --target wasm32-unknown-unknown

step "release build of the site"
scripts/build.sh

step "end-to-end test against dist/"
counted cargo test -p e2e -- --nocapture

echo
echo "all checks passed in $(( $(date +%s) - start )) s"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$results"
