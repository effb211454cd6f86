#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080/ with live reload.
# Installs the toolchain first if anything is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_rust_components; ensure_wasm_target; ensure_wasm_opt; ensure_trunk; ensure_wasm_bindgen
PORT="${PORT:-8080}"
echo "Serving the playground at http://127.0.0.1:$PORT/ (Ctrl+C to stop)"
exec trunk serve --address 127.0.0.1 --port "$PORT" "$@"
