#!/usr/bin/env bash
# bench/bench_hash.sh - the speed and memory benchmark of `malgopher hash`.
#
# Owns the figures in BENCHMARKS.md: wall time of `malgopher hash` over the
# real-world corpus against `sha256sum` over the very same files (target:
# malgopher <= 0.5x sha256sum), the peak RSS of `malgopher hash` / `malgopher
# info` on the corpus' largest file (target: <= 64 MB), a per-file pass that
# shows which files dominate time and memory, and (optional, when valgrind is
# there) a callgrind instruction profile and the massif heap peak of the
# largest file. An `openssl dgst -sha256` row is timed for reference only.
#
# usage: bash bench/bench_hash.sh [CORPUS_DIR] [MALGOPHER_BIN]
#   CORPUS_DIR     default $MALGOPHER_CORPUS, else ~/.cache/malgopher/corpus
#                  (fetched by shared/corpus/fetch.sh); its top-level .cache/
#                  (fetch.sh's downloads) is skipped. The skip is anchored at
#                  the corpus root: a plain `-not -path '*/.cache/*'` would
#                  drop every file, since the default corpus is under ~/.cache.
#   MALGOPHER_BIN  default build/malgopher under the repo root
# environment:
#   BENCH_RUNS=10       timed runs per command (at least 5)
#   BENCH_WARMUP=2      untimed warm-up runs per command
#   BENCH_CALLGRIND=1   0 skips the valgrind part (callgrind, massif)
#   BENCH_OPENSSL=1     0 skips the `openssl dgst -sha256` reference row
#
# Needs hyperfine, jq and /usr/bin/time (installed with apt-get when missing
# and run as root; without hyperfine a plain timing loop is used). Writes
# nothing inside the repo: every artefact goes to a mktemp -d directory whose
# path is printed. Prints Markdown meant to be pasted into BENCHMARKS.md.
set -euo pipefail
# (pipes below let their reader see all input: an early exit would SIGPIPE
# the writer and, under pipefail, stop the script)

BENCH_NAME=bench_hash BENCH_WARMUP_DEFAULT=2
. "$(dirname "${BASH_SOURCE[0]}")/bench_setup.sh" "$@"
do_callgrind=${BENCH_CALLGRIND:-1}
[ "$runs" -ge 5 ] || die "BENCH_RUNS must be at least 5"

# ensure_tool CMD DEBIAN_PACKAGE: install the package when CMD is missing.
ensure_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "installing $2 with apt-get"
        apt-get install -y -q "$2" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
              apt-get install -y -q "$2" >/dev/null 2>&1; } || true
    fi
    command -v "$1" >/dev/null 2>&1
}

ensure_tool /usr/bin/time time || die "need /usr/bin/time (Debian package time)"
have_hyperfine=0
if ensure_tool hyperfine hyperfine && ensure_tool jq jq; then
    have_hyperfine=1
else
    note "hyperfine/jq unavailable: falling back to a plain timing loop"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/malgopher-bench.XXXXXX")
note "artefacts in $work"

# Everything below runs from the corpus root, with paths relative to it.
cd "$corpus"
# The file list both tools see: every regular file, minus the corpus' .cache.
find_cmd="find . -path ./.cache -prune -o -type f -print0"
list=$work/files.nul
$find_cmd >"$list"
nfiles=$(tr -cd '\0' <"$list" | wc -c)
[ "$nfiles" -gt 0 ] || die "no files under $corpus"
nbytes=$(xargs -0 -a "$list" stat -c %s | awk '{s += $1} END {printf "%d", s}')
largest=$(xargs -0 -a "$list" stat -c '%s %n' | sort -n -r | awk 'NR == 1' | cut -d' ' -f2-)
largest_bytes=$(stat -c %s "$largest")

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }

# Warm the page cache so both tools read from memory, not disk.
xargs -0 -a "$list" cat >/dev/null

# One checked run: malgopher may exit 1 (some file not Go; xargs then says
# 123), anything else is a failure of the benchmark itself.
rc=0
xargs -0 -a "$list" "$bin" hash >"$work/hash.out" 2>"$work/hash.err" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 123 ] || die "malgopher hash failed (xargs status $rc), see $work/hash.err"
ngo=$(wc -l <"$work/hash.out")
nnotgo=$(grep -c 'not a Go executable' "$work/hash.err" || true)
nother=$(grep -vc 'not a Go executable' "$work/hash.err" || true)

# ---- wall time: malgopher hash vs sha256sum over the same file list ----
qcorpus=$(printf %q "$corpus")
qbin=$(printf %q "$bin")
find_cmd="cd $qcorpus && $find_cmd"
mg_cmd="$find_cmd | xargs -0 $qbin hash >/dev/null 2>&1; rc=\$?; [ \$rc -eq 0 ] || [ \$rc -eq 123 ]"
sha_cmd="$find_cmd | xargs -0 sha256sum >/dev/null"

