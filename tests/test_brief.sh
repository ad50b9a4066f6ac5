#!/usr/bin/env bash
# test_brief.sh - the analyst's first glance (issue 22, items 1, 2, 6, 7),
# each against an independent oracle:
#  - info --brief: one line per image, at most 160 columns before the path
#    (measured on the fixture matrix and the corpus); the Go version and the
#    identity module@version as `go version -m` (Debian's go) prints them;
#    without build info, the own prefix as `go tool nm` of the unstripped
#    twin shows its non-standard packages; the default text view within 160
#    columns, the whole digests with --full equal to --json's;
#  - package classes: "std" exactly the packages `go list std` lists (Go
#    1.19 files, the go of this machine), no pseudo-package, no %xx escape;
#    the JSON keys kind/identity/known and the CSV columns, read by python3;
#  - diff --summary: at most 60 lines, the dependency counts as the two
#    `go version -m` listings differ; no "main module" when inferred;
#  - -q keeps .NET files and forgives non-Go files met in a walk, not named
#    ones; the progress line is erased before an error (a pty on stderr);
#    db families --summary largest first (the sizes of the full listing,
#    sorted by sort -rn); jit-unpack --json lists the packer's own tokens.
# usage: test_brief.sh MALGOPHER FIXTURE_DIR CORPUS_DIR [DOTNET_FIXTURE_DIR]
set -u
M=$(readlink -f "$1") FX=$2 CORPUS=$3 DOTNET=${4:-}
. "$(dirname "$0")/lib.sh"
for t in go python3; do
    command -v $t >/dev/null || { echo "SKIPPED: $t missing"; exit 77; }
done
[ -f "$FX/linux-amd64-plain/mgfixture" ] || { echo "SKIPPED: no fixture matrix in $FX"; exit 77; }
[ -d "$CORPUS" ] || { echo "SKIPPED: no corpus in $CORPUS"; exit 77; }
# the standard library of every GOOS the files are built for (build constraints hide the others)
for os in linux windows darwin; do
    GOOS=$os go list std 2>/dev/null || { echo "SKIPPED: go list std failed"; exit 77; }
done | sort -u >"$T/std"

# the files: the fixture matrix and the corpus
{ ls "$FX"/*/mgfixture; find "$CORPUS" -type f; } | sort >"$T/files"
# a file without build info: the stripped twin with its magic damaged
python3 - "$FX/linux-amd64-stripped/mgfixture" "$T/nobi" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
assert d.count(b'\xff Go buildinf:') == 1
open(sys.argv[2], 'wb').write(d.replace(b'\xff Go buildinf:', b'\xff Xx buildinf:'))
EOF
echo "$T/nobi" >>"$T/files"

# ---- 1. info --brief: widths, Go version and identity against go version -m
# (the known column is tests/test_known.sh's: here without the reference, "-")
xargs -d '\n' "$M" info --brief --no-known <"$T/files" >"$T/brief" 2>"$T/brief.err"
python3 - "$T/files" "$T/brief" "$T/std" "$FX" <<'EOF' >"$T/brief.check" || bad "the --brief check did not run through"
import os, re, subprocess, sys
files = open(sys.argv[1]).read().split('\n')[:-1]
lines = open(sys.argv[2], encoding='utf-8').read().split('\n')[:-1]
out = []
def check(name, got, want):
    out.append(('ok ' if got == want else 'FAIL ') + f'{name}: got [{got}] want [{want}]')
byfile = {}
for l in lines:
    for f in files:
        for suffix in ('', ':amd64', ':arm64'):
            if l.endswith(' ' + f + suffix):
                byfile.setdefault(f, []).append(l)
                check('width ' + f, len(l) - len(f + suffix) <= 160, True)
check('one line per file at least', all(f in byfile for f in files), True)
widest = max(len(l) - len(p) for p in files for l in byfile.get(p, []))
print('widest', widest, file=sys.stderr)
for f in files:
    for l in byfile.get(f, []):
        kind, osarch, ver, known, ident = l.split()[:5]
        check('known column ' + f, known, '-')
        r = subprocess.run(['go', 'version', '-m', f], capture_output=True, text=True)
        if r.returncode != 0 or ': go' not in r.stdout.split('\n')[0] or kind != 'Go' or len(byfile[f]) > 1:
            continue  # go version -m reads no build info (it says so on stderr, status 0)
        check('go version ' + f, ver, r.stdout.split('\n')[0].split(': ', 1)[1].strip())
        mod = [x.split('\t') for x in r.stdout.split('\n') if x.startswith('\tmod\t')]
        path = [x.split('\t')[2] for x in r.stdout.split('\n') if x.startswith('\tpath\t')]
        if mod:  # an identity wider than its column ends in an ellipsis
            want = mod[0][2] + '@' + mod[0][3]
            check('identity ' + f, ident, want if not ident.endswith('\u2026') or not want.startswith(ident[:-1]) else ident)
        elif path:  # no main module: a prefix of the main package's path
            check('identity prefix of path ' + f, (path[0] + '/').startswith(ident + '/'), True)
# no build info: the own prefix against `go tool nm` of the unstripped twin
std = set(open(sys.argv[3]).read().split())
nm = subprocess.run(['go', 'tool', 'nm', os.path.join(sys.argv[4], 'linux-amd64-plain/mgfixture')],
                    capture_output=True, text=True).stdout
own = set()
for l in nm.split('\n'):
    p = l.split()
    if len(p) < 3 or p[-2] not in 'Tt':
        continue
    m = re.match(r'^((?:[^/]*/)*[^./]*)\.', p[-1])
    if m and '.' in m.group(1).split('/')[0] and m.group(1) not in std and not m.group(1).startswith(('go.', 'type.')):
        own.add(m.group(1))
