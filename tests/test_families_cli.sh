#!/usr/bin/env bash
# test_families_cli.sh - `malgopher compare`, `cluster`, `match` and `eval`
# on the fixture matrix.  Expected families are derived here without
# malgopher's clustering: plain/stripped twins have the same function names
# (the fixture build checks this with debug/gosym), so equal gimpfuzzy
# digests (grouped by awk) must form exactly the families at threshold 100,
# and the lowest pairwise score decides whether one family holds them all.
# usage: test_families_cli.sh MALGOPHER FIXTURE_DIR
set -u
M=$1 FX=$2
. "$(dirname "$0")/lib.sh"

cd "$FX" || exit 1
files=$(awk -F'\t' 'NR > 1 { print $2 }' matrix.tsv)
[ -n "$files" ] || { echo "no fixtures"; exit 1; }

# --help and usage errors
for c in compare cluster match eval; do
    "$M" $c --help | grep -q "^usage: malgopher $c" && ok || bad "$c --help"
done
"$M" compare a >/dev/null 2>&1; expect_eq "compare one arg" $? 2
"$M" cluster --measure fuzzy --threshold 0 x >/dev/null 2>&1; expect_eq "cluster threshold 0" $? 2
"$M" cluster --measure fuzzy >/dev/null 2>&1; expect_eq "cluster no path" $? 2
"$M" eval --measure fuzzy linux-amd64-plain/mgfixture >/dev/null 2>&1; expect_eq "eval without labels" $? 2
"$M" eval --measure fuzzy --labels x --sweep 9:3:1 y >/dev/null 2>&1; expect_eq "eval bad sweep" $? 2
"$M" match --measure fuzzy linux-amd64-plain/mgfixture >/dev/null 2>&1; expect_eq "match without db" $? 2

# compare: twins score 100; a digest given literally; a non-Go file fails
# (issue 22: the default measure is cluster's, gimpset; the line names it)
expect_eq "compare twins" "$("$M" compare linux-amd64-plain/mgfixture linux-amd64-stripped/mgfixture)" "100  gimpset"
d=$("$M" hash linux-386-plain/mgfixture | awk '{print $2}')
# an ssdeep digest has no gimpset: gimpfuzzy scores the pair, and says so
expect_eq "compare digest" "$("$M" compare "$d" linux-386-stripped/mgfixture)" "100  gimpfuzzy  (no gimpset on both sides)"
expect_eq "compare literal digests" "$("$M" compare 3:ab:cd 3:ab:cd)" "100  gimpfuzzy  (no gimpset on both sides)"
expect_eq "compare --measure fuzzy" "$("$M" compare --measure fuzzy 3:ab:cd 3:ab:cd)" "100  gimpfuzzy"
expect_eq "compare fat slice" "$("$M" compare darwin-fat-plain/mgfixture:arm64 darwin-arm64-plain/mgfixture)" "100  gimpset"
expect_eq "compare --json" "$("$M" compare --json 3:ab:cd 3:ab:cd)" \
    '{"a":"3:ab:cd","b":"3:ab:cd","score":100,"measure":"gimpfuzzy","threshold":null,"note":"no gimpset on both sides"}'
printf 'text\n' > "$T/notgo"
"$M" compare "$T/notgo" linux-386-plain/mgfixture >/dev/null 2>"$T/err"; rc=$?
expect_eq "compare non-Go exit" $rc 1
expect_eq "compare non-Go stderr" "$(cat "$T/err")" "malgopher: $T/notgo: not a Go executable"

# expected families at 100: equal digests (one image per line, fat slices as PATH:ARCH)
"$M" hash $files > "$T/hash.txt"
awk '{ g[$2] = g[$2] " " $3 } END { for (k in g) print g[k] }' "$T/hash.txt" |
    sed 's/^ //' | while read -r line; do echo "$line" | tr ' ' '\n' | sort | tr '\n' ' '; echo; done | sort > "$T/want100"
"$M" cluster --measure fuzzy --json --threshold 100 $files > "$T/c100.json"; rc=$?
expect_eq "cluster exit" $rc 0
python3 - "$T/c100.json" > "$T/got100" <<'PY'
import json, sys
fams = [json.loads(l) for l in open(sys.argv[1])]
for f in fams:
    assert f["size"] == len(f["members"]) and f["central"] in f["members"]
print("\n".join(sorted(" ".join(sorted(f["members"])) + " " for f in fams)))
PY
expect_eq "families at 100 = equal-digest groups" "$(cat "$T/got100")" "$(cat "$T/want100")"
[ "$(wc -l < "$T/want100")" -ge 3 ] && ok || bad "fixture digests should fall in several groups"
# every plain/stripped twin in one family, with the exact member list of linux-amd64's
python3 - "$T/c100.json" <<'PY' && ok || bad "twins share a family"
import json, sys
fam = {m: f["family"] for l in open(sys.argv[1]) for f in [json.loads(l)] for m in f["members"]}
for m in fam:
    if "-stripped/" in m:
        assert fam[m] == fam[m.replace("-stripped/", "-plain/")], m
