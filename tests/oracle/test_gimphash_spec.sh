#!/usr/bin/env bash
# test_gimphash_spec.sh -- owns the hand-worked unit cases for
# gimphash_spec.py. Each case gives input names (one per line) and the names
# the spec keeps, worked by hand from the spec text; the script checks that
# gimphash_spec.py outputs exactly the kept names concatenated, no separator.
set -u
SPEC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gimphash_spec.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

# case DESCRIPTION INPUT KEPT -- INPUT and KEPT are newline-separated lists
# (printf %b escapes allowed, for invalid UTF-8).
case_() {
    printf '%b\n' "$2" >"$TMP/in"
    printf '%b' "$3" | tr -d '\n' >"$TMP/want"
    python3 "$SPEC" <"$TMP/in" >"$TMP/got"
    if cmp -s "$TMP/got" "$TMP/want"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL: %s\n  want: %s\n  got:  %s\n' "$1" "$(cat "$TMP/want")" "$(cat "$TMP/got")"
    fi
}

# Step 1: go. / type. prefixes.
case_ "go./type. skipped" \
    'go.buildid\ntype..eq.main.T\ntype.foo\nmain.X' 'main.X'
# Step 2: vendor trimming (last occurrence), kept name is the trimmed one.
case_ "vendor trimmed" \
    'github.com/a/b/vendor/golang.org/x/net/http2.NewServer' \
    'golang.org/x/net/http2.NewServer'
case_ "last vendor/ wins" \
    'a/vendor/b/vendor/c/d.F' 'c/d.F'
case_ "vendor/ then prefix test on trimmed name" \
    'x/vendor/strconvx.F' ''
# Step 3: internal/ (after trimming).
case_ "internal/ skipped" \
    'vendor/golang.org/x/net/internal/socket.Open\nexample.com/m/internal/util.WordStats\ninternal/cpu.Initialize' ''
# Step 4: plain prefix test.
case_ "runtime-ish prefixes skipped" \
    'runtime.main\nsync.(*Mutex).Lock\nsyncthing/x.F\nsyscall.Syscall\ntypes.F\ntime.Now\nunicode/utf8.RuneLen\nreflect.ValueOf\nstrconv.Itoa' ''
case_ "prefix only at start" \
    'a/runtime.F' 'a/runtime.F'
# Step 5: first letter tests on base and base2.
case_ "main.main skipped" 'main.main' ''
case_ "Unicode Lu kept, Ll skipped" 'main.Über\nmain.ärger' 'main.Über'
case_ "pointer method on exported type" 'a/b.(*T).M' 'a/b.(*T).M'
case_ "pointer method on unexported type" 'a/b.(*t).M' ''
case_ "unexported method on exported type" 'a/b.T.m' ''
case_ "closure skipped via base2" 'a/b.Adder.func1' ''
case_ "generic [...] has no letter in base2" \
    'example.com/m/pkg/codec.Map[...]' 'example.com/m/pkg/codec.Map[...]'
case_ "numbers stop the walk (Nd, Nl, No)" \
    'main.T.2\nmain.Ⅻ\nmain.²x' 'main.T.2main.Ⅻmain.²x'
case_ "non-letters passed over" \
    'main._X\nmain.__y\nmain.中文\nmain.ǅx\nmain.ʰX' 'main._Xmain.中文main.ʰX'
case_ "no dot: base is all of p" 'nodot\nNoDot\na/b/c\na/b/C' 'NoDota/b/C'
case_ "slash then dot: p is after last /" 'a.b/c.D\na.B/c.d' 'a.b/c.D'
case_ "invalid UTF-8 reads as U+FFFD (passed over)" \
    'main.\xffX\nmain.\xffx' 'main.\xffX'
case_ "order kept, no separators" \
    'main.B\nmain.a\nfmt.Println\nmain.A' 'main.Bfmt.Printlnmain.A'
case_ "empty input" '' ''

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
