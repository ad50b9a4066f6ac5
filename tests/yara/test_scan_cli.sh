#!/usr/bin/env bash
# test_scan_cli.sh - `malgopher scan` behaves like Debian's yara command (the
# oracle, /usr/bin/yara 4.2) for the options they share: with a rule set that
# uses only stock modules, the same stdout (sorted where yara's thread order
# is arbitrary), the same stderr messages and the same exit status, for
# files, directories (-r), -p, -s, -m, -g, -n, -c, -d, -t, -i, -a, -w,
# namespaces, rules on stdin, -D, -e, -N, -z, --scan-list, -v, several rules
# files, and every error path.  Then what yara cannot do: several PATHs, and
# the go/fuzzy modules next to the stock ones (-D shows the go fields).
# Exits 77 (SKIPPED) when /usr/bin/yara is missing (Debian package yara).
# usage: test_scan_cli.sh MALGOPHER FIXTURE_DIR
set -u
M=$1 FX=$2
Y=${YARA:-yara}
if ! command -v "$Y" >/dev/null; then
    echo "SKIPPED: no yara command (apt-get install yara)"
    exit 77
fi
. "$(dirname "$0")/../lib.sh"

# same(DESC, SORT, ARGS...): stdout, stderr and status of both commands
same() {
    local desc=$1 sort=$2
    shift 2
    "$Y" "$@" <"${STDIN:-/dev/null}" >"$T/y.out" 2>"$T/y.err"
    local yrc=$?
    "$M" scan "$@" <"${STDIN:-/dev/null}" >"$T/m.out" 2>"$T/m.err"
    local mrc=$?
    if [ "$sort" = sort ]; then
        sort -o "$T/y.out" "$T/y.out"
        sort -o "$T/m.out" "$T/m.out"
        sort -o "$T/y.err" "$T/y.err"
        sort -o "$T/m.err" "$T/m.err"
    fi
    expect_eq "$desc: status" "$mrc" "$yrc"
    if cmp -s "$T/y.out" "$T/m.out"; then ok; else
        bad "$desc: stdout differs"
        diff "$T/y.out" "$T/m.out" | head -10
    fi
    if cmp -s "$T/y.err" "$T/m.err"; then ok; else
        bad "$desc: stderr differs"
        diff "$T/y.err" "$T/m.err" | head -10
    fi
}

elf=$FX/linux-amd64-plain/mgfixture
pe=$FX/windows-386-stripped/mgfixture.exe
macho=$FX/darwin-arm64-plain/mgfixture
mkdir -p "$T/dir/sub/deeper"
cp "$elf" "$T/dir/elf"
cp "$pe" "$T/dir/sub/pe.exe"
cp "$macho" "$T/dir/sub/deeper/macho"
printf 'ab\001\377cd plain text Go build here\n' >"$T/dir/text"
ln -s . "$T/dir/sub/self"   # yara skips a link to "."

cat >"$T/stock.yar" <<'RULES'
import "pe"
import "elf"
import "hash"
import "math"
import "macho"

rule is_elf : exe linux
{
    meta:
        author = "malgopher tests"
        version = 3
        ok = true
        quoted = "a \"b\" c\td"
    strings:
        $magic = { 7F 45 4C 46 }
        $go = "Go build"
    condition:
        $magic at 0 and elf.number_of_sections > 0 and #go >= 0
}

rule is_pe : exe windows
{
    meta:
        sections = 0
    strings:
        $mz = "MZ"
    condition:
        $mz at 0 and pe.is_pe and pe.number_of_sections > 0
}

rule is_macho : exe darwin
{
    condition:
        macho.ncmds > 0
}

rule text_file
{
    strings:
        $t = /ab..cd/
        $long = { 61 62 01 FF 63 64 20 70 6C 61 69 6E 20 74 65 78 74 20 47 6F 20 62 75 69 6C 64 20 68 65 72 65 0A }
    condition:
        all of them and math.entropy(0, filesize) > 1.0
}

private rule hidden { condition: true }

rule uses_hidden : meta_only
{
    meta:
        n = -7
    condition:
        hidden and filesize > 0 and hash.md5(0, 2) != ""
}
RULES

