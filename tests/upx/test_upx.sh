#!/bin/bash
# test_upx.sh MALGOPHER SHARED_UPX_DIR CORPUS_DIR - the static UPX unpacker
# on the real UPX 4.2.3 files of ../shared/upx (MANIFEST.tsv), against
# independent oracles: the MANIFEST's gimphash/gimpfuzzy of each original
# (computed from the originals, not from packed files), the originals'
# sha256, UPX's options (the method) and tampering as the MANIFEST records
# them, objdump for the rebuilt PE files, and the corpus originals when
# they are cached.  Also: truncated and corrupted copies (made here) are
# refused with one line naming the file and saying it is UPX-packed.
set -u
M=$1 DIR=$2 CORPUS=${3:-}
[ -f "$DIR/MANIFEST.tsv" ] || { echo "SKIP: no $DIR/MANIFEST.tsv (the shared UPX samples)"; exit 77; }
. "$(dirname "$0")/../lib.sh"

field() { # JSON FIELD: a string member of the packer object
    python3 -c 'import json,sys; p=json.loads(sys.stdin.readline()).get("packer"); print(p and p.get(sys.argv[1]) if not isinstance(p and p.get(sys.argv[1]), list) else " ".join(p[sys.argv[1]]))' "$1"
}
method_of() { # UPX option -> the method UPX 4.2.3 uses (its default and --best: NRV2E)
    case "$1" in --lzma) echo LZMA ;; --nrv2b) echo NRV2B ;; --nrv2d) echo NRV2D ;; *) echo NRV2E ;; esac
}

# (tabs to US: a tab is IFS white space, and would merge the empty fields)
while IFS=$'\037' read -r name orig osha psha opts tamper fmt gh gf restores; do
    [ "$name" = name ] && continue
    f=$DIR/$name
    [ -f "$f" ] || { bad "$name: missing"; continue; }
    # 1. hash = the original's digests
    expect_eq "$name hash" "$("$M" hash "$f" 2>&1 | cut -d' ' -f1,3)" "$gh $gf"
    # 2. info --json: packed, method, tampering
    j=$("$M" info --json "$f" 2>&1)
    expect_eq "$name packer" "$(field name <<<"$j")" UPX
    expect_eq "$name method" "$(field method <<<"$j")" "$(method_of "$opts")"
    t=$(field tamper <<<"$j")
    case "$tamper" in *magic*) case "$t" in *magic_replaced*) ok ;; *) bad "$name: tamper [$t] lacks magic_replaced" ;; esac ;; esac
    case "$tamper" in *pinfo*) case "$t" in *pinfo_zeroed*) ok ;; *) bad "$name: tamper [$t] lacks pinfo_zeroed" ;; esac ;; esac
    case "$tamper" in *sections*) case "$t" in *sections_renamed*) ok ;; *) bad "$name: tamper [$t] lacks sections_renamed" ;; esac ;; esac
    [ "$tamper" = none ] && expect_eq "$name no tamper" "$t" ""
    # 3. unpack: ELF byte for byte (where upx -d restores, and the tampered too)
    "$M" unpack "$f" -o "$T/out" >/dev/null 2>"$T/err" || { bad "$name: unpack: $(cat "$T/err")"; continue; }
    got=$(sha256sum <"$T/out" | cut -d' ' -f1)
    if [ "$fmt" = ELF ]; then
        expect_eq "$name unpacked sha256 (upx -d restores: $restores)" "$got" "$osha"
    else
        # PE: objdump opens it; the original's entry point and section
        # table when the corpus original is cached; our reader's digest
        objdump -x "$T/out" >/dev/null 2>&1 && ok || bad "$name: objdump -x refuses the unpacked PE"
        expect_eq "$name unpacked hash" "$("$M" hash "$T/out" 2>&1 | cut -d' ' -f1,3)" "$gh $gf"
        o=$CORPUS/$orig
        if [ -n "$CORPUS" ] && [ -f "$o" ]; then
            expect_eq "$name entry" "$(objdump -f "$T/out" | grep '^start')" "$(objdump -f "$o" | grep '^start')"
            expect_eq "$name sections" "$(objdump -h "$T/out" | awk '/^ +[0-9]/{print $2,$3,$4}')" \
                "$(objdump -h "$o" | awk '/^ +[0-9]/{print $2,$3,$4}')"
            # the rest byte for byte but what UPX does not keep: the import
            # descriptors' OriginalFirstThunk (4 bytes a DLL) and the DLL
            # names' case
            nd=$(cmp -l "$T/out" "$o" 2>/dev/null | wc -l)
            [ "$(stat -c %s "$T/out")" = "$(stat -c %s "$o")" ] && [ "$nd" -le 16 ] && ok ||
                bad "$name: unpacked PE differs from the original in $nd bytes (sizes $(stat -c %s "$T/out") $(stat -c %s "$o"))"
        fi
    fi
    # 4. scan: a go. rule matches the packed file as its original
    printf 'import "go"\nrule same { condition: go.gimphash == "%s" }\n' "$gh" >"$T/r.yar"
    expect_eq "$name scan" "$("$M" scan "$T/r.yar" "$f" 2>&1 | cut -d' ' -f1)" same
    [ -n "$CORPUS" ] && [ -f "$CORPUS/$orig" ] &&
        expect_eq "$name scan original" "$("$M" scan "$T/r.yar" "$CORPUS/$orig" 2>&1 | cut -d' ' -f1)" same
