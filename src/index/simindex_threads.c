/* simindex_threads.c - owns running the pair search over threads: each
 * worker's scratch arrays, the LCS-needed table they share, the threads
 * (a share whose thread cannot start runs on the caller's), and the merge
 * of their pairs into one ordered list. */
#include "index/simindex.h"
#include "util/alloc.h"
#include "util/unionfind.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

unsigned mg_simindex_threads(unsigned n)
{
    return n < 1 ? 1 : n > 256 ? 256 : n;
}

/* one worker's scratch arrays (and its union-find in forest mode) */
static bool worker_alloc(mg_simworker *w, const mg_simindex *ix, bool forest)
{
    size_t nu = ix->nunits ? ix->nunits : 1;
    w->mark = mg_malloc(nu * sizeof *w->mark);
    w->cand = mg_malloc(nu * sizeof *w->cand);
    w->job = mg_malloc(2 * nu * sizeof *w->job);
    w->job_of = mg_malloc(2 * nu * sizeof *w->job_of);
    w->job_score = mg_malloc(2 * nu * sizeof *w->job_score);
    if (!w->mark || !w->cand || !w->job || !w->job_of || !w->job_score)
        return false;
    memset(w->mark, 0xff, nu * sizeof *w->mark);
    if (!forest)
        return true;
    return (w->uf = mg_uf_new(ix->nunits + ix->nodd)) != NULL && (!ix->ndense || mg_dense_alloc(w));
}

static void worker_free(mg_simworker *w)
{
    free(w->mark);
    free(w->cand);
    free(w->job);
    free(w->job_of);
    free(w->job_score);
    free(w->uf);
    free(w->dense);
}

size_t mg_simindex_max_pairs(const mg_simindex *ix)
{
    return MG_PAIRS_PER_DIGEST * ix->n + MG_PAIRS_BASE;
}

bool mg_simindex_run_workers(const mg_simindex *ix, int min_score, unsigned nthreads, bool forest,
                             mg_edge **re, size_t *nre, bool *capped, uint64_t *dense_cut)
{
    *capped = false;
    *dense_cut = 0;
    mg_simworker *w = mg_calloc(nthreads, sizeof *w);
    pthread_t *tid = mg_calloc(nthreads, sizeof *tid);
    mg_edgevec *parts = mg_calloc(nthreads, sizeof *parts);
    uint8_t (*need)[MG_SIG_MAX + 1] = mg_malloc((MG_SIG_MAX + 1) * sizeof *need);
    bool ok = w && tid && parts && need;
    for (size_t la = 0; ok && la <= MG_SIG_MAX; la++)
        for (size_t lb = 0; lb <= MG_SIG_MAX; lb++)
            need[la][lb] = (uint8_t)mg_lcs_needed(la, lb, min_score);
    for (unsigned t = 0; ok && t < nthreads; t++) {
        w[t] = (mg_simworker){.ix = ix, .min_score = min_score, .id = t, .nthreads = nthreads,
                              .need = (const uint8_t (*)[MG_SIG_MAX + 1])need,
                              .max_out = forest ? 0 : mg_simindex_max_pairs(ix) / nthreads + 1};
        ok = worker_alloc(&w[t], ix, forest);
    }
    bool *running = ok ? mg_calloc(nthreads, sizeof *running) : NULL;
    ok = ok && running;
    for (unsigned t = 1; ok && t < nthreads; t++)
        running[t] = pthread_create(&tid[t], NULL, mg_simindex_pairs_worker, &w[t]) == 0;
    if (ok) {
        mg_simindex_pairs_worker(&w[0]);
        for (unsigned t = 1; t < nthreads; t++) {
            if (running[t])
                pthread_join(tid[t], NULL);
            else
                mg_simindex_pairs_worker(&w[t]); /* the thread could not start: do its share here */
        }
    }
    free(running);
    for (unsigned t = 0; ok && t < nthreads; t++) {
        parts[t] = w[t].out;
        *capped = *capped || w[t].capped;
        *dense_cut += w[t].dense_cut;
    }
    if (ok)
        ok = mg_edges_merge_sort(parts, nthreads, ix->n, re, nre);
    else
        for (unsigned t = 0; w && t < nthreads; t++)
            free(w[t].out.v);
    for (unsigned t = 0; w && t < nthreads; t++)
        worker_free(&w[t]);
    free(w);
    free(tid);
    free(parts);
    free(need);
    return ok;
}
