#!/usr/bin/env bash
# test_habits.sh - the analyst habits shared by info, funcs, hash, compare,
# cluster, match, eval and jit-unpack (and the db subcommands' usage), each against an independent oracle:
# sha256sum and stat for the file identity, sha256sum's own escaping and
# `sha256sum -c` lines for names and check mode, the same run given its
# paths as arguments for --files-from, `timeout` for FIFOs, `cmp` and the
# file type for what jit-unpack -o must leave alone.
# The README: every command has its section in docs/, and the quick tour's
# commands run on the corpus as the README shows them.
# usage: test_habits.sh MALGOPHER FIXTURE_DIR [CORPUS_DIR [SHARED_DIR [DOTNET_FIXTURE_DIR]]]
set -u
M=$(readlink -f "$1") FX=$2 CORPUS=${3:-} SHARED=${4:-} DOTNET=${5:-}
. "$(dirname "$0")/lib.sh"

plain=$FX/linux-amd64-plain/mgfixture
stripped=$FX/linux-amd64-stripped/mgfixture
other=$FX/linux-386-plain/mgfixture
fat=$FX/darwin-fat-plain/mgfixture
for f in "$plain" "$stripped" "$other"; do
    [ -f "$f" ] || { echo "SKIPPED: missing fixture $f"; exit 77; }
done
ERRS=$T/all-stderr # every stderr of the run, checked for doubled prefixes at the end
run() { "$M" "$@" 2>>"$ERRS"; }
json_field() { python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l)[sys.argv[1]])' "$1"; }

