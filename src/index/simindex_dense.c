/* simindex_dense.c - owns the forest search's handling of dense posting
 * lists (more than MG_DENSE_RUN units share one 7-gram: thousands of
 * near-identical digests, or a crafted list).  Walking such a list from
 * every unit costs its length squared.  Per worker, each dense list keeps a
 * state: once all of its units are in one family the list is skipped (no
 * pair in it can change the families: exact); a list still split after
 * MG_DENSE_FULL_PASSES full walks is then walked only MG_DENSE_WINDOW units
 * past each unit, and every such cut is counted so the caller can say the
 * families may miss links. */
#include "index/simindex.h"
#include "util/alloc.h"
#include "util/unionfind.h"

#include <stdlib.h>

bool mg_dense_alloc(mg_simworker *w)
{
    size_t cap = 16;
    while (cap < 2 * w->ix->ndense)
        cap *= 2;
    w->dense = mg_calloc(cap, sizeof *w->dense);
    w->dense_mask = cap - 1;
    return w->dense != NULL;
}

mg_dense_slot *mg_dense_slot_of(mg_simworker *w, uint32_t end, bool create)
{
    size_t k = ((uint64_t)end * UINT64_C(0x9e3779b97f4a7c15)) >> 40 & w->dense_mask;
    while (w->dense[k].key && w->dense[k].key != end + 1)
        k = (k + 1) & w->dense_mask;
    if (!w->dense[k].key) {
        if (!create)
            return NULL;
        w->dense[k].key = end + 1; /* at most ndense keys in a table of 2 * ndense+ slots */
    }
    return &w->dense[k];
}

void mg_dense_after_unit(mg_simworker *w, uint32_t u)
{
    const mg_simindex *ix = w->ix;
    uint32_t root = mg_uf_find(w->uf, u);
    for (uint32_t x = ix->pstart[u]; x < ix->pstart[u + 1]; x++) {
        const span *sp = &ix->spans[x];
        if (sp->end - sp->from <= MG_DENSE_RUN)
            continue;
        mg_dense_slot *d = mg_dense_slot_of(w, sp->end, true);
        if (d->uniform || d->passes > MG_DENSE_FULL_PASSES)
            continue;
        bool one = true;
        for (uint32_t k = sp->from; k < sp->end && one; k++)
            one = mg_uf_find(w->uf, ix->gunit[k]) == root;
        if (one)
            d->uniform = u + 1;
        else
            d->passes++;
    }
}
