/* allpairs.c - owns the reference similarity computation: fuzzy_compare on
 * every pair, split over threads by rows.  The index must reproduce it. */
#include "index/allpairs.h"
#include "index/edge_list.h"
#include "util/alloc.h"
#include "util/error.h"

#include <fuzzy.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct row_worker {
    const char *const *dig;
    size_t n;
    int min_score;
    unsigned id, nthreads;
    mg_edgevec out;
} row_worker;

static void *rows(void *arg)
{
    row_worker *w = arg;
    for (size_t i = w->id; i < w->n; i += w->nthreads) {
        if (!w->dig[i])
            continue;
        for (size_t j = i + 1; j < w->n; j++) {
            if (!w->dig[j])
                continue;
            int s = fuzzy_compare(w->dig[i], w->dig[j]);
            if (s >= w->min_score)
                mg_edgevec_push(&w->out, (uint32_t)i, (uint32_t)j, s);
        }
    }
    return NULL;
}

mg_status mg_pairs_naive(const char *const *digests, size_t n, int min_score, unsigned nthreads,
                         mg_edge **edges, size_t *nedges, mg_error *err)
{
    *edges = NULL;
    *nedges = 0;
    if (n >= UINT32_MAX / 2)
        return mg_fail(err, MG_ERR_ARG, "too many digests (%zu)", n);
    if (min_score < 1)
        min_score = 1;
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > 256)
        nthreads = 256;
    row_worker *w = mg_calloc(nthreads, sizeof *w);
    pthread_t *tid = mg_calloc(nthreads, sizeof *tid);
    bool *running = mg_calloc(nthreads, sizeof *running);
    mg_edgevec *parts = mg_calloc(nthreads, sizeof *parts);
    bool ok = w && tid && running && parts;
    if (ok) {
        for (unsigned t = 0; t < nthreads; t++)
            w[t] = (row_worker){digests, n, min_score, t, nthreads, {0}};
        for (unsigned t = 1; t < nthreads; t++)
            running[t] = pthread_create(&tid[t], NULL, rows, &w[t]) == 0;
        rows(&w[0]);
        for (unsigned t = 1; t < nthreads; t++) {
            if (running[t])
                pthread_join(tid[t], NULL);
            else
                rows(&w[t]);
        }
        for (unsigned t = 0; t < nthreads; t++)
            parts[t] = w[t].out;
        ok = mg_edges_merge_sort(parts, nthreads, n, edges, nedges);
    }
    free(w);
    free(tid);
    free(running);
    free(parts);
    if (!ok)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    return MG_OK;
}
