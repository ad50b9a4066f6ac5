#!/usr/bin/env bash
# test_jit_unpack.sh - `malgopher info` on .NET assemblies and `malgopher
# jit-unpack`, on the fixtures of build_fixtures.sh.  Oracles: the unpacked
# program run with `mono` prints exactly what the original prints and exits
# alike; `monodis` shows the original IL for every method; the packer's own
# counts (pack.txt, methods.txt) for the evidence `info` reports.  Negative
# cases: plain assemblies, Go and native PE files, ELF, text, truncated and
# corrupted assemblies -> one stderr line, exit 1, OUT never written.
# hookedca: --strip re-sorts the CustomAttribute rows (monodis the oracle).
# usage: test_jit_unpack.sh MALGOPHER DOTNET_FIXTURES GO_FIXTURES
set -u
M=$1 FX=$2 GOFX=$3
HERE=$(cd "$(dirname "$0")" && pwd)
PY="python3 $HERE/jitpack.py"
MD="python3 $HERE/monodis_methods.py"
if [ ! -f "$FX/.stamp" ]; then
    echo "SKIPPED: no .NET fixtures in $FX (Mono missing?)"
    exit 77
fi
. "$(dirname "$0")/../lib.sh"
pl() { # N ONE MANY
    if [ "$1" = 1 ]; then echo "$1 $2"; else echo "$1 $3"; fi
}
field() { # FILE LABEL: the value of a "label:   value" line of info/jit-unpack output
    sed -n "s/^$2: *//p" "$1"
}

"$M" jit-unpack --help | grep -q '^usage: malgopher jit-unpack' && ok || bad "jit-unpack --help"
"$M" --help | grep -q '^  jit-unpack IN -o OUT' && ok || bad "usage lists jit-unpack"

for fx in basic32 basic64 hooked; do
    d=$FX/$fx
    pk=$d/packed.exe
    orig=$(ls "$d"/orig/*.exe)
    bits=PE32
    [ $fx = basic64 ] && bits=PE32+
    extra=1 # basic has one ordinary resource (notes.txt) besides the IL ones
    [ $fx = hooked ] && extra=0
    ntok=$(wc -l <"$d/tokens.txt")
    read -r _ sb sm < <(grep '^shared' "$d/pack.txt")
    nmeth=$(wc -l <"$d/methods.txt")

    # --- info on the original: a .NET assembly, not packed
    "$M" info "$orig" >"$T/info" 2>&1
    expect_eq "$fx info orig exit" $? 0
    expect_eq "$fx info orig dotnet" "$(field "$T/info" dotnet)" "yes, $bits"
    expect_eq "$fx info orig runtime" "$(field "$T/info" 'clr runtime')" "v4.0.30319"
    expect_eq "$fx info orig packed" "$(field "$T/info" 'jit packed')" "no"
    expect_eq "$fx info orig evidence" "$(field "$T/info" 'jit evidence')" \
        "$([ $fx = hooked ] && echo 'module initializer' || echo none)"

    # --- info on the packed file: the evidence, counted by the packer
    "$M" info "$pk" >"$T/info" 2>&1
    expect_eq "$fx info packed exit" $? 0
    ntypes=$(awk '{sub(/::.*/, "", $3); print $3}' "$d/methods.txt" | sort -u | wc -l)
    expect_eq "$fx info packed methods" "$(field "$T/info" methods | cut -d' ' -f1)" "$nmeth"
    expect_eq "$fx info packed resources" "$(field "$T/info" methods | sed 's/.*types, //')" \
        "$((ntok + extra)) resources)"
    expect_eq "$fx info packed" "$(field "$T/info" 'jit packed')" "yes"
    want="$(pl $ntok 'IL resource' 'IL resources') named after method tokens, $ntok stubbed $(pl $ntok body bodies | cut -d' ' -f2), $(pl $sb body bodies) shared by $sm methods"
    [ $fx = hooked ] && want="$want, module initializer, P/Invoke of getJit from clrjit.dll"
    expect_eq "$fx info packed evidence" "$(field "$T/info" 'jit evidence')" "$want"
    "$M" info --json "$pk" >"$T/json"
    expect_eq "$fx info --json" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["dotnet"]
