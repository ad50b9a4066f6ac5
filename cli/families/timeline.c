/* timeline.c - owns the family timelines of the HTML report: for each
 * family of two or more members, the members in release order (main-module
 * version when every member's is semver-like, else Go version, then
 * vcs.time, else name; a missing key sorts after the present ones) and,
 * between neighbours, what changed (mg_diff_images): functions, packages
 * and dependencies added / removed, with detail lists capped at
 * TL_DETAIL_CAP entries each, the main module's first, the standard
 * library last (the totals are always exact).  Each file is
 * reopened here (the sample set keeps only digests); a member that cannot
 * be read is kept in the order and its steps say why. */
#include "families/families.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define TL_DETAIL_CAP 40       /* names / packages / modules listed per step and list */
#define TL_MAX_MEMBERS 2000    /* samples put on timelines in one report (bounds its size) */

typedef struct member {
    uint32_t sample;
    char *mod, *go, *vcs_time; /* NULL when unknown / not semver-like */
    char err[200];             /* why it cannot be read, "" when it can */
} member;

/* "v1.2.3", "1.2", "v2.0.0-rc.1+meta": numbers in v[], the rest in *pre */
static bool parse_semver(const char *s, long v[3], const char **pre)
{
    if (*s == 'v')
        s++;
    for (int i = 0; i < 3; i++) {
        v[i] = 0;
        if (i == 2 && *s != '.')
            break;
        if (i > 0 && *s++ != '.')
            return false;
        if (!isdigit((unsigned char)*s))
            return false;
        char *end;
        v[i] = strtol(s, &end, 10);
        s = end;
    }
    if (*s && *s != '-' && *s != '+')
        return false;
    *pre = s;
    return true;
}

static int cmp_semver(const char *a, const char *b)
{
    long va[3], vb[3];
    const char *pa, *pb;
    parse_semver(a, va, &pa);
    parse_semver(b, vb, &pb);
    for (int i = 0; i < 3; i++)
        if (va[i] != vb[i])
            return va[i] < vb[i] ? -1 : 1;
    bool ra = *pa != '-', rb = *pb != '-'; /* a release sorts after its pre-releases */
    if (ra != rb)
        return ra ? 1 : -1;
    return strcmp(pa, pb);
}

/* "go1.21.6", "go1.9", "go1.21rc2": numeric fields, then the rest */
static int cmp_gover(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            char *ea, *eb;
            long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
        } else if (*a != *b) {
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        } else {
            a++, b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* a missing key sorts after every present one */
static int cmp_opt(const char *a, const char *b, int (*cmp)(const char *, const char *))
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0;
    return cmp(a, b);
}

static const sampleset *sort_set;

static int cmp_member(const void *x, const void *y)
{
    const member *a = x, *b = y;
    int c = cmp_opt(a->mod, b->mod, cmp_semver);
    if (!c)
        c = cmp_opt(a->go, b->go, cmp_gover);
    if (!c)
        c = cmp_opt(a->vcs_time, b->vcs_time, strcmp);
    if (!c)
        c = strcmp(sort_set->v[a->sample].path, sort_set->v[b->sample].path);
    return c;
}

