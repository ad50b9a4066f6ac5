/* types_moduledata.c - the moduledata fields the type reader needs: text,
 * etext, types, etypes, typelinks, itablinks.
 *
 * recover.c finds moduledata (its ftab slice checked against the pclntab).
 * minpc sits 7 words after the ftab pointer for the 1.2-1.15 layout
 * (filetab slice, findfunctab between) and 4 words after it from 1.16;
 * text and etext follow maxpc.  After etext the data/bss bounds, optional
 * coverage counters (1.20+), end, gcdata and gcbss come before types and
 * etypes, then optional rodata/gofunc words (1.20+), the textsectmap slice
 * (1.8+), typelinks and itablinks.  Go 1.27 drops typelinks and
 * itablinks: types, a descriptor length, etypes, then the itabs' offset and
 * size inside [types, etypes) (they lie there back to back), rodata, gofunc,
 * the pclntab's end and the textsectmap.  Rather than trust one version's
 * layout, the reader searches a window for the first (types, etypes) pair
 * whose neighbours validate: the typelinks and itablinks slices, or (1.27)
 * the lengths inside the span, the textsectmap, a valid first descriptor
 * and an itab whose interface is an interface descriptor.
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

/* the kind byte of the descriptor at addr is a valid reflect.Kind
 * (want: 0 for any, else that kind) */
static bool kind_ok(const mg_img *img, uint64_t addr, unsigned want)
{
    uint64_t k;
    uint8_t kind;
    if (!mg_img_addr_to_off(img, addr + 2u * img->r.ptrsize + 7, 1, &k) || !mg_rd_u8(&img->r, k, &kind))
        return false;
    kind &= 31;
    return want ? kind == want : kind != 0 && kind <= MG_K_UNSAFEPTR;
}

/* every typelink offset lies inside [0, span) and is aligned; the first
 * ones name descriptors with a valid kind */
static bool typelinks_ok(const mg_img *img, uint64_t p, uint64_t n, uint64_t types, uint64_t span)
{
    uint64_t off;
    if (!mg_img_addr_to_off(img, p, n * 4, &off))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v;
        if (!mg_rd_u32(&img->r, off + i * 4, &v) || v >= span || v % 4)
            return false;
        if (i < 16 && !kind_ok(img, types + v, 0))
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

/* a descriptor with a valid kind in the first slots of the section (1.27
 * starts it with one zero word) */
static bool head_ok(const mg_img *img, uint64_t t)
{
    for (unsigned k = 0; k < 4; k++)
        if (kind_ok(img, t + (uint64_t)k * img->r.ptrsize, 0))
            return true;
    return false;
}

/* Go 1.27: types, typedesclen, etypes, itaboffset, itabsize at word j,
 * gap words (rodata, gofunc, epclntab), then textsectmap */
static bool try_layout_127(const mg_img *img, uint64_t md, unsigned j, unsigned gap, mg_modinfo *mi)
{
    uint64_t t, dl, e, io, is, x, xn, in, ty;
    unsigned ps = img->r.ptrsize;
    if (!word(img, md, j, &t) || !word(img, md, j + 1, &dl) || !word(img, md, j + 2, &e) ||
        !word(img, md, j + 3, &io) || !word(img, md, j + 4, &is))
        return false;
    if (t == 0 || e <= t || e - t > MG_TYPES_MAX_SECTION || dl == 0 || dl > e - t || io > e - t ||
        is > e - t - io || is % ps || io % ps || !mapped(img, t, e - t) || !head_ok(img, t))
        return false;
    if (!slice_at(img, md, j + 5 + gap, 3u * ps, &x, &xn) || xn == 0 || xn > 256)
        return false;
    if (is) {
        if (is < 3u * ps || !mg_img_read_ptr_at(img, t + io, &in) || !mg_img_read_ptr_at(img, t + io + ps, &ty) ||
            in < t || in >= e || ty < t || ty >= e || !kind_ok(img, in, MG_K_INTERFACE))
            return false;
    }
    *mi = (mg_modinfo){.md = mi->md, .text = mi->text, .etext = mi->etext, .types = t, .etypes = e,
                       .itabs_at = t + io, .itabs_len = is, .itab_region = true};
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
    static const unsigned gaps[] = {0, 2, 1, 3}, gaps127[] = {3, 2, 4};
    for (unsigned j = minpc + 4; j < minpc + MD_WINDOW; j++) {
        for (unsigned g = 0; g < sizeof gaps127 / sizeof *gaps127; g++)
            if (try_layout_127(img, md, j, gaps127[g], mi))
                return true;
        for (unsigned g = 0; g < sizeof gaps / sizeof *gaps; g++)
            for (int tsm = 1; tsm >= 0; tsm--)
                if (try_layout(img, md, j, gaps[g], tsm, mi))
                    return true;
    }
    return false;
}
