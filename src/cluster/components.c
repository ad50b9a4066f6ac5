/* components.c - owns families: connected components of the similarity
 * graph at a threshold (util/unionfind.h, near-linear in samples + edges) and the most
 * central member of each family. */
#include "malgopher.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/unionfind.h"

#include <stdlib.h>
#include <string.h>

mg_status mg_cluster_components(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges,
                                int t, uint32_t *family_of, size_t *nfam, mg_error *err)
{
    *nfam = 0;
    uint32_t *parent = mg_uf_new(n);
    uint32_t *id = mg_malloc((n ? n : 1) * sizeof *id);
    if (!parent || !id) {
        free(parent);
        free(id);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    if (reps && t <= 100)
        for (size_t i = 0; i < n; i++)
            mg_uf_union(parent, (uint32_t)i, reps[i]);
    for (size_t e = 0; e < nedges; e++)
        if (edges[e].score >= t && edges[e].a < n && edges[e].b < n)
            mg_uf_union(parent, edges[e].a, edges[e].b);
    /* number the roots in order of their first member */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        id[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = mg_uf_find(parent, (uint32_t)i);
        if (id[r] == UINT32_MAX)
            id[r] = (uint32_t)k++;
        family_of[i] = id[r];
    }
    free(parent);
    free(id);
    *nfam = k;
    return MG_OK;
}

mg_status mg_cluster_central(size_t n, const uint32_t *reps, const mg_edge *edges, size_t nedges,
                             const uint32_t *family_of, size_t nfam, uint32_t *central, mg_error *err)
{
    uint64_t *sum = mg_calloc(n ? n : 1, sizeof *sum);
    uint64_t *copies = mg_calloc(n ? n : 1, sizeof *copies); /* members per representative */
    uint64_t *best = mg_calloc(nfam ? nfam : 1, sizeof *best);
    if (!sum || !copies || !best) {
        free(sum);
        free(copies);
        free(best);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        copies[reps ? reps[i] : i]++;
    for (size_t e = 0; e < nedges; e++) {
        uint32_t a = edges[e].a, b = edges[e].b;
        if (a >= n || b >= n || family_of[a] != family_of[b] || edges[e].score <= 0)
            continue;
        sum[a] += (uint64_t)edges[e].score * copies[b];
        sum[b] += (uint64_t)edges[e].score * copies[a];
    }
    for (size_t f = 0; f < nfam; f++)
        central[f] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = reps ? reps[i] : (uint32_t)i;
        uint64_t s = sum[r] + 100 * (copies[r] - 1);
        uint32_t f = family_of[i];
        if (central[f] == UINT32_MAX || s > best[f]) {
            central[f] = (uint32_t)i;
            best[f] = s;
        }
    }
    free(sum);
    free(copies);
    free(best);
    return MG_OK;
}
