#!/usr/bin/env bash
# test_db_generations.sh - a one-server collection whose records lie in
# generations that are not adjacent (ids 1-300 in generation 0, the rest
# from 2 * 16384 + 8 on, in generation 2, and none in generation 1): the
# gimpset search counts each id read from a page in a block of counts of
# its generation, found among the generations present, and turns it back
# into an id (db_postings.c), which a collection of one generation (every
# other test's) never exercises.  Oracle: `match --db` over `db export`
# (the in-memory index, no pages), for top-k and all-hits queries, on
# SQLite and PostgreSQL.  The gap is made with SQL between two imports:
# SQLite gives the next record the largest id + 1, so a placeholder record
# (no gimpset, a gimpfuzzy nothing matches) is put at 2 * 16384 + 7;
# PostgreSQL takes its ids from the sequence, which is moved there.  The
# SQLite collection is then put back to schema 7's pages without rowid
# (lite_pages_v7.py) and upgraded again, a generation at a time.  On
# PostgreSQL the second import, which grows the collection by half, leaves
# the gimpset pages in key order on the heap (oracle: their ctid order);
# when that CLUSTER fails, the import stands and says so.
# usage: test_db_generations.sh MALGOPHER
set -u
M=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
. "$HERE/pg_cluster.sh"

python3 "$HERE/../../bench/feed_gen.py" 600 17 > "$T/feed.jsonl" 2>/dev/null || { echo "FAIL: feed_gen.py"; exit 1; }
head -300 "$T/feed.jsonl" > "$T/a.jsonl"
tail -n +301 "$T/feed.jsonl" > "$T/b.jsonl"
GAP=$((2 * 16384 + 7))

# queries: gimpsets of records on both sides of the gap
mapfile -t qs < <(python3 -c "
import json, random, sys
L = [json.loads(l)['gimpset'] for l in open(sys.argv[1])]
r = random.Random(5)
print('\n'.join([L[3], L[299], L[300], L[599]] + [r.choice(L) for _ in range(6)]))" "$T/feed.jsonl")

check() { # BACKEND URI SQLFN
    local be=$1 uri=$2 q=$3 opts
    expect_eq "$be: ids in generations 0 and 2" \
        "$($q "$uri" "SELECT min(id) / 16384, max(id) / 16384, count(*) FROM samples WHERE id > 300 AND id <> $GAP")" \
        "2|2|300"
    expect_eq "$be: no record in generation 1" "$($q "$uri" "SELECT count(*) FROM samples WHERE id / 16384 = 1")" 0
    "$M" db export --db "$uri" > "$T/$be.full"
    for opts in "-k 5" "-k 1" "-t 60 -k 0" "-k 0"; do
        "$M" match --db "$T/$be.full" $opts "${qs[@]}" > "$T/want.m" 2>/dev/null
        "$M" db match --db "$uri" $opts "${qs[@]}" 2> "$T/err" | sed 's/  \[[^]]*\]$//' > "$T/got.m"
        [ "$(grep -c "/prog" "$T/want.m")" -ge 10 ] && ok || bad "$be $opts: too few hits in the oracle's answer to test"
        grep -q "/prog" <(grep -A3 "^${qs[3]:0:30}" "$T/want.m") && ok || bad "$be $opts: no hit for a query of generation 2"
        if cmp -s "$T/want.m" "$T/got.m"; then ok; else bad "$be: db match $opts differs from match --db"; diff "$T/want.m" "$T/got.m" | head -4; cat "$T/err"; fi
    done
}

lite_sql() { python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, r)))' "$@"; }

S=$T/c.sqlite
"$M" db import --db "$S" "$T/a.jsonl" > /dev/null || bad "sqlite: import a"
python3 - "$S" "$GAP" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in c.execute('PRAGMA table_info(samples)') if r[1] != 'id']
sel = ', '.join({'sha256': "'0' || substr(sha256, 2)", 'gimpset': 'NULL', 'gimpfuzzy': "'3::'",
                 'digest_exact': "'3::'"}.get(k, k) for k in cols)
c.execute('INSERT INTO samples (id, %s) SELECT ?, %s FROM samples WHERE id = 1' % (', '.join(cols), sel),
          (int(sys.argv[2]),))
