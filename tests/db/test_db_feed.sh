#!/usr/bin/env bash
# test_db_feed.sh - the bulk write path of `db import` (gram rows and
# gimpset pages staged, written sorted at commit: SQLite by a prepared
# row statement, PostgreSQL by COPY FROM STDIN) on the benchmarks' feed
# (bench/feed_gen.py, 800 records: families, drift, packed duplicates).
# Oracles: a second implementation in Python of the rows a record must
# give (the 256 (slot, value) tokens decoded from its gimpset with base64
# and struct, against those of the pages as an independent reader written
# from docs/collection.md "Gimpset pages" decodes them, set_pages_rows.py;
# the 7-gram keys of docs/collection.md "Search in the
# database", splitmix64 over each 7-character substring at its block
# size), compared with every row stored; the two backends' collections
# (`db export`, timestamps left out, and the rows) against each other;
# and `db match` against `match --db` over the export.  The gram pages of
# schema 7 are read by a second decoder written from docs/collection.md
# "Gram pages" (gram_pages_rows.py); pages crafted to break each rule of the
# format are refused with one line and no hits; and a schema-6 collection
# whose gram rows are the oracle's is migrated to pages that decode to them;
# a SQLite one of schema 7 (pages stored without rowid) to rowid tables of
# the same rows.
# usage: test_db_feed.sh MALGOPHER
set -u
M=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
. "$HERE/pg_cluster.sh"

python3 "$HERE/../../bench/feed_gen.py" 800 11 > "$T/feed.jsonl" 2>/dev/null || { echo "FAIL: feed_gen.py"; exit 1; }
python3 "$HERE/../../bench/feed_gen.py" 800 11 2>/dev/null | cmp -s - "$T/feed.jsonl" && ok || bad "feed_gen.py is not deterministic"

