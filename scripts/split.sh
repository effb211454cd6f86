#!/usr/bin/env bash
# Cuts the page's later part (src/later.rs) out of the page's wasm into a
# module of its own, which the page fetches once it has started (see
# ARCHITECTURE.md, "The page's later part").
#
# trunk cannot run a step between cargo and wasm-bindgen, so this script
# redoes what trunk did for the page, on a build with the `split` feature:
#   1. `wasm-split-cli` (crates.io's wasm_split_cli_support, installed by
#      scripts/setup.sh) splits the linked wasm, which build.rs had the
#      linker keep its relocations for, at the `#[wasm_split]` point;
#   2. wasm-bindgen writes the glue of the main module, keeping the
#      linker's exports that the later part imports;
#   3. wasm-opt shrinks both modules with the flags index.html gives trunk,
#      and scripts/short-imports.mjs gives the main module's imports short
#      names, in it and in its glue;
#   4. the main module and its glue replace trunk's in dist/, the later
#      part and its loader go beside them, named after trunk's hashed
#      name, and index.html's integrity hashes follow (the loader, which
#      the glue imports, is preloaded with the glue).
#
# Usage: scripts/split.sh DIST SPLIT_WASM. Called by scripts/build.sh after
# `trunk build --release`; fails, and says why, when anything is not as
# expected, and then leaves dist/ as trunk wrote it, never half split.
set -euo pipefail
cd "$(dirname "$0")/.."
dist="$1"; input="$2"
fail() { echo "split.sh: $*" >&2; exit 1; }

[ -f "$input" ] || fail "no split build at $input"
glue=$(cd "$dist" && ls | grep -E '^playground-[0-9a-f]+\.js$' || true)
[ "$(echo "$glue" | grep -c .)" = 1 ] || fail "expected one playground-<hash>.js in $dist, found: ${glue:-none}"
base=${glue%.js}
[ -f "$dist/${base}_bg.wasm" ] || fail "no ${base}_bg.wasm in $dist"
flags=$(scripts/wasm-opt-flags.sh) || fail "no wasm-opt flags for the page"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Split. The loader it writes imports the glue as ./$base.js.
wasm-split-cli "$input" "$tmp/split" --out-name "$base" --target web >/dev/null
[ -f "$tmp/split/$base.wasm" ] || fail "wasm-split-cli wrote no main module"
[ -f "$tmp/split/split_later.wasm" ] || fail "wasm-split-cli found no later part (is the split feature on?)"
chunks=$(cd "$tmp/split" && ls split_*.wasm)
[ "$chunks" = "split_later.wasm" ] || fail "expected one later part, got: $chunks"

# 2. The main module's glue. Its function names are demangled (as trunk's
# are), so that wasm-opt, which orders functions by name, puts a generic
# function's copies side by side (0.7 KB less gzipped than mangled names).
wasm-bindgen --target web --keep-lld-exports --no-typescript \
  --out-dir "$tmp/bg" --out-name "$base" "$tmp/split/$base.wasm"
grep -q '"./__wasm_split.js"' "$tmp/bg/$base.js" || fail "the glue does not import the split loader"

# 3 and 4. Names that belong to this build, then shrink and install.
loader="$base-split.js"
later="$base-later.wasm"
# Only the glue's import statement: the wasm's imports keep the module
# name the glue's import object gives them.
sed -i '/^import /s#from "./__wasm_split.js"#from "./'"$loader"'"#' "$tmp/bg/$base.js"
grep -q "^import .* from \"./$loader\"" "$tmp/bg/$base.js" || fail "could not point the glue at the loader"
sed -i 's#"./split_later.wasm"#"./'"$later"'"#' "$tmp/split/__wasm_split.js"
grep -q "\"./$later\"" "$tmp/split/__wasm_split.js" || fail "the loader does not name the later part"
sri() {
  node -e 'const f = require("fs").readFileSync(process.argv[1]);
    console.log("sha384-" + require("crypto").createHash("sha384").update(f).digest("base64"))' "$1"
}
# Everything is made and checked in $tmp/out first; dist/ changes only
# once all of it is ready.
out="$tmp/out"
mkdir -p "$out"
# shellcheck disable=SC2086 # the flags are words
wasm-opt -Oz $flags "$tmp/bg/${base}_bg.wasm" -o "$out/${base}_bg.wasm"
# shellcheck disable=SC2086
wasm-opt -Oz $flags "$tmp/split/split_later.wasm" -o "$out/$later"
cp "$tmp/bg/$base.js" "$out/$base.js"
# Short import names in the main module and its glue (6.6 KB less gzipped).
node scripts/short-imports.mjs "$out/$base.js" "$out/${base}_bg.wasm" || fail "could not shorten the imports' names"
cp "$tmp/split/__wasm_split.js" "$out/$loader"
cp "$dist/index.html" "$out/index.html"
old_glue=$(sri "$dist/$base.js")
old_wasm=$(sri "$dist/${base}_bg.wasm")
index="$out/index.html"
grep -q "$old_glue" "$index" || fail "index.html has no integrity hash for $base.js"
grep -q "$old_wasm" "$index" || fail "index.html has no integrity hash for ${base}_bg.wasm"
sed -i "s#$old_glue#$(sri "$out/$base.js")#; s#$old_wasm#$(sri "$out/${base}_bg.wasm")#" "$index"
# The glue imports the loader: preloaded beside it, not a round trip later.
sed -i "s#</head>#<link crossorigin href=./$loader integrity=$(sri "$out/$loader") rel=modulepreload></head>#" "$index"
grep -q "href=./$loader " "$index" || fail "could not add the loader's preload to index.html"
grep -q "$(sri "$out/$base.js")" "$index" || fail "could not update the glue's integrity hash"
# index.html last: until it names the new files' hashes, the old ones
# still match what it names.
for f in "$out"/*; do [ "$(basename "$f")" = index.html ] || cp "$f" "$dist/"; done
cp "$index" "$dist/index.html"
echo "split.sh: $base: the page's wasm and its later part, $later"
