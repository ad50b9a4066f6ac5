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
. "$(dirname "$0")/lib.sh"

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
run_chrome shot --screenshot="$T/shot.png" --window-size=1200,1600 "file://$T/report.html" >/dev/null
[ -s "$T/shot.png" ] && ok || bad "screenshot"

finish