PY
amd=$(grep -E '(^| )linux-amd64-plain/mgfixture ' "$T/got100")
expect_eq "linux-amd64 family members" "$amd" "linux-amd64-plain/mgfixture linux-amd64-stripped/mgfixture linux-arm64-plain/mgfixture linux-arm64-stripped/mgfixture linux-ppc64-plain/mgfixture linux-ppc64-stripped/mgfixture linux-s390x-plain/mgfixture linux-s390x-stripped/mgfixture "

# at a threshold <= the lowest score between the groups' digests, one family of all 26
min=100
digs=$(awk '{print $2}' "$T/hash.txt" | sort -u)
for a in $digs; do for b in $digs; do
    s=$("$M" compare --measure fuzzy "$a" "$b" | cut -d' ' -f1); [ "$s" -lt "$min" ] && min=$s
done; done
"$M" cluster --measure fuzzy --summary --threshold "$min" $files > "$T/cmin"
expect_eq "one family at the lowest score ($min)" "$(head -1 "$T/cmin")" "# 26 samples in 1 families at threshold $min"

# text, CSV and --from give the same families
"$M" cluster --measure fuzzy --threshold 100 $files > "$T/c100.txt"
expect_eq "text header" "$(head -1 "$T/c100.txt")" "# 26 samples in $(wc -l < "$T/want100") families at threshold 100"
"$M" cluster --measure fuzzy --csv --threshold 100 $files > "$T/c100.csv"
expect_eq "csv header" "$(head -1 "$T/c100.csv")" "family,size,central,path,label,name"
expect_eq "csv rows" "$(tail -n +2 "$T/c100.csv" | wc -l)" 26
"$M" hash --json $files > "$T/h.jsonl"
"$M" cluster --measure fuzzy --json --threshold 100 --from "$T/h.jsonl" > "$T/from.json"
# (the names: hash --json lines carry no build info, so --from names by
# labels or family-N; the rest is the same)
noname() { python3 -c "
import json, sys
for l in sys.stdin:
    o = json.loads(l); o.pop('name'); o.pop('name_from'); print(json.dumps(o))"; }
expect_eq "--from = files" "$(noname < "$T/from.json" | md5sum)" "$(noname < "$T/c100.json" | md5sum)"
"$M" cluster --measure fuzzy --threshold 100 -j 1 $files > "$T/j1.txt"
expect_eq "-j 1 = default" "$(md5sum < "$T/j1.txt")" "$(md5sum < "$T/c100.txt")"

# match: the known twin at 100 comes first; top-k bounds the list
grep -v -- '-stripped/' "$T/h.jsonl" > "$T/db.jsonl"
out=$("$M" match --measure fuzzy --db "$T/db.jsonl" -k 1 windows-386-stripped/mgfixture.exe)
expect_eq "match twin" "$out" "# measure gimpfuzzy, threshold 66
windows-386-stripped/mgfixture.exe
  100  windows-386-plain/mgfixture.exe"
n=$("$M" match --measure fuzzy --db "$T/db.jsonl" -k 0 -t 100 --json linux-386-stripped/mgfixture |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["matches"]))')
expect_eq "match all at 100" "$n" "$(awk '$2 == "'"$d"'" && $3 !~ /stripped/' "$T/hash.txt" | wc -l)"

# eval: label = the equal-digest group -> at 100, h = c = V = 1 and the exact
# gimphash baseline is perfect too; label = OS -> hand-checkable counts
awk '{ for (i = 1; i <= NF; i++) { p = $i; sub(/:[a-z0-9]+$/, "", p); print p "\tgroup" NR } }' "$T/want100" | sort -u > "$T/labels.tsv"
"$M" eval --measure fuzzy --labels "$T/labels.tsv" --threshold 100 --no-baselines $files > "$T/e100"
expect_eq "eval perfect" "$(grep '^gimpfuzzy' "$T/e100" | awk '{print $3, $4, $5, $6}')" "$(wc -l < "$T/want100") 1.0000 1.0000 1.0000"
"$M" eval --measure fuzzy --labels "$T/labels.tsv" --threshold "$min" --sweep 50:100:25 $files > "$T/esw"; rc=$?
expect_eq "eval sweep exit" $rc 0
# one family of everything: c = 1, h = 0, V = 0
expect_eq "eval one family" "$(grep '^gimpfuzzy' "$T/esw" | awk '{print $3, $4, $5, $6}')" "1 0.0000 1.0000 0.0000"
grep -q '^exact gimphash' "$T/esw" && ok || bad "exact gimphash baseline row"
grep -q '^ssdeep of file' "$T/esw" && ok || bad "ssdeep of file baseline row"
expect_eq "sweep best" "$(grep '^best:' "$T/esw" | cut -d';' -f1)" "best: gimpfuzzy V-measure 1.0000 at threshold 100"

# progress: nothing on stderr without a terminal; a line with a terminal
"$M" cluster --measure fuzzy --summary linux-386-plain/mgfixture 2>"$T/err" >/dev/null
expect_eq "no progress without a tty" "$(cat "$T/err")" ""
if command -v script >/dev/null; then
    script -qec "$M hash linux-386-plain/mgfixture linux-arm-plain/mgfixture > /dev/null" /dev/null > "$T/tty" 2>&1
    grep -q 'hashing: .*files' "$T/tty" && ok || bad "progress on a tty: $(cat -v "$T/tty")"
fi

finish
