#!/usr/bin/env bash
# Prints the gzipped sizes (gzip -9, as a static host would serve them) of
# what a first load fetches from dist/, and fails when the critical path is
# over budget.
#
# The critical path is what index.html loads before the page can work:
# index.html itself and every script, wasm and stylesheet it references
# (href=, src=, import and init paths), plus the JS modules those scripts
# import statically. The simulation worker's files (worker.js,
# worker_bg.wasm, worker_loader.js) are counted apart: the worker fetches
# them in parallel, after the page has started. So is the page's later part
# (src/later.rs, cut out by scripts/split.sh): the page fetches it once it
# has started, and draws the canvas and edits without it. Static copies that the page
# does not need to work (favicon.svg, course-example.html) are not counted.
# Before the worker exists, everything is critical path.
#
# Usage: scripts/size.sh [dist-dir]. Exits 1 when the critical path is over
# the budget; SIZE_BUDGET_BYTES overrides it. The budget is the target,
# 200 KB (200,000 bytes) gzipped, since the course page's messages, the
# grade strip's words once there is a grade, the lints and a run's words
# on the canvas went to the page's later part (2026-12-07; 208 KB before,
# 210 KB until the
# page's searches for words in text stopped carrying the standard
# library's Two-Way searcher, 2026-12-07; 212 KB until the
# styles only the later part shows went to it, style/later.css,
# 2026-12-07; 216 KB until the
# links pasted into the address and the effects that follow a run
# went to the page's later part, 2026-12-07; 224 KB until the
# page's imports got short names, scripts/short-imports.mjs, 2026-12-07;
# 230 KB until
# wasm-opt ordered functions by name and inlined only small functions into
# their one caller, and Leptos's SendWrapper stopped asking for the current
# thread, patches/send_wrapper, 2026-12-07; 238 KB until the
# page kept node parameters and the selection in sorted lists and
# serde_json's objects in an IndexMap, so that it carried no BTreeMap,
# 2026-12-07; 245 KB until the
# page stopped carrying the three classes crates.io's wasm-streams exports
# to JavaScript, patches/wasm-streams, 2026-12-07; 253 KB until the
# page unpacked share links with the browser's DecompressionStream instead
# of miniz_oxide's inflater and carried no sort, 2026-12-07; 270 KB until the
# page wrote its JSON with the design crate's writer instead of
# serde_json's serializer and lowered letters by ASCII rules instead of
# Unicode's tables, 2026-12-06; 282 KB until the
# page read JSON with the browser's parser, 290 KB until it stopped
# carrying the standard library's float formatter beside serde_json's,
# both 2026-12-06; 320 KB until the
# later part took over the top bar's buttons, the brief and palette and
# the keyboard's actions, 2026-12-06; 340 KB until the
# page's later part took over sharing, taking grades and finding lints,
# 2026-12-06; 360 KB until the page opened its built-in kata as the build
# read it, 2026-12-06; 455 KB until the page's later part became a module
# of its own, 2026-12-05)
# (575 KB until the worker's messages became JSON instead of MessagePack,
# which took 97 KB off the page on 2026-12-03; 480 KB until the grade's
# tagged enums were read without serde's buffering, 2026-12-04; 470 KB
# until the build minified the HTML, CSS and JS and ran wasm-opt with
# --low-memory-unused, the same day; 465 KB until the page stopped
# carrying the standard library's float parser beside serde_json's,
# 2026-12-05).
set -euo pipefail
dist="${1:-$(dirname "$0")/../dist}"
budget="${SIZE_BUDGET_BYTES:-200000}"
if [ ! -f "$dist/index.html" ]; then
  echo "size.sh: no $dist/index.html: build the site first with scripts/build.sh" >&2
  exit 2
fi
cd "$dist"

# The worker's files, by name (trunk emits them unhashed; a hash is allowed).
is_worker() { [[ "$1" =~ ^worker(-[0-9a-f]+)?(\.js|_bg\.wasm|_loader\.js)$ ]]; }
# The page's later part, named after the page's wasm by scripts/split.sh.
is_later() { [[ "$1" =~ ^playground(-[0-9a-f]+)?-later\.wasm$ ]]; }

