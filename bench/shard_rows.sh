#!/usr/bin/env bash
# bench/shard_rows.sh - what a sharded import costs the coordinator a
# record, by how a record's index rows travel (issue 25: the coordinator
# capped a sharded import near 1,150 records/s, BENCHMARKS.md "1 versus 3
# shards at 100k").  Two throwaway servers on this machine (a coordinator
# and one shard, tests/db/pg_cluster.sh, fsync on); on the coordinator,
# tables hash-partitioned over 16 postgres_fdw foreign partitions, as
# `db init --shard` makes them (batch_size 1000).  N records' index rows
# (generated on the coordinator, so no client is in the figures) go in by
# INSERT ... SELECT, BATCH records a transaction, in three layouts:
#   rows:   the gimpset tokens as layout 2 sends them, 256 rows a record
#           (slot, value, sample_id) in token order, partitioned by
#           sample_id, the shard's B-tree on (slot << 32 | value, sample_id);
#   lists:  one row a record (sample_id, slots int[], vals bigint[]),
#           partitioned by sample_id, which a trigger on the shard turns
#           into the 256 rows of `rows` there (and does not keep);
#   arrays: one row a record (sample_id, tokens bigint[256]), partitioned
#           by sample_id, the shard's GIN index on tokens;
#   grams:  the gimpfuzzy keys as today, 61 rows a record (gen, gram,
#           sample_id), partitioned by gram, the shard's primary key.
# Printed for each: the wall time, and the CPU seconds the coordinator and
# the shard spent (the postmaster's and its backends', from /proc).
# (A rule in place of the trigger crashes the coordinator: postgres_fdw 15
# takes the remote INSERT's row count, the rule's rows, for the batch's.)
# usage: bash bench/shard_rows.sh   (BENCH_N=20000 BENCH_BATCH=500
# BENCH_LAYOUTS="rows lists arrays grams")
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_N:-20000}
BATCH=${BENCH_BATCH:-500}
PARTS=16
W=$(mktemp -d)
. "$HERE/../tests/db/pg_cluster.sh"
. "$HERE/pg_bench.sh"
stop_all() { pg_stop_listed "$W"; rm -rf "$W"; }
trap stop_all EXIT
for i in 0 1; do
    PG_OPTS="-c shared_buffers=256MB -c max_wal_size=4GB" PG_FSYNC=on pg_start >/dev/null
    echo "$PG_DIR" > "$W/dir.$i"
done
C=$(cat "$W/dir.0") S=$(cat "$W/dir.1")
sq() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$1" -U mg -d mg -c "$2"; }

sq "$C" "CREATE EXTENSION postgres_fdw"
sq "$C" "CREATE SERVER shard FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$S', dbname 'mg', async_capable 'true', batch_size '1000', fetch_size '10000')"
sq "$C" "CREATE USER MAPPING FOR mg SERVER shard OPTIONS (user 'mg')"
sq "$C" "CREATE TABLE rows (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL) PARTITION BY HASH (sample_id)"
sq "$C" "CREATE TABLE lists (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL, vals BIGINT[] NOT NULL) PARTITION BY HASH (sample_id)"
sq "$C" "CREATE TABLE arrays (sample_id BIGINT NOT NULL, tokens BIGINT[] NOT NULL) PARTITION BY HASH (sample_id)"
sq "$C" "CREATE TABLE grams (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL) PARTITION BY HASH (gram)"
for ((p = 0; p < PARTS; p++)); do
    sq "$S" "CREATE TABLE rows_$p (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL);
             CREATE UNIQUE INDEX ON rows_$p ((slot::bigint << 32 | value), sample_id);
             CREATE TABLE arrays_$p (sample_id BIGINT PRIMARY KEY, tokens BIGINT[] NOT NULL);
             ALTER TABLE arrays_$p ALTER tokens SET STORAGE MAIN;
             CREATE INDEX ON arrays_$p USING gin (tokens);
             CREATE TABLE grams_$p (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL,
                                    PRIMARY KEY (gen, gram, sample_id));
             CREATE TABLE lrows_$p (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL);
             CREATE UNIQUE INDEX ON lrows_$p ((slot::bigint << 32 | value), sample_id);
             CREATE TABLE lists_$p (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL, vals BIGINT[] NOT NULL);
             CREATE FUNCTION lists_${p}_put() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS \$\$
             BEGIN
                 INSERT INTO lrows_$p (slot, value, sample_id) SELECT s, v, NEW.sample_id FROM unnest(NEW.slots, NEW.vals) u(s, v);
                 RETURN NULL;
             END \$\$;
             CREATE TRIGGER lists_${p}_put BEFORE INSERT ON lists_$p FOR EACH ROW EXECUTE FUNCTION lists_${p}_put()"
    for t in rows lists arrays grams; do
        sq "$C" "CREATE FOREIGN TABLE ${t}_$p PARTITION OF $t FOR VALUES WITH (MODULUS $PARTS, REMAINDER $p)
                 SERVER shard OPTIONS (table_name '${t}_$p')"
    done
done

# the statement that writes records [$1, $2) in each layout: token values
# drawn from 4,096 per slot (a feed's libraries share them), grams from 2^40
stmt() {
    case $1 in
    rows) echo "INSERT INTO rows SELECT s, (hashint8(r * 256 + s) & 4095)::bigint AS v, r
                FROM generate_series($2, $3 - 1) r, generate_series(0, 255) s ORDER BY s, v, r" ;;
    lists) echo "INSERT INTO lists SELECT r, (SELECT array_agg(s) FROM generate_series(0, 255) s),
                (SELECT array_agg(hashint8(r * 256 + s) & 4095) FROM generate_series(0, 255) s) FROM generate_series($2, $3 - 1) r" ;;
    arrays) echo "INSERT INTO arrays SELECT r, (SELECT array_agg(s::bigint << 32 | (hashint8(r * 256 + s) & 4095))
                FROM generate_series(0, 255) s) FROM generate_series($2, $3 - 1) r" ;;
    grams) echo "INSERT INTO grams SELECT r / 16384, hashint8extended(r * 64 + s, 7) >> 24, r
                FROM generate_series($2, $3 - 1) r, generate_series(0, 60) s" ;;
    esac
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, PostgreSQL $(psql --version | awk '{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# N=$N records, $BATCH a transaction, $PARTS foreign partitions on one shard"
for layout in ${BENCH_LAYOUTS:-rows lists arrays grams}; do
    c0=$(pg_cpu_ticks "$C") s0=$(pg_cpu_ticks "$S") t0=$(date +%s.%N)
    for ((a = 0; a < N; a += BATCH)); do
        b=$((a + BATCH > N ? N : a + BATCH))
        sq "$C" "$(stmt $layout $a $b)"
    done
    t1=$(date +%s.%N) c1=$(pg_cpu_ticks "$C") s1=$(pg_cpu_ticks "$S")
    rows=$(sq "$S" "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE relname LIKE '$([ $layout = lists ] && echo lrows || echo $layout)_%'")
    awk -v l=$layout -v n=$N -v w="$(echo "$t1 - $t0" | bc)" -v hz="$(getconf CLK_TCK)" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v r="$rows" 'BEGIN {
        printf "%-6s %7.1f s  %7.0f records/s  coordinator CPU %6.2f s (%5.0f us a record)  shard CPU %6.2f s  shard rows %s\n",
               l, w, n / w, c / hz, c / hz / n * 1e6, s / hz, r }'
done
