/* types_desc.c - one runtime type descriptor (Go 1.7+ rtype / abi.Type):
 * its checks and its common fields.
 *
 * Common header (ps = pointer size): size, ptrdata (ps each), hash (4),
 * tflag, align, fieldAlign, kind (1 each), equal/alg (ps), gcdata (ps),
 * str nameOff (4), ptrToThis typeOff (4): 4*ps + 16 bytes.  The same from
 * 1.7 to 1.26 (abi.Type from 1.21; 1.26 moved the direct-interface bit
 * from kind to tflag, so kind is read under its 5-bit mask).
 * Kind-specific words follow: elem for pointer, slice, array (then slice
 * type and len), chan (then dir); key, elem for map.
 */
#include "go/types.h"

#define HDR(ps) (4u * (ps) + 16u)

/* the size a type of this kind must have (0: any) */
uint64_t mg_type_kind_size(unsigned kind, unsigned ps)
{
    static const uint8_t fixed[] = {0, 1, 0, 1, 2, 4, 8, 0, 1, 2, 4, 8, 0, 4, 8, 8, 16};
    switch (kind) {
    case MG_K_INT: case 7 /* uint */: case MG_K_UINTPTR: case MG_K_CHAN: case MG_K_FUNC:
    case MG_K_MAP: case MG_K_PTR: case MG_K_UNSAFEPTR:
        return ps;
    case MG_K_INTERFACE: case MG_K_STRING:
        return 2u * ps;
    case MG_K_SLICE:
        return 3u * ps;
    case MG_K_ARRAY: case MG_K_STRUCT:
        return 0;
    default:
        return kind < sizeof fixed ? fixed[kind] : 0;
    }
}

static bool pow2_small(unsigned v)
{
    return v && v <= 64 && (v & (v - 1)) == 0;
}

/* the type string: printable, no control bytes */
static bool plausible_str(const mg_tname *n, bool extra_star)
{
    if (n->len == 0 || n->len > 4096 || (extra_star && (n->len < 2 || n->s[0] != '*')))
        return false;
    for (uint64_t i = 0; i < n->len; i++)
        if (n->s[i] < 0x20 || n->s[i] == 0x7f)
            return false;
    return true;
}

bool mg_type_plausible(const mg_tctx *c, uint64_t addr)
{
    unsigned ps = c->ps;
    const uint8_t *p;
    if (c->old)
        return mg_type_plausible_old(c, addr);
    if (addr % ps || !mg_tc_bytes(c, addr, HDR(ps), &p))
        return false;
    mg_rec r = {p, HDR(ps), c->sec.big_endian};
    uint64_t size = mg_rec_word(&r, 0, ps), ptrdata = mg_rec_word(&r, ps, ps);
    unsigned tflag = mg_rec_u8(&r, 2 * ps + 4), align = mg_rec_u8(&r, 2 * ps + 5);
    unsigned falign = mg_rec_u8(&r, 2 * ps + 6), kind = mg_rec_u8(&r, 2 * ps + 7) & 31;
    int32_t str = (int32_t)mg_rec_u32(&r, 4 * ps + 8), ptrto = (int32_t)mg_rec_u32(&r, 4 * ps + 12);
    if (kind == 0 || kind > MG_K_UNSAFEPTR || tflag > 0x3f || !pow2_small(align) || !pow2_small(falign))
        return false;
    uint64_t want = mg_type_kind_size(kind, ps);
    if ((want && size != want) || ptrdata > size || ptrdata % ps)
        return false;
    if (size > (1ull << 48) || (kind != MG_K_ARRAY && kind != MG_K_STRUCT && align > 2 * ps))
        return false;
    uint64_t a;
    if (ptrto != 0 && (!mg_tc_off(c, ptrto, &a) || a % ps))
        return false;
    mg_tname n;
    return mg_tc_off(c, str, &a) && mg_tc_name(c, a, &n) && plausible_str(&n, tflag & MG_TF_EXTRASTAR);
}

/* a referenced descriptor: 0, or an address inside [types, etypes) */
/* the descriptor address in the pointer word at `at`, or 0 when it is not
 * inside [types, etypes) (or, with aligned, not pointer-aligned) */
static uint64_t ref_ptr(const mg_tctx *c, uint64_t at, bool aligned)
{
    uint64_t v;
    if (!mg_tc_ptr(c, at, &v) || v < c->mi.types || v >= c->mi.etypes || (aligned && v % c->ps))
        return 0;
    return v;
}

size_t mg_type_composite(const mg_tctx *c, uint64_t base, bool aligned, mg_gotype *t, uint64_t *refs,
                         size_t n, size_t cap)
{
    unsigned ps = c->ps;
    switch (t->kind) {
    case MG_K_PTR: case MG_K_SLICE:
        t->elem = ref_ptr(c, base, aligned);
        break;
    case MG_K_ARRAY:
        t->elem = ref_ptr(c, base, aligned);
        if (n < cap && (refs[n] = ref_ptr(c, base + ps, aligned)))
            n++;
        if (!mg_tc_ptr(c, base + 2 * ps, &t->len))
            t->len = 0;
        break;
    case MG_K_CHAN:
        t->elem = ref_ptr(c, base, aligned);
        if (!mg_tc_ptr(c, base + ps, &t->len))
            t->len = 0;
        break;
    case MG_K_MAP:
        t->key = ref_ptr(c, base, aligned);
        t->elem = ref_ptr(c, base + ps, aligned);
        break;
    default:
        break;
    }
    if (t->elem && n < cap)
        refs[n++] = t->elem;
    if (t->key && n < cap)
        refs[n++] = t->key;
    return n;
}

bool mg_type_decode(mg_tctx *c, uint64_t addr, mg_gotype *t, uint64_t *refs, size_t *nrefs)
{
    unsigned ps = c->ps;
    const uint8_t *p;
    size_t cap = *nrefs, n = 0;
    if (c->old)
        return mg_type_decode_old(c, addr, t, refs, nrefs);
    *nrefs = 0;
    if (!mg_type_plausible(c, addr) || !mg_tc_bytes(c, addr, HDR(ps), &p))
        return false;
    mg_rec r = {p, HDR(ps), c->sec.big_endian};
    *t = (mg_gotype){.address = addr, .name = "", .pkg_path = ""};
    t->size = mg_rec_word(&r, 0, ps);
    t->tflag = mg_rec_u8(&r, 2 * ps + 4);
    t->kind = mg_rec_u8(&r, 2 * ps + 7) & 31;
    int32_t str = (int32_t)mg_rec_u32(&r, 4 * ps + 8), ptrto = (int32_t)mg_rec_u32(&r, 4 * ps + 12);
    uint64_t a;
    mg_tname nm;
    if (!mg_tc_off(c, str, &a) || !mg_tc_name(c, a, &nm))
        return false;
    bool star = t->tflag & MG_TF_EXTRASTAR;
    t->name = mg_tc_str(c, nm.s + star, nm.len - star);
    if (!t->name)
        return false;
    t->named = (t->tflag & MG_TF_NAMED) != 0;
    n = mg_type_composite(c, addr + HDR(ps), false, t, refs, n, cap);
    if (ptrto != 0 && mg_tc_off(c, ptrto, &a) && n < cap)
        refs[n++] = a;
    *nrefs = n;
    return true;
}
