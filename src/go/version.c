/* version.c - the Go version of binaries without build info (Go < 1.13, or
 * build info removed): the runtime.buildVersion string, found through the
 * symbol table, or as a "go1.N[.M]" string that a Go string header (pointer,
 * length) in the data sections points at exactly. */
#include "go/version.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 512u

typedef struct cand {
    uint64_t addr, len;
} cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->len < y->len ? -1 : x->len > y->len;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool plausible(const char *s, size_t n)
{
    if (n < 4 || n >= 40)
        return false;
    if (memcmp(s, "devel", 5 <= n ? 5 : n) == 0 && n >= 5)
        return true;
    if (memcmp(s, "go1", 3) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)s[i] < 0x20 || (uint8_t)s[i] >= 0x7f)
            return false;
    return true;
}

static bool by_symbol(const mg_img *img, char *out, size_t outsz)
{
    uint64_t addr, hoff, ptr, len, off;
    if (img->symtab.kind == MG_SYMTAB_NONE || !mg_img_symbol(img, "runtime.buildVersion", &addr))
        return false;
    if (!mg_img_addr_to_off(img, addr, 2 * img->r.ptrsize, &hoff) ||
        !mg_img_read_ptr_at(img, addr, &ptr) || !mg_rd_ptr(&img->r, hoff + img->r.ptrsize, &len))
        return false;
    if (len == 0 || len >= outsz || !mg_img_addr_to_off(img, ptr, len, &off))
        return false;
    const char *s = (const char *)img->r.data + off;
    if (!plausible(s, (size_t)len))
        return false;
    memcpy(out, s, (size_t)len);
    out[len] = 0;
    return true;
}

struct collector {
    cand *c;
    size_t nc;
};

/* every prefix of the go1.N[.M][rcK|betaK] run at `at` that ends at a
 * number; stop when the candidates are full */
static bool version_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    struct collector *k = ctx;
    const uint8_t *q = img->r.data + at, *end = img->r.data + s->off + s->filesz;
    const uint8_t *p = q + 4;
    int dots = 1;
    while (p < end && p - q < 32) {
        if (is_digit(*p)) {
            p++;
            if ((p == end || !is_digit(*p)) && k->nc < MAX_CANDIDATES)
                k->c[k->nc++] = (cand){s->addr + (at - s->off), (uint64_t)(p - q)};
        } else if (*p == '.' && dots < 2 && p + 1 < end && is_digit(p[1])) {
            dots++;
            p++;
        } else if ((end - p > 2 && memcmp(p, "rc", 2) == 0 && is_digit(p[2])) ||
                   (end - p > 4 && memcmp(p, "beta", 4) == 0 && is_digit(p[4]))) {
            p += *p == 'r' ? 2 : 4;
        } else {
            break;
        }
    }
    return k->nc >= MAX_CANDIDATES;
}

/* the candidates in data sections (executable too: Mach-O keeps read-only
 * data in the __TEXT segment); "go1." cannot overlap itself, so every hit
 * starts a new run */
static size_t collect(const mg_img *img, cand *c, size_t nc)
{
    struct collector k = {c, nc};
    mg_img_scan_maps(img, MG_SEC_DATA, 0, "go1.", 4, version_hit, &k);
    return k.nc;
}

static bool by_string_header(const mg_img *img, char *out, size_t outsz, bool *nomem)
{
    cand *c = mg_malloc(MAX_CANDIDATES * sizeof *c);
    if (!c) {
        *nomem = true;
        return false;
    }
    size_t nc = collect(img, c, 0);
    qsort(c, nc, sizeof *c, cand_cmp);
    unsigned ps = img->r.ptrsize;
    bool found = false;
    for (size_t i = 0; i < img->nmaps && nc && !found; i++) {
        const mg_section *s = &img->maps[i];
        if (!(s->flags & MG_SEC_DATA) || !(s->flags & MG_SEC_WRITE) ||
            !mg_rd_has(&img->r, s->off, s->filesz))
            continue;
        for (uint64_t o = 0; o + 2 * ps <= s->filesz && !found; o += ps) {
            cand k;
            if (!mg_rd_ptr(&img->r, s->off + o, &k.addr) || k.addr < c[0].addr || k.addr > c[nc - 1].addr ||
                !mg_rd_ptr(&img->r, s->off + o + ps, &k.len))
                continue;
            const cand *hit = bsearch(&k, c, nc, sizeof *c, cand_cmp);
            uint64_t off;
            if (hit && hit->len < outsz && mg_img_addr_to_off(img, hit->addr, hit->len, &off)) {
                memcpy(out, img->r.data + off, (size_t)hit->len);
                out[hit->len] = 0;
                found = true;
            }
        }
    }
    free(c);
    return found;
}

bool mg_go_version_fallback(const mg_img *img, char *out, size_t outsz, mg_version_source *src, bool *nomem)
{
    *nomem = false;
    if (by_symbol(img, out, outsz)) {
        *src = MG_VSRC_BUILDVERSION;
        return true;
    }
    if (by_string_header(img, out, outsz, nomem)) {
        *src = MG_VSRC_STRING;
        return true;
    }
    return false;
}
