#!/usr/bin/env bash
# longest_functions.sh - every C function of the given folders with its
# length in lines (end - start + 1, as universal-ctags finds them), longest
# first: "LINES FILE:LINE FUNCTION".  With --max N: only those over N lines,
# and exit 1 when there is one (the function_length test: no function over
# 200 lines in src/ or cli/).  Exit 77 when universal-ctags is missing.
# usage: tools/longest_functions.sh [--max N] [--top K] [DIR...]   (default: src cli)
set -u
max='' top=''
while [ $# -gt 0 ]; do
    case $1 in
    --max) max=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || set -- src cli
ctags=$(command -v ctags-universal || command -v ctags || true)
if [ -z "$ctags" ] || ! "$ctags" --version 2>/dev/null | grep -q 'Universal Ctags'; then
    echo "universal-ctags not installed (apt-get install universal-ctags)" >&2
    exit 77
fi
list=$("$ctags" --fields=+ne -o - --c-kinds=f --languages=C -R "$@" |
    awk -F'\t' '{ s = ""; e = ""
        for (i = 4; i <= NF; i++) {
            if ($i ~ /^line:/) s = substr($i, 6)
            if ($i ~ /^end:/) e = substr($i, 5)
        }
        if (s != "" && e != "") printf "%d %s:%d %s\n", e - s + 1, $2, s, $1 }' | sort -k1,1nr -k2,2)
if [ -z "$list" ]; then
    echo "no C function found in: $*" >&2
    exit 1
fi
if [ -n "$max" ]; then
    over=$(awk -v m="$max" '$1 > m' <<<"$list")
    if [ -n "$over" ]; then
        echo "functions over $max lines (split them by job):"
        echo "$over"
        exit 1
    fi
    echo "no function over $max lines ($(wc -l <<<"$list") functions; longest: $(head -1 <<<"$list"))"
    exit 0
fi
if [ -n "$top" ]; then head -n "$top" <<<"$list"; else echo "$list"; fi
