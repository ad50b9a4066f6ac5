#!/usr/bin/env bash
# test_security.sh - issue 20's surfaces (docs/security.md), each case
# against an outcome the shell sees for itself: a write to /dev/full or to
# a full tmpfs is an error with its reason (the kernel's ENOSPC text); an
# --html target that is a symbolic link, a FIFO or a read-only file is left
# as `stat` and `cmp` saw it before.
# usage: test_security.sh MALGOPHER FIXTURE_DIR
set -u
M=$(readlink -f "$1") FX=$2
. "$(dirname "$0")/lib.sh"

plain=$FX/linux-amd64-plain/mgfixture
other=$FX/linux-386-plain/mgfixture
for f in "$plain" "$other"; do
    [ -f "$f" ] || { echo "SKIPPED: missing fixture $f"; exit 77; }
done
export MALGOPHER_DB=$T/c.sqlite
"$M" db add "$plain" "$other" >/dev/null 2>&1 || { echo "FAIL: db add"; exit 1; }
ENOSPC=$(python3 -c 'import os, errno; print(os.strerror(errno.ENOSPC))')

# ---- 5: a write that fails is an error, with its reason
full_cases=("hash --json $plain $other" "hash $plain" "info $plain $other" "funcs $plain" "cluster $plain $other"
            "cluster --json $plain $other" "compare $plain $other" "db export" "db stats" "diff $plain $other")
for c in "${full_cases[@]}"; do
    $M $c >/dev/full 2>"$T/err"; rc=$?
    expect_eq "/dev/full: $c" "$rc:$(tail -1 "$T/err")" "$([ "${c%% *}" = diff ] && echo 2 || echo 1):malgopher: write error: $ENOSPC"
done
mkdir -p "$T/full"
if mount -t tmpfs -o size=64k malgopher-test "$T/full" 2>/dev/null; then
    trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
    head -c 1M /dev/zero > "$T/full/filler" 2>/dev/null # fill it
    for c in "${full_cases[@]}"; do
        rm -f "$T/full/out"
        $M $c >"$T/full/out" 2>"$T/err"; rc=$?
        expect_eq "full tmpfs: $c" "$rc:$(tail -1 "$T/err")" "$([ "${c%% *}" = diff ] && echo 2 || echo 1):malgopher: write error: $ENOSPC"
    done
    "$M" cluster --html "$T/full/report.html" "$plain" "$other" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "full tmpfs: --html exit" $rc 1
    expect_eq "full tmpfs: --html reason" "$(cat "$T/err")" "malgopher: $T/full/report.html: $ENOSPC"
    expect_eq "full tmpfs: --html leaves nothing" "$(ls "$T/full")" "$(printf 'filler\nout')"
    umount "$T/full"
else
    echo "note: cannot mount a tmpfs here (not root?): the full-tmpfs half is skipped"
fi

# ---- 6: --html OUT written whole or not at all, never through a link or into a FIFO
for c in cluster eval; do
    extra=(); [ $c = eval ] && { printf '%s\tA\n%s\tB\n' "$plain" "$other" > "$T/labels"; extra=(--labels "$T/labels"); }
    echo precious > "$T/target"; ln -sf "$T/target" "$T/link.html"
    "$M" $c "${extra[@]}" --html "$T/link.html" "$plain" "$other" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "$c --html symlink" "$rc:$(head -c 20 "$T/target"):$(cat "$T/err")" \
        "2:precious:malgopher: $T/link.html: is a symbolic link (refused: name the file itself)"
    [ -L "$T/link.html" ] && ok || bad "$c --html: the link itself replaced"
    rm -f "$T/fifo.html"; mkfifo "$T/fifo.html"
    timeout 10 "$M" $c "${extra[@]}" --html "$T/fifo.html" "$plain" "$other" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "$c --html FIFO" "$rc:$(cat "$T/err")" "2:malgopher: $T/fifo.html: not a regular file"
    "$M" $c "${extra[@]}" --html "$T/r.html" "$plain" "$other" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "$c --html written" "$rc:$(head -c 15 "$T/r.html")" "0:<!DOCTYPE html>"
    expect_eq "$c --html no temporary left" "$(ls "$T" | grep -c 'r.html.tmp')" 0
done

