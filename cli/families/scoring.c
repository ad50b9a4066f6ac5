/* scoring.c - owns scoring groupings of the samples against labels: the
 * gimpfuzzy families at one or many thresholds and the exact-gimphash
 * baseline, over the samples that have a label. */
#include "families/families.h"

#include <stdlib.h>
#include <string.h>

uint32_t *label_samples(const sampleset *s, const labels *l, size_t *nlabelled)
{
    uint32_t *lab = malloc((s->n ? s->n : 1) * sizeof *lab);
    *nlabelled = 0;
    if (!lab) {
        report_problem(mg_status_reason(MG_ERR_NOMEM));
        return NULL;
    }
    for (size_t i = 0; i < s->n; i++) {
        lab[i] = l ? labels_find(l, s->v[i].file) : UINT32_MAX;
        if (lab[i] != UINT32_MAX)
            (*nlabelled)++;
    }
    return lab;
}

bool score_grouping(const uint32_t *group_of, const uint32_t *label_of, size_t n, mg_vmeasure *m)
{
    uint32_t *g = malloc((n ? n : 1) * sizeof *g), *l = malloc((n ? n : 1) * sizeof *l);
    size_t k = 0;
    mg_error e;
    bool ok = g && l;
    for (size_t i = 0; ok && i < n; i++)
        if (label_of[i] != UINT32_MAX) {
            g[k] = group_of[i];
            l[k++] = label_of[i];
        }
    ok = ok && mg_vmeasure_score(l, g, k, m, &e) == MG_OK;
    free(g);
    free(l);
    if (!ok)
        report_problem(mg_status_reason(MG_ERR_NOMEM));
    return ok;
}

bool score_sweep(const graph *g, const uint32_t *label_of, int lo, int hi, int step,
                 score_row **rows, size_t *nrows)
{
    size_t cap = (size_t)((hi - lo) / step + 1);
    *rows = calloc(cap, sizeof **rows);
    *nrows = 0;
    uint32_t *fam = malloc((g->n ? g->n : 1) * sizeof *fam);
    bool ok = *rows && fam;
    mg_error e;
    for (int t = lo; ok && t <= hi; t += step) {
        score_row *r = &(*rows)[(*nrows)++];
        r->threshold = t;
        ok = mg_cluster_components(g->n, g->reps, g->edges, g->nedges, t, fam, &r->nfam, &e) == MG_OK &&
             score_grouping(fam, label_of, g->n, &r->m);
    }
    free(fam);
    if (!ok) {
        free(*rows);
        *rows = NULL;
        report_problem(mg_status_reason(MG_ERR_NOMEM));
    }
    return ok;
}

bool score_exact(const sampleset *s, const uint32_t *label_of, score_row *row)
{
    /* group ids from a hash table of gimphash strings; no-names samples alone */
    size_t cap = 16;
    while (cap < 2 * s->n)
        cap *= 2;
    uint32_t *tab = calloc(cap, sizeof *tab), *grp = malloc((s->n ? s->n : 1) * sizeof *grp);
    bool ok = tab && grp;
    uint32_t k = 0;
    for (size_t i = 0; ok && i < s->n; i++) {
        if (s->v[i].no_names) {
            grp[i] = k++;
            continue;
        }
        uint64_t h = 1469598103934665603u;
        for (const char *p = s->v[i].gimphash; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211u;
        size_t slot = h & (cap - 1);
        while (tab[slot] && strcmp(s->v[tab[slot] - 1].gimphash, s->v[i].gimphash))
            slot = (slot + 1) & (cap - 1);
        if (!tab[slot]) {
            tab[slot] = (uint32_t)i + 1;
            grp[i] = k++;
        } else
            grp[i] = grp[tab[slot] - 1];
    }
    memset(row, 0, sizeof *row);
    row->nfam = k;
    ok = ok && score_grouping(grp, label_of, s->n, &row->m);
    free(tab);
    free(grp);
    return ok;
}
