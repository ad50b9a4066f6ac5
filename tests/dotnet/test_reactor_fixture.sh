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
finish test_reactor_fixture
