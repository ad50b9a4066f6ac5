#!/usr/bin/env bash
# test_db.sh - `malgopher db` on one backend (sqlite or postgresql; the
# PostgreSQL one starts a throwaway server, see pg_cluster.sh).  Oracles:
# sha256sum for the record keys, `malgopher match --db` (the in-memory
# index) over `db export` for db match and classify, `malgopher cluster`
# over the export for the families, fuzzy_compare's definition for the
# merge case built by hand, sqlite3 / psql for what is stored.
# usage: test_db.sh sqlite|postgresql MALGOPHER FIXTURE_DIR CORPUS_DIR
set -u
BACKEND=$1 M=$2 FX=$3 CORPUS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
. "$HERE/pg_cluster.sh"

[ -f "$FX/matrix.tsv" ] || { echo "SKIPPED: no fixture matrix ($FX/matrix.tsv)"; exit 77; }
if [ "$BACKEND" = postgresql ]; then
    pg_start; rc=$?
    [ $rc = 77 ] && exit 77
    [ $rc = 0 ] || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
    trap 'pg_stop; rm -rf "$T"' EXIT
fi
# new_db NAME: a fresh empty collection on the backend under test
new_db() {
    if [ "$BACKEND" = postgresql ]; then pg_createdb "$1"; else echo "$T/$1.sqlite"; fi
}
sqlv() { # DB SQL (PostgreSQL: the database name from the URI)
    if [ "$BACKEND" = postgresql ]; then
        local name=${1#postgresql:///}; name=${name%%\?*}
        pg_psql -d "$name" -c "$2"
    else
        python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]):
    print(*r, sep="|")
