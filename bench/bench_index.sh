#!/usr/bin/env bash
# bench_index.sh - clustering time of the similarity index against naive
# all-pairs fuzzy_compare on 1k, 10k and 100k synthetic gimpfuzzy digests
# derived from the corpus's name lists (see bench/bench_index.c), one
# thread each, families at threshold 70; results must be identical.
# 1k and 10k run the full naive all-pairs; 100k times 300 random naive rows
# and scales them to all pairs (the full run would take about an hour).
# usage: bash bench/bench_index.sh [CORPUS_DIR] [BENCH_BINARY]
set -euo pipefail
CORPUS=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
BIN=${2:-$(dirname "$0")/../build/bench_index}
[ -x "$BIN" ] || { echo "build first: cmake --build build --target bench_index"; exit 1; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for spec in "1000 0" "10000 0" "100000 300"; do
    set -- $spec
    echo "## N=$1"
    "$BIN" "$CORPUS" "$1" "$2" 42 70
done
