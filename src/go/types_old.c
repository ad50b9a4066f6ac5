/* types_old.c - runtime type descriptors of Go 1.5 and 1.6 (before
 * nameOff/typeOff): moduledata's typelinks, the descriptor header, members.
 *
 * Layout (ps = pointer size), from the Go 1.5/1.6 runtime and reflect
 * sources (runtime/type.go, reflect/type.go, runtime/symtab.go):
 *   moduledata: pclntable, ftab, filetab slices, findfunctab, minpc, maxpc,
 *     text, etext, the data/bss bounds, end, gcdata, gcbss (words 0-24),
 *     then typelinks, a []*_type (word 25); no types/etypes, no itablinks.
 *   header: size, ptrdata (ps each), hash (4), an unused byte, align,
 *     fieldAlign, kind (1 each), alg, gcdata, string (*string), uncommon
 *     (*uncommonType), ptrToThis (ps each): 7 words + 8 bytes; Go 1.5
 *     adds zero (a pointer to the zero value): 8 words + 8 bytes.
 *   kind-specific words after the header: array elem, slice type, len;
 *     chan elem, dir; func dotdotdot (a word), in and out []*_type;
 *     interface []imethod (name, pkgPath *string, typ: 3 words);
 *     map key, elem; pointer and slice elem; struct []structField (name,
 *     pkgPath, typ, tag (*string each but typ), offset: 5 words).
 *   uncommonType: name, pkgPath (*string), []method (name, pkgPath *string,
 *     mtyp, typ, ifn, tfn: 6 words).  A nil name: an embedded field; a nil
 *     pkgPath: an exported method.
 * Itabs are made at run time (getitab) in these releases: none to list.
 * The section holding the typelinks' descriptors stands for [types,
 * etypes): references outside it are not followed.
 */
#include "go/types.h"

#include "util/budget.h"

#define OLD_TYPELINKS 25u /* moduledata word of the typelinks slice */
#define COMMON(ps) (7u * (ps) + 8u) /* the 1.6 header; 1.5 adds a word */
#define O_STR(ps) (4u * (ps) + 8u)
#define O_X(ps) (5u * (ps) + 8u)
#define O_PTRTO(ps) (6u * (ps) + 8u)

static bool word(const mg_img *img, uint64_t md, unsigned k, uint64_t *v)
{
    return mg_img_read_ptr_at(img, md + (uint64_t)k * img->r.ptrsize, v);
}

/* the section (else the mapped region) whose file bytes hold addr */
static bool region_of(const mg_img *img, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
    for (int pass = 0; pass < 2; pass++) {
        const mg_section *s = pass ? img->maps : img->sects;
        size_t n = pass ? img->nmaps : img->nsects;
        for (size_t i = 0; i < n; i++) {
            uint64_t len = s[i].filesz < s[i].size ? s[i].filesz : s[i].size;
            if (addr >= s[i].addr && addr - s[i].addr < len && len <= MG_TYPES_MAX_SECTION) {
                *lo = s[i].addr;
                *hi = s[i].addr + len;
                return true;
            }
        }
    }
    return false;
}

bool mg_types_moduledata_old(const mg_img *img, const mg_pcln *p, mg_modinfo *mi)
{
    uint64_t md, tp, tn, tc, first, lo, hi, off, ps = img->r.ptrsize;
    if (p->gen != MG_PCLN_12 || !mg_moduledata_addr(img, p, &md))
        return false;
    *mi = (mg_modinfo){.md = md};
    if (!word(img, md, 12, &mi->text) || !word(img, md, 13, &mi->etext) || !word(img, md, OLD_TYPELINKS, &tp) ||
        !word(img, md, OLD_TYPELINKS + 1, &tn) || !word(img, md, OLD_TYPELINKS + 2, &tc))
        return false;
    if (tn == 0 || tn != tc || tn > (1u << 24) || !mg_img_addr_to_off(img, tp, tn * ps, &off) ||
        !mg_img_read_ptr_at(img, tp, &first) || !region_of(img, first, &lo, &hi))
        return false;
    for (uint64_t i = 0; i < tn && i < 16; i++) { /* the first links: aligned, in the same section */
        uint64_t t;
        if (!mg_img_read_ptr_at(img, tp + i * ps, &t) || t < lo || t >= hi || t % ps)
            return false;
    }
    mi->types = lo;
    mi->etypes = hi;
    mi->typelinks = tp;
    mi->ntypelinks = tn;
    return true;
}

