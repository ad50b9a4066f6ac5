#!/usr/bin/env bash
# test_cli.sh - the malgopher command's behaviour: output formats, stderr
# lines, exit codes (0 all handled, 1 some not, 2 usage), checked on the
# fixture matrix against the oracle files built with it.
# usage: test_cli.sh MALGOPHER FIXTURE_DIR
set -u
M=$1 FX=$2
. "$(dirname "$0")/lib.sh"

stripped=$FX/linux-amd64-stripped/mgfixture
plain=$FX/linux-amd64-plain/mgfixture
want_hash=$(cat "$FX/linux-amd64-stripped/gimphash.expected")

# --version and --help
expect_eq "--version" "$("$M" --version)" "malgopher 0.1.0"
"$M" --help | grep -q '^usage: malgopher' && ok || bad "--help"
for c in info funcs hash; do
    "$M" $c --help | grep -q "^usage: malgopher $c" && ok || bad "$c --help"
done

# usage errors exit 2
"$M" >/dev/null 2>&1; expect_eq "no command" $? 2
"$M" frobnicate >/dev/null 2>&1; expect_eq "unknown command" $? 2
"$M" hash >/dev/null 2>&1; expect_eq "hash without PATH" $? 2
"$M" hash --bogus "$plain" >/dev/null 2>&1; expect_eq "unknown option" $? 2

# hash: sha256sum-like line, value from the oracle
line=$("$M" hash "$stripped"); rc=$?
expect_eq "hash exit" $rc 0
expect_eq "hash gimphash" "$(echo "$line" | cut -d' ' -f1)" "$want_hash"
expect_eq "hash path field" "$(echo "$line" | awk '{print $3}')" "$stripped"

# a non-Go file: one stderr line, skipped, exit 1
printf 'just text\n' > "$T/notgo.txt"
: > "$T/empty"
out=$("$M" hash "$T/notgo.txt" 2>"$T/err"); rc=$?
expect_eq "non-Go exit" $rc 1
expect_eq "non-Go stdout" "$out" ""
expect_eq "non-Go stderr" "$(cat "$T/err")" "malgopher: $T/notgo.txt: not a Go executable"
"$M" hash "$T/empty" 2>"$T/err"; rc=$?
expect_eq "empty exit" $rc 1
expect_eq "empty stderr" "$(cat "$T/err")" "malgopher: $T/empty: empty file"
"$M" hash "$T/does-not-exist" 2>"$T/err"; rc=$?
expect_eq "missing exit" $rc 1
expect_eq "missing stderr" "$(cat "$T/err")" "malgopher: $T/does-not-exist: No such file or directory"

# -r over a directory with one Go file and two others
mkdir -p "$T/dir/sub"
cp "$stripped" "$T/dir/sub/a"
cp "$T/notgo.txt" "$T/dir/b.txt"
"$M" hash "$T/dir" >/dev/null 2>"$T/err"; rc=$?
expect_eq "directory without -r" "$rc:$(cat "$T/err")" "1:malgopher: $T/dir: is a directory (use -r)"
out=$("$M" hash -r "$T/dir" 2>/dev/null); rc=$?
expect_eq "hash -r exit" $rc 1
expect_eq "hash -r lines" "$out" "$want_hash  $(echo "$line" | awk '{print $2}')  $T/dir/sub/a"

# --json: one object per line, fields that match the oracle
"$M" hash --json "$stripped" > "$T/j"
expect_eq "json gimphash" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gimphash"])' "$T/j")" "$want_hash"
expect_eq "json arch" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["arch"])' "$T/j")" "amd64"
# --csv: header then one row
"$M" hash --csv "$stripped" > "$T/c"
expect_eq "csv header" "$(head -1 "$T/c")" "gimphash,gimpfuzzy,path,arch,go_version,functions,no_names,gimpset,gimpset_names,sha256,size"
# the gimpset column against the Python spec implementation over the nm oracle's names
cut -f2 "$FX/linux-amd64-plain/funcs.expected.txt" > "$T/nm_names"
expect_eq "csv gimpset = spec" "$(tail -n +2 "$T/c" | cut -d, -f8)" \
    "$(python3 "$(dirname "$0")/gimpset/gimpset_ref.py" "$T/nm_names")"
expect_eq "csv rows" "$(tail -n +2 "$T/c" | cut -d, -f1)" "$want_hash"

# funcs: one line per function, same count and names as the nm oracle
"$M" funcs "$plain" > "$T/f"
expect_eq "funcs count" "$(wc -l < "$T/f")" "$(wc -l < "$FX/linux-amd64-plain/funcs.expected.txt")"
expect_eq "funcs names" "$(cut -d' ' -f2- "$T/f" | md5sum)" "$(cut -f2 "$FX/linux-amd64-plain/funcs.expected.txt" | md5sum)"
"$M" funcs --json "$plain" | head -1 > "$T/fj"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["file"] is not None and d["entry"].startswith("0x")' "$T/fj" && ok || bad "funcs --json"
"$M" funcs "$T/notgo.txt" 2>/dev/null; expect_eq "funcs non-Go exit" $? 1

# info: fat file gives one JSON object per slice
expect_eq "info fat slices" "$("$M" info --json "$FX/darwin-fat-plain/mgfixture" | wc -l)" 2
"$M" info "$plain" | grep -q '^go version:     go1.19.8 (from buildinfo)$' && ok || bad "info go version"
"$M" info "$plain" | grep -q '^stripped:       no$' && ok || bad "info stripped"
"$M" info "$stripped" | grep -q '^stripped:       yes$' && ok || bad "info stripped yes"

finish
