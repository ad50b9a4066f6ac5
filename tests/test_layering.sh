#!/usr/bin/env bash
# test_layering.sh - the structure stays layered: no file includes a header
# of a higher layer.  The one table below is the architecture (lowest
# first); a folder may include its own layer and every layer below it, and
# everything may include the public header include/malgopher.h.  Every
# `#include "..."` of src/ and cli/ is resolved to the folder it names (the
# project's style writes it from the root of its tree, "io/map.h"; a bare
# name is the includer's own folder; a "../x/y.h" of an older file is
# resolved too) and a higher one fails the test, naming the file, the line
# and the include.
# usage: tests/test_layering.sh [SOURCE_DIR]   (default: this checkout)
set -u
ROOT=$(cd "${1:-$(dirname "$0")/..}" && pwd)

# layer of each folder (src/X, or cli for the whole front end); api is
# src/api.c.  Lower numbers are lower layers.
declare -A LAYER=(
    [util]=0 [io]=0
    [exe]=1
    [go]=2 [dotnet]=2 [unpack]=2
    [fp]=3
    [index]=4 [cluster]=4 [diff]=4 [known]=4
    [yara]=5 [api]=5
    [cli]=6
)

# folder = the layer key of a file path relative to ROOT
folder_of() {
    case $1 in
    cli/*) folder=cli ;;
    src/api.c) folder=api ;;
    src/*/*) folder=${1#src/}; folder=${folder%%/*} ;;
    include/*) folder=public ;;
    *) folder=unknown ;;
    esac
}

# a/b/../c -> a/c (no subshell: the test reads a few hundred includes)
normalize() {
    local -a out=()
    local part
    IFS=/ read -ra parts <<<"$1"
    for part in "${parts[@]}"; do
        case $part in
        . | "") ;;
        ..) [ ${#out[@]} -gt 0 ] && unset 'out[${#out[@]}-1]' ;;
        *) out+=("$part") ;;
        esac
    done
    local IFS=/
    target="${out[*]}"
}

# target = the file an include names, relative to ROOT (empty when none)
resolve() { # includer (relative), name
    local name=$2 cand
    target=
    for cand in "${1%/*}/$name" "src/$name" "cli/$name" "include/$name"; do
        if [ -f "$ROOT/$cand" ]; then
            normalize "$cand"
            return
        fi
    done
}

bad=0 checked=0
while IFS= read -r f; do
    folder_of "$f"
    from=$folder
    lf=${LAYER[$from]:-}
    if [ -z "$lf" ]; then
        echo "FAIL: $f: its folder '$from' has no layer in the table (tests/test_layering.sh)"
        bad=$((bad + 1))
        continue
    fi
    while IFS= read -r hit; do
        line=${hit%%:*}
        [[ $hit =~ \"([^\"]+)\" ]] && name=${BASH_REMATCH[1]}
        resolve "$f" "$name"
        checked=$((checked + 1))
        if [ -z "$target" ]; then
            echo "FAIL: $f:$line: #include \"$name\" names no file of the tree"
            bad=$((bad + 1))
            continue
        fi
        folder_of "$target"
        to=$folder
        [ "$to" = public ] && continue
        lt=${LAYER[$to]:-}
        if [ -z "$lt" ]; then
            echo "FAIL: $f:$line: #include \"$name\": folder '$to' has no layer in the table"
            bad=$((bad + 1))
        elif [ "$lt" -gt "$lf" ]; then
            echo "FAIL: $f:$line: #include \"$name\": $from (layer $lf) includes $to (layer $lt), a higher layer"
            bad=$((bad + 1))
        fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$ROOT/$f")
done < <(cd "$ROOT" && find src cli -name '*.[ch]' | sort)

if [ "$checked" -eq 0 ]; then
    echo "FAIL: no include found under $ROOT/src and $ROOT/cli"
    exit 1
fi
echo "layering: $checked includes checked, $bad offending"
[ "$bad" -eq 0 ]
