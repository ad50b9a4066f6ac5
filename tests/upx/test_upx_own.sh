#!/usr/bin/env bash
# test_upx_own.sh MALGOPHER FIXTURE_DIR - UPX formats, methods and tampering
# that ../shared/upx/ lacks, made by our own packer (tests/upx/upxpack.py,
# validated against UPX 4.2.3 by test_upxpack_format.py) from Go fixtures of
# several architectures. The oracle is the original file:
#   - `malgopher hash` of the packed file gives the original's gimphash and
#     gimpfuzzy;
#   - on ELF, `malgopher unpack` gives the original bytes (sha256);
#   - on a PE whose sections' file order is not their RVA order (made by
#     pe_layout.py --reorder; the in-place layout refuses it and copies),
#     `unpack` gives the original's size, section table and section bytes;
#   - crafted packed files (a b_info claiming more than the file holds, a
#     block whose data no longer matches the checksums, overlapping blocks, an
#     unpacked size above the cap) are
#     refused: exit 1 and one line that names the file and says it is packed.
# Skipped (77) without libucl/liblzma for Python, without the fixtures, or
# when this malgopher has no `unpack` command yet.
set -u
M=$1
FX=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
PY=${PYTHON:-python3}
# a plain interpreter avoids a wrapper's start-up cost (pyenv shims)
[ -x /usr/bin/python3 ] && PY=${PYTHON:-/usr/bin/python3}

"$M" unpack --help >/dev/null 2>&1 || { echo "SKIP: $M has no 'unpack' command (the upx-unpack branch)"; exit 77; }
"$PY" -B -c "import sys; sys.path.insert(0, '$HERE'); import upxcodec; upxcodec.nrv_compress(b'x' * 64, 8); upxcodec.lzma_compress(b'x' * 64, 0)" \
    2>/dev/null || { echo "SKIP: libucl / liblzma not loadable from $PY"; exit 77; }

A64=$FX/windows-amd64-stripped/mgfixture.exe
A32=$FX/windows-386-plain/mgfixture.exe
W386=$FX/windows-386-stripped/mgfixture.exe
L64=$FX/linux-amd64-stripped/mgfixture
L386=$FX/linux-386-plain/mgfixture
LA64=$FX/linux-arm64-stripped/mgfixture
LARM=$FX/linux-arm-stripped/mgfixture
LMIPS=$FX/linux-mips-stripped/mgfixture
for f in "$A64" "$A32" "$W386" "$L64" "$L386" "$LA64" "$LARM" "$LMIPS"; do
    [ -f "$f" ] || { echo "SKIP: fixture $f missing"; exit 77; }
done

# name  original  packer options
CASES="
pe64-nrv2b      $A64   --method nrv2b
pe64-nrv2d      $A64   --method nrv2d
pe64-nrv2e      $A64   --method nrv2e
pe32-lzma       $A32   --method lzma
pe32-sections   $W386  --method nrv2e --tamper sections
pe64-all        $A64   --method lzma --tamper magic,sections,version
pe64-reordered  $T/reordered.exe --method nrv2e
elf64-nrv2e     $L64   --method nrv2e
elf386-lzma-pinfo $L386 --method lzma --tamper pinfo
elfarm64-nrv2b  $LA64  --method nrv2b
elfmips-nrv2e   $LMIPS --method nrv2e
elfarm-version  $LARM  --method nrv2d --tamper version
elf64-all       $L64   --method lzma --tamper magic,pinfo,version
"
# crafted: each must be refused
BAD="
bad-bsize       $L64   --method nrv2e --corrupt bsize
bad-checksum    $LA64  --method nrv2b --corrupt checksum
bad-overlap     $L386  --method nrv2e --corrupt overlap
bad-bomb        $L64   --method lzma --corrupt bomb
"
# a PE whose sections' file order is not their RVA order (.idata and
# .reloc trade places in the file): the in-place layout refuses it
"$PY" "$HERE/pe_layout.py" "$A64" --reorder "$T/reordered.exe" || { echo "FAIL: pe_layout.py --reorder"; exit 1; }
: > "$T/jobs"
echo "$CASES$BAD" | while read -r name orig opts; do
    [ -n "$name" ] && echo "$orig $T/$name $opts --lzma-preset 1" >> "$T/jobs"
done
"$PY" "$HERE/upxpack.py" --batch "$T/jobs" || { echo "FAIL: upxpack.py"; exit 1; }

hash2() { # FILE -> "gimphash gimpfuzzy" (fields 1 and 2 of `hash`)
    "$M" hash "$1" 2>"$T/hash.err" | awk '{print $1, $2}'
}
while read -r name orig opts; do
    [ -n "$name" ] || continue
    want=$(hash2 "$orig")
    got=$(hash2 "$T/$name")
    if [ -z "$want" ]; then bad "$name: the original gives no hash"; continue; fi
    expect_eq "$name: hash = the original's" "$got" "$want"
    case $name in
    elf*)
        rm -f "$T/$name.out"
        "$M" unpack "$T/$name" -o "$T/$name.out" >/dev/null 2>"$T/unpack.err"; rc=$?
        expect_eq "$name: unpack exit" "$rc" 0
        expect_eq "$name: unpack = original bytes" \
            "$(sha256sum < "$T/$name.out" 2>/dev/null | cut -d' ' -f1)" "$(sha256sum < "$orig" | cut -d' ' -f1)"
        ;;
    pe64-reordered)
        rm -f "$T/$name.out"
        "$M" unpack "$T/$name" -o "$T/$name.out" >/dev/null 2>"$T/unpack.err"
        expect_eq "$name: unpacked size, sections and their bytes = the original's" \
            "$("$PY" "$HERE/pe_layout.py" "$T/$name.out" 2>&1)" "$("$PY" "$HERE/pe_layout.py" "$orig")"
        ;;
    esac
done <<< "$CASES"

refused() { # NAME COMMAND...: exit 1, one line, names the file, says packed
    local name=$1; shift
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    expect_eq "$name: '$2' exit" "$rc" 1
    expect_eq "$name: '$2' lines on stderr" "$(wc -l < "$T/err")" 1
    grep -qF "$T/$name" "$T/err" || bad "$name: '$2' message does not name the file: $(head -c 300 "$T/err")"
    grep -qi "packed" "$T/err" || bad "$name: '$2' message does not say packed: $(head -c 300 "$T/err")"
}
while read -r name orig opts; do
    [ -n "$name" ] || continue
    # hash decodes only the blocks it reads: the whole-file sums are
    # checked when all are decoded (docs/upx.md), so a bad checksum alone
    # is refused by info and unpack; hash gives the original's digests
    if [ "$name" = bad-checksum ]; then
        expect_eq "$name: hash = the original's" "$(hash2 "$T/$name")" "$(hash2 "$orig")"
        refused "$name" "$M" info "$T/$name"
    else
        refused "$name" "$M" hash "$T/$name"
    fi
    refused "$name" "$M" unpack "$T/$name" -o "$T/$name.out"
    [ -e "$T/$name.out" ] && bad "$name: unpack left an output file"
done <<< "$BAD"

finish test_upx_own
