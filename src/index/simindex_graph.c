/* simindex_graph.c - owns the similarity index's graph outputs: every pair
 * scoring >= a threshold (the representatives' pairs expanded to all the
 * copies of each content) and the links of a spanning forest of the
 * families (src/cluster/ turns those into families). */
#include "index/simindex.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>

/* members of the unit whose representative is r (just r for odd digests) */
static const uint32_t *members_of(const mg_simindex *ix, const uint32_t *unit_of_rep, uint32_t r, size_t *cnt)
{
    uint32_t u = unit_of_rep[r];
    if (u == UINT32_MAX) {
        *cnt = 1;
        return &ix->rep[r]; /* rep[r] == r for odd and dead digests */
    }
    *cnt = ix->mstart[u + 1] - ix->mstart[u];
    return ix->members + ix->mstart[u];
}

/* representative pairs -> all pairs, including copies of one content;
 * *too_many (and nothing made) when they would pass the pair bound */
static bool expand(const mg_simindex *ix, const mg_edge *re, size_t nre, int min_score, mg_edgevec *out,
                   bool *too_many)
{
    uint32_t *unit_of_rep = mg_malloc((ix->n ? ix->n : 1) * sizeof *unit_of_rep);
    if (!unit_of_rep)
        return false;
    for (size_t i = 0; i < ix->n; i++)
        unit_of_rep[i] = UINT32_MAX;
    for (size_t u = 0; u < ix->nunits; u++)
        unit_of_rep[ix->units[u].first] = (uint32_t)u;
    /* the copies multiply the pairs: count them before making them */
    uint64_t total = 0;
    for (size_t u = 0; u < ix->nunits && min_score <= 100; u++) {
        uint64_t m = ix->mstart[u + 1] - ix->mstart[u];
        total += m * (m - 1) / 2;
    }
    for (size_t e = 0; e < nre; e++) {
        size_t na, nb;
        members_of(ix, unit_of_rep, re[e].a, &na);
        members_of(ix, unit_of_rep, re[e].b, &nb);
        total += (uint64_t)na * nb;
    }
    *too_many = total > mg_simindex_max_pairs(ix);
    if (*too_many) {
        free(unit_of_rep);
        return true;
    }
    if (min_score <= 100)
        for (size_t u = 0; u < ix->nunits; u++)
            for (uint32_t x = ix->mstart[u]; x < ix->mstart[u + 1]; x++)
                for (uint32_t y = x + 1; y < ix->mstart[u + 1]; y++)
                    mg_edgevec_push(out, ix->members[x], ix->members[y], 100);
    for (size_t e = 0; e < nre; e++) {
        size_t na, nb;
        const uint32_t *ma = members_of(ix, unit_of_rep, re[e].a, &na);
        const uint32_t *mb = members_of(ix, unit_of_rep, re[e].b, &nb);
        for (size_t x = 0; x < na; x++)
            for (size_t y = 0; y < nb; y++) {
                uint32_t a = ma[x], b = mb[y];
                mg_edgevec_push(out, a < b ? a : b, a < b ? b : a, re[e].score);
            }
    }
    free(unit_of_rep);
    return !out->failed;
}

mg_status mg_simindex_pairs(const mg_simindex *ix, int min_score, unsigned nthreads, bool reps_only,
                            mg_edge **edges, size_t *nedges, mg_error *err)
{
    *edges = NULL;
    *nedges = 0;
    if (min_score < 1)
        min_score = 1;
    mg_edge *re = NULL;
    size_t nre = 0;
    if (ix->pair_work > MG_PAIR_WORK_BASE + MG_PAIR_WORK_PER_DIGEST * ix->n)
        return mg_fail(err, MG_ERR_TOO_COSTLY,
                       "too costly: the digests share 7-grams too densely (%llu candidate pairs, up to "
                       "%zu digests on one 7-gram)",
                       (unsigned long long)ix->pair_work, ix->longest_run);
    bool capped;
    uint64_t cut;
    bool ok = mg_simindex_run_workers(ix, min_score, mg_simindex_threads(nthreads), false, &re, &nre,
                                      &capped, &cut);
    mg_edgevec all = {0};
    if (ok && !capped && !reps_only)
        ok = expand(ix, re, nre, min_score, &all, &capped);
    if (ok && capped) {
        free(all.v);
        free(re);
        return mg_fail(err, MG_ERR_TOO_COSTLY,
                       "too costly: more than %zu pairs score >= %d among %zu digests "
                       "(families: use the spanning forest)",
                       mg_simindex_max_pairs(ix), min_score, ix->n);
    }
    if (!reps_only) {
        free(re);
        re = NULL;
        ok = ok && mg_edges_merge_sort(&all, 1, ix->n, &re, &nre);
        if (!ok)
            free(all.v);
    }
    if (!ok)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    *edges = re;
    *nedges = nre;
    return MG_OK;
}

mg_status mg_simindex_forest_cut(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links,
                                 size_t *nlinks, uint64_t *dense_cut, mg_error *err)
{
    *links = NULL;
    *nlinks = 0;
    if (t < 1)
        t = 1;
    bool capped;
    if (!mg_simindex_run_workers(ix, t, mg_simindex_threads(nthreads), true, links, nlinks, &capped,
                                 dense_cut))
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}

mg_status mg_simindex_forest(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links, size_t *nlinks,
                             mg_error *err)
{
    uint64_t cut;
    return mg_simindex_forest_cut(ix, t, nthreads, links, nlinks, &cut, err);
}

mg_status mg_simindex_links(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links,
                            size_t *nlinks, uint64_t *dense_cut, mg_error *err)
{
    return mg_simindex_forest_cut(ix, t, nthreads, links, nlinks, dense_cut, err);
}