done < <(tr '\t' '\037' <"$DIR/MANIFEST.tsv")

# 5. damaged copies: one line, the file named, "UPX-packed", exit 1
refused() { # DESC FILE [COMMAND]
    "$M" "${3:-hash}" "$2" >"$T/o" 2>"$T/e"
    local rc=$? lines
    lines=$(wc -l <"$T/e")
    if [ $rc = 1 ] && [ "$lines" = 1 ] && grep -qF "$2: UPX-packed" "$T/e"; then ok; else
        bad "$1: exit $rc, stderr [$(cat "$T/e")]"; fi
}
for name in wordfreq-amd64-default wordfreq-amd64-lzma lefthook-0.7.7-arm64-nrv2e gosu-386-lzma-magic \
    wordfreq-win386-stripped.exe lefthook-2.2.2-win64-lzma.exe; do
    f=$DIR/$name
    [ -f "$f" ] || continue
    size=$(stat -c %s "$f")
    head -c $((size / 2)) "$f" >"$T/$name.truncated"
    refused "$name truncated" "$T/$name.truncated"
    cp "$f" "$T/$name.corrupt"
    chmod u+w "$T/$name.corrupt"
    printf '%*s' 256 '' | tr ' ' '\125' | dd of="$T/$name.corrupt" bs=1 seek=4096 conv=notrunc status=none
    # info decodes every block; hash only those it reads (docs/upx.md "Cost
    # model: what is decoded when"): it refuses, or gives the original's digests
    refused "$name corrupted" "$T/$name.corrupt" info
    if "$M" hash "$T/$name.corrupt" >"$T/o" 2>/dev/null; then
        expect_eq "$name corrupted: hash" "$(cut -d' ' -f1,3 <"$T/o")" "$(tr '\t' '\037' <"$DIR/MANIFEST.tsv" |
            awk -F'\037' -v n="$name" '$1 == n {print $8 " " $9}')"
    else refused "$name corrupted" "$T/$name.corrupt"; fi
done
# 5b. lazy unpacking: the code block's last compressed bytes damaged.  hash
# never reads the code, so it gives the original's digests (a whole
# unpacking refuses the file: the digests prove the block was not read);
# info and unpack, which decode everything, refuse it.  esbuild 0.28.2 has
# no build-info blob (`go version -m` on its original finds none): the
# blob's search must not reach into the code segment either
for name in wordfreq-amd64-default wordfreq-amd64-lzma esbuild-0.28.2-amd64; do
    f=$DIR/$name
    [ -f "$f" ] || continue
    python3 - "$f" "$T/$name.code" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
u32 = lambda o: int.from_bytes(d[o:o + 4], 'little')
phoff, phnum = int.from_bytes(d[32:40], 'little'), int.from_bytes(d[56:58], 'little')
b0 = phoff + phnum * 56 + 24          # after l_info and p_info
b1 = b0 + 12 + u32(b0 + 4)            # the second block: the code segment
end = b1 + 12 + u32(b1 + 4)
d[end - 320:end - 64] = b'U' * 256
open(sys.argv[2], 'wb').write(d)
PY
    expect_eq "$name code block damaged: hash" "$("$M" hash "$T/$name.code" 2>&1 | cut -d' ' -f1,3)" \
        "$(tr '\t' '\037' <"$DIR/MANIFEST.tsv" | awk -F'\037' -v n="$name" '$1 == n {print $8 " " $9}')"
    refused "$name code block damaged" "$T/$name.code" info
