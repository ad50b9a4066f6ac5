#!/usr/bin/env bash
# bench_diff.sh [CORPUS [MALGOPHER]] - time and peak memory of `malgopher diff`
# on the two largest Go files of the corpus (text and --json), five runs each
# after a page-cache warm-up, with /usr/bin/time -v (wall and CPU time: on
# a shared machine the CPU time is the figure that does not depend on load).  Prints a Markdown table
# for BENCHMARKS.md ("diff").  Targets: <= 0.5 s and <= 128 MB.
set -eu
CORPUS=${1:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=$(realpath "${2:-$(dirname "$0")/../build/malgopher}")
cd "$CORPUS"
# the two largest files malgopher reads as Go
mapfile -t big < <(find . -path ./.cache -prune -o -type f -printf '%s %p\n' | sort -rn |
    while read -r _ f; do "$M" hash "$f" >/dev/null 2>&1 && echo "$f"; done | head -2)
[ ${#big[@]} = 2 ] || { echo "bench_diff: fewer than two Go files in $CORPUS"; exit 1; }
cat "${big[@]}" >/dev/null
echo "| command | files | wall s (min / median / max of 5) | CPU s user+sys (median) | peak RSS MB (max) | exit |"
echo "|---|---|---|---|---|---|"
for mode in text --json; do
    args=()
    [ "$mode" = --json ] && args=(--json)
    walls=() cpus=() rss=0 rc=0
    for _ in 1 2 3 4 5; do
        out=$( { /usr/bin/time -v "$M" diff "${args[@]}" "${big[0]}" "${big[1]}" >/dev/null; } 2>&1) || rc=$?
        w=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' <<<"$out" | awk -F: '{print $NF + 60 * (NF > 1 ? $(NF-1) : 0)}')
        r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' <<<"$out")
        u=$(sed -n 's/.*User time (seconds): //p' <<<"$out")
        sy=$(sed -n 's/.*System time (seconds): //p' <<<"$out")
        walls+=("$w")
        cpus+=("$(printf %.2f "$(echo "$u + $sy" | bc -l)")")
        [ "$r" -gt "$rss" ] && rss=$r
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n | tr '\n' ' ')
    read -r w1 _ w3 _ w5 <<<"$sorted"
    read -r _ _ c3 _ _ <<<"$(printf '%s\n' "${cpus[@]}" | sort -n | tr '\n' ' ')"
    printf '| `malgopher diff %s` | `%s` `%s` | %s / %s / %s | %s | %.1f | %s |\n' "${args[*]:-}" "${big[0]#./}" \
        "${big[1]#./}" "$w1" "$w3" "$w5" "$c3" "$(echo "$rss / 1024" | bc -l)" "$rc"
done
