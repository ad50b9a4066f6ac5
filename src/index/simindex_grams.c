/* simindex_grams.c - owns the similarity index's posting lists: one entry
 * per (effective block size, 7-gram, unit), sorted so that each gram's run
 * lists its units in ascending order, and per unit the spans of the later
 * units in its runs (the candidates of the pair search). */
#include "index/radix_sort.h"
#include "util/alloc.h"
#include "index/simindex.h"
#include "util/bigbuf.h"

#include <stdlib.h>
#include <string.h>

uint64_t mg_gram_seed(uint64_t level)
{
    return mg_mix64(level + 0x9e3779b97f4a7c15u);
}

uint64_t mg_gram_hash(uint64_t seed, const char *g)
{
    uint64_t w = 0;
    for (int i = 0; i < MG_GRAM; i++)
        w = (w << 8) | (unsigned char)g[i];
    return mg_mix64(w ^ seed);
}

size_t mg_gram_lower_bound(const mg_simindex *ix, uint64_t hp)
{
    size_t lo = 0, hi = ix->ngrams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->grams[mid] < hp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool mg_simindex_build_grams(mg_simindex *ix)
{
    size_t total = 0;
    for (size_t u = 0; u < ix->nunits; u++)
        total += mg_ngrams_of(ix->units[u].len1) + mg_ngrams_of(ix->units[u].len2);
    const uint64_t mask = MG_UNIT_MASK;
    ix->grams = mg_bigbuf_alloc(total * sizeof *ix->grams);
    uint64_t *tmp = mg_bigbuf_alloc(total * sizeof *tmp);
    if (!ix->grams || !tmp) {
        free(tmp);
        return false;
    }
    size_t k = 0;
    for (size_t u = 0; u < ix->nunits; u++) {
        const unit *un = &ix->units[u];
        const char *s1 = ix->sigs + un->off, *s2 = s1 + un->len1;
        uint64_t seed1 = mg_gram_seed(un->bs), seed2 = mg_gram_seed(2 * un->bs);
        for (size_t i = 0; i < mg_ngrams_of(un->len1); i++)
            ix->grams[k++] = (mg_gram_hash(seed1, s1 + i) & ~mask) | u;
        for (size_t i = 0; i < mg_ngrams_of(un->len2); i++)
            ix->grams[k++] = (mg_gram_hash(seed2, s2 + i) & ~mask) | u;
    }
    /* the entries are made in unit order and the sort is stable: each run
     * stays sorted by unit */
    if (mg_radix_sort_high(ix->grams, tmp, total, MG_UNIT_BITS) == tmp) {
        uint64_t *t = ix->grams;
        ix->grams = tmp;
        tmp = t;
    }
    /* a gram repeated within one signature: keep one entry */
    size_t kept = 0;
    for (size_t k = 0; k < total; k++)
        if (kept == 0 || ix->grams[k] != ix->grams[kept - 1])
            ix->grams[kept++] = ix->grams[k];
    total = kept;
    ix->ngrams = total;
    /* tmp (8 bytes an entry) now holds the spans (at most one an entry) */
    ix->spans = (span *)tmp;
    ix->gunit = mg_bigbuf_alloc(total * sizeof *ix->gunit);
    ix->pstart = mg_calloc(ix->nunits + 1, sizeof *ix->pstart);
    uint32_t *fill = mg_malloc((ix->nunits ? ix->nunits : 1) * sizeof *fill);
    if (total >= UINT32_MAX || !ix->gunit || !ix->pstart || !fill) {
        free(fill);
        return false;
    }
    /* two passes over the runs: count each unit's spans, then place them
     * (a unit last in its run has none there) */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t r = 0, e; r < total; r = e) {
            for (e = r + 1; e < total && (ix->grams[e] & ~mask) == (ix->grams[r] & ~mask); e++)
                ;
            if (pass == 0) {
                if (e - r > ix->longest_run)
                    ix->longest_run = e - r;
                ix->ndense += e - r > MG_DENSE_RUN;
                ix->pair_work += (uint64_t)(e - r) * (e - r - 1) / 2;
            }
            for (size_t k = r; k + 1 < e; k++) {
                uint32_t u = (uint32_t)(ix->grams[k] & mask);
                if (pass == 0)
                    ix->pstart[u + 1]++;
                else
                    ix->spans[fill[u]++] = (span){(uint32_t)k + 1, (uint32_t)e};
            }
        }
        if (pass == 0) {
            for (size_t u = 0; u < ix->nunits; u++)
                ix->pstart[u + 1] += ix->pstart[u];
            memcpy(fill, ix->pstart, ix->nunits * sizeof *fill);
        }
    }
    for (size_t k = 0; k < total; k++)
        ix->gunit[k] = (uint32_t)(ix->grams[k] & mask);
    free(fill);
    return true;
}
