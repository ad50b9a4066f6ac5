/* emu_mem.c - the emulator's virtual address space: the image laid out as
 * the loader would map it (headers and sections at ImageBase + RVA, the
 * rest zero) and the raw storage of arrays and strings at addresses of
 * their own.  An address resolves to bytes only inside one of these; no
 * host pointer is ever exposed to the emulated code. */
#include "util/alloc.h"
#include "dotnet/emu/emu.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

mg_status emu_mem_init(emu *E, mg_error *err)
{
    const mg_img *img = &E->cli->img;
    const mg_reader *r = &img->r;
    uint32_t size_image = 0, size_headers = 0;
    if (!mg_rd_u32(r, img->pe_opt_off + 56, &size_image) ||
        !mg_rd_u32(r, img->pe_opt_off + 60, &size_headers))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    if (size_image == 0 || size_image > EMU_MAX_IMAGE)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "emulator: image of %u bytes over the %u-byte cap",
                       size_image, EMU_MAX_IMAGE);
    E->vimg = mg_calloc(1, size_image);
    if (!E->vimg)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    E->vsize = size_image;
    E->vbase = img->image_base;
    uint64_t hdr = size_headers < r->size ? size_headers : r->size;
    if (hdr > size_image)
        hdr = size_image;
    const uint8_t *p;
    if (hdr && mg_rd_bytes(r, 0, hdr, &p))
        memcpy(E->vimg, p, hdr);
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (s->addr < E->vbase)
            continue;
        uint64_t rva = s->addr - E->vbase, n = s->filesz < s->size ? s->filesz : s->size;
        if (rva >= size_image)
            continue;
        if (n > size_image - rva)
            n = size_image - rva;
        if (n && mg_rd_bytes(r, s->off, n, &p))
            memcpy(E->vimg + rva, p, n);
    }
    E->next_addr = 0x10000000u;
    return MG_OK;
}

uint8_t *emu_mem(emu *E, uint64_t a, uint64_t len)
{
    if (a >= E->vbase && a - E->vbase <= E->vsize && len <= E->vsize - (a - E->vbase))
        return E->vimg + (a - E->vbase);
    /* the last array starting at or below a */
    uint32_t lo = 0, hi = E->naddr;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (E->obj[E->addr_index[mid]]->vaddr <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    emu_obj *o = E->obj[E->addr_index[lo - 1]];
    uint64_t bytes = (uint64_t)o->len * o->esz, rel = a - o->vaddr;
    if (rel > bytes || len > bytes - rel)
        return NULL;
    return o->raw + rel;
}
