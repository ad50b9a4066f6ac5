#!/usr/bin/env bash
# test_reactor.sh - `malgopher info` and `jit-unpack` on the four real .NET
# Reactor (NecroBit) samples of the public JITHook research repository
# (LJP-TW/JITHook: sample/.NET Reactor/*.exe_).  Nothing of that repository
# is committed here: the test reads a git checkout of it (bare or not) named
# by MG_JITHOOK_REPO and skips (77) without one.
# Oracles: the programs' own sources in that repository (testprog*/Program.cs)
# built with mcs and run with mono give the expected output; the unpacked
# sample run with mono must print exactly that.  `info` must name the
# protector.  No process is spawned and no sample code runs natively:
# jit-unpack runs under `strace -f -e trace=execve,fork,vfork,clone,clone3`: the trace must hold
# exactly one execve (malgopher's own) and no fork/vfork/clone; the input
# file must be byte-identical afterwards.
# usage: test_reactor.sh MALGOPHER
set -u
M=$1
REPO=${MG_JITHOOK_REPO:-}
if [ -z "$REPO" ] || ! git --git-dir="$REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
    if [ -n "$REPO" ] && git -C "$REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
        REPO=$(git -C "$REPO" rev-parse --git-dir | sed "s#^\([^/]\)#$REPO/\1#")
    else
        echo "SKIPPED: no JITHook repository (set MG_JITHOOK_REPO to a git checkout of LJP-TW/JITHook)"
        exit 77
    fi
fi
for tool in mono mcs strace; do
    command -v $tool >/dev/null || { echo "SKIPPED: $tool missing"; exit 77; }
done
. "$(dirname "$0")/../lib.sh"
show() { git --git-dir="$REPO" show "HEAD:$1"; }

for prog in testprog testprog2; do
    show "$prog/Program.cs" >"$T/$prog.cs" || { bad "$prog/Program.cs missing"; continue; }
    mcs -out:"$T/$prog.exe" "$T/$prog.cs" >/dev/null 2>&1 || { bad "mcs $prog"; continue; }
    echo | mono "$T/$prog.exe" >"$T/$prog.want" 2>&1
done

for s in testprog_packed testprog_any_packed testprog2_packed testprog2_any_packed; do
    in=$T/$s.exe out=$T/$s.out.exe
    show "sample/.NET Reactor/$s.exe_" >"$in" || { bad "$s missing"; continue; }
    before=$(sha256sum <"$in")
    "$M" info "$in" >"$T/info" 2>&1
    grep -qx 'protector:      .NET Reactor (NecroBit)' "$T/info" && ok || bad "$s: info names no protector"
    grep -q '^protector evidence: 20 stubbed bodies, initializer 0x06000036 called first by 19 type initializers, private resource' "$T/info" \
        && ok || bad "$s: evidence: $(grep evidence "$T/info")"
    # the packed sample does not run on mono (its initializer wants the Windows JIT)
    echo | timeout 60 mono "$in" 2>&1 | grep -q 'Test tinyFunc1' && bad "$s: packed sample ran" || ok
    # (LeakSanitizer cannot run under ptrace: off for this run in ASan builds)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$T/trace" "$M" jit-unpack "$in" -o "$out" >"$T/rep" 2>&1 && ok || bad "$s: jit-unpack: $(cat "$T/rep")"
    expect_eq "$s: execve calls" "$(grep -c 'execve(' "$T/trace")" 1
    expect_eq "$s: process creations" "$(grep -cE '(^|[ ])(fork|vfork|clone|clone3)\(' "$T/trace")" 0
    expect_eq "$s: input untouched" "$(sha256sum <"$in")" "$before"
    grep -q '^restored:       20 methods' "$T/rep" && ok || bad "$s: $(head -3 "$T/rep")"
    prog=${s%_packed}
    prog=${prog%_any}
    echo | timeout 60 mono "$out" >"$T/got" 2>&1
    if cmp -s "$T/got" "$T/$prog.want"; then ok; else bad "$s: output differs: $(diff "$T/got" "$T/$prog.want" | head -5)"; fi
    # the unpacked file is no longer protected and no longer restorable
    "$M" info "$out" | grep -q '^protector:' && bad "$s: unpacked still flagged" || ok
    "$M" jit-unpack "$out" -o "$T/again.exe" 2>"$T/err" && bad "$s: unpacked twice" || ok
    [ -e "$T/again.exe" ] && bad "$s: refused run wrote OUT" || ok
done
finish test_reactor
