/* ranking.c - owns the families as they are shown: the components at a
 * threshold numbered by size (largest first, ties: the family whose first
 * member comes first), each family's size and its most central member. */
#include "malgopher.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct famkey {
    uint32_t size, first, id;
} famkey;

static int by_size(const void *a, const void *b)
{
    const famkey *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return (x->first > y->first) - (x->first < y->first);
}

/* raw[i] numbers k families by first member: renumber them by size into
 * f->family_of, sizes into f->size.  false: out of memory. */
static bool rank_by_size(mg_families *f, const uint32_t *raw, size_t k)
{
    famkey *key = mg_calloc(k ? k : 1, sizeof *key);
    uint32_t *rank = mg_malloc((k ? k : 1) * sizeof *rank);
    f->size = mg_calloc(k ? k : 1, sizeof *f->size);
    bool ok = key && rank && f->size;
    if (ok) {
        for (size_t i = f->n; i-- > 0;) {
            key[raw[i]].size++;
            key[raw[i]].first = (uint32_t)i;
            key[raw[i]].id = raw[i];
        }
        qsort(key, k, sizeof *key, by_size);
        for (size_t r = 0; r < k; r++) {
            rank[key[r].id] = (uint32_t)r;
            f->size[r] = key[r].size;
        }
        for (size_t i = 0; i < f->n; i++)
            f->family_of[i] = rank[raw[i]];
    }
    free(key);
    free(rank);
    return ok;
}

mg_status mg_cluster_families(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges, int t,
                              mg_families *f, mg_error *err)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    uint32_t *raw = mg_malloc((n ? n : 1) * sizeof *raw);
    f->family_of = mg_malloc((n ? n : 1) * sizeof *f->family_of);
    mg_edge *links = mg_malloc((nedges ? nedges : 1) * sizeof *links);
    size_t k = 0, nl = 0;
    mg_status st = MG_ERR_NOMEM;
    if (!raw || !f->family_of || !links)
        goto fail;
    if ((st = mg_cluster_components(n, reps, edges, nedges, t, raw, &k, err)) != MG_OK)
        goto fail;
    st = MG_ERR_NOMEM;
    f->nfam = k;
    f->central = mg_malloc((k ? k : 1) * sizeof *f->central);
    if (!f->central || !rank_by_size(f, raw, k))
        goto fail;
    /* central: the largest sum of its links (scores >= t) in the family */
    for (size_t x = 0; x < nedges; x++)
        if (edges[x].score >= t)
            links[nl++] = edges[x];
    if ((st = mg_cluster_central(n, reps, links, nl, f->family_of, k, f->central, err)) != MG_OK)
        goto fail;
    free(raw);
    free(links);
    return MG_OK;
fail:
    free(raw);
    free(links);
    mg_families_free(f);
    return st == MG_ERR_NOMEM ? mg_fail(err, MG_ERR_NOMEM, "out of memory") : st;
}

void mg_families_free(mg_families *f)
{
    free(f->family_of);
    free(f->size);
    free(f->central);
    memset(f, 0, sizeof *f);
}