# the expected rows of a collection, computed from its samples' digests
expect_rows() { # DUMP_SAMPLES (id|gimpfuzzy|gimpset|no_names lines) -> "g gen gram id" and "t id slot value" lines
    python3 - "$1" <<'PY'
import base64, struct, sys
M64 = (1 << 64) - 1
def mix(x):
    x ^= x >> 30; x = (x * 0xbf58476d1ce4e5b9) & M64
    x ^= x >> 27; x = (x * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)
def signed(x):
    return x - (1 << 64) if x >> 63 else x
out = []
for l in open(sys.argv[1]):
    i, fz, gs, nn = l.rstrip('\n').split('|')
    i = int(i)
    if gs:
        for k, v in enumerate(struct.unpack('<256I', base64.b64decode(gs.split(':', 2)[2]))):
            out.append('t %d %d %d' % (i, k, v))
    if nn != '0':
        continue
    bs, s1, s2 = fz.split(':')
    keys = set()
    for b, s in ((int(bs), s1), (2 * int(bs), s2)):
        for j in range(len(s) - 6):
            g = int.from_bytes(s[j:j + 7].encode(), 'big')
            keys.add(signed(mix(g ^ mix((b + 0x9e3779b97f4a7c15) & M64))))
    out += ['g %d %d %d' % (i // 16384, k, i) for k in keys]
print('\n'.join(sorted(out)))
PY
}

# the gram entries of a collection as "g gen gram id" lines, by the second decoder
gram_rows() { # BACKEND URI SQLFN
    if [ "$1" = sqlite ]; then python3 "$HERE/gram_pages_rows.py" sqlite "$2"
    else $3 "$2" "SELECT gen, bucket, first_id, n, encode(data, 'hex') FROM gram_pages" | python3 "$HERE/gram_pages_rows.py" hex; fi |
        sed 's/^/g /'
}

check_backend() { # NAME URI SQLFN TOKENS (a command printing the token rows of the pages of URI)
    local be=$1 uri=$2 q=$3 tokens=$4
    expect_eq "$be: import" "$("$M" db import --db "$uri" "$T/feed.jsonl")" "added 800, known 0, not Go 0"
    # the same lines again: every record known, nothing written twice
    expect_eq "$be: import again" "$("$M" db import --db "$uri" "$T/feed.jsonl")" "added 0, known 800, not Go 0"
    $q "$uri" "SELECT id, gimpfuzzy, coalesce(gimpset, ''), no_names FROM samples ORDER BY id" > "$T/$be.samples"
    expect_rows "$T/$be.samples" > "$T/$be.want"
    { gram_rows "$be" "$uri" "$q"; $tokens "$uri" | sed 's/^/t|/'; } |
        tr '|' ' ' | sort > "$T/$be.got"
    [ "$(wc -l < "$T/$be.want")" -gt 200000 ] && ok || bad "$be: fewer rows expected than 800 records give"
    if cmp -s "$T/$be.want" "$T/$be.got"; then ok; else bad "$be: the stored gram/token rows are not the records'"; diff "$T/$be.want" "$T/$be.got" | head -3; fi
    "$M" db export --db "$uri" | python3 -c "
import json, sys
for l in sys.stdin:
    o = json.loads(l); o.pop('first_seen'); o.pop('last_seen'); print(json.dumps(o, sort_keys=True))" > "$T/$be.export"
    expect_eq "$be: export" "$(wc -l < "$T/$be.export")" 800
    # db match: the in-memory index over the export as the oracle
    "$M" db export --db "$uri" > "$T/$be.full"
    mapfile -t qs < <(python3 -c "
import json, random, sys
L = [json.loads(l)['gimpset'] for l in open(sys.argv[1])]
r = random.Random(3)
print('\n'.join(r.choice(L) for _ in range(6)))" "$T/feed.jsonl")
    for opts in "-k 0" "-t 80 -k 3"; do
        "$M" match --db "$T/$be.full" $opts "${qs[@]}" > "$T/want.m" 2>/dev/null
        "$M" db match --db "$uri" $opts "${qs[@]}" 2>/dev/null | sed 's/  \[[^]]*\]$//' > "$T/got.m"
        if [ -s "$T/want.m" ] && cmp -s "$T/want.m" "$T/got.m"; then ok; else bad "$be: db match $opts differs from match --db"; diff "$T/want.m" "$T/got.m" | head -4; fi
    done
    # gimpfuzzy queries: the candidates come from the gram pages
    mapfile -t qf < <(python3 -c "
import json, random, sys
L = [json.loads(l)['gimpfuzzy'] for l in open(sys.argv[1])]
r = random.Random(4)
print('\\n'.join(r.choice(L) for _ in range(8)))" "$T/feed.jsonl")
    fuzzy_same "$be: db match --measure fuzzy" "$uri"
    check_crafted "$be" "$uri" "$q"
    [ "$be" = sqlite ] && check_schema7 "$uri"
    check_schema6 "$be" "$uri" "$q"
}

# db match --measure fuzzy of the queries qf on URI against match --db over
# the export $T/$be.full, at two thresholds
fuzzy_same() { # WHAT URI
    local opts
    for opts in "-t 1 -k 0" "-k 0"; do
        "$M" match --db "$T/$be.full" --measure fuzzy $opts "${qf[@]}" > "$T/want.m" 2>/dev/null
        "$M" db match --db "$2" --measure fuzzy $opts "${qf[@]}" 2>/dev/null | sed 's/  \[[^]]*\]$//' > "$T/got.m"
        if [ "$(grep -vc '^#' "$T/want.m")" -gt 8 ] && cmp -s "$T/want.m" "$T/got.m"; then ok; else bad "$1 $opts differs from match --db"; diff "$T/want.m" "$T/got.m" | head -4; fi
    done
}

# Pages that break one rule each of docs/collection.md "Gram pages" (every
# page of the collection broken the same way): db match --measure fuzzy of
# one digest refuses them with one line naming the rule, and prints no hit.
check_crafted() { # BACKEND URI SQLFN
    local be=$1 uri=$2 q=$3 rule why target
    [ "$be" = postgresql ] && $q "$uri" "CREATE TABLE gp_keep AS SELECT * FROM gram_pages" >/dev/null
    for rule in length:"its length is not 10 bytes times n" order:"entries not sorted by (gram, id)" \
        offset:"an id offset over 16383" bucket:"a gram outside its bucket"; do
        why=${rule#*:} rule=${rule%%:*} target=$uri
        if [ "$be" = sqlite ]; then
            target=$T/crafted.sqlite; rm -f "$target"*; cp "$uri" "$target"
            python3 - "$target" "$rule" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def craft(d):
    if sys.argv[2] == 'length': return d[:-1]
    if sys.argv[2] == 'order': return d[10:20] + d[:10] + d[20:]
    if sys.argv[2] == 'offset': return d[:8] + b'\xff\xff' + d[10:]
    return d[:7] + bytes([d[7] ^ 0x80]) + d[8:]
rows = c.execute('SELECT gen, bucket, first_id, data FROM gram_pages WHERE n >= 2').fetchall()
c.executemany('UPDATE gram_pages SET data = ? WHERE gen = ? AND bucket = ? AND first_id = ?',
              [(craft(d), g, b, f) for g, b, f, d in rows])
c.commit()
PY
        else
            case $rule in
                length) set="substring(data from 1 for length(data) - 1)" ;;
                order) set="substring(data from 11 for 10) || substring(data from 1 for 10) || substring(data from 21)" ;;
                offset) set="set_byte(set_byte(data, 8, 255), 9, 255)" ;;
                bucket) set="set_byte(data, 7, get_byte(data, 7) # 128)" ;;
            esac
            $q "$uri" "UPDATE gram_pages SET data = $set WHERE n >= 2" >/dev/null
        fi
        "$M" db match --db "$target" --measure fuzzy -k 0 "${qf[0]}" > "$T/crafted.out" 2> "$T/crafted.err"
        rc=$?
        if [ $rc = 1 ] && [ "$(wc -l < "$T/crafted.err")" = 1 ] && ! grep -qv '^#' "$T/crafted.out" &&
            grep -q "a malformed gram page (gram_pages.data) at gen [0-9]* bucket [0-9]*: $why: a crafted or damaged collection\$" "$T/crafted.err"; then ok
        else bad "$be: crafted pages ($rule): exit $rc, $(head -c 300 "$T/crafted.err"), $(grep -vc '^#' "$T/crafted.out") hit lines"; fi
        [ "$be" = postgresql ] && $q "$uri" "DELETE FROM gram_pages; INSERT INTO gram_pages SELECT * FROM gp_keep" >/dev/null
    done
    [ "$be" = postgresql ] && $q "$uri" "DROP TABLE gp_keep" >/dev/null
    fuzzy_same "$be: the pages restored" "$uri"
}

# A SQLite collection of schema 7: its page tables stored without rowid
# (lite_pages_v7.py); opened by this
# malgopher, they become rowid tables (SQLite's own account of each table:
# a rowid can be selected, its DDL has no WITHOUT ROWID) holding the same
# rows, and db match answers as before.
check_schema7() { # URI
    local uri=$1 gimpset_before fuzzy_before
    gimpset_before=$("$M" db match --db "$uri" -k 0 "${qs[@]}" 2>&1)
    fuzzy_before=$("$M" db match --db "$uri" --measure fuzzy -t 1 -k 0 "${qf[@]}" 2>&1)
    python3 "$HERE/lite_pages_v7.py" "$uri" --version 7 set_pages gram_pages
    local rows_before; rows_before=$(lite_q "$uri" "SELECT * FROM set_pages ORDER BY 1,2,3,4" | md5sum; lite_q "$uri" "SELECT * FROM gram_pages ORDER BY 1,2,3" | md5sum)
    lite_q "$uri" "SELECT rowid FROM set_pages LIMIT 1" > /dev/null 2>&1 && bad "schema 7: the test made a rowid table" || ok
    expect_eq "sqlite: schema 7: migrated" "$("$M" db stats --db "$uri" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['schema'])")" 8
    expect_eq "sqlite: schema 7: the same page rows" "$(lite_q "$uri" "SELECT * FROM set_pages ORDER BY 1,2,3,4" | md5sum; lite_q "$uri" "SELECT * FROM gram_pages ORDER BY 1,2,3" | md5sum)" "$rows_before"
    expect_eq "sqlite: schema 7: rowid tables" "$(lite_q "$uri" "SELECT count(*) FROM set_pages WHERE rowid > 0") $(lite_q "$uri" "SELECT count(*) FROM gram_pages WHERE rowid > 0")" \
        "$(lite_q "$uri" "SELECT count(*) FROM set_pages") $(lite_q "$uri" "SELECT count(*) FROM gram_pages")"
    expect_eq "sqlite: schema 7: no table without rowid left among the pages" "$(lite_q "$uri" "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%pages%' AND sql LIKE '%WITHOUT ROWID%'")" 0
    expect_eq "sqlite: schema 7: db match (gimpset) as before" "$("$M" db match --db "$uri" -k 0 "${qs[@]}" 2>&1)" "$gimpset_before"
    expect_eq "sqlite: schema 7: db match (gimpfuzzy) as before" "$("$M" db match --db "$uri" --measure fuzzy -t 1 -k 0 "${qf[@]}" 2>&1)" "$fuzzy_before"
}

