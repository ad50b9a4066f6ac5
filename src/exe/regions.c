/* regions.c - the address-mapping regions of an image made cheap to use:
 * a region whose file bytes lie inside an earlier region that maps them to
 * the same addresses adds nothing, and is switched off (its MG_SEC_DATA
 * flag cleared: every scan and address lookup skips it); if the regions
 * left still cover more than twice the image, the container is refused.
 * Scans over the regions therefore cost at most a few times the file size,
 * never file size x number of overlapping regions.  Order and indices are
 * kept (PE symbols name their section by index). */
#include "exe/image.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>

typedef struct span {
    uint64_t off, end, delta; /* file range and addr - off */
    size_t index;
} span;

static int by_off(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longest first */
    return x->index < y->index ? -1 : x->index > y->index;
}

/* within one run of regions sharing addr - off, sorted by offset: switch
 * off every region contained in one before it */
static void drop_contained(mg_img *img, span *v, size_t n)
{
    uint64_t reach = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (any && v[i].end <= reach) {
            img->maps[v[i].index].flags &= ~MG_SEC_DATA;
            continue;
        }
        if (!any || v[i].end > reach)
            reach = v[i].end;
        any = true;
    }
}

static int by_delta(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->delta != y->delta)
        return x->delta < y->delta ? -1 : 1;
    return by_off(a, b);
}

mg_status mg_img_regions_normalise(mg_img *img, mg_error *err)
{
    if (img->nmaps < 2)
        return MG_OK;
    span *v = mg_malloc(img->nmaps * sizeof *v);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (!(s->flags & MG_SEC_DATA) || !mg_rd_in(&img->r, s->off, s->filesz))
            continue;
        v[n++] = (span){s->off, s->off + s->filesz, s->addr - s->off, i};
    }
    qsort(v, n, sizeof *v, by_delta);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && v[j].delta == v[i].delta; j++)
            ;
        drop_contained(img, v + i, j - i);
    }
    free(v);
    /* what is left: the bytes every scan will read */
    uint64_t total = 0, kept = 0;
    for (size_t i = 0; i < img->nmaps; i++)
        if (img->maps[i].flags & MG_SEC_DATA) {
            total += img->maps[i].filesz; /* each <= image size, count <= MG_MAX_SECTIONS */
            kept++;
        }
    uint64_t bound = 2 * img->r.size + MG_REGION_SLACK;
    if (total > bound)
        return mg_fail(err, MG_ERR_MALFORMED,
                       "malformed %s: %llu overlapping regions cover the file %llu times",
                       img->kind_name ? img->kind_name : "container", (unsigned long long)kept,
                       (unsigned long long)(total / (img->r.size ? img->r.size : 1)));
    return MG_OK;
}