# ---- 2: every text surface escapes what it prints.  The oracle: the rule
# docs/security.md states, worked here in Python from the raw line (a line
# holding a backslash, a control character or invalid UTF-8 starts with a
# backslash; those bytes are written \\, \n, \r, \t, \xHH)
escaped() { # the expected line for the raw text $1 (a shell string)
    python3 -c 'import sys
raw = sys.argv[1].encode("utf-8", "surrogateescape")
def plain(b, i):
    c = b[i]
    if c == 0x5c or c < 0x20 or c == 0x7f: return 0
    if c < 0x80: return 1
    for k in (4, 3, 2):
        try:
            ch = b[i:i + k].decode("utf-8")
            if len(ch) == 1: return 0 if 0x80 <= ord(ch) < 0xa0 else k
        except UnicodeDecodeError: pass
    return 0
out, esc, i = b"", False, 0
while i < len(raw):
    k = plain(raw, i)
    if k: out += raw[i:i + k]; i += k; continue
    esc = True; c = raw[i]; i += 1
    out += {0x5c: b"\\\\", 10: b"\\n", 13: b"\\r", 9: b"\\t"}.get(c, b"\\x%02x" % c)
sys.stdout.buffer.write((b"\\" if esc else b"") + out + b"\n")' "$1"
}
nasty=$T/$'evil\e[2J\nprotector:      forged'
cp "$plain" "$nasty"
export MALGOPHER_DB=$T/escapes.sqlite # a collection of its own
"$M" db add "$nasty" >/dev/null 2>&1
evil_label=$'x\e]0;owned\a\nprotector:      forged'
"$M" db label "$nasty" "$evil_label" >"$T/out" 2>"$T/err"; rc=$?
escaped "$nasty: $evil_label (1 sample)" > "$T/want"
expect_eq "db label confirmation escaped" "$rc:$(cat -v "$T/out")" "0:$(cat -v "$T/want")"
"$M" db families >"$T/out" 2>"$T/err"
escaped "  $nasty  $evil_label" > "$T/want"
grep -qxF -f "$T/want" "$T/out" && ok || bad "db families member line: $(cat -v "$T/out")"
expect_eq "db families: no raw control byte" "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$T/out")" 0
expect_eq "db families: no forged line" "$(grep -c '^protector:' "$T/out")" 0
HERE=$(cd "$(dirname "$0")" && pwd)
if command -v mcs >/dev/null && command -v ilasm >/dev/null && command -v monodis >/dev/null; then
    w=$T/reactor; mkdir -p "$w"
    mcs -platform:anycpu -out:"$w/orig.exe" "$HERE/dotnet/src/Guarded.cs" >/dev/null &&
        REACTORPACK_SOURCES="$HERE/dotnet/src/Guarded.cs:$w/Protector.cs" python3 "$HERE/dotnet/reactorpack.py" pack \
            "$w/orig.exe" "$w" "$w/packed.exe" 1 >"$w/pack.txt" 2>"$w/pack.err" || bad "reactorpack: $(tail -2 "$w/pack.err")"
    read -r _ rname _ < <(grep '^resource' "$w/pack.txt")
    # jit-unpack's input and output names
    in=$T/$'in\e[2J\nprotector:      forged.exe' out=$T/$'out\e[2J\ninput:          forged.exe'
    cp "$w/packed.exe" "$in"
    "$M" jit-unpack "$in" -o "$out" >"$T/out" 2>"$T/err"; rc=$?
    expect_eq "jit-unpack ran" "$rc:$(cat "$T/err")" "0:"
    escaped "input:          $in" > "$T/want"
    escaped "output:         $out ($(stat -c %s "$out") bytes)" >> "$T/want"
    expect_eq "jit-unpack names escaped" "$(grep -e input: -e output: "$T/out" | cat -v)" "$(cat -v "$T/want")"
    # info: the private resource's name (same length, in the #Strings heap)
    forged=$'\e[2J\nprotector:      forged\e[0m'
    forged=$(printf '%-35s' "$forged")
    python3 -c 'import sys
d = open(sys.argv[3], "rb").read(); a, b = sys.argv[1].encode(), sys.argv[2].encode()
assert len(a) == len(b) and d.count(a + b"\0") == 1
open(sys.argv[4], "wb").write(d.replace(a + b"\0", b + b"\0"))' "$rname" "$forged" "$w/packed.exe" "$w/forged.exe" || bad "patch the resource name"
    "$M" info "$w/forged.exe" >"$T/out" 2>"$T/err"
    expect_eq "info: one protector line" "$(grep -c '^protector:' "$T/out")" 1
    expect_eq "info: no raw control byte" "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$T/out")" 0
    grep -q "^\\\\protector evidence: .*private resource '\\\\x1b\[2J\\\\nprotector: " "$T/out" && ok ||
        bad "info: evidence line $(grep evidence "$T/out" | cat -v)"
