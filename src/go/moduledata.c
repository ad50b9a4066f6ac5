/* moduledata.c - finds the runtime's moduledata for a located pclntab and
 * derives the text start from it (needed when the pclntab header's
 * textStart word is 0: Go 1.26+, and PIE files before relocation).
 *
 * moduledata begins with the pclntab address, then the funcnametab slice
 * (pointer = pclntab + funcnameOffset).  Further on it holds minpc and maxpc,
 * whose difference equals the functab's span; the text start is then
 * minpc - entryoff(first function).  This needs no per-version layout.
 */
#include "go/moduledata.h"

#include <string.h>

#define MD_SEARCH_WORDS 48u /* how far into moduledata minpc/maxpc may sit */

/* value of the word at file offset off (address addr), with PIE relocation */
static bool word_at(const mg_img *img, uint64_t addr, uint64_t *v)
{
    return mg_img_read_ptr_at(img, addr, v);
}

static bool check_moduledata(const mg_img *img, const mg_pcln *p, uint64_t pcln_addr,
                             uint64_t md, uint64_t *text)
{
    unsigned ps = img->r.ptrsize;
    uint64_t fn, first, end;
    if (!word_at(img, md + ps, &fn) || fn != pcln_addr + p->funcname_off)
        return false;
    if (!mg_pcln_first_last(p, &first, &end) || end < first)
        return false;
    uint64_t span = end - first;
    for (unsigned k = 2; k + 1 < MD_SEARCH_WORDS; k++) {
        uint64_t lo, hi;
        if (!word_at(img, md + (uint64_t)k * ps, &lo) || !word_at(img, md + (uint64_t)(k + 1) * ps, &hi))
            return false;
        if (lo != 0 && hi > lo && hi - lo == span && lo >= first) {
            *text = lo - first;
            return true;
        }
    }
    return false;
}

struct pcln_ref {
    const mg_pcln *p;
    uint64_t pcln_addr, *text;
};

/* a word equal to the pclntab address: moduledata when aligned and checked */
static bool pcln_ref_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    const struct pcln_ref *ref = ctx;
    uint64_t o = at - s->off;
    return o % img->r.ptrsize == 0 && check_moduledata(img, ref->p, ref->pcln_addr, s->addr + o, ref->text);
}

bool mg_moduledata_text_start(const mg_img *img, const mg_pcln *p, uint64_t *text)
{
    uint64_t pcln_addr;
    if (!mg_img_off_to_addr(img, p->file_off, &pcln_addr))
        return false;
    unsigned ps = img->r.ptrsize;
    /* words on disk equal to the pclntab address, in data: search for its
     * bytes (memmem) rather than reading every word */
    uint8_t pat[8];
    for (unsigned k = 0; k < ps; k++) {
        unsigned shift = img->r.big_endian ? 8 * (ps - 1 - k) : 8 * k;
        pat[k] = (uint8_t)(pcln_addr >> shift);
    }
    struct pcln_ref ref = {p, pcln_addr, text};
    if (mg_img_scan_maps(img, MG_SEC_DATA, MG_SEC_EXEC, pat, ps, pcln_ref_hit, &ref))
        return true;
    /* PIE: the pointer is a relocation addend */
    if (img->rel_has_addend) {
        unsigned w = img->bits / 8;
        for (uint64_t i = 0; i < img->rel_count; i++) {
            uint64_t e = img->rel_off + i * img->rel_entsize, roff, add;
            if (!mg_rd_word(&img->r, e, w, &roff) || !mg_rd_word(&img->r, e + 2 * w, w, &add))
                break;
            if (add == pcln_addr && check_moduledata(img, p, pcln_addr, roff, text))
                return true;
        }
    }
    return false;
}

bool mg_text_start(const mg_img *img, const mg_pcln *p, uint64_t *text)
{
    uint64_t v;
    if (p->gen < MG_PCLN_118) {
        *text = 0;
        return true;
    }
    if (p->text_start != 0) {
        *text = p->text_start;
        return true;
    }
    /* moduledata first: one memmem over the data, cheaper than a pass over a
     * large symbol table */
    if (mg_moduledata_text_start(img, p, text))
        return true;
    if (img->symtab.kind != MG_SYMTAB_NONE && mg_img_symbol(img, "runtime.text", &v) && v) {
        *text = v;
        return true;
    }
    /* the start of the code section */
    static const char *const names[] = {".text", "__TEXT,__text"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const mg_section *s = mg_img_section(img, names[i]);
        if (s) {
            *text = s->addr;
            return true;
        }
    }
    for (size_t i = 0; i < img->nsects; i++)
        if (img->sects[i].flags & MG_SEC_EXEC) {
            *text = img->sects[i].addr;
            return true;
        }
    *text = 0;
    return false;
}
