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
