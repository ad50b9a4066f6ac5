/* types_members.c - what follows a descriptor's kind-specific words: the
 * uncommon type (package path, methods), struct fields, interface methods
 * and func parameters.
 *
 * Kind-specific sizes after the common header: array 3 words, chan 2,
 * func 1 (in/out counts, padded), interface 4 (pkgPath name, methods
 * slice), map per era, pointer and slice 1, struct 4 (pkgPath name, fields
 * slice).  The uncommon type follows them: pkgPath nameOff, mcount,
 * xcount, moff (from the uncommon type to [mcount]method; 16-bit in 1.7).
 * A method is (name nameOff, mtyp typeOff, ifn, tfn textOff); an interface
 * method (name nameOff, typ typeOff); a struct field (name, typ, offset
 * words).  Func parameters (in then out) follow the uncommon type.
 */
#include "go/types.h"

#include "util/budget.h"

#define HDR(ps) (4u * (ps) + 16u)

static uint64_t map_words(const mg_tctx *c)
{
    unsigned ps = c->ps;
    if (c->minor >= 24 || c->minor == 0)
        return 8u * ps;          /* key, elem, group, hasher, 3 sizes, flags */
    if (c->minor >= 14)
        return 4u * ps + 8;      /* key, elem, bucket, hasher, sizes, flags */
    if (c->minor >= 12)
        return 3u * ps + 8;
    return 4u * ps + 8;          /* key, elem, bucket, hmap, sizes, flags */
}

static uint64_t kind_words(const mg_tctx *c, unsigned kind)
{
    unsigned ps = c->ps;
    switch (kind) {
    case MG_K_ARRAY: return 3u * ps;
    case MG_K_CHAN: return 2u * ps;
    case MG_K_FUNC: case MG_K_PTR: case MG_K_SLICE: return ps;
    case MG_K_INTERFACE: case MG_K_STRUCT: return 4u * ps;
    case MG_K_MAP: return map_words(c);
    default: return 0;
    }
}

static unsigned uncommon_size(const mg_tctx *c)
{
    return c->minor == 7 ? 8u : 16u;
}

/* a map's uncommon type at u: a non-empty package path name, the methods
 * right after it (moff 16: nothing else follows a map type) and, with
 * methods, a first method whose name resolves */
static bool uncommon_ok(const mg_tctx *c, uint64_t u)
{
    const uint8_t *p;
    uint64_t a;
    mg_tname n;
    if (!mg_tc_bytes(c, u, 16, &p))
        return false;
    mg_rec r = {p, 16, c->sec.big_endian};
    int32_t pkg = (int32_t)mg_rec_u32(&r, 0);
    unsigned mcount = mg_rec_u16(&r, 4), xcount = mg_rec_u16(&r, 6);
    uint32_t moff = mg_rec_u32(&r, 8);
    if (pkg <= 0 || !mg_tc_off(c, pkg, &a) || !mg_tc_name(c, a, &n) || n.len == 0 || xcount > mcount || moff != 16)
        return false;
    if (mcount == 0)
        return true;
    uint32_t name;
    return mg_tc_u32(c, u + moff, &name) && mg_tc_off(c, (int32_t)name, &a) && mg_tc_name(c, a, &n) && n.len > 0;
}

uint64_t mg_type_uncommon_at(const mg_tctx *c, uint64_t addr, unsigned kind, unsigned tflag)
{
    if (!(tflag & MG_TF_UNCOMMON))
        return 0;
    if (kind == MG_K_MAP && c->minor == 0) {
        /* the map type's size changed across releases: the candidate
         * whose uncommon type validates */
        unsigned ps = c->ps;
        const uint64_t sizes[] = {8u * ps, 4u * ps + 8, 3u * ps + 8};
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
            if (uncommon_ok(c, addr + HDR(ps) + sizes[i]))
                return addr + HDR(ps) + sizes[i];
    }
    return addr + HDR(c->ps) + kind_words(c, kind);
}

/* typeOff -> address inside the section (0 when absent or out of range) */
static uint64_t type_off(const mg_tctx *c, int32_t off, mg_tpush_fn push, void *pctx)
{
    uint64_t a;
    if (off <= 0 || !mg_tc_off(c, off, &a))
        return 0;
    push(pctx, a);
    return a;
}

static bool methods(mg_tctx *c, uint64_t u, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    const uint8_t *p;
    if (!mg_tc_bytes(c, u, uncommon_size(c), &p))
        return false;
    mg_rec r = {p, uncommon_size(c), c->sec.big_endian};
    uint64_t a;
    mg_tname n;
    int32_t pkg = (int32_t)mg_rec_u32(&r, 0); /* 0: none (built-in types) */
    if (pkg > 0 && mg_tc_off(c, pkg, &a) && mg_tc_name(c, a, &n) && !(t->pkg_path = mg_tc_str(c, n.s, n.len)))
        return false;
    unsigned mcount = mg_rec_u16(&r, 4);
    uint64_t moff = c->minor == 7 ? mg_rec_u16(&r, 6) : mg_rec_u32(&r, 8);
    if (mcount == 0 || !mg_tc_bytes(c, u + moff, (uint64_t)mcount * 16, &p) ||
        !mg_budget_spend(c->img->budget, 16u * mcount, "types"))
        return true;
    t->methods = mg_tc_alloc(c, mcount * sizeof *t->methods);
    if (!t->methods)
        return false;
    for (unsigned i = 0; i < mcount; i++) {
        mg_rec m = {p + 16u * i, 16, c->sec.big_endian};
        mg_type_method *o = &t->methods[t->nmethods];
        if (!mg_tc_off(c, (int32_t)mg_rec_u32(&m, 0), &a) || !mg_tc_name(c, a, &n))
            continue;
        if (!(o->name = mg_tc_str(c, n.s, n.len)))
            return false;
        o->exported = n.flags & 1;
        o->type = type_off(c, (int32_t)mg_rec_u32(&m, 4), push, pctx);
        t->nmethods++;
    }
    return true;
}

