#!/usr/bin/env bash
# bench/shard_scaling.sh - how a sharded import scales with the number of
# shards when each shard has a machine's worth of CPU to itself (issue 25:
# "near-linear import scaling with shards").  One machine cannot give
# three shards a machine each, so each shard server gets a fixed CPU
# budget of its own instead: its postmaster and every process it has or
# forks are put into a cgroup (v1 cpu controller, cpu.cfs_quota_us) of
# BENCH_QUOTA percent of one core, a small "machine" that no other server
# can take from.  The budgets together stay below the machine's cores
# (3 x 25% of 2 cores), so the coordinator and the client are never the
# ones waiting.  Then N feed records (bench/feed_gen.py, seed 42) are
# imported into a fresh collection over 1, 2 and 3 such shards, and the
# wall time is the measure: linear scaling would be 2 and 3 times one
# shard's rate, the partition split allowing at most 16/8 = 2 and 16/6 =
# 2.67 (the busiest shard holds 8 and 6 of the 16 partitions).  Printed
# for each: records/s, the speed-up against one shard, and the CPU
# seconds each server spent (bench/pg_bench.sh).  Needs root (cgroups).
# usage: bash bench/shard_scaling.sh [MALGOPHER]   (BENCH_N=20000
# BENCH_QUOTA=25 BENCH_SHARDS="1 2 3"; MALGOPHER_SHARD_WRITES=coordinator
# for the writes through the coordinator)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
M=${1:-$HERE/../build/malgopher}
N=${BENCH_N:-20000}
QUOTA=${BENCH_QUOTA:-25}
CG=/sys/fs/cgroup/cpu
[ -w "$CG" ] || { echo "shard_scaling.sh: needs a writable cgroup v1 cpu controller at $CG (root)"; exit 1; }
W=$(mktemp -d)
. "$HERE/../tests/db/pg_cluster.sh"
. "$HERE/pg_bench.sh"
stop_all() {
    pg_stop_listed "$W"
    local g
    for g in "$CG"/mg-shard-$$-*; do [ -d "$g" ] && rmdir "$g" 2>/dev/null; done
    rm -rf "$W"
}
trap stop_all EXIT
for i in 0 1 2 3; do
    PG_OPTS="-c shared_buffers=256MB -c max_wal_size=4GB" PG_FSYNC=on pg_start >/dev/null
    echo "$PG_DIR" > "$W/dir.$i"
done
mapfile -t DIRS < <(cat "$W"/dir.0 "$W"/dir.1 "$W"/dir.2 "$W"/dir.3)
# shards 1-3: a cgroup each, QUOTA% of a core, holding the server
for i in 1 2 3; do
    g=$CG/mg-shard-$$-$i
    mkdir "$g"
    echo 100000 > "$g/cpu.cfs_period_us"
    echo $((QUOTA * 1000)) > "$g/cpu.cfs_quota_us"
    pm=$(head -1 "${DIRS[$i]}/data/postmaster.pid")
    for p in $pm $(pgrep -P "$pm"); do echo "$p" > "$g/cgroup.procs"; done
done
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), PostgreSQL $(psql --version | awk '{print $3}'), each shard ${QUOTA}% of a core, N=$N, writes ${MALGOPHER_SHARD_WRITES:-direct}"
python3 "$HERE/feed_gen.py" "$N" 42 > "$W/feed.jsonl" 2>/dev/null
db() { # SERVER NAME: a fresh database, its URI
    psql -X -q -h "${DIRS[$1]}" -U mg -d mg -c "CREATE DATABASE $2" >/dev/null
    echo "postgresql:///$2?host=${DIRS[$1]}&user=mg"
}
CPU0=()
base=
for s in ${BENCH_SHARDS:-1 2 3}; do
    coord=$(db 0 "c$s")
    args=()
    for i in $(seq 1 "$s"); do args+=(--shard "$(db "$i" "s$s")"); done
    "$M" db init --db "$coord" "${args[@]}" >/dev/null
    for i in 0 1 2 3; do CPU0[i]=$(pg_cpu_ticks "${DIRS[$i]}"); done
    t0=$(date +%s.%N)
    "$M" db import --db "$coord" "$W/feed.jsonl" >/dev/null
    dt=$(echo "$(date +%s.%N) - $t0" | bc)
    rate=$(echo "$N / $dt" | bc -l)
    [ -n "$base" ] || base=$rate
    cpu=""
    for i in 0 1 2 3; do
        cpu+="$([ $i = 0 ] && echo c || echo s$i) $(echo "scale=1; ($(pg_cpu_ticks "${DIRS[$i]}") - ${CPU0[i]}) / $(getconf CLK_TCK)" | bc) s  "
    done
    printf '%d shard(s): import %.1f s = %.0f records/s, %.2fx one shard (server CPU: %s; load %s)\n' \
        "$s" "$dt" "$rate" "$(echo "$rate / $base" | bc -l)" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
    # gone before the next run, so that no autovacuum of theirs spends a
    # shard's budget then
    psql -X -q -h "${DIRS[0]}" -U mg -d mg -c "DROP DATABASE c$s WITH (FORCE)" >/dev/null
    for i in $(seq 1 "$s"); do psql -X -q -h "${DIRS[$i]}" -U mg -d mg -c "DROP DATABASE s$s WITH (FORCE)" >/dev/null; done
done
