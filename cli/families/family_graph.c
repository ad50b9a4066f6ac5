/* family_graph.c - owns the similarity graph of a sample set (built with the
 * library's index) and turning it into families at a threshold, numbered
 * by size (largest first, ties by first member). */
#include "families.h"

#include <stdlib.h>
#include <string.h>

bool graph_build(graph *g, const sampleset *s, int src, unsigned jobs, int min_score)
{
    memset(g, 0, sizeof *g);
    g->n = s->n;
    g->digest = calloc(s->n ? s->n : 1, sizeof *g->digest);
    if (!g->digest)
        goto nomem;
    for (size_t i = 0; i < s->n; i++) {
        bool whole_file = src == SRC_FILE;
        const char *d = whole_file ? s->v[i].filefuzzy : src == SRC_GIMPSET ? s->v[i].gimpset : s->v[i].gimpfuzzy;
        /* no names: the digest of empty input says nothing about a family
         * (gimpset: the empty-set digest links nothing by itself) */
        g->digest[i] = (src == SRC_GIMPFUZZY && s->v[i].no_names) || !d[0] ? NULL : d;
    }
    mg_error e;
    if (src == SRC_GIMPSET) {
        size_t missing = 0;
        for (size_t i = 0; i < s->n; i++)
            missing += !s->v[i].gimpset[0];
        if (missing)
            fprintf(stderr, "malgopher: %zu sample(s) without a gimpset (hash --json lines of an older "
                            "malgopher?): families of their own under --measure set\n", missing);
        if (mg_setindex_build(g->digest, s->n, &g->six, &e) != MG_OK ||
            mg_setindex_pairs(g->six, min_score, true, &g->edges, &g->nedges, &e) != MG_OK) {
            report_error("malgopher", e.msg);
            graph_free(g);
            return false;
        }
        g->reps = mg_setindex_reps(g->six);
        return true;
    }
    if (mg_simindex_build(g->digest, s->n, &g->ix, &e) != MG_OK ||
        mg_simindex_pairs(g->ix, min_score, jobs, true, &g->edges, &g->nedges, &e) != MG_OK) {
        report_error("malgopher", e.msg);
        graph_free(g);
        return false;
    }
    g->reps = mg_simindex_reps(g->ix);
    return true;
nomem:
    report_error("malgopher", mg_status_reason(MG_ERR_NOMEM));
    return false;
}

void graph_free(graph *g)
{
    mg_simindex_free(g->ix);
    mg_setindex_free(g->six);
    free(g->edges);
    free(g->digest);
    memset(g, 0, sizeof *g);
}

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

bool families_at(families *f, const graph *g, int threshold)
{
    memset(f, 0, sizeof *f);
    size_t n = g->n;
    f->n = n;
    uint32_t *raw = malloc((n ? n : 1) * sizeof *raw);
    f->family_of = malloc((n ? n : 1) * sizeof *f->family_of);
    mg_error e;
    size_t k = 0;
    if (!raw || !f->family_of ||
        mg_cluster_components(n, g->reps, g->edges, g->nedges, threshold, raw, &k, &e) != MG_OK)
        goto fail;
    /* the library numbers by first member; we show the largest first */
    famkey *key = calloc(k ? k : 1, sizeof *key);
    uint32_t *rank = malloc((k ? k : 1) * sizeof *rank);
    f->size = calloc(k ? k : 1, sizeof *f->size);
    f->central = malloc((k ? k : 1) * sizeof *f->central);
    if (!key || !rank || !f->size || !f->central) {
        free(key);
        free(rank);
        goto fail;
    }
    for (size_t i = n; i-- > 0;) {
        key[raw[i]].size++;
        key[raw[i]].first = (uint32_t)i;
        key[raw[i]].id = raw[i];
    }
    qsort(key, k, sizeof *key, by_size);
    for (size_t r = 0; r < k; r++) {
        rank[key[r].id] = (uint32_t)r;
        f->size[r] = key[r].size;
    }
    for (size_t i = 0; i < n; i++)
        f->family_of[i] = rank[raw[i]];
    free(key);
    free(rank);
    f->nfam = k;
    free(raw);
    /* central: the largest sum of its links (scores >= threshold) in the family */
    mg_edge *links = malloc((g->nedges ? g->nedges : 1) * sizeof *links);
    size_t nl = 0;
    for (size_t x = 0; links && x < g->nedges; x++)
        if (g->edges[x].score >= threshold)
            links[nl++] = g->edges[x];
    bool ok = links && mg_cluster_central(n, g->reps, links, nl, f->family_of, k, f->central, &e) == MG_OK;
    free(links);
    if (!ok)
        goto fail2;
    return true;
fail:
    free(raw);
fail2:
    report_error("malgopher", mg_status_reason(MG_ERR_NOMEM));
    families_free(f);
    return false;
}

void families_free(families *f)
{
    free(f->family_of);
    free(f->size);
    free(f->central);
    memset(f, 0, sizeof *f);
}

bool families_members(const families *f, uint32_t **start, uint32_t **members)
{
    *start = calloc(f->nfam + 1, sizeof **start);
    *members = malloc((f->n ? f->n : 1) * sizeof **members);
    uint32_t *fill = malloc((f->nfam ? f->nfam : 1) * sizeof *fill);
    if (!*start || !*members || !fill) {
        free(*start);
        free(*members);
        free(fill);
        report_error("malgopher", mg_status_reason(MG_ERR_NOMEM));
        return false;
    }
    for (size_t i = 0; i < f->n; i++)
        (*start)[f->family_of[i] + 1]++;
    for (size_t k = 0; k < f->nfam; k++)
        (*start)[k + 1] += (*start)[k];
    memcpy(fill, *start, f->nfam * sizeof *fill);
    for (size_t i = 0; i < f->n; i++)
        (*members)[fill[f->family_of[i]]++] = (uint32_t)i;
    free(fill);
    return true;
}
