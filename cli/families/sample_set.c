/* sample_set.c - owns the sample set of the family subcommands: hashing files
 * with N worker threads (results and errors kept in input order), reading
 * precomputed `hash --json` lines, and the whole-file ssdeep baseline. */
#include "families/families.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static bool push(sampleset *s, const char *path, const char *file)
{
    sample *v = grow_array(s->v, s->n, &s->cap, sizeof *v);
    if (!v)
        return false;
    s->v = v;
    sample *x = &s->v[s->n];
    memset(x, 0, sizeof *x);
    x->gimpset_names = -1; /* a digest given as it is, a hash line: not known */
    x->path = strdup(path);
    x->file = strdup(file);
    if (!x->path || !x->file) {
        free(x->path);
        free(x->file);
        return false;
    }
    s->n++;
    return true;
}

void samples_free(sampleset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].path);
        free(s->v[i].file);
    }
    free(s->v);
    *s = (sampleset){0};
}

/* ---- hashing files in parallel ---- */

typedef struct file_result {
    sample *img;  /* Go images of the file */
    size_t nimg;
    char err[240];
} file_result;

typedef struct pool {
    pathlist *files;
    file_result *res;
    atomic_size_t next;
    progress *prog;
    bool filefuzzy; /* the job is the whole-file ssdeep of existing samples */
    sampleset *set;
} pool;

static void hash_file(const char *path, file_result *r)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK) {
        snprintf(r->err, sizeof r->err, "%s", e.msg);
        return;
    }
    size_t n = mg_file_image_count(f);
    r->img = calloc(n ? n : 1, sizeof *r->img);
    for (size_t i = 0; r->img && i < n; i++) {
        const mg_image *im = mg_file_image(f, i);
        if (!im->is_go)
            continue;
        char sbuf[32], pbuf[4200];
        snprintf(pbuf, sizeof pbuf, "%s%s", path, slice_suffix(f, i, sbuf, sizeof sbuf));
        sample *x = &r->img[r->nimg++];
        x->path = strdup(pbuf);
        x->file = strdup(path);
        memcpy(x->gimphash, im->gimphash, sizeof x->gimphash);
        memcpy(x->gimpfuzzy, im->gimpfuzzy, sizeof x->gimpfuzzy);
        memcpy(x->gimpset, im->gimpset, sizeof x->gimpset);
        x->no_names = im->flags & MG_FLAG_NO_NAMES;
        x->gimpset_names = (long)im->gimpset_names;
        snprintf(x->arch, sizeof x->arch, "%s", im->arch);
        sample_describe(x, im);
    }
    mg_file_close(f);
    if (!r->img)
        snprintf(r->err, sizeof r->err, "%s", mg_status_reason(MG_ERR_NOMEM));
    else if (!r->nimg)
        snprintf(r->err, sizeof r->err, "%s", mg_status_reason(MG_ERR_NOT_GO));
}

static void *pool_worker(void *arg)
{
    pool *p = arg;
    size_t total = p->filefuzzy ? p->set->n : p->files->n;
    for (size_t k; (k = atomic_fetch_add(&p->next, 1)) < total;) {
        if (p->filefuzzy) {
            sample *x = &p->set->v[k];
            mg_error e;
            if (mg_fuzzy_hash_file(x->file, x->filefuzzy, &e) != MG_OK)
                snprintf(p->res[k].err, sizeof p->res[k].err, "%s", e.msg);
        } else
            hash_file(p->files->v[k], &p->res[k]);
        progress_tick(p->prog);
    }
    return NULL;
}

