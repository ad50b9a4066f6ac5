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
#include "pclntab.h"

#include "../util/budget.h"

#include <string.h>

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

bool mg_moduledata_nfunc(const mg_img *img, const mg_pcln *p, uint64_t *nfunc)
{
    uint64_t pcln_addr, len;
    if (p->r.ptrsize != img->r.ptrsize || !mg_img_off_to_addr(img, p->file_off, &pcln_addr))
        return false;
    unsigned ps = img->r.ptrsize;
    uint8_t pat[8];
    for (unsigned k = 0; k < ps; k++) {
        unsigned shift = img->r.big_endian ? 8 * (ps - 1 - k) : 8 * k;
        pat[k] = (uint8_t)(pcln_addr >> shift);
    }
    /* moduledata is writable data (raw images have no flags: all of it) */
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        bool wr = (s->flags & MG_SEC_WRITE) || img->kind == MG_CONT_RAW;
        if (!(s->flags & MG_SEC_DATA) || !wr || !mg_rd_has(&img->r, s->off, s->filesz))
            continue;
        if (!mg_budget_spend(img->budget, s->filesz, "moduledata search"))
            return false;
        const uint8_t *base = img->r.data + s->off, *q = base, *end = base + s->filesz;
        while ((size_t)(end - q) >= ps && (q = mg_memfind(q, (size_t)(end - q), pat, ps)) != NULL) {
            uint64_t o = (uint64_t)(q - base);
            if (!mg_budget_spend(img->budget, 64, "moduledata search"))
                return false;
            if (o % ps == 0 && ftab_len_at(img, p, pcln_addr, s->addr + o, &len)) {
                *nfunc = len - 1;
                return true;
            }
            q++;
        }
    }
    /* PIE: the pointer is a relocation's addend */
    for (size_t i = 0; i < img->nrelocs; i++) {
        if (!mg_budget_spend(img->budget, 4, "moduledata search"))
            return false;
        if (img->relocs[i].addend == pcln_addr &&
            ftab_len_at(img, p, pcln_addr, img->relocs[i].where, &len)) {
            *nfunc = len - 1;
            return true;
        }
    }
    return false;
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