print(d["jit_packed"], d["il_resources"], d["stubbed"], d["shared_bodies"], d["shared_methods"], d["methods"], d["bits"])' "$T/json")" \
        "True $ntok $ntok $sb $sm $nmeth $([ $bits = PE32 ] && echo 32 || echo 64)"

    # --- the packed program does not run on Mono
    timeout 60 mono "$pk" >"$T/pk.out" 2>"$T/pk.err"
    if cmp -s "$T/pk.out" "$d/orig.stdout"; then bad "$fx: packed program runs like the original"; else ok; fi
    if [ $fx = hooked ]; then
        cat "$T/pk.out" "$T/pk.err" | grep -q 'Failed to run module constructor' && ok || bad "$fx: initializer did not throw"
    else
        grep -q 'InvalidProgramException' "$T/pk.err" && ok || bad "$fx: stubs did not fail"
    fi
    # monodis sees the stubs: every packed method differs (and, hooked, the initializer)
    monodis "$pk" >"$T/pk.il" 2>/dev/null
    expect_eq "$fx monodis packed differs" "$($MD differing "$d/orig.il" "$T/pk.il")" \
        "$((ntok + $([ $fx = hooked ] && echo 1 || echo 0)))"

    for strip in "" --strip; do
        tag="$fx${strip:+ strip}"
        out=$T/$fx$strip.exe
        "$M" jit-unpack $strip "$pk" -o "$out" >"$T/rep" 2>"$T/err"
        expect_eq "$tag exit" $? 0
        expect_eq "$tag stderr" "$(cat "$T/err")" ""
        expect_eq "$tag input" "$(field "$T/rep" input)" "$pk"
        expect_eq "$tag restored" "$(field "$T/rep" restored)" "$(pl $ntok method methods)"
        sect=$($PY sections "$out" | awk '$1 == ".mgil"')
        read -r _ srva ssize _ <<<"$sect"
        expect_eq "$tag split" "$(field "$T/rep" split)" \
            "$(pl $((sm - sb)) method methods) sharing $(pl $sb body bodies) got their own copies in new section .mgil (RVA 0x$srva, $((16#$ssize)) bytes)"
        if [ $fx = hooked ]; then
            expect_eq "$tag headers" "$(field "$T/rep" headers)" ""
            expect_eq "$tag initializer" "$(field "$T/rep" initializer)" \
                "1 hook call in <Module>::.cctor replaced by nops"
        else # mcs leaves no room for a fifth section header: the headers grow
            expect_eq "$tag headers" "$(field "$T/rep" headers)" \
                "section data moved down 0x200 bytes to make room for the new section header"
            expect_eq "$tag initializer" "$(field "$T/rep" initializer)" "none"
        fi
        if [ -n "$strip" ]; then
            expect_eq "$tag resources" "$(field "$T/rep" resources)" "$(pl $ntok 'IL resource' 'IL resources') dropped"
        else
            expect_eq "$tag resources" "$(field "$T/rep" resources)" "IL resources kept (--strip drops them)"
        fi
        expect_eq "$tag output" "$(field "$T/rep" output)" "$out ($(stat -c %s "$out") bytes)"
        # no body is shared any more
        expect_eq "$tag shared RVAs" "$($PY methods "$out" | awk '$2 != "0" {print $2}' | sort | uniq -d)" ""
        # oracle 1: mono runs it exactly like the original
        timeout 60 mono "$out" >"$T/run.out" 2>"$T/run.err"
        expect_eq "$tag mono exit" $? "$(cat "$d/orig.rc")"
        if cmp -s "$T/run.out" "$d/orig.stdout"; then ok; else
            bad "$tag mono output differs"; diff "$T/run.out" "$d/orig.stdout" | head -5
        fi
        # oracle 2: monodis shows the original IL for every method
        monodis "$out" >"$T/un.il" 2>/dev/null
        expect_eq "$tag monodis" "$($MD same "$d/orig.il" "$T/un.il")" \
            "$(grep -c '^ *} // end of \(global \)\?method' "$d/orig.il") methods, same IL"
        # info now says: not packed
        "$M" info "$out" >"$T/info"
        expect_eq "$tag info packed" "$(field "$T/info" 'jit packed')" "no"
        if [ -n "$strip" ]; then
            expect_eq "$tag manifest" "$(monodis --manifest "$out" | head -1)" \
                "Manifestresource Table (1..$extra)"
            expect_eq "$tag info resources" "$(field "$T/info" methods | sed 's/.*types, //')" \
                "$extra resources)"
            if [ $fx != hooked ]; then # nothing but the assembly's GUID and RVAs differs
                expect_eq "$tag monodis whole" \
                    "$(diff <(grep -v -e 'Method begins at RVA' -e '^\.module' "$d/orig.il") \
                            <(grep -v -e 'Method begins at RVA' -e '^\.module' "$T/un.il"))" ""
            fi
        else
            expect_eq "$tag info evidence" "$(field "$T/info" 'jit evidence' | cut -d, -f1-2)" \
                "$(pl $ntok 'IL resource' 'IL resources') named after method tokens, $(pl $ntok body bodies) already restored"
        fi
    done
    # unpacking the unpacked (resources kept) is refused: nothing left to restore
    "$M" jit-unpack "$T/$fx.exe" -o "$T/again.exe" >/dev/null 2>"$T/err"
    expect_eq "$fx again" "$?:$(cat "$T/err")" \
        "1:malgopher: $T/$fx.exe: not JIT-hook packed (no stubbed method bodies)"
    [ ! -e "$T/again.exe" ] && ok || bad "$fx again: OUT written"
