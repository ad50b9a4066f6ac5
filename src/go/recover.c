/* recover.c - believing what the runtime believes.  The Go runtime takes
 * the function count from moduledata (len(ftab) - 1), not from the pcHeader
 * nfunc word, so a binary whose header lies still runs.  This file finds
 * moduledata's ftab slice for a located pclntab and uses its length when the
 * header disagrees, and accepts, as a last resort, a table whose sampled
 * names cannot be read (the caller then flags the result).
 *
 * moduledata layout (Go linker, symtab.go): Go 1.16+ starts with the
 * pcHeader pointer, then the funcnametab, cutab, filetab, pctab and
 * pclntable slices (pointer, len, cap each), then ftab, whose pointer is
 * pclntable's and whose len = cap = nfunc + 1.  Go 1.2-1.15 starts with the
 * pclntable slice, then ftab (pointer = pclntab + 8 + pointer size).
 */
#include "go/pclntab.h"

#include "util/budget.h"

/* word index of moduledata's ftab pointer and of the slice that shares it */
static unsigned ftab_word(const mg_pcln *p)
{
    return p->gen == MG_PCLN_12 ? 3 : 16;
}

static bool word(const mg_img *img, uint64_t md, unsigned k, uint64_t *v)
{
    return mg_img_read_ptr_at(img, md + (uint64_t)k * img->r.ptrsize, v);
}

/* moduledata at address md for the table at pcln_addr: its ftab length */
static bool ftab_len_at(const mg_img *img, const mg_pcln *p, uint64_t pcln_addr, uint64_t md,
                        uint64_t *len)
{
    uint64_t w0, ptr, l, c, want;
    unsigned k = ftab_word(p);
    if (!word(img, md, 0, &w0) || w0 != pcln_addr)
        return false;
    if (!mg_add_ok(pcln_addr, p->gen == MG_PCLN_12 ? 8u + img->r.ptrsize : p->pcln_off, &want))
        return false;
    if (!word(img, md, k, &ptr) || ptr != want || !word(img, md, k + 1, &l) ||
        !word(img, md, k + 2, &c) || c != l || l < 2)
        return false;
    if (p->gen != MG_PCLN_12) {
        uint64_t tab; /* the pclntable slice starts where ftab does */
        if (!word(img, md, 13, &tab) || tab != want)
            return false;
    }
    *len = l;
    return true;
}

typedef struct md_search {
    const mg_pcln *p;
    uint64_t pcln_addr, len, md;
} md_search;

static bool md_hit(const mg_img *img, const mg_section *s, uint64_t at, void *vctx)
{
    md_search *c = vctx;
    uint64_t o = at - s->off;
    if (!mg_budget_spend(img->budget, 64, "moduledata search"))
        return true; /* stop; the caller sees the budget out */
    c->md = s->addr + o;
    return o % img->r.ptrsize == 0 && ftab_len_at(img, c->p, c->pcln_addr, c->md, &c->len);
}

/* moduledata for p: its address and its ftab length */
static bool find_moduledata(const mg_img *img, const mg_pcln *p, md_search *out)
{
    md_search c = {p, 0, 0, 0};
    if (p->r.ptrsize != img->r.ptrsize || !mg_img_off_to_addr(img, p->file_off, &c.pcln_addr))
        return false;
    unsigned ps = img->r.ptrsize;
    uint8_t pat[8];
    for (unsigned k = 0; k < ps; k++) {
        unsigned shift = img->r.big_endian ? 8 * (ps - 1 - k) : 8 * k;
        pat[k] = (uint8_t)(c.pcln_addr >> shift);
    }
    /* moduledata is writable data (raw images have no flags: all of it) */
    unsigned all = MG_SEC_DATA | (img->kind == MG_CONT_RAW ? 0 : MG_SEC_WRITE);
    if (mg_img_scan_maps(img, all, 0, pat, ps, md_hit, &c)) {
        if (mg_budget_out(img->budget))
            return false;
        *out = c;
        return true;
    }
    /* PIE: the pointer is a relocation's addend */
    for (size_t i = 0; i < img->nrelocs; i++) {
        if (!mg_budget_spend(img->budget, 4, "moduledata search"))
            return false;
        if (img->relocs[i].addend == c.pcln_addr &&
            ftab_len_at(img, p, c.pcln_addr, img->relocs[i].where, &c.len)) {
            c.md = img->relocs[i].where;
            *out = c;
            return true;
        }
    }
    return false;
}

bool mg_moduledata_nfunc(const mg_img *img, const mg_pcln *p, uint64_t *nfunc)
{
    md_search c;
    if (!find_moduledata(img, p, &c))
        return false;
    *nfunc = c.len - 1;
    return true;
}

bool mg_moduledata_addr(const mg_img *img, const mg_pcln *p, uint64_t *md)
{
    md_search c;
    if (!find_moduledata(img, p, &c))
        return false;
    *md = c.md;
    return true;
}

void mg_pcln_crosscheck_nfunc(const mg_img *img, mg_pcln *p)
{
    uint64_t n;
    if (!mg_moduledata_nfunc(img, p, &n) || n == p->header_nfunc)
        return;
    mg_pcln q = *p;
    if (mg_pcln_validate_funcs(&q, n, !p->names_unchecked)) {
        q.nfunc_from_moduledata = true;
        *p = q;
    }
}

bool mg_pcln_recover(const mg_img *img, mg_pcln *p)
{
    uint64_t n = p->header_nfunc;
    bool md = mg_moduledata_nfunc(img, p, &n) && n != p->header_nfunc;
    if (md && mg_pcln_validate_funcs(p, n, true)) {
        p->nfunc_from_moduledata = true;
        return true;
    }
    if (mg_pcln_validate_funcs(p, n, false)) {
        p->nfunc_from_moduledata = md;
        p->names_unchecked = true;
        return true;
    }
    return false;
}
