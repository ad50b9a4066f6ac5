/* file_jobs.c - owns running a per-file function over the walked paths with
 * N threads while keeping the output in input order: files are taken in
 * windows of a few per thread, each file's output and error lines are kept
 * in memory until the files before it are printed. */
#include "common/cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct slot {
    char *out, *err;
    size_t nout, nerr;
    bool ok;
} slot;

typedef struct window {
    char **paths;
    slot *slots;
    size_t n;
    atomic_size_t next;
    file_out_fn fn;
    void *ctx;
    progress *prog;
} window;

static void *worker(void *arg)
{
    window *w = arg;
    for (size_t k; (k = atomic_fetch_add(&w->next, 1)) < w->n;) {
        slot *s = &w->slots[k];
        FILE *out = open_memstream(&s->out, &s->nout), *err = open_memstream(&s->err, &s->nerr);
        if (out && err)
            s->ok = w->fn(w->paths[k], w->ctx, out, err);
        else
            report_error_to(err ? err : stderr, w->paths[k], mg_status_reason(MG_ERR_NOMEM));
        if (out)
            fclose(out);
        if (err)
            fclose(err);
        progress_tick(w->prog);
    }
    return NULL;
}

/* the files of l, jobs at a time, printed in order */
static size_t run_parallel(pathlist *l, unsigned jobs, file_out_fn fn, void *ctx, progress *p)
{
    size_t failed = 0, per = (size_t)jobs * 8;
    slot *slots = calloc(per, sizeof *slots);
    if (!slots) {
        report_problem(mg_status_reason(MG_ERR_NOMEM));
        return l->n;
    }
    pthread_t tid[64];
    for (size_t base = 0; base < l->n; base += per) {
        window w = {.paths = l->v + base, .slots = slots, .n = l->n - base < per ? l->n - base : per,
                    .fn = fn, .ctx = ctx, .prog = p};
        atomic_init(&w.next, 0);
        unsigned started = 0;
        for (unsigned t = 1; t < jobs && t < 64; t++)
            if (pthread_create(&tid[started], NULL, worker, &w) == 0)
                started++;
        worker(&w);
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        progress_pause(p);
        for (size_t k = 0; k < w.n; k++) {
            if (slots[k].nerr)
                progress_clear(p); /* an error line starts at column 0 */
            fwrite(slots[k].err, 1, slots[k].nerr, stderr);
            fwrite(slots[k].out, 1, slots[k].nout, stdout);
            failed += !slots[k].ok;
            free(slots[k].out);
            free(slots[k].err);
            slots[k] = (slot){0};
        }
        out_flush(stdout);
    }
    free(slots);
    return failed;
}

/* one file with its error lines kept until it is done: the progress line
 * is erased before them (stdout a terminal or not) */
static bool one_file(const char *path, file_out_fn fn, void *ctx, progress *p)
{
    if (!p)
        return fn(path, ctx, stdout, stderr);
    char *err = NULL;
    size_t nerr = 0;
    FILE *e = open_memstream(&err, &nerr);
    bool ok = fn(path, ctx, stdout, e ? e : stderr);
    if (e) {
        fclose(e);
        if (nerr) {
            progress_clear(p);
            fwrite(err, 1, nerr, stderr);
        }
        free(err);
    }
    return ok;
}

size_t run_files(char **paths, int n, bool recursive, unsigned jobs, file_out_fn fn, void *ctx,
                 const char *what)
{
    pathlist l = {0};
    size_t failed = walk_paths(paths, n, recursive, pathlist_add, &l);
    progress *p = progress_new(what, l.n);
    if (jobs > 1 && l.n > 1)
        failed += run_parallel(&l, jobs, fn, ctx, p);
    else
        for (size_t k = 0; k < l.n; k++) {
            progress_pause(p); /* output lines must not land after the progress text */
            if (!one_file(l.v[k], fn, ctx, p))
                failed++;
            out_flush(stdout);
            progress_tick(p);
        }
    progress_done(p);
    for (size_t k = 0; k < l.n; k++)
        free(l.v[k]);
    free(l.v);
    return failed;
}