done

# --- a signed file with a CheckSum: the certificate (after the last section)
# stays, its directory is cleared, the CheckSum is recomputed
$PY sign "$FX/basic32/packed.exe" "$T/signed.exe"
expect_eq "signed input checksum" "$($PY checksum "$T/signed.exe")" valid
"$M" jit-unpack "$T/signed.exe" -o "$T/signed-un.exe" >"$T/rep" 2>&1
expect_eq "signed exit" $? 0
expect_eq "signed report" "$(field "$T/rep" signature)" "Authenticode directory cleared (no longer valid)"
expect_eq "signed checksum" "$($PY checksum "$T/signed-un.exe")" valid
expect_eq "signed directory" "$($PY sections "$T/signed-un.exe" | grep '^security')" "security 0 0"
timeout 60 mono "$T/signed-un.exe" >"$T/run.out" 2>&1
cmp -s "$T/run.out" "$FX/basic32/orig.stdout" && ok || bad "signed: mono output differs"

# --- refusals and damaged input: one stderr line, exit 1, OUT untouched
pk=$FX/basic32/packed.exe
refuse() { # DESC FILE WANT-REASON
    echo sentinel >"$T/out.exe"
    "$M" jit-unpack "$2" -o "$T/out.exe" >"$T/stdout" 2>"$T/err"
    expect_eq "$1 exit" $? 1
    expect_eq "$1 stderr" "$(cat "$T/err")" "malgopher: $2: $3"
    expect_eq "$1 stdout" "$(cat "$T/stdout")" ""
    expect_eq "$1 OUT untouched" "$(cat "$T/out.exe")" "sentinel"
    expect_eq "$1 no temp file" "$(ls "$T" | grep -c '\.tmp\.')" 0
}
refuse "plain assembly" "$FX/basic32/orig/Basic.exe" \
    "not JIT-hook packed (no IL resources named after method tokens)"
refuse "plain assembly 64" "$FX/basic64/orig/Basic.exe" \
    "not JIT-hook packed (no IL resources named after method tokens)"
refuse "resources, not stubbed" "$FX/basic32/res/Basic.exe" "not JIT-hook packed (no stubbed method bodies)"
for go in windows-amd64-plain/mgfixture.exe windows-386-stripped/mgfixture.exe; do
    if [ -f "$GOFX/$go" ]; then
        refuse "Go PE $go" "$GOFX/$go" "not a .NET assembly (no CLI header)"
    else
        bad "Go fixture $GOFX/$go missing"
    fi
done
$PY corrupt "$pk" "$T/native.exe" nocli
refuse "native PE" "$T/native.exe" "not a .NET assembly (no CLI header)"
refuse "ELF" "$GOFX/linux-amd64-plain/mgfixture" "not a .NET assembly (not a PE file)"
printf 'MZ but nothing else\n' >"$T/mz.txt"
refuse "MZ text" "$T/mz.txt" "malformed PE: no PE signature"
: >"$T/empty.exe"
refuse "empty" "$T/empty.exe" "empty file"
refuse "missing" "$T/missing.exe" "No such file or directory"
size=$(stat -c %s "$pk")
head -c $((size - 1)) "$pk" >"$T/trunc1.exe"
refuse "truncated by 1" "$T/trunc1.exe" \
    "malformed PE: section .reloc runs past the end of the file (truncated?)"
