/* unionfind.h - owns the one union-find of the library (disjoint sets over
 * node numbers 0..n-1, path halving; a link puts one root under the other).
 * Used by the similarity index (which pairs are already linked) and by the
 * family components.  The functions are inline: the index calls them once
 * per candidate pair. */
#ifndef MG_UTIL_UNIONFIND_H
#define MG_UTIL_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

/* a forest of n single-node sets (malloc'd; free with free()), or NULL */
uint32_t *mg_uf_new(size_t n);

/* the root of x's set (halves the path on the way) */
static inline uint32_t mg_uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* join the sets of a and b: a's root goes under b's */
static inline void mg_uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = mg_uf_find(parent, a);
    b = mg_uf_find(parent, b);
    if (a != b)
        parent[a] = b;
}

#endif