c.commit()
PY
"$M" db import --db "$S" "$T/b.jsonl" > /dev/null || bad "sqlite: import b"
check sqlite "$S" lite_sql
# the same collection as schema 7 made it (pages without rowid): the
# upgrade copies its pages a generation at a time (generations 0 and 2,
# none in 1), every row kept, and the answers stay the oracle's
pages() { lite_sql "$S" "SELECT * FROM set_pages ORDER BY 1,2,3,4" | md5sum; lite_sql "$S" "SELECT * FROM gram_pages ORDER BY 1,2,3" | md5sum; }
rows_before=$(pages)
python3 "$HERE/lite_pages_v7.py" "$S" --version 7 set_pages gram_pages
expect_eq "sqlite: schema 7 made" "$(lite_sql "$S" "PRAGMA user_version")" 7
check sqlite "$S" lite_sql
expect_eq "sqlite: upgraded from schema 7" "$(lite_sql "$S" "PRAGMA user_version")" 8
expect_eq "sqlite: schema 7's page rows kept" "$(pages)" "$rows_before"
expect_eq "sqlite: pages of generations 0 and 2" "$(lite_sql "$S" "SELECT group_concat(DISTINCT gen) FROM set_pages")" "0,2"
# the key docs/collection.md "Gimpset pages" gives, token first, on both backends
expect_eq "sqlite: set_pages keyed (slot, bucket, gen, first_id)" \
    "$(lite_sql "$S" "SELECT group_concat(name, ', ') FROM (SELECT i.name FROM sqlite_schema s, pragma_index_info(s.name) i WHERE s.type = 'index' AND s.tbl_name = 'set_pages' ORDER BY i.seqno)")" \
    "slot, bucket, gen, first_id"

pg_start; rc=$?
if [ $rc = 0 ]; then
    trap 'pg_stop; rm -rf "$T"' EXIT
    uri=$(pg_createdb gens)
    name=${uri#postgresql:///}; name=${name%%\?*}
    pg_sql() { pg_psql -d "$name" -c "$2"; }
    "$M" db import --db "$uri" "$T/a.jsonl" > /dev/null || bad "postgresql: import a"
    pg_psql -d "$name" -c "SELECT setval(pg_get_serial_sequence('samples', 'id'), $GAP)" > /dev/null
    "$M" db import --db "$uri" "$T/b.jsonl" > /dev/null || bad "postgresql: import b"
    check postgresql "$uri" pg_sql
    expect_eq "postgresql: set_pages keyed (slot, bucket, gen, first_id)" \
        "$(pg_psql -d "$name" -c "SELECT indexdef FROM pg_indexes WHERE tablename = 'set_pages'" | sed 's/.*btree (//; s/)$//')" \
        "slot, bucket, gen, first_id"
    # the import that grew the collection by half left its pages in key
    # order on the heap (CLUSTER, docs/collection.md "Upkeep"): the
    # physical place (ctid) never goes back along the key
    expect_eq "postgresql: set_pages in key order on the heap after a large import" \
        "$(pg_psql -d "$name" -c "SELECT count(*) FROM (SELECT ctid, lag(ctid) OVER (ORDER BY slot, bucket, gen, first_id) AS prev FROM set_pages) x WHERE ctid < prev")" 0
    # the same imports with the CLUSTER made to fail (its index renamed,
    # as a full disk would make it fail): the import still succeeds, says
    # so in one warning line, the heap stays in import order, and the
    # answers are still the oracle's
    uri=$(pg_createdb gens_nocluster)
    name=${uri#postgresql:///}; name=${name%%\?*}
    "$M" db import --db "$uri" "$T/a.jsonl" > /dev/null || bad "postgresql, no CLUSTER: import a"
    pg_psql -d "$name" -c "SELECT setval(pg_get_serial_sequence('samples', 'id'), $GAP)" > /dev/null
    pg_psql -d "$name" -c "ALTER INDEX set_pages_pkey RENAME TO set_pages_key_elsewhere" > /dev/null
    "$M" db import --db "$uri" "$T/b.jsonl" > "$T/out" 2> "$T/err"
    expect_eq "postgresql, CLUSTER failed: the import succeeds" "$?" 0
    expect_eq "postgresql, CLUSTER failed: its output" "$(cat "$T/out")" "added 300, known 0, not Go 0"
    expect_eq "postgresql, CLUSTER failed: one warning line" "$(wc -l < "$T/err")" 1
    grep -q "^malgopher: .*warning: the records are added.*set_pages_pkey" "$T/err" && ok || bad "postgresql, CLUSTER failed: the warning: $(cat "$T/err")"
    [ "$(pg_psql -d "$name" -c "SELECT count(*) FROM (SELECT ctid, lag(ctid) OVER (ORDER BY slot, bucket, gen, first_id) AS prev FROM set_pages) x WHERE ctid < prev")" -gt 0 ] \
        && ok || bad "postgresql, CLUSTER failed: the heap is in key order all the same"
    check postgresql "$uri" pg_sql
elif [ $rc != 77 ]; then
    bad "postgresql: the server did not start"
fi
finish db_generations
