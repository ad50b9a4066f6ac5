#!/usr/bin/env bash
# test_report_html.sh - the HTML report of `eval --html` renders in headless
# Chromium without network: the page's script draws one node per sample and
# one table row per family, numbers derived here without malgopher's
# clustering (equal gimpfuzzy digests = the families at threshold 100, see
# test_families_cli.sh), and the file references nothing outside itself.
# Prints SKIPPED and exits 77 when Chromium is not installed.
# usage: test_report_html.sh MALGOPHER FIXTURE_DIR
set -u
M=$1 FX=$2
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "report_html: SKIPPED (no chromium; apt-get install chromium)"
    exit 77
fi
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

cd "$FX" || exit 1
files=$(awk -F'\t' 'NR > 1 { print $2 }' matrix.tsv)
awk -F'\t' 'NR > 1 { print $2 "\t" $3 }' matrix.tsv > "$T/labels.tsv"   # label = GOOS
"$M" hash $files > "$T/hash.txt"
want_nodes=$(wc -l < "$T/hash.txt")
want_fams=$(awk '{print $2}' "$T/hash.txt" | sort -u | wc -l)

"$M" eval --measure fuzzy --labels "$T/labels.tsv" --threshold 100 --sweep 5:100:5 --html "$T/report.html" $files > "$T/eval.txt"
expect_eq "eval exit" $? 0
expect_eq "report line" "$(tail -1 "$T/eval.txt")" "report: $T/report.html"

# self-contained: no external resource (the SVG namespace URI is a name, not a fetch)
ext=$(grep -oE '(src|href)=|url\(|@import|https?://[^"'"'"' ]*' "$T/report.html" | grep -v '^http://www.w3.org/2000/svg$' | sort -u)
expect_eq "no external references" "$ext" ""

run_chrome() {
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/profile-$1" "${@:2}" 2>"$T/chrome-$1.err"
}
run_chrome dom --dump-dom "file://$T/report.html" > "$T/dom.html"
grep -q 'data-ready="1"' "$T/dom.html" && ok || bad "the page's script did not finish: $(tail -3 "$T/chrome-dom.err")"
expect_eq "nodes drawn" "$(grep -o '<circle class="node' "$T/dom.html" | wc -l)" "$want_nodes"
expect_eq "family rows" "$(grep -o '<tr class="family"' "$T/dom.html" | wc -l)" "$want_fams"
expect_eq "summary nodes" "$(grep -o 'id="n-nodes">[0-9]*' "$T/dom.html" | grep -o '[0-9]*$')" "$want_nodes"
expect_eq "summary families" "$(grep -o 'id="n-families">[0-9]*' "$T/dom.html" | grep -o '[0-9]*$')" "$want_fams"
# sweep plot: V-measure, homogeneity, completeness, the whole-file ssdeep curve
# and, side by side, the other measure's (gimpset) V-measure curve
expect_eq "sweep series" "$(grep -o '<polyline class="series"' "$T/dom.html" | wc -l)" 5
grep -q '>gimpset V-measure</text>' "$T/dom.html" && ok || bad "gimpset curve in the legend"
# legend: the three GOOS labels
for os in linux windows darwin; do
    grep -q "</i>$os</span>" "$T/dom.html" && ok || bad "legend $os"