/* the Go string a *string at sp names ("" for a nil pointer) */
static bool gostr(const mg_tctx *c, uint64_t sp, const uint8_t **s, uint64_t *len)
{
    uint64_t data;
    *s = (const uint8_t *)"";
    *len = 0;
    if (sp == 0)
        return true;
    if (!mg_tc_ptr(c, sp, &data) || !mg_tc_ptr(c, sp + c->ps, len) || *len > MG_TYPES_MAX_NAME)
        return false;
    return *len == 0 || mg_tc_bytes(c, data, *len, s);
}

static const char *gostr_dup(mg_tctx *c, uint64_t sp, bool *ok)
{
    const uint8_t *s;
    uint64_t n;
    const char *r = gostr(c, sp, &s, &n) ? mg_tc_str(c, s, n) : "";
    *ok = r != NULL;
    return r;
}

static bool pow2_small(unsigned v)
{
    return v && v <= 64 && (v & (v - 1)) == 0;
}

/* a descriptor reference: 0, or an aligned address inside the section */
static uint64_t in_sec(const mg_tctx *c, uint64_t v)
{
    return v >= c->mi.types && v < c->mi.etypes && v % c->ps == 0 ? v : 0;
}

static uint64_t ref_at(const mg_tctx *c, uint64_t at)
{
    uint64_t v;
    return mg_tc_ptr(c, at, &v) ? in_sec(c, v) : 0;
}

bool mg_type_plausible_old(const mg_tctx *c, uint64_t addr)
{
    unsigned ps = c->ps;
    const uint8_t *p, *q;
    if (addr % ps || !mg_tc_bytes(c, addr, COMMON(ps), &p))
        return false;
    mg_rec r = {p, COMMON(ps), c->sec.big_endian};
    uint64_t size = mg_rec_word(&r, 0, ps), ptrdata = mg_rec_word(&r, ps, ps);
    unsigned unused = mg_rec_u8(&r, 2 * ps + 4), align = mg_rec_u8(&r, 2 * ps + 5);
    unsigned falign = mg_rec_u8(&r, 2 * ps + 6), kind = mg_rec_u8(&r, 2 * ps + 7) & 31;
    uint64_t str = mg_rec_word(&r, O_STR(ps), ps), x = mg_rec_word(&r, O_X(ps), ps);
    uint64_t ptrto = mg_rec_word(&r, O_PTRTO(ps), ps), want = mg_type_kind_size(kind, ps), len;
    if (kind == 0 || kind > MG_K_UNSAFEPTR || unused || !pow2_small(align) || !pow2_small(falign))
        return false;
    if ((want && size != want) || ptrdata > size || ptrdata % ps || size > (1ull << 48) ||
        (kind != MG_K_ARRAY && kind != MG_K_STRUCT && align > 2 * ps))
        return false;
    if ((ptrto && !in_sec(c, ptrto)) || (x && !mg_tc_bytes(c, x, 5u * ps, &q)))
        return false;
    if (str == 0 || !gostr(c, str, &q, &len) || len == 0 || len > 4096)
        return false;
    for (uint64_t i = 0; i < len; i++)
        if (q[i] < 0x20 || q[i] == 0x7f)
            return false;
    return true;
}

/* the word after the 1.6 header of typelink i (0 when unreadable) and
 * its kind; false when the link is not a plausible descriptor */
static bool link_word(const mg_tctx *c, uint64_t i, uint64_t *t, uint64_t *w, unsigned *kind)
{
    const uint8_t *p;
    if (!mg_img_read_ptr_at(c->img, c->mi.typelinks + i * c->ps, t) || !mg_type_plausible_old(c, *t) ||
        !mg_tc_bytes(c, *t + 2u * c->ps + 7, 1, &p))
        return false;
    *kind = p[0] & 31;
    if (!mg_tc_ptr(c, *t + COMMON(c->ps), w))
        *w = 0;
    return true;
}

