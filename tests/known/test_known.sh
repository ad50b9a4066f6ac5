#!/usr/bin/env bash
# test_known.sh - the known-programs reference (docs/known.md), against the
# corpus MANIFEST's family column as the oracle of "the right name":
#  - a small reference built with `known add` (and the same records through
#    `known import`) from one build each of a few corpus programs; every
#    OTHER corpus build (other architectures, other OS) renamed to
#    svchost.exe is named with its MANIFEST family when that family is in
#    the reference, and stays unnamed (JSON null, "-") when it is not; our
#    own Go fixtures (built from tests/fixtures, nowhere else) stay unnamed;
#  - info text/--brief/--json/--csv, match, cluster, db classify and the
#    YARA field go.known say the same; --no-known leaves it all out;
#  - `hash` never reads the reference (a broken one says nothing there);
#  - crafted references (bad JSON, a huge line, wrong types, a bad digest)
#    give one clean line naming the file and the line, and `known import`
#    of one leaves the local reference as it was.
# usage: test_known.sh MALGOPHER CORPUS_DIR FIXTURE_DIR MANIFEST.tsv
set -u
M=$(readlink -f "$1") CORPUS=$2 FX=$3 MAN=$4
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || { echo "SKIPPED: python3 missing"; exit 77; }
[ -f "$MAN" ] || { echo "SKIPPED: no corpus MANIFEST at $MAN"; exit 77; }
[ -d "$CORPUS/fzf" ] || { echo "SKIPPED: no corpus in $CORPUS"; exit 77; }
ls "$FX"/*/mgfixture >/dev/null 2>&1 || { echo "SKIPPED: no fixture matrix in $FX"; exit 77; }
export MALGOPHER_KNOWN=none MALGOPHER_KNOWN_LOCAL=$T/local.jsonl MALGOPHER_DB=$T/coll.sqlite

# the MANIFEST's family of a corpus file (its `file` column is relative to CORPUS)
family_of() {
    python3 - "$MAN" "${1#"$CORPUS"/}" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1]), delimiter='\t'):
    if r['file'] == sys.argv[2]:
        print(r['family'])
PY
}

# ---- the reference: one build of each of a few programs (present in this cache)
refs=()
for f in "$CORPUS"/fzf/*linux-386/fzf "$CORPUS"/wireguard-go/*linux-amd64/wireguard-go \
    "$CORPUS"/lefthook/0.7.7_windows-386/lefthook.exe "$CORPUS"/go/*linux-amd64/go \
    "$CORPUS"/shfmt/*linux-386/shfmt; do
    [ -f "$f" ] && refs+=("$f")
done
[ ${#refs[@]} -ge 3 ] || { echo "SKIPPED: fewer than 3 reference programs in the corpus cache"; exit 77; }
: >"$T/in_ref"
for f in "${refs[@]}"; do
    fam=$(family_of "$f")
    [ -n "$fam" ] || { bad "no MANIFEST row for $f"; continue; }
    echo "$fam" >>"$T/in_ref"
    out=$("$M" known add --name "$fam" --version test "$f")
    expect_eq "known add $fam" "$out" "added 1, not Go 0"
done
expect_eq "known list: one line per record" "$("$M" known list | grep -vc '^#')" ${#refs[@]}
"$M" known list --json | python3 -c '
import json, sys
names = sorted(json.loads(l)["name"] for l in sys.stdin)
print(" ".join(names))' >"$T/listed"
expect_eq "known list --json names" "$(cat "$T/listed")" "$(sort "$T/in_ref" | tr '\n' ' ' | sed 's/ $//')"

# the same records through `known import` into another local file: equal answers below
"$M" known import --to "$T/imported.jsonl" "$T/local.jsonl" >"$T/imp.out" 2>&1
expect_eq "known import" "$(cat "$T/imp.out")" "added ${#refs[@]}"

# ---- every other corpus build, renamed: named iff its family is in the reference
mkdir -p "$T/renamed"
: >"$T/cases"
n=0
while IFS= read -r f; do
    skip=0
    for r in "${refs[@]}"; do [ "$r" = "$f" ] && skip=1; done
    [ $skip = 1 ] && continue
    fam=$(family_of "$f")
    [ -n "$fam" ] || continue
    n=$((n + 1))
    cp "$f" "$T/renamed/svchost$n.exe"
    want=null
    grep -qxF "$fam" "$T/in_ref" && want=$fam
    printf '%s\t%s\t%s\n' "$T/renamed/svchost$n.exe" "$want" "$f" >>"$T/cases"
done < <(find "$CORPUS" -type f | sort)
for fx in "$FX"/*/mgfixture; do # our own programs: nowhere else
    n=$((n + 1))
    cp "$fx" "$T/renamed/svchost$n.exe"
    printf '%s\tnull\t%s\n' "$T/renamed/svchost$n.exe" "$fx" >>"$T/cases"