head -c $((size / 2)) "$pk" >"$T/trunc2.exe"
refuse "truncated to half" "$T/trunc2.exe" "malformed .NET metadata: metadata outside the sections"
head -c 300 "$pk" >"$T/trunc3.exe"
refuse "truncated headers" "$T/trunc3.exe" "malformed PE: section table truncated"
$PY corrupt "$pk" "$T/bsjb.exe" bsjb
refuse "metadata signature" "$T/bsjb.exe" "malformed .NET metadata: no BSJB signature"
$PY corrupt "$pk" "$T/rows.exe" rows
refuse "row count" "$T/rows.exe" "malformed .NET metadata: table 0x06 runs past the table stream"
$PY corrupt "$pk" "$T/body.exe" body
first=$(head -1 "$FX/basic32/tokens.txt")
rva=$(awk -v t="$first" '$1 == t {print $2}' "$FX/basic32/methods.txt")
refuse "method header" "$T/body.exe" \
    "cannot restore method 0x$first: malformed .NET metadata: method body at RVA 0x$rva: unknown header format"
$PY corrupt "$pk" "$T/reslen.exe" reslen
refuse "resource length" "$T/reslen.exe" \
    "cannot restore method 0x$first: IL resource outside the Resources directory"
# info on the damaged ones: still one report per file, the .NET part says why
"$M" info "$T/bsjb.exe" >"$T/info" 2>&1
expect_eq "info damaged exit" $? 0
expect_eq "info damaged" "$(field "$T/info" dotnet)" \
    "yes, unreadable (malformed .NET metadata: no BSJB signature)"
"$M" info "$GOFX/windows-amd64-plain/mgfixture.exe" >"$T/info" 2>&1
expect_eq "info Go PE has no dotnet lines" "$(grep -c -e '^dotnet:' -e '^jit' "$T/info")" 0
# an OUT that cannot be created
"$M" jit-unpack "$pk" -o "$T/no/such/dir/out.exe" >/dev/null 2>"$T/err"
expect_eq "unwritable OUT" "$?:$(cat "$T/err")" "1:malgopher: $T/no/such/dir/out.exe: No such file or directory"
# usage errors exit 2
"$M" jit-unpack "$pk" >/dev/null 2>&1; expect_eq "no -o" $? 2
"$M" jit-unpack -o "$T/x.exe" >/dev/null 2>&1; expect_eq "no IN" $? 2
"$M" jit-unpack "$pk" "$pk" -o "$T/x.exe" >/dev/null 2>&1; expect_eq "two INs" $? 2
"$M" jit-unpack --bogus "$pk" -o "$T/x.exe" >/dev/null 2>&1; expect_eq "unknown option" $? 2
"$M" jit-unpack "$pk" -o >/dev/null 2>&1; expect_eq "-o without file" $? 2
[ ! -e "$T/x.exe" ] && ok || bad "usage error wrote OUT"

# hookedca: the custom attribute of the resource --strip keeps (after the 7
# IL ones) comes first once the resource is row 1 (ECMA-335 II.22: the
# CustomAttribute table is sorted by parent): monodis shows the order
"$M" jit-unpack --strip "$FX/hookedca/packed.exe" -o "$T/ca.exe" >/dev/null 2>&1 && ok || bad "hookedca: jit-unpack --strip"
expect_eq "hookedca: input attributes" \
    "$(monodis --customattr "$FX/hookedca/packed.exe" | sed -n 's/^[0-9]*: \([A-Za-z]*: [0-9]*\):.*/\1/p' | tr '\n' ,)" \
    "TypeDef: 4,Manifest: 8,"
expect_eq "hookedca: stripped attributes re-sorted" \
    "$(monodis --customattr "$T/ca.exe" | sed -n 's/^[0-9]*: \([A-Za-z]*: [0-9]*\):.*/\1/p' | tr '\n' ,)" \
    "Manifest: 1,TypeDef: 4,"
mono "$T/ca.exe" >"$T/ca.out" 2>&1
cmp -s "$T/ca.out" "$FX/hooked/orig.stdout" && ok || bad "hookedca: output differs from the original's"

finish jit-unpack