# Local .js/.mjs/.wasm/.css paths named in a file, resolved against that
# file's directory, normalised to paths inside dist/ and existing there.
refs() {
  local file="$1" dir
  dir="$(dirname "$file")"
  # Quoted strings, and unquoted attribute values (minified HTML drops
  # the quotes: href=./main.css).
  grep -oE "[\"'][^\"'<> ]+\.(m?js|wasm|css)([?#][^\"'<> ]*)?[\"']|=[^\"'<> =]+\.(m?js|wasm|css)([?#][^\"'<> ]*)?([ >]|\$)" "$file" |
    sed -E "s/^[\"'=]//; s/[\"' >]\$//; s/[?#].*\$//" |
    grep -vE '^([a-z]+:)?//' |
    while read -r ref; do
      case "$ref" in
        /*) ref="${ref#/}" ;;
        *) ref="$dir/$ref" ;;
      esac
      ref="$(realpath -m --relative-to=. "$ref")"
      if [ -f "$ref" ]; then echo "$ref"; fi
    done || true
}

# index.html, what it references, and the JS those files import, followed
# until nothing new appears.
critical=(index.html)
queue=(index.html)
while [ ${#queue[@]} -gt 0 ]; do
  f="${queue[0]}"; queue=("${queue[@]:1}")
  case "$f" in *.html | *.js | *.mjs) ;; *) continue ;; esac
  for r in $(refs "$f"); do
    if is_worker "$(basename "$r")" || is_later "$(basename "$r")"; then continue; fi
    if [[ " ${critical[*]} " == *" $r "* ]]; then continue; fi
    critical+=("$r"); queue+=("$r")
  done
done
if [ ${#critical[@]} -lt 3 ]; then
  # index.html references no script or wasm that we can read: fall back to
  # every wasm, JS and CSS file that is not the worker's.
  echo "size.sh: could not read the assets index.html loads; counting every wasm, JS and CSS file except the worker's" >&2
  critical=(index.html)
  for f in *.wasm *.js *.mjs *.css; do
    if [ -f "$f" ] && ! is_worker "$f" && ! is_later "$f"; then critical+=("$f"); fi
  done
fi
worker=()
later=()
for f in *; do
  if [ -f "$f" ] && is_worker "$f"; then worker+=("$f"); fi
  if [ -f "$f" ] && is_later "$f"; then later+=("$f"); fi
done

# Prints one line per file and sets $sum to the group's gzipped total.
group() {
  local title="$1"; shift
  sum=0
  echo "$title"
  for f in "$@"; do
    local raw gz
    raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
    printf '  %-40s %9d bytes  %8d gzipped\n' "$f" "$raw" "$gz"
    sum=$((sum + gz))
  done
}
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }

group "critical path (index.html and what it loads before the page works):" "${critical[@]}"
crit=$sum
# group_or_none TITLE NONE FILES…: group, or says NONE (and $sum is 0)
# when there are no files.
group_or_none() {
  local title="$1" none="$2"; shift 2
  if [ $# -gt 0 ]; then group "$title" "$@"; else echo "$none"; sum=0; fi
}
group_or_none "worker (fetched by the simulation worker, in parallel):" \
  "worker: none in dist/ (the engine runs on the page)" ${worker[@]+"${worker[@]}"}
work=$sum
group_or_none "the page's later part (fetched once the page has started, in parallel):" \
  "the page's later part: none in dist/ (it is in the page's wasm)" ${later[@]+"${later[@]}"}
rest=$sum
echo "critical path, gzipped: $crit bytes ($(kb "$crit")); budget $(kb "$budget")"
echo "worker, gzipped:        $work bytes ($(kb "$work"))"
echo "later part, gzipped:    $rest bytes ($(kb "$rest"))"
echo "first load in all:      $((crit + work + rest)) bytes ($(kb $((crit + work + rest))))"
if [ "$crit" -gt "$budget" ]; then
  echo "size.sh: FAIL: the critical path is $(kb "$crit") gzipped, over the $(kb "$budget") budget by $(kb $((crit - budget)))" >&2
  exit 1
fi
