#!/usr/bin/env bash
# build_fixtures.sh - builds the .NET fixtures of the jit-unpack tests from
# our own sources with Debian's Mono, and packs them with our imitation of a
# JIT-hook packer (jitpack.py):
#
#   basic32   src/Basic.cs (with src/notes.txt as an ordinary resource), mcs (PE32, anycpu)
#   basic64   src/Basic.cs, mcs -platform:x64 (PE32+)
#   hooked    src/Hooked.il, ilasm; packed with a module initializer that
#             calls src/JitHook.il's P/Invoke of getJit
#
# Each fixture gets orig/ (the program as written), res/ (the same program
# compiled a second time with each method's IL embedded as a resource named
# after its token), packed.exe (res/ with the code stubbed with 0x87 and
# identical bodies shared), and the oracle files: orig.stdout and orig.rc
# (what `mono` prints and returns), orig.il (monodis), tokens.txt (the
# packed methods), pack.txt (stubbed and shared counts from the packer),
# methods.txt (token, RVA, name of every method of packed.exe).
# Also, for the allocation fault test: hookedca/, reactor/, emuops/ (below).
#
# usage: build_fixtures.sh OUTDIR      (exit 77 when Mono is not installed)
set -euo pipefail
OUT=$(realpath -m "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY="python3 $HERE/jitpack.py"
for t in mcs ilasm mono monodis python3; do
    if ! command -v "$t" >/dev/null; then
        echo "SKIPPED: $t not found (Debian: mono-mcs mono-devel mono-runtime mono-utils python3)"
        exit 77
    fi
done
stamp=$OUT/.stamp
if [ -f "$stamp" ] && [ -z "$(find "$HERE" -type f -newer "$stamp" | head -1)" ]; then
    echo "dotnet fixtures up to date in $OUT"
    exit 0
fi
W=$OUT.tmp
rm -rf "$W"
mkdir -p "$W"
LOG=$W/build.log

run() { # quiet unless it fails
    if ! "$@" >>"$LOG" 2>&1; then
        echo "FAILED: $*"
        tail -20 "$LOG"
        exit 1
    fi
}

oracles() { # DIR ORIG
    local d=$1 orig=$2 rc=0
    mono "$orig" >"$d/orig.stdout" 2>"$d/orig.stderr" || rc=$?
    echo "$rc" >"$d/orig.rc"
    [ "$rc" = 0 ] || { echo "FAILED: mono $orig exited $rc"; exit 1; }
    monodis "$orig" >"$d/orig.il"
    $PY methods "$d/packed.exe" >"$d/methods.txt"
    local n stubbed
    n=$(wc -l <"$d/tokens.txt")
    stubbed=$(awk '$1 == "stubbed" {print $2}' "$d/pack.txt")
    [ "$n" -gt 0 ] && [ "$n" = "$stubbed" ] || { echo "FAILED: $d: $n tokens, $stubbed stubbed"; exit 1; }
    awk '$1 == "shared" && $2 > 0 {ok = 1} END {exit !ok}' "$d/pack.txt" ||
        { echo "FAILED: $d: no shared bodies"; exit 1; }
    echo "$(basename "$d"): $n methods packed, $(grep shared "$d/pack.txt")"
}

pack_cs() { # NAME MCS-OPTIONS...
    local name=$1 d=$W/$1
    shift
    mkdir -p "$d/orig" "$d/res" "$d/il"
    run mcs -out:"$d/orig/Basic.exe" "$@" -resource:"$HERE/src/notes.txt,notes.txt" "$HERE/src/Basic.cs"
    $PY extract "$d/orig/Basic.exe" "$d/il" >"$d/tokens.txt"
    local args=() t
    while read -r t; do args+=("-resource:$d/il/$t,$t"); done <"$d/tokens.txt"
    # the IL resources first, then the ordinary one (its row is renumbered by --strip)
    run mcs -out:"$d/res/Basic.exe" "$@" "${args[@]}" -resource:"$HERE/src/notes.txt,notes.txt" \
        "$HERE/src/Basic.cs"
    $PY pack "$d/res/Basic.exe" "$d/packed.exe" >"$d/pack.txt"
    oracles "$d" "$d/orig/Basic.exe"
}

pack_il() {
    local d=$W/hooked t
    mkdir -p "$d/orig" "$d/hooked" "$d/res" "$d/il"
    run ilasm /exe /output:"$d/orig/Hooked.exe" "$HERE/src/Hooked.il"
    # the packer's injection: the hook call in the initializer, the hook type after the program
    sed 's|nop nop nop nop nop // @HOOK@|call void JitHook::Install()|' "$HERE/src/Hooked.il" >"$d/hooked.il"
    grep -q 'call void JitHook::Install()' "$d/hooked.il" || { echo "FAILED: no @HOOK@ marker"; exit 1; }
    cat "$HERE/src/JitHook.il" >>"$d/hooked.il"
    run ilasm /exe /output:"$d/hooked/Hooked.exe" "$d/hooked.il"
    $PY extract "$d/hooked/Hooked.exe" "$d/il" --skip-type JitHook >"$d/tokens.txt"
    cp "$d/hooked.il" "$d/il/res.il"
    while read -r t; do echo ".mresource public '$t' { }" >>"$d/il/res.il"; done <"$d/tokens.txt"
    (cd "$d/il" && run ilasm /exe /output:"$d/res/Hooked.exe" res.il) # embeds ./<token>
    $PY pack "$d/res/Hooked.exe" "$d/packed.exe" >"$d/pack.txt"
    oracles "$d" "$d/orig/Hooked.exe"
}

# hookedca: hooked's program with a class carrying two custom attributes,
# one of them moved onto a resource kept by --strip, after the IL ones: the
# stripped file's CustomAttribute rows must be sorted again (strip.c).
pack_ca() {
    local d=$W/hookedca
    mkdir -p "$d/il"
    cp "$W/hooked/il/"* "$d/il/"
    cat >>"$d/il/res.il" <<'EOF'
.class private auto ansi abstract sealed Marked extends [mscorlib]System.Object
{
    .custom instance void [mscorlib]System.ObsoleteAttribute::.ctor() = (01 00 00 00)
    .method static void Unused() cil managed
    {
        .custom instance void [mscorlib]System.ObsoleteAttribute::.ctor() = (01 00 00 00)
        ret
    }
}
.mresource public 'kept' { }
EOF
    echo "a resource --strip keeps" >"$d/il/kept"
    (cd "$d/il" && run ilasm /exe /output:"$d/res.exe" res.il)
    $PY pack "$d/res.exe" "$d/stubbed.exe" >"$d/pack.txt"
    $PY ca-to-resource "$d/stubbed.exe" "$d/packed.exe"
}

# reactor: src/Guarded.cs protected by our .NET Reactor imitation
# (reactorpack.py, seed 1); emuops: emu_ops.py's EmuOps.exe (the
# emulator's opcode groups).  For the allocation fault test.
pack_emu() {
    local d=$W/reactor
    mkdir -p "$d" "$W/emuops"
    run mcs -out:"$d/orig.exe" "$HERE/src/Guarded.cs"
    REACTORPACK_SOURCES="$HERE/src/Guarded.cs:$d/Protector.cs" python3 "$HERE/reactorpack.py" pack \
        "$d/orig.exe" "$d" "$d/packed.exe" 1 >"$d/pack.txt" 2>>"$LOG" || { echo "FAILED: reactorpack"; exit 1; }
    run python3 "$HERE/emu_ops.py" "$W/emuops/EmuOps.il"
    run ilasm /output:"$W/emuops/EmuOps.exe" "$W/emuops/EmuOps.il"
}

pack_cs basic32
pack_cs basic64 -platform:x64
pack_il
pack_ca
pack_emu
rm -rf "$OUT"
mv "$W" "$OUT"
touch "$OUT/.stamp"
