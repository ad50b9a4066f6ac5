#!/usr/bin/env bash
# longest_functions.sh - the longest C functions under the given folders
# (default src cli), "lines file:line name", longest first.  A function is
# what the project's style makes of one: a line starting a definition at
# column 0, its "{" alone at column 0 on the next line (or at the end of
# the definition line), and its closing "}" at column 0.
# usage: tools/longest_functions.sh [-n N] [-max LINES] [DIR...]
#   -max LINES: exit 1 when a function is longer (and list those)
set -u
n=10 max=
while [ $# -gt 0 ]; do
    case $1 in
        -n) n=$2; shift 2 ;;
        -max) max=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || set -- src cli
find "$@" -name '*.c' -print0 | xargs -0 awk '
    FNR == 1 { inside = 0; prev = "" }
    !inside && /^\{/ && prev ~ /^[A-Za-z_].*\)[ \t]*$/ { inside = 1; start = FNR - 1; name = prev }
    !inside && /^[A-Za-z_].*\)[ \t]*\{[ \t]*$/ { inside = 1; start = FNR; name = $0 }
    inside && /^\}/ {
        inside = 0
        sub(/\(.*/, "", name); k = split(name, w, /[ \t*]+/)
        printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, w[k]
    }
    { prev = $0 }' | sort -rn >"${TMPDIR:-/tmp}/longest.$$"
head -n "$n" "${TMPDIR:-/tmp}/longest.$$"
rc=0
if [ -n "$max" ] && awk -v m="$max" '$1 > m { found = 1 } END { exit !found }' "${TMPDIR:-/tmp}/longest.$$"; then
    echo "longest_functions: over $max lines:"
    awk -v m="$max" '$1 > m' "${TMPDIR:-/tmp}/longest.$$"
    rc=1
fi
rm -f "${TMPDIR:-/tmp}/longest.$$"
exit $rc
