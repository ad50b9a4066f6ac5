/* db_query_args.c - owns what `db match` and `db classify` share: what
 * they are asked about (each argument is a file, hashed like
 * `match` hashes, PATH:ARCH for slices, or, when it is no file and reads as
 * an ssdeep digest or a gimpset digest, that digest itself) and the search
 * of each, by gimpfuzzy or by gimpset (--measure). */
#include "db/db.h"
#include "families/families.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool looks_like_digest(const char *a)
{
    size_t n = strspn(a, "0123456789");
    return n > 0 && a[n] == ':' && strchr(a + n + 1, ':');
}

static size_t query_samples(sampleset *q, char **args, int n, bool recursive, unsigned jobs)
{
    size_t failed = 0;
    for (int k = 0; k < n; k++) {
        struct stat st;
        if (stat(args[k], &st) != 0 && is_gimpset_digest(args[k]))
            failed += !samples_add_digest(q, args[k]);
        else if (stat(args[k], &st) != 0 && looks_like_digest(args[k])) {
            if (q->n == q->cap) {
                size_t cap = q->cap ? 2 * q->cap : 16;
                sample *v = realloc(q->v, cap * sizeof *v);
                if (!v) {
                    failed++;
                    continue;
                }
                q->v = v;
                q->cap = cap;
            }
            sample *x = &q->v[q->n];
            memset(x, 0, sizeof *x);
            x->path = strdup(args[k]);
            x->file = strdup(args[k]);
            snprintf(x->gimpfuzzy, sizeof x->gimpfuzzy, "%s", args[k]);
            if (x->path && x->file)
                q->n++;
            else
                failed++;
        } else
            failed += samples_from_paths(q, args + k, 1, recursive, jobs, false);
    }
    return failed;
}

static int by_score_id(const void *a, const void *b)
{
    const db_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* h += more (more's hits marked fallback), best first, at most top */
static bool merge_hits(db_hit **h, size_t *nh, db_hit *more, size_t nm, size_t top)
{
    db_hit *all = nm ? realloc(*h, (*nh + nm) * sizeof *all) : *h;
    if (nm && !all) {
        db_hits_free(more, nm);
        return false;
    }
    for (size_t i = 0; i < nm; i++) {
        all[*nh + i] = more[i];
        all[*nh + i].fallback = true;
    }
    free(more); /* its strings moved into all */
    *h = all;
    *nh += nm;
    if (*nh)
        qsort(*h, *nh, sizeof **h, by_score_id);
    for (size_t i = top; top && i < *nh; i++) {
        free((*h)[i].path);
        free((*h)[i].label);
    }
    if (top && *nh > top)
        *nh = top;
    return true;
}

bool db_query_hits(db *d, const sample *s, int measure, int t, size_t top, unsigned flags, match_query *q,
                   db_hit **h, size_t *nh)
{
    bool set = measure == MEASURE_SET;
    *q = (match_query){.path = s->path, .threshold = t};
    if (set && !s->gimpset[0]) { /* an ssdeep digest given */
        set = false;
        q->note = "no gimpset";
        q->threshold = FALLBACK_THRESHOLD;
    } else if (!set && !s->gimpfuzzy[0] && s->gimpset[0]) { /* a gimpset digest given */
        set = true;
        q->note = "no gimpfuzzy";
        q->threshold = MG_DEFAULT_THRESHOLD_SET;
    }
    q->measure = measure_name(set ? MEASURE_SET : MEASURE_FUZZY);
    q->digest = set ? s->gimpset : s->gimpfuzzy;
    *h = NULL;
    *nh = 0;
    if (!set)
        return s->no_names || db_search(d, s->gimpfuzzy, q->threshold, top, flags, h, nh);
    if (!db_search_set(d, s->gimpset, q->threshold, top, flags, h, nh))
        return false;
    if (s->no_names || !s->gimpfuzzy[0])
        return true;
    /* the records without a gimpset (imported from older hash lines): by gimpfuzzy */
    db_hit *more = NULL;
    size_t nm = 0;
    int ft = t <= 1 ? 1 : FALLBACK_THRESHOLD; /* 1: the nearest, whatever it scores */
    if (!db_search(d, s->gimpfuzzy, ft, top, flags | DBS_NO_SET, &more, &nm))
        return false;
    if (!merge_hits(h, nh, more, nm, top)) {
        report_error(d->where, mg_status_reason(MG_ERR_NOMEM));
        return false;
    }
    return true;
}

int db_query_run(const cli_opts *o, db_query_print print)
{
    if (!o->nargs)
        return usage_error(o->cmd, "no FILE or DIGEST given");
    db d;
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    /* SQLite: a query reads each page of the postings about once, and a
     * fresh page of the large cache the writers want costs a page fault
     * (70% of a query's time at 100k records); a small cache reuses its
     * buffers */
    if (!strcmp(d.be->name, "sqlite") && !db_exec(&d, "PRAGMA cache_size=-1024", NULL, 0)) {
        db_close(&d);
        return EXIT_SOME_FAILED;
    }
    sampleset s = {0};
    size_t failed = query_samples(&s, o->args, o->nargs, o->recursive, (unsigned)o->jobs);
    print_match_header(stdout, o->fmt == OUT_JSON, o->measure, o->threshold);
    for (size_t k = 0; k < s.n; k++) {
        if (print(o, &d, &s.v[k]))
            continue;
        failed++;
        if (d.retry || !d.conn) /* the connection is gone: the rest would fail alike */
            break;
    }
    out_flush(stdout);
    samples_free(&s);
    db_close(&d);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
