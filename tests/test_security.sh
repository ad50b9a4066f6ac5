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

finish security
