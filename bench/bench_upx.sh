#!/usr/bin/env bash
# bench_upx.sh [SHARED_UPX_DIR [CORPUS [MALGOPHER]]] - `malgopher hash` of
# each UPX-packed file of ../shared/upx against `hash` of its original (the
# corpus file named in MANIFEST.tsv), after a page-cache warm-up, best of
# BENCH_RUNS (default 5) runs each with /usr/bin/time -v: wall and CPU
# (user+sys; on a shared machine the CPU time is the figure that does not
# depend on load) and peak RSS.  Prints a Markdown table for BENCHMARKS.md
# ("UPX").  Targets: packed CPU <= 3x the original's, peak RSS < 2x the
# unpacked size.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
UPX=${1:-$HERE/../../shared/upx}
CORPUS=${2:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=$(realpath "${3:-$HERE/../build/malgopher}")
RUNS=${BENCH_RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# best of RUNS: "cpu_s wall_s rss_kb"
measure() {
    local best=""
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -v "$M" hash "$1" >/dev/null 2>"$W/t" || { echo "FAIL"; return; }
        local u s w r
        u=$(awk -F': ' '/User time/{print $2}' "$W/t")
        s=$(awk -F': ' '/System time/{print $2}' "$W/t")
        w=$(awk -F': ' '/Elapsed/{n=split($2,a,":"); print a[n]+(n>1?a[n-1]*60:0)}' "$W/t")
        r=$(awk -F': ' '/Maximum resident/{print $2}' "$W/t")
        local c
        c=$(echo "$u + $s" | bc)
        if [ -z "$best" ] || [ "$(echo "$c < ${best%% *}" | bc)" = 1 ]; then best="$c $w $r"; fi
    done
    echo "$best"
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, best of $RUNS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| packed file | method | packed MB | unpacked MB | CPU s packed / original (ratio) | wall s packed / original | peak RSS MB packed / original | RSS / unpacked size |"
echo "|---|---|---|---|---|---|---|---|"
tr '\t' '\037' <"$UPX/MANIFEST.tsv" | while IFS=$'\037' read -r name orig _ _ opts _ _ _ _ _; do
    [ "$name" = name ] && continue
    o=$CORPUS/$orig p=$UPX/$name
    [ -f "$o" ] && [ -f "$p" ] || continue
    cat "$p" "$o" >/dev/null
    read -r pc pw pr <<<"$(measure "$p")"
    read -r oc ow or <<<"$(measure "$o")"
    us=$(stat -c %s "$o") ps=$(stat -c %s "$p")
    printf '| %s | %s | %.2f | %.2f | %.2f / %.2f (%.1fx) | %.2f / %.2f | %.1f / %.1f | %.2f |\n' "$name" "${opts:-default}" \
        "$(echo "$ps/1048576" | bc -l)" "$(echo "$us/1048576" | bc -l)" "$pc" "$oc" \
        "$(echo "$pc / ($oc + 0.001)" | bc -l)" "$pw" "$ow" "$(echo "$pr/1024" | bc -l)" "$(echo "$or/1024" | bc -l)" \
        "$(echo "$pr*1024/$us" | bc -l)"
done