done
# 6. more tampering, made here: an odd version byte (ELF l_info and
# PackHeader), and a PE PackHeader with its sums and sizes zeroed (the stub
# needs neither); the digests must stay the original's
tamper() { # IN OUT KIND
    python3 - "$1" "$2" "$3" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
if sys.argv[3] == 'version':      # ELF64: l_info after 3 program headers; PackHeader 36 bytes from the end
    d[0x40 + 3 * 56 + 10] = 0x63
    d[len(d) - 36 + 4] = 0x63
else:                              # PE: the PackHeader is the 32 bytes whose checksum holds before the 2nd section's data
    pe = int.from_bytes(d[0x3c:0x40], 'little')
    st = pe + 24 + int.from_bytes(d[pe + 20:pe + 22], 'little')
    raw = int.from_bytes(d[st + 40 + 20:st + 40 + 24], 'little')
    for o in range(raw - 64, raw + 64):
        if sum(d[o + 4:o + 31]) % 251 == d[o + 31] and d[o + 5] in (9, 36):
            d[o + 8:o + 28] = bytes(20)
            break
open(sys.argv[2], 'wb').write(d)
PY
}
want_of() { tr '\t' '\037' <"$DIR/MANIFEST.tsv" | awk -F'\037' -v n="$1" '$1 == n {print $8 " " $9}'; }
for spec in wordfreq-amd64-default:version wordfreq-win386-stripped.exe:sizes hashdir-win64-stripped-renamed.exe:sizes; do
    name=${spec%%:*} kind=${spec#*:}
    [ -f "$DIR/$name" ] || continue
    tamper "$DIR/$name" "$T/t-$name" "$kind"
    expect_eq "$name $kind tampered: hash" "$("$M" hash "$T/t-$name" 2>&1 | cut -d' ' -f1,3)" "$(want_of "$name")"
    [ "$kind" = version ] && case "$(field tamper <<<"$("$M" info --json "$T/t-$name")")" in
        *odd_version*) ok ;; *) bad "$name: odd version not reported" ;; esac
done

# 7. unpack -o: jit-unpack's output rules (shared code): OUT refused (exit 2)
# and left untouched when it is the input, a link, a device, FIFO, directory
# or read-only without --force; a file that is not UPX-packed is refused
src=$DIR/wordfreq-386-stripped
if [ -f "$src" ]; then
    cp "$src" "$T/in" && chmod u+w "$T/in"
    ln "$T/in" "$T/hard"
    "$M" unpack "$T/in" -o "$T/hard" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "unpack -o hard link to input" "$rc:$(cat "$T/err")" "2:malgopher: $T/hard: is the input file"
    echo keep >"$T/target" && ln -s "$T/target" "$T/link" && mkfifo "$T/fifo" && mkdir "$T/dir"
    echo keep >"$T/ro" && chmod a-w "$T/ro"
    for out in "$T/link" "$T/fifo" "$T/dir" "$T/ro" /dev/null; do
        before=$(stat -c '%F %i' "$out"; [ -f "$out" ] && sum "$out")
        timeout 5 "$M" unpack "$T/in" -o "$out" >/dev/null 2>"$T/err"; rc=$?
        expect_eq "unpack -o $(basename "$out") exit" "$rc:$(wc -l <"$T/err")" "2:1"
        expect_eq "unpack -o $(basename "$out") untouched" "$(stat -c '%F %i' "$out"; [ -f "$out" ] && sum "$out")" "$before"
    done
    expect_eq "target behind the link untouched" "$(cat "$T/target")" keep
    "$M" unpack --force "$T/in" -o "$T/ro" >/dev/null 2>&1; rc=$?
    expect_eq "unpack --force read-only" "$rc:$(sha256sum <"$T/ro" | cut -d' ' -f1)" \
        "0:$(tr '\t' '\037' <"$DIR/MANIFEST.tsv" | awk -F'\037' '$1 == "wordfreq-386-stripped" {print $3}')"
    "$M" unpack "$T/out" -o "$T/again" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "unpack of an unpacked file" "$rc:$(cat "$T/err")" "1:malgopher: $T/out: not UPX-packed"
    expect_eq "no output for a refused input" "$(ls "$T/again" 2>/dev/null)" ""
fi
finish upx
