#!/bin/bash
# bench_upx_lazy.sh MALGOPHER [SHARED_UPX_DIR [CORPUS [BENCH_UPX_FLOOR]]] -
# `hash` of each UPX-packed file of ../shared/upx against `hash` of its
# original (the corpus file MANIFEST.tsv names), side by side in one run,
# with the decoder's floor.  Per file:
# - CPU: mean task-clock (user+sys, ns resolution) over K runs (default 20)
#   with `perf stat -r K -e task-clock`; without perf, the user+sys sum of
#   K runs from /usr/bin/time (10 ms steps over the sum) divided by K;
# - instructions: callgrind's total Ir of one run, and of those the Ir
#   inclusive in the unpacker's decode calls (mg_upx_decompress,
#   mg_upx_decompress_prefix, mg_upx_lzs_run, mg_upx_unfilter: decoders
#   and filters);
# - the floor (ELF only): bench_upx_floor, liblzma's / libucl's decode
#   called directly of what any reader of the pclntab must decode (its
#   block from the block's start to the pclntab's end, the ELF header's
#   block; the pclntab's extent from the original's section headers):
#   Ir (callgrind, inclusive in floor_decode) and CPU ms (mean of K);
#   "floor ratio" = (original + floor) / original.
# Markdown rows for BENCHMARKS.md ("UPX: lazy decoding"); the load average
# is printed before and after.  ONLY=REGEX: the packed files whose name
# matches.
set -u
M=$(realpath "$1")
UPX=${2:-/work/shared/upx} CORPUS=${3:-$HOME/.cache/malgopher/corpus}
HERE=$(cd "$(dirname "$0")" && pwd)
FLOOR=$(realpath "${4:-$(dirname "$M")/bench_upx_floor}")
K=${K:-20}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cpu_ms() { # CMD... -> mean CPU ms of one run
    if command -v perf >/dev/null && perf stat -r 1 -x, -e task-clock -o "$W/p" true 2>/dev/null; then
        perf stat -r "$K" -x, -e task-clock -o "$W/p" "$@" >/dev/null 2>&1 || { echo FAIL; return; }
        awk -F, '$3 == "task-clock" {printf "%.1f\n", $1}' "$W/p"
    else
        /usr/bin/time -f "%U %S" -o "$W/t" bash -c 'for _ in $(seq "$0"); do "$@" >/dev/null 2>&1 || exit 1; done' "$K" "$@" ||
            { echo FAIL; return; }
        awk -v k="$K" '{printf "%.1f\n", ($1 + $2) * 1000 / k}' "$W/t"
    fi
}
ir() { # FUNC_REGEX CMD... -> "total inclusive" (millions of Ir)
    local re=$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$W/cg" "$@" >/dev/null 2>&1 || { echo "FAIL FAIL"; return; }
    local tot inc
    tot=$(awk '/^(summary|totals):/ {print $2; exit}' "$W/cg")
    inc=$(callgrind_annotate --inclusive=yes "$W/cg" 2>/dev/null | grep -E "^ *[0-9,]+ \(.*\)  [^ ]*:($re) \[" | awk '{gsub(",", "", $1); s += $1} END {print s + 0}')
    echo "$(echo "scale=1; $tot / 1000000" | bc) $(echo "scale=1; $inc / 1000000" | bc)"
}
r() { echo "scale=1; $1 / $2" | bc; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, K=$K, load before $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| packed file | method | CPU ms packed / original (ratio) | Ir M packed / original (ratio) | of which decode Ir M | floor Ir M / CPU ms | floor ratio Ir / CPU |"
echo "|---|---|---|---|---|---|---|"
tr '\t' '\037' <"$UPX/MANIFEST.tsv" | while IFS=$'\037' read -r name orig _ _ opts _ _ _ _ _; do
    [ "$name" = name ] && continue
    p=$UPX/$name o=$CORPUS/$orig
    [ -f "$o" ] && [ -f "$p" ] || continue
    [[ $name =~ ${ONLY:-.} ]] || continue
    cat "$p" "$o" >/dev/null
    pc=$(cpu_ms "$M" hash "$p") oc=$(cpu_ms "$M" hash "$o")
    read -r pi pd <<<"$(ir 'mg_upx_decompress|mg_upx_decompress_prefix|mg_upx_lzs_run|mg_upx_unfilter' "$M" hash "$p")"
    read -r oi _ <<<"$(ir 'none' "$M" hash "$o")"
    fl="n/a (PE: one stream, decoded whole)" fr="n/a"
    pcl=$(readelf -SW "$o" 2>/dev/null | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".gopclntab" {print $4, $5}')
    [ -n "$pcl" ] && pcl=$(read -r a b <<<"$pcl"; echo "0x$a-$((0x$a + 0x$b))")
    if [ -n "$pcl" ] && [ -x "$FLOOR" ]; then
        read -r _ fc <<<"$("$FLOOR" "$p" "$K" 0-64 "$pcl")"
        read -r _ fi <<<"$(ir 'floor_decode' "$FLOOR" "$p" 1 0-64 "$pcl")"
        fl="$fi / $fc"
        fr="$(r "($oi + $fi)" "$oi")x / $(r "($oc + $fc)" "$oc")x"
    fi
    printf '| %s | %s | %s / %s (%sx) | %s / %s (%sx) | %s | %s | %s |\n' "$name" "${opts:-default}" "$pc" "$oc" \
        "$(r "$pc" "$oc")" "$pi" "$oi" "$(r "$pi" "$oi")" "$pd" "$fl" "$fr"
done
echo "# load after $(cut -d' ' -f1-3 /proc/loadavg)"