/* a slice header (ptr, len) at addr whose elements of size elem are readable */
static bool slice(const mg_tctx *c, uint64_t addr, uint64_t elem, uint64_t max, uint64_t *ptr, uint64_t *len,
                  const uint8_t **bytes)
{
    if (!mg_tc_ptr(c, addr, ptr) || !mg_tc_ptr(c, addr + c->ps, len) || *len > max)
        return false;
    return *len == 0 || mg_tc_bytes(c, *ptr, *len * elem, bytes);
}

/* unknown varint-era versions keep the raw offset and flag 8 here;
 * types_walk.c decodes offset<<1|embedded afterwards when no field of the
 * whole image had flag 8 (1.17-1.18) */
static bool field_embedded(mg_tctx *c, const mg_tname *n, uint64_t *off)
{
    int m = c->minor;
    if (n->flags & 8)
        c->saw_embed_bit = true;
    if (m >= 19 || (m == 0 && c->varint_names))
        return n->flags & 8;
    if (m >= 7 && m <= 8)
        return n->len == 0;
    bool e = *off & 1;
    *off >>= 1;
    return e;
}

static bool fields(mg_tctx *c, uint64_t base, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t ptr, len, ps = c->ps;
    const uint8_t *p;
    if (!slice(c, base + ps, 3 * ps, MG_TYPES_MAX_FIELDS, &ptr, &len, &p) || len == 0)
        return true;
    if (!mg_budget_spend(c->img->budget, 16 * len, "types"))
        return true;
    t->fields = mg_tc_alloc(c, len * sizeof *t->fields);
    if (!t->fields)
        return false;
    for (uint64_t i = 0; i < len; i++) {
        mg_type_field *f = &t->fields[t->nfields];
        uint64_t na, ty, off;
        mg_tname n;
        if (!mg_tc_ptr(c, ptr + i * 3 * ps, &na) || !mg_tc_ptr(c, ptr + i * 3 * ps + ps, &ty) ||
            !mg_tc_ptr(c, ptr + i * 3 * ps + 2 * ps, &off) || !mg_tc_name(c, na, &n))
            continue;
        f->embedded = field_embedded(c, &n, &off);
        f->offset = off;
        f->name = mg_tc_str(c, n.s, n.len);
        f->tag = mg_tc_str(c, n.tag, n.tag_len);
        if (!f->name || !f->tag)
            return false;
        if (ty >= c->mi.types && ty < c->mi.etypes) {
            f->type = ty;
            push(pctx, ty);
        }
        t->nfields++;
    }
    return true;
}

static bool imethods(mg_tctx *c, uint64_t base, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t ptr, len;
    const uint8_t *p;
    if (!slice(c, base + c->ps, 8, 65536, &ptr, &len, &p) || len == 0)
        return true;
    t->imethods = mg_tc_alloc(c, len * sizeof *t->imethods);
    if (!t->imethods)
        return false;
    for (uint64_t i = 0; i < len; i++) {
        mg_rec m = {p + 8 * i, 8, c->sec.big_endian};
        mg_type_method *o = &t->imethods[t->nimethods];
        uint64_t a;
        mg_tname n;
        if (!mg_tc_off(c, (int32_t)mg_rec_u32(&m, 0), &a) || !mg_tc_name(c, a, &n))
            continue;
        if (!(o->name = mg_tc_str(c, n.s, n.len)))
            return false;
        o->exported = n.flags & 1;
        o->type = type_off(c, (int32_t)mg_rec_u32(&m, 4), push, pctx);
        t->nimethods++;
    }
    return true;
}

static bool params(mg_tctx *c, uint64_t addr, uint64_t base, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    const uint8_t *p;
    if (!mg_tc_bytes(c, base, 4, &p))
        return true;
    mg_rec r = {p, 4, c->sec.big_endian};
    unsigned in = mg_rec_u16(&r, 0), out = mg_rec_u16(&r, 2);
    t->variadic = out & 0x8000;
    out &= 0x7fff;
    if (in + out == 0 || in + out > MG_TYPES_MAX_PARAMS)
        return true;
    uint64_t at = base + c->ps + (t->tflag & MG_TF_UNCOMMON ? uncommon_size(c) : 0);
    (void)addr;
    t->params = mg_tc_alloc(c, (in + out) * sizeof *t->params);
    if (!t->params)
        return false;
    for (unsigned i = 0; i < in + out; i++) {
        uint64_t v;
        if (!mg_tc_ptr(c, at + (uint64_t)i * c->ps, &v) || v < c->mi.types || v >= c->mi.etypes)
            return true; /* parameters unreadable: none kept */
        t->params[i] = v;
    }
    for (unsigned i = 0; i < in + out; i++)
        push(pctx, t->params[i]);
    t->nin = in;
    t->nout = out;
    return true;
}

bool mg_type_members(mg_tctx *c, uint64_t addr, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t base = addr + HDR(c->ps);
    bool ok = true;
    if (c->old)
        return mg_type_members_old(c, addr, t, push, pctx);
    if (t->kind == MG_K_STRUCT)
        ok = fields(c, base, t, push, pctx);
    else if (t->kind == MG_K_INTERFACE)
        ok = imethods(c, base, t, push, pctx);
    else if (t->kind == MG_K_FUNC)
        ok = params(c, addr, base, t, push, pctx);
    uint64_t u = mg_type_uncommon_at(c, addr, t->kind, t->tflag);
    if (ok && u)
        ok = methods(c, u, t, push, pctx);
    return ok;
}
