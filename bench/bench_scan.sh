#!/usr/bin/env bash
# bench/bench_scan.sh - scan time of `malgopher scan` over the real-world
# corpus with a rule importing `go` (the gimpfuzzy similarity rule of
# rules/go_similar_gimpfuzzy.yar) against the same scan with a rule
# importing `pe` (an imphash rule: the pe module's analogue of a family
# rule).  Target: go <= 1.2 x pe.  Reference rows: a rule importing no module
# (the cost of YARA reading and scanning the bytes) and the same pair with
# -p 1 (one thread) and -p NPROC (one per core) instead of the default 32.
#
# usage: bash bench/bench_scan.sh [CORPUS_DIR] [MALGOPHER_BIN]
#   CORPUS_DIR     default $MALGOPHER_CORPUS, else ~/.cache/malgopher/corpus;
#                  its top-level .cache/ (fetch.sh's downloads) is left out
#   MALGOPHER_BIN  default build/malgopher under the repo root
# environment: BENCH_RUNS=10 timed rounds, BENCH_WARMUP=1 untimed rounds
#
# Needs /usr/bin/time (Debian package time).  Writes nothing inside the
# repo; prints Markdown for BENCHMARKS.md.
set -euo pipefail

BENCH_NAME=bench_scan BENCH_WARMUP_DEFAULT=1
. "$(dirname "${BASH_SOURCE[0]}")/bench_setup.sh" "$@"

[ -x /usr/bin/time ] || die "need /usr/bin/time (apt-get install time)"

work=$(mktemp -d "${TMPDIR:-/tmp}/malgopher-bench-scan.XXXXXX")
note "artefacts in $work"
go_rule=$repo_root/rules/go_similar_gimpfuzzy.yar
pe_rule=$work/pe_imphash.yar
none_rule=$work/no_module.yar
cat >"$pe_rule" <<'RULE'
import "pe"
rule Pe_Imphash { condition: pe.imphash() == "9cbefe68f395e67356e2a5d8d1b285c0" }
RULE
cat >"$none_rule" <<'RULE'
rule Size_Only { condition: filesize > 1000000000 }
RULE