cat >"$T/ext.yar" <<'RULES'
rule ext_int { condition: n > 5 }
rule ext_str { condition: s == "x" }
rule ext_float { condition: f > 1.5 }
rule ext_bool { condition: b }
RULES

"$Y" "$T/stock.yar" "$elf" >/dev/null 2>&1 && ok || bad "the stock rules do not compile with yara"

# a single file, each output option alone and grouped
for f in "$elf" "$pe" "$macho" "$T/dir/text"; do
    same "plain $f" keep "$T/stock.yar" "$f"
    for o in -s -m -g -n -c -sgm -nm -cn; do
        same "$o $f" keep $o "$T/stock.yar" "$f"
    done
    same "--print-strings --print-tags $f" keep --print-strings --print-tags "$T/stock.yar" "$f"
done
# filters
same "-t exe" keep -t exe "$T/stock.yar" "$elf"
same "-t windows -t linux" keep -t windows -t linux "$T/stock.yar" "$pe"
same "-t nosuch" keep -t nosuch "$T/stock.yar" "$elf"
same "-i is_pe" keep -i is_pe "$T/stock.yar" "$pe"
same "-i is_pe -i is_elf -t linux" keep -i is_pe -i is_elf -t linux "$T/stock.yar" "$elf"
same "--tag=exe --identifier=is_elf" keep --tag=exe --identifier=is_elf "$T/stock.yar" "$elf"
same "-n -t meta_only" keep -n -t meta_only "$T/stock.yar" "$T/dir/text"
# externals
same "-d ints" keep -d n=7 -d s=x -d f=2.5 -d b=true "$T/ext.yar" "$elf"
same "-d other values" keep -d n=3 -d s=y -d f=0.5 -d b=false "$T/ext.yar" "$elf"
same "-d string that looks odd" keep -d n=-9 -d s=-x -d f=-1.0 -d b=TRUE "$T/ext.yar" "$elf"
same "--define=" keep --define=n=6 --define=s=x --define=f=2.0 --define=b=true "$T/ext.yar" "$elf"
same "-d without =" keep -d n "$T/ext.yar" "$elf"
same "undefined external" keep "$T/ext.yar" "$elf"
# timeout and threads on one file
same "-a 30" keep -a 30 "$T/stock.yar" "$elf"
same "--timeout=30 -p 2" keep --timeout=30 -p 2 "$T/stock.yar" "$elf"
# directories: thread order is arbitrary in yara, so compare sorted
for p in 1 4 32; do
    same "dir -p $p" sort -p $p "$T/stock.yar" "$T/dir"
    same "dir -r -p $p" sort -r -p $p "$T/stock.yar" "$T/dir"
done
same "dir -r -c" sort -r -c "$T/stock.yar" "$T/dir"
same "dir -r -s -m -g" sort -r -s -m -g "$T/stock.yar" "$T/dir"
same "dir/ -r" sort -r "$T/stock.yar" "$T/dir/"
same "--recursive --count --threads=3" sort --recursive --count --threads=3 "$T/stock.yar" "$T/dir"
# namespaces, stdin
same "namespace" keep "ns1:$T/stock.yar" "$elf"
STDIN=$T/stock.yar same "rules on stdin" keep - "$elf"
printf 'rule broken { condition: nosuchthing }\n' >"$T/broken.yar"
STDIN=$T/broken.yar same "broken rules on stdin" keep - "$elf"
# warnings (-w), compile errors, bad arguments
cat >"$T/warn.yar" <<'RULES'
rule slow { strings: $a = "a" condition: $a }
RULES
same "warning" keep "$T/warn.yar" "$T/dir/text"
same "-w" keep -w "$T/warn.yar" "$T/dir/text"
printf 'rule broken { condition: nosuchthing }\n' >"$T/broken.yar"
same "compile error" keep "$T/broken.yar" "$elf"
printf 'rule a { condition: true }\nrule a { condition: true }\n' >"$T/dup.yar"
same "duplicate rule" keep "$T/dup.yar" "$elf"
same "missing rules file" keep "$T/nosuch.yar" "$elf"
same "missing target" keep "$T/stock.yar" "$T/nosuch"
same "missing target -c" keep -c "$T/stock.yar" "$T/nosuch"
same "unknown short option" keep -q "$T/stock.yar" "$elf"
same "unknown long option" keep --frobnicate "$T/stock.yar" "$elf"
same "-p without number" keep "$T/stock.yar" "$elf" -p
same "-p not a number" keep -p x "$T/stock.yar" "$elf"
same "--threads= not a number" keep --threads=4x "$T/stock.yar" "$elf"
same "-p 33" keep -p 33 "$T/stock.yar" "$elf"
same "-a not a number" keep -a soon "$T/stock.yar" "$elf"
same "too many -t" keep $(for i in $(seq 33); do printf -- '-t t%d ' "$i"; done) "$T/stock.yar" "$elf"
# wrong number of arguments: same status, and yara's message with our name
"$M" scan "$T/stock.yar" >/dev/null 2>"$T/err"; rc=$?
expect_eq "one argument: status" $rc 1
expect_eq "one argument: message" "$(head -1 "$T/err")" "malgopher scan: wrong number of arguments"
"$M" scan >/dev/null 2>&1; expect_eq "no argument: status" $? 1
# an unreadable file inside a directory: reported, status 0 (as yara)
if [ "$(id -u)" != 0 ]; then
    cp "$elf" "$T/dir/locked" && chmod 000 "$T/dir/locked"
    same "unreadable file in a directory" sort "$T/stock.yar" "$T/dir"
    rm -f "$T/dir/locked"
