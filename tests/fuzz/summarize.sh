#!/usr/bin/env bash
# summarize.sh - totals of every fuzzing run recorded in runs.tsv (written by
# run_fuzz.sh), per target, as a Markdown table for FUZZING.md.
# usage: summarize.sh [RUNS_TSV]
set -eu
runs=${1:-${MALGOPHER_FUZZ_DIR:-$HOME/.cache/malgopher/fuzz}/runs.tsv}
echo "| target | runs | seconds | executions | crashes |"
echo "|---|---:|---:|---:|---:|"
awk -F'\t' 'NR > 1 { n[$2]++; s[$2] += $3; e[$2] += $4; c[$2] += $5; if (!($2 in o)) o[$2] = ++k }
    END { for (t in o) order[o[t]] = t
          for (i = 1; i <= k; i++) { t = order[i]; printf "| %s | %d | %d | %d | %d |\n", t, n[t], s[t], e[t], c[t] } }' "$runs"