# Reference only (not the target): OpenSSL's SHA-256, which uses the CPU's
# SHA extensions where there are some; coreutils' sha256sum does not.
names=('malgopher hash' 'sha256sum')
cmds=("$mg_cmd" "$sha_cmd")
if [ "${BENCH_OPENSSL:-1}" != 0 ] && command -v openssl >/dev/null 2>&1; then
    names+=('openssl dgst -sha256')
    cmds+=("$find_cmd | xargs -0 openssl dgst -sha256 >/dev/null")
fi

# mean, sd, min, max: seconds, indexed like names
declare -a mean sd min max
if [ "$have_hyperfine" -eq 1 ]; then
    args=()
    for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine --shell=bash --style basic --warmup "$warmup" --runs "$runs" \
        --export-json "$work/hyperfine.json" \
        --export-markdown "$work/hyperfine.md" "${args[@]}" >&2
    for i in "${!names[@]}"; do
        read -r "mean[$i]" "sd[$i]" "min[$i]" "max[$i]" < <(jq -r --argjson i "$i" \
            '.results[$i] | "\(.mean) \(.stddev // 0) \(.min) \(.max)"' \
            "$work/hyperfine.json")
    done
    timer="hyperfine $(hyperfine --version | awk '{print $2}'), $warmup warm-up + $runs timed runs each"
else
    time_loop() { # time_loop CMD -> "mean stddev min max" in seconds
        local i t0 t1
        for ((i = 0; i < warmup; i++)); do bash -c "$1"; done
        for ((i = 0; i < runs; i++)); do
            t0=$EPOCHREALTIME; bash -c "$1"; t1=$EPOCHREALTIME
            awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f\n", b - a}'
        done | awk '{x[NR] = $1; s += $1} END {
            m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
            mn = x[1]; mx = x[1]
            for (i = 2; i <= NR; i++) { if (x[i] < mn) mn = x[i]; if (x[i] > mx) mx = x[i] }
            printf "%f %f %f %f\n", m, (NR > 1 ? sqrt(v / (NR - 1)) : 0), mn, mx }'
    }
    for i in "${!names[@]}"; do
        read -r "mean[$i]" "sd[$i]" "min[$i]" "max[$i]" < <(time_loop "${cmds[$i]}")
    done
    timer="bash timing loop (hyperfine unavailable), $warmup warm-up + $runs timed runs each"
fi
mg_mean=${mean[0]} sha_mean=${mean[1]}

ratio=$(awk -v a="$mg_mean" -v b="$sha_mean" 'BEGIN {printf "%.3f", a / b}')
time_ok=$(awk -v r="$ratio" 'BEGIN {print (r <= 0.5) ? "met" : "MISSED"}')

# ---- peak RSS (kB, Maximum resident set size), worst of three runs ----
peak_rss() { # peak_rss CMD ARGS... -> kB
    local i kb best=0
    for i in 1 2 3; do
        /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
        kb=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$work/time.txt")
        [ "${kb:-0}" -gt "$best" ] && best=$kb
    done
    echo "$best"
}
rss_hash=$(peak_rss "$bin" hash "$largest")
rss_info=$(peak_rss "$bin" info "$largest")
rss_all=$(peak_rss xargs -0 -a "$list" "$bin" hash)
rss_sha=$(peak_rss sha256sum "$largest")
rss_max=$((rss_hash > rss_info ? rss_hash : rss_info))
rss_ok=$(awk -v k="$rss_max" 'BEGIN {print (k <= 64 * 1024) ? "met" : "MISSED"}')
kb2mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# ---- per file: which files dominate time (best of 3) and memory ----
: >"$work/per_file.tsv"
while IFS= read -r -d '' f; do
    best=""
    for _ in 1 2 3; do
        t0=$EPOCHREALTIME
        "$bin" hash "$f" >/dev/null 2>&1 || true
        t1=$EPOCHREALTIME
        best=$(awk -v a="$t0" -v b="$t1" -v m="$best" \
            'BEGIN {t = (b - a) * 1000; printf "%.1f", (m == "" || t < m) ? t : m}')
    done
    /usr/bin/time -f '%M' -o "$work/rss.txt" "$bin" hash "$f" >/dev/null 2>&1 || true
    printf '%s\t%s\t%s\t%s\n' "$best" \
        "$(tail -n 1 "$work/rss.txt")" "$(stat -c %s "$f")" "${f#./}" \
        >>"$work/per_file.tsv"
done <"$list"

top_table() { # top_table SORT_COLUMN
    echo "| ms | peak RSS (MB) | size (MB) | ms per MB | file |"
    echo "|---:|---:|---:|---:|---|"
    sort -t $'\t' -k "$1,$1" -g -r "$work/per_file.tsv" |
        awk -F'\t' 'NR <= 5 {printf "| %.1f | %.1f | %.1f | %.2f | %s |\n",
            $1, $2 / 1024, $3 / 1e6, $1 / ($3 / 1e6), $4}'
}

