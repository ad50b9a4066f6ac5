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

int db_query_run(const cli_opts *o, db_query_print print)
{
    if (!o->nargs)
        return usage_error(o->cmd, "no FILE or DIGEST given");
    /* classify: the nearest labelled sample */
    bool labelled_only = o->cmd_bit == CMD_DB_CLASSIFY;
    size_t top = labelled_only ? 1 : (size_t)o->top;
    db d;
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    sampleset s = {0};
    size_t failed = query_samples(&s, o->args, o->nargs, o->recursive, (unsigned)o->jobs);
    for (size_t k = 0; k < s.n; k++) {
        db_hit *h = NULL;
        size_t nh = 0;
        bool found = o->measure == MEASURE_SET
                         ? db_search_set(&d, s.v[k].gimpset, o->threshold, top, labelled_only, &h, &nh)
                         : s.v[k].no_names ||
                               db_search(&d, s.v[k].gimpfuzzy, o->threshold, top, labelled_only, &h, &nh);
        if (!found) {
            failed++;
            if (d.retry || !d.conn) /* the connection is gone: the rest would fail alike */
                break;
            continue;
        }
        failed += !print(o, &s.v[k], h, nh);
        db_hits_free(h, nh);
    }
    out_flush(stdout);
    samples_free(&s);
    db_close(&d);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
