#!/usr/bin/env bash
# test_refusals.sh - failures speak: a pclntab candidate that is turned
# down is reported with its offset and reason (info's warning: line), and a
# fat Mach-O slice that cannot be read is reported as dropped.  The damage
# is made here, at offsets found by our own small ELF / fat-header reader
# (not malgopher's), so the expected offset and reason are known up front.
# usage: test_refusals.sh MALGOPHER FIXTURE_DIR
set -u
MG=$1 FX=$2
ELF=$FX/linux-amd64-plain/mgfixture FAT=$FX/darwin-fat-plain/mgfixture
for f in "$ELF" "$FAT"; do
    [ -f "$f" ] || { echo "SKIPPED: missing $f"; exit 77; }
done
. "$(dirname "$0")/lib.sh"

# damage.py MODE IN OUT: prints the offset it damaged (decimal)
cat >"$T/damage.py" <<'PY'
import struct, sys
mode, src, dst = sys.argv[1:]
d = bytearray(open(src, 'rb').read())
if mode.startswith('nfunc'):
    # ELF64 little-endian: section headers -> .gopclntab's file offset
    shoff, = struct.unpack_from('<Q', d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
    def sh(i):
        return struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        h = sh(i)
        end = d.index(b'\0', stroff + h[0])
        if d[stroff + h[0]:end] == b'.gopclntab':
            off, addr = h[4], h[3]
        if d[stroff + h[0]:end] == b'.noptrdata':
            nd_off, nd_size = h[4], h[5]
    value = 0 if mode == 'nfunc0' else 0x7fffffff
    # moduledata (pcHeader pointer, then funcnametab) loses its pcHeader
    # pointer too: otherwise the runtime's count, len(moduledata.ftab) - 1,
    # stands in for the damaged one (issue 15's honest recovery)
    fn_off, = struct.unpack_from('<Q', d, off + 8 + 3 * 8)
    md = d.find(struct.pack('<QQ', addr, addr + fn_off), nd_off, nd_off + nd_size)
    struct.pack_into('<Q', d, md, 0)
    struct.pack_into('<Q', d, off + 8, value)  # header word 0: the function count
else:
    # fat header (big-endian): slice 1's Mach-O magic zeroed
    off, = struct.unpack_from('>I', d, 8 + 20 + 8)
    d[off:off + 4] = b'\0\0\0\0'
open(dst, 'wb').write(d)
print(off)
PY

off=$(python3 "$T/damage.py" nfunc "$ELF" "$T/huge") || exit 1
hex=$(printf '0x%x' "$off")
"$MG" info "$T/huge" >"$T/out" 2>"$T/err"
expect_eq "huge nfunc: not Go" "$(grep '^go:' "$T/out")" "go:             no"
expect_eq "huge nfunc: reason" "$(grep -o "first at $hex: .*" "$T/out")" "first at $hex: function table runs past the end"
"$MG" hash "$T/huge" >/dev/null 2>"$T/err"
expect_eq "huge nfunc: hash error unchanged" "$(cat "$T/err")" "malgopher: $T/huge: not a Go executable"

off=$(python3 "$T/damage.py" nfunc0 "$ELF" "$T/zero") || exit 1
hex=$(printf '0x%x' "$off")
"$MG" info "$T/zero" >"$T/out" 2>"$T/err"
expect_eq "zero nfunc: reason" "$(grep -o "first at $hex: .*" "$T/out")" "first at $hex: no functions"
"$MG" info --json "$T/zero" >"$T/json"
grep -q "first at $hex: no functions" "$T/json" && ok || bad "zero nfunc: reason missing from --json"

python3 "$T/damage.py" slice "$FAT" "$T/fat" >/dev/null || exit 1
"$MG" info "$T/fat" >"$T/out" 2>"$T/err"
expect_eq "fat: one slice left" "$(grep -c '^file:' "$T/out")" "1"
expect_eq "fat: dropped slice named" "$(grep -o 'slice 1 dropped (.*)' "$T/out")" "slice 1 dropped (malformed Mach-O: bad magic)"
"$MG" info "$FAT" >"$T/out"
expect_eq "fat intact: no warning" "$(grep -c 'dropped' "$T/out")" "0"
finish refusals
