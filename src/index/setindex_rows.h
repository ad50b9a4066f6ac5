/* setindex_rows.h - the gimpset index's one private layout, shared by its
 * pair walk (setindex.c) and its families walk (setindex_families.c).
 * Not public API. */
#ifndef MG_INDEX_SETINDEX_ROWS_H
#define MG_INDEX_SETINDEX_ROWS_H

#include "malgopher.h"

struct mg_setindex {
    size_t n;
    uint32_t *slots;  /* n * K; rows of excluded digests unused */
    bool *valid;      /* a non-empty, well-formed digest */
    uint32_t *reps;   /* first index with identical slots */
    uint16_t *freq;   /* n * K: digests holding the token (capped) */
};

static inline const uint32_t *row(const mg_setindex *ix, size_t i)
{
    return ix->slots + i * MG_GIMPSET_K;
}

#endif
