#!/usr/bin/env bash
# test_db_topk.sh - `db match --measure set` with a top k on a one-server
# collection (db_set_top.c): the candidates named by the gimpset postings
# are read by their bound and the reading stops once none can enter the k
# best.  The collection is made to need it: 2,200 records share most of
# the query's slots 0..99 (100 postings of more than 2,048 ids, so 89 of
# them are skipped at T 35 and every record is a candidate), eight near
# records whose scores tie at the 5th (ids decide), and decoys whose bound
# (80) is far above their score (64).
# Oracles: `match --measure set` over `db export` of the same collection
# (the in-memory index, no postings); the reads worked in Python from
# the exported gimpsets (the rules of
# docs/collection.md "Set search in the database (`--measure set`)": the
# first look, the threshold it raises, the postings read, the bounds):
# every record that is neither among the first look's 64 nor a candidate
# that could enter the top 5 (or among the first 300 by bound) has its
# stored gimpset replaced by the query's own (a read of it would print a
# 100 or fail), and the answer must not change; pages edited so that a
# count lies, or that break the format, must give a one-line error naming
# the collection and no hit.
# usage: test_db_topk.sh MALGOPHER
set -u
M=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
. "$HERE/pg_cluster.sh"

PYTHONPATH=$HERE python3 - "$T/q.txt" > "$T/feed.jsonl" <<'PY'
import sys
from gimpset_feed import Feed
f = Feed(5)
r, rec = f.r, f.rec
recs = []
for _ in range(2200):  # programs linking the same libraries
    recs.append(rec({k for k in range(100) if r.random() < 0.97} | set(r.sample(range(100, 256), r.randrange(41)))))
for m in (230, 218, 205, 206, 207, 205, 204, 190):  # scores 89, 85, 80 x4, 79, 74
    recs.append(rec(set(range(100)) | set(r.sample(range(100, 256), m - 100))))
for _ in range(6):  # 50 of the skipped slots: a bound of 80, a score of 64
    recs.append(rec(set(r.sample(range(89), 50)) | set(range(89, 100)) | set(r.sample(range(100, 256), 105))))
r.shuffle(recs)
f.write(recs, sys.stdout, sys.argv[1])
PY
Q=$(cat "$T/q.txt")
# a record's own digest as a second query (line 101: a background one)
Q2=$(sed -n 101p "$T/feed.jsonl" | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["gimpset"])')

check_answers() { # NAME URI: db match against match over the export
    local be=$1 uri=$2
    "$M" db export --db "$uri" > "$T/$be.export" || { bad "$be: db export"; return; }
    for opts in "-k 5" "-k 3" "-k 1" "-k 8" "-k 0" "-t 80 -k 2" "-t 60 -k 4"; do
        for q in "$Q" "$Q2"; do
            "$M" match --measure set $opts --db "$T/$be.export" "$q" > "$T/want" 2>/dev/null
            "$M" db match --db "$uri" $opts "$q" 2>/dev/null | sed 's/  \[[^]]*\]$//' > "$T/got"
            if [ "$(wc -l < "$T/want")" -gt 2 ] && cmp -s "$T/want" "$T/got"; then ok; else
                bad "$be: db match $opts differs from match --db over the export"; diff "$T/want" "$T/got" | head -4; fi
        done
    done
}

"$M" db import --db "$T/c.sqlite" "$T/feed.jsonl" > /dev/null || bad "import"
check_answers sqlite "$T/c.sqlite"
"$M" match --measure set -k 5 --db "$T/sqlite.export" "$Q" > "$T/want5"
expect_eq "the 4th and 5th hits score 80" "$(sed -n '6p;7p' "$T/want5" | awk '{print $1}' | tr '\n' ' ')" "80 80 "
"$M" match --measure set -k 6 --db "$T/sqlite.export" "$Q" | sed -n 8p | awk '{print $1}' > "$T/sixth"
expect_eq "the 6th hit scores 80 too: ids decide the 5th" "$(cat "$T/sixth")" 80

# the reads: the candidates that cannot enter the top 5 get the query's
# gimpset (those the first look reads, the 64 counted most often in the
# first 16 postings read, keep theirs)
cp "$T/c.sqlite" "$T/r.sqlite"
python3 - "$T/r.sqlite" "$Q" "$T/want5" <<'PY' > "$T/tampered"
import base64, sqlite3, struct, sys
db, q, want = sys.argv[1], sys.argv[2], sys.argv[3]
dec = lambda g: struct.unpack('<256I', base64.b64decode(g.split(':', 2)[2]))
Q = dec(q)
c = sqlite3.connect(db)
rows = [(i, dec(g)) for i, g in c.execute('SELECT id, gimpset FROM samples ORDER BY id')]
path = dict(c.execute('SELECT path, id FROM samples'))
size = [sum(v[k] == Q[k] for _, v in rows) for k in range(256)]
need = (35 * 256 + 99) // 100                   # M = ceil(T * 256 / 100)
# left out: the M - 1 largest postings of 2,048 ids or more (one generation: the estimate is the size)
left = set(sorted((k for k in range(256) if size[k] >= 2048), key=lambda k: (-size[k], k))[:need - 1])
state = {'next': 0, 'large': len(left), 'read': []}
def read_until(target):                         # slot order
    while len(state['read']) < target and state['next'] < 256:
        k = state['next']; state['next'] += 1
        if k not in left:
            state['read'].append(k)