common = os.path.commonpath(list(own)) if own else ''
check('nm twin has own packages', len(own) >= 2, True)
nobi = [f for f in files if f.endswith('/nobi')][0]
check('inferred identity (go tool nm of the twin)', byfile[nobi][0].split()[4], common)
print('\n'.join(out))
EOF
while read -r st rest; do [ "$st" = ok ] && ok || bad "brief $rest"; done <"$T/brief.check"
expect_eq "brief: no Go file refused" "$(grep -c 'not a Go' "$T/brief.err")" 0
expect_eq "brief is text only" "$("$M" info --brief --json "$T/nobi" >/dev/null 2>&1; echo $?)" 2

# ---- default info: within 160 columns; --full prints the digests whole
"$M" info "$FX/linux-amd64-plain/mgfixture" "$T/nobi" "$CORPUS"/*/*/* >"$T/info" 2>/dev/null
python3 - "$T/info" <<'EOF' && ok || bad "default info wider than 160 columns"
import sys
long = [l for l in open(sys.argv[1], encoding='utf-8') if len(l.rstrip('\n')) > 160
        and not l.startswith(('file:', 'warning:', 'build:', 'path:'))]
print(*long[:3], sep='')
sys.exit(1 if long else 0)
EOF
want=$("$M" info --json "$T/nobi" | python3 -c 'import json,sys; print(json.load(sys.stdin)["gimpset"])')
expect_eq "info --full gimpset whole" "$("$M" info --full "$T/nobi" | sed -n 's/^gimpset: *\([^ ]*\) .*/\1/p')" "$want"
grep -q '^gimpset: .*chars; --full' "$T/info" && ok || bad "default gimpset shortened"
grep -q '^identity: *example.com/mgfixture (inferred' <("$M" info "$T/nobi") && ok || bad "text identity inferred"

# ---- 2. package classes and JSON keys (Go 1.19 files: this machine's go list std)
xargs -d '\n' "$M" info --json --no-known <"$T/files" 2>/dev/null >"$T/json"
python3 - "$T/json" "$T/std" <<'EOF' >"$T/json.check" || bad "the JSON check did not run through"
import json, sys
std = set(open(sys.argv[2]).read().split())
out = []
def check(name, c):
    out.append(('ok ' if c else 'FAIL ') + name)
