#!/usr/bin/env bash
# bench_db.sh - `malgopher db` on both backends: import throughput
# (records/s through the add path: parse, key, grams, one transaction per
# 4096 records) and `db match` latency p50/p99 at each size, on the
# realistic synthetic feed (bench/feed_gen.py: Zipf-sized families drifting
# release to release as measured, unrelated programs, packed duplicates);
# plus `db add` of the real corpus files.  PostgreSQL runs a throwaway server
# (tests/db/pg_cluster.sh) with fsync on, shared_buffers=1GB and
# max_wal_size=8GB (PG_OPTS overrides).  Each step prints its wall time, the
# client's CPU time (user+sys; PostgreSQL's server CPU is not in it) and the
# load average.  Sizes: BENCH_SIZES (default "10000 100000"); backends:
# BENCH_BACKENDS (default "sqlite postgresql").
# usage: bash bench/bench_db.sh [CORPUS_DIR] [MALGOPHER]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=${2:-$HERE/../build/malgopher}
SIZES=${BENCH_SIZES:-10000 100000}
Q=${BENCH_QUERIES:-200}
W=$(mktemp -d)
. "$HERE/../tests/db/pg_cluster.sh"
trap 'pg_stop; rm -rf "$W"' EXIT
PG_OPTS=${PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB"} PG_FSYNC=on pg_start >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
# the real digests: the corpus added once (this is also the add benchmark)
# (the corpus's own .cache, where its fetch builds things, is left out)
{ find -L "$CORPUS" -path "$CORPUS/.cache" -prune -o -type f -print 2>/dev/null || true; } | sort > "$W/files.txt"
mb=$(xargs -d '\n' du -cb < "$W/files.txt" 2>/dev/null | tail -1 | cut -f1)
for be in sqlite postgresql; do
    uri=$W/real.sqlite
    [ $be = postgresql ] && uri=$(pg_createdb real)
    t0=$(date +%s.%N)
    out=$("$M" db add --db "$uri" --files-from "$W/files.txt" 2>/dev/null)
    t1=$(date +%s.%N)
    echo "$be: db add corpus ($(wc -l < "$W/files.txt") files, $((mb / 1000000)) MB): $out in $(printf '%.2f' "$(echo "$t1 - $t0" | bc)") s"
done
"$M" db export --db "$W/real.sqlite" > "$W/real.jsonl"
for n in $SIZES; do
    python3 "$HERE/feed_gen.py" "$n" 42 > "$W/s$n.jsonl" 2>/dev/null
    for be in ${BENCH_BACKENDS:-sqlite postgresql}; do
        uri=$W/s$n.sqlite
        [ $be = postgresql ] && uri=$(pg_createdb "s$n")
        t0=$(date +%s.%N)
        /usr/bin/time -o "$W/time" -f "%U %S" "$M" db import --db "$uri" "$W/s$n.jsonl" >/dev/null
        t1=$(date +%s.%N)
        dt=$(echo "$t1 - $t0" | bc)
        cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$W/time")
        load=$(cut -d' ' -f1-3 /proc/loadavg)
        size=""
        if [ $be = sqlite ]; then size="$(( $(stat -c %s "$uri") / 1000000 )) MB"; else
            size="$(pg_psql -d "s$n" -c "SELECT pg_database_size('s$n') / 1000000") MB"; fi
        grams=$([ $be = sqlite ] && python3 -c "import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); print(c.execute('SELECT count(*), sum(n) FROM gram_pages').fetchone(), '(gram pages, gram entries),', c.execute('SELECT count(*), sum(n) FROM set_pages').fetchone(), '(token pages, token entries)')" "$uri" || echo "($(pg_psql -d "s$n" -c "SELECT count(*) || ', ' || sum(n) FROM gram_pages")) (gram pages, gram entries), ($(pg_psql -d "s$n" -c "SELECT count(*) || ', ' || sum(n) FROM set_pages")) (token pages, token entries)")
        echo "$be N=$n: import $(printf '%.1f' "$dt") s = $(printf '%.0f' "$(echo "$n / $dt" | bc -l)") records/s (client CPU $cpu s, load $load), $grams rows, $size"
        echo "$be N=$n: $(python3 "$HERE/db_latency.py" "$M" "$uri" "$W/s$n.jsonl" "$Q" 7) (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
        # what a query reads: the postings of its 256 gimpset tokens and the
        # records they name (sharing one slot, sharing the 90 of T=35)
        [ $be = sqlite ] && python3 -c "
import base64, collections, random, sqlite3, struct, sys
c = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); r = random.Random(7)
ids = [r.randint(1, n) for _ in range(50)]
# schema 6: a token's pages (one a generation, bucket and transaction) are
# read in every generation, the entries of its value counted
# (docs/collection.md \"Gimpset pages\")
def bucket(v):
    v ^= v >> 16; v = v * 0x85EBCA6B & 0xFFFFFFFF; v ^= v >> 13; v = v * 0xC2B2AE35 & 0xFFFFFFFF
    return (v ^ v >> 16) & 127
gens = ','.join(str(g) for (g,) in c.execute('SELECT DISTINCT gen FROM set_pages'))
post, one, cand = [], [], []
for i in ids:
    gs = c.execute('SELECT gimpset FROM samples WHERE id = ?', (i,)).fetchone()[0]
    if not gs or not gs.split(':', 2)[2]:
        continue
    count = collections.Counter()
    for k, v in enumerate(struct.unpack('<256I', base64.b64decode(gs.split(':', 2)[2]))):
        for g, d in c.execute('SELECT gen, data FROM set_pages WHERE gen IN (%s) AND slot = ? AND bucket = ?' % gens, (k, bucket(v))):
            count.update(g * 16384 + o for w, o in struct.iter_unpack('<IH', d) if w == v)
    post.append(sum(count.values())); one.append(len(count)); cand.append(sum(1 for x in count.values() if x >= 90))
q = len(post)
print('per query (%d stored gimpsets): %.0f postings read, %.0f records sharing a slot, %.0f candidates (>= 90 slots) = %.2f%% of the records'
      % (q, sum(post) / q, sum(one) / q, sum(cand) / q, 100 * sum(cand) / q / n))
" "$uri" "$n" | sed "s/^/$be N=$n: /"
        true
    done
done
