#!/usr/bin/env bash
# Installs whatever the serve and test commands need and is missing, on a
# Debian machine that has only rustup and cargo. Idempotent: a second run
# checks versions and installs nothing. Sourced by serve.sh and test.sh, so
# the PATH it sets (cargo bin, the local npm tools) carries over.
#
# Everything comes from the package registries (crates.io, Debian, npm);
# nothing downloads a prebuilt binary from anywhere else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
PLAYWRIGHT_CORE_VERSION="1.65.2"
AXE_CORE_VERSION="4.14.1"
TERSER_VERSION="5.51.4"
WASM_SPLIT_VERSION="0.2.4"

export PATH="$HOME/.cargo/bin:$ROOT/.tools/node_modules/.bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# The wasm-bindgen CLI must equal the library version that Cargo.lock pins.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_rust_components() {
  for c in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$c"; then
      say "adding rustup component $c"
      rustup component add "$c"
    fi
  done
}

ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION from crates.io (about 10 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $want"; then
    say "installing wasm-bindgen-cli $want from crates.io (about 4 minutes)"
    # Not --locked: one of its locked dependencies was yanked.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# scripts/split.sh cuts the page's later part into its own wasm module
# with crates.io's wasm_split_cli_support (its `wasm-split-cli` binary).
ensure_wasm_split() {
  if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    say "installing wasm_split_cli_support $WASM_SPLIT_VERSION from crates.io (about a minute)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked --features build-binary
  fi
}

apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  say "installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# wasm-opt shrinks the release wasm; Debian's binaryen is too old, npm's works.
ensure_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
    say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm into .tools/"
    mkdir -p "$ROOT/.tools"
    npm install --prefix "$ROOT/.tools" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
  fi
}

# Installs an npm package at an exact version into .tools/ unless that
# version is there already: ensure_npm_package NAME VERSION.
ensure_npm_package() {
  local name="$1" version="$2" have
  have="$(node -p "require('$ROOT/.tools/node_modules/$name/package.json').version" 2>/dev/null || true)"
  if [ "$have" != "$version" ]; then
    if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
    say "installing $name $version from npm into .tools/"
    mkdir -p "$ROOT/.tools"
    npm install --prefix "$ROOT/.tools" --no-audit --no-fund --silent --save-exact "$name@$version"
  fi
}

# scripts/load-profile.mjs drives Debian's Chromium with npm's playwright-core
# (the library alone: it downloads no browser), found in .tools/.
ensure_playwright_core() { ensure_npm_package playwright-core "$PLAYWRIGHT_CORE_VERSION"; }

# The end-to-end tests inject npm's axe-core (one script file, axe.min.js,
# read from .tools/ by tests/e2e/src/a11y.rs) into the page and fail on its
# serious and critical accessibility violations.
ensure_axe_core() { ensure_npm_package axe-core "$AXE_CORE_VERSION"; }

# scripts/build.sh minifies the page's wasm-bindgen glue with npm's terser
# (scripts/minify-glue.mjs), which trunk's own minifier cannot read.
ensure_terser() { ensure_npm_package terser "$TERSER_VERSION"; }

setup_all() {
  ensure_rust_components
  ensure_wasm_target
  ensure_chromium
  ensure_wasm_opt
  ensure_playwright_core
  ensure_axe_core
  ensure_terser
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_split
}

# Run everything when executed directly; when sourced, the caller picks.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then setup_all; fi
