#!/usr/bin/env bash
# bench/bench_hash_cpu.sh - the CPU time (perf's task-clock, in ms) of
# `BIN hash -r CORPUS` for several binaries, run in turn ROUNDS times so a
# burst of load hits them alike; prints the min and the median of each.
# For comparing builds of malgopher on a shared machine, where wall time is
# too noisy (bench_hash_side.sh gives the ratio to sha256sum).
# usage: bash bench/bench_hash_cpu.sh ROUNDS CORPUS_DIR BIN...
set -euo pipefail
rounds=$1 corpus=$2
shift 2
command -v perf >/dev/null || { echo "bench_hash_cpu: perf not installed" >&2; exit 1; }
bins=()
for b in "$@"; do bins+=("$(realpath "$b")"); done
cd "$corpus"
for ((i = 0; i < rounds; i++)); do
    for b in "${bins[@]}"; do
        # (hash exits 1 for the corpus's non-Go files: that is no failure here)
        ms=$({ perf stat -x, -e task-clock "$b" hash -r . 2>&1 >/dev/null || true; } | awk -F, '/task-clock/ {print $1}')
        echo "$b $ms"
    done
done | sort -k1,1 -k2g | awk '{v[$1] = v[$1] " " $2; c[$1]++}
    END {for (b in v) {split(substr(v[b], 2), a, " "); printf "%s: min %.1f ms, median %.1f ms\n", b, a[1], a[int((c[b] + 1) / 2)]}}'