/* Go 1.5 when the version is unknown: every typelink's word after the
 * 1.6 header is the same non-descriptor pointer (zero: runtime.zerovalue),
 * or the elem/key words of pointer, slice, chan and map types sit one
 * word further than 1.6 puts them */
void mg_tc_old_header(mg_tctx *c)
{
    unsigned ps = c->ps, v5 = 0, v6 = 0, same = 0, n = 0, kind;
    uint64_t first = 0;
    c->old_hdr = COMMON(ps) + (c->minor == 5 ? ps : 0);
    if (c->minor)
        return;
    for (uint64_t i = 0, t, w; i < c->mi.ntypelinks && i < 256; i++) {
        if (!link_word(c, i, &t, &w, &kind))
            continue;
        if (n++ == 0)
            first = w;
        const uint8_t *z;
        same += w && w == first && mg_tc_bytes(c, w, 1, &z) && !(in_sec(c, w) && mg_type_plausible_old(c, w));
        if (kind != MG_K_PTR && kind != MG_K_SLICE && kind != MG_K_CHAN && kind != MG_K_MAP)
            continue;
        uint64_t b = ref_at(c, t + COMMON(ps) + ps);
        v6 += in_sec(c, w) && mg_type_plausible_old(c, w);
        v5 += b && mg_type_plausible_old(c, b);
    }
    if ((n >= 2 && same == n) || v5 > v6)
        c->old_hdr = COMMON(ps) + ps;
}

/* the uncommon type's name and package path: a defined type */
static bool uncommon(mg_tctx *c, uint64_t x, mg_gotype *t)
{
    uint64_t name, pkg;
    const uint8_t *s;
    uint64_t n;
    bool ok;
    if (!x || !mg_tc_ptr(c, x, &name) || !mg_tc_ptr(c, x + c->ps, &pkg) || !gostr(c, name, &s, &n) || n == 0)
        return true;
    t->named = true;
    t->pkg_path = gostr_dup(c, pkg, &ok);
    return ok;
}

bool mg_type_decode_old(mg_tctx *c, uint64_t addr, mg_gotype *t, uint64_t *refs, size_t *nrefs)
{
    unsigned ps = c->ps;
    const uint8_t *p;
    size_t cap = *nrefs, n = 0;
    bool ok;
    *nrefs = 0;
    if (!mg_type_plausible_old(c, addr) || !mg_tc_bytes(c, addr, COMMON(ps), &p))
        return false;
    mg_rec r = {p, COMMON(ps), c->sec.big_endian};
    *t = (mg_gotype){.address = addr, .name = "", .pkg_path = ""};
    t->size = mg_rec_word(&r, 0, ps);
    t->kind = mg_rec_u8(&r, 2 * ps + 7) & 31;
    t->name = gostr_dup(c, mg_rec_word(&r, O_STR(ps), ps), &ok);
    if (!ok || !uncommon(c, mg_rec_word(&r, O_X(ps), ps), t))
        return false;
    uint64_t base = addr + c->old_hdr, ptrto = in_sec(c, mg_rec_word(&r, O_PTRTO(ps), ps));
    n = mg_type_composite(c, base, true, t, refs, n, cap);
    if (ptrto && n < cap)
        refs[n++] = ptrto;
    *nrefs = n;
    return true;
}

/* a slice header (ptr, len) at addr of len <= max elements of esize bytes,
 * the elements readable; false (nothing to read) otherwise */
static bool slice(const mg_tctx *c, uint64_t addr, uint64_t esize, uint64_t max, uint64_t *ptr, uint64_t *len)
{
    const uint8_t *p;
    if (!mg_tc_ptr(c, addr, ptr) || !mg_tc_ptr(c, addr + c->ps, len) || *len == 0 || *len > max)
        return false;
    return mg_tc_bytes(c, *ptr, *len * esize, &p) && mg_budget_spend(c->img->budget, 16 * *len, "types");
}

