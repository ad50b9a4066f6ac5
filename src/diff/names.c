/* names.c - owns function names as sets and their packages: the package of
 * a name (as debug/gosym's PackageName), the sorted distinct names of an
 * image, and the packages with their distinct-name counts.  Everything is
 * sort based (O(n log n)), no per-name allocation. */
#include "diff/names.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int mg_name_cmp(const mg_name *a, const mg_name *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_names(const void *x, const void *y)
{
    return mg_name_cmp(x, y);
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

size_t mg_func_package(const char *name, size_t len)
{
    if (!name)
        return 0;
    /* compiler-generated symbols (Go 1.20+) belong to no package */
    if (has_prefix(name, len, "go:") || has_prefix(name, len, "type:"))
        return 0;
    /* a generic instantiation's [...] may hold other packages' paths */
    const char *br = memchr(name, '[', len);
    size_t cut = br ? (size_t)(br - name) : len;
    size_t pathend = 0;
    for (size_t i = cut; i > 0; i--)
        if (name[i - 1] == '/') {
            pathend = i - 1;
            break;
        }
    const char *dot = memchr(name + pathend, '.', cut - pathend);
    return dot ? (size_t)(dot - name) : 0;
}

bool mg_package_is_std(const char *path, size_t len)
{
    if (!path || (len == 4 && memcmp(path, "main", 4) == 0))
        return false;
    for (size_t i = 0; i < len && path[i] != '/'; i++)
        if (path[i] == '.')
            return false;
    return true;
}

mg_status mg_sorted_names(const mg_image *im, mg_name **out, size_t *n, mg_error *err)
{
    *out = NULL;
    *n = 0;
    if (!im || !im->is_go || !im->nfuncs)
        return MG_OK;
    if (im->nfuncs > SIZE_MAX / sizeof(mg_name))
        return mg_fail(err, MG_ERR_NOMEM, "%s", mg_status_reason(MG_ERR_NOMEM));
    mg_name *v = malloc(im->nfuncs * sizeof *v);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "%s", mg_status_reason(MG_ERR_NOMEM));
    size_t k = 0;
    for (size_t i = 0; i < im->nfuncs; i++)
        if (im->funcs[i].name) {
            v[k].s = im->funcs[i].name;
            v[k++].len = im->funcs[i].name_len;
        }
    qsort(v, k, sizeof *v, cmp_names);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || mg_name_cmp(&v[u - 1], &v[i]) != 0)
            v[u++] = v[i];
    *out = v;
    *n = u;
    return MG_OK;
}

static int cmp_packages(const void *x, const void *y)
{
    return mg_name_cmp(&((const mg_package *)x)->path, &((const mg_package *)y)->path);
}

/* Sorted names mostly keep a package's names together, so runs of one
 * package are counted first and only the runs are sorted; runs of the same
 * package that were not adjacent (a path such as "a/b.c/d" sorts inside
 * package "a/b") are merged after the sort. */
mg_status mg_packages_of(const mg_name *names, size_t n, mg_package **out, size_t *np, mg_error *err)
{
    *out = NULL;
    *np = 0;
    if (!n)
        return MG_OK;
    if (n > SIZE_MAX / sizeof(mg_package))
        return mg_fail(err, MG_ERR_NOMEM, "%s", mg_status_reason(MG_ERR_NOMEM));
    mg_package *v = malloc(n * sizeof *v);
    if (!v)
        return mg_fail(err, MG_ERR_NOMEM, "%s", mg_status_reason(MG_ERR_NOMEM));
    size_t runs = 0;
    for (size_t i = 0; i < n; i++) {
        mg_name pk = {names[i].s, (uint32_t)mg_func_package(names[i].s, names[i].len)};
        if (runs && mg_name_cmp(&v[runs - 1].path, &pk) == 0) {
            v[runs - 1].functions++;
            continue;
        }
        v[runs].path = pk;
        v[runs++].functions = 1;
    }
    qsort(v, runs, sizeof *v, cmp_packages);
    size_t k = 0;
    for (size_t i = 0; i < runs; i++) {
        if (k && mg_name_cmp(&v[k - 1].path, &v[i].path) == 0) {
            v[k - 1].functions += v[i].functions;
            continue;
        }
        v[k++] = v[i];
    }
    mg_package *shrunk = realloc(v, k * sizeof *v);
    *out = shrunk ? shrunk : v;
    *np = k;
    return MG_OK;
}

mg_status mg_image_packages(const mg_image *im, mg_package **out, size_t *n, mg_error *err)
{
    mg_name *names;
    size_t nn;
    *out = NULL;
    *n = 0;
    mg_status st = mg_sorted_names(im, &names, &nn, err);
    if (st != MG_OK)
        return st;
    st = mg_packages_of(names, nn, out, n, err);
    free(names);
    return st;
}