done
# ---- issue 22: the named family table, searched, sorted and exported in
# the browser; the disc labels link to the rows; 30 distinct colours.
# Oracles: the members of cluster --json (a python search and sort over
# them), matrix.tsv's GOOS/GOARCH for the OS/arch column.
awk -F'\t' 'NR > 1 { print $2 "\t" $1 }' matrix.tsv > "$T/names.tsv"   # 26 labels
"$M" cluster --measure fuzzy -t 100 --labels "$T/names.tsv" --json --html "$T/named.html" $files > "$T/named.jsonl"
run_chrome named --dump-dom "file://$T/named.html#test=search:windows,sort:size,sort:size" > "$T/named.html.dom"
grep -q 'data-ready="1"' "$T/named.html.dom" && ok || bad "named report: the script did not finish: $(tail -3 "$T/chrome-named.err")"
python3 - "$T/named.jsonl" "$T/named.html.dom" matrix.tsv <<'PY' && ok || bad "named report: search / sort / export / links wrong"
import csv, io, json, re, sys, urllib.parse
fams = [json.loads(l) for l in open(sys.argv[1])]
dom = open(sys.argv[2]).read()
osarch = {r['path']: r['goos'] + '/' + r['goarch'] for r in csv.DictReader(open(sys.argv[3]), delimiter='\t')}
# search "windows": the families with a member (or name, label) holding it; sorted by size twice = descending, ties by number
hit = [f for f in fams if any('windows' in m for m in f['members']) or 'windows' in f['name']]
want = sorted(hit, key=lambda f: (-f['size'], f['family']))
attr = lambda k: re.search(r'<body[^>]* %s="([^"]*)"' % k, dom).group(1)
assert int(attr('data-rows')) == len(want) > 0, (attr('data-rows'), len(want))
assert attr('data-order').split() == [str(f['family']) for f in want], (attr('data-order'), [f['family'] for f in want])
# the rows the DOM shows: the hidden ones carry the hidden attribute
shown = re.findall(r'<tr class="family" id="fam-(\d+)"(?! hidden)[^>]*>', dom)
assert shown == [str(f['family']) for f in want], shown
# the CSV and JSON exports: the rows shown, in their order
def data(id):
    href = re.search(r'<a id="%s"[^>]* href="data:[^,]*,([^"]*)"' % id, dom).group(1)
    return urllib.parse.unquote(href.replace('&amp;', '&'))
rows = list(csv.DictReader(io.StringIO(data('export-csv'))))
js = json.loads(data('export-json'))
assert [int(r['family']) for r in rows] == [f['family'] for f in want] == [o['family'] for o in js]
for r, o, f in zip(rows, js, want):
    assert r['name'] == o['name'] == f['name'] and int(r['size']) == o['size'] == f['size'], (r, f)
    assert r['members'].split(' ') == o['members'] == f['members'], (r, f)
    rel = lambda m: m.split('/fixtures/')[-1] if '/fixtures/' in m else m
    want_os = sorted({osarch[rel(m).split(':')[0]] if ':' not in m else osarch[rel(m).split(':')[0]].split('/')[0] + '/' + m.split(':')[1] for m in f['members']})
    assert sorted(o['os_arch']) == want_os, (o['os_arch'], want_os)
    assert o['go_versions'] and all(v.startswith('go1.') for v in o['go_versions']), o
# every disc label of a family of two or more links to its row
links = re.findall(r'<a href="#fam-(\d+)" class="famlink">', dom)
assert sorted(map(int, links)) == sorted(f['family'] for f in fams if f['size'] > 1), links
for k in links:
    assert ('id="fam-%s"' % k) in dom
PY
pal=$(grep -o 'data-palette="[^"]*"' "$T/named.html.dom" | cut -d'"' -f2)
expect_eq "palette: 30 colours" "$(wc -w <<<"$pal")" 30
python3 "$HERE/support/ciede2000.py" "$pal" > "$T/de" 2>&1 || true
python3 -c "import sys; d = float(open(sys.argv[1]).read()); sys.exit(0 if d > 9 else 1)" "$T/de" && ok ||
    bad "palette: two of the 30 colours closer than CIEDE2000 9: $(cat "$T/de")"
# the search filters the map too: the nodes of other families are dimmed
expect_eq "search dims other nodes" "$(grep -o '<circle class="node[^"]* dim"' "$T/named.html.dom" | wc -l)" \
    "$(python3 -c "
import json, sys
print(sum(f['size'] for f in map(json.loads, open(sys.argv[1])) if not any('windows' in m for m in f['members'])))" "$T/named.jsonl")"
run_chrome shot --screenshot="$T/shot.png" --window-size=1200,1600 "file://$T/report.html" >/dev/null
[ -s "$T/shot.png" ] && ok || bad "screenshot"

finish
