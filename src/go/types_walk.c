/* types_walk.c - every runtime type descriptor of one image, and its itabs.
 *
 * Workload: [types, etypes) is a few MB in a large program (up to
 * MG_TYPES_MAX_SECTION accepted); it holds the descriptors and their names.
 * Seeds: the itabs' interface and concrete types, the typelinks, and every
 * pointer-aligned slot of the section whose header passes the checks of
 * types_desc.c (types reached only from code are found so).  From each
 * kept descriptor, the ones it references (elem, key, fields, params,
 * methods, ptrToThis) are pushed.  A visited bitmap (one bit per 4 bytes
 * of the section) makes every address enter the explicit worklist at most
 * once: no recursion, cycles (type T struct{ next *T }) end there, and the
 * worklist is bounded by the section's size.  Kept descriptors stop at
 * MG_TYPES_MAX, strings and arrays at MG_TYPES_MAX_BYTES (partial).
 * Go 1.5-1.6 (types_old.c) have no types section: the section holding the
 * typelinks' descriptors stands for it, and there are no itablinks.
 */
#include "go/types.h"

#include "util/alloc.h"
#include "util/budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
    mg_tctx *c;
    uint8_t *seen;      /* bit per 4 bytes of the section */
    uint64_t *work;
    size_t nwork, capwork;
    mg_gotype *out;
    size_t nout, capout;
    bool nomem;
} walk;

static void push(void *vw, uint64_t addr)
{
    walk *w = vw;
    const mg_modinfo *m = &w->c->mi;
    if (addr < m->types || addr >= m->etypes || addr % w->c->ps)
        return;
    uint64_t slot = (addr - m->types) / 4;
    if (w->seen[slot / 8] & (1u << (slot % 8)))
        return;
    w->seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
    if (w->nwork == w->capwork) {
        size_t nc = w->capwork ? 2 * w->capwork : 1024;
        uint64_t *nw = mg_realloc(w->work, nc * sizeof *nw);
        if (!nw) {
            w->nomem = true;
            return;
        }
        w->work = nw;
        w->capwork = nc;
    }
    w->work[w->nwork++] = addr;
}

static bool keep(walk *w, const mg_gotype *t)
{
    if (w->c->arena_bytes + sizeof *t > MG_TYPES_MAX_BYTES) {
        w->c->capped = true;
        return true;
    }
    w->c->arena_bytes += sizeof *t;
    if (w->nout == w->capout) {
        size_t nc = w->capout ? 2 * w->capout : 1024;
        mg_gotype *no = mg_realloc(w->out, nc * sizeof *no);
        if (!no)
            return false;
        w->out = no;
        w->capout = nc;
    }
    w->out[w->nout++] = *t;
    return true;
}

/* "pkg.Name": a package identifier, a dot, no composite syntax first */
static bool looks_defined(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    if (!strncmp(s, "map[", 4) || !strncmp(s, "chan ", 5) || !strncmp(s, "func(", 5) ||
        !strncmp(s, "struct {", 8) || !strncmp(s, "interface {", 11))
        return false;
    return strchr(s, '.') != NULL;
}

/* decode and keep every address on the worklist until it is empty */
static bool drain(walk *w)
{
    while (w->nwork && !w->nomem) {
        uint64_t addr = w->work[--w->nwork], refs[MG_TYPE_REFS_MAX];
        size_t nrefs = MG_TYPE_REFS_MAX;
        mg_gotype t;
        if (!mg_budget_spend(w->c->img->budget, 256, "types"))
            return true;
        if (!mg_type_decode(w->c, addr, &t, refs, &nrefs)) {
            if (w->c->capped)
                return true;
            continue;
        }
        for (size_t i = 0; i < nrefs; i++)
            push(w, refs[i]);
        if (!mg_type_members(w->c, addr, &t, push, w)) {
            if (w->c->capped)
                return true;
            w->nomem = true;
            return false;
        }
        if (!t.named && w->c->minor && w->c->minor < 10 && t.pkg_path[0] && looks_defined(t.name))
            t.named = true; /* before tflagNamed (1.10): a defined type has a package and a plain name */
        if (!t.named)
            t.pkg_path = ""; /* reflect: only defined types have one */
        if (w->nout >= MG_TYPES_MAX) {
            w->c->capped = true;
            return true;
        }
        if (!keep(w, &t)) {
            w->nomem = true;
            return false;
        }
        if (w->c->capped)
            return true;
    }
    return !w->nomem;
}

static void seed_typelinks(walk *w)
{
    const mg_modinfo *m = &w->c->mi;
    uint64_t off;
    if (w->c->old) { /* 1.5-1.6: []*_type */
        for (uint64_t i = 0, v; i < m->ntypelinks; i++)
            if (mg_img_read_ptr_at(w->c->img, m->typelinks + i * w->c->ps, &v))
                push(w, v);
        return;
    }
    if (!mg_img_addr_to_off(w->c->img, m->typelinks, m->ntypelinks * 4, &off))
        return;
    for (uint64_t i = 0; i < m->ntypelinks; i++) {
        uint32_t v;
        if (mg_rd_u32(&w->c->img->r, off + i * 4, &v))
            push(w, m->types + v);
    }
}

