#!/bin/bash
# types_bench.sh - wall time, CPU time and peak RSS of `malgopher types
# --json` on each FILE (RUNS runs each, default 5; the best wall and the
# largest RSS are kept).  Usage: bench/types_bench.sh MALGOPHER FILE...
set -u
mg=$1
shift
runs=${RUNS:-5}
printf '%-60s %8s %8s %10s %8s %8s\n' file wall_s cpu_s max_rss_kb types itabs
for f in "$@"; do
    best=999 cpu=0 rss=0
    for _ in $(seq "$runs"); do
        out=$(/usr/bin/time -f '%e %U %S %M' "$mg" types --json "$f" 2>&1 >/dev/null | tail -1) || exit 1
        read -r w u s m <<<"$out"
        if awk -v a="$w" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$w cpu=$(awk -v a="$u" -v b="$s" 'BEGIN{print a+b}'); fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    counts=$("$mg" types --json "$f" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(len(d["types"]), len(d["itabs"]))')
    printf "%-60s %8s %8s %10s %8s %8s\n" "${f##*/corpus/}" "$best" "$cpu" "$rss" $counts
done
