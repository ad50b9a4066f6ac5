#!/usr/bin/env bash
# test_shard.sh - a collection sharded over PostgreSQL servers (db init
# --shard, db shard-add): one coordinator and three shards, throwaway
# servers on Unix sockets (pg_cluster.sh).  The oracle is a one-server
# collection given the same files and lines: db match (both measures),
# classify, stats, export and families must answer the same.  psql on each
# shard counts what it holds; a shard stopped before and during a run gives
# a one-line error naming it (password masked) and loses nothing.  The
# writers' direct rows (backend_pg_direct.c) are checked against the
# coordinator's satisfies_hash_partition, row by row.
# usage: test_shard.sh MALGOPHER FIXTURE_DIR
set -u
M=$1 FX=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
. "$HERE/pg_cluster.sh"

[ -f "$FX/matrix.tsv" ] || { echo "SKIPPED: no fixture matrix ($FX/matrix.tsv)"; exit 77; }
command -v psql >/dev/null || { echo "SKIPPED: no psql"; exit 77; }
[ -n "$(ls /usr/lib/postgresql/*/lib/postgres_fdw.so 2>/dev/null)" ] ||
    { echo "SKIPPED: no postgres_fdw (/usr/lib/postgresql/*/lib/postgres_fdw.so)"; exit 77; }
DIRS=() TPL=
stop_all() {
    local d
    for d in "$T"/dir.*; do [ -s "$d" ] && PG_DIR=$(cat "$d") pg_stop; done
    [ -n "$TPL" ] && rm -rf "$TPL"
    rm -rf "$T"
}
trap stop_all EXIT
TPL=$(mktemp -d /tmp/mg-pgt.XXXXXX)
pg_template "$TPL"; rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: initdb"; exit 1; }
# the four servers (a coordinator, three shards) start at once; the shard
# added later is a second database on the coordinator's server
for i in 0 1 2 3; do
    (pg_start >"$T/start.$i" 2>&1 && echo "$PG_DIR" > "$T/dir.$i") &
done
wait
for i in 0 1 2 3; do
    [ -s "$T/dir.$i" ] && DIRS+=("$(cat "$T/dir.$i")")