c.commit()' "$1" "$2"
    fi
}
# the token rows of schema 6 and 7's gimpset pages, "sample_id|slot|value" (with
# --keyed: "gen|slot|bucket|first_id|n|value|sample_id"), decoded by an
# independent reader written from docs/collection.md "Gimpset pages"
# (set_pages_rows.py), which fails (status 2) on a page that breaks it
tokens_of() { # DB [--keyed]
    if [ "$BACKEND" = postgresql ]; then
        sqlv "$1" "SELECT gen, slot, bucket, first_id, n, encode(data, 'hex') FROM set_pages" |
            python3 "$HERE/set_pages_rows.py" hex "${@:2}"
    else
        python3 "$HERE/set_pages_rows.py" sqlite "$1" "${@:2}"
    fi
}
# "count|sum" of the token rows on stdin (sample_id|slot|value)
tokens_sum() { python3 -c 'import sys
r = [tuple(map(int, l.split("|"))) for l in sys.stdin if l.strip()]
print("%d|%d" % (len(r), sum(i * 1000003 + s * 7919 + v for i, s, v in r)))'; }
# the token rows on stdin as an SQL VALUES list
tokens_values() { python3 -c 'import sys
print(", ".join("(%s)" % l.strip().replace("|", ", ") for l in sys.stdin if l.strip()))'; }
# the tokens the records' gimpsets give (the oracle): "sample_id|slot|value", sorted
gimpset_tokens() { # DB
    sqlv "$1" "SELECT id, gimpset FROM samples WHERE gimpset IS NOT NULL" | python3 -c 'import base64, struct, sys
out = []
for l in sys.stdin:
    i, gs = l.rstrip("\n").split("|")
    body = gs.split(":", 2)[2]
    if body:
        out += ["%s|%d|%d" % (i, k, v) for k, v in enumerate(struct.unpack("<256I", base64.b64decode(body)))]
print("\n".join(sorted(out)))'
}
# the gram entries of a one-server collection (schema 7) as "gen gram
# sample_id" lines, read by the second decoder (gram_pages_rows.py, written
# from docs/collection.md "Gram pages")
gram_rows_of() { # DB
    if [ "$BACKEND" = postgresql ]; then
        sqlv "$1" "SELECT gen, bucket, first_id, n, encode(data, 'hex') FROM gram_pages" | python3 "$HERE/gram_pages_rows.py" hex
    else python3 "$HERE/gram_pages_rows.py" sqlite "$1"; fi
}
# "gen gram sample_id" lines on stdin as one INSERT into an older schema's
# gram table: TABLE, MODE 1 (gram, sample_id) or 3 (gen, gram, sample_id),
# the even ids moved up by SHIFT (0)
grams_insert() { # TABLE MODE [SHIFT]
    python3 -c 'import sys
t, mode, shift = sys.argv[1], sys.argv[2], int(sys.argv[3])
v = []
for l in sys.stdin:
    g, k, i = map(int, l.split())
    i += shift if i % 2 == 0 else 0
    v.append("(%d, %d)" % (k, i) if mode == "1" else "(%d, %d, %d)" % (i // 16384, k, i))
print("INSERT INTO %s (%s) VALUES %s" % (t, "gram, sample_id" if mode == "1" else "gen, gram, sample_id", ", ".join(v)))' "$1" "$2" "${3:-0}"
}
GRAMS_V3="CREATE TABLE grams (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL, PRIMARY KEY (gen, gram, sample_id))"
field() { # FIELD: from a --json stats line on stdin
    python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# inputs: the fixture matrix, and the corpus when it is there (a snapshot
# of the file list: the corpus may still be growing)
inputs=("$FX")
[ -d "$CORPUS" ] && inputs+=("$CORPUS")
find "${inputs[@]}" -type f | sort > "$T/all.txt"
xargs -d '\n' "$M" hash < "$T/all.txt" 2>/dev/null | awk '{ sub(/^[^ ]+  [^ ]+  /, ""); print }' > "$T/images.txt"
# hash prints PATH:ARCH for slices of a fat file
while IFS= read -r p; do if [ -f "$p" ]; then echo "$p"; else echo "${p%:*}"; fi; done < "$T/images.txt" | sort -u > "$T/gofiles.txt"
want_files=$(xargs -d '\n' sha256sum < "$T/gofiles.txt" | awk '{print $1}' | sort -u | wc -l)
want_images=$(wc -l < "$T/images.txt")
ngo=$(wc -l < "$T/gofiles.txt") # paths (copies included)

# ---- add: one record per image, a known sha256 not stored twice ----
D=$(new_db added)
out=$("$M" db add --db "$D" --files-from "$T/all.txt" 2>/dev/null)
expect_eq "add: added = distinct sha256 of the Go files" "$(sed 's/added \([0-9]*\),.*/\1/' <<<"$out")" "$want_files"
out2=$("$M" db add --db "$D" -r "$FX" --files-from "$T/all.txt" 2>/dev/null)
nfx=$(find "$FX" -type f | wc -l) nfxgo=$(grep -c "^$FX/" "$T/gofiles.txt")
expect_eq "add again (and -r): nothing added" "$out2" "added 0, known $((ngo + nfxgo)), not Go $(( $(sed 's/.*not Go //' <<<"$out") + nfx - nfxgo ))"
st=$("$M" db stats --db "$D" --json)
expect_eq "stats: files" "$(field files <<<"$st")" "$want_files"
# images: hash prints one line per image; copies (same sha256) are one record
want_records=$(while IFS= read -r l; do p=${l%:*}; [ -f "$l" ] && p=$l; s=$(sha256sum < "$p" | cut -c1-64); echo "$s ${l#"$p"}"; done < "$T/images.txt" | sort -u | wc -l)
expect_eq "stats: samples (sha256, slice)" "$(field samples <<<"$st")" "$want_records"
expect_eq "export: one line per record" "$("$M" db export --db "$D" | wc -l)" "$want_records"
[ "$want_images" -ge "$want_records" ] && ok || bad "more records than images"

# a copy under another name is known; its path is kept
one=$(head -1 "$T/gofiles.txt")
weird="$T/it's \"quoted\"; DROP TABLE samples; --"
cp "$one" "$weird"
expect_eq "copy: known" "$("$M" db add --db "$D" "$weird")" "added 0, known 1, not Go 0"
expect_eq "copy: path kept" "$(sqlv "$D" "SELECT count(*) FROM sample_paths WHERE path = '$(sed "s/'/''/g" <<<"$weird")'")" 1

# ---- labels: bound parameters (quotes everywhere), who and when ----
label="lab'el \"x\"; DROP TABLE samples; --"
"$M" db label --db "$D" "$weird" "$label" >/dev/null; expect_eq "label by path: exit" $? 0
sha=$(sha256sum < "$one" | cut -c1-64)
got=$("$M" db export --db "$D" | python3 -c "
import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o['sha256']=='$sha': print(o['label'])" | sort -u)
expect_eq "label stored exactly" "$got" "$label"
expect_eq "label history: who" "$(sqlv "$D" "SELECT DISTINCT who FROM labels")" "${USER:-$(id -un)}"
"$M" db label --db "$D" "$(tr a-f A-F <<<"$sha")" other >/dev/null; expect_eq "label by SHA256 (any case)" $? 0
expect_eq "label history kept" "$(sqlv "$D" "SELECT count(DISTINCT label) FROM labels")" 2
"$M" db label --db "$D" /no/such/file x 2>"$T/err"; expect_eq "label unknown: exit" $? 1
expect_eq "label unknown: message" "$(cat "$T/err")" "malgopher: /no/such/file: not in the collection"
expect_eq "samples table intact" "$(field files <<<"$("$M" db stats --db "$D" --json)")" "$want_files"

# ---- match: the same lines as match --db over the export ----
"$M" db export --db "$D" > "$T/export.jsonl"
mapfile -t q < <(sed -n '1~3p' "$T/gofiles.txt")
# db match also shows each hit's label: checked against the export, then
# taken out for the comparison (match --db over a hash file has none)
unlabel() { # FILE [EXPORT]: db match output without the labels, after checking them against EXPORT's
    python3 - "$1" "${2:-$T/export.jsonl}" <<'PY'
import json, re, sys
lab = {}
for l in open(sys.argv[2]):
    o = json.loads(l)
    lab[o['path'] + o['suffix']] = o['label']
out = []
for line in open(sys.argv[1]):
    if line.startswith('{'):
        o = json.loads(line)
        for m in o['matches']:
            assert m.pop('label') == lab[m['path']], m
        out.append(json.dumps(o, separators=(',', ':'), ensure_ascii=False) + '\n')
    else:
        m = re.match(r'^ +\d+  (.*?)(  \[([^][]*)\])?(  \(gimpfuzzy: no gimpset\))?$', line.rstrip('\n'))
        if m:
            assert (m.group(3) or None) == lab[m.group(1)], (line, lab[m.group(1)])
            line = line.replace('  [%s]' % m.group(3), '') if m.group(3) else line
        out.append(line)
sys.stdout.write(''.join(out))
PY
}
normjson() { python3 -c "
import json, sys
for l in sys.stdin:
    sys.stdout.write(json.dumps(json.loads(l), separators=(',', ':'), ensure_ascii=False) + '\n' if l.startswith('{') else l)"; }
for opts in "" "-t 30 -k 0" "-t 90 -k 2" "--json" "--json -t 1 -k 0" "--measure fuzzy" "--measure fuzzy --json -t 1 -k 0"; do
    "$M" match --db "$T/export.jsonl" $opts "${q[@]}" 2>/dev/null | normjson > "$T/want.txt"
    "$M" db match --db "$D" $opts "${q[@]}" > "$T/got0.txt" 2>/dev/null
    unlabel "$T/got0.txt" > "$T/got.txt" || bad "db match $opts: a label is not the record's"
    if cmp -s "$T/want.txt" "$T/got.txt" && [ -s "$T/want.txt" ]; then ok; else bad "db match $opts differs from match --db"; diff "$T/want.txt" "$T/got.txt" | head -5; fi
done
# a digest as the query: the hits of the file it came from
dg=$("$M" hash "$one" | awk '{print $2}')
expect_eq "match DIGEST" "$("$M" db match --measure fuzzy --db "$D" -k 0 "$dg" | tail -n +3)" "$("$M" db match --measure fuzzy --db "$D" -k 0 "$one" | tail -n +3)"
# by default (gimpset) an ssdeep digest is scored by gimpfuzzy, and the answer says so
"$M" db match --db "$D" -k 0 "$dg" > "$T/fb.txt"
expect_eq "match DIGEST (set): header" "$(head -1 "$T/fb.txt")" "# measure gimpset, threshold 35 (gimpfuzzy, threshold 66, where a side has no gimpset)"
expect_eq "match DIGEST (set): fallback said" "$(sed -n 2p "$T/fb.txt")" "$dg  (gimpfuzzy, threshold 66: no gimpset)"
expect_eq "match DIGEST (set): the gimpfuzzy hits" "$(tail -n +3 "$T/fb.txt")" "$("$M" db match --measure fuzzy --db "$D" -k 0 "$one" | tail -n +3)"

# ---- match --measure set: candidates from the token table, the lines of
# match --db --measure set over the export (its index: a linear scan) ----
want_tokens=$(python3 -c "
import json,sys
print(256 * sum(1 for l in open(sys.argv[1]) if json.loads(l).get('gimpset', 'gs1:256:') != 'gs1:256:'))" "$T/export.jsonl")
[ "$want_tokens" -gt 0 ] && ok || bad "export: no record with a gimpset"
tokens_of "$D" > "$T/tok.txt"; expect_eq "set pages: every page as the format says" $? 0
expect_eq "set tokens: 256 per non-empty gimpset" "$(wc -l < "$T/tok.txt")" "$want_tokens"
expect_eq "set tokens: those of each record's gimpset" "$(sort "$T/tok.txt" | md5sum)" "$(gimpset_tokens "$D" | md5sum)"
for opts in "" "-t 1 -k 0" "-t 20 -k 3" "-t 60 -k 0" "-t 100 -k 0" "--json" "--json -t 10 -k 0" "--json -t 80 -k 1"; do
    "$M" match --db "$T/export.jsonl" --measure set $opts "${q[@]}" 2>/dev/null | normjson > "$T/want.txt"
    "$M" db match --db "$D" --measure set $opts "${q[@]}" > "$T/got0.txt" 2>/dev/null
    unlabel "$T/got0.txt" > "$T/got.txt" || bad "db match --measure set $opts: a label is not the record's"
    if cmp -s "$T/want.txt" "$T/got.txt" && [ -s "$T/want.txt" ]; then ok; else bad "db match --measure set $opts differs from match --db --measure set"; diff "$T/want.txt" "$T/got.txt" | head -5; fi
done
# not trivial: scores below 100 and not every record a hit
"$M" db match --db "$D" --measure set -t 1 -k 0 "${q[@]}" 2>/dev/null | grep -Eq '^ *[1-9][0-9]?  ' && ok || bad "db match --measure set: no score below 100"
sdg=$("$M" hash --json "$one" | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['gimpset'])")
expect_eq "match --measure set DIGEST" "$("$M" db match --db "$D" --measure set -k 0 "$sdg" | tail -n +3)" \
    "$("$M" db match --db "$D" --measure set -k 0 "$one" | tail -n +3)"
"$M" db match --db "$D" --measure sets "$one" >/dev/null 2>"$T/err"; expect_eq "--measure sets: usage" $? 2

# ---- classify: the nearest labelled sample (oracle: match --db over the labelled lines) ----
C=$(new_db classify)
"$M" db import --db "$C" "$T/export.jsonl" >/dev/null
python3 - "$T/export.jsonl" > "$T/labels.tsv" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
# every third record labelled after its directory's name (a family-like name)
for i, o in enumerate(rows):
    if i % 3 == 0:
        print(o['sha256'] + '\t' + o['path'].split('/')[-2].split('_')[0] + "'s")
PY
while IFS=$'\t' read -r s l; do "$M" db label --db "$C" "$s" "$l" >/dev/null; done < "$T/labels.tsv"
"$M" db export --db "$C" | grep -v '"label":null' > "$T/labelled.jsonl"
mapfile -t cq < <(sed -n '2~4p' "$T/gofiles.txt")
for meas in fuzzy set; do
"$M" db classify --db "$C" --measure $meas --json "${cq[@]}" > "$T/classify.jsonl" 2>"$T/classify.err"
"$M" match --db "$T/labelled.jsonl" --measure $meas --json -k 1 "${cq[@]}" 2>"$T/nearest.err" > "$T/nearest.jsonl"
# the evidence: the nearest at any score, under this measure and the other
other=set; [ $meas = set ] && other=fuzzy
"$M" match --db "$T/labelled.jsonl" --measure $meas --json -t 1 -k 1 "${cq[@]}" 2>/dev/null > "$T/nearest1.jsonl"
"$M" match --db "$T/labelled.jsonl" --measure $other --json -t 1 -k 1 "${cq[@]}" 2>/dev/null > "$T/other1.jsonl"
python3 - "$T/classify.jsonl" "$T/nearest1.jsonl" "$T/other1.jsonl" "$T/labelled.jsonl" $meas <<'PY' && ok || bad "classify --measure $meas: nearest / other measure wrong"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
near = [json.loads(l) for l in open(sys.argv[2])]
oth = [json.loads(l) for l in open(sys.argv[3])]
lab = {}
for l in open(sys.argv[4]):
    o = json.loads(l)
    lab[o['path'] + o['suffix']] = o['label']
meas = {'set': ('gimpset', 35), 'fuzzy': ('gimpfuzzy', 66)}
mine, other = meas[sys.argv[5]], meas['fuzzy' if sys.argv[5] == 'set' else 'set']
assert len(got) == len(near) == len(oth) and got
below = 0
for g, n, o in zip(got, near, oth):
    assert (g['measure'], g['threshold']) == mine, g
    assert (g['other']['measure'], g['other']['threshold']) == other, g
    if n['matches']:
        m = n['matches'][0]
        assert (g['nearest']['label'], g['nearest']['score'], g['nearest']['sample']) == (lab[m['path']], m['score'], m['path']), (g, m)
        below += m['score'] < mine[1]
    else:
        assert g['nearest'] is None, g
    if o['matches']:
        m = o['matches'][0]
        assert (g['other']['score'], g['other']['sample']) == (m['score'], m['path']), (g, m)
        assert g['other']['label'] == (lab[m['path']] if m['score'] >= other[1] else None), (g, m)
    else:
        assert g['other']['score'] is None and g['other']['label'] is None, g
assert below > 0  # a nearest sample shown below the threshold
PY
python3 - "$T/classify.jsonl" "$T/nearest.jsonl" "$T/labelled.jsonl" <<'PY' && ok || bad "classify --measure $meas differs from the nearest labelled sample"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
near = [json.loads(l) for l in open(sys.argv[2])]
lab = {}
for l in open(sys.argv[3]):
    o = json.loads(l)
    p = o['path'] + o['suffix']
    lab[p] = o['label']
assert len(got) == len(near) and got, (len(got), len(near))
known = 0
for g, n in zip(got, near):
    assert g['path'] == n['path'], (g, n)
    if n['matches']:
        m = n['matches'][0]
        assert (g['label'], g['score'], g['sample']) == (lab[m['path']], m['score'], m['path']), (g, m)
        known += 1
    else:
        assert g['label'] is None and g['score'] is None, g
assert known > 0
PY
[ "$fail" = 0 ] || { grep -v 'no names' "$T/classify.err" "$T/nearest.err" | head -20; }
done
# the identity shown as evidence: build info's main module@version, as
# `go version -m` reads it (the files that have a "mod" line)
if command -v go >/dev/null; then
    python3 - "$T/classify.jsonl" <<'PY' && ok || bad "classify identity differs from go version -m"
import json, subprocess, sys
n = 0
for l in open(sys.argv[1]):
    g = json.loads(l)
    f = g['path']
    try:
        out = subprocess.run(['go', 'version', '-m', f], capture_output=True, text=True, timeout=60).stdout
    except Exception:
        continue
    mod = [x.split('\t') for x in out.splitlines() if x.startswith('\tmod\t')]
    if mod:
        assert g['identity_from'] == 'buildinfo' and g['identity'] == mod[0][2] + '@' + mod[0][3], (g['identity'], mod[0])
        n += 1
assert n > 0
PY
else
    echo "SKIPPED (part): no go command for the classify identity oracle"
fi
"$M" db classify --db "$C" "${cq[0]}" | grep -Eq "^${cq[0]}  .+  [0-9]+  .+$|^${cq[0]}  unknown$" && ok || bad "classify text line"

# ---- import: hash --json lines; the export reads back the same ----
I=$(new_db imported)
xargs -d '\n' "$M" hash --json < "$T/gofiles.txt" 2>/dev/null > "$T/hash.jsonl"
expect_eq "import hash --json" "$("$M" db import --db "$I" "$T/hash.jsonl")" "added $want_records, known 0, not Go 0"
expect_eq "import again" "$("$M" db import --db "$I" "$T/hash.jsonl")" "added 0, known $want_records, not Go 0"
key='import json,sys
for l in sys.stdin:
    o=json.loads(l); print(o["sha256"], o["slice"], o["suffix"], o["gimphash"], o["gimpfuzzy"], o.get("gimpset"), o["functions"], o["no_names"])'
expect_eq "import = add (records)" "$("$M" db export --db "$I" | python3 -c "$key" | sort | md5sum)" \
    "$(python3 -c "$key" < "$T/export.jsonl" | sort | md5sum)"
# a record twice in one batch (PostgreSQL inserts a batch as one statement):
# the first line adds it, the second is known and adds its path, stored as
# written (tab, backslash, newline, quote: COPY's text format escapes them)
python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])][:3]
for o in lines:
    print(json.dumps(o))
    o["path"] = "/twice/a\tb\\c\nd\x27e/" + o["sha256"][:8]
    print(json.dumps(o))' "$T/export.jsonl" > "$T/twice.jsonl"
W=$(new_db twice)
chr=chr; [ "$BACKEND" = sqlite ] && chr=char
expect_eq "a record twice in one batch" "$("$M" db import --db "$W" "$T/twice.jsonl")" "added 3, known 3, not Go 0"
expect_eq "a record twice in one batch: both paths" "$(sqlv "$W" "SELECT count(*) FROM sample_paths")" 6
expect_eq "a record twice in one batch: the path as written" \
    "$(sqlv "$W" "SELECT count(*) FROM sample_paths WHERE substr(path, 1, 16) = '/twice/a'||$chr(9)||'b\\c'||$chr(10)||'d''e'")" 3
printf '{"path":"/nonexistent","gimphash":"%064d","gimpfuzzy":"3:a:b"}\nnot json\n' 0 > "$T/bad.jsonl"
"$M" db import --db "$I" "$T/bad.jsonl" >/dev/null 2>"$T/err"; expect_eq "import bad lines: exit" $? 1
expect_eq "import bad lines: messages" "$(cut -d: -f3- "$T/err" | sort | tr '\n' '|')" \
    "1: no \"sha256\" (db import reads no file a line names: db add it)|2: not a \`malgopher hash --json\` line|"
head -c 4096 "$M" > "$T/notjson.bin"
expect_eq "import of a file that is not JSON Lines: one line" \
    "$("$M" db import --db "$I" "$T/notjson.bin" 2>&1 >/dev/null | wc -l)" 1
"$M" db import --db "$I" "$T/notjson.bin" >/dev/null 2>&1; expect_eq "import of a file that is not JSON Lines: exit" $? 1
# records imported from older hash lines (no gimpset): under the default
# measure (gimpset) they are scored by gimpfuzzy at 66 and marked, not
# silently unmatched: the hits of --measure fuzzy -t 66, and the lines of
# match --db over the same lines
python3 -c "
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l); o.pop('gimpset', None); print(json.dumps(o))" "$T/hash.jsonl" > "$T/old.jsonl"
O=$(new_db oldlines)
"$M" db import --db "$O" "$T/old.jsonl" >/dev/null
"$M" db match --db "$O" -k 0 "${q[@]}" > "$T/ofb.txt" 2>/dev/null
"$M" db match --db "$O" --measure fuzzy -t 66 -k 0 "${q[@]}" > "$T/ofz.txt" 2>/dev/null
expect_eq "old lines, default measure: fuzzy hits, marked" "$(tail -n +2 "$T/ofb.txt")" \
    "$(tail -n +2 "$T/ofz.txt" | sed -E 's/^( +[0-9]+  .*)$/\1  (gimpfuzzy: no gimpset)/')"
grep -q '(gimpfuzzy: no gimpset)$' "$T/ofb.txt" && ok || bad "old lines, default measure: no hit at all"
"$M" match --db "$T/old.jsonl" -k 0 "${q[@]}" > "$T/want.txt" 2>/dev/null
cmp -s "$T/want.txt" "$T/ofb.txt" && ok || bad "old lines, default measure: db match differs from match --db"

# ---- families: as cluster over the export; IDs stable; merges reported ----
"$M" db families --db "$D" --json > "$T/fam1.jsonl"
"$M" cluster --measure fuzzy --json --from "$T/export.jsonl" > "$T/cluster.jsonl" 2>/dev/null
python3 - "$T/fam1.jsonl" "$T/cluster.jsonl" <<'PY' && ok || bad "db families differs from cluster"
import json, sys
a = {frozenset(json.loads(l)['members']) for l in open(sys.argv[1])}
b = {frozenset(json.loads(l)['members']) for l in open(sys.argv[2])}
assert a == b, (len(a), len(b), list(a ^ b)[:3])
PY
"$M" db families --db "$D" --json > "$T/fam2.jsonl"
expect_eq "families: same IDs on a second run" "$(md5sum < "$T/fam2.jsonl")" "$(md5sum < "$T/fam1.jsonl")"
# --measure set: the groups of cluster --measure set (a sample without a
# non-empty gimpset is a family of its own there, left out here)
for t in "" "-t 20" "-t 70"; do
    "$M" db families --db "$D" --measure set $t --json > "$T/sfam.jsonl"
    "$M" cluster --measure set $t --json --from "$T/export.jsonl" > "$T/scluster.jsonl" 2>/dev/null
    python3 - "$T/sfam.jsonl" "$T/scluster.jsonl" "$T/export.jsonl" <<'PY' && ok || bad "db families --measure set $t differs from cluster --measure set"
import json, sys
empty = {o['path'] + o['suffix'] for o in map(json.loads, open(sys.argv[3])) if o.get('gimpset', 'gs1:256:') == 'gs1:256:'}
a = [frozenset(json.loads(l)['members']) for l in open(sys.argv[1])]
b = {frozenset(json.loads(l)['members']) for l in open(sys.argv[2])}
b = {m for m in b if not (len(m) == 1 and next(iter(m)) in empty)}
assert len(a) == len(set(a)) and set(a) == b, (len(a), len(b), list(set(a) ^ b)[:3])
assert any(len(m) > 1 for m in a)
PY
done
"$M" db families --db "$D" --measure set --json > "$T/sfam2.jsonl"
"$M" db families --db "$D" --measure set --json > "$T/sfam3.jsonl"
expect_eq "set families: same IDs on a second run" "$(md5sum < "$T/sfam3.jsonl")" "$(md5sum < "$T/sfam2.jsonl")"
expect_eq "fuzzy families untouched by set runs" "$("$M" db families --db "$D" --json | md5sum)" "$(md5sum < "$T/fam1.jsonl")"
# additions: half the files first, then the rest; families that keep their members keep their IDs
H=$(new_db families)
half=$(( $(wc -l < "$T/gofiles.txt") / 2 ))
head -n "$half" "$T/gofiles.txt" | "$M" db add --db "$H" --files-from - >/dev/null 2>&1
"$M" db families --db "$H" --json > "$T/h1.jsonl"
tail -n +"$((half + 1))" "$T/gofiles.txt" | "$M" db add --db "$H" --files-from - >/dev/null 2>&1
"$M" db families --db "$H" --json > "$T/h2.jsonl"
python3 - "$T/h1.jsonl" "$T/h2.jsonl" <<'PY' && ok || bad "families: IDs not kept across additions"
import json, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(sys.argv[2])]
fam_of = {}
for f in after:
    for m in f['members']:
        fam_of[m] = f['family']
ids_after = [f['family'] for f in after]
assert len(ids_after) == len(set(ids_after))
kept = 0
for f in before:
    targets = {fam_of[m] for m in f['members']}
    assert len(targets) == 1, f  # families only grow when samples are added
    t = targets.pop()
    # the family it went into holds no member of another earlier family: same ID
    others = [g for g in before if g is not f and fam_of[g['members'][0]] == t]
    if not others:
        assert t == f['family'], (f['family'], t)
        kept += 1
assert kept > 0
old_members = {m for f in before for m in f['members']}
top = max(f['family'] for f in before)
for f in after:  # families of new samples only: IDs never used before
    if not old_members & set(f['members']):
        assert f['family'] > top, f
PY
# a merge built by hand: X = BS:A:B, Z = BS:C:D, Y = BS:A:D.  fuzzy_compare
# takes the better signature pair at equal block sizes, so X-Y and Y-Z
# score 100 and X-Z 0 (random signatures, no common 7-gram)
read -r A B Cs Ds E F < <(python3 -c "
import random; r=random.Random(7); a='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
print(*[''.join(r.choice(a) for _ in range(40)) for _ in range(6)])")
X="6144:$A:$B" Z="6144:$Cs:$Ds" Y="6144:$A:$Ds" W="6144:$E:$F"
expect_eq "hand-made scores" "$("$M" compare --measure fuzzy "$X" "$Y") $("$M" compare --measure fuzzy "$Y" "$Z") $("$M" compare --measure fuzzy "$X" "$Z")" "100  gimpfuzzy 100  gimpfuzzy 0  gimpfuzzy"
G=$(new_db half)
line() { printf '{"path":"/synthetic/%s","gimphash":"%064d","gimpfuzzy":"%s","sha256":"%064d"}\n' "$1" "$2" "$3" "$2"; }
{ line x 1 "$X"; line z 2 "$Z"; } | "$M" db import --db "$G" - >/dev/null
f1=$("$M" db families --db "$G")
expect_eq "two families" "$(grep '^family' <<<"$f1" | tr -s ' ' | tr '\n' '|')" "family 1 size 1|family 2 size 1|"
line y 3 "$Y" | "$M" db import --db "$G" - >/dev/null
f2=$("$M" db families --db "$G")
expect_eq "merge reported" "$(grep '^#' <<<"$f2" | tr '\n' '|')" \
    "# 3 samples in 1 families at threshold 66 (0 new, 1 merged, 0 split)|# merged: family 1 <- 1 2|"
expect_eq "merged family keeps the older ID" "$(grep '^family' <<<"$f2" | tr -s ' ')" "family 1 size 3"
line w 4 "$W" | "$M" db import --db "$G" - >/dev/null
expect_eq "a new family gets an unused ID" "$("$M" db families --db "$G" | grep '^family' | tr -s ' ' | tr '\n' '|')" \
    "family 1 size 3|family 3 size 1|"

# ---- schema versions ----
V=$(new_db merge)
"$M" db stats --db "$V" >/dev/null
if [ "$BACKEND" = postgresql ]; then sqlv "$V" "UPDATE malgopher_schema SET version = 99"; else sqlv "$V" "PRAGMA user_version = 99"; fi
"$M" db stats --db "$V" >/dev/null 2>"$T/err"; expect_eq "newer schema: exit" $? 1
grep -q "collection schema version 99 is newer than this malgopher understands (8): upgrade malgopher" "$T/err" && ok || bad "newer schema message: $(cat "$T/err")"
# a schema-1 collection (no gimpset, no token table) is migrated; adding
# its files again fills the gimpsets in
U=$(new_db upgrade)
mapfile -t few < <(head -12 "$T/gofiles.txt")
"$M" db add --db "$U" "${few[@]}" >/dev/null 2>&1
"$M" db export --db "$U" > "$T/u_before.jsonl"
# (and the gram table of schemas 1-2: (gram, sample_id), no generation,
# its rows those of the pages, which schema 7 rebuilds from the digests)
norowid=""; [ "$BACKEND" = sqlite ] && norowid=" WITHOUT ROWID"
gram_rows_of "$U" | sort > "$T/u_grams.txt"
for sql in "DROP TABLE set_pages" "DROP TABLE set_families" "DROP TABLE set_family_next" "UPDATE samples SET gimpset = NULL" \
    "CREATE TABLE old_grams (gram BIGINT NOT NULL, sample_id BIGINT NOT NULL, PRIMARY KEY (gram, sample_id))$norowid" \
    "$(grams_insert old_grams 1 < "$T/u_grams.txt")" "DROP TABLE gram_pages" "ALTER TABLE old_grams RENAME TO grams"; do
    sqlv "$U" "$sql" >/dev/null
done
expect_eq "schema 1: the gram rows stand" "$(sqlv "$U" "SELECT count(*) FROM grams")" "$(wc -l < "$T/u_grams.txt")"
if [ "$BACKEND" = postgresql ]; then sqlv "$U" "UPDATE malgopher_schema SET version = 1" >/dev/null; else sqlv "$U" "PRAGMA user_version = 1"; fi
expect_eq "schema 1: migrated" "$(field schema <<<"$("$M" db stats --db "$U" --json)")" 8
[ -s "$T/u_grams.txt" ] && gram_rows_of "$U" | sort | cmp -s - "$T/u_grams.txt" && ok ||
    bad "schema 1: the pages are not the gram rows, each in its generation"
"$M" match --db "$T/u_before.jsonl" --measure fuzzy -t 1 -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
"$M" db match --db "$U" --measure fuzzy -t 1 -k 0 "${few[@]}" > "$T/got0.txt" 2>/dev/null
unlabel "$T/got0.txt" "$T/u_before.jsonl" > "$T/got.txt"
cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 1: db match after the migration of the gram table"
expect_eq "schema 1: no gimpset exported" "$("$M" db export --db "$U" | grep -c '"gimpset"')" 0
# records without a gimpset under the default measure (gimpset): scored by
# gimpfuzzy at 66 and marked, the hits of --measure fuzzy -t 66; and the
# same lines as match --db over their export (also without gimpsets)
"$M" db export --db "$U" > "$T/u_nogs.jsonl"
"$M" db match --db "$U" -k 0 "${few[@]}" > "$T/fb0.txt" 2>/dev/null
unlabel "$T/fb0.txt" "$T/u_before.jsonl" > "$T/fb.txt"
"$M" db match --db "$U" --measure fuzzy -t 66 -k 0 "${few[@]}" > "$T/fz0.txt" 2>/dev/null
unlabel "$T/fz0.txt" "$T/u_before.jsonl" > "$T/fz.txt"
expect_eq "schema 1, default measure: fuzzy hits, marked" "$(tail -n +2 "$T/fb.txt")" \
    "$(tail -n +2 "$T/fz.txt" | sed -E 's/^( +[0-9]+  .*)$/\1  (gimpfuzzy: no gimpset)/')"
grep -q '(gimpfuzzy: no gimpset)$' "$T/fb.txt" && ok || bad "schema 1, default measure: no hit at all"
"$M" match --db "$T/u_nogs.jsonl" -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
cmp -s "$T/want.txt" "$T/fb.txt" && ok || bad "schema 1, default measure: db match differs from match --db"
"$M" db add --db "$U" "${few[@]}" >/dev/null 2>&1
"$M" db export --db "$U" > "$T/u_after.jsonl"
expect_eq "schema 1: gimpsets filled in by add" "$(python3 -c "$key" < "$T/u_after.jsonl" | md5sum)" "$(python3 -c "$key" < "$T/u_before.jsonl" | md5sum)"
"$M" match --db "$T/u_after.jsonl" --measure set -t 1 -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
"$M" db match --db "$U" --measure set -t 1 -k 0 "${few[@]}" > "$T/got.txt" 2>/dev/null
cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 1: db match --measure set after the migration"
# a schema-3 collection (token rows keyed (sample_id, slot) with a
# foreign key to samples, under a (slot, value) index, as schema 2 made
# them) is migrated through schema 4's one (slot, value, sample_id) key and
# schema 5's postings to schema 6's pages: every token row kept, the same
# set search answers
S3=$(new_db schema3)
"$M" db add --db "$S3" "${few[@]}" >/dev/null 2>&1
"$M" db export --db "$S3" > "$T/s3.jsonl"
tokens_before=$(tokens_of "$S3" | tokens_sum)
for sql in "CREATE TABLE old_tokens (sample_id BIGINT NOT NULL REFERENCES samples (id), slot INTEGER NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (sample_id, slot))$norowid" \
    "$GRAMS_V3$norowid" "$(gram_rows_of "$S3" | grams_insert grams 3)" "DROP TABLE gram_pages" \
    "INSERT INTO old_tokens (sample_id, slot, value) VALUES $(tokens_of "$S3" | tokens_values)" "DROP TABLE set_pages" \
    "ALTER TABLE old_tokens RENAME TO set_tokens" "CREATE INDEX set_tokens_slot_value ON set_tokens (slot, value)"; do
    sqlv "$S3" "$sql" >/dev/null
done
if [ "$BACKEND" = postgresql ]; then sqlv "$S3" "UPDATE malgopher_schema SET version = 3" >/dev/null; else sqlv "$S3" "PRAGMA user_version = 3"; fi
expect_eq "schema 3: the old token table stands" "$(sqlv "$S3" "SELECT count(*), sum(sample_id * 1000003 + slot * 7919 + value) FROM set_tokens")" "$tokens_before"
expect_eq "schema 3: migrated" "$(field schema <<<"$("$M" db stats --db "$S3" --json)")" 8
expect_eq "schema 3: every token row kept" "$(tokens_of "$S3" | tokens_sum)" "$tokens_before"
"$M" match --db "$T/s3.jsonl" --measure set -t 1 -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
"$M" db match --db "$S3" --measure set -t 1 -k 0 "${few[@]}" > "$T/got.txt" 2>/dev/null
[ -s "$T/want.txt" ] && cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 3: db match --measure set after the migration"
# a schema-4 collection (one token row per (slot, value, sample_id)) is
# migrated to schema 6's pages in place: every token row kept (the
# records of two generations: ids moved past 16384 by hand), the same set
# search answers as match --db over the export
S4=$(new_db schema4)
"$M" db add --db "$S4" "${few[@]}" >/dev/null 2>&1
gram_rows_of "$S4" | grams_insert grams 3 20000 > "$T/s4_grams.sql"
for sql in "$GRAMS_V3$norowid" "$(cat "$T/s4_grams.sql")" "DROP TABLE gram_pages" "CREATE TABLE set_tokens_v4 (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL, PRIMARY KEY (slot, value, sample_id))$norowid" \
    "INSERT INTO set_tokens_v4 (sample_id, slot, value) VALUES $(tokens_of "$S4" | tokens_values)" "DROP TABLE set_pages" \
    "ALTER TABLE set_tokens_v4 RENAME TO set_tokens" "UPDATE set_tokens SET sample_id = sample_id + 20000 WHERE sample_id % 2 = 0"; do
    sqlv "$S4" "$sql" >/dev/null
done
move="UPDATE samples SET id = id + 20000 WHERE id % 2 = 0"
move_paths="UPDATE sample_paths SET sample_id = sample_id + 20000 WHERE sample_id % 2 = 0"
if [ "$BACKEND" = postgresql ]; then # (the foreign key of sample_paths checked at the end, by hand)
    sqlv "$S4" "SET session_replication_role = replica; $move; $move_paths" >/dev/null
    expect_eq "schema 4: every path still names a record" \
        "$(sqlv "$S4" "SELECT count(*) FROM sample_paths WHERE sample_id NOT IN (SELECT id FROM samples)")" 0
else
    sqlv "$S4" "$move" >/dev/null; sqlv "$S4" "$move_paths" >/dev/null
fi
if [ "$BACKEND" = postgresql ]; then sqlv "$S4" "UPDATE malgopher_schema SET version = 4" >/dev/null; else sqlv "$S4" "PRAGMA user_version = 4"; fi
tokens_before=$(sqlv "$S4" "SELECT count(*), sum(sample_id * 1000003 + slot * 7919 + value) FROM set_tokens")
expect_eq "schema 4: two generations" "$(sqlv "$S4" "SELECT count(DISTINCT sample_id / 16384) FROM set_tokens")" 2
grams_s4=$(sqlv "$S4" "SELECT gen, gram, sample_id FROM grams" | tr '|' ' ' | sort)
expect_eq "schema 4: migrated" "$(field schema <<<"$("$M" db stats --db "$S4" --json)")" 8
[ "$(awk '{print $1}' <<<"$grams_s4" | sort -u | wc -l)" = 2 ] && [ "$(gram_rows_of "$S4" | sort)" = "$grams_s4" ] && ok ||
    bad "schema 4: the pages rebuilt over two generations are not the gram rows"
"$M" db export --db "$S4" > "$T/s4.jsonl"
expect_eq "schema 4: every token row kept" "$(tokens_of "$S4" | tokens_sum)" "$tokens_before"
expect_eq "schema 4: the tokens of each record's gimpset" "$(tokens_of "$S4" | sort | md5sum)" "$(gimpset_tokens "$S4" | md5sum)"
expect_eq "schema 4: one page per (generation, slot, bucket)" "$(sqlv "$S4" "SELECT count(*) FROM set_pages")" \
    "$(tokens_of "$S4" --keyed | cut -d'|' -f1-3 | sort -u | wc -l)"
"$M" match --db "$T/s4.jsonl" --measure set -t 1 -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
"$M" db match --db "$S4" --measure set -t 1 -k 0 "${few[@]}" > "$T/got.txt" 2>/dev/null
[ -s "$T/want.txt" ] && cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 4: db match --measure set after the migration"
"$M" db add --db "$S4" "${few[@]}" >/dev/null 2>&1
"$M" db match --db "$S4" --measure set -t 1 -k 0 "${few[@]}" > "$T/got.txt" 2>/dev/null
[ -s "$T/want.txt" ] && cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 4: db match after adding again to the migrated collection"
# a schema-5 collection (postings: one row per (generation, slot, value)
# and transaction, its ids as "id,id,...") made by hand from the pages'
# tokens, over two generations (ids moved past 16384 as above), is migrated
# to schema 6's pages, rebuilt from the records' gimpsets: the tokens are
# those of each record's gimpset, one page per (generation, slot, bucket),
# the same set search answers as match --db over the export
S5=$(new_db schema5)
"$M" db add --db "$S5" "${few[@]}" >/dev/null 2>&1
postings=$(tokens_of "$S5" | python3 -c 'import sys
p = {}
for l in sys.stdin:
    i, s, v = map(int, l.split("|"))
    i += 20000 if i % 2 == 0 else 0
    p.setdefault((i // 16384, s, v), []).append(i)
print(", ".join("(%d, %d, %d, %d, %d, %s)" % (g, s, v, min(ids), len(ids), "'"'"'%s'"'"'" % ",".join(map(str, sorted(ids))))
                for (g, s, v), ids in sorted(p.items())))')
gram_rows_of "$S5" | grams_insert grams 3 20000 > "$T/s5_grams.sql"
for sql in "CREATE TABLE set_postings (gen BIGINT NOT NULL, slot INTEGER NOT NULL, value BIGINT NOT NULL, first_id BIGINT NOT NULL, n BIGINT NOT NULL, ids TEXT NOT NULL, PRIMARY KEY (gen, slot, value, first_id))$norowid" \
    "INSERT INTO set_postings (gen, slot, value, first_id, n, ids) VALUES $postings" "DROP TABLE set_pages" \
    "$GRAMS_V3$norowid" "$(cat "$T/s5_grams.sql")" "DROP TABLE gram_pages"; do
    sqlv "$S5" "$sql" >/dev/null
done
if [ "$BACKEND" = postgresql ]; then
    sqlv "$S5" "SET session_replication_role = replica; $move; $move_paths" >/dev/null
    sqlv "$S5" "UPDATE malgopher_schema SET version = 5" >/dev/null
else
    sqlv "$S5" "$move" >/dev/null; sqlv "$S5" "$move_paths" >/dev/null; sqlv "$S5" "PRAGMA user_version = 5"
fi
expect_eq "schema 5: two generations" "$(sqlv "$S5" "SELECT count(DISTINCT gen) FROM set_postings")" 2
grams_s5=$(sqlv "$S5" "SELECT gen, gram, sample_id FROM grams" | tr '|' ' ' | sort)
expect_eq "schema 5: migrated" "$(field schema <<<"$("$M" db stats --db "$S5" --json)")" 8
[ "$(awk '{print $1}' <<<"$grams_s5" | sort -u | wc -l)" = 2 ] && [ "$(gram_rows_of "$S5" | sort)" = "$grams_s5" ] && ok ||
    bad "schema 5: the gram pages rebuilt over two generations are not the gram rows"
tables="SELECT count(*) FROM sqlite_master WHERE name = 'set_postings'"
[ "$BACKEND" = postgresql ] && tables="SELECT count(*) FROM pg_tables WHERE tablename = 'set_postings'"
expect_eq "schema 5: the postings are gone" "$(sqlv "$S5" "$tables")" 0
tokens_of "$S5" > "$T/s5tok.txt"; expect_eq "schema 5: every page as the format says" $? 0
expect_eq "schema 5: the tokens of each record's gimpset" "$(sort "$T/s5tok.txt" | md5sum)" "$(gimpset_tokens "$S5" | md5sum)"
[ "$(wc -l < "$T/s5tok.txt")" -ge 2560 ] && ok || bad "schema 5: fewer tokens than 10 gimpsets give"
expect_eq "schema 5: one page per (generation, slot, bucket)" "$(sqlv "$S5" "SELECT count(*) FROM set_pages")" \
    "$(tokens_of "$S5" --keyed | cut -d'|' -f1-3 | sort -u | wc -l)"
"$M" db export --db "$S5" > "$T/s5.jsonl"
"$M" match --db "$T/s5.jsonl" --measure set -t 1 -k 0 "${few[@]}" > "$T/want.txt" 2>/dev/null
"$M" db match --db "$S5" --measure set -t 1 -k 0 "${few[@]}" > "$T/got.txt" 2>/dev/null
[ -s "$T/want.txt" ] && cmp -s "$T/want.txt" "$T/got.txt" && ok || bad "schema 5: db match --measure set after the migration"
O=$(new_db newer)
sqlv "$O" "CREATE TABLE other (x INTEGER)" >/dev/null
"$M" db stats --db "$O" >/dev/null 2>"$T/err"; expect_eq "foreign database: exit" $? 1
grep -q ": not a malgopher collection (it holds other tables)$" "$T/err" && ok || bad "foreign database message: $(cat "$T/err")"

# ---- two db add at once lose nothing ----
P=$(new_db foreign)
mapfile -t all < "$T/gofiles.txt"
"$M" db add --db "$P" "${all[@]}" > "$T/p1.txt" 2>"$T/p1.err" &
p1=$!
printf '%s\n' "${all[@]}" | tac | "$M" db add --db "$P" --files-from - > "$T/p2.txt" 2>"$T/p2.err" &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
expect_eq "concurrent adds: exit" "$r1 $r2" "0 0"
[ "$r1 $r2" = "0 0" ] || echo "  add 1 said: $(head -c 400 "$T/p1.err"); add 2 said: $(head -c 400 "$T/p2.err")"
a1=$(sed 's/added \([0-9]*\),.*/\1/' "$T/p1.txt") a2=$(sed 's/added \([0-9]*\),.*/\1/' "$T/p2.txt")
expect_eq "concurrent adds: added once in total" "$((a1 + a2))" "$want_files"
expect_eq "concurrent adds: stored" "$(field files <<<"$("$M" db stats --db "$P" --json)")" "$want_files"

# ---- kill -9 in the middle of add: consistent, committed batches kept, re-run completes ----
K=$(new_db concurrent)
integrity() {
    if [ "$BACKEND" = postgresql ]; then echo ok; else sqlv "$K" "PRAGMA integrity_check"; fi
}
# every record whole: a path, and gram entries for each indexable digest
partial_records() {
    local nopath
    nopath=$(sqlv "$K" "SELECT count(*) FROM samples s WHERE NOT EXISTS (SELECT 1 FROM sample_paths p WHERE p.sample_id = s.id)")
    echo $((nopath + $(comm -23 <(sqlv "$K" "SELECT id FROM samples s WHERE s.no_names = 0 AND s.digest_kind = 0 AND length(s.gimpfuzzy) > 20" | sort -u) \
        <(gram_rows_of "$K" | awk '{print $3}' | sort -u) | wc -l)))
}
# slow the run down with many non-Go files between the Go ones so that the kill lands half-way
# (each starts with "noise": random bytes began with "MZ" once in CI, one
# chance in 65,536 a file, and that file was a malformed PE, not "not Go")
for k in $(seq 1 200); do { printf noise; head -c 100000 /dev/urandom; } > "$T/noise$k"; done
paste -d '\n' "$T/gofiles.txt" <(ls "$T"/noise* | head -n "$(wc -l < "$T/gofiles.txt")") | grep . > "$T/slow.txt"
ls "$T"/noise* >> "$T/slow.txt"
# each committed batch is followed by a pause (a test hook), so the kill
# lands between batches however fast the machine is: 1.5 s, as the poll
# below (a `db stats` process) reads a snapshot that is a batch or more old
# by the time it answers on a loaded machine (at 400 ms the four batches of
# Go files could all commit before the kill landed)
MALGOPHER_DB_TEST_BATCH_PAUSE_MS=1500 "$M" db add --db "$K" --files-from "$T/slow.txt" >/dev/null 2>"$T/kill.err" &
pid=$!
for k in $(seq 1 300); do
    n=$("$M" db stats --db "$K" --json 2>/dev/null | field files 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.05
done
kill -9 $pid 2>/dev/null; killed=$?
wait $pid 2>/dev/null
mid=$(field files <<<"$("$M" db stats --db "$K" --json)")
if [ $killed = 0 ] && [ "$mid" -lt "$want_files" ]; then ok; else bad "kill -9 did not land mid-run (killed=$killed, $mid of $want_files; add said: $(head -c 400 "$T/kill.err"))"; fi
expect_eq "after kill -9: integrity" "$(integrity)" ok
expect_eq "after kill -9: no partial record" "$(partial_records)" 0
"$M" db add --db "$K" --files-from "$T/slow.txt" > "$T/rerun.txt" 2>"$T/rerun.err"
want_rerun="added $((want_files - mid)), known $((ngo - want_files + mid)), not Go $(( $(wc -l < "$T/slow.txt") - ngo ))"
expect_eq "re-run: the rest added" "$(cat "$T/rerun.txt")" "$want_rerun"
[ "$(cat "$T/rerun.txt")" = "$want_rerun" ] || echo "  re-run said: $(head -c 600 "$T/rerun.err")"
expect_eq "re-run: full count" "$(field files <<<"$("$M" db stats --db "$K" --json)")" "$want_files"

# ---- PostgreSQL: the server goes away mid-run ----
if [ "$BACKEND" = postgresql ]; then
    S=$(new_db gone)
    MALGOPHER_DB_TEST_BATCH_PAUSE_MS=400 "$M" db add --db "$S" --files-from "$T/slow.txt" >/dev/null 2>"$T/gone.err" &
    pid=$!
    for k in $(seq 1 300); do
        n=$("$M" db stats --db "$S" --json 2>/dev/null | field files 2>/dev/null || echo 0)
        [ "${n:-0}" -gt 0 ] && break
        sleep 0.05
    done
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null
    wait $pid; expect_eq "server gone: exit" $? 1
    grep -Eq "^malgopher: postgresql:///gone\?host=.*: .*(server|connection)" "$T/gone.err" && ok || bad "server gone: message: $(cat "$T/gone.err")"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=off" start >/dev/null
    K=$S
    expect_eq "server gone: no partial record" "$(partial_records)" 0
    mid=$(field files <<<"$("$M" db stats --db "$S" --json)")
    "$M" db add --db "$S" --files-from "$T/slow.txt" >/dev/null 2>&1
    expect_eq "server back: re-run completes" "$(field files <<<"$("$M" db stats --db "$S" --json)")" "$want_files"
fi

finish "db ($BACKEND)"
