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
trap 'rm -f "$list" "${tfile:-}"' EXIT
find . -path ./.cache -prune -o -type f -print0 >"$list"
nfiles=$(tr -cd '\0' <"$list" | wc -c)
nbytes=$(xargs -0 -a "$list" stat -c %s | awk '{s += $1} END {printf "%d", s}')
xargs -0 -a "$list" cat >/dev/null # warm page cache

# one timed run: prints "wall cpu" in seconds (cpu = user + system of the
# command and its children, the figure a loaded machine disturbs least)
tfile=$(mktemp)
timed() {
    /usr/bin/time -f '%e %U %S' -o "$tfile" "$@" >/dev/null 2>&1 || true
    awk 'END {printf "%.4f %.4f\n", $1, $2 + $3}' "$tfile" # the last line: time may first say the exit status
}
run_mg=("$bin" hash -r .)
run_old=("$old" hash -r .)
run_sha=(xargs -0 -a "$list" sha256sum)

load0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -a tm ts to cm cs co
for ((r = -2; r < rounds; r++)); do
    read -r a ca < <(timed "${run_mg[@]}")
    read -r b cb < <(timed "${run_sha[@]}")
    c=0 cc=0
    [ -z "$old" ] || read -r c cc < <(timed "${run_old[@]}")
    [ "$r" -lt 0 ] && continue
    tm+=("$a") ts+=("$b") to+=("$c") cm+=("$ca") cs+=("$cb") co+=("$cc")
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

stats() { printf '%s\n' "$@" | sort -g | awk '{x[NR] = $1} END {printf "%.3f %.3f\n", x[1], x[int((NR + 1) / 2)]}'; }
read -r mg_best mg_med < <(stats "${tm[@]}")
read -r sha_best sha_med < <(stats "${ts[@]}")
ratios=()
for i in "${!tm[@]}"; do ratios+=("$(awk -v a="${tm[$i]}" -v b="${ts[$i]}" 'BEGIN {printf "%.4f", a / b}')"); done
read -r r_best r_med < <(stats "${ratios[@]}")
read -r cm_best cm_med < <(stats "${cm[@]}")
read -r cs_best cs_med < <(stats "${cs[@]}")

cat <<EOF
- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
- load average (1/5/15 min) before: $load0, after: $load1
- corpus: $nfiles files, $nbytes bytes under $corpus; page cache warm
- $rounds rounds after 2 warm-up rounds; each round runs the commands in turn

| command | wall best (s) | wall median (s) | CPU best (s) | CPU median (s) |
|---|---:|---:|---:|---:|
| \`malgopher hash -r .\` | $mg_best | $mg_med | $cm_best | $cm_med |
| \`xargs -0 sha256sum\` (the same files) | $sha_best | $sha_med | $cs_best | $cs_med |
EOF
if [ -n "$old" ]; then
    read -r o_best o_med < <(stats "${to[@]}")
    read -r co_best co_med < <(stats "${co[@]}")
    echo "| \`hash -r .\` of $old (before) | $o_best | $o_med | $co_best | $co_med |"
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
cat <<EOF

malgopher / sha256sum: wall best/best **$(ratio "$mg_best" "$sha_best")**, median of the
per-round wall ratios **$r_med** (lowest $r_best); CPU best/best **$(ratio "$cm_best" "$cs_best")**
EOF
if [ -n "$old" ]; then
    echo "before / sha256sum: wall best/best $(ratio "$o_best" "$sha_best"), CPU best/best $(ratio "$co_best" "$cs_best")"
fi