# A collection of schema 6 (gimpset pages, gram rows in grams), its rows the
# oracle's: opened by this malgopher, it is migrated to pages that decode to
# the same rows, and db match answers as before.
check_schema6() { # BACKEND URI SQLFN
    local be=$1 uri=$2 q=$3
    "$M" db match --db "$uri" --measure fuzzy -t 1 -k 0 "${qf[@]}" > "$T/v7.m" 2>/dev/null
    grep '^g ' "$T/$be.want" | awk '{print $2 "\t" $3 "\t" $4}' > "$T/grams.tsv"
    local norowid=""; [ "$be" = sqlite ] && norowid=" WITHOUT ROWID"
    $q "$uri" "CREATE TABLE grams (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL, PRIMARY KEY (gen, gram, sample_id))$norowid" >/dev/null
    if [ "$be" = sqlite ]; then
        python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executemany("INSERT INTO grams VALUES (?, ?, ?)", (tuple(map(int, l.split())) for l in open(sys.argv[2])))
c.execute("DROP TABLE gram_pages"); c.execute("PRAGMA user_version = 6"); c.commit()' "$uri" "$T/grams.tsv"
        python3 "$HERE/lite_pages_v7.py" "$uri" set_pages
    else
        $q "$uri" "\\copy grams (gen, gram, sample_id) FROM '$T/grams.tsv'" >/dev/null
        $q "$uri" "DROP TABLE gram_pages" >/dev/null; $q "$uri" "UPDATE malgopher_schema SET version = 6" >/dev/null
    fi
    expect_eq "$be: schema 6: the gram rows stand" "$($q "$uri" "SELECT count(*) FROM grams")" "$(wc -l < "$T/grams.tsv")"
    expect_eq "$be: schema 6: migrated" "$("$M" db stats --db "$uri" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['schema'])")" 8
    gram_rows "$be" "$uri" "$q" | sort > "$T/migrated.got"
    if grep '^g ' "$T/$be.want" | cmp -s - "$T/migrated.got"; then ok; else bad "$be: schema 6: the migrated pages are not the gram rows"; fi
    expect_eq "$be: schema 6: one page per (generation, bucket)" "$($q "$uri" "SELECT count(*) FROM gram_pages")" \
        "$(awk '{print $2, $3}' "$T/migrated.got" | python3 -c "import sys; print(len({(l.split()[0], (int(l.split()[1]) % 2**64) >> 50) for l in sys.stdin}))")"
    "$M" db match --db "$uri" --measure fuzzy -t 1 -k 0 "${qf[@]}" 2>/dev/null | cmp -s - "$T/v7.m" && ok || bad "$be: schema 6: db match after the migration differs"
    fuzzy_same "$be: schema 6: migrated" "$uri"
}

