/* unionfind.c - owns the creation of a union-find forest (see unionfind.h). */
#include "util/unionfind.h"
#include "util/alloc.h"

#include <stdlib.h>

uint32_t *mg_uf_new(size_t n)
{
    uint32_t *parent = mg_malloc((n ? n : 1) * sizeof *parent);
    for (size_t i = 0; parent && i < n; i++)
        parent[i] = (uint32_t)i;
    return parent;
}
