/* walk.c - expands the path arguments of a subcommand into regular files,
 * descending into directories with -r (symbolic links are not followed
 * inside directories).  Files found in a directory are visited in sorted
 * order so output is reproducible; pathlist_add collects them. */
#include "cli.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char **g_list;
static size_t g_n, g_cap, g_failed;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_F && S_ISREG(st->st_mode)) {
        if (g_n == g_cap) {
            size_t cap = g_cap ? 2 * g_cap : 256;
            char **v = realloc(g_list, cap * sizeof *v);
            if (!v)
                return -1;
            g_list = v;
            g_cap = cap;
        }
        if (!(g_list[g_n] = strdup(path)))
            return -1;
        g_n++;
    } else if (type == FTW_DNR) {
        report_error(path, "cannot read directory");
        g_failed++;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t walk_paths(char **paths, int n, bool recursive, file_fn fn, void *ctx)
{
    size_t failed = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            report_error(paths[i], strerror(errno));
            failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (!fn(paths[i], ctx))
                failed++;
            continue;
        }
        if (!recursive) {
            report_error(paths[i], "is a directory (use -r)");
            failed++;
            continue;
        }
        g_n = 0;
        g_failed = 0;
        if (nftw(paths[i], visit, 32, FTW_PHYS) != 0) {
            report_error(paths[i], errno ? strerror(errno) : "cannot walk directory");
            failed++;
        }
        qsort(g_list, g_n, sizeof *g_list, by_name);
        for (size_t k = 0; k < g_n; k++) {
            if (!fn(g_list[k], ctx))
                failed++;
            free(g_list[k]);
        }
        failed += g_failed;
    }
    free(g_list);
    g_list = NULL;
    g_n = g_cap = 0;
    return failed;
}

bool pathlist_add(const char *path, void *ctx)
{
    pathlist *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    return (l->v[l->n] = strdup(path)) ? (l->n++, true) : false;
}
