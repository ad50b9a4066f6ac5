#!/usr/bin/env bash
# bench_upx_pe.sh [SHARED_UPX_DIR [CORPUS [MALGOPHER]]] - `malgopher hash`
# of each UPX-packed PE of ../shared/upx against `hash` of its original
# (the corpus file MANIFEST.tsv names; also looked up under
# $BENCH_EXTRA_CORPUS, e.g. a full-tier fetch), and the floor: liblzma alone
# (`xz --format=raw --lzma1=...`) decoding the same LZMA stream.
#   CPU: user+sys summed over BENCH_RUNS (default 20) runs, divided by the
#        runs (/usr/bin/time counts in 10 ms steps, one run is too coarse);
#   instructions (BENCH_IR=1): callgrind's total Ir of one run;
#   memory: peak RSS (/usr/bin/time %M), the least of three runs, and the
#        same above the baseline (`hash` of a text file, refused after the
#        process's start-up) divided by the unpacked file's size.
# Prints a Markdown table for BENCHMARKS.md ("UPX: lazy decoding for
# `hash` (issue 19 item 6)", PE).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
UPX=${1:-$HERE/../../shared/upx}
CORPUS=${2:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
M=$(realpath "${3:-$HERE/../build/malgopher}")
RUNS=${BENCH_RUNS:-20}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cpu() { # COMMAND... -> mean user+sys seconds over RUNS runs
    /usr/bin/time -f '%U %S' -o "$W/t" bash -c 'n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done' _ "$RUNS" "$@"
    awk -v n="$RUNS" 'END {printf "%.3f", ($1 + $2) / n}' "$W/t"
}
rss() { # COMMAND... -> least peak RSS of 3 runs, KiB
    local best=
    for _ in 1 2 3; do
        /usr/bin/time -f %M -o "$W/r" "$@" >/dev/null 2>&1 || true
        local r; r=$(tail -1 "$W/r")
        if [ -z "$best" ] || [ "$r" -lt "$best" ]; then best=$r; fi
    done
    echo "$best"
}
ir() { # COMMAND... -> callgrind's total instructions, millions (BENCH_IR=1)
    [ "${BENCH_IR:-0}" = 1 ] || { echo -; return; }
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        awk '/refs:/ {gsub(",", "", $NF); printf "%.0f", $NF / 1e6}'
}
# the PackHeader after UPX1's start: the LZMA stream without its two
# property bytes, and xz's options for them ("" when not LZMA)
stream() { # PACKED OUT -> xz's --lzma1 options
    python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", d, 0x3c)[0]
opt = struct.unpack_from("<H", d, pe + 20)[0]
raw1 = struct.unpack_from("<I", d, pe + 24 + opt + 40 + 20)[0]
for off in range(max(raw1 - 64, 0), raw1 + 64):
    h = d[off:off + 32]
    if len(h) == 32 and h[6] in range(2, 15) and sum(h[4:31]) % 251 == h[31]:
        if h[6] != 14:
            break
        c = struct.unpack_from("<I", h, 20)[0]
        s = d[off + 32:off + 32 + c]
        open(sys.argv[2], "wb").write(s[2:])
        print("lc=%d,lp=%d,pb=%d" % (s[1] & 15, s[1] >> 4, s[0] & 7), struct.unpack_from("<I", h, 16)[0])
        break
PY
}
echo "baseline-input" >"$W/text"
base=$(rss "$M" hash "$W/text")
printf '# %s, %s cores, %s runs, load %s, baseline peak RSS %.1f MiB\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
    "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(echo "$base/1024" | bc -l)"
echo "| packed file | method | unpacked MiB | CPU s packed / original (ratio) | liblzma alone s | Ir M packed / original / liblzma alone | peak RSS MiB packed / original | RSS above baseline / unpacked size: packed, original |"
echo "|---|---|---|---|---|---|---|---|"
tr '\t' '\037' <"$UPX/MANIFEST.tsv" | while IFS=$'\037' read -r name orig _ _ opts _ fmt _; do
    [ "$fmt" = PE ] || continue
    p=$UPX/$name o=$CORPUS/$orig
    [ -f "$o" ] || o=${BENCH_EXTRA_CORPUS:-/nonexistent}/$orig
    [ -f "$o" ] || { echo "| $name | (original $orig not here) |"; continue; }
    cat "$p" "$o" >/dev/null
    read -r xzopt ulen <<<"$(stream "$p" "$W/s")"
    # the 4 MiB dictionary the unpacker tries first, or 64 MiB when the
    # stream needs more (as the unpacker's second try)
    if [ -n "$xzopt" ]; then
        xzopt=$xzopt,dict=4MiB
        n=$(xz --format=raw --lzma1="$xzopt" -dc "$W/s" 2>/dev/null | wc -c) || true
        [ "$n" -ge "$ulen" ] || xzopt=${xzopt%,dict=4MiB},dict=64MiB
    fi
    pc=$(cpu "$M" hash "$p") oc=$(cpu "$M" hash "$o")
    pr=$(rss "$M" hash "$p") or=$(rss "$M" hash "$o")
    pi=$(ir "$M" hash "$p") oi=$(ir "$M" hash "$o")
    fc=- fi=-
    if [ -n "$xzopt" ]; then
        fc=$(cpu xz --format=raw --lzma1="$xzopt" -dc "$W/s")
        fi=$(ir xz --format=raw --lzma1="$xzopt" -dc "$W/s")
    fi
    us=$(stat -c %s "$o")
    printf '| %s | %s | %.2f | %s / %s (%.1fx) | %s | %s / %s / %s | %.1f / %.1f | %.2f, %.2f |\n' "$name" \
        "${opts:-default}" "$(echo "$us/1048576" | bc -l)" "$pc" "$oc" "$(echo "$pc / ($oc + 0.0005)" | bc -l)" \
        "$fc" "$pi" "$oi" "$fi" "$(echo "$pr/1024" | bc -l)" "$(echo "$or/1024" | bc -l)" \
        "$(echo "($pr - $base) * 1024 / $us" | bc -l)" "$(echo "($or - $base) * 1024 / $us" | bc -l)"
done
