/* grow.c - owns the growing of the CLI's dynamic arrays: doubling, with the
 * size arithmetic checked for overflow. */
#include "common/cli.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return v;
    size_t want = *cap ? *cap : 64;
    if (*cap && (want > SIZE_MAX / 2 || (want *= 2) > SIZE_MAX / elem))
        return NULL;
    void *p = realloc(v, want * elem);
    if (p)
        *cap = want;
    return p;
}
