#!/usr/bin/env bash
# Blesses the engine's pinned results after an intended change: the
# fingerprints (crates/sim/tests/data/*-fingerprints.txt) and the readable
# grades (crates/sim/tests/data/canonical-grades.json). Before writing, it
# prints what would change: for each design and scenario the largest
# relative difference between the pinned readable values and the new ones,
# every pass that becomes a failure (or the other way round), and how many
# fingerprint lines change. Then it asks, unless given --yes.
#
#   scripts/bless.sh          preview, ask, bless
#   scripts/bless.sh --yes    preview and bless without asking
set -euo pipefail
cd "$(dirname "$0")/.."

yes=false
case "${1:-}" in
  --yes | -y) yes=true ;;
  "") ;;
  *)
    echo "usage: scripts/bless.sh [--yes]" >&2
    exit 2
    ;;
esac

golden() { cargo test -q -p sim --test golden -- --test-threads=1 "$@"; }

echo "Grading the canonical designs against the pinned files…"
if golden >/dev/null 2>&1; then
  echo "The pinned files match what the engine gives: nothing to bless."
  exit 0
fi

preview="$(mktemp)"
trap 'rm -f "$preview"' EXIT
# Writes only the report (a test that fails here is not a golden file's:
# its output is shown and nothing is blessed).
if ! GOLDEN_PREVIEW="$preview" golden >/dev/null 2>"$preview.err"; then
  cat "$preview.err" >&2
  rm -f "$preview.err"
  echo "The golden test fails for another reason than a changed result: nothing blessed." >&2
  exit 1
fi
rm -f "$preview.err"
echo
cat "$preview"
echo

if ! $yes; then
  if [ ! -t 0 ]; then
    echo "Not blessed: run scripts/bless.sh --yes to bless without a terminal to ask on." >&2
    exit 1
  fi
  read -r -p "Bless these results? [y/N] " answer
  case "$answer" in
    y | Y | yes | YES) ;;
    *)
      echo "Not blessed."
      exit 1
      ;;
  esac
fi

GOLDEN_BLESS=1 golden >/dev/null
golden >/dev/null
echo "Blessed: crates/sim/tests/data/ holds the new fingerprints and readable grades (review them with git diff)."