for line in open(sys.argv[1]):
    j = json.loads(line)
    f = j['file']
    check('keys ' + f, all(k in j for k in ('kind', 'identity', 'known')) and j['known'] is None)
    check('kind ' + f, j['kind'] in ('Go', 'not Go', '.NET') or '/' in j['kind'])
    if not j['is_go']:
        continue
    pk = j['packages']
    paths = [p['path'] for p in pk]
    check('no pseudo-package ' + f, not any(p in ('', 'type', 'go') or p.startswith(('go.', 'go:', 'type:', 'type.')) for p in paths))
    check('no escape ' + f, not any('%' in p for p in paths))
    check('classes ' + f, all(p['class'] in ('std', 'third-party', 'own') for p in pk))
    if j['go_version'].startswith('go1.19'):
        bad = [p['path'] for p in pk if (p['class'] == 'std') != (p['path'] in std)]
        check('std as go list std ' + f + ' ' + ' '.join(bad[:3]), not bad)
    if j['main_module']['path']:
        own = j['main_module']['path']
        check('own under the main module ' + f,
              all(p['path'] == 'main' or (p['path'] + '/').startswith(own + '/') for p in pk if p['class'] == 'own'))
print('\n'.join(out))
EOF
while read -r st rest; do [ "$st" = ok ] && ok || bad "json $rest"; done <"$T/json.check"
grep -q 'gopkg.in/ini.v1' "$T/json" && ok || bad "escaped path decoded (gopkg.in/ini.v1 in lefthook)"
"$M" info --csv "$T/nobi" | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin))[0]; print(r["kind"], r["identity"], repr(r["known"]))' >"$T/csv"
expect_eq "csv kind identity known" "$(cat "$T/csv")" "Go example.com/mgfixture ''"

