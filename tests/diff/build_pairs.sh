#!/usr/bin/env bash
# build_pairs.sh OUTDIR [GOCACHE_DIR] - builds the `diff` fixture pairs with Debian's Go,
# offline: version 1 and version 2 of tests/diff/src (v2 adds the package
# keylog, drops util.Dropped, bumps example.com/greet through a `replace` to
# another local directory, swaps oldlib for extra, adds -trimpath) for a few
# targets (ELF LE/BE, PE 32-bit, Mach-O), plain and stripped (-s -w), plus
# a copy of v1 whose build info magic is destroyed (no build info), copies
# with semver main-module versions (semver-a, semver-b), and a
# program with many functions (the "huge identical tables" case).
# Writes OUTDIR/TARGET/{v1,v2}-{plain,stripped}, OUTDIR/nobuildinfo-v1,
# OUTDIR/many/many and OUTDIR/targets.txt.
#
# OUTDIR is a cache (beside the fixture matrix): OUTDIR/.stamp holds the
# sha256 of tests/diff/src, of this script and of `go version`; when it
# matches nothing is built.  Otherwise everything is built into a temp dir
# beside OUTDIR and renamed into place, under a lock, so two builds running
# at once (make test and make test-asan) neither clash nor see half a tree.
set -eu
OUT=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while read -r var; do
    unset "$var"
done < <(env | sed -n 's/^\(C\{0,1\}GO[A-Za-z0-9_]*\)=.*/\1/p')
export GOENV=off GOWORK=off GO111MODULE=on GOFLAGS=-mod=mod
export GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$(dirname "$OUT")"
PARENT=$(cd "$(dirname "$OUT")" && pwd)
OUT=$PARENT/$(basename "$OUT")
# Go's own build cache survives a rebuild (it is safe to share): the fixture
# matrix's when given (GOCACHE_DIR), which holds the standard library built
# with -trimpath for these targets already
GOSTATE=$PARENT/.$(basename "$OUT").go
export GOCACHE=${2:-$GOSTATE/cache} GOPATH=$GOSTATE/gopath GOMODCACHE=$GOSTATE/gopath/pkg/mod
mkdir -p "$GOCACHE"

TARGETS="linux/amd64 linux/s390x windows/386 darwin/arm64"
newsum=$( (cd "$HERE" && find src -type f | sort | xargs sha256sum; sha256sum build_pairs.sh; go version) | sha256sum)
fresh() { [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$newsum" ]; }
if fresh; then
    echo "diff pairs up to date in $OUT"
    exit 0
fi
# one builder at a time; a second one waits, then finds the stamp fresh
exec 9>"$PARENT/.$(basename "$OUT").lock"
flock -w 1200 9
if fresh; then
    echo "diff pairs built meanwhile in $OUT"
    exit 0
fi
TMP=$(mktemp -d "$PARENT/.$(basename "$OUT").tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FINAL=$OUT
OUT=$TMP
cp -r "$HERE/src" "$OUT/src"
for t in $TARGETS; do
    dir=$OUT/${t%/*}-${t#*/}
    mkdir -p "$dir"
    for v in v1 v2; do
        extra=""
        [ $v = v2 ] && extra=-trimpath
        for flavor in plain stripped; do
            bin=$dir/$v-$flavor
            [ -s "$bin" ] && continue
            ld=""
            [ $flavor = stripped ] && ld="-s -w"
            (cd "$OUT/src/$v" && GOOS=${t%/*} GOARCH=${t#*/} go build -buildvcs=false $extra \
                -ldflags="$ld" -o "$bin" .)
        done
    done
done
# v1 without build info: the magic "\xff Go buildinf:" overwritten
if [ ! -s "$OUT/nobuildinfo-v1" ]; then
    python3 - "$OUT/linux-amd64/v1-plain" "$OUT/nobuildinfo-v1" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
magic = b"\xff Go buildinf:"
i = data.find(magic)
assert i >= 0, "no build info magic"
data[i:i + len(magic)] = b"\0" * len(magic)
assert data.find(magic) < 0
open(sys.argv[2], "wb").write(data)
EOF
    chmod +x "$OUT/nobuildinfo-v1"
fi
# main-module versions: copies whose "mod" line says v1.10.0 (semver-a, from
# v1) and v1.2.10 (semver-b, from v2) instead of (devel), same length; the
# release order (b before a) is neither the name order nor the string order
for pair in "semver-a v1-plain v1.10.0" "semver-b v2-plain v1.2.10"; do
    set -- $pair
    [ -s "$OUT/$1" ] && continue
    python3 - "$OUT/linux-amd64/$2" "$OUT/$1" "$3" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
old = b"\nmod\texample.com/difftool\t(devel)\t"
new = old.replace(b"(devel)", sys.argv[3].encode())
assert len(new) == len(old) and data.count(old) >= 1, "no mod line"
data = data.replace(old, new)  # the build info and runtime.modinfo
open(sys.argv[2], "wb").write(data)
EOF
    chmod +x "$OUT/$1"
done
# many functions: 40000 generated ones, all reachable
if [ ! -s "$OUT/many/many" ]; then
    mkdir -p "$OUT/many/src"
    printf 'module example.com/many\n\ngo 1.19\n' > "$OUT/many/src/go.mod"
    python3 - "$OUT/many/src/funcs.go" <<'EOF'
import sys
N = 40000
with open(sys.argv[1], "w") as f:
    f.write("package main\n\n")
    for i in range(N):
        f.write("//go:noinline\nfunc F%d(x int) int { return x + %d }\n" % (i, i))
    f.write("\nvar All = []func(int) int{\n")
    for i in range(N):
        f.write("\tF%d,\n" % i)
    f.write("}\n")
EOF
    cat > "$OUT/many/src/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
)

func main() {
	s := 0
	for _, f := range All {
		s += f(len(os.Args))
	}
	fmt.Println(s)
}
EOF
    (cd "$OUT/many/src" && go build -buildvcs=false -o "$OUT/many/many" .)
fi
echo "$TARGETS" | tr ' ' '\n' | sed 's#/#-#' > "$OUT/targets.txt"
echo "$newsum" > "$OUT/.stamp"
# into place: the old tree (stale) is renamed away first, then removed
if [ -e "$FINAL" ]; then
    mv -T "$FINAL" "$TMP.old"
    rm -rf "$TMP.old"
fi
mv -T "$OUT" "$FINAL"
trap - EXIT
echo "diff pairs built in $FINAL"
