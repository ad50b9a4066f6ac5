/* diff.c - owns mg_diff_images: what changed from one Go image to another.
 * Function names and packages come sorted from names.c and are merged in
 * one linear pass; dependencies (by path, effective version) and build
 * settings (by key) are sorted copies merged the same way. */
#include "diff/names.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

const char *mg_module_effective_version(const mg_module *m)
{
    if (!m)
        return "";
    if (m->replace_path && m->replace_path[0]) {
        const char *v = m->replace_version ? m->replace_version : "";
        return v[0] && strcmp(v, "(devel)") != 0 ? v : m->replace_path;
    }
    return m->version ? m->version : "";
}

static mg_status nomem(mg_error *err)
{
    return mg_fail(err, MG_ERR_NOMEM, "%s", mg_status_reason(MG_ERR_NOMEM));
}

/* added = b \ a, removed = a \ b, both sorted */
static mg_status diff_names(const mg_name *a, size_t na, const mg_name *b, size_t nb, mg_diff *d,
                            mg_error *err)
{
    d->added = malloc((nb ? nb : 1) * sizeof *d->added);
    d->removed = malloc((na ? na : 1) * sizeof *d->removed);
    if (!d->added || !d->removed)
        return nomem(err);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : mg_name_cmp(&a[i], &b[j]);
        if (c < 0)
            d->removed[d->nremoved++] = a[i++];
        else if (c > 0)
            d->added[d->nadded++] = b[j++];
        else
            i++, j++;
    }
    return MG_OK;
}

static mg_status diff_packages(mg_diff *d, mg_error *err)
{
    size_t na = d->npkgs_a, nb = d->npkgs_b;
    d->pkgs = malloc((na + nb ? na + nb : 1) * sizeof *d->pkgs);
    if (!d->pkgs)
        return nomem(err);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : mg_name_cmp(&d->pkgs_a[i].path, &d->pkgs_b[j].path);
        mg_pkgchange ch;
        if (c < 0) {
            ch = (mg_pkgchange){d->pkgs_a[i].path, d->pkgs_a[i].functions, 0};
            i++;
        } else if (c > 0) {
            ch = (mg_pkgchange){d->pkgs_b[j].path, 0, d->pkgs_b[j].functions};
            j++;
        } else {
            ch = (mg_pkgchange){d->pkgs_a[i].path, d->pkgs_a[i].functions, d->pkgs_b[j].functions};
            i++, j++;
            if (ch.from == ch.to)
                continue;
        }
        d->pkgs[d->npkgs++] = ch;
    }
    return MG_OK;
}

static int cmp_change(const void *x, const void *y)
{
    return strcmp(((const mg_change *)x)->key, ((const mg_change *)y)->key);
}

/* key/value pairs of one side, sorted by key (value in .to) */
static mg_change *sorted_pairs(const mg_buildinfo *bi, bool deps, size_t *n)
{
    size_t k = deps ? bi->ndeps : bi->nsettings;
    mg_change *v = malloc((k ? k : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < k; i++) {
        if (deps)
            v[i] = (mg_change){bi->deps[i].path, NULL, mg_module_effective_version(&bi->deps[i])};
        else
            v[i] = (mg_change){bi->settings[i].key, NULL, bi->settings[i].value};
    }
    qsort(v, k, sizeof *v, cmp_change);
    *n = k;
    return v;
}

static mg_status diff_pairs(const mg_buildinfo *a, const mg_buildinfo *b, bool deps, mg_change **out,
                            size_t *nout, mg_error *err)
{
    size_t na = 0, nb = 0, k = 0;
    mg_change *pa = sorted_pairs(a, deps, &na), *pb = sorted_pairs(b, deps, &nb);
    mg_change *v = malloc((na + nb ? na + nb : 1) * sizeof *v);
    if (!pa || !pb || !v) {
        free(pa);
        free(pb);
        free(v);
        return nomem(err);
    }
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(pa[i].key, pb[j].key);
        if (c < 0) {
            v[k++] = (mg_change){pa[i].key, pa[i].to, NULL};
            i++;
        } else if (c > 0) {
            v[k++] = (mg_change){pb[j].key, NULL, pb[j].to};
            j++;
        } else {
            if (strcmp(pa[i].to, pb[j].to) != 0)
                v[k++] = (mg_change){pa[i].key, pa[i].to, pb[j].to};
            i++, j++;
        }
    }
    free(pa);
    free(pb);
    *out = v;
    *nout = k;
    return MG_OK;
}

mg_status mg_diff_images(const mg_image *a, const mg_image *b, mg_diff *d, mg_error *err)
{
    if (!d)
        return mg_fail(err, MG_ERR_ARG, "%s", mg_status_reason(MG_ERR_ARG));
    memset(d, 0, sizeof *d);
    if (!a || !b)
        return mg_fail(err, MG_ERR_ARG, "%s", mg_status_reason(MG_ERR_ARG));
    mg_name *na = NULL, *nb = NULL;
    mg_status st = mg_sorted_names(a, &na, &d->names_a, err);
    if (st == MG_OK)
        st = mg_sorted_names(b, &nb, &d->names_b, err);
    if (st == MG_OK)
        st = diff_names(na, d->names_a, nb, d->names_b, d, err);
    if (st == MG_OK)
        st = mg_packages_of(na, d->names_a, &d->pkgs_a, &d->npkgs_a, err);
    if (st == MG_OK)
        st = mg_packages_of(nb, d->names_b, &d->pkgs_b, &d->npkgs_b, err);
    free(na);
    free(nb);
    if (st == MG_OK)
        st = diff_packages(d, err);
    if (st == MG_OK && a->buildinfo.present && b->buildinfo.present) {
        st = diff_pairs(&a->buildinfo, &b->buildinfo, true, &d->deps, &d->ndeps, err);
        if (st == MG_OK)
            st = diff_pairs(&a->buildinfo, &b->buildinfo, false, &d->settings, &d->nsettings, err);
    }
    if (st != MG_OK)
        mg_diff_free(d);
    return st;
}

void mg_diff_free(mg_diff *d)
{
    if (!d)
        return;
    free(d->added);
    free(d->removed);
    free(d->pkgs_a);
    free(d->pkgs_b);
    free(d->pkgs);
    free(d->deps);
    free(d->settings);
    memset(d, 0, sizeof *d);
}
