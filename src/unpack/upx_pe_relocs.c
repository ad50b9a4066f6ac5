/* upx_pe_relocs.c - a packed PE's base relocations undone and rebuilt.
 *
 * UPX (facts from its public source) keeps the relocations in its own
 * form after the image: a stream of deltas between fixup offsets (a byte
 * below 0xf0; else 0xfN + 16 bits, N the high bits; 0xf0 0 0 + 32 bits),
 * ending with 0; each fixed-up word was stored big-endian with the image
 * base and the image's first RVA taken off.  Here every such word gets
 * its value back, and the IMAGE_BASE_RELOCATION table (one block per 4 KiB
 * page, HIGHLOW or DIR64 entries, not padded: as Go's linker writes it) is
 * written back where the original header's directory says. */
#include "unpack/upx_pe.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t ld(const uint8_t *p, unsigned n, bool be)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
    return v;
}

static void st(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* the next delta at s[*i..end), 0 at the end mark or when cut */
static uint32_t next_delta(const uint8_t *s, size_t end, size_t *i)
{
    if (*i >= end)
        return 0;
    uint8_t b = s[*i];
    if (b < 0xf0) {
        (*i)++;
        return b;
    }
    if (end - *i < 3)
        return 0;
    uint32_t d = (uint32_t)(b & 0x0f) << 16 | (uint32_t)s[*i + 1] | (uint32_t)s[*i + 2] << 8;
    *i += 3;
    if (d)
        return d;
    if (end - *i < 4)
        return 0;
    d = (uint32_t)ld(s + *i, 4, false);
    *i += 4;
    return d;
}

/* the base relocation table of the fixups at[0..n) (ascending RVAs) */
static size_t table(const uint32_t *at, size_t n, bool plus, uint8_t *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t page = at[i] & ~0xfffu;
        size_t blk = w;
        w += 8;
        for (; i < n && (at[i] & ~0xfffu) == page; i++, w += 2)
            st(out + w, 2, (uint64_t)((plus ? 10u : 3u) << 12 | (at[i] & 0xfffu)));
        st(out + blk, 4, page);
        st(out + blk + 4, 4, w - blk);
    }
    return w;
}

mg_status mg_upx_pe_relocs(mg_upx_ctx *c, uint8_t *img, uint32_t u_len, const mg_upx_pe_fix *f, uint32_t *tsize)
{
    *tsize = 0;
    if (f->crelocs >= u_len)
        return mg_upx_fail(c, MG_ERR_MALFORMED, "the relocation data lies outside the image");
    unsigned w = f->plus ? 8 : 4;
    size_t i = f->crelocs, n = 0, cap = 1024;
    uint32_t *at = mg_malloc(cap * sizeof *at);
    if (!at)
        return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
    uint64_t pc = (uint64_t)0 - 4, add = f->imagebase + f->rvamin;
    for (;;) {
        uint32_t d = next_delta(img, u_len, &i);
        if (d == 0)
            break;
        pc += d;
        if (d < 4 || pc + w > f->crelocs || n == u_len / 4) {
            free(at);
            return mg_upx_fail(c, MG_ERR_MALFORMED, "relocation %zu is not valid", n);
        }
        st(img + pc, w, ld(img + pc, w, true) + add);
        if (n == cap) {
            uint32_t *m = mg_realloc(at, 2 * cap * sizeof *at);
            if (!m) {
                free(at);
                return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
            }
            at = m;
            cap *= 2;
        }
        at[n++] = (uint32_t)pc + f->rvamin;
    }
    /* the table: at most 8 bytes a page + 2 a fixup */
    uint64_t dst = (uint64_t)f->dir_rva - f->rvamin;
    uint8_t *tb = mg_malloc((uint64_t)n * 12 + 8);
    if (!tb) {
        free(at);
        return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
    }
    size_t len = table(at, n, f->plus, tb);
    if (f->dir_rva >= f->rvamin && dst < u_len && len <= u_len - dst) {
        memcpy(img + dst, tb, len);
        *tsize = (uint32_t)len;
    }
    free(tb);
    free(at);
    return MG_OK;
}
