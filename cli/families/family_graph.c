/* family_graph.c - owns the similarity graph of a sample set (built with the
 * library's index) and the families at a threshold (ranked by the library,
 * mg_cluster_families), with each family's member lists. */
#include "families/families.h"

#include <stdio.h>
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
            report_problem(e.msg);
            graph_free(g);
            return false;
        }
        g->reps = mg_setindex_reps(g->six);
        return true;
    }
    mg_status st = mg_simindex_build(g->digest, s->n, &g->ix, &e);
    if (st == MG_OK)
        st = mg_simindex_pairs(g->ix, min_score, jobs, true, &g->edges, &g->nedges, &e);
    if (st == MG_ERR_TOO_COSTLY && g->ix) {
        /* too many similar pairs to keep them all: the families from a
         * spanning forest of the links (one per digest at most) */
        uint64_t cut = 0;
        fprintf(stderr, "malgopher: warning: %s; families from a spanning forest of the pairs >= %d, "
                "central members and scores from its links only\n", e.msg, min_score);
        st = mg_simindex_links(g->ix, min_score, jobs, &g->edges, &g->nedges, &cut, &e);
        if (st == MG_OK && cut)
            fprintf(stderr, "malgopher: warning: %llu searches of 7-grams shared by over 1,024 digests "
                    "were cut; the families may miss links\n", (unsigned long long)cut);
    }
    if (st != MG_OK) {
        report_problem(e.msg);
        graph_free(g);
        return false;
    }
    g->reps = mg_simindex_reps(g->ix);
    return true;
nomem:
    report_problem(mg_status_reason(MG_ERR_NOMEM));
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

bool families_at(families *f, const graph *g, int threshold)
{
    mg_error e;
    if (mg_cluster_families(g->n, g->reps, g->edges, g->nedges, threshold, f, &e) != MG_OK) {
        report_problem(e.msg);
        return false;
    }
    return true;
}

void families_free(families *f)
{
    mg_families_free(f);
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
        report_problem(mg_status_reason(MG_ERR_NOMEM));
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