lite_q() { python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print(*r, sep="|")' "$1" "$2"; }
lite_tokens() { python3 "$HERE/set_pages_rows.py" sqlite "$1"; }
check_backend sqlite "$T/feed.sqlite" lite_q lite_tokens

# one generation of 5,000 records that share one gimpset: each slot is one
# page of 5,000 entries, so the entries, not the number of pages, fill the
# writer's output buffer (schema 5's 1.4 MB buffer of posting text
# overflowed after 14 slots before the writer counted the text)
python3 - "$T/feed.jsonl" > "$T/wide.jsonl" <<'PY'
import hashlib, json, sys
o = json.loads(open(sys.argv[1]).readline())
for i in range(5000):
    o['sha256'] = hashlib.sha256(b'wide%d' % i).hexdigest()
    o['path'] = '/wide/%d' % i
    print(json.dumps(o))
PY
expect_eq "sqlite: import of one gimpset 5,000 times" "$("$M" db import --db "$T/wide.sqlite" "$T/wide.jsonl")" "added 5000, known 0, not Go 0"
lite_q "$T/wide.sqlite" "SELECT id, gimpfuzzy, coalesce(gimpset, ''), no_names FROM samples ORDER BY id" > "$T/wide.samples"
expect_rows "$T/wide.samples" | grep '^t' > "$T/wide.want"
lite_tokens "$T/wide.sqlite" | sed 's/^/t|/' | tr '|' ' ' | sort > "$T/wide.got"
[ "$(wc -l < "$T/wide.want")" = 1280000 ] && cmp -s "$T/wide.want" "$T/wide.got" && ok || bad "sqlite: the pages of one gimpset 5,000 times are not its tokens"
expect_eq "sqlite: one page a slot" "$(lite_q "$T/wide.sqlite" "SELECT count(*), min(n), max(n) FROM set_pages")" "256|5000|5000"

pg_start; rc=$?
if [ $rc = 0 ]; then
    trap 'pg_stop; rm -rf "$T"' EXIT
    pg_q() { local name=${1#postgresql:///}; pg_psql -d "${name%%\?*}" -c "$2"; }
    pg_tokens() { pg_q "$1" "SELECT gen, slot, bucket, first_id, n, encode(data, 'hex') FROM set_pages" |
        python3 "$HERE/set_pages_rows.py" hex; }
    check_backend postgresql "$(pg_createdb feed)" pg_q pg_tokens
    # two writers (SQLite's row statements, PostgreSQL's COPY): one collection
    if cmp -s "$T/sqlite.export" "$T/postgresql.export" && cmp -s "$T/sqlite.got" "$T/postgresql.got"; then ok; else bad "the two backends' collections differ"; fi
else
    echo "PostgreSQL: skipped (no server binaries)"
fi
finish db_feed
