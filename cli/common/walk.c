/* walk.c - expands the path arguments of a subcommand into regular files,
 * as `find -H` does: a path named on the command line is followed when it
 * is a symbolic link (to a file or a directory), links inside a directory
 * are not (so a link loop cannot be walked forever).  A FIFO, device or
 * socket, named or found, is refused with one line and never opened.  Files
 * found in a directory are visited in sorted order so output is
 * reproducible; pathlist_add collects them. */
#include "common/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool pathlist_add(const char *path, void *ctx)
{
    pathlist *l = ctx;
    char **v = grow_array(l->v, l->n, &l->cap, sizeof *v);
    if (!v)
        return false;
    l->v = v;
    return (l->v[l->n] = strdup(path)) ? (l->n++, true) : false;
}

/* dir + "/" + name, or NULL */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t m = strlen(name);
    char *p = malloc(n + m + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, n);
    size_t k = n;
    if (!(n == 1 && dir[0] == '/'))
        p[k++] = '/';
    memcpy(p + k, name, m + 1);
    return p;
}

/* the regular files under dir into l; failures counted in *failed */
static void walk_dir(const char *dir, pathlist *l, size_t *failed, unsigned depth)
{
    DIR *d = depth < 512 ? opendir(dir) : NULL;
    if (!d) {
        report_error(dir, depth < 512 ? "cannot read directory" : "directories nested too deep");
        (*failed)++;
        return;
    }
    pathlist sub = {0}; /* subdirectories, walked after closedir: one fd at a time */
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = join(dir, e->d_name);
        struct stat st;
        if (!p || lstat(p, &st) != 0) {
            report_error(p ? p : dir, p ? strerror(errno) : mg_status_reason(MG_ERR_NOMEM));
            (*failed)++;
        } else if (S_ISDIR(st.st_mode)) {
            if (!pathlist_add(p, &sub))
                (*failed)++;
        } else if (S_ISREG(st.st_mode)) {
            if (!pathlist_add(p, l))
                (*failed)++;
        } else if (!S_ISLNK(st.st_mode)) {
            report_error(p, "not a regular file");
            (*failed)++;
        }
        free(p);
    }
    closedir(d);
    for (size_t k = 0; k < sub.n; k++) {
        walk_dir(sub.v[k], l, failed, depth + 1);
        free(sub.v[k]);
    }
    free(sub.v);
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
        if (stat(paths[i], &st) != 0) { /* follows a link named here */
            report_error(paths[i], strerror(errno));
            failed++;
            continue;
        }
        if (S_ISREG(st.st_mode)) {
            if (!fn(paths[i], ctx))
                failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode) || !recursive) {
            report_error(paths[i], S_ISDIR(st.st_mode) ? "is a directory (use -r)" : "not a regular file");
            failed++;
            continue;
        }
        pathlist l = {0};
        walk_dir(paths[i], &l, &failed, 0);
        qsort(l.v, l.n, sizeof *l.v, by_name);
        for (size_t k = 0; k < l.n; k++) {
            if (!fn(l.v[k], ctx))
                failed++;
            free(l.v[k]);
        }
        free(l.v);
    }
    return failed;
}

bool named_paths_init(named_paths *np, char **args, int n)
{
    np->n = n > 0 ? (size_t)n : 0;
    np->v = malloc((np->n + 1) * sizeof *np->v);
    if (!np->v)
        return false;
    if (np->n)
        memcpy(np->v, args, np->n * sizeof *np->v);
    qsort(np->v, np->n, sizeof *np->v, by_name);
    return true;
}

bool named_paths_has(const named_paths *np, const char *path)
{
    return np->v && bsearch(&path, np->v, np->n, sizeof *np->v, by_name) != NULL;
}

void named_paths_free(named_paths *np)
{
    free(np->v);
    np->v = NULL;
    np->n = 0;
}