else
    echo "note: mcs, ilasm or monodis missing: the .NET half of the escaping cases is skipped"
fi
export MALGOPHER_DB=$T/c.sqlite

# ---- 3: no CSV cell starts a formula: every --csv output, read back by
# Python's csv module, has no cell beginning with = + - @ (each named file
# is one), and the cell is the name with a ' before it
for name in '=HYPERLINK("x")' '+1+cmd' '-2+3' '@SUM(A1)'; do
    cp "$plain" "$T/$name"
done
cd "$T"
for c in "hash --csv" "info --csv" "cluster --csv"; do
    "$M" $c -- '=HYPERLINK("x")' '+1+cmd' '-2+3' '@SUM(A1)' >"$T/csv" 2>/dev/null
    python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
cells = [c for r in rows[1:] for c in r]
bad = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
names = {"=HYPERLINK(\"x\")", "+1+cmd", "-2+3", "@SUM(A1)"}
quoted = {c[1:] for c in cells if c[:1] == "\x27"} & names
sys.exit(0 if rows and not bad and quoted == names else "%s: %s %s" % (sys.argv[2], bad, quoted))' "$T/csv" "$c" && ok || bad "csv formula cells: $c"
done
cd - >/dev/null

# ---- 7: db import never opens what a line names; memory per line bounded
export MALGOPHER_DB=$T/import.sqlite
rm -f "$T/feed.fifo"; mkfifo "$T/feed.fifo"
gh=$(printf '%064d' 0)
printf '{"path":"%s","gimphash":"%s","gimpfuzzy":"3:a:b"}\n' "$T/feed.fifo" "$gh" "$plain" "$gh" > "$T/feed.jsonl"
timeout 10 "$M" db import "$T/feed.jsonl" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "import: lines without sha256" "$rc:$(cat "$T/out"):$(cut -d: -f3- "$T/err" | tr '\n' '|')" \
    "1:added 0, known 0, not Go 0:1: no \"sha256\" (db import reads no file a line names: db add it)|2: no \"sha256\" (db import reads no file a line names: db add it)|"
python3 -c 'import sys
sys.stdout.write("{\"path\":\"" + "a" * 100000000 + "\"}\n")' > "$T/long.jsonl"
"$M" hash --json "$plain" >> "$T/long.jsonl"
/usr/bin/time -f %M -o "$T/rss" "$M" db import "$T/long.jsonl" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "import: a 100 MB line refused, the next one kept" "$rc:$(cat "$T/out"):$(cut -d: -f3- "$T/err")" \
    "1:added 1, known 0, not Go 0:1: line longer than 1 MiB (refused)"
[ "$(tail -1 "$T/rss")" -lt 65536 ] && ok || bad "import of a 100 MB line: $(tail -1 "$T/rss") kB resident"
export MALGOPHER_DB=$T/c.sqlite

