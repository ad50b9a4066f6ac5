#!/usr/bin/env bash
# test_emu_ops.sh - the CIL emulator's opcode groups against mono: emu_ops.py
# writes EmuOps.il (int32/int64/native int arithmetic and wrap-around,
# conversions with and without overflow checks, conv.r.un, float operations
# and NaN comparisons, branches and switch, calls and recursion, arrays,
# pinned pointers with ldind/stind, pointers to locals, exception handling
# with finally order and rethrow, Hashtable keys); ilasm builds it; emu_run's lines (the
# emulator) must equal mono's (the oracle), case by case.
# And the sandbox's reach: the undefined symbols of the emulator's and the
# .NET Reactor path's objects in LIBMALGOPHER (nm) are libc memory, string
# and math functions (and qsort) and the library's own: no exec, fork, dlopen, file or
# socket call can be reached from there.
# usage: test_emu_ops.sh EMU_RUN LIBMALGOPHER
set -u
RUN=$1 LIB=${2:-}
for tool in ilasm mono python3; do
    command -v $tool >/dev/null || { echo "SKIPPED: $tool missing"; exit 77; }
done
. "$(dirname "$0")/../lib.sh"
python3 "$(dirname "$0")/emu_ops.py" "$T/EmuOps.il" || { bad "emu_ops.py"; finish test_emu_ops; exit; }
ilasm /output:"$T/EmuOps.exe" "$T/EmuOps.il" >"$T/ilasm.log" 2>&1 || bad "ilasm: $(tail -3 "$T/ilasm.log")"
mono "$T/EmuOps.exe" >"$T/mono.txt" 2>&1 || bad "mono EmuOps.exe"
"$RUN" "$T/EmuOps.exe" >"$T/emu.txt" 2>&1 || bad "emu_run failed"
n=$(wc -l <"$T/mono.txt")
[ "$n" -ge 50 ] && ok || bad "only $n cases from mono"
while read -r name want; do
    got=$(sed -n "s/^$name //p" "$T/emu.txt")
    expect_eq "$name" "$got" "$want"
done <"$T/mono.txt"
# each refusal: one message naming what stopped the run (a cap: "too costly")
refused() { # NAME TEXT
    grep -q "^$1 refused: \(too costly: \)\{0,1\}emulator: .*$2" "$T/emu.txt" && ok || bad "$1: $(grep "^$1 " "$T/emu.txt")"
}
refused loop_forever "work cap (50000000 units: instructions and bytes moved) reached"
refused recurse_forever "call depth cap (96) reached"
refused huge_array "array of 2147483647 elements over the cap"
refused unmodelled "framework method System.Console::Beep (0 parameters) not modelled"
refused pinvoke "native function GetTickCount not modelled"
refused wild_pointer "read of unmapped address 0x1234"
if [ -n "$LIB" ] && command -v nm >/dev/null; then
    nm -A "$LIB" 2>/dev/null | grep -E '(emu_[a-z_]+|reactor(_unpack)?)\.c\.o:' | awk '$(NF-1) == "U" {print $NF}' |
        sort -u >"$T/undef"
    [ -s "$T/undef" ] && ok || bad "no emulator objects in $LIB"
    others=$(grep -vE '^(mg_|emu_)|^(calloc|realloc|free|memcpy|memmove|memset|memcmp|strcmp|strncmp|strlen|strchr|strrchr|qsort|snprintf|vsnprintf|fmod|ldexp|trunc|__[A-Za-z0-9_]+|_GLOBAL_OFFSET_TABLE_)$' "$T/undef" | tr '\n' ' ')
    expect_eq "emulator reaches outside libc memory/string/math" "$others" ""
fi
finish test_emu_ops