/* the image of sample s in its (open) file, or NULL with m->err set */
static const mg_image *open_member(const sample *s, member *m, mg_file **f)
{
    mg_error e;
    *f = NULL;
    if (mg_file_open_ex(s->file, MG_OPT_NO_FUZZY | MG_OPT_NO_OBFUSCATION | MG_OPT_NO_ENTRIES, f, &e) !=
        MG_OK) {
        snprintf(m->err, sizeof m->err, "%s", e.msg);
        return NULL;
    }
    for (size_t i = 0; i < mg_file_image_count(*f); i++) {
        const mg_image *im = mg_file_image(*f, i);
        if (im->is_go && (!s->arch[0] || !strcmp(im->arch, s->arch)))
            return im;
    }
    snprintf(m->err, sizeof m->err, "%s", mg_status_reason(MG_ERR_NOT_GO));
    mg_file_close(*f);
    *f = NULL;
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

static void read_keys(const sample *s, member *m)
{
    mg_file *f;
    const mg_image *im = open_member(s, m, &f);
    if (!im)
        return;
    const mg_buildinfo *bi = &im->buildinfo;
    long v[3];
    const char *pre;
    if (bi->present && bi->main.version[0] && parse_semver(bi->main.version, v, &pre))
        m->mod = strdup(bi->main.version);
    m->go = dup_or_null(im->go_version);
    for (size_t k = 0; bi->present && k < bi->nsettings; k++)
        if (!strcmp(bi->settings[k].key, "vcs.time"))
            m->vcs_time = dup_or_null(bi->settings[k].value);
    mg_file_close(f);
}

static void json_opt(FILE *o, const char *s)
{
    if (s)
        json_cstr(o, s);
    else
        fputs("null", o);
}

/* where a package ranks in the capped lists: the main module's packages
 * (and main) first, other modules next, the standard library last */
static int rank_of(const char *pkg, size_t len, const mg_image *a, const mg_image *b)
{
    if (len == 4 && !memcmp(pkg, "main", 4))
        return 0;
    for (int side = 0; side < 2; side++) {
        const char *mod = (side ? b : a)->buildinfo.main.path;
        size_t m = strlen(mod);
        if (m && len >= m && !memcmp(pkg, mod, m) && (len == m || pkg[m] == '/'))
            return 0;
    }
    return mg_package_is_std(pkg, len) ? 2 : 1;
}

static void names_json(FILE *o, const char *key, const mg_name *v, size_t n, const mg_image *a,
                       const mg_image *b)
{
    fprintf(o, ",\"%s\":[", key);
    size_t shown = 0;
    for (int rank = 0; rank < 3; rank++)
        for (size_t i = 0; i < n && shown < TL_DETAIL_CAP; i++) {
            if (rank_of(v[i].s, mg_func_package(v[i].s, v[i].len), a, b) != rank)
                continue;
            fputs(shown++ ? "," : "", o);
            json_str(o, v[i].s, v[i].len);
        }
    fputc(']', o);
}

/* the totals of one step and its detail lists, each capped at
 * TL_DETAIL_CAP entries in rank order; "nobi" names the side(s) without
 * build info (dependencies unknown) */
static void step_json(FILE *o, const mg_diff *d, const mg_image *a, const mg_image *b)
{
    size_t pa = 0, pr = 0, da = 0, dr = 0;
    for (size_t i = 0; i < d->npkgs; i++)
        pa += !d->pkgs[i].from, pr += !d->pkgs[i].to;
    for (size_t i = 0; i < d->ndeps; i++)
        da += !d->deps[i].from, dr += !d->deps[i].to;
    fprintf(o, "{\"fa\":%zu,\"fr\":%zu,\"pa\":%zu,\"pr\":%zu,\"pc\":%zu,\"da\":%zu,\"dr\":%zu,\"dc\":%zu",
            d->nadded, d->nremoved, pa, pr, d->npkgs - pa - pr, da, dr, d->ndeps - da - dr);
    bool ba = a->buildinfo.present, bb = b->buildinfo.present;
    fprintf(o, ",\"nobi\":%s", ba && bb ? "null" : !ba && !bb ? "\"both\"" : !ba ? "\"A\"" : "\"B\"");
    names_json(o, "F+", d->added, d->nadded, a, b);
    names_json(o, "F-", d->removed, d->nremoved, a, b);
    for (int side = 0; side < 2; side++) {
        fprintf(o, ",\"%s\":[", side ? "P-" : "P+");
        size_t shown = 0;
        for (int rank = 0; rank < 3; rank++)
            for (size_t i = 0; i < d->npkgs && shown < TL_DETAIL_CAP; i++) {
                const mg_pkgchange *p = &d->pkgs[i];
                if ((side ? p->to != 0 : p->from != 0) || rank_of(p->path.s, p->path.len, a, b) != rank)
                    continue;
                fputs(shown++ ? ",[" : "[", o);
                json_str(o, p->path.s, p->path.len);
                fprintf(o, ",%u]", side ? p->from : p->to);
            }
        fputc(']', o);
    }
    static const char *const dkeys[] = {"D+", "D-", "D~"};
    for (int kind = 0; kind < 3; kind++) {
        fprintf(o, ",\"%s\":[", dkeys[kind]);
        size_t shown = 0;
        for (size_t i = 0; i < d->ndeps && shown < TL_DETAIL_CAP; i++) {
            const mg_change *c = &d->deps[i];
            if ((!c->from ? 0 : !c->to ? 1 : 2) != kind)
                continue;
            fputs(shown++ ? ",[" : "[", o);
            json_cstr(o, c->key);
            if (kind == 2) {
                fputc(',', o);
                json_cstr(o, c->from);
            }
            fputc(',', o);
            json_cstr(o, kind == 1 ? c->from : c->to);
            fputc(']', o);
        }
        fputc(']', o);
    }
    fputc('}', o);
}

static void steps_json(FILE *o, const sampleset *s, member *m, size_t n)
{
    mg_file *prev_f = NULL;
    const mg_image *prev = open_member(&s->v[m[0].sample], &m[0], &prev_f);
    fputs(",\"steps\":[", o);
    for (size_t i = 1; i < n; i++) {
        mg_file *f;
        const mg_image *im = open_member(&s->v[m[i].sample], &m[i], &f);
        fputs(i > 1 ? "," : "", o);
        mg_diff d;
        mg_error e;
        if (!prev || !im) {
            fputs("{\"err\":", o);
            json_cstr(o, !prev ? m[i - 1].err : m[i].err);
            fputc('}', o);
        } else if (mg_diff_images(prev, im, &d, &e) != MG_OK) {
            fputs("{\"err\":", o);
            json_cstr(o, e.msg);
            fputc('}', o);
        } else {
            step_json(o, &d, prev, im);
            mg_diff_free(&d);
        }
        if (prev_f)
            mg_file_close(prev_f);
        prev_f = f;
        prev = im;
    }
    if (prev_f)
        mg_file_close(prev_f);
    fputc(']', o);
}

bool timeline_json(FILE *o, const report *r)
{
    uint32_t *start, *mem;
    if (!families_members(r->f, &start, &mem))
        return false;
    size_t budget = TL_MAX_MEMBERS, cut = 0, shown = 0;
    fprintf(o, ",\"timeline_cap\":%d,\"timelines\":[", TL_DETAIL_CAP);
    for (size_t k = 0; k < r->f->nfam; k++) {
        size_t n = start[k + 1] - start[k];
        if (n < 2)
            continue;
        if (n > budget) {
            cut++;
            continue;
        }
        budget -= n;
        member *m = calloc(n, sizeof *m);
        if (!m)
            break;
        for (size_t i = 0; i < n; i++) {
            m[i].sample = mem[start[k] + i];
            read_keys(&r->s->v[m[i].sample], &m[i]);
        }
        /* main-module versions order the family only when every member has one */
        bool all_semver = true;
        for (size_t i = 0; i < n; i++)
            all_semver = all_semver && m[i].mod;
        for (size_t i = 0; i < n && !all_semver; i++) {
            free(m[i].mod);
            m[i].mod = NULL;
        }
        sort_set = r->s;
        qsort(m, n, sizeof *m, cmp_member);
        fprintf(o, "%s{\"family\":%zu,\"members\":[", shown++ ? "," : "", k);
        for (size_t i = 0; i < n; i++) {
            fprintf(o, "%s[%u,", i ? "," : "", m[i].sample);
            json_opt(o, m[i].mod);
            fputc(',', o);
            json_opt(o, m[i].go);
            fputc(',', o);
            json_opt(o, m[i].vcs_time);
            fputc(']', o);
        }
        fputc(']', o);
        steps_json(o, r->s, m, n);
        fputc('}', o);
        for (size_t i = 0; i < n; i++) {
            free(m[i].mod);
            free(m[i].go);
            free(m[i].vcs_time);
        }
        free(m);
    }
    fprintf(o, "],\"timelines_cut\":%zu", cut);
    free(start);
    free(mem);
    return true;
}
