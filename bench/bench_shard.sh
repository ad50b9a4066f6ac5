#!/usr/bin/env bash
# bench_shard.sh - a sharded collection (db init --shard) against one
# server: `db import` throughput and `db match` latency p50/p99
# (bench/db_latency.py, one process a query) on N synthetic records
# (bench/db_synth.py over the corpus's real digests), for one plain server,
# a coordinator with 1 shard and a coordinator with 3 shards.  All servers
# are throwaway clusters on this machine (tests/db/pg_cluster.sh, fsync
# on): the shards share its cores, so this measures the cost of the
# layer (postgres_fdw, and the writers' direct connections to the shards:
# MALGOPHER_SHARD_WRITES=coordinator for the old path), not the scaling a
# shard per machine would give.
# Sizes: BENCH_SIZES (default 10000), queries BENCH_QUERIES (default 50);
# BENCH_FEED=feed: the realistic feed of bench/feed_gen.py instead;
# BENCH_LAYOUTS (default "one shard1 shard3") the layouts run;
# BENCH_MATCH=0: the imports only.  After each
# step, the CPU seconds each server spent in it (coordinator c, shards
# s1..s3: the postmaster's own and its exited children's, from /proc) and
# the token rows each shard holds: what the servers share of the work,
# which the wall time on one machine cannot show.
# usage: bash bench/bench_shard.sh [CORPUS_DIR] [MALGOPHER]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=${2:-$HERE/../build/malgopher}
SIZES=${BENCH_SIZES:-10000}
Q=${BENCH_QUERIES:-50}
W=$(mktemp -d)
. "$HERE/../tests/db/pg_cluster.sh"
. "$HERE/pg_bench.sh"
stop_all() { pg_stop_listed "$W"; rm -rf "$W" "$TPL"; }
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
# the clock ticks server I has spent so far (bench/pg_bench.sh)
srv_cpu() { pg_cpu_ticks "${DIRS[$1]}"; }
CPU0=()
cpu_mark() { local i; for i in 0 1 2 3; do CPU0[i]=$(srv_cpu $i); done; }
cpu_step() { # the CPU seconds of each server since cpu_mark
    local i out="" hz
    hz=$(getconf CLK_TCK)
    for i in 0 1 2 3; do out+="$([ $i = 0 ] && echo c || echo s$i) $(echo "scale=1; ($(srv_cpu $i) - ${CPU0[i]}) / $hz" | bc) s  "; done
    echo "server CPU: $out"
}
tokens_on() { # SERVER DB: the token rows of the partitions on it
    psql -X -q -A -t -h "${DIRS[$1]}" -U mg -d "$2" -c "SELECT coalesce(sum((xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || quote_ident(tablename), false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE tablename ~ '^set_tokens_p[0-9]+\$'"
}
for n in $SIZES; do
    if [ "${BENCH_FEED:-synth}" = feed ]; then # the realistic feed (bench/feed_gen.py), as bench_db.sh
        python3 "$HERE/feed_gen.py" "$n" 42 > "$W/s$n.jsonl" 2>/dev/null
    else
        python3 "$HERE/db_synth.py" "$W/real.jsonl" "$n" 42 > "$W/s$n.jsonl"
    fi
    for layout in ${BENCH_LAYOUTS:-one shard1 shard3}; do
        case $layout in
        one) uri=$(db 0 "one$n"); shards="" ;;
        shard1) uri=$(db 0 "c1_$n"); "$M" db init --db "$uri" --shard "$(db 1 "s1_$n")" >/dev/null; shards="1:s1_$n" ;;
        shard3) uri=$(db 0 "c3_$n"); "$M" db init --db "$uri" --shard "$(db 1 "t1_$n")" --shard "$(db 2 "t2_$n")" \
            --shard "$(db 3 "t3_$n")" >/dev/null; shards="1:t1_$n 2:t2_$n 3:t3_$n" ;;
        esac
        cpu_mark
        t0=$(date +%s.%N)
        /usr/bin/time -o "$W/time" -f "%U %S" "$M" db import --db "$uri" "$W/s$n.jsonl" >/dev/null
        t1=$(date +%s.%N)
        dt=$(echo "$t1 - $t0" | bc)
        echo "$layout N=$n: import $(printf '%.1f' "$dt") s = $(printf '%.0f' "$(echo "$n / $dt" | bc -l)") records/s (client CPU $(awk '{ printf "%.1f", $1 + $2 }' "$W/time") s, load $(cut -d' ' -f1-3 /proc/loadavg))"
        echo "$layout N=$n: import $(cpu_step)"
        for s in $shards; do echo "$layout N=$n: shard ${s%%:*} holds $(tokens_on "${s%%:*}" "${s#*:}") token rows"; done
        [ "${BENCH_MATCH:-1}" = 0 ] && continue
        cpu_mark
        echo "$layout N=$n: $(python3 "$HERE/db_latency.py" "$M" "$uri" "$W/s$n.jsonl" "$Q" 7) (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
        echo "$layout N=$n: match $(cpu_step)"
    done
done
