/* locate.c - finds the pclntab in an image: section names first, then the
 * runtime.pclntab symbol, then a scan for any of the four magics in either
 * byte order (each hit validated), and last a scan for a header whose magic
 * was damaged but whose layout validates. */
#include "pclntab.h"

#include "../util/budget.h"

#include <string.h>

/* Hostile files can be filled with candidates that pass the cheap header
 * checks; the full validation reads names, so the number of full
 * validations per image is bounded to keep the scan linear. */
#define MAX_VALIDATIONS 20000u

#define VALIDATION_COST 256u /* work units charged per full validation */

static _Thread_local unsigned validations;
/* the first header with a true magic whose table did not validate (a lying
 * nfunc, unreadable names), and the stage that found it */
static _Thread_local mg_pcln fallback;
static _Thread_local bool have_fallback;
static _Thread_local mg_found_by stage, fallback_stage;

static bool try_off(const mg_img *img, uint64_t off, mg_pclntab_gen gen, mg_pcln *p)
{
    const uint8_t *h;
    if (!mg_rd_bytes(&img->r, off, 8, &h) || h[4] != 0 || h[5] != 0 ||
        (h[6] != 1 && h[6] != 2 && h[6] != 4) || (h[7] != 4 && h[7] != 8))
        return false;
    if (validations >= MAX_VALIDATIONS ||
        !mg_budget_spend(img->budget, VALIDATION_COST, "pclntab search"))
        return false;
    validations++;
    if (!mg_pcln_validate_header(&img->r, off, gen, p))
        return false;
    if (mg_pcln_validate_funcs(p, p->header_nfunc, true))
        return true;
    if (p->magic_ok && !have_fallback) {
        fallback = *p;
        fallback_stage = stage;
        have_fallback = true;
    }
    return false;
}

/* at a place the container names: the magic, or failing that (stomped
 * magic) any layout whose header validates */
static bool try_any(const mg_img *img, uint64_t off, mg_pcln *p)
{
    static const mg_pclntab_gen gens[] = {MG_PCLN_NONE, MG_PCLN_120, MG_PCLN_116, MG_PCLN_12};
    for (size_t g = 0; g < sizeof gens / sizeof *gens; g++)
        if (try_off(img, off, gens[g], p))
            return true;
    return false;
}

static bool by_section(const mg_img *img, mg_pcln *p)
{
    for (size_t i = 0; i < img->nsects; i++) {
        const mg_section *s = &img->sects[i];
        const char *n = s->name;
        size_t len = strlen(n);
        bool named = strcmp(n, ".gopclntab") == 0 || strcmp(n, ".data.rel.ro.gopclntab") == 0 ||
                     (len >= 12 && strcmp(n + len - 12, ",__gopclntab") == 0);
        if (named && s->filesz && try_any(img, s->off, p))
            return true;
    }
    return false;
}

static bool by_symbol(const mg_img *img, mg_pcln *p)
{
    if (img->symtab.kind == MG_SYMTAB_NONE)
        return false;
    uint64_t addr, off;
    if (!mg_img_symbol(img, "runtime.pclntab", &addr) && !mg_img_symbol(img, "pclntab", &addr))
        return false;
    return mg_img_addr_to_off(img, addr, 16, &off) && try_any(img, off, p);
}

/* a run of ff ff ff at `at`: the magic is one byte X then ff ff ff
 * (little-endian) or ff ff ff then X (big-endian) */
static bool magic_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    mg_pcln *p = ctx;
    if (at > s->off && try_off(img, at - 1, MG_PCLN_NONE, p))
        return true;
    return s->off + s->filesz - at >= 4 && try_off(img, at, MG_PCLN_NONE, p);
}

/* scan one region for the magics */
static bool scan_region(const mg_img *img, const mg_section *s, mg_pcln *p)
{
    return mg_img_scan_section(img, s, "\xff\xff\xff", 3, magic_hit, p);
}

/* last resort: a header whose magic is damaged (zeroed or replaced) */
static bool scan_region_header(const mg_img *img, const mg_section *s, mg_pcln *p)
{
    static const mg_pclntab_gen gens[] = {MG_PCLN_120, MG_PCLN_116, MG_PCLN_12};
    const uint8_t *d = img->r.data;
    for (uint64_t o = (s->off + 3) & ~(uint64_t)3; o + 16 <= s->off + s->filesz; o += 4) {
        const uint8_t *h = d + o;
        if (h[4] != 0 || h[5] != 0 || (h[6] != 1 && h[6] != 2 && h[6] != 4) ||
            (h[7] != 4 && h[7] != 8) || h[7] != img->r.ptrsize)
            continue;
        for (size_t g = 0; g < sizeof gens / sizeof *gens; g++)
            if (try_off(img, o, gens[g], p))
                return true;
    }
    return false;
}

typedef bool (*region_fn)(const mg_img *, const mg_section *, mg_pcln *);

/* non-executable regions first: that is where the table lives */
static bool scan_all(const mg_img *img, mg_pcln *p, region_fn fn)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < img->nmaps; i++) {
            const mg_section *s = &img->maps[i];
            bool exec = (s->flags & MG_SEC_EXEC) != 0;
            if (!(s->flags & MG_SEC_DATA) || exec != (pass == 1))
                continue;
            if (!mg_rd_has(&img->r, s->off, s->filesz))
                continue;
            if (!mg_budget_spend(img->budget, s->filesz, "pclntab search"))
                return false;
            if (fn(img, s, p))
                return true;
        }
    return false;
}

static bool locate(const mg_img *img, mg_pcln *p, mg_found_by *how)
{
    stage = MG_FOUND_SECTION;
    if (by_section(img, p)) {
        *how = MG_FOUND_SECTION;
        return true;
    }
    stage = MG_FOUND_SYMBOL;
    if (by_symbol(img, p)) {
        *how = MG_FOUND_SYMBOL;
        return true;
    }
    stage = MG_FOUND_SCAN;
    if (scan_all(img, p, scan_region)) {
        *how = MG_FOUND_SCAN;
        return true;
    }
    stage = MG_FOUND_HEADER_ONLY;
    if (img->kind != MG_CONT_RAW && scan_all(img, p, scan_region_header)) {
        *how = MG_FOUND_HEADER_ONLY;
        return true;
    }
    return false;
}

bool mg_pcln_locate(const mg_img *img, mg_pcln *p, mg_found_by *how)
{
    validations = 0;
    have_fallback = false;
    if (locate(img, p, how)) {
        mg_pcln_crosscheck_nfunc(img, p);
        return true;
    }
    if (have_fallback && !mg_budget_out(img->budget) && mg_pcln_recover(img, &fallback)) {
        *p = fallback;
        *how = fallback_stage;
        return true;
    }
    *how = MG_FOUND_NONE;
    return false;
}
