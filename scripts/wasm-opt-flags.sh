#!/usr/bin/env bash
# Prints the wasm-opt flags index.html gives trunk for the page
# (`data-wasm-opt-params` of its `data-bin="playground"` link), for the
# scripts that run wasm-opt on the page themselves (split.sh,
# size-floor.sh). Fails, and says so, when index.html gives none.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=$( (tr '\n' ' ' < index.html | grep -oE 'data-bin="playground"[^>]*data-wasm-opt-params="[^"]*"' || true) |
  sed -E 's/.*data-wasm-opt-params="([^"]*)"/\1/')
if [ -z "$flags" ]; then
  echo "index.html gives no wasm-opt flags for the page" >&2
  exit 1
fi
echo "$flags"
