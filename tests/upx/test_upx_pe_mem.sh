#!/usr/bin/env bash
# test_upx_pe_mem.sh MALGOPHER [GOCACHE_DIR] - the memory a UPX-packed PE
# costs (issue 19 item 6; docs/upx.md "Performance").  A Go program for
# windows/amd64 whose image is mostly .bss (tests/upx/bigbss: 13 MiB file,
# 57 MiB image) is packed by our own packer (upxpack.py) with LZMA and with
# NRV2E.  The oracle is the original file: `hash` of each packed file gives
# its digests and `unpack` gives its size, section table and every
# section's bytes.  Peak RSS (/usr/bin/time %M, the least of three runs)
# above the baseline (`hash` of a text file) must stay
#   - LZMA: under 2x the unpacked file (the image's zero pages are never
#     touched, the file is laid out in the image's buffer);
#   - NRV (libucl decodes whole, so the image is written whole): under
#     the image plus 3/4 of the file (one image-sized buffer, never a
#     second one for the file).
# Before the in-place layout and the windowed LZMA decoding, `hash` of
# the LZMA file peaked at 70 MiB above the baseline, NRV at 71 MiB.
# Skipped (77) without go, /usr/bin/time, or libucl/liblzma for Python,
# and for a sanitizer build.
set -u
M=$1 GOC=${2:-}
[ -z "$GOC" ] || { mkdir -p "$GOC" && GOC=$(cd "$GOC" && pwd); }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
PY=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && PY=${PYTHON:-/usr/bin/python3}
for tool in go "$PY"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not found"; exit 77; }
# under make test-asan the peak is the sanitizer's shadow memory
if readelf -d "$M" 2>/dev/null | grep -q libasan; then echo "SKIP: $M is a sanitizer build"; exit 77; fi
"$PY" -B -c "import sys; sys.path.insert(0, '$HERE'); import upxcodec; upxcodec.nrv_compress(b'x' * 64, 8); upxcodec.lzma_compress(b'x' * 64, 0)" \
    2>/dev/null || { echo "SKIP: libucl / liblzma not loadable from $PY"; exit 77; }

export GOENV=off GOWORK=off GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local
export CGO_ENABLED=0 GOCACHE=${GOC:-$T/.gocache} GOPATH=$T/.gopath
cp -r "$HERE/bigbss" "$T/src"
# 12 MiB of words from a 512-word vocabulary (fixed seed)
"$PY" -c "
import random
r = random.Random(19)
v = [''.join(r.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(r.randint(3, 9))) for _ in range(512)]
out, n = [], 0
while n < 12 << 20:
    w = r.choice(v) + (' ' if r.random() < 0.9 else '\n')
    out.append(w)
    n += len(w)
open('$T/src/words.txt', 'w').write(''.join(out)[:12 << 20])"
O=$T/big.exe
(cd "$T/src" && GOOS=windows GOARCH=amd64 go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$O" .) ||
    { bad "go build of tests/upx/bigbss"; finish test_upx_pe_mem; exit; }
printf '%s\n' "$O $T/lzma --method lzma --lzma-preset 1 --filter none" \
    "$O $T/nrv --method nrv2e --filter none" >"$T/jobs"
"$PY" "$HERE/upxpack.py" --batch "$T/jobs" || { bad "upxpack.py"; finish test_upx_pe_mem; exit; }

peak() { # [-any] COMMAND... -> the least peak RSS of three runs, KiB (0: it failed, unless -any)
    local best= any=
    [ "$1" = -any ] && { any=1; shift; }
    for _ in 1 2 3; do
        /usr/bin/time -f %M -o "$T/rss" "$@" >/dev/null 2>"$T/err" || [ -n "$any" ] || { echo 0; return; }
        local r; r=$(tail -1 "$T/rss")
        [ -z "$best" ] || [ "$r" -lt "$best" ] && best=$r
    done
    echo "$best"
}
layout() { "$PY" "$HERE/pe_layout.py" "$1"; } # size, sections, their bytes' sha256
image_kib() { # FILE -> the in-memory image from the first section's RVA, KiB
    "$PY" - "$1" <<'PYEOF'
import struct, sys
raw = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", raw, 0x3c)[0]
n, opt = struct.unpack_from("<H", raw, pe + 6)[0], struct.unpack_from("<H", raw, pe + 20)[0]
s = [struct.unpack_from("<IIII", raw, pe + 24 + opt + 40 * i + 8) for i in range(n)]
print((s[-1][0] + s[-1][1] - s[0][1]) // 1024)
PYEOF
}
echo "baseline-input" >"$T/text" # not an executable: refused, after the process's start-up
base=$(peak -any "$M" hash "$T/text")
want_hash=$("$M" hash "$O" | awk '{print $1, $2}')
want_layout=$(layout "$O")
size_kib=$(( $(stat -c %s "$O") / 1024 ))
img_kib=$(image_kib "$O")
echo "baseline ${base} KiB; original ${size_kib} KiB, image ${img_kib} KiB"
for m in lzma nrv; do
    P=$T/$m
    expect_eq "$m: hash = the original's" "$("$M" hash "$P" | awk '{print $1, $2}')" "$want_hash"
    rm -f "$T/$m.out"
    "$M" unpack "$P" -o "$T/$m.out" >/dev/null 2>"$T/err" || bad "$m: unpack failed: $(head -c 300 "$T/err")"
    expect_eq "$m: unpacked size, sections and their bytes = the original's" "$(layout "$T/$m.out")" "$want_layout"
    if [ $m = lzma ]; then bound=$((2 * size_kib)); else bound=$((img_kib + 3 * size_kib / 4)); fi
    for cmd in hash unpack; do
        if [ $cmd = hash ]; then p=$(peak "$M" hash "$P"); else p=$(peak "$M" unpack "$P" -o "$T/$m.out"); fi
        echo "$m $cmd: peak ${p} KiB, $((p - base)) KiB above the baseline, bound ${bound} KiB"
        if [ "$p" -le 0 ]; then bad "$m $cmd failed: $(head -c 300 "$T/err")"
        elif [ $((p - base)) -ge "$bound" ]; then bad "$m $cmd: $((p - base)) KiB above the baseline, not under ${bound} KiB"
        else ok; fi
    done
done
finish test_upx_pe_mem
