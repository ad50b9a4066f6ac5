#!/usr/bin/env bash
# fetch_corpus.sh - CTest setup step: fetches the core tier of the real-world
# corpus into the cache when any of its files is missing.  Never fails the
# build: if the fetch cannot complete, the corpus test reports SKIPPED for
# what is missing.
# usage: fetch_corpus.sh SHARED_CORPUS_DIR CACHE_DIR
set -u
src=$1 dst=$2
if [ ! -x "$src/fetch.sh" ] && [ ! -f "$src/fetch.sh" ]; then
    echo "corpus fetch: SKIPPED (no $src/fetch.sh)"
    exit 0
fi
mkdir -p "$dst"
missing=0
while IFS=$'\t' read -r -a c; do
    [ "${c[22]:-}" = core ] || continue
    [ -f "$dst/${c[13]}" ] || missing=$((missing + 1))
done < <(tail -n +2 "$src/MANIFEST.tsv")
if [ "$missing" = 0 ]; then
    echo "corpus fetch: core tier present in $dst"
    exit 0
fi
echo "corpus fetch: $missing core files missing; fetching into $dst"
if bash "$src/fetch.sh" "$dst" --tier core; then
    echo "corpus fetch: done"
else
    echo "corpus fetch: incomplete (the corpus test will list what is missing)"
fi
exit 0
