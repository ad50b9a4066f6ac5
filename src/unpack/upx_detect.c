/* upx_detect.c - the unpacker's front door: try each format's structure
 * (ELF, PE, Mach-O), keep the caps (docs/upx.md "Caps (for the cost model)"), and word the one error a
 * packed file that cannot be unpacked gets: "UPX-packed (METHOD): why". */
#include "unpack/upx.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

mg_status mg_upx_fail(mg_upx_ctx *c, mg_status st, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const char *m = c->method ? mg_upx_method_name(c->method) : "";
    if (st == MG_ERR_NOMEM) /* the one wording every allocation failure has */
        snprintf(c->err->msg, sizeof c->err->msg, "out of memory");
    else if (m[0])
        snprintf(c->err->msg, sizeof c->err->msg, "UPX-packed (%s): %s", m, why);
    else
        snprintf(c->err->msg, sizeof c->err->msg, "UPX-packed: %s", why);
    c->err->code = st;
    return st;
}

bool mg_upx_packheader_at(const uint8_t *data, size_t size, uint64_t off)
{
    if (off > size || size - off < 32)
        return false;
    const uint8_t *h = data + off;
    unsigned sum = 0;
    for (int i = 4; i < 31; i++)
        sum += h[i];
    return sum % 251 == h[31] && mg_upx_method_known(h[6]);
}

void *mg_upx_out_alloc(uint64_t n)
{
    uint8_t *p = n <= SIZE_MAX ? mg_calloc(1, n ? (size_t)n : 1) : NULL;
#if defined(MADV_HUGEPAGE)
    /* the buffer is written whole (a PE's LZMA image: all but the zero
     * runs, whose huge pages stay untouched): huge pages where the kernel
     * allows them save about one page fault per 4 KiB (docs/upx.md
     * "Performance") */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (p && n >= 2 * huge) {
        uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + n) & ~(huge - 1);
        if (hi > lo)
            (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
#endif
    return p;
}

void mg_upx_out_trim(void *p, uint64_t keep, uint64_t size)
{
#if defined(MADV_DONTNEED)
    /* only whole pages inside [keep, size) of this allocation: nothing
     * the allocator keeps lies there, and they read back as zero */
    const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (!p || keep >= size || pg == 0 || (pg & (pg - 1)))
        return;
    uintptr_t lo = ((uintptr_t)p + (uintptr_t)keep + pg - 1) & ~(pg - 1);
    uintptr_t hi = ((uintptr_t)p + (uintptr_t)size) & ~(pg - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
    (void)p, (void)keep, (void)size;
#endif
}

bool mg_upx_charge(mg_upx_ctx *c, uint64_t n)
{
    if (mg_budget_spend(c->budget, n * MG_UPX_WORK_PER_BYTE, "UPX decompression"))
        return true;
    mg_upx_fail(c, MG_ERR_TOO_COSTLY, "too costly to unpack (work budget)");
    return false;
}

mg_status mg_upx_unpack(const uint8_t *data, size_t size, mg_budget *b, uint8_t **out, size_t *out_size,
                        struct mg_upx_lazy **lazy, mg_packer_info *info, bool *packed, mg_error *err)
{
    mg_error local;
    memset(info, 0, sizeof *info);
    if (lazy)
        *lazy = NULL;
    *packed = false;
    *out = NULL;
    *out_size = 0;
    mg_upx_ctx c = {.data = data, .size = size, .budget = b, .info = info, .err = err ? err : &local, .lazy = lazy};
    c.err->code = MG_OK;
    c.err->msg[0] = 0;
    uint64_t cap = (uint64_t)size * MG_UPX_MAX_RATIO;
    c.max_out = cap < MG_UPX_MAX_OUT ? cap : MG_UPX_MAX_OUT;
    mg_status st = mg_upx_elf(&c, out, out_size);
    if (st == MG_ERR_UNSUPPORTED && !info->name[0])
        st = mg_upx_pe(&c, out, out_size);
    if (st == MG_ERR_UNSUPPORTED && !info->name[0])
        st = mg_upx_macho(&c, out, out_size);
    *packed = info->name[0] != 0 || st == MG_ERR_NOMEM;
    if (!*packed)
        return MG_ERR_UNSUPPORTED;
    info->packed_size = size;
    info->unpacked_size = *out_size;
    return st;
}

mg_status mg_unpack_mem(const void *data, size_t size, void **out, size_t *out_size, mg_packer_info *info,
                        mg_error *err)
{
    *out = NULL;
    *out_size = 0;
    if (!data || !size)
        return mg_fail(err, MG_ERR_ARG, "no data");
    mg_packer_info tmp;
    mg_budget b;
    mg_budget_init(&b, size, 0, 0);
    bool packed;
    uint8_t *buf;
    mg_status st = mg_upx_unpack(data, size, &b, &buf, out_size, NULL, info ? info : &tmp, &packed, err);
    if (st == MG_ERR_NOMEM)
        return st;
    if (!packed)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "not UPX-packed");
    *out = buf;
    return st;
}

void mg_unpack_free(void *p)
{
    free(p);
}
