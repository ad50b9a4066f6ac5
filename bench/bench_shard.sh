#!/usr/bin/env bash
# bench_shard.sh - a sharded collection (db init --shard) against one
# server: `db import` throughput and `db match` latency p50/p99
# (bench/db_latency.py, one process a query) on N synthetic records
# (bench/db_synth.py over the corpus's real digests), for one plain server,
# a coordinator with 1 shard and a coordinator with 3 shards.  All servers
# are throwaway clusters on this machine (tests/db/pg_cluster.sh, fsync
# on): the shards share its cores, so this measures the cost of the
# postgres_fdw layer, not the scaling a shard per machine would give.
# Sizes: BENCH_SIZES (default 10000), queries BENCH_QUERIES (default 50);
# BENCH_FEED=feed: the realistic feed of bench/feed_gen.py instead.
# usage: bash bench/bench_shard.sh [CORPUS_DIR] [MALGOPHER]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=${2:-$HERE/../build/malgopher}
SIZES=${BENCH_SIZES:-10000}
Q=${BENCH_QUERIES:-50}
W=$(mktemp -d)
. "$HERE/../tests/db/pg_cluster.sh"
stop_all() {
    local d
    for d in "$W"/dir.*; do [ -s "$d" ] && PG_DIR=$(cat "$d") pg_stop; done
    rm -rf "$W" "$TPL"
}
TPL=$(mktemp -d /tmp/mg-pgt.XXXXXX) # the servers' owner must reach it
trap stop_all EXIT
pg_template "$TPL" >/dev/null
for i in 0 1 2 3; do
    (PG_OPTS="-c shared_buffers=256MB -c max_wal_size=4GB" PG_FSYNC=on pg_start >/dev/null && echo "$PG_DIR" > "$W/dir.$i") &
done
wait
mapfile -t DIRS < <(cat "$W"/dir.0 "$W"/dir.1 "$W"/dir.2 "$W"/dir.3)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), PostgreSQL $(psql --version | awk '{print $3}')"
db() { # SERVER NAME: a fresh database, its URI
    psql -X -q -h "${DIRS[$1]}" -U mg -d mg -c "CREATE DATABASE $2" >/dev/null
    echo "postgresql:///$2?host=${DIRS[$1]}&user=mg"
}
{ find "$CORPUS" -path "$CORPUS/.cache" -prune -o -type f -print 2>/dev/null || true; } | sort > "$W/files.txt"
real=$W/real.sqlite
"$M" db add --db "$real" --files-from "$W/files.txt" >/dev/null 2>&1
"$M" db export --db "$real" > "$W/real.jsonl"
for n in $SIZES; do
    if [ "${BENCH_FEED:-synth}" = feed ]; then # the realistic feed (bench/feed_gen.py), as bench_db.sh
        python3 "$HERE/feed_gen.py" "$n" 42 > "$W/s$n.jsonl" 2>/dev/null
    else
        python3 "$HERE/db_synth.py" "$W/real.jsonl" "$n" 42 > "$W/s$n.jsonl"
    fi
    for layout in one shard1 shard3; do
        case $layout in
        one) uri=$(db 0 "one$n") ;;
        shard1) uri=$(db 0 "c1_$n"); "$M" db init --db "$uri" --shard "$(db 1 "s1_$n")" >/dev/null ;;
        shard3) uri=$(db 0 "c3_$n"); "$M" db init --db "$uri" --shard "$(db 1 "t1_$n")" --shard "$(db 2 "t2_$n")" \
            --shard "$(db 3 "t3_$n")" >/dev/null ;;
        esac
        t0=$(date +%s.%N)
        /usr/bin/time -o "$W/time" -f "%U %S" "$M" db import --db "$uri" "$W/s$n.jsonl" >/dev/null
        t1=$(date +%s.%N)
        dt=$(echo "$t1 - $t0" | bc)
        echo "$layout N=$n: import $(printf '%.1f' "$dt") s = $(printf '%.0f' "$(echo "$n / $dt" | bc -l)") records/s (client CPU $(awk '{ printf "%.1f", $1 + $2 }' "$W/time") s, load $(cut -d' ' -f1-3 /proc/loadavg))"
        echo "$layout N=$n: $(python3 "$HERE/db_latency.py" "$M" "$uri" "$W/s$n.jsonl" "$Q" 7) (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
    done
done
