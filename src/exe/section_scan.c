/* section_scan.c - owns the one loop that searches an image's sections for
 * a byte pattern (the pclntab magics, the build info magic, the pclntab
 * address in moduledata, "go1." version strings): bounds checked once per
 * section, each hit handed to the caller. */
#include "exe/image.h"

#include "util/budget.h"

bool mg_img_scan_section(const mg_img *img, const mg_section *s, const void *needle, size_t k,
                         mg_scan_hit_fn fn, void *ctx)
{
    if (!mg_rd_has(&img->r, s->off, s->filesz) ||
        !mg_budget_spend(img->budget, s->filesz, "section scan")) /* the file's cost bound */
        return false;
    const uint8_t *q = img->r.data + s->off, *end = q + s->filesz;
    while ((q = mg_memfind(q, (size_t)(end - q), needle, k)) != NULL) {
        if (fn(img, s, (uint64_t)(q - img->r.data), ctx))
            return true;
        q++;
    }
    return false;
}

bool mg_img_scan_maps(const mg_img *img, unsigned all, unsigned none, const void *needle, size_t k,
                      mg_scan_hit_fn fn, void *ctx)
{
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if ((s->flags & all) == all && !(s->flags & none) && mg_img_scan_section(img, s, needle, k, fn, ctx))
            return true;
    }
    return false;
}