# ---- file identity: sha256 and size as sha256sum and stat give them
files=("$plain" "$stripped" "$other")
if [ -n "$CORPUS" ] && [ -d "$CORPUS" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$CORPUS" -type f -size -20M 2>/dev/null | sort | head -4)
fi
for f in "${files[@]}"; do
    want_sha=$(sha256sum < "$f" | cut -d' ' -f1) want_size=$(stat -c %s "$f")
    j=$(run hash --json "$f" | head -1)
    [ -n "$j" ] || continue # not Go (a corpus file may not be)
    expect_eq "hash json sha256 $f" "$(echo "$j" | json_field sha256)" "$want_sha"
    expect_eq "hash json size $f" "$(echo "$j" | json_field size)" "$want_size"
    expect_eq "info json sha256 $f" "$(run info --json "$f" | head -1 | json_field sha256)" "$want_sha"
    expect_eq "info json size $f" "$(run info --json "$f" | head -1 | json_field size)" "$want_size"
    row=$(run hash --csv "$f" | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(r[0]["sha256"], r[0]["size"])')
    expect_eq "hash csv sha256 size $f" "$row" "$want_sha $want_size"
    row=$(run info --csv "$f" | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(r[0]["sha256"], r[0]["size"])')
    expect_eq "info csv sha256 size $f" "$row" "$want_sha $want_size"
done
if [ -f "$fat" ]; then # every slice record carries the whole file's identity
    expect_eq "fat slices sha256" "$(run hash --json "$fat" | json_field sha256 | sort -u)" "$(sha256sum < "$fat" | cut -d' ' -f1)"
fi

# ---- --json and --csv together: a usage error, not last-wins
for c in hash info cluster; do
    run $c --json --csv "$plain" >/dev/null; expect_eq "$c --json --csv" $? 2
done

# ---- --files-from: the same output as the arguments
args_out=$(run hash "$plain" "$stripped" "$other")
expect_eq "files-from -" "$(printf '%s\n' "$plain" "$stripped" "$other" | run hash --files-from -)" "$args_out"
printf '%s\n' "$plain" "$stripped" "$other" > "$T/list"
expect_eq "files-from FILE" "$(run hash --files-from "$T/list")" "$args_out"
expect_eq "files-from -0" "$(printf '%s\0' "$plain" "$stripped" "$other" | run hash -0 --files-from -)" "$args_out"
expect_eq "info files-from" "$(printf '%s\n' "$plain" "$other" | run info --files-from -)" "$(run info "$plain" "$other")"
expect_eq "funcs files-from" "$(printf '%s\n' "$plain" "$other" | run funcs --files-from -)" "$(run funcs "$plain" "$other")"
expect_eq "cluster files-from" "$(printf '%s\n' "$plain" "$other" | run cluster --files-from -)" "$(run cluster "$plain" "$other")"
run hash -0 "$plain" >/dev/null; expect_eq "-0 without --files-from" $? 2

# ---- -j: the same lines in the same order whatever the threads
mkdir -p "$T/tree"
for d in "$FX"/*-plain "$FX"/*-stripped; do
    for f in "$d"/mgfixture*; do [ -f "$f" ] && cp "$f" "$T/tree/$(basename "$d")-$(basename "$f")"; done
done
expect_eq "hash -j 2 = -j 1" "$(run hash -r -j 2 "$T/tree")" "$(run hash -r -j 1 "$T/tree")"

# ---- -q: no "not a Go executable" lines; a non-Go file met in a walk is
# no failure (as `grep -r -q` passes over what it cannot match), one named
# on the command line still is (as `sha256sum --quiet` counts a named file)
printf 'just text\n' > "$T/tree/notes.txt"
"$M" hash -q -r "$T/tree" >/dev/null 2>"$T/err"; rc=$?
expect_eq "hash -q walk exit" $rc 0
expect_eq "hash -q stderr" "$(cat "$T/err")" ""
"$M" hash -q "$T/tree/notes.txt" >/dev/null 2>"$T/err"; rc=$?
expect_eq "hash -q named non-Go exit" $rc 1
"$M" hash -r "$T/tree" >/dev/null 2>"$T/err"
expect_eq "hash without -q" "$(cat "$T/err")" "malgopher: $T/tree/notes.txt: not a Go executable"
expect_eq "info -q leaves out non-Go" "$(run info -q "$T/tree/notes.txt")" ""
rm "$T/tree/notes.txt"

# ---- hash -c, as sha256sum -c
mkdir -p "$T/chk"
cp "$plain" "$T/chk/a"; cp "$other" "$T/chk/b"; cp "$stripped" "$T/chk/c"
run hash "$T/chk/a" "$T/chk/b" "$T/chk/c" > "$T/sums"
sha256sum "$T/chk/a" "$T/chk/b" "$T/chk/c" > "$T/sha"
expect_eq "hash -c all OK (= sha256sum -c)" "$(run hash -c "$T/sums")" "$(sha256sum -c "$T/sha")"
run hash -c "$T/sums" >/dev/null; expect_eq "hash -c OK exit" $? 0
cp "$other" "$T/chk/a"   # a changed into another program
rm "$T/chk/c"            # c gone
out=$("$M" hash -c "$T/sums" 2>"$T/err"); rc=$?
expect_eq "hash -c FAILED exit" $rc 1
expect_eq "hash -c FAILED lines" "$out" "$T/chk/a: FAILED
$T/chk/b: OK
$T/chk/c: FAILED open or read"
grep -q "WARNING: 1 computed fingerprint did NOT match" "$T/err" && ok || bad "hash -c mismatch warning"
grep -q "WARNING: 1 listed file could not be read" "$T/err" && ok || bad "hash -c unreadable warning"
expect_eq "hash -c -q" "$(run hash -c "$T/sums" -q)" "$T/chk/a: FAILED
$T/chk/c: FAILED open or read"
expect_eq "hash -c - (stdin)" "$(run hash -c - < "$T/sums" | tail -1)" "$T/chk/c: FAILED open or read"
run hash -c /etc/passwd >/dev/null; expect_eq "hash -c of a non-hash file" $? 2

# ---- names with a newline or a backslash: escaped as sha256sum escapes them
nl_name="$T/chk/new
line" bs_name="$T/chk/back\\slash"
cp "$plain" "$nl_name"; cp "$plain" "$bs_name"
for n in "$nl_name" "$bs_name"; do
    out=$(run hash "$n")
    expect_eq "one line for $(printf %q "$n")" "$(printf '%s\n' "$out" | wc -l)" 1
    expect_eq "escaped like sha256sum" "${out:0:1}$(echo "$out" | awk '{print $3}')" "$(sha256sum "$n" | awk '{print substr($1,1,1) $2}')"
    # check mode reads the escaped name back
    printf '%s\n' "$out" > "$T/one"
    expect_eq "hash -c escaped name" "$(run hash -c "$T/one")" "$(sha256sum "$n" | awk '{print $2}' | sed 's/^/\\/'): OK"
    expect_eq "info file: line escaped" "$(run info "$n" | head -1)" "\\file:           $(sha256sum "$n" | awk '{print $2}')"
    expect_eq "diff A: line escaped" "$("$M" diff "$n" "$plain" | head -1)" "\\A: $(sha256sum "$n" | awk '{print $2}')"
    "$M" hash "$n.missing" 2>"$T/err"
    expect_eq "error line escaped" "$(wc -l < "$T/err")" 1
done
expect_eq "json keeps the real name" "$(run hash --json "$nl_name" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["path"] == sys.argv[1])' "$nl_name")" True
# a JSON string: quote, backslash, control bytes, DEL, UTF-8 kept, each invalid byte U+FFFD
# (oracle: Python's JSON parser and a byte-by-byte replacing UTF-8 decoder)
js_name=$T/chk/$'q"b\\c\x01d\x7fe\xc3\xa9f\xffg\th\xe2\x82'
cp "$plain" "$js_name"
expect_eq "json string escapes" "$(run hash --json "$js_name" | python3 -c 'import codecs,json,os,sys
codecs.register_error("byte", lambda e: ("\ufffd", e.start + 1))
want = os.fsencode(sys.argv[1]).decode("utf-8", "byte")
print(json.loads(sys.stdin.buffer.read())["path"] == want)' "$js_name")" True
expect_eq "csv keeps the real name" "$(run hash --csv "$nl_name" | python3 -c 'import csv,sys; print(list(csv.DictReader(sys.stdin))[0]["path"] == sys.argv[1])' "$nl_name")" True

# ---- crafted build setting: unquotes to a newline, a forged line and ESC
python3 - "$plain" "$T/forged" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
old = b'build\t-compiler=gc\nbuild\t-trimpath=true'
new = b'build\tX="\\nfile: forged\\x1b[2J'
new += b'A' * (len(old) - len(new) - 1) + b'"'
assert len(new) == len(old) and old in data
open(sys.argv[2], 'wb').write(data.replace(old, new))
PY
out=$(run info "$T/forged")
printf '%s\n' "$out" | grep -q '^file: forged' && bad "forged line printed" || ok
printf '%s' "$out" | grep -q $'\x1b' && bad "raw ESC printed" || ok
expect_eq "build line escaped" "$(printf '%s\n' "$out" | grep '^\\build:' | grep -c 'X="\\nfile: forged\\x1b\[2JA*"')" 1
out=$("$M" diff "$plain" "$T/forged")
printf '%s' "$out" | grep -q $'\x1b' && bad "diff raw ESC" || ok
expect_eq "diff setting line escaped" "$(printf '%s\n' "$out" | grep -c '^\\  X: (absent) -> \\nfile: forged\\x1b\[2JA*$')" 1
expect_eq "json build setting decoded" "$(run info --json "$T/forged" | python3 -c 'import json,sys; print(repr(json.loads(sys.stdin.readline())["build_settings"]["X"][:17]))')" "'\\nfile: forged\\x1b[2J'"

# ---- a function name holding ESC: the funcs line is escaped
python3 - "$stripped" "$T/esc-func" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
assert data.count(b'\x00main.main\x00') == 1
open(sys.argv[2], 'wb').write(data.replace(b'\x00main.main\x00', b'\x00main.ma\x1bn\x00'))
PY
out=$(run funcs "$T/esc-func")
printf '%s' "$out" | grep -q $'\x1b' && bad "funcs raw ESC" || ok
expect_eq "funcs escaped name" "$(printf '%s\n' "$out" | grep -c '^\\[0-9a-f]* main\.ma\\x1bn$')" 1
out=$("$M" diff "$T/esc-func" "$stripped")
printf '%s' "$out" | grep -q $'\x1b' && bad "diff raw ESC in a name" || ok
expect_eq "diff escaped name" "$(printf '%s\n' "$out" | grep -c '^\\    - main\.ma\\x1bn$')" 1

# ---- FIFOs and devices: refused at once, never opened for reading
mkfifo "$T/fifo"
for c in "info" "funcs" "hash" "compare $plain" "cluster" "match --db $T/db.jsonl"; do
    run hash --json "$plain" > "$T/db.jsonl"
    timeout 5 "$M" $c "$T/fifo" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "$c FIFO exit" $rc 1
    expect_eq "$c FIFO reason" "$(cat "$T/err")" "malgopher: $T/fifo: not a regular file"
done
timeout 5 "$M" diff "$T/fifo" "$plain" >/dev/null 2>"$T/err"; rc=$?
expect_eq "diff FIFO" "$rc:$(cat "$T/err")" "2:malgopher: $T/fifo: not a regular file (file A)"
timeout 5 "$M" hash /dev/null >/dev/null 2>"$T/err"; rc=$?
expect_eq "device refused" "$rc:$(cat "$T/err")" "1:malgopher: /dev/null: not a regular file"
timeout 5 "$M" jit-unpack "$T/fifo" -o "$T/out.exe" >/dev/null 2>"$T/err"; rc=$?
expect_eq "jit-unpack FIFO input" "$rc:$(cat "$T/err")" "1:malgopher: $T/fifo: not a regular file"

# ---- walking: a symlink named on the command line is followed (find -H),
# links inside the tree are not, a FIFO inside is skipped with a line
ln -s "$T/tree" "$T/link"
expect_eq "symlinked dir = dir" "$(run hash -r "$T/link" | sed "s#$T/link/#$T/tree/#")" "$(run hash -r "$T/tree")"
expect_eq "cluster symlinked dir = dir" "$(run cluster -r "$T/link" | sed "s#$T/link/#$T/tree/#")" "$(run cluster -r "$T/tree")"
expect_eq "symlinked file" "$(ln -s "$plain" "$T/flink"; run hash "$T/flink" | cut -d' ' -f1)" "$(run hash "$plain" | cut -d' ' -f1)"
nlines=$(run hash -r "$T/tree" | wc -l)
mkdir -p "$T/tree/sub"; ln -s .. "$T/tree/sub/loop"; ln -s "$T/tree" "$T/tree/sub/up"
mkfifo "$T/tree/sub/pipe"
out=$(timeout 10 "$M" hash -r "$T/tree" 2>"$T/err"); rc=$?
expect_eq "loop walk exit" $rc 1
expect_eq "loop walk lines" "$(printf '%s\n' "$out" | wc -l)" "$nlines"
expect_eq "FIFO in tree" "$(cat "$T/err")" "malgopher: $T/tree/sub/pipe: not a regular file"
rm -r "$T/tree/sub"

# ---- wrong input is an error (exit 2), not a confident empty answer
run hash "$plain" > "$T/plain.txt"
run match --db /etc/passwd "$plain" >/dev/null; expect_eq "match --db /etc/passwd" $? 2
run match --db "$T/plain.txt" "$plain" >/dev/null; expect_eq "match --db hash text" $? 2
: > "$T/empty.jsonl"
run match --db "$T/empty.jsonl" "$plain" >/dev/null; expect_eq "match --db empty" $? 2
run cluster --from "$T/plain.txt" >/dev/null; expect_eq "cluster --from hash text" $? 2
run cluster --from /etc/passwd >/dev/null; expect_eq "cluster --from /etc/passwd" $? 2
printf 'nowhere/x\tfam\n' > "$T/labels.tsv"
out=$(run eval --labels "$T/labels.tsv" "$plain" "$other"); rc=$?
expect_eq "eval labels matching nothing" "$rc:$out" "2:"
run cluster --labels "$T/labels.tsv" "$plain" >/dev/null; expect_eq "cluster labels matching nothing" $? 2

# ---- match takes a digest as compare does
run hash --json "$plain" "$other" > "$T/db.jsonl"
digest=$(run hash "$plain" | awk '{print $2}')
expect_eq "match digest = match file" "$(run match --measure fuzzy --db "$T/db.jsonl" "$digest" | tail -n +3)" \
    "$(run match --measure fuzzy --db "$T/db.jsonl" "$plain" | tail -n +3)"
expect_eq "match digest header" "$(run match --measure fuzzy --db "$T/db.jsonl" "$digest" | head -2)" "# measure gimpfuzzy, threshold 66
$digest"
# (issue 22) by default, as cluster, gimpset; an ssdeep digest has none:
# it is scored by gimpfuzzy and the answer says so
expect_eq "match digest, default measure" "$(run match --db "$T/db.jsonl" "$digest" | head -2)" "# measure gimpset, threshold 35 (gimpfuzzy, threshold 66, where a side has no gimpset)
$digest  (gimpfuzzy, threshold 66: no gimpset)"

# ---- info on a text file: not an executable, no made-up container facts
out=$(run info "$T/list")
printf '%s\n' "$out" | grep -q 'raw, 0-bit' && bad "info text: raw 0-bit" || ok
printf '%s\n' "$out" | grep -q '^stripped:' && bad "info text: stripped" || ok
expect_eq "info text: not an executable" "$(printf '%s\n' "$out" | grep -c '^container: *none (not an ELF, PE, Mach-O or XCOFF executable)$')" 1

expect_eq "info json text file" "$(run info --json "$T/list" | python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(j["container"], j["stripped"], j["is_go"])')" "none None False"

# ---- jit-unpack -o: OUT refused (exit 2) and left untouched
cp "$plain" "$T/in.exe"; cp "$other" "$T/ro.exe"; chmod 444 "$T/ro.exe"
ln -s "$T/ro2.exe" "$T/olink"; cp "$other" "$T/ro2.exe"
sum() { sha256sum < "$1"; }
for out in "$T/in.exe" "$T/ro.exe" "$T/olink" "$T/fifo" "$T/chk"; do
    before=$(stat -c '%F %i' "$out"; [ -f "$out" ] && sum "$out")
    timeout 5 "$M" jit-unpack "$T/in.exe" -o "$out" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "jit-unpack -o $(basename "$out") exit" "$rc:$(wc -l < "$T/err")" "2:1"
    expect_eq "jit-unpack -o $(basename "$out") untouched" "$(stat -c '%F %i' "$out"; [ -f "$out" ] && sum "$out")" "$before"
done
ln "$T/in.exe" "$T/hardlink.exe"
"$M" jit-unpack "$T/in.exe" -o "$T/hardlink.exe" 2>"$T/err"
expect_eq "jit-unpack -o hard link to input" "$(cat "$T/err")" "malgopher: $T/hardlink.exe: is the input file"
if [ "$(id -u)" = 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
    "$M" jit-unpack "$T/in.exe" -o "$T/null" >/dev/null 2>&1; rc=$?
    expect_eq "jit-unpack -o char device" "$rc:$(stat -c '%F %t:%T' "$T/null")" "2:character special file 1:3"
else
    echo "SKIPPED (part): mknod needs root"
fi
# --force lets a read-only OUT through the checks (the input is not packed:
# refused as such, exit 1, OUT still untouched)
before=$(sum "$T/ro.exe")
"$M" jit-unpack --force "$T/in.exe" -o "$T/ro.exe" >/dev/null 2>&1; rc=$?
expect_eq "jit-unpack --force read-only: passes the OUT checks" "$rc:$(sum "$T/ro.exe")" "1:$before"

# ---- the one option table: spellings that must mean the same
expect_eq "--threshold=T = -t T" "$(run cluster --threshold=90 "$plain" "$other")" "$(run cluster -t 90 "$plain" "$other")"
expect_eq "-j2 = -j 2 = --jobs=2" "$(run hash -j2 "$plain"; run hash --jobs=2 "$plain")" "$(run hash -j 2 "$plain"; run hash -j 2 "$plain")"
expect_eq "grouped -rq = -r -q" "$(run hash -rq "$T/tree" 2>&1)" "$(run hash -r -q "$T/tree" 2>&1)"
expect_eq "options after operands" "$(run hash "$plain" --json)" "$(run hash --json "$plain")"
cp "$plain" "$T/-x"
expect_eq "-- ends the options" "$(cd "$T" && "$M" hash -- -x | cut -d' ' -f1)" "$(run hash "$plain" | cut -d' ' -f1)"
(cd "$T" && "$M" hash -x >/dev/null 2>&1); expect_eq "-x is an option before --" $? 2
for bad_use in "hash -j 0 $plain" "hash -j 65 $plain" "hash -j x $plain" "cluster -t 101 $plain" "match --db" \
    "eval --labels x --sweep 5:1:1 $plain" "hash --json=1 $plain" "funcs --jobs 2 $plain" "info -j 0 $plain" "compare -x a b" "hash -c"; do
    run $bad_use >/dev/null; expect_eq "usage: $bad_use" $? 2
done
# info runs with -j like hash: each file read once into its own output,
# printed in input order (the .NET lines too: they went to stdout directly)
mkdir -p "$T/net"
for a in /usr/lib/mono/4.5/al.exe /usr/lib/mono/4.5/csc.exe /usr/lib/mono/4.5/ilasm.exe; do
    [ -f "$a" ] && cp "$a" "$T/net/"
done
for k in 1 2 3 4 5 6; do cp "$(ls "$FX"/*/mgfixture | sed -n ${k}p)" "$T/net/go$k"; done
for f in "" --json --csv; do
    expect_eq "info $f -j 3 = -j 1" "$(run info $f -j 3 -r "$T/net" | md5sum)" "$(run info $f -r "$T/net" | md5sum)"
done

# one read of a sample: info --json, hash --json and db add open the file
# once (the sha256, the analysis and the .NET inspection share one mapping;
# they opened it 3, 2 and 2 times); strace is the independent witness
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    opens() { strace -f -e trace=openat,open -o "$T/trace" "$M" "$@" >/dev/null 2>&1; grep -c "\"$T/one.exe\"" "$T/trace"; }
    if [ -f /usr/lib/mono/4.5/al.exe ]; then cp /usr/lib/mono/4.5/al.exe "$T/one.exe"; else cp "$plain" "$T/one.exe"; fi
    expect_eq "info --json opens once" "$(opens info --json "$T/one.exe")" 1
    expect_eq "info opens once" "$(opens info "$T/one.exe")" 1
    expect_eq "hash --json opens once" "$(opens hash --json "$T/one.exe")" 1
    cp "$plain" "$T/one.exe"
    expect_eq "db add opens once" "$(opens db add --db "$T/once.sqlite" "$T/one.exe")" 1
else
    echo "skip: one read per sample (strace not installed or not permitted)"
fi

# ---- the db subcommands on the one table: their own messages and rules
# (as their own parsers wrote them: the literals of cli/db before the move)
db_usage() { # WANT ARGS...: exit 2 and WANT as the first stderr line
    local want=$1 rc
    shift
    MALGOPHER_DB=$T/never.sqlite "$M" db "$@" >/dev/null 2>"$T/err"; rc=$?
    expect_eq "db $*: exit" $rc 2
    expect_eq "db $*: message" "$(head -1 "$T/err")" "malgopher db $1: $want"
}
db_usage "no PATH given" add
db_usage "no PATH given" add -r --label L
db_usage "--label needs a value" add --label
db_usage "--source needs a value" add --source "" "$plain"
db_usage "--files-from needs a value" add --files-from
db_usage "--db needs a URI" add "$plain" --db
db_usage "unknown option '--json'" add --json "$plain"
db_usage "no FILE given" import
db_usage "one FILE only" import a b
db_usage "unknown option '--'" import -- a
db_usage "unknown argument 'x'" export x
db_usage "unknown argument '--'" export --
db_usage "unknown argument '--csv'" stats --csv
db_usage "SHA256|PATH and LABEL are required" label a
db_usage "SHA256|PATH and LABEL are required" label a ""
db_usage "too many arguments" label a -b -- c
db_usage "no FILE or DIGEST given" match
db_usage "no FILE or DIGEST given" classify -r --json --measure set -t 5 -j 1
db_usage "the threshold must be an integer in 1..100, not '0'" match -t 0 x
db_usage "the threshold must be an integer in 1..100, not ''" classify -t
db_usage "-k wants a count >= 0, not '-1'" match -k -1 x
db_usage "-k wants a count >= 0, not 'x'" match --top x y
db_usage "unknown option '-k'" classify -k 1 x
db_usage "-j wants a thread count in 1..64, not '65'" match -j 65 x
db_usage "unknown option '--jobs'" match --jobs 2 x
db_usage "--measure wants fuzzy or set, not ''" families --measure
db_usage "--measure wants fuzzy or set, not 'x'" families --measure x
db_usage "unknown argument '-x'" families -x
db_usage "unknown argument 'x'" families --json x
expect_eq "db families --help" "$("$M" db families --help | head -1)" "usage: malgopher db families [--db URI] [--measure fuzzy|set] [-t T] [--json] [--summary] [-j N]"

# ---- usage errors exit 2 in every command; a typo gets a suggestion
for c in info funcs hash compare cluster match eval jit-unpack; do
    run $c --bogus x >/dev/null; expect_eq "$c unknown option" $? 2
done
"$M" hahs "$plain" 2>"$T/err"; rc=$?
expect_eq "typo exit" $rc 2
grep -q "Did you mean 'hash'?" "$T/err" && ok || bad "did you mean: $(cat "$T/err")"

# ---- every command --help lists has its section in docs/ (a heading naming
# it); --help itself is the option reference, which the README no longer copies
root=$(cd "$(dirname "$0")/.." && pwd)
for c in $("$M" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' | sort -u); do
    awk '/^```/ { f = !f; next } !f && /^#+ /' "$root"/docs/*.md "$root"/docs/*/*.md |
        grep -qE "(^|[^a-z-])$c([^a-z-]|\$)" && ok || bad "command $c: no heading of docs/ names it"
done

# ---- the README's quick tour runs as written: each `$ ` line of its code
# blocks is run (in a scratch directory holding links to the corpus cache's
# folders, so that nothing is written into the cache), must not be a usage
# error or worse (exit 0 or 1), and every output line the README shows
# under it (but `...`) must be among the lines it prints
tour_section() {
    awk '/^## A quick tour/ { t = 1; next } t && /^## / { exit } t' "$root/README.md"
}
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS/buf" ]; then
    echo "SKIPPED (part): the README tour needs the core corpus tier in the cache"
elif [ "$(tour_section | grep -c '^\$ ')" -lt 6 ]; then
    bad "README: no quick tour with its commands found"
else
    tour=$T/tour
    mkdir -p "$tour"
    for d in "$CORPUS"/*/; do ln -s "$d" "$tour/$(basename "$d")"; done
    # the .NET fixtures when dotnet_build has finished them (it renames its
    # work directory into place, then stamps it); a parallel run may not
    # have them yet, and then that step says SKIPPED
    [ -n "$DOTNET" ] && [ -f "$DOTNET/.stamp" ] && cp "$DOTNET/hooked/packed.exe" "$tour/Hooked.packed.exe" 2>/dev/null
    has_unpack=0
    "$M" --help | grep -q '^  unpack ' && has_unpack=1
    tour_section | awk '/^```/ { f = !f; next } f' > "$T/tour.txt"
    ncmd=0
    run_tour_cmd() { # CMD EXPECTED-FILE
        local cmd=$1 want=$2 rc line
        case $cmd in
        *Hooked.packed.exe*) [ -f "$tour/Hooked.packed.exe" ] || { echo "SKIPPED (part): .NET fixture not built: $cmd"; return; } ;;
        *'$SHARED/upx'* | *.unpacked*) # UPX: the samples of ../shared/upx, and what unpack wrote
            [ $has_unpack = 1 ] && [ -d "$SHARED/upx" ] || { echo "SKIPPED (part): no UPX unpacking in this build or no $SHARED/upx: $cmd"; return; } ;;
        esac
        ncmd=$((ncmd + 1))
        (cd "$tour" && SHARED=$SHARED M=$M bash -c 'malgopher() { "$M" "$@"; }; '"$cmd") </dev/null >"$T/tour.out" 2>&1
        rc=$?
        [ $rc -le 1 ] && ok || bad "README tour: '$cmd' exits $rc: $(head -3 "$T/tour.out")"
        while IFS= read -r line; do
            [ "$line" = "..." ] && continue
            sed 's/[[:space:]]*$//' "$T/tour.out" | grep -qxF -- "$line" && ok ||
                bad "README tour: '$cmd' does not print: $line"
        done < "$want"
    }
    cmd=""; : > "$T/want"
    while IFS= read -r line; do
        if [ "${line#\$ }" != "$line" ]; then
            [ -n "$cmd" ] && run_tour_cmd "$cmd" "$T/want"
            cmd=${line#\$ }
            : > "$T/want"
        elif [ -n "$cmd" ]; then
            printf '%s\n' "${line%"${line##*[![:space:]]}"}" >> "$T/want"
        fi
    done < "$T/tour.txt"
    [ -n "$cmd" ] && run_tour_cmd "$cmd" "$T/want"
    echo "README tour: $ncmd commands run"
fi

grep -q 'malgopher: malgopher:' "$ERRS" && bad "doubled prefix: $(grep 'malgopher: malgopher:' "$ERRS" | head -1)" || ok
finish habits
