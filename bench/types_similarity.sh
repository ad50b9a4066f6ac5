#!/bin/bash
# types_similarity.sh - issue 23 item 4: do the sets of a program's own type
# names, or of its type shapes, sort the corpus families better than gimpset?
# Runs `malgopher eval`'s gimpset sweep (the reference the script must
# reproduce), then bench/types_similarity.py on the same files.
# Usage: bench/types_similarity.sh MALGOPHER MANIFEST.tsv CORPUS_DIR[:CORPUS_DIR...] [WORK_DIR]
# Several corpus directories (e.g. the core cache and a full-tier fetch) are
# joined: WORK_DIR/corpus gets a symlink to each MANIFEST file found in the
# first directory that has it.  WORK_DIR (default /tmp/types_similarity)
# also caches the per-file features (features.jsonl).
set -eu
mg=$(realpath "$1") man=$(realpath "$2") dirs=$3
work=$(realpath -m "${4:-/tmp/types_similarity}")
here=$(dirname "$(realpath "$0")")
mkdir -p "$work/corpus"
awk -F'\t' 'NR>1 && $13=="yes"{print $14}' "$man" > "$work/manifest_files.txt"
: > "$work/files.txt"
while read -r f; do
    IFS=: read -ra ds <<<"$dirs"
    for d in "${ds[@]}"; do
        if [ -f "$d/$f" ]; then
            mkdir -p "$work/corpus/$(dirname "$f")"
            ln -sfn "$(realpath "$d/$f")" "$work/corpus/$f"
            printf '%s\n' "$f" >> "$work/files.txt"
            break
        fi
    done
done < "$work/manifest_files.txt"
cd "$work/corpus"
"$mg" eval -j 1 --labels "$man" --sweep 10:90:5 --no-baselines \
    --files-from "$work/files.txt" > "$work/eval.txt"
sed -n 1,4p "$work/eval.txt"
python3 "$here/types_similarity.py" "$mg" "$man" "$work/corpus" "$work" "$work/eval.txt"
