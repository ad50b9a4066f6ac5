#!/bin/bash
# bench_upx_lazy.sh BEFORE_MALGOPHER AFTER_MALGOPHER [SHARED_UPX_DIR [CORPUS]] -
# `hash` of each UPX-packed file of ../shared/upx with two builds side by
# side in the same run, and `hash` of its original (corpus file named in
# MANIFEST.tsv) with the second: best of N (default 5) CPU seconds
# (user+sys, /usr/bin/time) and peak RSS.  Markdown rows for BENCHMARKS.md
# ("UPX": lazy decoding).
set -u
B=$1 A=$2 UPX=${3:-/work/shared/upx} CORPUS=${4:-$HOME/.cache/malgopher/corpus}
N=${N:-5}
T=$(mktemp)
trap 'rm -f "$T"' EXIT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, best of $N, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| packed file | method | unpacked MB | CPU s before (x original) | CPU s after (x original) | CPU s original | peak RSS MB before / after / original | after RSS / unpacked size |"
echo "|---|---|---|---|---|---|---|---|"
best() { local b=""; for _ in $(seq $N); do /usr/bin/time -f "%U %S %M" "$@" >/dev/null 2>"$T" || { echo FAIL; return; }; read u s r < <(tail -1 "$T"); c=$(echo "$u+$s"|bc); if [ -z "$b" ] || [ $(echo "$c < ${b%% *}"|bc) = 1 ]; then b="$c $r"; fi; done; echo "$b"; }
tr '\t' '\037' <"$UPX/MANIFEST.tsv" | while IFS=$'\037' read -r name orig _ _ opts _ _ _ _ _; do
  [ "$name" = name ] && continue; p=$UPX/$name o=$CORPUS/$orig; [ -f "$o" ] || continue
  cat "$p" "$o" >/dev/null
  read bc br < <(best "$B" hash "$p")
  read ac ar < <(best "$A" hash "$p")
  read oc or < <(best "$A" hash "$o")
  us=$(stat -c %s "$o")
  printf '| %s | %s | %.2f | %.2f (%.1fx) | %.2f (%.1fx) | %.2f | %.1f / %.1f / %.1f | %.2f |\n' "$name" "${opts:-default}" $(echo "$us/1048576"|bc -l) $bc $(echo "$bc/($oc+0.001)"|bc -l) $ac $(echo "$ac/($oc+0.001)"|bc -l) $oc $(echo "$br/1024"|bc -l) $(echo "$ar/1024"|bc -l) $(echo "$or/1024"|bc -l) $(echo "$ar*1024/$us"|bc -l)
done