# ---- 8: PostgreSQL URIs: a password never shown; a server that accepts
# and never answers is given up on (a listener here that never speaks)
python3 -c 'import socket, select, sys, time
s = socket.create_server(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
conns, end = [], time.monotonic() + 120
while time.monotonic() < end:
    if select.select([s], [], [], 0.2)[0]: conns.append(s.accept()[0])' > "$T/port" </dev/null 2>/dev/null &
listener=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.3; done
port=$(cat "$T/port")
if [ -n "$port" ]; then
    start=$(date +%s)
    "$M" db stats --db "postgresql://bob:hunter2@127.0.0.1:$port/c?sslmode=disable&password=swordfish" >/dev/null 2>"$T/err"; rc=$?
    took=$(( $(date +%s) - start ))
    expect_eq "silent server: given up on" "$rc:$(grep -c 'timeout expired (no answer within connect_timeout, 10 s' "$T/err")" "1:1"
    [ $took -ge 9 ] && [ $took -le 30 ] && ok || bad "silent server: $took s (the default connect_timeout is 10 s)"
    "$M" db stats --db "postgresql://127.0.0.1:$port/c?password=swordfish&connect_timeout=1" >/dev/null 2>>"$T/err"
    expect_eq "no password in any message" "$(grep -c -e hunter2 -e swordfish "$T/err")" 0
    expect_eq "passwords masked" "$(grep -o -e 'bob:\*\*\*@' -e 'password=\*\*\*' "$T/err" | sort | uniq -c | tr -s ' ' | tr '\n' '|')" \
        " 1 bob:***@| 2 password=***|"
else
    bad "the silent listener did not start"
fi
kill "$listener" 2>/dev/null

# ---- 9: hash -c: a NUL in a path, raw or escaped, makes the line malformed
# (it was checked as the shorter path and reported OK)
"$M" hash "$other" > "$T/sums"
line=$("$M" hash "$plain")
{ printf '%s\0.evil\n' "$line"; printf '\\%s\\x00.evil\n' "$line"; } >> "$T/sums"
"$M" hash -c "$T/sums" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "hash -c NUL: only the good line checked" "$rc:$(cat "$T/out")" "0:$other: OK"
expect_eq "hash -c NUL: two malformed lines" "$(cat "$T/err")" "malgopher: WARNING: 2 lines are improperly formatted"

# ---- 4: a crafted SQLite collection cannot lie, hang or forge
sha=$(sha256sum < "$plain" | cut -d' ' -f1)
craft() { # NAME SQL...: a copy of the collection altered by python's sqlite3
    cp "$T/c.sqlite" "$T/$1.sqlite"; local n=$1; shift
    python3 - "$T/$n.sqlite" "$@" <<'PY' || bad "craft $n"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for q in sys.argv[2:]:
    c.execute(q)
c.commit()
PY
}
"$M" db stats >/dev/null 2>&1 # checkpointed: the copies hold every record
craft trigger "CREATE TRIGGER t AFTER INSERT ON labels BEGIN UPDATE samples SET label = 'benign'; END"
"$M" db label --db "$T/trigger.sqlite" "$sha" evil >"$T/out" 2>"$T/err"; rc=$?
expect_eq "trigger: db label refused" "$rc:$(cat "$T/out"):$(cat "$T/err")" \
    "1::malgopher: $T/trigger.sqlite: refused: not the schema malgopher makes (it has trigger t): a crafted or altered collection"
expect_eq "trigger: nothing labelled" "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from labels").fetchone()[0])' "$T/trigger.sqlite")" 0
craft loop "ALTER TABLE samples RENAME TO s0" \
    "CREATE VIEW samples AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT s0.* FROM r, s0"
for c in "db stats" "db export" "db families" "db match $plain"; do
    MALGOPHER_DB=$T/loop.sqlite timeout 20 "$M" $c >/dev/null 2>"$T/err"; rc=$?
    expect_eq "endless view: $c" "$rc:$(cat "$T/err")" \
        "1:malgopher: $T/loop.sqlite: refused: not the schema malgopher makes (it has view samples): a crafted or altered collection"
done
cols="id, sha256, slice, suffix, size, path, first_seen, last_seen, source, container, os, arch, go_version,
 main_path, main_module, main_version, build, gimphash, gimpfuzzy, gimpset, functions, names, no_names, partial,
 digest_kind, digest_exact"
craft bigview "ALTER TABLE samples RENAME TO s0" "CREATE VIEW samples AS SELECT $cols, printf('%.*c', 100000000, 'x') AS label FROM s0"
/usr/bin/time -f %M -o "$T/rss" "$M" db export --db "$T/bigview.sqlite" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "100 MB view: refused" "$rc:$(wc -c < "$T/out")" "1:0"
[ "$(tail -1 "$T/rss")" -lt 65536 ] && ok || bad "100 MB view: $(tail -1 "$T/rss") kB resident"
craft bigvalue "UPDATE samples SET label = printf('%.*c', 20000000, 'x')"
/usr/bin/time -f %M -o "$T/rss" "$M" db export --db "$T/bigvalue.sqlite" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "20 MB value: refused" "$rc:$(wc -c < "$T/out"):$(cat "$T/err")" "1:0:malgopher: $T/bigvalue.sqlite: string or blob too big"
[ "$(tail -1 "$T/rss")" -lt 65536 ] && ok || bad "20 MB value: $(tail -1 "$T/rss") kB resident"
craft forge "UPDATE samples SET slice = '0,\"path\":\"/etc/shadow\",\"x\":1}' || char(10) || '{\"path\":\"x\"' WHERE sha256 = '$sha'"
"$M" db export --db "$T/forge.sqlite" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "text in an integer column: refused" "$rc:$(cat "$T/err")" \
    "1:malgopher: record 1: slice is not an integer (refused: a crafted collection?)"
expect_eq "text in an integer column: no forged record" "$(grep -c shadow "$T/out")" 0
python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$T/out" && ok || bad "export: a line that is not JSON"

finish security
