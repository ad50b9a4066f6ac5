#!/usr/bin/env bash
# bench_known.sh - what the known-programs reference (docs/known.md) costs:
#  0. `known list` with the reference against none: its load, check and index;
#  1. one-file `info` (text and --json) with the reference against
#     `--no-known` (the reference not read): the difference is the load,
#     parse and index of the reference plus one lookup;
#  2. the same with the reference made 10 and 100 times larger (its records
#     repeated under other names), to show how the cost grows;
#  3. `hash -r` over the corpus with the reference against MALGOPHER_KNOWN=none
#     (hash never reads it: the two must not differ).
# Each command runs BENCH_RUNS times (default 21); the medians of wall time
# and of CPU time (user+sys of the child) are printed, in ms.
# usage: bash bench/bench_known.sh [REFERENCE.jsonl] [FILE] [CORPUS_DIR] [MALGOPHER]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REF=${1:-$HERE/../data/known/reference.jsonl}
CORPUS=${3:-${MALGOPHER_CORPUS:-$HOME/.cache/malgopher/corpus}}
FILE=${2:-$(ls "$CORPUS"/fzf/*/fzf | head -1)}
M=${4:-$HERE/../build/malgopher}
RUNS=${BENCH_RUNS:-21}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
[ -f "$REF" ] || { echo "no reference at $REF" >&2; exit 1; }
export MALGOPHER_KNOWN_LOCAL=$W/no-local.jsonl
# the larger references: every record again under K other names
for k in 10 100; do
    python3 - "$REF" "$k" >"$W/ref$k.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
print(lines[0])
for i in range(int(sys.argv[2])):
    for l in lines[1:]:
        r = json.loads(l)
        r['name'] = '%s-%d' % (r['name'], i)
        print(json.dumps(r))
PY
done
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# reference $REF: $(($(wc -l <"$REF") - 1)) records, $(wc -c <"$REF") bytes; file $FILE"
run() { # LABEL ENV... -- CMD...
    local label=$1
    shift
    python3 - "$RUNS" "$label" "$@" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, label, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
env = dict(os.environ)
while args[0] != '--':
    k, v = args.pop(0).split('=', 1)
    env[k] = v
args.pop(0)
wall, cpu = [], []
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall.append(time.perf_counter() - t0)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
print('%-44s wall %8.1f ms   cpu %8.1f ms' % (label, 1000 * statistics.median(wall), 1000 * statistics.median(cpu)))
PY
}
# the load alone: `known list` reads, checks and indexes the whole reference
run "known list (MALGOPHER_KNOWN=none)" MALGOPHER_KNOWN=none -- "$M" known list
run "known list (reference)" MALGOPHER_KNOWN="$REF" -- "$M" known list
run "info --no-known FILE" MALGOPHER_KNOWN="$REF" -- "$M" info --no-known "$FILE"
run "info FILE (reference)" MALGOPHER_KNOWN="$REF" -- "$M" info "$FILE"
run "info --json --no-known FILE" MALGOPHER_KNOWN="$REF" -- "$M" info --json --no-known "$FILE"
run "info --json FILE (reference)" MALGOPHER_KNOWN="$REF" -- "$M" info --json "$FILE"
for k in 10 100; do
    run "info FILE (reference x$k)" MALGOPHER_KNOWN="$W/ref$k.jsonl" -- "$M" info "$FILE"
done
RUNS=$(( (RUNS + 3) / 4 ))
run "hash -r CORPUS (MALGOPHER_KNOWN=none)" MALGOPHER_KNOWN=none -- "$M" hash -r -j1 "$CORPUS"
run "hash -r CORPUS (reference)" MALGOPHER_KNOWN="$REF" -- "$M" hash -r -j1 "$CORPUS"
run "hash -r CORPUS (reference x100)" MALGOPHER_KNOWN="$W/ref100.jsonl" -- "$M" hash -r -j1 "$CORPUS"
