#!/usr/bin/env bash
# db_import_pair.sh - two malgopher binaries' `db import` of one feed into
# PostgreSQL, back to back on one throwaway server (bench_db.sh's settings:
# fsync on, shared_buffers=1GB, max_wal_size=8GB): wall and client CPU
# time, the load before each, the database's size, and the fuzzy-match
# latency (db_latency.py ... fuzzy) of each collection.
# usage: bash bench/db_import_pair.sh MALGOPHER_A MALGOPHER_B LINES.jsonl
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/db/pg_cluster.sh"
PG_OPTS=${PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB"} PG_FSYNC=on pg_start >/dev/null || exit 1
trap 'pg_stop' EXIT
k=0
for bin in "$1" "$2"; do
    k=$((k + 1))
    uri=$(pg_createdb "pair$k")
    echo "$bin: load $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f "$bin: %e s %U u %S s %M KB" "$bin" db import --db "$uri" "$3"
    echo "$(pg_psql -d "pair$k" -c "SELECT pg_database_size('pair$k') / 1000000") MB"
    python3 "$HERE/db_latency.py" "$bin" "$uri" "$3" 50 7 fuzzy
done
