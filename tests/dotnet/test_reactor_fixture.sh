#!/usr/bin/env bash
# test_reactor_fixture.sh - jit-unpack on our own .NET Reactor imitation
# (reactorpack.py) protecting src/Guarded.cs, PE32 anycpu (the emulator's
# IntPtr.Size 8) and x86 (32BITREQUIRED: IntPtr.Size 4), two protector
# builds each (different keys, IV, qword constant,
# state layout and resource name).  Oracles: the program built with mcs, run
# with mono (the unpacked file must print exactly that); monodis of the
# protector's pre-stub stage (the unpacked file must differ from it only in
# the initializer, which returns at once, and the type initializers whose
# injected call became nops); the protector's own counts for `info`.
# Then hostile variants of one fixture: truncated, damaged resource, random
# corruptions (exit 0, or one error line and OUT not written).
# (No PE32+ here: Mono's ilasm, which the splice of the initializer call
# into <Module>::.cctor needs, writes PE32 only.)
# usage: test_reactor_fixture.sh MALGOPHER
set -u
M=$1
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in mcs ilasm mono monodis python3; do
    command -v $tool >/dev/null || { echo "SKIPPED: $tool missing"; exit 77; }
done
. "$HERE/../lib.sh"
MD="python3 $HERE/monodis_methods.py"
for plat in anycpu x86; do
    mcs -platform:$plat -out:"$T/orig_$plat.exe" "$HERE/src/Guarded.cs" >/dev/null || { bad "mcs $plat"; continue; }
    mono "$T/orig_$plat.exe" >"$T/want" 2>&1
    for seed in 1 2; do
        tag=$plat/$seed w=$T/w_${plat}_$seed
        mkdir -p "$w"
        REACTORPACK_SOURCES="$HERE/src/Guarded.cs:$w/Protector.cs" python3 "$HERE/reactorpack.py" pack \
            "$T/orig_$plat.exe" "$w" "$w/packed.exe" $seed >"$w/pack.txt" 2>"$w/pack.err" ||
            { bad "$tag: reactorpack: $(tail -2 "$w/pack.err")"; continue; }
        n=$(sed -n 's/^stubbed //p' "$w/pack.txt")
        read -r _ rname rsize < <(grep '^resource' "$w/pack.txt")
        "$M" info "$w/packed.exe" >"$w/info"
        grep -qx 'protector:      .NET Reactor (NecroBit)' "$w/info" && ok || bad "$tag: no protector line"
        grep -q "^protector evidence: $n stubbed bodies, initializer 0x0600[0-9a-f]* called first by 2 type initializers, private resource '$rname' ($rsize bytes)\$" "$w/info" \
            && ok || bad "$tag: evidence $(grep evidence "$w/info") (want $n stubs, $rname $rsize)"
        bits=PE32
        grep -qx "dotnet:         yes, $bits" "$w/info" && ok || bad "$tag: not $bits"
        mono "$w/packed.exe" 2>&1 | grep -q '^tiny' && bad "$tag: packed program ran" || ok
        "$M" jit-unpack "$w/packed.exe" -o "$w/un.exe" >"$w/rep" 2>&1 && ok || bad "$tag: jit-unpack: $(cat "$w/rep")"
        grep -qx "restored:       $n methods" "$w/rep" && ok || bad "$tag: $(head -2 "$w/rep")"
        mono "$w/un.exe" >"$w/got" 2>&1
        cmp -s "$w/got" "$T/want" && ok || bad "$tag: output: $(diff "$w/got" "$T/want" | head -4)"
        monodis "$w/stage.exe" >"$w/stage.il" 2>/dev/null
        monodis "$w/packed.exe" >"$w/packed.il" 2>/dev/null
        monodis "$w/un.exe" >"$w/un.il" 2>/dev/null
        expect_eq "$tag: packed differs from stage" "$($MD differing "$w/stage.il" "$w/packed.il")" "$n"
        expect_eq "$tag: unpacked differs from stage" "$($MD differing "$w/stage.il" "$w/un.il")" 3
    done
done

# hostile input: a truncated file, a damaged resource (the decryption gives
# garbage), and random corruptions: exit 0 or a one-line error with OUT
# never written, never a crash or a hang
pk=$T/w_anycpu_1/packed.exe
if [ -f "$pk" ]; then
    size=$(stat -c %s "$pk")
    head -c $((size / 2)) "$pk" >"$T/trunc.exe"
    "$M" jit-unpack "$T/trunc.exe" -o "$T/o.exe" 2>"$T/err" && bad "truncated accepted" || ok
    expect_eq "truncated: one line" "$(wc -l <"$T/err")" 1
    [ -e "$T/o.exe" ] && bad "truncated: OUT written" || ok
    read -r _ rname rsize < <(grep '^resource' "$T/w_anycpu_1/pack.txt")
    python3 - "$pk" "$T/res.exe" "$rsize" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
n = int(sys.argv[3])
# the ciphertext: the run of n bytes after its length prefix
for at in range(len(d) - 4):
    if int.from_bytes(d[at:at + 4], 'little') == n and at + 4 + n <= len(d):
        for i in range(at + 4, at + 4 + n, 3):
            d[i] ^= 0x5a
        break
open(sys.argv[2], 'wb').write(d)
PY
    "$M" jit-unpack "$T/res.exe" -o "$T/o.exe" 2>"$T/err" && bad "damaged resource accepted" || ok
    grep -q '^malgopher: .*: emulator: ' "$T/err" && ok || bad "damaged resource: $(cat "$T/err")"
    [ -e "$T/o.exe" ] && bad "damaged resource: OUT written" || ok
    for i in $(seq 1 20); do
        python3 -c "
import random, sys
r = random.Random($i)
d = bytearray(open('$pk', 'rb').read())
for _ in range(r.randint(1, 6)):
    d[r.randrange(len(d))] = r.randrange(256)
open('$T/c.exe', 'wb').write(d)"
        rm -f "$T/o.exe"
        timeout 60 "$M" jit-unpack "$T/c.exe" -o "$T/o.exe" >/dev/null 2>"$T/err"
        rc=$?
        if [ $rc = 0 ]; then ok
        elif [ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && [ ! -e "$T/o.exe" ]; then ok
        else bad "corruption $i: rc $rc: $(head -2 "$T/err")"; fi
    done
fi
finish test_reactor_fixture