# the scanned paths: the corpus' top-level entries but .cache, with -r
mapfile -t tops < <(find "$corpus" -mindepth 1 -maxdepth 1 -not -name .cache | sort)
[ "${#tops[@]}" -gt 0 ] || die "empty corpus"
nfiles=$(find "${tops[@]}" -type f | wc -l)
nbytes=$(find "${tops[@]}" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
find "${tops[@]}" -type f -exec cat {} + >/dev/null  # warm the page cache

# one checked run of each rule
for r in "$go_rule" "$pe_rule" "$none_rule"; do
    "$bin" scan -r "$r" "${tops[@]}" >"$work/out.$(basename "$r")" 2>"$work/err" ||
        die "scan with $r failed: $(cat "$work/err")"
done
ngo=$(wc -l <"$work/out.go_similar_gimpfuzzy.yar")

# Timing.  The commands run in alternation, round after round (go, pe, none,
# go -p 1, pe -p 1, go -p N, pe -p N, rotated each round), rather than each command's runs in
# a row: on a shared machine the load drifts, and alternating spreads the
# drift over all of them.  Each run records wall time and CPU time (user +
# system, from /usr/bin/time), which contention inflates much less.
ncpu=$(nproc)
names=("go (gimpfuzzy rule)" "pe (imphash rule)" "no module" "go" "pe" "go" "pe")
threads=(32 32 32 1 1 "$ncpu" "$ncpu")
rules_of=("$go_rule" "$pe_rule" "$none_rule" "$go_rule" "$pe_rule" "$go_rule" "$pe_rule")
ncmd=${#names[@]}
one_run() { # one_run I -> "wall cpu" seconds
    /usr/bin/time -f '%e %U %S' -o "$work/time.txt" \
        "$bin" scan -r -p "${threads[$1]}" "${rules_of[$1]}" "${tops[@]}" >/dev/null 2>&1 ||
        die "scan failed: ${names[$1]}"
    awk '{printf "%s %.3f\n", $1, $2 + $3}' "$work/time.txt"
}
for ((w = 0; w < warmup; w++)); do
    for ((i = 0; i < ncmd; i++)); do one_run "$i" >/dev/null; done
done
: >"$work/runs.tsv"
for ((r = 0; r < runs; r++)); do
    for ((k = 0; k < ncmd; k++)); do
        i=$(((k + r) % ncmd))
        read -r wall cpu < <(one_run "$i")
        printf '%d\t%s\t%s\n' "$i" "$wall" "$cpu" >>"$work/runs.tsv"
    done
    note "round $((r + 1))/$runs"
done
# stats I COLUMN -> "median mean min max"
stats() {
    awk -F'\t' -v i="$1" -v c="$2" '$1 == i {print $c}' "$work/runs.tsv" | sort -g |
        awk '{x[NR] = $1; s += $1} END {
            m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f %.3f\n", m, s / NR, x[1], x[NR] }'
}
declare -a wmed wmean wmin wmax cmed cmean
for ((i = 0; i < ncmd; i++)); do
    read -r "wmed[$i]" "wmean[$i]" "wmin[$i]" "wmax[$i]" < <(stats "$i" 2)
    read -r "cmed[$i]" "cmean[$i]" _ _ < <(stats "$i" 3)
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
r32=$(ratio "${wmed[0]}" "${wmed[1]}")
c32=$(ratio "${cmed[0]}" "${cmed[1]}")
r1=$(ratio "${wmed[3]}" "${wmed[4]}")
c1=$(ratio "${cmed[3]}" "${cmed[4]}")
rn=$(ratio "${wmed[5]}" "${wmed[6]}")
cn=$(ratio "${cmed[5]}" "${cmed[6]}")
verdict=$(awk -v r="$r32" 'BEGIN {print (r <= 1.2) ? "met" : "MISSED"}')
load=$(awk '{print $1, $2, $3}' /proc/loadavg)

cat <<EOF

## Results: \`malgopher scan\`, rule importing go vs rule importing pe

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) cores, $(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)
- malgopher: $("$bin" --version) ($bin), libyara $(dpkg-query -W -f '${Version}' libyara-dev 2>/dev/null || echo '?')
- timing: $warmup warm-up + $runs timed rounds, the commands alternating within each round, /usr/bin/time, page cache warm
- corpus: $nfiles files, $nbytes bytes under $corpus, scanned as \`scan -r RULES ${tops[0]##*/} ...\` (every top-level entry but .cache)
- go rule: rules/go_similar_gimpfuzzy.yar (\`fuzzy.compare(go.gimpfuzzy, "...") >= 70\`), $ngo files matched
- pe rule: \`pe.imphash() == "..."\`; no-module rule: \`filesize > 1000000000\`

| rule | threads | wall median (s) | wall mean (s) | wall min–max (s) | CPU median (s) |
|---|---:|---:|---:|---:|---:|
$(for ((i = 0; i < ncmd; i++)); do
    printf '| %s | %s | %s | %s | %s–%s | %s |\n' "${names[$i]}" "${threads[$i]}" "${wmed[$i]}" \
        "${wmean[$i]}" "${wmin[$i]}" "${wmax[$i]}" "${cmed[$i]}"
done)

go / pe, wall-time medians = **$r32** with 32 threads, the default (target ≤ 1.2: **$verdict**);
$rn with -p $ncpu (one per core); $r1 with -p 1.
go / pe, CPU-time medians = $c32 with 32 threads; $cn with -p $ncpu; $c1 with -p 1.
Load average at the end (1, 5, 15 min): $load on $(nproc) cores.

<!-- artefacts: $work -->
EOF