static bool seed_scan(walk *w)
{
    const mg_modinfo *m = &w->c->mi;
    unsigned ps = w->c->ps;
    for (uint64_t a = m->types; a + 4u * ps + 16u <= m->etypes; a += ps) {
        if (((a - m->types) & 0xffff) == 0 && !mg_budget_spend(w->c->img->budget, 0x10000 / ps * 4, "types scan"))
            return false;
        if (mg_type_plausible(w->c, a))
            push(w, a);
    }
    return true;
}

static bool in_types(const mg_modinfo *m, uint64_t a)
{
    return a >= m->types && a < m->etypes;
}

/* Go 1.27+: the itabs lie back to back in one region.  An itab is its
 * interface and type pointers (both in [types, etypes)), a hash word, then
 * its method pointers (into text, never in [types, etypes)); so a slot
 * whose two words both point into the types section starts an itab. */
static bool read_itab_region(mg_tctx *c, walk *w, mg_types *out)
{
    const mg_modinfo *m = &c->mi;
    unsigned ps = c->ps;
    uint64_t cap = m->itabs_len / (3u * ps);
    if (cap > MG_TYPES_MAX_ITABS)
        cap = MG_TYPES_MAX_ITABS;
    if (!cap)
        return true;
    out->itabs = mg_tc_alloc(c, cap * sizeof *out->itabs);
    if (!out->itabs)
        return c->capped;
    uint64_t end = m->itabs_at + m->itabs_len;
    for (uint64_t a = m->itabs_at, next = a; a + 3u * ps <= end;) {
        uint64_t in, ty;
        if (a >= next) {
            if (!mg_budget_spend(c->img->budget, 0x10000 / ps * 4, "itab scan"))
                return false;
            next = a + 0x10000;
        }
        if (!mg_tc_ptr(c, a, &in) || !mg_tc_ptr(c, a + ps, &ty) || !in_types(m, in) || !in_types(m, ty)) {
            a += ps;
            continue;
        }
        if (out->nitabs == cap) {
            c->capped = true;
            break;
        }
        out->itabs[out->nitabs++] = (mg_itab){a, in, ty};
        push(w, in);
        push(w, ty);
        a += 3u * ps;
    }
    out->nitablinks = out->nitabs;
    return true;
}

static bool read_itabs(mg_tctx *c, walk *w, mg_types *out)
{
    const mg_modinfo *m = &c->mi;
    if (m->itab_region)
        return read_itab_region(c, w, out);
    uint64_t n = m->nitablinks < MG_TYPES_MAX_ITABS ? m->nitablinks : MG_TYPES_MAX_ITABS;
    if (n < m->nitablinks)
        c->capped = true;
    if (!n)
        return true;
    out->itabs = mg_tc_alloc(c, n * sizeof *out->itabs);
    if (!out->itabs)
        return c->capped;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t it, in, ty;
        if (!mg_img_read_ptr_at(c->img, m->itablinks + i * c->ps, &it) || !mg_tc_ptr(c, it, &in) ||
            !mg_tc_ptr(c, it + c->ps, &ty))
            continue;
        out->itabs[out->nitabs++] = (mg_itab){it, in, ty};
        push(w, in);
        push(w, ty);
    }
    return true;
}

static int by_addr(const void *a, const void *b)
{
    uint64_t x = ((const mg_gotype *)a)->address, y = ((const mg_gotype *)b)->address;
    return x < y ? -1 : x > y;
}

/* Go 1.minor of a "go1.N..." string, 0 when it is not one */
static int go_minor(const char *v)
{
    if (!v || strncmp(v, "go1.", 4) != 0)
        return 0;
    int m = 0;
    for (const char *p = v + 4; *p >= '0' && *p <= '9' && m < 1000; p++)
        m = m * 10 + (*p - '0');
    return m;
}

/* Go 1.7-1.8 leave an embedded field's name empty: reflect names it after
 * its type (the part after the last '.', a pointer's star dropped) */
static void name_embedded(mg_types *out)
{
    for (size_t i = 0; i < out->ntypes; i++)
        for (size_t k = 0; k < out->types[i].nfields; k++) {
            mg_type_field *f = &out->types[i].fields[k];
            long j = f->name[0] || !f->embedded ? -1 : mg_types_find(out, f->type);
            if (j < 0)
                continue;
            const char *n = out->types[j].name, *dot = strrchr(n, '.');
            f->name = dot ? dot + 1 : n[0] == '*' ? n + 1 : n;
        }
}

