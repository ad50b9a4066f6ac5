#!/usr/bin/env bash
# gen_man_yara.sh - generates malgopher-yara(7), the reference of the YARA
# modules `go` and `fuzzy`, from docs/yara.md, the one source, so the
# installed page cannot drift from it.  Handles the markdown that page uses:
# headings, paragraphs, fenced code (indented too), tables (a row becomes a
# tagged paragraph: first cell in bold, the others after it), lists, and
# inline `code` (bold) and **strong** (plain).
# usage: gen_man_yara.sh DOCS_YARA_MD OUTFILE VERSION
set -euo pipefail
src=$1 out=$2 version=$3
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
awk -v version="$version" '
function esc(s) {            # roff: backslashes, then a leading . or '"'"'
    gsub(/\\/, "\\e", s)
    if (s ~ /^[.'"'"']/) s = "\\&" s
    return s
}
function inline(s,   out, n, i, parts, bold) {
    s = esc(s)
    gsub(/\*\*/, "", s)
    n = split(s, parts, "`")
    out = parts[1]
    for (i = 2; i <= n; i++) out = out ((i % 2) ? "\\fR" : "\\fB") parts[i]
    if (n % 2 == 0) out = out "\\fR"
    return out
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function endpara() { inpara = 0 }
BEGIN {
    printf ".TH MALGOPHER-YARA 7 \"\" \"malgopher %s\" \"malgopher\"\n", version
    print ".SH NAME"
    print "malgopher-yara \\- the go and fuzzy YARA modules of malgopher scan"
    fence = 0; table = 0; inpara = 0; first_h1 = 1
}
/^[ \t]*```/ {
    if (!fence) { endpara(); print ".PP"; print ".RS 4"; print ".nf"; fence = 1; ind = match($0, /[^ ]/) - 1 }
    else { print ".fi"; print ".RE"; fence = 0 }
    next
}
fence { line = $0; if (ind > 0 && substr(line, 1, ind) ~ /^ *$/) line = substr(line, ind + 1); print esc(line); next }
/^\|/ {
    line = $0
    if (line ~ /^\|[-| :]+\|$/) next          # the separator row
    if (!table) { table = 1; next }          # the header row
    sub(/^\| */, "", line); sub(/ *\|$/, "", line)
    n = split(line, cell, / *\| */)
    print ".TP"
    rest = ""
    for (i = 2; i <= n; i++) rest = rest (i > 2 ? "; " : "") inline(trim(cell[i]))
    print inline(trim(cell[1]))
    print rest
    next
}
{ table = 0 }
/^# / {
    endpara()
    if (first_h1) { first_h1 = 0; print ".SH DESCRIPTION"; next }
    print ".SH " toupper(inline(substr($0, 3))); next
}
/^## / { endpara(); print ".SH " toupper(inline(substr($0, 4))); next }
/^### / { endpara(); print ".SS " inline(substr($0, 5)); next }
/^[ \t]*$/ { endpara(); next }
/^[ \t]*(- |[0-9]+\. )/ {
    endpara()
    item = $0; sub(/^[ \t]*/, "", item)
    mark = item; sub(/ .*/, "", mark); sub(/^[^ ]+ /, "", item)
    print ".IP \"" (mark == "-" ? "\\(bu" : mark) "\" 4"
    print inline(item); inpara = 1; next
}
{
    if (!inpara) { print ".PP"; inpara = 1 }
    print inline(trim($0))
}
END {
    print ".SH SEE ALSO"
    print "malgopher(1), malgopher-scan(1), yara(1)"
}
' "$src" >"$tmp"
mv "$tmp" "$out"
trap - EXIT
