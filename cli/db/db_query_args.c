/* db_query_args.c - owns what `db match` and `db classify` share: their
 * options, what they are asked about (each argument is a file, hashed like
 * `match` hashes, PATH:ARCH for slices, or, when it is no file and reads as
 * an ssdeep digest or a gimpset digest, that digest itself) and the search
 * of each, by gimpfuzzy or by gimpset (--measure). */
#include "db.h"
#include "families.h"

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

int db_query_parse(db_query *q, const char *help, bool with_top, int argc, char **argv)
{
    const char *cmd = q->cmd;
    q->uri = NULL;
    q->recursive = q->json = false;
    q->jobs = default_jobs();
    q->threshold = 0; /* 0: the measure's default */
    q->measure = MEASURE_FUZZY;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        int t = db_opt_uri(cmd, argc, argv, &i, &q->uri);
        if (t < 0)
            return EXIT_USAGE;
        if (t)
            continue;
        if (is_help(a)) {
            fputs(help, stdout);
            return EXIT_ALL_OK;
        } else if (!strcmp(a, "-r") || !strcmp(a, "--recursive"))
            q->recursive = true;
        else if (!strcmp(a, "--json"))
            q->json = true;
        else if (!strcmp(a, "-t") || !strcmp(a, "--threshold")) {
            if (!db_parse_threshold(cmd, v, &q->threshold))
                return EXIT_USAGE;
            i++;
        } else if (with_top && (!strcmp(a, "-k") || !strcmp(a, "--top"))) {
            if (!v || (q->top = strtol(v, &end, 10)) < 0 || *end)
                return usage_error(cmd, "-k wants a count >= 0, not '%s'", v ? v : "");
            i++;
        } else if (!strcmp(a, "--measure") || !strncmp(a, "--measure=", 10)) {
            if (!db_parse_measure(cmd, a[9] ? a + 10 : v, &q->measure))
                return EXIT_USAGE;
            i += !a[9];
        } else if (!strcmp(a, "-j")) {
            if (!db_parse_jobs(cmd, v, &q->jobs))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else
            return usage_error(cmd, "unknown option '%s'", a);
    }
    if (i >= argc)
        return usage_error(cmd, "no FILE or DIGEST given");
    q->threshold = db_threshold(q->measure, q->threshold);
    q->args = argv + i;
    q->nargs = argc - i;
    return -1;
}

int db_query_run(const db_query *q, db_query_print print)
{
    db d;
    if (!db_open(&d, q->uri))
        return EXIT_SOME_FAILED;
    sampleset s = {0};
    size_t failed = query_samples(&s, q->args, q->nargs, q->recursive, q->jobs);
    for (size_t k = 0; k < s.n; k++) {
        db_hit *h = NULL;
        size_t nh = 0;
        bool found = q->measure == MEASURE_SET
                         ? db_search_set(&d, s.v[k].gimpset, q->threshold, (size_t)q->top, q->labelled_only, &h, &nh)
                         : s.v[k].no_names ||
                               db_search(&d, s.v[k].gimpfuzzy, q->threshold, (size_t)q->top, q->labelled_only, &h, &nh);
        if (!found) {
            failed++;
            if (d.retry || !d.conn) /* the connection is gone: the rest would fail alike */
                break;
            continue;
        }
        failed += !print(q, &s.v[k], h, nh);
        db_hits_free(h, nh);
    }
    fflush(stdout);
    samples_free(&s);
    db_close(&d);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
