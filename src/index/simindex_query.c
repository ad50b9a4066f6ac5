/* simindex_query.c - owns one query against the similarity index: the
 * units sharing a 7-gram with the query (or its identical content), scored
 * with fuzzy_compare, every copy of a content listed, best first. */
#include "index/simindex.h"
#include "util/alloc.h"
#include "util/error.h"

#include <fuzzy.h>
#include <stdlib.h>

static int by_unit(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int by_score_then_index(const void *a, const void *b)
{
    const mg_hit *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    return (x->index > y->index) - (x->index < y->index);
}

/* score q against the digest of unit/odd representative r; add its copies */
static void score_rep(const mg_simindex *ix, const char *q, uint32_t r, const uint32_t *mem, size_t nmem,
                      int min_score, mg_hit *hits, size_t *nh)
{
    int s = fuzzy_compare(q, ix->dig[r]);
    if (s < min_score)
        return;
    for (size_t k = 0; k < nmem; k++)
        hits[(*nh)++] = (mg_hit){mem[k], s};
}

/* the units sharing a gram with strict digest d, unsorted, with repeats,
 * plus its own content's unit; NULL when out of memory */
static uint32_t *gram_candidates(const mg_simindex *ix, const mg_digest *d, size_t *ncand)
{
    size_t cap = 2 * (mg_ngrams_of(d->len1) + mg_ngrams_of(d->len2)) + 1, nc = 0;
    const uint64_t mask = MG_UNIT_MASK;
    uint32_t *cand = mg_malloc(cap * sizeof *cand);
    for (int s = 0; cand && s < 2; s++) {
        uint64_t seed = mg_gram_seed(s ? 2 * d->bs : d->bs);
        const char *sig = s ? d->sig2 : d->sig1;
        for (size_t i = 0; i < mg_ngrams_of(s ? d->len2 : d->len1); i++) {
            uint64_t hp = mg_gram_hash(seed, sig + i) & ~mask;
            for (size_t k = mg_gram_lower_bound(ix, hp); cand && k < ix->ngrams && (ix->grams[k] & ~mask) == hp;
                 k++) {
                if (nc == cap) {
                    uint32_t *c2 = mg_realloc(cand, 2 * cap * sizeof *c2);
                    if (!c2) {
                        free(cand);
                        cand = NULL;
                        break;
                    }
                    cand = c2;
                    cap *= 2;
                }
                cand[nc++] = (uint32_t)(ix->grams[k] & mask);
            }
        }
    }
    uint32_t same = mg_simindex_find_unit(ix, d, NULL);
    if (cand && same != UINT32_MAX) {
        /* the loop may have filled cand to cap exactly: room for one more */
        if (nc == cap) {
            uint32_t *c2 = mg_realloc(cand, (cap + 1) * sizeof *c2);
            if (!c2) {
                free(cand);
                return NULL;
            }
            cand = c2;
        }
        cand[nc++] = same; /* identical content scores 100 without a shared 7-gram */
    }
    *ncand = nc;
    return cand;
}

mg_status mg_simindex_query(const mg_simindex *ix, const char *q, int min_score,
                            mg_hit **hits, size_t *nhits, mg_error *err)
{
    *hits = NULL;
    *nhits = 0;
    if (min_score < 1)
        min_score = 1;
    mg_digest d;
    mg_digest_kind kind = q ? mg_digest_parse(q, &d) : MG_DIGEST_DEAD;
    if (kind == MG_DIGEST_DEAD)
        return MG_OK;
    mg_hit *h = mg_malloc((ix->n ? ix->n : 1) * sizeof *h);
    uint32_t *cand = NULL;
    size_t nc = 0;
    if (h && kind == MG_DIGEST_STRICT)
        cand = gram_candidates(ix, &d, &nc);
    else if (h) {
        cand = mg_malloc((ix->nunits ? ix->nunits : 1) * sizeof *cand); /* odd query: every unit */
        for (size_t u = 0; cand && u < ix->nunits; u++)
            cand[nc++] = (uint32_t)u;
    }
    if (!h || !cand) {
        free(h);
        free(cand);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    qsort(cand, nc, sizeof *cand, by_unit);
    size_t nh = 0;
    for (size_t k = 0; k < nc; k++) {
        if (k && cand[k] == cand[k - 1])
            continue;
        const unit *un = &ix->units[cand[k]];
        score_rep(ix, q, un->first, ix->members + ix->mstart[cand[k]],
                  ix->mstart[cand[k] + 1] - ix->mstart[cand[k]], min_score, h, &nh);
    }
    for (size_t k = 0; k < ix->nodd; k++)
        score_rep(ix, q, ix->odd[k], &ix->odd[k], 1, min_score, h, &nh);
    free(cand);
    qsort(h, nh, sizeof *h, by_score_then_index);
    *hits = h;
    *nhits = nh;
    return MG_OK;
}
