# lib.sh - what the shell tests share, sourced after `set -u`: a scratch
# directory $T removed on exit, the pass/fail tally and its summary line.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# the known-programs reference (docs/known.md): never the developer's local one
export MALGOPHER_KNOWN_LOCAL=$T/known-local.jsonl
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_eq() { # DESC GOT WANT
    if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi
}
finish() { # [NAME]: the tally; succeeds only when nothing failed
    echo "${1:+$1: }$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
