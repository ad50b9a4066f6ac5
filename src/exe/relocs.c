/* relocs.c - the ELF dynamic relocation table (RELA) indexed once: the
 * (offset, addend) pairs sorted by offset, so that a pointer read looks
 * its relocation up by binary search instead of scanning the table. */
#include "exe/image.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>

static int by_where(const void *a, const void *b)
{
    const mg_reloc *x = a, *y = b;
    if (x->where != y->where)
        return x->where < y->where ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order; /* first in the table first */
}

mg_status mg_img_index_relocs(mg_img *img, mg_error *err)
{
    free(img->relocs);
    img->relocs = NULL;
    img->nrelocs = 0;
    if (img->rel_count == 0 || !img->rel_has_addend)
        return MG_OK;
    unsigned w = img->bits / 8;
    uint64_t need;
    /* the table was checked to lie in the file: rel_count <= size / entsize */
    if (!mg_mul_ok(img->rel_count, sizeof *img->relocs, &need) || need > SIZE_MAX)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_reloc *v = mg_malloc((size_t)need ? (size_t)need : 1);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (uint64_t i = 0; i < img->rel_count; i++) {
        uint64_t e = img->rel_off + i * img->rel_entsize, where, add;
        if (!mg_rd_word(&img->r, e, w, &where) || !mg_rd_word(&img->r, e + 2 * w, w, &add))
            break;
        v[n] = (mg_reloc){where, add, n};
        n++;
    }
    qsort(v, n, sizeof *v, by_where);
    img->relocs = v;
    img->nrelocs = n;
    return MG_OK;
}

bool mg_img_reloc_addend(const mg_img *img, uint64_t where, uint64_t *addend)
{
    size_t lo = 0, hi = img->nrelocs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->relocs[mid].where < where)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= img->nrelocs || img->relocs[lo].where != where)
        return false;
    *addend = img->relocs[lo].addend; /* the first such entry of the table, as a linear scan finds */
    return true;
}
