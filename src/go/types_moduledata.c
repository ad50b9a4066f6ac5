/* types_moduledata.c - the moduledata fields the type reader needs: text,
 * etext, types, etypes, typelinks, itablinks.
 *
 * recover.c finds moduledata (its ftab slice checked against the pclntab).
 * minpc sits 7 words after the ftab pointer for the 1.2-1.15 layout
 * (filetab slice, findfunctab between) and 4 words after it from 1.16;
 * text and etext follow maxpc.  After etext the data/bss bounds, optional
 * coverage counters (1.20+), end, gcdata and gcbss come before types and
 * etypes, then optional rodata/gofunc words (1.20+), the textsectmap slice
 * (1.8+), typelinks and itablinks.  Rather than trust one version's
 * layout, the reader searches a window for the first (types, etypes) pair
 * whose typelinks and itablinks slices validate.
 */
#include "go/types.h"

#define MD_WINDOW 40u

static bool word(const mg_img *img, uint64_t md, unsigned k, uint64_t *v)
{
    return mg_img_read_ptr_at(img, md + (uint64_t)k * img->r.ptrsize, v);
}

static bool mapped(const mg_img *img, uint64_t addr, uint64_t len)
{
    uint64_t off;
    return mg_img_addr_to_off(img, addr, len, &off);
}

/* a slice header at word k: (ptr, len, cap == len), its bytes mapped */
static bool slice_at(const mg_img *img, uint64_t md, unsigned k, unsigned elem, uint64_t *ptr,
                     uint64_t *len)
{
    uint64_t p, l, c, bytes;
    if (!word(img, md, k, &p) || !word(img, md, k + 1, &l) || !word(img, md, k + 2, &c))
        return false;
    if (l != c || l > (1u << 24) || !mg_mul_ok(l, elem, &bytes))
        return false;
    if (l && (p == 0 || !mapped(img, p, bytes)))
        return false;
    *ptr = p;
    *len = l;
    return true;
}

/* every typelink offset lies inside [0, span) and is aligned; the first
 * ones name descriptors with a valid kind */
static bool typelinks_ok(const mg_img *img, uint64_t p, uint64_t n, uint64_t types, uint64_t span)
{
    uint64_t off, k;
    if (!mg_img_addr_to_off(img, p, n * 4, &off))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v;
        uint8_t kind;
        if (!mg_rd_u32(&img->r, off + i * 4, &v) || v >= span || v % 4)
            return false;
        if (i < 16 && (!mg_img_addr_to_off(img, types + v + 2u * img->r.ptrsize + 7, 1, &k) ||
                       !mg_rd_u8(&img->r, k, &kind) || (kind & 31) == 0 || (kind & 31) > MG_K_UNSAFEPTR))
            return false;
    }
    return true;
}

/* the first itabs' interface pointers lie in [types, etypes) */
static bool itabs_ok(const mg_img *img, uint64_t p, uint64_t n, uint64_t types, uint64_t etypes)
{
    for (uint64_t i = 0; i < n && i < 16; i++) {
        uint64_t it, in;
        if (!mg_img_read_ptr_at(img, p + i * img->r.ptrsize, &it) || !mg_img_read_ptr_at(img, it, &in) ||
            in < types || in >= etypes)
            return false;
    }
    return true;
}

/* types/etypes at word j, then gap words, then textsectmap (when tsm),
 * typelinks and itablinks */
static bool try_layout(const mg_img *img, uint64_t md, unsigned j, unsigned gap, bool tsm, mg_modinfo *mi)
{
    uint64_t t, e, tp, tn, ip, in, x, xn;
    if (!word(img, md, j, &t) || !word(img, md, j + 1, &e) || t == 0 || e <= t ||
        e - t > MG_TYPES_MAX_SECTION || !mapped(img, t, 1))
        return false;
    unsigned k = j + 2 + gap;
    if (tsm) {
        if (!slice_at(img, md, k, 3 * img->r.ptrsize, &x, &xn) || xn == 0 || xn > 256)
            return false;
        k += 3;
    }
    if (!slice_at(img, md, k, 4, &tp, &tn) || !slice_at(img, md, k + 3, img->r.ptrsize, &ip, &in))
        return false;
    if (tn == 0 || !typelinks_ok(img, tp, tn, t, e - t) || !itabs_ok(img, ip, in, t, e))
        return false;
    mi->types = t;
    mi->etypes = e;
    mi->typelinks = tp;
    mi->ntypelinks = tn;
    mi->itablinks = ip;
    mi->nitablinks = in;
    return true;
}

bool mg_types_moduledata(const mg_img *img, const mg_pcln *p, mg_modinfo *mi)
{
    uint64_t md;
    if (!mg_moduledata_addr(img, p, &md))
        return false;
    *mi = (mg_modinfo){.md = md};
    unsigned minpc = p->gen == MG_PCLN_12 ? 10 : 20;
    if (!word(img, md, minpc + 2, &mi->text) || !word(img, md, minpc + 3, &mi->etext))
        return false;
    static const unsigned gaps[] = {0, 2, 1, 3};
    for (unsigned j = minpc + 4; j < minpc + MD_WINDOW; j++)
        for (unsigned g = 0; g < sizeof gaps / sizeof *gaps; g++)
            for (int tsm = 1; tsm >= 0; tsm--)
                if (try_layout(img, md, j, gaps[g], tsm, mi))
                    return true;
    return false;
}
