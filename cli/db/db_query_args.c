/* db_query_args.c - owns what `db match` and `db classify` are asked
 * about: each argument is a file (hashed like `match` hashes, PATH:ARCH for
 * slices) or, when it is no file and reads as an ssdeep digest (or a
 * gimpset digest), that digest itself. */
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

size_t query_samples(sampleset *q, char **args, int n, bool recursive, unsigned jobs)
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
