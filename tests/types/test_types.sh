#!/bin/bash
# test_types.sh - `malgopher types` against independent oracles, on our
# fixture (tests/types/src) built at test time with the host Go for
# ELF (amd64, 386, arm, arm64, s390x, ppc64, mips: both byte orders and
# word sizes), PE (windows/amd64, 386, arm64) and Mach-O (darwin/amd64,
# arm64):
#   - DWARF (dwarfdump/: DW_AT_go_runtime_type, DW_AT_go_kind, go:itab.*
#     symbols): type recall >= 95% by address, named types named right,
#     kinds, itab recall and names (compare_dwarf.py);
#   - `go tool buildid`: the build ID;
#   - the fixture's own reflect output (run natively; the 64-bit targets
#     share its layout): kinds, sizes, package paths, fields with offsets,
#     tags and the embedded flag, methods (compare_reflect.py);
#   - `info --json`: moduledata and function_table against `go tool nm`
#     (check_info.py);
#   - a copy with the symbol table and DWARF stripped (llvm-objcopy
#     --strip-all, every container and architecture; the test checks that
#     dwarfdump can no longer read it) lists exactly the same types and
#     itabs, and the same build ID as `go tool buildid`.
# Usage: test_types.sh MALGOPHER [GOCACHE_DIR].  Exit 77 when go, python3
# or llvm-objcopy is missing.
set -u
MG=$1 GOC=${2:-}
[ -z "$GOC" ] || { mkdir -p "$GOC" && GOC=$(cd "$GOC" && pwd); }  # go wants it absolute
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
for tool in go python3 llvm-objcopy; do
    command -v $tool >/dev/null || { echo "SKIPPED: $tool not found"; exit 77; }
done
export GOENV=off GOWORK=off GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local
export CGO_ENABLED=0 GOARM=7 GOCACHE=${GOC:-$T/.gocache} GOPATH=$T/.gopath
(cd "$HERE/dwarfdump" && go build -trimpath -buildvcs=false -o "$T/dwarfdump" .) || { bad "dwarfdump build"; finish types; exit; }
(cd "$HERE/src" && go build -trimpath -buildvcs=false -o "$T/native" .) && "$T/native" >"$T/reflect.jsonl" 2>/dev/null ||
    { bad "native fixture"; finish types; exit; }

# same types and itabs in two JSON objects (path and build ID aside)
same_types() {
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:3])
sys.exit(0 if (a["types"], a["itabs"]) == (b["types"], b["itabs"]) else 1)
PY
}

for target in linux/amd64 linux/386 linux/arm linux/arm64 linux/s390x linux/ppc64 linux/mips windows/amd64 windows/386 \
    windows/arm64 darwin/amd64 darwin/arm64; do
    goos=${target%/*} goarch=${target#*/} bin=$T/fx-$goos-$goarch
    (cd "$HERE/src" && GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false -o "$bin" .) || { bad "$target: go build"; continue; }
    "$MG" types --json "$bin" >"$bin.json" || { bad "$target: malgopher types failed"; continue; }
    "$T/dwarfdump" "$bin" >"$bin.dwarf" || { bad "$target: dwarfdump"; continue; }
    if out=$(python3 "$HERE/compare_dwarf.py" "$bin.json" "$bin.dwarf" "$(go tool buildid "$bin")"); then
        ok; echo "$target: $out"
    else
        bad "$target DWARF: $out"
    fi
    "$MG" info --json "$bin" >"$bin.info" && go tool nm "$bin" >"$bin.nm" || { bad "$target: info/nm"; continue; }
    if out=$(python3 "$HERE/check_info.py" "$bin.info" "$bin.nm" "$(go tool buildid "$bin")"); then
        ok
    else
        bad "$target info: $out"
    fi
    case $goarch in amd64|arm64|s390x|ppc64)
        if out=$(python3 "$HERE/compare_reflect.py" "$bin.json" "$T/reflect.jsonl"); then ok; else bad "$target reflect: $out"; fi
    esac
    llvm-objcopy --strip-all "$bin" "$bin.stripped" || { bad "$target: llvm-objcopy"; continue; }
    if "$T/dwarfdump" "$bin.stripped" >/dev/null 2>&1; then bad "$target: the stripped copy still has DWARF and symbols"; fi
    "$MG" types --json "$bin.stripped" >"$bin.stripped.json" || { bad "$target: types on the stripped copy"; continue; }
    if same_types "$bin.json" "$bin.stripped.json"; then ok; else bad "$target: the stripped copy lists other types"; fi
    got=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["build_id"])' <"$bin.stripped.json")
    expect_eq "$target: build ID of the stripped copy" "$got" "$(go tool buildid "$bin.stripped")"
done
# a hostile type graph (craft_types.py: every slot a struct descriptor with
# cycles and as many fields as fit): a bounded answer within 10 s and 256 MB,
# a listing or a one-line "too costly" refusal, never a crash
if [ -f "$T/fx-linux-amd64" ]; then
    if python3 "$HERE/craft_types.py" "$T/fx-linux-amd64" "$T/crafted" "$T/fx-linux-amd64.info" >/dev/null; then
        /usr/bin/time -f '%M' -o "$T/crafted.rss" timeout 10 "$MG" types --json "$T/crafted" >"$T/crafted.json" 2>"$T/crafted.err"
        rc=$?
        rss=$(tail -1 "$T/crafted.rss")
        if [ "$rc" -le 1 ] && [ "${rss:-999999}" -lt 262144 ] &&
            { [ "$rc" = 0 ] || grep -q 'too costly' "$T/crafted.err"; } && [ "$(wc -l <"$T/crafted.err")" -le 1 ]; then
            ok; echo "crafted type graph: exit $rc, ${rss} KB, $(head -c 120 "$T/crafted.err")"
        else
            bad "crafted type graph: exit $rc, ${rss} KB: $(head -c 300 "$T/crafted.err")"
        fi
    else
        bad "craft_types.py"
    fi
fi

# the YARA go module's type functions on the fixture, stripped or not, and
# undefined on a file that is not Go
for bin in "$T/fx-linux-amd64" "$T/fx-linux-amd64.stripped" "$T/fx-windows-amd64.stripped" "$T/fx-darwin-arm64.stripped"; do
    [ -f "$bin" ] || continue
    got=$("$MG" scan "$HERE/types.yar" "$bin" | awk '{print $1}' | sort | tr '\n' ' ')
    expect_eq "yara on ${bin##*/}" "$got" "cfg count itab tag "
done
printf 'not a Go file\n' >"$T/text"
got=$("$MG" scan "$HERE/types.yar" "$T/text" | awk '{print $1}' | tr '\n' ' ')
expect_eq "yara on a text file" "$got" "undefined_when_not_go "
finish types