done
cut -f1 "$T/cases" | xargs -d '\n' "$M" info --json 2>/dev/null >"$T/info.json"
for ref in local imported; do
    [ $ref = imported ] && cut -f1 "$T/cases" | MALGOPHER_KNOWN_LOCAL=$T/imported.jsonl xargs -d '\n' "$M" info --json 2>/dev/null >"$T/info.json"
    python3 - "$T/cases" "$T/info.json" "$ref" <<'PY' >"$T/check"
import json, sys
want = {l.split('\t')[0]: (l.split('\t')[1], l.split('\t')[2].strip()) for l in open(sys.argv[1])}
seen = {}
for line in open(sys.argv[2]):
    j = json.loads(line)
    if not j['is_go']:
        continue
    k = j['known']
    got = k['name'] if k else 'null'
    if k and 'also' in k:
        got += ' or ' + k['also']['name']
    seen.setdefault(j['file'], []).append(got)
named = unnamed = 0
for f, (w, src) in want.items():
    for got in seen.get(f, []):
        print(('ok ' if got == w else 'FAIL ') + sys.argv[3] + ': ' + src + ': got ' + got + ' want ' + w)
        named += w != 'null'
        unnamed += w == 'null'
print('ok', sys.argv[3], 'named', named, 'unnamed', unnamed, file=sys.stderr)
print(('ok ' if named >= 3 and unnamed >= 10 else 'FAIL ') + 'enough cases on both sides')
PY
    while read -r st rest; do [ "$st" = ok ] && ok || bad "$rest"; done <"$T/check"
done

# ---- the other views of one renamed build (the first case that is named)
hit=$(awk -F'\t' '$2 != "null" { print $1 "\t" $2; exit }' "$T/cases")
hf=${hit%%$'\t'*} hname=${hit#*$'\t'}
miss=$(awk -F'\t' '$2 == "null" { print $1; exit }' "$T/cases")
"$M" info "$hf" | grep -q "^known: *$hname (local $hname test, " && ok || bad "info text: no known line for $hname"
"$M" info "$miss" | grep -q '^known: *none$' && ok || bad "info text: known none"
expect_eq "brief known column" "$("$M" info --brief "$hf" | awk '{ print $4 }')" "$hname"
expect_eq "brief unnamed" "$("$M" info --brief "$miss" | awk '{ print $4 }')" "-"
expect_eq "csv known column" "$("$M" info --csv "$hf" | python3 -c 'import csv,sys; print(list(csv.DictReader(sys.stdin))[0]["known"].split(" ")[0])')" "$hname"
expect_eq "--no-known json" "$("$M" info --json --no-known "$hf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["known"])')" "None"
"$M" info --no-known "$hf" | grep -q '^known:' && bad "--no-known prints a known line" || ok
"$M" hash --json "$hf" >"$T/one.jsonl"
"$M" match --db "$T/one.jsonl" "$hf" | grep -q "^  known: $hname " && ok || bad "match: no known line"
"$M" cluster --json "$hf" "$miss" | grep -q "\"name\":\"$hname\",\"name_from\":\"known\"" && ok || bad "cluster: family not named $hname"
"$M" db classify "$hf" | grep -q "  $hname  [0-9]*  known:local $hname test" && ok || bad "db classify: the known program is not the label"
"$M" db classify --no-known "$hf" | grep -q "  unknown" && ok || bad "db classify --no-known"
printf 'import "go"\nrule renamed_%s { condition: go.known == "%s" }\nrule any_known { condition: go.known != "" }\n' \
    "$(echo "$hname" | tr -c 'a-z0-9\n' _)" "$hname" >"$T/r.yar"
expect_eq "yara go.known" "$("$M" scan "$T/r.yar" "$hf" | awk '{ print $1 }' | sort | tr '\n' ' ')" \
    "any_known renamed_$(echo "$hname" | tr -c 'a-z0-9\n' _) "
expect_eq "yara go.known unnamed" "$("$M" scan "$T/r.yar" "$miss")" ""
expect_eq "yara --no-known" "$("$M" scan --no-known "$T/r.yar" "$hf")" ""

