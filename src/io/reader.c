/* reader.c - bounds-checked reads on an mg_reader view (see reader.h). */
#include "io/reader.h"

#include <string.h>

bool mg_rd_u8(const mg_reader *r, uint64_t off, uint8_t *out)
{
    if (!mg_rd_has(r, off, 1))
        return false;
    *out = r->data[off];
    return true;
}

bool mg_rd_u16(const mg_reader *r, uint64_t off, uint16_t *out)
{
    if (!mg_rd_has(r, off, 2))
        return false;
    const uint8_t *p = r->data + off;
    *out = r->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
    return true;
}

bool mg_rd_u32(const mg_reader *r, uint64_t off, uint32_t *out)
{
    if (!mg_rd_has(r, off, 4))
        return false;
    *out = mg_ld32(r->data + off, r->big_endian);
    return true;
}

bool mg_rd_u64(const mg_reader *r, uint64_t off, uint64_t *out)
{
    if (!mg_rd_has(r, off, 8))
        return false;
    *out = mg_ld64(r->data + off, r->big_endian);
    return true;
}

bool mg_rd_word(const mg_reader *r, uint64_t off, unsigned size, uint64_t *out)
{
    if (size == 8)
        return mg_rd_u64(r, off, out);
    uint32_t v;
    if (size != 4 || !mg_rd_u32(r, off, &v))
        return false;
    *out = v;
    return true;
}

bool mg_rd_ptr(const mg_reader *r, uint64_t off, uint64_t *out)
{
    return mg_rd_word(r, off, r->ptrsize, out);
}

bool mg_rd_bytes(const mg_reader *r, uint64_t off, uint64_t len, const uint8_t **out)
{
    if (!mg_rd_has(r, off, len))
        return false;
    *out = r->data + off;
    return true;
}

#define CSTR_STEP ((uint64_t)4096)

bool mg_rd_cstr(const mg_reader *r, uint64_t off, uint64_t maxlen, const char **s, size_t *len)
{
    if (off >= r->size)
        return false;
    uint64_t avail = r->size - off;
    uint64_t lim = avail < maxlen + 1 ? avail : maxlen + 1;
    const uint8_t *p = r->data + off, *nul = NULL;
    /* a step at a time: a lazy view makes present only what is searched */
    for (uint64_t at = 0; at < lim && !nul; at += CSTR_STEP) {
        uint64_t n = lim - at < CSTR_STEP ? lim - at : CSTR_STEP;
        if (!mg_rd_has(r, off + at, n))
            return false;
        nul = memchr(p + at, 0, (size_t)n);
    }
    if (!nul)
        return false;
    *s = (const char *)p;
    *len = (size_t)(nul - p);
    return true;
}

bool mg_rd_uvarint(const mg_reader *r, uint64_t *off, uint64_t *out)
{
    uint64_t v = 0, o = *off;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!mg_rd_u8(r, o++, &b))
            return false;
        if (shift == 63 && b > 1)
            return false; /* overflows 64 bits */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *off = o;
            *out = v;
            return true;
        }
    }
    return false;
}

bool mg_rd_sub(const mg_reader *r, uint64_t off, uint64_t len, mg_reader *out)
{
    /* a view only: its reads make their own bytes present */
    if (!mg_rd_in(r, off, len))
        return false;
    *out = *r;
    out->data = r->data + off;
    out->size = len;
    out->base = r->base + off;
    return true;
}

#define FIND_WINDOW ((size_t)64 * 1024)

/* needles of at most 4 bytes (the pclntab and moduledata magics): memchr
 * for the first byte, then at most 3 more compared per candidate, so 4n
 * at worst; memmem's set-up per call cost more than that where hits are
 * dense (runs of ff bytes). */
static const uint8_t *find_short(const uint8_t *hay, size_t n, const uint8_t *nd, size_t k)
{
    const uint8_t *p = hay, *last = hay + (n - k);
    while (p <= last) {
        size_t span = (size_t)(last - p) + 1;
        if (span > FIND_WINDOW)
            span = FIND_WINDOW;
        const uint8_t *q = memchr(p, nd[0], span);
        if (!q) {
            p += span;
            continue;
        }
        if (memcmp(q + 1, nd + 1, k - 1) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

const uint8_t *mg_memfind(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
    if (k == 0 || k > 64 || n < k)
        return NULL;
    if (k <= 4)
        return find_short(hay, n, needle, k);
    for (size_t off = 0; off + k <= n; off += FIND_WINDOW) {
        size_t len = n - off;
        if (len > FIND_WINDOW + k - 1)
            len = FIND_WINDOW + k - 1; /* windows overlap by k-1 bytes */
        const uint8_t *hit = memmem(hay + off, len, needle, k);
        if (hit)
            return hit;
    }
    return NULL;
}
