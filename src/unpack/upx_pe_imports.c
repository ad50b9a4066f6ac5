/* upx_pe_imports.c - a packed PE's import table rebuilt.
 *
 * UPX (facts from its public source) keeps, after the image, a list per
 * DLL: the offset of its name in the packed file's own import area (third
 * section), its IAT's offset from the image's first RVA, then entries (1
 * and a NUL-terminated name; 0xff and a 16-bit ordinal; else a 32-bit
 * offset of a thunk value in the import area) ending with 0; the list ends
 * with a zero word.  The DLL names and hint/name entries go back either
 * into a names area (its RVA stored with the list) or where the image's
 * descriptors and IAT already point. */
#include "unpack/upx_pe.h"

#include <string.h>

typedef struct imp {
    const mg_upx_pe_imp *f;
    uint8_t *img;
    uint32_t u_len;
} imp;

/* a NUL-terminated string at off of the packed import area; its length + 1 */
static bool area_str(const mg_upx_pe_imp *f, uint64_t off, const uint8_t **s, size_t *len)
{
    if (off >= f->area_len)
        return false;
    const uint8_t *p = f->area + off, *z = memchr(p, 0, f->area_len - off);
    if (!z)
        return false;
    *s = p;
    *len = (size_t)(z - p) + 1;
    return true;
}

/* img[rva - rvamin .. + n) inside the image */
static uint8_t *at(const imp *m, uint64_t rva, uint64_t n)
{
    if (rva < m->f->rvamin)
        return NULL;
    uint64_t o = rva - m->f->rvamin;
    return o <= m->u_len && n <= m->u_len - o ? m->img + o : NULL;
}

static void put(uint8_t *p, unsigned w, uint64_t v)
{
    for (unsigned i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* the entries of one DLL from *q; its IAT at iat */
static bool entries(imp *m, uint64_t *q, uint64_t iat, uint64_t *names, uint64_t names0)
{
    const mg_upx_pe_imp *f = m->f;
    unsigned w = f->plus ? 8 : 4;
    uint64_t ord_mask = f->plus ? 1ull << 63 : 1ull << 31;
    for (;; iat += w) {
        uint8_t *slot = at(m, iat, w);
        if (!slot || *q >= m->u_len)
            return false;
        uint8_t kind = m->img[*q];
        if (kind == 0) {
            put(slot, w, 0);
            (*q)++;
            return true;
        }
        if (kind == 1) {
            const uint8_t *s = m->img + *q + 1, *z = memchr(s, 0, m->u_len - *q - 1);
            if (!z)
                return false;
            size_t ilen = (size_t)(z - s) + 1;
            uint8_t *dst;
            if (f->names_rva) {
                if ((*names - names0) & 1)
                    (*names)--;
                if (!(dst = at(m, *names + 2, ilen)))
                    return false;
                put(slot, w, *names);
                *names += 2 + ilen;
            } else if (!(dst = at(m, get(slot, w) + 2, ilen))) {
                return false;
            }
            memmove(dst, s, ilen);
            *q += 1 + ilen;
        } else if (kind == 0xff) {
            if (m->u_len - *q < 3)
                return false;
            put(slot, w, (uint64_t)(m->img[*q + 1] | m->img[*q + 2] << 8) + ord_mask);
            *q += 3;
        } else {
            if (m->u_len - *q < 5)
                return false;
            uint64_t off = get(m->img + *q + 1, 4);
            if (off > f->area_len || w > f->area_len - off)
                return false;
            put(slot, w, get(f->area + off, w));
            *q += 5;
        }
    }
}

bool mg_upx_pe_imports(uint8_t *img, uint32_t u_len, const mg_upx_pe_imp *f)
{
    imp m = {f, img, u_len};
    /* the DLL names' total, for where the hint/name entries start */
    uint64_t q = f->list, sdll = 0;
    for (unsigned n = 0;; n++) {
        if (q > u_len || u_len - q < 4 || n > 4096)
            return false;
        uint32_t name = (uint32_t)get(img + q, 4);
        if (!name)
            break;
        const uint8_t *s;
        size_t len;
        if (!area_str(f, name, &s, &len) || u_len - q < 8)
            return false;
        sdll += len;
        q += 8;
        while (q < u_len && img[q]) /* skip the entries */
            q += img[q] == 1 ? 1 + strnlen((const char *)img + q + 1, u_len - q - 1) + 1 : img[q] == 0xff ? 3 : 5;
        q++;
    }
    sdll = (sdll + 1) & ~1ull;
    uint64_t dll = f->names_rva, names0 = f->names_rva + sdll, names = names0, desc = f->dir_rva;
    for (q = f->list;; desc += 20) {
        uint32_t name = (uint32_t)get(img + q, 4);
        if (!name)
            return true;
        const uint8_t *s;
        size_t len;
        uint8_t *d = at(&m, desc, 20), *dst;
        if (!d || !area_str(f, name, &s, &len))
            return false;
        uint64_t iat = get(img + q + 4, 4) + f->rvamin;
        if (f->names_rva) {
            if (!(dst = at(&m, dll, len)))
                return false;
            put(d + 12, 4, dll);
            dll += len;
        } else if (!(dst = at(&m, get(d + 12, 4), len))) {
            return false;
        }
        memcpy(dst, s, len);
        put(d + 16, 4, iat);
        q += 8;
        if (!entries(&m, &q, iat, &names, names0))
            return false;
    }
}