static bool fields(mg_tctx *c, uint64_t base, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t ptr, len, ps = c->ps;
    if (!slice(c, base, 5 * ps, MG_TYPES_MAX_FIELDS, &ptr, &len))
        return true;
    if (!(t->fields = mg_tc_alloc(c, len * sizeof *t->fields)))
        return false;
    for (uint64_t i = 0, at = ptr; i < len; i++, at += 5 * ps) {
        mg_type_field *f = &t->fields[t->nfields];
        uint64_t name, ty, tag;
        bool ok1, ok2;
        if (!mg_tc_ptr(c, at, &name) || !mg_tc_ptr(c, at + 2 * ps, &ty) || !mg_tc_ptr(c, at + 3 * ps, &tag) ||
            !mg_tc_ptr(c, at + 4 * ps, &f->offset))
            continue;
        f->embedded = name == 0;
        f->name = gostr_dup(c, name, &ok1);
        f->tag = gostr_dup(c, tag, &ok2);
        if (!ok1 || !ok2)
            return false;
        if ((f->type = in_sec(c, ty)))
            push(pctx, f->type);
        t->nfields++;
    }
    return true;
}

/* interface methods (3 words) or an uncommon type's methods (6 words):
 * name, pkgPath (nil: exported), type */
static bool method_list(mg_tctx *c, uint64_t at_slice, unsigned words, mg_type_method **out, size_t *nout,
                        mg_tpush_fn push, void *pctx)
{
    uint64_t ptr, len, ps = c->ps;
    if (!slice(c, at_slice, words * ps, 65536, &ptr, &len))
        return true;
    if (!(*out = mg_tc_alloc(c, len * sizeof **out)))
        return false;
    for (uint64_t i = 0, at = ptr; i < len; i++, at += words * ps) {
        mg_type_method *m = &(*out)[*nout];
        uint64_t name, pkg, ty;
        bool ok;
        if (!mg_tc_ptr(c, at, &name) || !mg_tc_ptr(c, at + ps, &pkg) || !mg_tc_ptr(c, at + 2 * ps, &ty) || !name)
            continue;
        if (!(m->name = gostr_dup(c, name, &ok)) || !ok)
            return false;
        m->exported = pkg == 0;
        if ((m->type = in_sec(c, ty)))
            push(pctx, m->type);
        (*nout)++;
    }
    return true;
}

static bool params(mg_tctx *c, uint64_t base, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t ip, in, op, on, ps = c->ps;
    const uint8_t *p;
    if (!mg_tc_bytes(c, base, 1, &p))
        return true;
    bool has_in = slice(c, base + ps, ps, MG_TYPES_MAX_PARAMS, &ip, &in);
    bool has_out = slice(c, base + 4 * ps, ps, MG_TYPES_MAX_PARAMS, &op, &on);
    in = has_in ? in : 0;
    on = has_out ? on : 0;
    if (in + on == 0 || in + on > MG_TYPES_MAX_PARAMS)
        return true;
    if (!(t->params = mg_tc_alloc(c, (in + on) * sizeof *t->params)))
        return false;
    for (uint64_t i = 0; i < in + on; i++) {
        uint64_t v;
        if (!mg_tc_ptr(c, i < in ? ip + i * ps : op + (i - in) * ps, &v) || !in_sec(c, v))
            return true; /* parameters unreadable: none kept */
        t->params[i] = v;
    }
    for (uint64_t i = 0; i < in + on; i++)
        push(pctx, t->params[i]);
    t->variadic = p[0] != 0;
    t->nin = in;
    t->nout = on;
    return true;
}

bool mg_type_members_old(mg_tctx *c, uint64_t addr, mg_gotype *t, mg_tpush_fn push, void *pctx)
{
    uint64_t base = addr + c->old_hdr, x;
    bool ok = true;
    if (t->kind == MG_K_STRUCT)
        ok = fields(c, base, t, push, pctx);
    else if (t->kind == MG_K_INTERFACE)
        ok = method_list(c, base, 3, &t->imethods, &t->nimethods, push, pctx);
    else if (t->kind == MG_K_FUNC)
        ok = params(c, base, t, push, pctx);
    if (ok && mg_tc_ptr(c, addr + O_X(c->ps), &x) && x)
        ok = method_list(c, x + 2u * c->ps, 6, &t->methods, &t->nmethods, push, pctx);
    return ok;
}