def ordered(need2):                             # the candidates by bound (best first), then id
    rd = state['read']; j = 256 - len(rd)
    out = []
    for i, v in rows:
        cnt = sum(v[k] == Q[k] for k in rd)
        if cnt >= max(need2 - j, 1):
            out.append((-min(100, 100 * (cnt + j) // 256), i))
    return sorted(out)
score = {i: 100 * sum(a == b for a, b in zip(v, Q)) // 256 for i, v in rows}
read_until(16)                                  # the first look: 16 postings, the 64 best counted read
first = [i for _, i in ordered(1)[:64]]
best = sorted((-score[i], i) for i in first if score[i] >= 35)
s = -best[4][0] if len(best) >= 5 else 35       # the threshold the 5 best reach
need2 = (s * 256 + 99) // 100
target = 256 - need2 + 1                       # then 8 more (SQLite) while over 512 candidates
while True:
    read_until(target)
    if target >= 256 or state['next'] == 256:
        break
    j = 256 - len(state['read'])
    if sum(sum(v[k] == Q[k] for k in state['read']) >= need2 - j for _, v in rows) <= 512:
        break
    target = min(256, target + 8)
cands = ordered(need2)
last = open(want).read().splitlines()[6].split()  # the 5th hit: score, path
s5, i5 = int(last[0]), path[last[1]]
may = {i for n, (b, i) in enumerate(cands) if n < 300 or -b > s5 or (-b == s5 and i < i5)}
out = [i for i, _ in rows if i not in first and i not in may]   # never read: neither looked at nor in reach
j = state['large']
c.executemany('UPDATE samples SET gimpset = ? WHERE id = ?', [(q, i) for i in out])
c.commit()
print(j, len(state['read']), len(out))
PY
read -r j nread ntamp < "$T/tampered"
expect_eq "large postings skipped" "$j" 89
[ "${ntamp:-0}" -gt 1500 ] && ok || bad "too few records out of reach: ${ntamp:-none} (${nread:-no} postings read)"
"$M" db match --db "$T/r.sqlite" -k 5 "$Q" > "$T/got5" 2> "$T/err"
if cmp -s "$T/want5" "$T/got5"; then ok; else bad "a candidate out of reach of the top 5 was read"; diff "$T/want5" "$T/got5" | head -4; head -2 "$T/err"; fi

# crafted pages (docs/collection.md "Gimpset pages" spells the format):
# edited by craft NAME PYTHON, where the Python sees c (the connection), Q
# (the query's values), page(k) (the first page holding the query's token
# k: gen, slot, bucket, first_id, n, entries as (value, offset) pairs),
# and put(p, entries, n, data) (the page's n and data replaced: the
# entries packed unless data is given)
craft() { # NAME PYTHON
    cp "$T/c.sqlite" "$T/$1.sqlite"
    PYTHONPATH=$HERE python3 - "$T/$1.sqlite" "$Q" "$2" <<'PY'
import base64, sqlite3, struct, sys
from gimpset_feed import bucket, dec
c = sqlite3.connect(sys.argv[1])
Q = dec(sys.argv[2])
def page(k):
    for g, s, b, f, n, d in c.execute('SELECT gen, slot, bucket, first_id, n, data FROM set_pages'
                                      ' WHERE slot = ? AND bucket = ? ORDER BY gen, first_id', (k, bucket(Q[k]))):
        e = [struct.unpack_from('<IH', d, 6 * i) for i in range(len(d) // 6)]
        if any(v == Q[k] for v, _ in e):
            return g, s, b, f, n, e
def put(p, entries, n=None, data=None):
    if data is None:
        data = b''.join(struct.pack('<IH', v, o) for v, o in entries)
    c.execute('UPDATE set_pages SET data = ?, n = ? WHERE gen = ? AND slot = ? AND bucket = ? AND first_id = ?',
              (data, len(entries) if n is None else n) + tuple(p[:4]))
exec(sys.argv[3])
c.commit()
PY
}
refused() { # NAME WHAT: db match on the crafted collection: an error line with WHAT, no hit
    for k in 5 0; do
        "$M" db match --db "$T/$1.sqlite" -k $k "$Q" > "$T/out" 2> "$T/err"; rc=$?
        [ $rc != 0 ] && ok || bad "$1 -k $k: exit status 0 on a crafted page"
        expect_eq "$1 -k $k: no hit printed" "$(sed 1,2d "$T/out")" ""
        expect_eq "$1 -k $k: one error line" "$(wc -l < "$T/err")" 1
        grep -q "$T/$1.sqlite: .*$2" "$T/err" && ok || bad "$1 -k $k: the error does not name the collection and '$2': $(cat "$T/err")"
    done
}
# a lying count: a page naming a record that lacks the token, one that misses a record's token
# record 1 (a background record, scoring below 55) added to the pages of the tokens it lacks
craft inflated '
v = struct.unpack("<256I", base64.b64decode(c.execute("SELECT gimpset FROM samples WHERE id = 1").fetchone()[0].split(":", 2)[2]))
for k in range(100, 256):
    p = page(k)
    if p and v[k] != Q[k] and p[0] == 0:
        put(p, sorted(p[5] + [(Q[k], 1)]))'
refused inflated disagree
# the best hit (score 89) left out of one page of a token it has
best=$(sed -n 3p "$T/want5" | awk '{print $2}')
craft deflated "
b = c.execute('SELECT id, gimpset FROM samples WHERE path = ?', ('$best',)).fetchone()
v = struct.unpack('<256I', base64.b64decode(b[1].split(':', 2)[2]))
k = next(k for k in range(120, 256) if v[k] == Q[k])
p = page(k)
put(p, [e for e in p[5] if not (e[0] == Q[k] and e[1] == b[0] - p[0] * 16384)])"
refused deflated disagree
# malformed pages of a token every search reads (slot 110): a byte short,
# an n that disagrees with the data, two entries swapped, an offset past
# the generation's 16,384 ids
craft short 'p = page(110); put(p, p[5], data=b"".join(struct.pack("<IH", v, o) for v, o in p[5])[:-1])'
refused short "malformed gimpset page"
craft count 'p = page(110); put(p, p[5], n=len(p[5]) + 1)'
refused count "malformed gimpset page"
craft unsorted 'p = page(110); e = p[5]; e[0], e[-1] = e[-1], e[0]; put(p, e)'
refused unsorted "malformed gimpset page"
craft offset 'p = page(110); e = p[5]; e[-1] = (e[-1][0], 16384); put(p, e)'
refused offset "malformed gimpset page"

# a page whose generation is SQL text: the generations a query reads are
# made from integers (0 .. max(id) / 16384), so the row is never read and
# changes nothing
cp "$T/c.sqlite" "$T/g.sqlite"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO set_pages VALUES (?, 0, 0, 1, 1, ?)", ("1) OR (1", bytes(6)))
c.commit()' "$T/g.sqlite"
"$M" db match --db "$T/g.sqlite" -k 5 "$Q" > "$T/out" 2> "$T/err" && ok || bad "a generation of SQL text: $(head -c 200 "$T/err")"
expect_eq "a generation of SQL text: the answer unchanged" "$(sed 's/  \[[^]]*\]$//' "$T/out")" "$(cat "$T/want5")"
# a collection of more generations than a query's ids can name (a record
# id of 2^32): refused with one line
cp "$T/c.sqlite" "$T/h.sqlite"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE samples SET id = 4294967296 WHERE id = (SELECT max(id) FROM samples)")
c.commit()' "$T/h.sqlite"
if "$M" db match --db "$T/h.sqlite" -k 5 "$Q" > "$T/out" 2> "$T/err"; then bad "an id of 2^32: exit status 0"; else ok; fi
grep -q "$T/h.sqlite: more than [0-9]* generations" "$T/err" && ok || bad "an id of 2^32: no error naming it: $(head -c 200 "$T/err")"

pg_start; rc=$?
if [ $rc = 0 ]; then
    trap 'pg_stop; rm -rf "$T"' EXIT
    uri=$(pg_createdb topk)
    "$M" db import --db "$uri" "$T/feed.jsonl" > /dev/null || bad "postgresql: import"
    check_answers postgresql "$uri"
    # a malformed page read by PostgreSQL's one statement (n disagreeing
    # with the data, in the bucket of the query's slot 110)
    b=$(python3 -c 'import base64, struct, sys
v = struct.unpack("<256I", base64.b64decode(sys.argv[1].split(":", 2)[2]))[110]
v ^= v >> 16; v = v * 0x85EBCA6B & 0xFFFFFFFF; v ^= v >> 13; v = v * 0xC2B2AE35 & 0xFFFFFFFF
print((v ^ v >> 16) & 127)' "$Q")
    name=${uri#postgresql:///}; name=${name%%\?*}
    expect_eq "postgresql: a page made malformed" "$(pg_psql -d "$name" -c "UPDATE set_pages SET n = n + 1 WHERE slot = 110 AND bucket = $b RETURNING slot" | head -1)" 110
    "$M" db match --db "$uri" -k 5 "$Q" > "$T/out" 2> "$T/err"; rc=$?
    [ $rc != 0 ] && ok || bad "postgresql: exit status 0 on a malformed page"
    expect_eq "postgresql: no hit on a malformed page" "$(sed 1,2d "$T/out")" ""
    expect_eq "postgresql: one error line" "$(wc -l < "$T/err")" 1
    grep -q "malformed gimpset page" "$T/err" && ok || bad "postgresql: the error does not name the malformed page: $(cat "$T/err")"
else
    echo "PostgreSQL: skipped (no server binaries)"
fi
finish db_topk
