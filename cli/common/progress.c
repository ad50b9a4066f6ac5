/* progress.c - owns the progress line on stderr (files done, rate, ETA),
 * drawn only when stderr is a terminal, at most ten times a second, and
 * erased when the work is done so that it never mixes with real output,
 * and before an error line (report_error_to stderr calls
 * progress_clear_active). */
#include "common/cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
    const char *what;
    size_t total;
    atomic_size_t done;
    double t0, last;
    bool drawn, share_tty; /* the line is on screen; stdout is a terminal too */
    pthread_mutex_t mu;
};

static _Atomic(progress *) active; /* the running line, for errors written elsewhere */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

progress *progress_new(const char *what, size_t total)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->what = what;
    p->total = total;
    atomic_init(&p->done, 0);
    p->t0 = p->last = now();
    p->share_tty = isatty(STDOUT_FILENO);
    pthread_mutex_init(&p->mu, NULL);
    atomic_store(&active, p);
    return p;
}

static void draw(progress *p, size_t done, double t)
{
    double el = t - p->t0, rate = el > 0 ? done / el : 0;
    fprintf(stderr, "\r\033[K%s: %zu/%zu files", p->what, done, p->total);
    if (p->total)
        fprintf(stderr, " (%zu%%)", done * 100 / p->total);
    fprintf(stderr, "  %.1f files/s", rate);
    if (rate > 0 && done < p->total) {
        unsigned long eta = (unsigned long)((p->total - done) / rate + 0.5);
        fprintf(stderr, "  ETA %lu:%02lu", eta / 60, eta % 60);
    }
    fflush(stderr);
}

void progress_tick(progress *p)
{
    if (!p)
        return;
    size_t done = atomic_fetch_add(&p->done, 1) + 1;
    if (pthread_mutex_trylock(&p->mu) != 0)
        return; /* another thread is drawing */
    double t = now();
    if (t - p->last >= 0.1 || done == p->total) {
        p->last = t;
        draw(p, done, t);
        p->drawn = true;
    }
    pthread_mutex_unlock(&p->mu);
}

void progress_pause(progress *p)
{
    if (p && p->share_tty)
        progress_clear(p);
}

void progress_clear(progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
    pthread_mutex_unlock(&p->mu);
}

void progress_clear_active(void)
{
    progress_clear(atomic_load(&active));
}

void progress_done(progress *p)
{
    if (!p)
        return;
    progress *me = p;
    atomic_compare_exchange_strong(&active, &me, NULL);
    fputs("\r\033[K", stderr);
    fflush(stderr);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
