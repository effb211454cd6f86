#!/usr/bin/env bash
# Prints the gzipped size of what a first load fetches from dist/: the wasm,
# the JS glue and the CSS (gzip -9, as a static host would serve them).
set -euo pipefail
cd "$(dirname "$0")/../dist"
total=0
for f in $(ls *.wasm *.js *.css 2>/dev/null); do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-40s %9d bytes  %8d gzipped\n' "$f" "$raw" "$gz"
  total=$((total + gz))
done
awk -v t="$total" 'BEGIN { printf "first load, gzipped: %d bytes (%.1f KB); budget 200 KB\n", t, t / 1000 }'
