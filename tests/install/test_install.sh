#!/usr/bin/env bash
# test_install.sh - the installed library is usable as documented: `cmake
# --install` into a DESTDIR staging tree puts the command, both libraries,
# the header, malgopher.pc and the man pages in place; examples/gimphash.c
# compiled through `pkg-config --cflags --libs malgopher` (shared) and
# `pkg-config --static` (with only the .a present) prints, on fixtures, the
# gimphash and name `malgopher hash` prints; the installed man pages are
# the --help texts, with EXAMPLES whose commands and options are those of
# --help; malgopher-yara(7) documents every go./fuzzy. name of docs/yara.md;
# rules/ is installed under share/malgopher/rules and compiles.
# usage: test_install.sh BUILD_DIR SOURCE_DIR FIXTURE_DIR
set -u
build=$1 src=$2 fx=$3
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
for f in linux-amd64-plain/mgfixture windows-386-stripped/mgfixture.exe darwin-fat-plain/mgfixture; do
    [ -f "$fx/$f" ] || { echo "SKIPPED: fixture missing: $fx/$f"; exit 77; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage/root cmake --install "$build" >"$stage/install.log" 2>&1 ||
    { cat "$stage/install.log"; echo "FAIL: cmake --install"; exit 1; }
pc=$(find "$stage/root" -name malgopher.pc)
check "malgopher.pc installed" '[ -n "$pc" ]'
[ -n "$pc" ] || exit 1
prefix=$(sed -n 's/^prefix=//p' "$pc")
libdir=$(sed -n 's/^libdir=//p' "$pc")
root=$stage/root
check "libdir $libdir holds libmalgopher.so and .a" '[ -f "$root$libdir/libmalgopher.a" ] && [ -e "$root$libdir/libmalgopher.so" ]'
check "pc file is in \$libdir/pkgconfig" '[ "$pc" = "$root$libdir/pkgconfig/malgopher.pc" ]'
check "the header in includedir" '[ -f "$root$(sed -n "s/^includedir=//p" "$pc")/malgopher.h" ]'
check "the command in \$prefix/bin" '[ -x "$root$prefix/bin/malgopher" ]'
soname=$(readelf -d "$root$libdir/libmalgopher.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "SONAME $soname is installed as a file or link" '[ -n "$soname" ] && [ -e "$root$libdir/$soname" ]'
export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
check "pkg-config --libs names -lmalgopher" 'pkg-config --libs malgopher | grep -q -- "-lmalgopher"'
check "pkg-config --static --libs adds libfuzzy and libcrypto" \
    'pkg-config --static --libs malgopher | grep -q -- "-lfuzzy" && pkg-config --static --libs malgopher | grep -q -- "-lcrypto"'

# the man pages: malgopher(1) and one per command of `malgopher --help`,
# each holding that command's --help text
man1=$root$prefix/share/man/man1
have_man=1
command -v man >/dev/null || { have_man=0; echo "SKIPPED: rendering the man pages (no man command: apt-get install man-db)"; }
check "malgopher.1 installed" '[ -f "$man1/malgopher.1" ]'
cmds=$("$build/malgopher" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
check "the command list is not empty" '[ -n "$cmds" ]'
# a page's EXAMPLES: at least one runs the page's command; every `$ `
# line's malgopher commands (each pipeline stage starting with `malgopher`)
# name a command of --help, and every option they give is one that
# command's --help (for db: the subcommand's) lists
example_cmds() { # PAGE: the example commands, one a line
    MANWIDTH=400 man -l "$1" 2>/dev/null | sed -n '/^EXAMPLES/,/^SEE ALSO/p' | sed -n 's/^ *\$ //p' |
        tr '|;' '\n\n' | sed 's/^ *//' | grep '^malgopher ' | sed 's/[<>].*//'
}
check_examples() { # PAGE CMD(empty for malgopher(1))
    local page=$1 want=$2 line c sub opt help n=0
    while read -r line; do
        set -- $line
        c=${2:-}
        [ -z "$want" ] || [ "$c" = "$want" ] && n=$((n + 1))
        printf '%s\n' $cmds | grep -qx -- "$c" || { echo "FAIL: $(basename "$page"): '$c' is not a command"; fail=1; continue; }
        sub=""
        case $c in db | known) sub=${3:-} ;; esac # commands of subcommands
        help=$("$build/malgopher" $c $sub --help 2>&1)
        shift 2
        for opt in "$@"; do
            case $opt in
            --*) opt=${opt%%=*} ;;
            -[a-zA-Z0-9]) ;;
            *) continue ;;
            esac
            printf '%s\n' "$help" | grep -qE -- "(^|[ ,])$opt([ ,=]|\$)" ||
                { echo "FAIL: $(basename "$page"): option $opt of '$line' is not in '$c $sub --help'"; fail=1; }
        done
    done < <(example_cmds "$page")
    [ "$n" -gt 0 ] && echo "ok: $(basename "$page") has $n examples of ${want:-malgopher}" ||
        { echo "FAIL: $(basename "$page"): no EXAMPLES of ${want:-malgopher}"; fail=1; }
}
for c in $cmds; do
    m=$man1/malgopher-$c.1
    # man(1) renders the page; every line of the help text must be in it
    check "malgopher-$c.1 installed" '[ -f "$m" ]'
    [ $have_man = 1 ] || continue
    check "malgopher-$c.1 holds '$c --help'" \
        '[ -f "$m" ] && diff <("$build/malgopher" "$c" --help | sed "s/[[:space:]]*$//" | grep .) <(MANWIDTH=200 man -l "$m" 2>/dev/null | sed -n "/^DESCRIPTION/,/^\(EXAMPLES\|SEE ALSO\)/p" | sed "1d;\$d" | sed "s/^       //;s/[[:space:]]*$//" | grep .) >/dev/null'
    [ -f "$m" ] && check_examples "$m" "$c"