/* Go 1.17-1.18 (found by validation): offset<<1 | embedded */
static void decode_offset_embed(mg_types *out)
{
    for (size_t i = 0; i < out->ntypes; i++)
        for (size_t k = 0; k < out->types[i].nfields; k++) {
            mg_type_field *f = &out->types[i].fields[k];
            f->embedded = f->offset & 1;
            f->offset >>= 1;
        }
}

static mg_status walk_all(mg_tctx *c, mg_types *out)
{
    uint64_t span = c->mi.etypes - c->mi.types;
    walk w = {.c = c};
    w.seen = mg_calloc(span / 32 + 1, 1);
    if (!w.seen)
        return MG_ERR_NOMEM;
    bool ok = read_itabs(c, &w, out);
    if (ok) {
        seed_typelinks(&w);
        ok = seed_scan(&w) && drain(&w);
    }
    free(w.seen);
    free(w.work);
    if (mg_budget_out(c->img->budget)) {
        free(w.out);
        return MG_ERR_TOO_COSTLY;
    }
    if (!ok || w.nomem || c->arena->failed) {
        free(w.out);
        return MG_ERR_NOMEM;
    }
    if (w.nout) /* none kept: w.out is NULL, which qsort may not take */
        qsort(w.out, w.nout, sizeof *w.out, by_addr);
    out->types = w.out;
    out->ntypes = w.nout;
    if (c->minor == 0 && c->varint_names && !c->saw_embed_bit)
        decode_offset_embed(out);
    name_embedded(out);
    return MG_OK;
}

/* the file bytes of [types, etypes) */
static bool map_section(mg_tctx *c)
{
    uint64_t off, span = c->mi.etypes - c->mi.types;
    if (!mg_img_addr_to_off(c->img, c->mi.types, span, &off))
        return false;
    return mg_rd_sub(&c->img->r, off, span, &c->sec);
}

mg_status mg_types_read(const mg_img *img, const mg_pcln *p, const char *go_version, unsigned flags,
                        mg_types *out, mg_arena *arena)
{
    mg_tctx c = {.img = img, .ps = img->r.ptrsize, .minor = go_minor(go_version), .arena = arena};
    out->struct_size = sizeof *out;
    out->build_id = "";
    char bid[256];
    if (mg_img_build_id(img, bid, sizeof bid) && !(out->build_id = mg_arena_strndup(arena, bid, strlen(bid))))
        return MG_ERR_NOMEM;
    if (p->r.ptrsize != c.ps || (c.minor && c.minor < 5)) {
        snprintf(out->warning, sizeof out->warning, "runtime types of this Go release (before 1.5) are not read");
        return MG_OK;
    }
    /* 1.7+ layout first (an unknown version too), then 1.5-1.6's */
    bool found = (c.minor == 0 || c.minor >= 7) && mg_types_moduledata(img, p, &c.mi);
    if (!found && c.minor < 7)
        found = c.old = mg_types_moduledata_old(img, p, &c.mi);
    if (!found) {
        snprintf(out->warning, sizeof out->warning, "moduledata not found: no runtime types");
        return MG_OK;
    }
    out->moduledata_found = true;
    out->moduledata = c.mi.md;
    out->text = c.mi.text;
    out->etext = c.mi.etext;
    out->types_start = c.old ? 0 : c.mi.types; /* 1.5-1.6 have no types section */
    out->types_end = c.old ? 0 : c.mi.etypes;
    out->ntypelinks = c.mi.ntypelinks;
    out->nitablinks = c.mi.nitablinks;
    if (flags & MG_TYPES_NO_WALK)
        return MG_OK;
    if (!map_section(&c)) {
        snprintf(out->warning, sizeof out->warning, "the types section is not in the file");
        return MG_OK;
    }
    if (c.old)
        mg_tc_old_header(&c);
    else
        mg_tc_detect_names(&c);
    mg_status st = walk_all(&c, out);
    if (st == MG_OK && c.capped) {
        out->partial = true;
        snprintf(out->warning, sizeof out->warning, "a bound was hit: the type list is incomplete");
    } else if (st == MG_OK && out->ntypes == 0) {
        snprintf(out->warning, sizeof out->warning,
                 "moduledata found but no type descriptor in [0x%llx, 0x%llx) validated: layout not understood",
                 (unsigned long long)c.mi.types, (unsigned long long)c.mi.etypes);
    }
    return st;
}

long mg_types_find(const mg_types *t, uint64_t addr)
{
    size_t lo = 0, hi = t ? t->ntypes : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->types[mid].address < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return t && lo < t->ntypes && t->types[lo].address == addr ? (long)lo : -1;
}

const char *mg_type_kind_name(unsigned kind)
{
    static const char *const names[] = {"invalid", "bool", "int", "int8", "int16", "int32", "int64",
                                        "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
                                        "float32", "float64", "complex64", "complex128", "array",
                                        "chan", "func", "interface", "map", "ptr", "slice", "string",
                                        "struct", "unsafe.Pointer"};
    return kind < sizeof names / sizeof *names ? names[kind] : "invalid";
}