# ---- 6. diff --summary: at most 60 lines, dependency counts as go version -m differ
lh=("$CORPUS"/lefthook/*/lefthook*)
if [ ${#lh[@]} -ge 2 ]; then
    "$M" diff --summary "${lh[0]}" "${lh[1]}" >"$T/sum"
    [ "$(wc -l <"$T/sum")" -le 60 ] && ok || bad "diff --summary over 60 lines"
    want=$(python3 - "${lh[0]}" "${lh[1]}" <<'EOF'
import subprocess, sys
def deps(f):
    d = {}
    for l in subprocess.run(['go', 'version', '-m', f], capture_output=True, text=True).stdout.split('\n'):
        p = l.split('\t')
        if len(p) > 3 and p[1] == 'dep':
            d[p[2]] = p[3]
        if len(p) > 3 and p[1] == '=>':
            d[list(d)[-1]] = p[3] if p[3] != '' else p[2]
    return d
a, b = deps(sys.argv[1]), deps(sys.argv[2])
print(f"{len(set(b) - set(a))} added, {len(set(a) - set(b))} removed, {sum(1 for k in a if k in b and a[k] != b[k])} changed")
EOF
)
    expect_eq "diff --summary dependencies" "$(sed -n 's/^dependencies: *\(.* changed\).*/\1/p' "$T/sum")" "$want"
fi
es=("$CORPUS"/esbuild/0.0.2_*/esbuild "$CORPUS"/esbuild/0.28.2_*/esbuild)
if [ -f "${es[0]}" ] && [ -f "${es[1]}" ]; then
    "$M" diff --summary "${es[0]}" "${es[1]}" >"$T/sum2"
    [ "$(wc -l <"$T/sum2")" -le 60 ] && ok || bad "diff --summary (no build info) over 60 lines"
    grep -q 'own module esbuild (inferred' "$T/sum2" && ok || bad "diff --summary inferred own module"
    "$M" diff "${es[0]}" "${es[1]}" >"$T/full2"
    grep -q '^main module:' "$T/full2" && bad "diff calls an inferred module 'main module'" || ok
    [ "$(wc -l <"$T/full2")" -gt 60 ] && ok || bad "the full diff is the long one"
fi
"$M" diff --summary "$FX/linux-amd64-plain/mgfixture" "$T/nobi" >"$T/sum3"
grep -q 'no build info, own module example.com/mgfixture (inferred' "$T/sum3" && ok || bad "diff --summary names the inferred module"

# ---- 7. -q: .NET kept, non-Go files in a walk forgiven, named ones not
mkdir -p "$T/walk"
cp "$FX/linux-amd64-plain/mgfixture" "$T/walk/go"
echo text >"$T/walk/text.txt"
hello=$(find "$CORPUS/hello" -type f | head -1)
[ -n "$hello" ] && cp "$hello" "$T/walk/hello"
net=$(ls "$DOTNET"/basic32/orig/*.exe 2>/dev/null | head -1)
[ -n "$net" ] && cp "$net" "$T/walk/net.exe"
"$M" hash -q -r "$T/walk" >/dev/null 2>&1
expect_eq "hash -q walk: non-Go forgiven" $? 0
"$M" hash -q -r "$T/walk" "$T/walk/text.txt" >/dev/null 2>&1
expect_eq "hash -q named non-Go still counts" $? 1
"$M" info -q -r "$T/walk" >"$T/q" 2>&1
expect_eq "info -q walk exit" $? 0
grep -q "^file: *$T/walk/text.txt" "$T/q" && bad "info -q shows a non-Go file" || ok
if [ -n "$net" ]; then
    grep -q "^file: *$T/walk/net.exe" "$T/q" && ok || bad "info -q hides a .NET file"
fi

# the progress line is erased before an error line: stderr on a pty
mkdir -p "$T/prog"
for i in $(seq -w 1 150); do ln "$FX/linux-amd64-plain/mgfixture" "$T/prog/a$i" 2>/dev/null || cp "$FX/linux-amd64-plain/mgfixture" "$T/prog/a$i"; done
: >"$T/prog/zz_empty"
python3 - "$M" "$T/prog" <<'EOF' && ok || bad "progress line not erased before an error"
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], 'info', '-r', sys.argv[2]], stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
buf = b''
while True:
    try:
        b = os.read(m, 65536)
    except OSError:
        break
    if not b:
        break
    buf += b
p.wait()
i = buf.find(b'malgopher: ')
ok = i >= 0 and b'empty file' in buf and (i == 0 or buf[:i].endswith((b'\x1b[K', b'\n')))
if not ok:
    print(repr(buf[max(0, i - 80):i + 60]))
sys.exit(0 if ok else 1)
EOF

# db families --summary: the largest first, the sizes of the full listing
db="sqlite:$T/f.db"
"$M" db add --db "$db" -r "$CORPUS" >/dev/null 2>&1
"$M" db families --db "$db" | sed -n 's/^family [0-9]*  size \([0-9]*\)$/\1/p' | sort -rn >"$T/sizes"
"$M" db families --db "$db" --summary | sed -n 's/^family [0-9]*  size \([0-9]*\)  .*/\1/p' >"$T/ssizes"
[ -s "$T/sizes" ] && cmp -s "$T/sizes" "$T/ssizes" && ok || bad "db families --summary not largest first"

# jit-unpack --json: the methods restored are the packer's tokens, named as it named them
if [ -f "$DOTNET/basic32/packed.exe" ]; then
    "$M" jit-unpack --json "$DOTNET/basic32/packed.exe" -o "$T/out.exe" >"$T/jit.json"
    python3 - "$T/jit.json" "$DOTNET/basic32" <<'EOF' && ok || bad "jit-unpack --json methods"
import json, sys
j = json.load(open(sys.argv[1]))
toks = ['0x' + t.strip() for t in open(sys.argv[2] + '/tokens.txt') if t.strip()]
names = {('0x' + l.split()[0]): l.split(None, 2)[2].strip() for l in open(sys.argv[2] + '/methods.txt')}
got = [m['token'] for m in j['methods']]
ok = got == toks and j['restored'] == len(toks) and all(m['name'].endswith(names[m['token']]) for m in j['methods']) \
    and all(m['il_size'] > 0 for m in j['methods'])
print(got[:3], toks[:3])
sys.exit(0 if ok else 1)
EOF
else
    echo "note: no .NET fixtures in '$DOTNET': jit-unpack --json not checked"
fi
finish test_brief
