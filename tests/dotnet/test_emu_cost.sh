#!/usr/bin/env bash
# test_emu_cost.sh - crafted .NET files that make the CIL emulator or the
# .NET paths around it costly end within the cost model's promise (<= 10 s
# of CPU, <= 512 MB of RSS) with a one-line "too costly" refusal, for both
# `jit-unpack` (which runs the protector's initializer in the emulator) and
# `info` (which only describes the file).  Each case is src/Costly.il (the
# shape of a .NET Reactor protected assembly, what reactor.c detects) with
# one loop as the initializer, assembled with ilasm here:
#   cpblk      a 19-byte loop copying 32 MiB inside the image, SizeOfImage
#              raised to 64 MiB (the emulator's image cap)
#   initblk    a 15-byte loop filling the whole 64 MiB image
#   hashtable  a loop adding new keys to a Hashtable (quadratic when keys
#              were looked up by a linear scan)
# Before the work was charged by bytes (and the hashtable hashed), each
# ran for minutes or hours; the CPU limit below (ulimit -t) turns that into
# a failure here.  The oracle for "detected as Reactor" is the shape we
# wrote (stub, initializer call, private resource); for the limits, the
# numbers of the cost model.  Also `info` on these files (and on a fixture
# built by mcs) names no pclntab: Go was not plausible there.
# usage: test_emu_cost.sh MALGOPHER [DOTNET_FIXTURES]
set -u
M=$1 FIX=${2:-}
for tool in ilasm python3; do
    command -v $tool >/dev/null || { echo "SKIPPED: $tool missing (Debian: mono-devel python3)"; exit 77; }
done
[ -x /usr/bin/time ] || { echo "SKIPPED: /usr/bin/time missing (Debian: time)"; exit 77; }
. "$(dirname "$0")/../lib.sh"
SRC=$(dirname "$0")/src
CPU_MAX=10 RSS_MAX_KB=$((512 * 1024))

# the loops, in place of the "// @BODY@" line of Costly.il
declare -A body
body[cpblk]='L: ldc.i4 0x02400000
            ldc.i4 0x00400000
            ldc.i4 0x02000000
            cpblk
            br.s L'
body[initblk]='L: ldc.i4 0x00400000
            ldc.i4.0
            ldc.i4 0x04000000
            initblk
            br.s L'
body[hashtable]='newobj instance void [mscorlib]System.Collections.Hashtable::.ctor()
            stloc.0
        L:  ldloc.0
            ldloc.1
            box [mscorlib]System.Int32
            ldnull
            callvirt instance void [mscorlib]System.Collections.Hashtable::set_Item(object, object)
            ldloc.1
            ldc.i4.1
            add
            stloc.1
            br.s L'

# FILE IN OUT: raise SizeOfImage to 64 MiB; check the image base the loops use
raise_image() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
opt = pe + 24
assert struct.unpack_from('<H', d, opt)[0] == 0x10b, 'not PE32'
base = struct.unpack_from('<I', d, opt + 28)[0]
assert base == 0x400000, 'image base %#x, the loops assume 0x400000' % base
struct.pack_into('<I', d, opt + 56, 64 << 20)
open(sys.argv[2], 'wb').write(d)
PY
}

# NAME CMD...: run with a CPU limit above the promise (a hang is a failure,
# not a stuck test), then check the promise, the exit and the one line
bounded() {
    local name=$1
    shift
    (ulimit -t $((CPU_MAX * 3)); \
        /usr/bin/time -f '%U %S %M' -o "$T/$name.time" "$@" >"$T/$name.out" 2>"$T/$name.err")
    echo $? >"$T/$name.rc"
    # the last line (after "Command terminated by signal" when killed)
    local u=999 s=0 rss=0 cpu
    read -r u s rss < <(tail -1 "$T/$name.time")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
    echo "$name: cpu ${cpu}s, max rss ${rss} KB, exit $(cat "$T/$name.rc")"
    awk -v c="$cpu" -v m="$CPU_MAX" 'BEGIN { exit !(c <= m) }' && ok || bad "$name: $cpu s of CPU (over $CPU_MAX s)"
    [ "$rss" -le "$RSS_MAX_KB" ] && ok || bad "$name: $rss KB of RSS (over $RSS_MAX_KB KB)"
}

echo "a payload" >"$T/payload"
for c in cpblk initblk hashtable; do
    awk -v b="${body[$c]}" '{ if ($0 ~ /^ *\/\/ @BODY@$/) print b; else print }' "$SRC/Costly.il" >"$T/$c.il"
    (cd "$T" && ilasm /exe /output:"$T/$c.small.exe" "$T/$c.il" >"$T/$c.ilasm" 2>&1) ||
        { bad "$c: ilasm: $(tail -3 "$T/$c.ilasm")"; continue; }
    if [ "$c" = hashtable ]; then cp "$T/$c.small.exe" "$T/$c.exe"; else raise_image "$T/$c.small.exe" "$T/$c.exe" || { bad "$c: patch"; continue; }; fi
    bounded "$c.info" "$M" info "$T/$c.exe"
    grep -qx 'protector:      .NET Reactor (NecroBit)' "$T/$c.info.out" && ok ||
        bad "$c: info does not see the Reactor shape: $(cat "$T/$c.info.out" "$T/$c.info.err")"
    grep -q pclntab "$T/$c.info.out" "$T/$c.info.err" && bad "$c: info speaks of pclntab: $(grep pclntab "$T/$c.info.out")" || ok
    bounded "$c.unpack" "$M" jit-unpack "$T/$c.exe" -o "$T/$c.out.exe"
    expect_eq "$c: jit-unpack exit" "$(cat "$T/$c.unpack.rc")" 1
    expect_eq "$c: one line" "$(wc -l <"$T/$c.unpack.err")" 1
    grep -q "^malgopher: .*: too costly: emulator: " "$T/$c.unpack.err" && ok || bad "$c: $(head -c 300 "$T/$c.unpack.err")"
    [ -e "$T/$c.out.exe" ] && bad "$c: OUT written" || ok
done
# a .NET fixture some of whose bytes (its IL resources) look like a pclntab
# header to the search: today's warning named them
if [ -f "$FIX/basic32/packed.exe" ]; then
    for f in "$FIX/basic32/packed.exe" "$FIX/basic32/res/Basic.exe"; do
        "$M" info "$f" >"$T/fix.out" 2>&1
        grep -q '^dotnet: *yes' "$T/fix.out" && ok || bad "$f: not .NET: $(head -3 "$T/fix.out")"
        grep -q pclntab "$T/fix.out" && bad "$f: info speaks of pclntab: $(grep pclntab "$T/fix.out")" || ok
    done
else
    echo "note: no .NET fixtures in '$FIX' (the dotnet_build test makes them): basic32 not checked"
fi
for c in cpblk initblk hashtable; do [ -f "$T/$c.unpack.err" ] && echo "$c: $(cat "$T/$c.unpack.err")"; done
finish test_emu_cost
