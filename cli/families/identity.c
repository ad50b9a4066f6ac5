/* identity.c - owns what a sample says it is and what a family is called:
 * a sample's main module@version from its build info, else the dominant
 * prefix of its own (non-standard) packages; a family's name from its
 * members' identities (the most common main module path, else the most
 * common package prefix).  Workload: one pass over an image's function
 * names (one array of prefix spans, sorted once); a family: one pass over
 * its members' identities. */
#include "families/families.h"
#include "known/known.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span;

static int by_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* the project prefix of a package path: its first three elements
 * (host/owner/repo; the standard library has no '.' in its first); 0 for
 * the standard library, main and pseudo packages */
static size_t prefix_of(const char *p, size_t n)
{
    if (!n || (n == 4 && !memcmp(p, "main", 4)) || mg_package_is_std(p, n))
        return 0;
    /* the linker's pseudo packages: type..eq.go/ast, go.shape, go:itab */
    if ((n > 5 && (!memcmp(p, "type.", 5) || !memcmp(p, "type:", 5))) ||
        (n > 3 && (!memcmp(p, "go.", 3) || !memcmp(p, "go:", 3))))
        return 0;
    size_t slash = 0, i = 0;
    for (; i < n; i++)
        if (p[i] == '/' && ++slash == 3)
            break;
    return i;
}

/* the most common entry of v[0..n) (ties: the smallest), sorted in place */
static span most_common(span *v, size_t n, size_t *count)
{
    span best = {NULL, 0};
    *count = 0;
    if (!n)
        return best;
    qsort(v, n, sizeof *v, by_span);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && !by_span(&v[i], &v[j]); j++)
            ;
        if (j - i > *count) {
            *count = j - i;
            best = v[i];
        }
    }
    return best;
}

bool package_prefix(const mg_image *im, char *out, size_t outsz)
{
    out[0] = 0;
    span *v = malloc((im->nfuncs ? im->nfuncs : 1) * sizeof *v);
    if (!v)
        return false;
    size_t n = 0, count;
    /* golang.org/x is the Go project's, not the program's: counted only
     * when nothing else is there */
    for (int pass = 0; pass < 2 && !n; pass++)
        for (size_t i = 0; i < im->nfuncs; i++) {
            const mg_func *f = &im->funcs[i];
            size_t pre = prefix_of(f->name, mg_func_package(f->name, f->name_len));
            if (pre && (pass || pre < 13 || memcmp(f->name, "golang.org/x/", 13)))
                v[n++] = (span){f->name, pre};
        }
    span s = most_common(v, n, &count);
    if (s.n && s.n < outsz) {
        memcpy(out, s.p, s.n);
        out[s.n] = 0;
    }
    free(v);
    return true;
}

bool image_identity(const mg_image *im, char *out, size_t outsz, const char **source)
{
    const mg_buildinfo *b = &im->buildinfo;
    if (b->present && b->main.path[0]) {
        snprintf(out, outsz, "%s@%s", b->main.path, b->main.version[0] ? b->main.version : "(devel)");
        *source = "buildinfo";
        return true;
    }
    if (b->present && b->path[0] && strcmp(b->path, "command-line-arguments")) {
        snprintf(out, outsz, "%s", b->path);
        *source = "buildinfo";
        return true;
    }
    *source = "packages";
    if (!package_prefix(im, out, outsz))
        return false;
    if (!out[0])
        *source = NULL;
    return true;
}

void sample_describe(sample *x, const mg_image *im)
{
    const mg_buildinfo *b = &im->buildinfo;
    x->module[0] = x->modver[0] = x->prefix[0] = 0;
    if (b->present && b->main.path[0]) {
        snprintf(x->module, sizeof x->module, "%s", b->main.path);
        snprintf(x->modver, sizeof x->modver, "%s", b->main.version);
    } else if (b->present && b->path[0] && strcmp(b->path, "command-line-arguments"))
        snprintf(x->module, sizeof x->module, "%s", b->path); /* cmd/gofmt: a main package, no module */
    if (!x->module[0] && !package_prefix(im, x->prefix, sizeof x->prefix))
        x->prefix[0] = 0; /* out of memory: no prefix, as for no packages */
    snprintf(x->gover, sizeof x->gover, "%s", im->go_version);
    snprintf(x->os, sizeof x->os, "%s", im->os ? im->os : "");
    mg_known_hit kh[2];
    mg_known_identity(im, x->ident, sizeof x->ident);
    x->known[0] = 0;
    if (known_lookup(im, NULL, kh))
        snprintf(x->known, sizeof x->known, "%s", kh[0].rec->name);
}

/* the most common non-empty string among the members (at offset off of
 * each sample), into out; false when none */
static bool common_field(const sampleset *s, const uint32_t *members, size_t n, size_t off, char *out, size_t outsz)
{
    span *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0, count;
    if (!v)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *f = (const char *)&s->v[members[i]] + off;
        if (f[0])
            v[k++] = (span){f, strlen(f)};
    }
    span best = most_common(v, k, &count);
    bool ok = best.n && best.n < outsz;
    if (ok) {
        memcpy(out, best.p, best.n);
        out[best.n] = 0;
    }
    free(v);
    return ok;
}

void family_name(const sampleset *s, const uint32_t *members, size_t n, const labels *lab, const uint32_t *label_of,
                 size_t index, char *out, size_t outsz, const char **source)
{
    if (common_field(s, members, n, offsetof(sample, known), out, outsz)) {
        *source = "known"; /* a known program (docs/known.md) */
        return;
    }
    if (common_field(s, members, n, offsetof(sample, module), out, outsz)) {
        *source = "module";
        return;
    }
    if (common_field(s, members, n, offsetof(sample, prefix), out, outsz)) {
        *source = "packages";
        return;
    }
    size_t nl = lab && label_of ? labels_count(lab) : 0;
    uint32_t *cnt = nl ? calloc(nl, sizeof *cnt) : NULL;
    if (cnt) { /* the majority label (ties: the smallest id) */
        uint32_t best = UINT32_MAX;
        for (size_t i = 0; i < n; i++)
            if (label_of[members[i]] < nl)
                cnt[label_of[members[i]]]++;
        for (uint32_t l = 0; l < nl; l++)
            if (cnt[l] && (best == UINT32_MAX || cnt[l] > cnt[best]))
                best = l;
        free(cnt);
        if (best != UINT32_MAX) {
            snprintf(out, outsz, "%s", labels_name(lab, best));
            *source = "labels";
            return;
        }
    }
    snprintf(out, outsz, "family-%zu", index + 1);
    *source = "none";
}
