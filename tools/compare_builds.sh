#!/usr/bin/env bash
# compare_builds.sh - runs two malgopher binaries over the same files and
# fails when any per-file output differs by a byte: hash, hash --json,
# hash --csv, info, info --json, info --csv (stdout, stderr and exit
# status), and db add + db export into a fresh SQLite collection.  Used to
# show that a refactoring changed no output (BENCHMARKS.md "One read").
# usage: tools/compare_builds.sh OLD_BIN NEW_BIN DIR...
set -u
[ $# -ge 3 ] || { echo "usage: $0 OLD_BIN NEW_BIN DIR..." >&2; exit 2; }
old=$1 new=$2
shift 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
run_both() { # name, args...
    local name=$1
    shift
    for side in old new; do
        local bin=$old
        [ $side = new ] && bin=$new
        "$bin" "$@" >"$T/$side.out" 2>"$T/$side.err"
        echo "exit $?" >>"$T/$side.err"
    done
    if cmp -s "$T/old.out" "$T/new.out" && cmp -s "$T/old.err" "$T/new.err"; then
        echo "same: $name ($(wc -l <"$T/new.out") lines)"
    else
        echo "DIFFERENT: $name"
        diff "$T/old.out" "$T/new.out" | head -5
        diff "$T/old.err" "$T/new.err" | head -5
        fail=1
    fi
}
for args in "hash" "hash --json" "hash --csv" "info" "info --json" "info --csv"; do
    # shellcheck disable=SC2086
    run_both "$args -r" $args -r "$@"
done
for side in old new; do
    bin=$old
    [ $side = new ] && bin=$new
    "$bin" db add --db "$T/$side.sqlite" -r "$@" >"$T/$side.add" 2>&1
    echo "exit $?" >>"$T/$side.add"
    "$bin" db export --db "$T/$side.sqlite" >"$T/$side.export" 2>&1
    echo "exit $?" >>"$T/$side.export"
done
# the export carries the time a record was added: left out of the comparison
strip_time() { sed -E 's/"(added|first_seen|last_seen|seen_at|at)":"[^"]*"/"\1":T/g' "$1"; }
if cmp -s "$T/old.add" "$T/new.add" && cmp -s <(strip_time "$T/old.export") <(strip_time "$T/new.export"); then
    echo "same: db add + db export ($(wc -l <"$T/new.export") lines)"
else
    echo "DIFFERENT: db add + db export"
    diff "$T/old.add" "$T/new.add" | head -5
    diff <(strip_time "$T/old.export") <(strip_time "$T/new.export") | head -5
    fail=1
fi
exit $fail