done
[ $have_man = 1 ] && check_examples "$man1/malgopher.1" ""

# malgopher-yara(7): renders without warnings, and names every field and
# function of the two modules that docs/yara.md's tables name
man7=$root$prefix/share/man/man7/malgopher-yara.7
check "malgopher-yara.7 installed" '[ -f "$man7" ]'
if [ $have_man = 1 ] && [ -f "$man7" ]; then
    MANWIDTH=200 man --warnings -l "$man7" >"$stage/yara7.txt" 2>"$stage/yara7.err"
    check "malgopher-yara.7 renders without warnings" '[ ! -s "$stage/yara7.err" ] || { cat "$stage/yara7.err"; false; }'
    names=$(grep -oE '^\| `(go|fuzzy)\.[^`(]+' "$src/docs/yara.md" | sed 's/^| `//' | sort -u)
    check "docs/yara.md tables name 20 or more go./fuzzy. fields and functions" '[ "$(printf "%s\n" "$names" | wc -l)" -ge 20 ]'
    missing=""
    for nm in $names; do grep -qF -- "$nm" "$stage/yara7.txt" || missing="$missing $nm"; done
    check "malgopher-yara.7 documents every module name of docs/yara.md${missing:+ (missing:$missing)}" '[ -z "$missing" ]'
    check "malgopher(1) points to malgopher-yara(7)" 'MANWIDTH=200 man -l "$man1/malgopher.1" 2>/dev/null | grep -q "malgopher-yara(7)"'
fi

# rules/: installed under share/malgopher/rules, each file the same as in
# the source tree, and each compiles (scan on an empty file: exit 0)
rules=$root$prefix/share/malgopher/rules
nsrc=$(ls "$src"/rules/*.yar | wc -l)
check "share/malgopher/rules holds the $nsrc rules of rules/" '[ "$(ls "$rules"/*.yar 2>/dev/null | wc -l)" = "$nsrc" ]'
: >"$stage/empty"
for r in "$src"/rules/*.yar; do
    i=$rules/$(basename "$r")
    check "$(basename "$r") installed as in rules/" 'cmp -s "$r" "$i"'
    check "installed $(basename "$r") compiles" '"$build/malgopher" scan "$i" "$stage/empty" >/dev/null 2>"$stage/scan.err" || { cat "$stage/scan.err"; false; }'
done

# the example, built the documented ways (with the sanitizers when the
# library was built with them: make test-asan)
san=
readelf -d "$build/libmalgopher.so" | grep -q 'libasan' && san="-fsanitize=address,undefined"
out=$stage/out
mkdir -p "$out"
cc $san -Wall -Wextra -Werror -o "$out/gimphash" "$src/examples/gimphash.c" $(pkg-config --cflags --libs malgopher) 2>"$out/cc.log"
check "examples/gimphash.c builds with pkg-config --cflags --libs" '[ -x "$out/gimphash" ] || { cat "$out/cc.log"; false; }'
# only the static archive left: -lmalgopher can only be it
rm -f "$root$libdir"/libmalgopher.so*
cc $san -Wall -Wextra -Werror -o "$out/gimphash_static" "$src/examples/gimphash.c" $(pkg-config --static --cflags --libs malgopher) 2>"$out/cc_static.log"
check "examples/gimphash.c builds with pkg-config --static" '[ -x "$out/gimphash_static" ] || { cat "$out/cc_static.log"; false; }'
check "the static build needs no libmalgopher.so" '! readelf -d "$out/gimphash_static" | grep -q "libmalgopher"'

files="$fx/linux-amd64-plain/mgfixture $fx/windows-386-stripped/mgfixture.exe $fx/darwin-fat-plain/mgfixture"
"$build/malgopher" hash $files | awk '{print $1 "  " $3}' >"$out/want"
check "malgopher hash gave 4 or more lines" '[ "$(wc -l <"$out/want")" -ge 4 ]'
# the shared build runs against the staged .so (removed above: reinstall)
DESTDIR=$root cmake --install "$build" >/dev/null 2>&1
LD_LIBRARY_PATH=$root$libdir "$out/gimphash" $files >"$out/shared" 2>"$out/shared.err"
rc=$?
check "shared example: exit 0" '[ $rc = 0 ]'
check "shared example loads the staged library" 'LD_LIBRARY_PATH=$root$libdir ldd "$out/gimphash" | grep -q "$root$libdir/libmalgopher.so"'
check "shared example prints what malgopher hash prints" 'diff "$out/want" "$out/shared"'
"$out/gimphash_static" $files >"$out/static" 2>"$out/static.err"
check "static example prints what malgopher hash prints" 'diff "$out/want" "$out/static"'
"$out/gimphash_static" /etc/passwd >/dev/null 2>"$out/notgo.err"
rc=$?
check "static example: a non-Go file exits 1 with the reason" '[ $rc = 1 ] && grep -q "^gimphash: /etc/passwd: " "$out/notgo.err"'
exit $fail