fi

# --help, -M, malgopher's usage
"$M" scan --help | grep -q '^usage: malgopher scan' && ok || bad "scan --help"
"$M" scan -h >/dev/null; expect_eq "-h status" $? 0
"$M" --help | grep -q '^  scan RULES PATH' && ok || bad "malgopher --help lists scan"
"$M" scan -M | grep -qx go && ok || bad "-M lists go"

# the yara 4 options added for issue 14: -D, -e, -N, -z, --scan-list, -v,
# several rules files (RULES... TARGET)
same "-v" keep -v
same "--version" keep --version
same "-D (elf, hash, math, pe, macho data)" keep -D "$T/stock.yar" "$elf"
same "-D -c" keep -D -c "$T/stock.yar" "$pe"
same "--print-module-data, no module imported" keep --print-module-data "$T/warn.yar" "$T/dir/text"
same "-e" keep -e "$T/stock.yar" "$elf"
same "-e with a namespace" keep -e -g "ns1:$T/stock.yar" "$elf"
cat >"$T/second.yar" <<'RULES'
rule second_file : two { condition: filesize > 0 }
RULES
same "two rules files" keep "$T/stock.yar" "$T/second.yar" "$elf"
same "two rules files, namespaces, -e" keep -e "a:$T/stock.yar" "b:$T/second.yar" "$elf"
same "two rules files, the second missing" keep "$T/stock.yar" "$T/nosuch.yar" "$elf"
same "two rules files, directory target" sort -r "$T/stock.yar" "$T/second.yar" "$T/dir"
# a rules file not named *.yar: told by its first word after comments
printf '// no extension\n/* a\n comment */\n  rule third { condition: true }\n' >"$T/third.rules"
same "three rules files, one told by its text" keep -e "$T/stock.yar" "$T/third.rules" "$T/second.yar" "$elf"
# a file whose first word is not a YARA keyword is a target: both targets
# give what one yara run per target gives
printf 'rules are nice\n' >"$T/notes.txt"
want=$( "$Y" "$T/stock.yar" "$T/notes.txt"; "$Y" "$T/stock.yar" "$elf")
expect_eq "text that is not YARA is a target" "$("$M" scan -p 1 "$T/stock.yar" "$T/notes.txt" "$elf")" "$want"
mkdir -p "$T/links/d"
printf 'x' >"$T/links/small"
head -c 5000 /dev/zero >"$T/links/big"
ln -s "$elf" "$T/links/to_elf"
ln -s "$T/dir" "$T/links/d/to_dir"
same "-r (links followed)" sort -r "$T/stock.yar" "$T/links"
same "-N -r" sort -N -r "$T/stock.yar" "$T/links"
same "--no-follow-symlinks" sort --no-follow-symlinks "$T/stock.yar" "$T/links"
same "-z 100 (directory)" sort -z 100 "$T/second.yar" "$T/links"
same "--skip-larger=4000 -r" sort --skip-larger=4000 -r "$T/second.yar" "$T/links"
same "-z 100 on a file (not skipped)" keep -z 100 "$T/second.yar" "$T/links/big"
printf '%s\n%s\n\n%s\n%s' "$elf" "$T/nosuch" "$T/dir" "$pe" >"$T/list"
same "--scan-list" sort --scan-list "$T/stock.yar" "$T/list"
same "--scan-list -r -c" sort --scan-list -r -c "$T/stock.yar" "$T/list"
same "--scan-list, list missing" keep --scan-list "$T/stock.yar" "$T/nosuch"
# -D shows the go module's fields, with the values the CLI computes
printf 'import "go"\nrule g { condition: go.is_go == 1 }\n' >"$T/go.yar"
"$M" scan -D "$T/go.yar" "$elf" >"$T/d.out"
read -r gh _ < <("$M" hash "$elf")
expect_eq "-D go: module header line" "$(head -1 "$T/d.out")" "go"
expect_eq "-D go: gimphash field" "$(grep -c "^	gimphash = \"$gh\"$" "$T/d.out")" 1
expect_eq "-D go: is_go field" "$(grep -c '^	is_go = 1$' "$T/d.out")" 1
expect_eq "-D go: goos field" "$(grep -c '^	goos = "linux"$' "$T/d.out")" 1
expect_eq "-D go: number_of_functions = funcs lines" "$(grep -c "^	number_of_functions = $("$M" funcs "$elf" | wc -l)$" "$T/d.out")" 1
expect_eq "-D go: the match line follows" "$(tail -1 "$T/d.out")" "g $elf"