static void run_pool(pool *p, unsigned jobs)
{
    atomic_init(&p->next, 0);
    pthread_t tid[64];
    unsigned started = 0;
    if (jobs > 64)
        jobs = 64;
    for (unsigned t = 1; t < jobs; t++)
        if (pthread_create(&tid[started], NULL, pool_worker, p) == 0)
            started++;
    pool_worker(p);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

size_t samples_from_paths(sampleset *s, char **paths, int n, bool recursive, unsigned jobs, bool quiet)
{
    pathlist files = {0};
    size_t failed = walk_paths(paths, n, recursive, pathlist_add, &files);
    pool p = {.files = &files};
    p.res = calloc(files.n ? files.n : 1, sizeof *p.res);
    if (!p.res) {
        report_problem(mg_status_reason(MG_ERR_NOMEM));
        return failed + files.n;
    }
    p.prog = progress_new("hashing", files.n);
    run_pool(&p, jobs);
    progress_done(p.prog);
    for (size_t k = 0; k < files.n; k++) {
        file_result *r = &p.res[k];
        if (r->err[0]) {
            if (!quiet || strcmp(r->err, mg_status_reason(MG_ERR_NOT_GO)))
                report_error(files.v[k], r->err);
            failed++;
        }
        for (size_t i = 0; i < r->nimg; i++) {
            sample *x = &r->img[i];
            if (x->path && x->file && push(s, x->path, x->file)) {
                sample *y = &s->v[s->n - 1];
                memcpy(y->gimphash, x->gimphash, sizeof y->gimphash);
                memcpy(y->gimpfuzzy, x->gimpfuzzy, sizeof y->gimpfuzzy);
                memcpy(y->gimpset, x->gimpset, sizeof y->gimpset);
                y->no_names = x->no_names;
                memcpy(y->arch, x->arch, sizeof y->arch);
                memcpy(y->module, x->module, sizeof y->module);
                memcpy(y->modver, x->modver, sizeof y->modver);
                memcpy(y->prefix, x->prefix, sizeof y->prefix);
                memcpy(y->gover, x->gover, sizeof y->gover);
                memcpy(y->os, x->os, sizeof y->os);
                memcpy(y->known, x->known, sizeof y->known);
                y->gimpset_names = x->gimpset_names;
                memcpy(y->ident, x->ident, sizeof y->ident);
                if (y->no_names)
                    report_error(y->path, "no names (gimphash of empty input)");
            }
            free(x->path);
            free(x->file);
        }
        free(r->img);
        free(files.v[k]);
    }
    free(p.res);
    free(files.v);
    return failed;
}

size_t samples_filefuzzy(sampleset *s, unsigned jobs)
{
    pool p = {.filefuzzy = true, .set = s};
    p.res = calloc(s->n ? s->n : 1, sizeof *p.res);
    if (!p.res)
        return s->n;
    p.prog = progress_new("ssdeep of whole files", s->n);
    run_pool(&p, jobs);
    progress_done(p.prog);
    size_t failed = 0;
    for (size_t k = 0; k < s->n; k++)
        if (p.res[k].err[0]) {
            report_error(s->v[k].file, p.res[k].err);
            failed++;
        }
    free(p.res);
    return failed;
}

bool samples_add_digest(sampleset *s, const char *digest)
{
    if (!push(s, digest, digest))
        return false;
    if (!strncmp(digest, "gs1:", 4)) /* a gimpset digest given literally */
        snprintf(s->v[s->n - 1].gimpset, sizeof s->v[s->n - 1].gimpset, "%s", digest);
    else
        snprintf(s->v[s->n - 1].gimpfuzzy, sizeof s->v[s->n - 1].gimpfuzzy, "%s", digest);
    return true;
}

/* ---- precomputed hashes ---- */

bool samples_from_jsonl(sampleset *s, const char *file)
{
    FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!in) {
        report_error(file, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    bool ok = true;
    while (ok && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue; /* blank */
        char path[4200], arch[64], gh[65], gf[160];
        if (!json_get_str(line, "path", path, sizeof path) || !json_get_str(line, "gimphash", gh, sizeof gh) ||
            !json_get_str(line, "gimpfuzzy", gf, sizeof gf) || strspn(gh, "0123456789abcdef") != 64 ||
            mg_fuzzy_compare(gf, gf) < 0) { /* the digest as libfuzzy reads it */
            char where[64];
            snprintf(where, sizeof where, ":%zu: not a `malgopher hash --json` line", lineno);
            text_line(stderr, "malgopher: %s%s", file, where);
            ok = false;
            break;
        }
        if (!json_get_str(line, "arch", arch, sizeof arch))
            arch[0] = 0;
        if (!push(s, path, path)) {
            ok = false;
            break;
        }
        sample *x = &s->v[s->n - 1];
        snprintf(x->gimphash, sizeof x->gimphash, "%s", gh);
        snprintf(x->gimpfuzzy, sizeof x->gimpfuzzy, "%s", gf);
        if (!json_get_str(line, "gimpset", x->gimpset, sizeof x->gimpset))
            x->gimpset[0] = 0;
        x->no_names = json_get_bool(line, "no_names");
        snprintf(x->arch, sizeof x->arch, "%.15s", arch);
    }
    free(line);
    /* `hash --json` prints the slices of a fat file on consecutive lines
     * under the file's path: name them PATH:ARCH as `hash` does */
    for (size_t k = 0; ok && k < s->n; k++) {
        bool twin = (k > 0 && !strcmp(s->v[k].file, s->v[k - 1].file)) ||
                    (k + 1 < s->n && !strcmp(s->v[k].file, s->v[k + 1].file));
        char *named = NULL;
        if (twin && asprintf(&named, "%s:%s", s->v[k].file, s->v[k].arch[0] ? s->v[k].arch : "unknown") > 0) {
            free(s->v[k].path);
            s->v[k].path = named;
        }
    }
    if (in != stdin)
        fclose(in);
    if (ok && !s->n) {
        report_error(file, "no samples (not `malgopher hash --json` output)");
        ok = false;
    }
    return ok;
}
