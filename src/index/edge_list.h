/* edge_list.h - growable edge lists and their linear-time ordering, shared by
 * the similarity index and the all-pairs reference. */
#ifndef MG_INDEX_EDGE_LIST_H
#define MG_INDEX_EDGE_LIST_H

#include "malgopher.h"

typedef struct mg_edgevec {
    mg_edge *v;
    size_t n, cap;
    bool failed; /* an allocation failed: the list is incomplete */
} mg_edgevec;

static inline void mg_edgevec_push(mg_edgevec *e, uint32_t a, uint32_t b, int score);
bool mg_edgevec_grow(mg_edgevec *e);

static inline void mg_edgevec_push(mg_edgevec *e, uint32_t a, uint32_t b, int score)
{
    if (e->n == e->cap && !mg_edgevec_grow(e))
        return;
    e->v[e->n++] = (mg_edge){a, b, score};
}

/* Concatenate parts[0..k) into one list (freeing the parts) and order it by
 * (a, b) with two counting-sort passes; a and b are < n.  Returns false on
 * allocation failure (everything freed). */
bool mg_edges_merge_sort(mg_edgevec *parts, size_t k, size_t n, mg_edge **out, size_t *nout);

#endif
