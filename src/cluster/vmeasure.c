/* vmeasure.c - owns scoring a clustering against labels: homogeneity,
 * completeness and V-measure (Rosenberg & Hirschberg 2007, with
 * scikit-learn's conventions: h = 1 when the labels have no entropy, c = 1
 * when the clusters have none, V = 0 when h + c = 0).  Counts come from one
 * hash table of (label, cluster) cells: linear time. */
#include "malgopher.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>

typedef struct cell {
    uint64_t key; /* label << 32 | cluster, + 1 so that 0 means empty */
    size_t count;
} cell;

/* add 1 to the count of key in an open-addressing table of mask + 1 slots */
static void bump(cell *t, size_t mask, uint64_t key)
{
    uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);
    size_t k = (size_t)(h >> 17) & mask;
    while (t[k].key && t[k].key != key)
        k = (k + 1) & mask;
    t[k].key = key;
    t[k].count++;
}

/* entropy (nats) of a table of counts summing to n */
static double entropy(const cell *t, size_t cap, double n)
{
    double h = 0;
    for (size_t k = 0; k < cap; k++)
        if (t[k].key)
            h -= (double)t[k].count / n * log((double)t[k].count / n);
    return h;
}

mg_status mg_vmeasure_score(const uint32_t *labels, const uint32_t *clusters, size_t n,
                            mg_vmeasure *out, mg_error *err)
{
    *out = (mg_vmeasure){1, 1, 1};
    if (n == 0)
        return MG_OK;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    cell *joint = mg_calloc(cap, sizeof *joint);
    cell *lab = mg_calloc(cap, sizeof *lab);
    cell *clu = mg_calloc(cap, sizeof *clu);
    if (!joint || !lab || !clu) {
        free(joint);
        free(lab);
        free(clu);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        bump(joint, cap - 1, ((uint64_t)labels[i] << 32 | clusters[i]) + 1);
        bump(lab, cap - 1, (uint64_t)labels[i] + 1);
        bump(clu, cap - 1, (uint64_t)clusters[i] + 1);
    }
    double N = (double)n;
    double h_c = entropy(lab, cap, N), h_k = entropy(clu, cap, N);
    double h_ck = entropy(joint, cap, N); /* H(C,K) */
    /* H(C|K) = H(C,K) - H(K), H(K|C) = H(C,K) - H(C) */
    double hc_given_k = h_ck - h_k, hk_given_c = h_ck - h_c;
    if (hc_given_k < 0)
        hc_given_k = 0;
    if (hk_given_c < 0)
        hk_given_c = 0;
    out->homogeneity = h_c > 0 ? 1 - hc_given_k / h_c : 1;
    out->completeness = h_k > 0 ? 1 - hk_given_c / h_k : 1;
    double s = out->homogeneity + out->completeness;
    out->v_measure = s > 0 ? 2 * out->homogeneity * out->completeness / s : 0;
    free(joint);
    free(lab);
    free(clu);
    return MG_OK;
}
