#!/usr/bin/env bash
# bench_one_read.sh - `malgopher hash` of two builds side by side (issue 21
# "one read of a sample"): instructions (callgrind: repeatable on a loaded
# machine) on the corpus' largest file and a fixture, for hash, --json and
# --csv; wall time of `hash -r` and `hash --json -r` over the whole corpus,
# ROUNDS alternating runs (min and median); and how many times each command
# opens one .NET file and one Go file (strace).  Prints Markdown rows.
# usage: bench/bench_one_read.sh OLD_BIN NEW_BIN [CORPUS] [ROUNDS]
set -eu
old=$1 new=$2
C=${3:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
rounds=${4:-8}
big=$(find "$C" -type f -printf '%s %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
fx=${MALGOPHER_FIXTURES:-$HOME/.cache/malgopher/fixtures}/linux-amd64-plain/mgfixture
net=/usr/lib/mono/4.5/al.exe
echo "| command | file | old instructions | new instructions | change |"
echo "|---|---|---:|---:|---:|"
for f in "$big" "$fx"; do
    for a in "hash" "hash --json" "hash --csv"; do
        # shellcheck disable=SC2086
        o=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$old" $a "$f" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
        # shellcheck disable=SC2086
        n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$new" $a "$f" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
        printf '| `%s` | %s | %s | %s | %+.1f%% |\n' "$a" "${f#"$C"/}" "$o" "$n" "$(echo "100 * ($n - $o) / $o" | bc -l)"
    done
done
echo
echo "| command (over $C) | old min / median s | new min / median s |"
echo "|---|---:|---:|"
cat "$C"/*/*/* >/dev/null 2>&1 || true # warm the page cache
for a in "hash" "hash --json"; do
    declare -A t=()
    for _ in $(seq "$rounds"); do
        for side in old new; do
            bin=$old
            [ $side = new ] && bin=$new
            s=$(date +%s.%N)
            # shellcheck disable=SC2086
            "$bin" $a -r "$C" >/dev/null 2>&1 || true
            t[$side]+=" $(echo "$(date +%s.%N) - $s" | bc)"
        done
    done
    stats() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR]=$1} END {printf "%.2f / %.2f", v[1], v[int((NR+1)/2)]}'; }
    echo "| \`$a -r\` | $(stats "${t[old]}") | $(stats "${t[new]}") |"
    unset t
done
if command -v strace >/dev/null; then
    echo
    echo "| command | file | old opens | new opens |"
    echo "|---|---|---:|---:|"
    for f in "$net" "$fx"; do
        [ -f "$f" ] || continue
        for a in "info" "info --json" "hash --json"; do
            # shellcheck disable=SC2086
            o=$(strace -f -e trace=openat "$old" $a "$f" 2>&1 >/dev/null | grep -c "\"$f\"")
            # shellcheck disable=SC2086
            n=$(strace -f -e trace=openat "$new" $a "$f" 2>&1 >/dev/null | grep -c "\"$f\"")
            echo "| \`$a\` | $(basename "$f") | $o | $n |"
        done
    done
fi