# several PATHs (yara takes one): the outputs of one yara run per PATH, in order
want=$( "$Y" -s "$T/stock.yar" "$elf"; "$Y" -s "$T/stock.yar" "$pe"; "$Y" -s "$T/stock.yar" "$T/dir/text" )
expect_eq "several PATHs" "$("$M" scan -p 1 -s "$T/stock.yar" "$elf" "$pe" "$T/dir/text")" "$want"
want=$(for f in "$elf" "$pe"; do printf '%s: %s\n' "$f" "$("$Y" -c "$T/stock.yar" "$f")"; done)
expect_eq "several PATHs -c" "$("$M" scan -p 1 -c "$T/stock.yar" "$elf" "$pe")" "$want"
"$M" scan "$T/stock.yar" "$elf" "$T/nosuch" >"$T/out" 2>"$T/err"; rc=$?
expect_eq "several PATHs, one missing: status" $rc 1
expect_eq "several PATHs, one missing: stdout" "$(cat "$T/out")" "$("$Y" "$T/stock.yar" "$elf")"
expect_eq "several PATHs, one missing: stderr" "$(cat "$T/err")" "error scanning $T/nosuch: could not open file"
# a directory and a file
want=$( ("$Y" -r "$T/stock.yar" "$T/dir"; "$Y" "$T/stock.yar" "$elf") | sort)
expect_eq "a directory and a file" "$("$M" scan -r "$T/stock.yar" "$T/dir" "$elf" | sort)" "$want"

# go and fuzzy with the stock modules, one rule set
cat >"$T/mixed.yar" <<'RULES'
import "go"
import "fuzzy"
import "elf"
rule go_elf : go { condition: go.is_go == 1 and elf.number_of_sections > 0 and go.goos == "linux" }
rule go_any : go { condition: go.is_go == 1 and fuzzy.compare(go.gimpfuzzy, go.gimpfuzzy) == 100 }
rule not_go { condition: go.is_go == 0 and fuzzy.ssdeep() != "" }
RULES
out=$("$M" scan -r -p 1 "$T/mixed.yar" "$T/dir" | sort)
want=$(printf 'go_any %s\ngo_any %s\ngo_any %s\ngo_elf %s\nnot_go %s\n' "$T/dir/elf" "$T/dir/sub/deeper/macho" \
    "$T/dir/sub/pe.exe" "$T/dir/elf" "$T/dir/text" | sort)
expect_eq "go + fuzzy + elf" "$out" "$want"

finish
