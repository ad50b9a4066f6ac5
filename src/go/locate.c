/* locate.c - finds the pclntab in an image: section names first, then the
 * runtime.pclntab symbol, then a scan for any of the four magics in either
 * byte order (each hit validated), and last a scan for a header whose magic
 * was damaged but whose layout validates. */
#include "go/pclntab.h"

#include "util/budget.h"

#include <string.h>

/* Hostile files can be filled with candidates that pass the cheap header
 * checks; the full validation reads names, so the number of full
 * validations per image is bounded to keep the scan linear. */
#define MAX_VALIDATIONS 20000u
#define VALIDATION_COST 256u /* work units charged per full validation */

/* one search: the image, the result, what was turned down on the way, and
 * the first header with a true magic whose table did not validate (a lying
 * nfunc, unreadable names: recover.c's last resort) */
typedef struct search {
    const mg_img *img;
    mg_pcln *p;
    unsigned validations;
    mg_pcln_rejects rj;
    mg_found_by stage, fallback_stage;
    bool have_fallback;
    mg_pcln fallback;
} search;

static void rejected(search *c, uint64_t off, const char *why)
{
    if (c->rj.count++ == 0) {
        c->rj.first_off = off;
        c->rj.first_why = why;
    }
}

/* A candidate is a place whose header bytes 4-7 are plausible (anything
 * else is just bytes); each one validated and failed is recorded. */
static bool try_off(search *c, uint64_t off, mg_pclntab_gen gen)
{
    const mg_img *img = c->img;
    const uint8_t *h;
    if (!mg_rd_bytes(&img->r, off, 8, &h) || h[4] != 0 || h[5] != 0 ||
        (h[6] != 1 && h[6] != 2 && h[6] != 4) || (h[7] != 4 && h[7] != 8))
        return false;
    if (c->validations >= MAX_VALIDATIONS) {
        rejected(c, off, "more candidates than the search bound (20000)");
        return false;
    }
    if (!mg_budget_spend(img->budget, VALIDATION_COST, "pclntab search"))
        return false;
    c->validations++;
    if (!mg_pcln_validate_header(&img->r, off, gen, c->p)) {
        rejected(c, off, c->p->reject);
        return false;
    }
    if (mg_pcln_validate_funcs(c->p, c->p->header_nfunc, true))
        return true;
    rejected(c, off, c->p->reject);
    if (c->p->magic_ok && !c->have_fallback) {
        c->fallback = *c->p;
        c->fallback_stage = c->stage;
        c->have_fallback = true;
    }
    return false;
}

/* at a place the container names: the magic, or failing that (stomped
 * magic) any layout whose header validates */
static bool try_any(search *c, uint64_t off)
{
    static const mg_pclntab_gen gens[] = {MG_PCLN_NONE, MG_PCLN_120, MG_PCLN_116, MG_PCLN_12};
    for (size_t g = 0; g < sizeof gens / sizeof *gens; g++)
        if (try_off(c, off, gens[g]))
            return true;
    return false;
}

static bool by_section(search *c)
{
    const mg_img *img = c->img;
    for (size_t i = 0; i < img->nsects; i++) {
        const mg_section *s = &img->sects[i];
        const char *n = s->name;
        size_t len = strlen(n);
        bool named = strcmp(n, ".gopclntab") == 0 || strcmp(n, ".data.rel.ro.gopclntab") == 0 ||
                     (len >= 12 && strcmp(n + len - 12, ",__gopclntab") == 0);
        if (named && s->filesz && try_any(c, s->off))
            return true;
    }
    return false;
}

static bool by_symbol(search *c)
{
    const mg_img *img = c->img;
    if (img->symtab.kind == MG_SYMTAB_NONE)
        return false;
    uint64_t addr, off;
    if (!mg_img_symbol(img, "runtime.pclntab", &addr) && !mg_img_symbol(img, "pclntab", &addr))
        return false;
    return mg_img_addr_to_off(img, addr, 16, &off) && try_any(c, off);
}

/* a run of ff ff ff at `at`: the magic is one byte X then ff ff ff
 * (little-endian) or ff ff ff then X (big-endian) */
static bool magic_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    (void)img;
    search *c = ctx;
    if (at > s->off && try_off(c, at - 1, MG_PCLN_NONE))
        return true;
    return s->off + s->filesz - at >= 4 && try_off(c, at, MG_PCLN_NONE);
}

/* scan one region for the magics */
static bool scan_region(search *c, const mg_section *s)
{
    return mg_pcln_magic_scan(c->img, s, magic_hit, c);
}

/* last resort: a header whose magic is damaged (zeroed or replaced) */
static bool scan_region_header(search *c, const mg_section *s)
{
    static const mg_pclntab_gen gens[] = {MG_PCLN_120, MG_PCLN_116, MG_PCLN_12};
    const mg_img *img = c->img;
    const uint8_t *d = img->r.data;
    if (!mg_rd_has(&img->r, s->off, s->filesz))
        return false;
    for (uint64_t o = (s->off + 3) & ~(uint64_t)3; o + 16 <= s->off + s->filesz; o += 4) {
        const uint8_t *h = d + o;
        if (h[4] != 0 || h[5] != 0 || (h[6] != 1 && h[6] != 2 && h[6] != 4) ||
            (h[7] != 4 && h[7] != 8) || h[7] != img->r.ptrsize)
            continue;
        for (size_t g = 0; g < sizeof gens / sizeof *gens; g++)
            if (try_off(c, o, gens[g]))
                return true;
    }
    return false;
}

typedef bool (*region_fn)(search *, const mg_section *);

/* non-executable regions first: that is where the table lives */
static bool scan_all(search *c, region_fn fn)
{
    const mg_img *img = c->img;
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
            if (fn(c, s))
                return true;
        }
    return false;
}

bool mg_pcln_locate_why(const mg_img *img, mg_pcln *p, mg_found_by *how, mg_pcln_rejects *rj)
{
    search c = {.img = img, .p = p};
    if ((c.stage = MG_FOUND_SECTION, by_section(&c)) || (c.stage = MG_FOUND_SYMBOL, by_symbol(&c)) ||
        (c.stage = MG_FOUND_SCAN, scan_all(&c, scan_region)) ||
        (c.stage = MG_FOUND_HEADER_ONLY,
         img->kind != MG_CONT_RAW && scan_all(&c, scan_region_header))) {
        *how = c.stage;
        mg_pcln_crosscheck_nfunc(img, p); /* the runtime's count, when moduledata disagrees */
    } else if (c.have_fallback && !mg_budget_out(img->budget) && mg_pcln_recover(img, &c.fallback)) {
        *p = c.fallback;
        *how = c.fallback_stage;
    } else {
        *how = MG_FOUND_NONE;
    }
    if (rj)
        *rj = c.rj;
    return *how != MG_FOUND_NONE;
}

bool mg_pcln_locate(const mg_img *img, mg_pcln *p, mg_found_by *how)
{
    return mg_pcln_locate_why(img, p, how, NULL);
}
