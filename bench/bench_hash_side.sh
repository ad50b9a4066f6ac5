#!/usr/bin/env bash
# bench/bench_hash_side.sh - `malgopher hash -r CORPUS` against `sha256sum`
# over the very same files, side by side in one loop (issue 25: target
# <= 0.2x, compass 0.1x).  Each round runs every command once, in turn, so
# a burst of load from other processes hits all of them alike; the report
# gives the best and the median of each command and the median of the
# per-round ratios, with the load average before and after.
#
# usage: bash bench/bench_hash_side.sh [CORPUS_DIR] [MALGOPHER_BIN [OLD_BIN]]
#   CORPUS_DIR     default $MALGOPHER_CORPUS, else ~/.cache/malgopher/corpus
#   MALGOPHER_BIN  default build/malgopher under the repo root
#   OLD_BIN        optional: a second malgopher (e.g. main's) timed alike
# environment: BENCH_ROUNDS=15 (rounds after 2 warm-up rounds)
# Writes nothing: prints Markdown for BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
bin=${2:-$root/build/malgopher}
old=${3:-}
rounds=${BENCH_ROUNDS:-15}
[ -d "$corpus" ] || { echo "bench_hash_side: no corpus at $corpus" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench_hash_side: no malgopher at $bin" >&2; exit 1; }
bin=$(realpath "$bin")
[ -z "$old" ] || old=$(realpath "$old")
cd "$corpus"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find . -path ./.cache -prune -o -type f -print0 >"$list"
nfiles=$(tr -cd '\0' <"$list" | wc -c)
nbytes=$(xargs -0 -a "$list" stat -c %s | awk '{s += $1} END {printf "%d", s}')
xargs -0 -a "$list" cat >/dev/null # warm page cache

# one timed run of "$@"; prints seconds
timed() {
    local t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.4f\n", b - a}'
}
run_mg() { "$bin" hash -r .; }
run_old() { "$old" hash -r .; }
run_sha() { xargs -0 -a "$list" sha256sum; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -a tm ts to
for ((r = -2; r < rounds; r++)); do
    a=$(timed run_mg)
    b=$(timed run_sha)
    c=0
    [ -n "$old" ] && c=$(timed run_old)
    [ "$r" -lt 0 ] && continue
    tm+=("$a") ts+=("$b") to+=("$c")
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

stats() { printf '%s\n' "$@" | sort -g | awk '{x[NR] = $1} END {printf "%.3f %.3f\n", x[1], x[int((NR + 1) / 2)]}'; }
read -r mg_best mg_med < <(stats "${tm[@]}")
read -r sha_best sha_med < <(stats "${ts[@]}")
ratios=()
for i in "${!tm[@]}"; do ratios+=("$(awk -v a="${tm[$i]}" -v b="${ts[$i]}" 'BEGIN {printf "%.4f", a / b}')"); done
read -r r_best r_med < <(stats "${ratios[@]}")

cat <<EOF
- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
- load average (1/5/15 min) before: $load0, after: $load1
- corpus: $nfiles files, $nbytes bytes under $corpus; page cache warm
- $rounds rounds after 2 warm-up rounds; each round runs the commands in turn

| command | best (s) | median (s) |
|---|---:|---:|
| \`malgopher hash -r .\` | $mg_best | $mg_med |
| \`xargs -0 sha256sum\` (the same files) | $sha_best | $sha_med |
EOF
if [ -n "$old" ]; then
    read -r o_best o_med < <(stats "${to[@]}")
    echo "| \`$old hash -r .\` (before) | $o_best | $o_med |"
fi
cat <<EOF

malgopher / sha256sum: best/best **$(awk -v a="$mg_best" -v b="$sha_best" 'BEGIN {printf "%.3f", a / b}')**,
median of the per-round ratios **$r_med** (lowest $r_best)
EOF
if [ -n "$old" ]; then
    echo "before / sha256sum: best/best $(awk -v a="$o_best" -v b="$sha_best" 'BEGIN {printf "%.3f", a / b}')"
fi