# ---- a program of few names (gosu: under 30 gimpset names) is named only by
# identity: its own build renamed (sha256), not its other builds (a high
# score on few names comes by chance; docs/known.md "Threshold")
g386=$(ls "$CORPUS"/gosu/*linux-386/gosu 2>/dev/null | head -1)
gs390=$(ls "$CORPUS"/gosu/*linux-s390x/gosu 2>/dev/null | head -1)
if [ -n "$g386" ] && [ -n "$gs390" ]; then
    "$M" known add --to "$T/small.jsonl" --name gosu "$g386" >/dev/null
    cp "$g386" "$T/renamed/gosu-renamed"
    expect_eq "few names: identity" "$(MALGOPHER_KNOWN_LOCAL=$T/small.jsonl "$M" info --json "$T/renamed/gosu-renamed" |
        python3 -c 'import json,sys; k=json.load(sys.stdin)["known"]; print(k["name"], k["measure"], k["score"])')" "gosu sha256 100"
    expect_eq "few names: not by similarity" "$(MALGOPHER_KNOWN_LOCAL=$T/small.jsonl "$M" info --json "$gs390" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["known"])')" "None"
else
    echo "SKIPPED (part): no gosu builds in the corpus cache"
fi

# ---- crafted references: one clean line naming the file and the line
good=$(sed -n 2p "$T/local.jsonl")
big=$(python3 -c 'print("{\"name\":\"" + "a" * 70000 + "\"}")')
i=0
while IFS='|' read -r want body; do
    i=$((i + 1))
    printf '{"malgopher_known":1}\n%s\n%b\n' "$good" "$body" >"$T/bad$i.jsonl"
    [ "$body" = huge ] && printf '{"malgopher_known":1}\n%s\n%s\n' "$good" "$big" >"$T/bad$i.jsonl"
    MALGOPHER_KNOWN=$T/bad$i.jsonl "$M" known list >/dev/null 2>"$T/err"
    rc=$?
    expect_eq "crafted $i exit" $rc 1
    expect_eq "crafted $i one line" "$(wc -l <"$T/err")" 1
    grep -qF "$T/bad$i.jsonl:3: " "$T/err" && grep -qiF "$want" "$T/err" && ok || bad "crafted $i ($want): $(head -c 300 "$T/err")"
    # info still answers (without the reference), saying why once
    MALGOPHER_KNOWN=$T/bad$i.jsonl "$M" info --json "$hf" "$miss" >"$T/out" 2>"$T/err"
    expect_eq "crafted $i info lines" "$(wc -l <"$T/out") $(wc -l <"$T/err")" "2 1"
    # hash never reads it
    MALGOPHER_KNOWN=$T/bad$i.jsonl "$M" hash "$hf" >/dev/null 2>"$T/err"
    expect_eq "crafted $i hash silent" "$(cat "$T/err")" ""
    cp "$T/local.jsonl" "$T/before"
    "$M" known import "$T/bad$i.jsonl" >/dev/null 2>&1
    cmp -s "$T/before" "$T/local.jsonl" && ok || bad "crafted $i: import changed the local reference"
done <<'CASES'
not a JSON object|not json at all
unterminated|{"name":"x","sha256":"
"name" is not a string|{"name":5,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}
"gimpset" is not a string|{"name":"x","gimpset":[1,2]}
not a gimpset|{"name":"x","gimpset":"gs1:256:@@@"}
64 lowercase hex|{"name":"x","sha256":"xyz"}
no digest|{"name":"x"}
nested too deep|{"name":"x","a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
surrogate|{"name":"\\ud800","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}
control character|{"name":"a\tb"}
not a file name|{"name":"a/b","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}
longer than|huge
CASES
# unknown keys are ignored (forward compatibility); a missing named reference is an error
printf '{"malgopher_known":1,"future":{"x":[1]}}\n{"name":"z","sha256":"%064d","new_field":[1,{"a":2}],"size":12}\n' 0 >"$T/fwd.jsonl"
expect_eq "unknown keys ignored" "$(MALGOPHER_KNOWN=$T/fwd.jsonl "$M" known list | head -1)" "# $((${#refs[@]} + 1)) records, $(($(sort -u "$T/in_ref" | wc -l) + 1)) programs"
MALGOPHER_KNOWN=$T/missing.jsonl "$M" known list >/dev/null 2>"$T/err"
expect_eq "missing named reference" "$?" 1
grep -qF "$T/missing.jsonl" "$T/err" && ok || bad "missing reference: $(cat "$T/err")"

finish known