done
[ ${#DIRS[@]} = 4 ] || { echo "FAIL: cannot start PostgreSQL"; cat "$T"/start.*; exit 1; }
uri() { echo "postgresql:///mg?host=${DIRS[$1]}&user=mg"; }
ONE="postgresql:///one?host=${DIRS[0]}&user=mg"
PG_DIR=${DIRS[0]} pg_createdb one >/dev/null && PG_DIR=${DIRS[0]} pg_createdb shard4 >/dev/null
COORD=$(uri 0)
# shard 2 is given a password (trust authentication ignores it): it must
# never be shown
SECRET=pw-$RANDOM-s3cret
S2="$(uri 2)&password=$SECRET"
S2_SHOWN="$(uri 2)&password=***"
onshard() { # I SQL: psql on shard I (4: the database shard4 beside the coordinator)
    if [ "$1" = 4 ]; then psql -X -q -A -t -h "${DIRS[0]}" -U mg -d shard4 -c "$2"
    else psql -X -q -A -t -h "${DIRS[$1]}" -U mg -d mg -c "$2"; fi
}
coord_sql() { psql -X -q -A -t -h "${DIRS[0]}" -U mg -d mg -c "$1"; }
# the rows of TABLE's partitions on server I (0 when it holds none), in one query
share() {
    onshard "$1" "SELECT coalesce(sum((xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || quote_ident(tablename), false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE tablename ~ '^$2_p[0-9]+\$'"
}
# ---- init: option checks, then the collection ----
echo "[${SECONDS}s] init: option checks, then the collection"
"$M" db init --db "$COORD" --shard "$(uri 1)&sslmode=disable" >/dev/null 2>"$T/err"
expect_eq "init: a connection option other than host/port/dbname/user/password is refused (exit)" $? 1
grep -q "connection option 'sslmode' is not passed to a shard" "$T/err" && ok || bad "init: sslmode refusal: $(cat "$T/err")"
expect_eq "init refused: the coordinator is left empty" "$(psql -X -q -A -t -h "${DIRS[0]}" -U mg -d mg -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
"$M" db init --db "$T/x.sqlite" --shard "$(uri 1)" >/dev/null 2>&1; expect_eq "init --shard on SQLite: usage" $? 2
out=$("$M" db init --db "$COORD" --shard "$(uri 1)" --shard "$S2" --shard "$(uri 3)" 2>&1)
expect_eq "init --shard x3" "$out" "sharded collection ready: 16 partitions over 3 shards, schema 8"
"$M" db init --db "$ONE" >/dev/null; expect_eq "init: one server" $? 0
"$M" db init --db "$COORD" --shard "$(uri 1)" >/dev/null 2>&1; expect_eq "init --shard again: refused" $? 1

# ---- the same files and lines into both ----
echo "[${SECONDS}s] the same files and lines into both"
find "$FX" -type f -name mgfixture | sort > "$T/files.txt"
for D in "$ONE" "$COORD"; do
    "$M" db add --db "$D" --files-from "$T/files.txt" > "$T/add.txt" 2>&1 || bad "db add: $(cat "$T/add.txt")"
done
"$M" db export --db "$ONE" > "$T/base.jsonl"
python3 "$HERE/../../bench/db_synth.py" "$T/base.jsonl" 1200 7 > "$T/synth.jsonl"
head -600 "$T/synth.jsonl" > "$T/synth1.jsonl"; tail -n +601 "$T/synth.jsonl" > "$T/synth2.jsonl"
for D in "$ONE" "$COORD"; do
    "$M" db import --db "$D" "$T/synth1.jsonl" > /dev/null 2>"$T/imp.txt" || bad "db import: $(cat "$T/imp.txt")"
done

# ---- a shard stopped before a run: a clear error, nothing written ----
echo "[${SECONDS}s] a shard stopped before a run: a clear error, nothing written"
before=$(for i in 1 3; do share $i samples; share $i grams; done)
PG_DIR=${DIRS[2]} pg_as "$PG_BIN/pg_ctl" -D "${DIRS[2]}/data" -m fast -w stop >/dev/null
"$M" db import --db "$COORD" "$T/synth2.jsonl" >/dev/null 2>"$T/err"; expect_eq "shard down: exit" $? 1
expect_eq "shard down: one line" "$(wc -l < "$T/err")" 1
grep -qF "(shard $S2_SHOWN)" "$T/err" && ok || bad "shard down: the error names the shard: $(cat "$T/err")"
grep -q "$SECRET" "$T/err" && bad "shard down: the password is shown" || ok
after=$(for i in 1 3; do share $i samples; share $i grams; done)
expect_eq "shard down: the other shards got nothing" "$after" "$before"
"$M" db stats --db "$COORD" >/dev/null 2>"$T/err"; expect_eq "shard down: stats fails" $? 1
pg_as "$PG_BIN/pg_ctl" -D "${DIRS[2]}/data" -l "${DIRS[2]}/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='${DIRS[2]}' -c fsync=off" start >/dev/null
expect_eq "shard back: the records are all there" "$("$M" db stats --db "$COORD" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["samples"])')" \
    "$("$M" db stats --db "$ONE" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["samples"])')"

# ---- a shard stopped in the middle of an import: batches are all or nothing ----
echo "[${SECONDS}s] a shard stopped in the middle of an import: batches are all or nothing"
# (a feed long enough to be stopped in: new records, their rows written
# straight to the shards)
python3 "$HERE/../../bench/feed_gen.py" 6000 15 > "$T/synth_m.jsonl" 2>/dev/null
"$M" db import --db "$ONE" "$T/synth_m.jsonl" >/dev/null 2>&1
"$M" db import --db "$COORD" "$T/synth_m.jsonl" >/dev/null 2>"$T/err" & pid=$!
sleep 1
PG_DIR=${DIRS[2]} pg_as "$PG_BIN/pg_ctl" -D "${DIRS[2]}/data" -m immediate -w stop >/dev/null
wait $pid; rc=$?
pg_as "$PG_BIN/pg_ctl" -D "${DIRS[2]}/data" -l "${DIRS[2]}/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='${DIRS[2]}' -c fsync=off" start >/dev/null
if [ $rc = 0 ]; then echo "note: the import finished before the shard stopped"; ok
else
    expect_eq "shard stopped mid-import: one line ($(head -c 600 "$T/err"))" "$(wc -l < "$T/err")" 1
    grep -q "$SECRET" "$T/err" && bad "mid-import: the password is shown" || ok
    grep -qF "$(uri 0)" "$T/err" && ok || bad "mid-import: the error names the collection: $(cat "$T/err")"
    grep -qF "(shard $S2_SHOWN" "$T/err" && ok || bad "mid-import: the error names the shard: $(cat "$T/err")"
fi
# what a failed batch left: rerun, then everything must equal the oracle
# (a record stored without its gram rows would be 'known' and never searched)
"$M" db import --db "$COORD" "$T/synth_m.jsonl" >/dev/null 2>"$T/err" || bad "import after the restart: $(cat "$T/err")"

# ---- each shard holds a real share ----
echo "[${SECONDS}s] each shard holds a real share"
check_shares() { # N SERVERS...: every server holds rows of each table, and they add up
    local t i n sum total
    for t in samples grams set_tokens; do
        sum=0
        for i in "$@"; do
            n=$(share "$i" $t); sum=$((sum + n))
            [ "$n" -gt 0 ] && ok || bad "$t: shard $i holds no rows"
        done
        # (one server keeps the token rows and the gram rows as pages: their
        # entries counted)
        q="SELECT count(*) FROM $t"; [ $t = set_tokens ] && q="SELECT coalesce(sum(n), 0) FROM set_pages"
        [ $t = grams ] && q="SELECT coalesce(sum(n), 0) FROM gram_pages"
        total=$(psql -X -q -A -t -h "${DIRS[0]}" -U mg -d one -c "$q")
        expect_eq "$t: the shards' rows add up to the one-server collection's" "$sum" "$total"
    done
}
check_shares 1 2 3

# ---- the same answers as one server ----
echo "[${SECONDS}s] the same answers as one server"
label_both() {
    local sha
    for sha in $(python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    if i % 7 == 0: print(json.loads(l)["sha256"])' "$T/base.jsonl"); do
        for D in "$ONE" "$COORD"; do "$M" db label --db "$D" "$sha" "fam-${sha:0:1}" >/dev/null; done
    done
}
# the export without the times of the adds (each collection has its own)
untimed() { python3 -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l); o.pop("first_seen", None); o.pop("last_seen", None); print(json.dumps(o, sort_keys=True))'; }
same() { # DESC SUBCOMMAND ARGS...: db SUBCOMMAND --db D ARGS on both, outputs equal and not empty
    local filter=cat
    [ "$2" = export ] && filter=untimed
    "$M" db "$2" --db "$ONE" "${@:3}" 2>&1 | $filter > "$T/want.txt"
    "$M" db "$2" --db "$COORD" "${@:3}" 2>&1 | $filter > "$T/got.txt"
    if [ -s "$T/want.txt" ] && cmp -s "$T/want.txt" "$T/got.txt"; then ok
    else bad "$1: the sharded collection answers differently"; diff "$T/want.txt" "$T/got.txt" | head -5; fi
}
compare_all() { # WHEN
    local q
    mapfile -t q < <(head -6 "$T/files.txt")
    same "$1: stats" stats --json
    same "$1: export" export
    same "$1: match (gimpset)" match -k 0 "${q[@]}"
    same "$1: match (gimpfuzzy)" match --measure fuzzy -t 1 -k 0 "${q[@]}"
    same "$1: match DIGEST" match --measure fuzzy -k 0 "$(sed -n '5p' "$T/synth.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["gimpfuzzy"])')"
    same "$1: classify" classify "${q[@]}"
    same "$1: families" families --json
}
label_both
compare_all "3 shards"

# ---- direct writes: each row on the shard PostgreSQL's hash routes it to ----
# a writer sends the gram and token rows straight to their shards
# (backend_pg_direct.c).  Oracles: the coordinator's satisfies_hash_partition
# over every row of every partition (read back through postgres_fdw: OFFSET
# 0 keeps the check on the coordinator), and
# the statements shard 1 ran (COPY from the writer, no INSERT of those
# rows from the coordinator)
echo "[${SECONDS}s] direct writes: every row in its partition; COPY on the shards; a failing shard"
misrouted() { # the rows of grams and set_tokens outside their partition, and the rows checked
    local q="" t key r
    for t in grams:gram set_tokens:sample_id; do
        key=${t#*:} t=${t%%:*}
        for r in $(seq 0 15); do
            q="$q${q:+ UNION ALL }SELECT count(*) FILTER (WHERE NOT satisfies_hash_partition('$t'::regclass, 16, $r, $key)) AS bad, count(*) AS n FROM (SELECT $key FROM $(printf '%s_p%02d' $t $r) OFFSET 0) p"
        done
    done
    coord_sql "SELECT sum(bad) || ' of ' || (sum(n) > 0) FROM ($q) s"
}
expect_eq "direct writes: no row outside the partition the coordinator's hash gives" "$(misrouted)" "0 of true"
# the first import into the empty collection was large: each shard's
# partitions were analyzed by malgopher (PostgreSQL's last_analyze, not
# its autovacuum's), so that its token lookups use the index
expect_eq "direct writes: a large import analyzed the partitions on shard 1" \
    "$(onshard 1 "SELECT count(*) FILTER (WHERE last_analyze IS NOT NULL) || ' of ' || count(*) FROM pg_stat_user_tables WHERE relname ~ '^(samples|grams|set_tokens)_p[0-9]+\$'")" "18 of 18"
python3 "$HERE/../../bench/feed_gen.py" 100 13 > "$T/synth_d.jsonl" 2>/dev/null # new records
"$M" db import --db "$ONE" "$T/synth_d.jsonl" >/dev/null 2>&1
onshard 1 "ALTER DATABASE mg SET log_statement = 'all'" >/dev/null
n=$(wc -l < "${DIRS[1]}/server.log")
"$M" db import --db "$COORD" "$T/synth_d.jsonl" >/dev/null 2>"$T/err" || bad "direct import: $(cat "$T/err")"
onshard 1 "ALTER DATABASE mg RESET log_statement" >/dev/null
tail -n +$((n + 1)) "${DIRS[1]}/server.log" > "$T/sent.txt"
expect_eq "direct writes: shard 1 ran a COPY into its gram and its token partitions" \
    "$(grep -o 'COPY "public"\."[a-z_]*_p' "$T/sent.txt" | sort -u | sed 's/.*\."//; s/_p$//' | paste -sd' ')" "grams set_tokens"
expect_eq "direct writes: no gram or token row through the coordinator" \
    "$(grep -c 'INSERT INTO public\.\(grams\|set_token\)' "$T/sent.txt")" 0
same "direct writes: export" export
# a shard that refuses the rows (a trigger raising on one of shard 3's gram
# partitions): one line naming it, nothing added anywhere
part=$(onshard 3 "SELECT min(tablename) FROM pg_tables WHERE tablename ~ '^grams_p[0-9]+\$'")
onshard 3 "CREATE FUNCTION mg_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$; CREATE TRIGGER mg_refuse BEFORE INSERT ON $part FOR EACH ROW EXECUTE FUNCTION mg_refuse()" >/dev/null
before="$(coord_sql "SELECT count(*) FROM samples") $(for i in 1 2 3; do share $i grams; share $i set_tokens; done | paste -sd' ')"
python3 "$HERE/../../bench/feed_gen.py" 300 14 > "$T/synth_r.jsonl" 2>/dev/null
"$M" db import --db "$COORD" "$T/synth_r.jsonl" >/dev/null 2>"$T/err"; expect_eq "a shard refusing rows: exit" $? 1
expect_eq "a shard refusing rows: one line" "$(wc -l < "$T/err")" 1
grep -q "refused by the test.*(shard $(uri 3))\$" "$T/err" && ok || bad "a shard refusing rows: message: $(cat "$T/err")"
after="$(coord_sql "SELECT count(*) FROM samples") $(for i in 1 2 3; do share $i grams; share $i set_tokens; done | paste -sd' ')"
expect_eq "a shard refusing rows: no record and no row added on any shard" "$after" "$before"
onshard 3 "DROP TRIGGER mg_refuse ON $part; DROP FUNCTION mg_refuse()" >/dev/null

# ---- a db match: the shards count their own postings ----
# what postgres_fdw sends shard 1 (its statements logged): the token
# lookup goes with its GROUP BY, and no statement reads a partition whole
echo "[${SECONDS}s] a db match: the shards count their own postings"
onshard 1 "ALTER DATABASE mg SET log_statement = 'all'" >/dev/null
n=$(wc -l < "${DIRS[1]}/server.log")
"$M" db match --db "$COORD" -k 0 "$(head -1 "$T/files.txt")" >/dev/null 2>&1
onshard 1 "ALTER DATABASE mg RESET log_statement" >/dev/null
tail -n +$((n + 1)) "${DIRS[1]}/server.log" | grep -o 'SELECT .* FROM public\.set_tokens_p[0-9]*.*' > "$T/sent.txt"
grep -q '^SELECT sample_id, count(\*) FROM public\.set_tokens_p[0-9]* WHERE .* GROUP BY .* HAVING ((count(\*) >= ' "$T/sent.txt" &&
    ok || bad "match: no grouped token lookup reached shard 1: $(head -3 "$T/sent.txt" | cut -c1-200)"
grep -v ' WHERE .*= ANY ' "$T/sent.txt" | grep -q . &&
    bad "match: shard 1 was asked for a whole token partition: $(grep -v ' WHERE .*= ANY ' "$T/sent.txt" | head -1 | cut -c1-200)" || ok

# ---- a crafted collection: a token row missing on a shard ----
# the search reads candidates by the score their counts allow
# (db_set_top.c), so a count must agree with the record's gimpset: one of
# a record's token rows deleted (its rarest, so that no search skips it),
# a search for that record stops with one line naming it
echo "[${SECONDS}s] a crafted collection: a record's token row missing on its shard"
rid=$(coord_sql "SELECT max(id) FROM samples WHERE gimpset IS NOT NULL AND gimpset <> ''")
read -r rslot rval < <(coord_sql "SELECT t.slot, t.value FROM set_tokens t JOIN (SELECT slot, value FROM set_tokens WHERE sample_id = $rid) r USING (slot, value) GROUP BY 1, 2 ORDER BY count(*), 1 LIMIT 1" | tr '|' ' ')
rgs=$(coord_sql "SELECT gimpset FROM samples WHERE id = $rid")
coord_sql "DELETE FROM set_tokens WHERE sample_id = $rid AND slot = $rslot" >/dev/null
"$M" db match --db "$COORD" -k 5 "$rgs" >/dev/null 2>"$T/err"; expect_eq "a missing token row: exit" $? 1
grep -q "disagrees with the gimpset of record $rid: a crafted or damaged collection" "$T/err" && ok ||
    bad "a missing token row: message: $(cat "$T/err")"
coord_sql "INSERT INTO set_tokens (slot, value, sample_id) VALUES ($rslot, $rval, $rid)" >/dev/null
"$M" db match --db "$COORD" -k 5 "$rgs" >/dev/null 2>"$T/err" || bad "the token row back: $(cat "$T/err")"

# ---- add a shard: partitions move onto it, nothing changes ----
echo "[${SECONDS}s] add a shard: partitions move onto it, nothing changes"
out=$("$M" db shard-add --db "$COORD" --shard "postgresql:///shard4?host=${DIRS[0]}&user=mg" 2>&1)
expect_eq "shard-add" "$out" "shard added: 4 of 16 partitions moved onto it"
check_shares 1 2 3 4
compare_all "4 shards"
python3 "$HERE/../../bench/db_synth.py" "$T/base.jsonl" 200 8 > "$T/synth3.jsonl"
for D in "$ONE" "$COORD"; do "$M" db import --db "$D" "$T/synth3.jsonl" >/dev/null 2>&1; done
same "4 shards, more lines: stats" stats --json
same "4 shards, more lines: match" match --measure fuzzy -k 0 "$(sed -n '7p' "$T/synth3.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["gimpfuzzy"])')"
# one batch holding new files twice, under other paths, and stored ones:
# each new file stored once (the first line's path first), the others
# known, as on one server (whose statement returns what it inserted)
python3 "$HERE/../../bench/feed_gen.py" 60 11 2>/dev/null | python3 -c 'import json, sys
old = [json.loads(l) for l in open(sys.argv[1])][:20]
for l in sys.stdin:
    o = json.loads(l); print(json.dumps(o))
    o["path"] += ".again"; print(json.dumps(o))
for o in old: print(json.dumps(o))' "$T/synth3.jsonl" > "$T/twice.jsonl"
"$M" db import --db "$ONE" "$T/twice.jsonl" > "$T/out.one" 2>&1 || bad "import twice.jsonl, one server: $(cat "$T/out.one")"
"$M" db import --db "$COORD" "$T/twice.jsonl" > "$T/out.coord" 2>&1 || bad "import twice.jsonl: $(cat "$T/out.coord")"
expect_eq "files twice in a batch: the import's count" "$(cat "$T/out.coord")" "added 60, known 80, not Go 0"
expect_eq "files twice in a batch: the one server's count" "$(cat "$T/out.one")" "added 60, known 80, not Go 0"
same "files twice in a batch: stats" stats --json
same "files twice in a batch: export" export

# ---- sharded collections of schemas 4 to 7: the same layout (token and
# gram rows), opened as 8 ----
for v in 4 5 6 7; do
    coord_sql "UPDATE malgopher_schema SET version = $v" >/dev/null
    same "schema-$v sharded collection: stats after the version bump" stats --json
    same "schema-$v sharded collection: match (gimpset)" match -k 0 "$(head -1 "$T/files.txt")"
    same "schema-$v sharded collection: match (gimpfuzzy)" match --measure fuzzy -k 0 "$(head -1 "$T/files.txt")"
    expect_eq "schema-$v sharded collection: now 8" "$(coord_sql "SELECT max(version) FROM malgopher_schema")" 8
done
# ---- a sharded collection of layout 1: refused, upgraded in place ----
# layout 1 as the first schema-4 release made it: the shards' token rows
# keyed (slot, value, sample_id), no layout table on the coordinator
echo "[${SECONDS}s] a sharded collection of layout 1: refused, then upgraded by tools/shard_layout2.sql"
for i in 1 2 3 4; do
    onshard $i "DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '^set_tokens_p[0-9]+\$' LOOP EXECUTE format('DROP INDEX %I', t || '_token'); EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (slot, value, sample_id)', t); END LOOP; END \$\$" >/dev/null
done
coord_sql "DROP TABLE malgopher_shard_layout" >/dev/null
"$M" db match --db "$COORD" -k 0 "$(head -1 "$T/files.txt")" >/dev/null 2>"$T/err"; expect_eq "layout 1: exit" $? 1
grep -q 'sharded collection of layout 1: this malgopher needs layout 2 .*docs/collection.md "Upgrading"' "$T/err" &&
    ok || bad "layout 1: message: $(cat "$T/err")"
for i in 1 2 3 4; do onshard $i "$(cat "$HERE/../../tools/shard_layout2.sql")" >/dev/null || bad "shard_layout2.sql on shard $i"; done
coord_sql "CREATE TABLE malgopher_shard_layout (version INTEGER NOT NULL); INSERT INTO malgopher_shard_layout (version) VALUES (2)" >/dev/null
# (the old shards keep the emptied tables of the partitions shard-add moved)
expect_eq "layout 2 again: every token partition keyed by token, none by (slot, value, sample_id)" \
    "$(for i in 1 2 3 4; do onshard $i "SELECT count(*) FROM pg_tables t WHERE tablename ~ '^set_tokens_p[0-9]+\$' AND (NOT EXISTS (SELECT 1 FROM pg_indexes i WHERE i.indexname = t.tablename || '_token') OR EXISTS (SELECT 1 FROM pg_indexes i WHERE i.indexname = t.tablename || '_pkey'))"; done | paste -sd+ | bc)" 0
mapfile -t q < <(head -6 "$T/files.txt")
same "upgraded to layout 2: match (gimpset)" match -k 0 "${q[@]}"

# ---- layout 2 (no token lists): written row by row, upgraded to 3 in place ----
# layout 2 as the last release made it: no set_token_lists anywhere.  Which
# table an import's token rows reach is what shard 1 logs postgres_fdw
# sending it (oracle: the statements the shard ran)
echo "[${SECONDS}s] a sharded collection of layout 2: written row by row, then upgraded by tools/shard_layout3.sql"
# (the writes of layouts 2 and 3 through the coordinator, as a writer that
# cannot reach the shards makes them)
export MALGOPHER_SHARD_WRITES=coordinator
coord_sql "DROP TABLE set_token_lists" >/dev/null
for i in 1 2 3 4; do
    onshard $i "DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '^set_token_lists_p[0-9]+\$' LOOP EXECUTE format('DROP TABLE %I', t); EXECUTE format('DROP FUNCTION %I()', t || '_put'); END LOOP; END \$\$" >/dev/null
done
coord_sql "UPDATE malgopher_shard_layout SET version = 2" >/dev/null
inserted_into() { # FILE: import it into both; the tables shard 1 was sent token rows or lists for
    local n
    "$M" db import --db "$ONE" "$1" >/dev/null 2>&1
    onshard 1 "ALTER DATABASE mg SET log_statement = 'all'" >/dev/null
    n=$(wc -l < "${DIRS[1]}/server.log")
    "$M" db import --db "$COORD" "$1" >/dev/null 2>"$T/err" || bad "import $1: $(cat "$T/err")"
    onshard 1 "ALTER DATABASE mg RESET log_statement" >/dev/null
    tail -n +$((n + 1)) "${DIRS[1]}/server.log" | grep -o 'INSERT INTO public\.set_token[a-z_]*_p' | sort -u | sed 's/.*\.//; s/_p$//' | paste -sd' '
}
python3 "$HERE/../../bench/feed_gen.py" 300 9 > "$T/synth4.jsonl" 2>/dev/null # records with gimpsets
head -150 "$T/synth4.jsonl" > "$T/synth4a.jsonl"; tail -n +151 "$T/synth4.jsonl" > "$T/synth4b.jsonl"
expect_eq "layout 2: an import sends token rows" "$(inserted_into "$T/synth4a.jsonl")" "set_tokens"
compare_all "layout 2, written"
upgrade3() { # HOST DB: tools/shard_layout3.sql there
    psql -X -q -v ON_ERROR_STOP=1 -h "$1" -U mg -d "$2" -f "$HERE/../../tools/shard_layout3.sql" >/dev/null 2>"$T/err" ||
        bad "shard_layout3.sql on $2 at $1: $(cat "$T/err")"
}
for i in 1 2 3; do upgrade3 "${DIRS[$i]}" mg; done
upgrade3 "${DIRS[0]}" shard4
upgrade3 "${DIRS[0]}" mg # the coordinator, last
expect_eq "layout 3: the coordinator's version" "$(coord_sql "SELECT max(version) FROM malgopher_shard_layout")" 3
expect_eq "layout 3: set_token_lists has the 16 partitions of set_tokens, on the same servers" \
    "$(coord_sql "SELECT count(*) FROM pg_foreign_table a JOIN pg_class ca ON ca.oid = a.ftrelid, pg_foreign_table b JOIN pg_class cb ON cb.oid = b.ftrelid WHERE ca.relispartition AND cb.relispartition AND ca.relname = 'set_token_lists' || substr(cb.relname, 11) AND cb.relname ~ '^set_tokens_p' AND a.ftserver = b.ftserver AND pg_get_expr(ca.relpartbound, ca.oid) = pg_get_expr(cb.relpartbound, cb.oid)")" 16
expect_eq "layout 3: an import sends token lists" "$(inserted_into "$T/synth4b.jsonl")" "set_token_lists"
compare_all "layout 3, upgraded and written"
expect_eq "layout 3: the shards keep no list" "$(for i in 1 2 3 4; do share $i set_token_lists; done | paste -sd+ | bc)" 0
# a shard left out of the upgrade (one partition's trigger dropped): the
# import fails naming it, and its batch is rolled back, so no record is
# stored without its token rows
part=$(onshard 3 "SELECT min(tablename) FROM pg_tables WHERE tablename ~ '^set_token_lists_p[0-9]+\$'")
onshard 3 "DROP TRIGGER ${part}_put ON $part" >/dev/null
before=$(coord_sql "SELECT count(*) FROM samples")
python3 "$HERE/../../bench/feed_gen.py" 400 10 > "$T/synth5.jsonl" 2>/dev/null
"$M" db import --db "$COORD" "$T/synth5.jsonl" >/dev/null 2>"$T/err"; expect_eq "a shard without the trigger: exit" $? 1
expect_eq "a shard without the trigger: one line" "$(wc -l < "$T/err")" 1
grep -q "server \"mg_shard_3\" keeps the token lists sent to $part instead of making them token rows.*tools/shard_layout3.sql.*(shard $(uri 3))\$" "$T/err" &&
    ok || bad "a shard without the trigger: message: $(cat "$T/err")"
expect_eq "a shard without the trigger: no record added" "$(coord_sql "SELECT count(*) FROM samples")" "$before"
expect_eq "a shard without the trigger: no list kept" "$(share 3 set_token_lists)" 0
unset MALGOPHER_SHARD_WRITES

# ---- a sharded collection of an older schema: refused, with how to upgrade ----
echo "[${SECONDS}s] a sharded collection of schema 3: refused, left as it was"
coord_sql "UPDATE malgopher_schema SET version = 3" >/dev/null
"$M" db stats --db "$COORD" >/dev/null 2>"$T/err"; expect_eq "schema-3 sharded collection: exit" $? 1
grep -q "sharded collection of schema 3: this malgopher needs schema 8, which it cannot make on the shards; upgrade by \`db export\`" "$T/err" &&
    ok || bad "schema-3 sharded collection: message: $(cat "$T/err")"
expect_eq "schema-3 sharded collection: left at 3" "$(coord_sql "SELECT max(version) FROM malgopher_schema")" 3
expect_eq "schema-3 sharded collection: token table still partitioned" \
    "$(coord_sql "SELECT count(*) FROM pg_inherits WHERE inhparent = 'set_tokens'::regclass")" 16
finish test_shard
