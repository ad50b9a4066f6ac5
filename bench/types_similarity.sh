#!/bin/bash
# types_similarity.sh - issue 23 item 4: do the sets of a program's own type
# names, or of its type shapes, sort the corpus families better than gimpset?
# Runs `malgopher eval`'s gimpset sweep (the reference the script must
# reproduce), then bench/types_similarity.py on the same files.
# Usage: bench/types_similarity.sh MALGOPHER MANIFEST.tsv CORPUS_DIR [WORK_DIR]
# (WORK_DIR, default /tmp/types_similarity, caches the per-file features.)
set -eu
mg=$(realpath "$1") man=$(realpath "$2") corpus=$(realpath "$3")
work=${4:-/tmp/types_similarity}
here=$(dirname "$(realpath "$0")")
mkdir -p "$work"
cd "$corpus"
awk -F'\t' 'NR>1 && $13=="yes"{print $14}' "$man" | while read -r f; do
    if [ -f "$f" ]; then printf '%s\n' "$f"; fi
done > "$work/files.txt"
"$mg" eval -j 1 --labels "$man" --sweep 10:90:5 --no-baselines \
    --files-from "$work/files.txt" > "$work/eval.txt"
sed -n 1,4p "$work/eval.txt"
python3 "$here/types_similarity.py" "$mg" "$man" "$corpus" "$work" "$work/eval.txt"