# ---- optional (valgrind): instruction profile and heap peak, largest file ----
cg_total="" cg_top="" cg_incl="" heap_peak=""
if [ "$do_callgrind" != 0 ] && command -v valgrind >/dev/null 2>&1; then
    if valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
        "$bin" hash "$largest" >/dev/null 2>"$work/callgrind.err"; then
        cg_total=$(callgrind_annotate "$work/callgrind.out" 2>/dev/null |
            awk '/PROGRAM TOTALS/ && !t {print $1; t = 1}')
        cg_top=$(callgrind_annotate "$work/callgrind.out" 2>/dev/null |
            awk '/file:function/ {on = 1; getline; next}
                 on && NF && n < 8 {print "    " $0; n++}')
        # inclusive cost of malgopher's own functions (its src/ tree)
        cg_incl=$(callgrind_annotate --inclusive=yes "$work/callgrind.out" 2>/dev/null |
            awk '/file:function/ {on = 1; getline; next}
                 on && /\/src\// && n < 10 {print "    " $0; n++}')
    else
        note "callgrind failed, see $work/callgrind.err"
    fi
    # peak heap, to tell heap from mapped-file pages in the RSS above
    if valgrind --tool=massif --massif-out-file="$work/massif.out" \
        "$bin" hash "$largest" >/dev/null 2>"$work/massif.err"; then
        heap_peak=$(awk -F= '/^mem_heap_B/ {h = $2} /^mem_heap_extra_B/ {
                if (h + $2 > m) m = h + $2 } END {printf "%.1f", m / 1048576}' \
            "$work/massif.out")
    fi
fi

# ---- report (Markdown, for BENCHMARKS.md) ----
cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
fmt_s() { awk -v x="$1" 'BEGIN {printf "%.3f", x}'; }
mbps() { awk -v b="$nbytes" -v t="$1" 'BEGIN {printf "%.0f", b / 1e6 / t}'; }

cat <<EOF

## Results

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem RAM, Linux $(uname -r)
- malgopher: $("$bin" --version 2>/dev/null | awk 'NR == 1') ($bin)
- baseline: $(sha256sum --version | awk 'NR == 1')
- timing: $timer, page cache warm
- corpus: $nfiles files, $nbytes bytes ($(mb "$nbytes") MB) under $corpus
  ($ngo hashed as Go, $nnotgo not Go, $nother other errors)

### Wall time over the whole corpus

| command | mean (s) | σ (s) | min (s) | max (s) | MB/s |
|---|---:|---:|---:|---:|---:|
$(for i in "${!names[@]}"; do
    printf '| `%s`%s | %s | %s | %s | %s | %s |\n' "${names[$i]}" \
        "$([ "$i" -ge 2 ] && echo ' (reference)')" "$(fmt_s "${mean[$i]}")" \
        "$(fmt_s "${sd[$i]}")" "$(fmt_s "${min[$i]}")" "$(fmt_s "${max[$i]}")" \
        "$(mbps "${mean[$i]}")"
done)

MB/s is corpus bytes over wall time; \`malgopher hash\` reads only the parts
of each file it needs, the checksums read every byte.

malgopher / sha256sum = **$ratio** (target ≤ 0.5: **$time_ok**)
$([ "${#names[@]}" -gt 2 ] && awk -v a="$mg_mean" -v b="${mean[2]}" \
    'BEGIN {printf "\nmalgopher / openssl dgst -sha256 = %.3f (reference, no target)\n", a / b}')

### Peak RSS (Maximum resident set size, worst of 3 runs)

Largest file: \`${largest#./}\` ($largest_bytes bytes, $(mb "$largest_bytes") MB).

| command | peak RSS (MB) |
|---|---:|
| \`malgopher hash\` largest file | $(kb2mb "$rss_hash") |
| \`malgopher info\` largest file | $(kb2mb "$rss_info") |
| \`malgopher hash\` whole corpus, one process | $(kb2mb "$rss_all") |
| \`sha256sum\` largest file (reference) | $(kb2mb "$rss_sha") |

Peak RSS ≤ 64 MB on the largest file: **$rss_ok**
$([ -n "$heap_peak" ] && printf '\nPeak heap of `malgopher hash` on the largest file (valgrind massif): %s MB;\nthe rest of its RSS is program text and the pages of the mmap-ed file it\ntouched (shared page cache, not private memory).\n' "$heap_peak")

### Slowest files (one \`malgopher hash\` process per file, best of 3, incl. process start)

$(top_table 1)

### Largest peak RSS per file

$(top_table 2)
EOF

if [ -n "$cg_total" ]; then
    cat <<EOF

### Instructions (callgrind, \`malgopher hash\` on the largest file)

Total: $cg_total instructions. Top functions (self cost):

$cg_top

malgopher's own functions (inclusive cost):

$cg_incl
EOF
fi

echo
echo "<!-- artefacts: $work -->"
