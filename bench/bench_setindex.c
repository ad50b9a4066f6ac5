/* bench_setindex.c - time and memory of the gimpset index on synthetic
 * digests built from real name sets (the kept names of the Go files given).
 *
 * Default generator ("releases"): 90% of the digests are releases of a real
 * program: one real set (uniformly chosen) with a uniform 0-20% of its names
 * removed and as many new random names added; 10% are unrelated programs
 * (20-2000 random names of their own).
 * --harsh: a "program" keeps a random 30% of one real set's names plus 100
 * names of its own; each program has 10 variants (3% of its names removed,
 * 5 random names added): programs of one real set share ~18% of their slots.
 * The index is built and the families at T are computed (as
 * `cluster --measure set` does).
 *
 * usage: bench_setindex [--harsh] N T GOFILE...   (run it under /usr/bin/time -v) */
#include "malgopher.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAP 3000 /* names kept per real set */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

typedef struct base {
    char **names;
    uint32_t *lens;
    size_t n;
} base;

/* the releases generator, one thread's share (digests i = first + k*step);
 * every digest's randomness is seeded by its index alone */
typedef struct job {
    const base *bases;
    size_t nb, n, first, step;
    char *buf;
    const char **dig;
    bool ok;
} job;

static uint64_t rnd_at(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void *release_worker(void *arg)
{
    job *j = arg;
    const char **names = malloc((2 * CAP) * sizeof *names);
    uint32_t *lens = malloc((2 * CAP) * sizeof *lens);
    char(*own)[48] = malloc(2 * CAP * sizeof *own);
    if (!names || !lens || !own) {
        j->ok = false;
        return NULL;
    }
    for (size_t i = j->first; i < j->n; i += j->step) {
        uint64_t st = i * 104729 + 7;
        size_t m = 0, add;
        if (rnd_at(&st) % 100 < 10) {
            add = 20 + rnd_at(&st) % 1981; /* an unrelated program */
        } else {
            const base *b = &j->bases[rnd_at(&st) % j->nb];
            uint64_t drop = rnd_at(&st) % 2001; /* removed fraction, in 1/10000 */
            for (size_t k = 0; k < b->n; k++)
                if (rnd_at(&st) % 10000 >= drop)
                    names[m] = b->names[k], lens[m] = b->lens[k], m++;
            add = b->n - m; /* as many new names as removed */
        }
        for (size_t k = 0; k < add; k++) {
            int l = snprintf(own[k], sizeof own[k], "github.com/r%zu/new.F%zu", i, k);
            names[m] = own[k], lens[m] = (uint32_t)l, m++;
        }
        j->dig[i] = j->buf + i * MG_GIMPSET_LEN;
        mg_gimpset_names(names, lens, m, j->buf + i * MG_GIMPSET_LEN);
    }
    free(names);
    free(lens);
    free(own);
    j->ok = true;
    return NULL;
}

#define THREADS 2
static bool gen_releases(const base *bases, size_t nb, size_t n, char *buf, const char **dig)
{
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (size_t t = 0; t < THREADS; t++) {
        jobs[t] = (job){bases, nb, n, t, THREADS, buf, dig, false};
        if (pthread_create(&th[t], NULL, release_worker, &jobs[t]))
            return false;
    }
    bool ok = true;
    for (size_t t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        ok = ok && jobs[t].ok;
    }
    return ok;
}

int main(int argc, char **argv)
{
    bool harsh = argc > 1 && !strcmp(argv[1], "--harsh");
    if (harsh)
        argv++, argc--;
    if (argc < 4) {
        fprintf(stderr, "usage: bench_setindex [--harsh] N T GOFILE...\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    int t = atoi(argv[2]);
    base *bases = calloc((size_t)argc, sizeof *bases);
    size_t nb = 0;
    for (int a = 3; a < argc; a++) {
        mg_file *f;
        mg_error e;
        if (mg_file_open(argv[a], &f, &e) != MG_OK)
            continue;
        const mg_image *im = mg_file_image(f, 0);
        base *b = &bases[nb];
        b->names = malloc(CAP * sizeof *b->names);
        b->lens = malloc(CAP * sizeof *b->lens);
        b->n = 0;
        char one[MG_GIMPSET_LEN];
        for (size_t i = 0; im->is_go && i < im->nfuncs && b->n < CAP; i++) {
            const char *nm = im->funcs[i].name;
            uint32_t len = im->funcs[i].name_len;
            char *copy;
            if (mg_gimpset_names(&nm, &len, 1, one) == 1 && (copy = malloc(len + 1))) {
                memcpy(copy, nm, len);
                copy[len] = 0;
                b->lens[b->n] = len;
                b->names[b->n++] = copy;
            }
        }
        mg_file_close(f);
        if (b->n >= 20)
            nb++;
    }
    if (!nb) {
        fprintf(stderr, "bench_setindex: no Go file with 20 kept names\n");
        return 1;
    }
    double t0 = now();
    char *buf = malloc(n * MG_GIMPSET_LEN);
    const char **dig = malloc(n * sizeof *dig);
    const char **names = malloc((2 * CAP + 200) * sizeof *names);
    uint32_t *lens = malloc((2 * CAP + 200) * sizeof *lens);
    static char own[2 * CAP + 200][48];
    bool *keep = malloc(CAP);
    if (!buf || !dig || !names || !lens || !keep)
        return 1;
    if (!harsh && !gen_releases(bases, nb, n, buf, dig))
        return 1;
    for (size_t i = 0; i < n && harsh; i++) {
        size_t prog = i / 10;
        rng_state = prog * 7919 + 1;
        const base *b = &bases[rnd() % nb];
        for (size_t k = 0; k < b->n; k++)
            keep[k] = rnd() % 100 < 30;
        size_t m = 0;
        for (size_t k = 0; k < 100; k++)
            snprintf(own[k], sizeof own[k], "github.com/p%zu/own.F%zu", prog, k);
        rng_state = i * 104729 + 3; /* the variant */
        for (size_t k = 0; k < b->n; k++)
            if (keep[k] && rnd() % 100 >= 3)
                names[m] = b->names[k], lens[m] = (uint32_t)strlen(b->names[k]), m++;
        for (size_t k = 0; k < 100; k++)
            if (rnd() % 100 >= 3)
                names[m] = own[k], lens[m] = (uint32_t)strlen(own[k]), m++;
        for (size_t k = 0; k < 5; k++) {
            snprintf(own[100 + k], sizeof own[0], "github.com/x/r.N%llu", (unsigned long long)(rnd() % 1000000));
            names[m] = own[100 + k], lens[m] = (uint32_t)strlen(own[100 + k]), m++;
        }
        dig[i] = buf + i * MG_GIMPSET_LEN;
        mg_gimpset_names(names, lens, m, buf + i * MG_GIMPSET_LEN);
    }
    double t1 = now();
    mg_setindex *ix;
    mg_error e;
    if (mg_setindex_build(dig, n, &ix, &e) != MG_OK) {
        fprintf(stderr, "bench_setindex: %s\n", e.msg);
        return 1;
    }
    free(buf); /* the index holds the decoded slots */
    double t2 = now();
    uint32_t *fam = malloc((n ? n : 1) * sizeof *fam);
    size_t nfam = 0;
    if (!fam || mg_setindex_families(ix, t, fam, &nfam, &e) != MG_OK) {
        fprintf(stderr, "bench_setindex: %s\n", e.msg);
        return 1;
    }
    double t3 = now();
    printf("%s: digests %zu (from %zu real sets), T %d: generate %.1f s, build %.1f s, families %.1f s "
           "(index total %.1f s), %zu families\n",
           harsh ? "harsh" : "releases", n, nb, t, t1 - t0, t2 - t1, t3 - t2, t3 - t1, nfam);
    mg_setindex_free(ix);
    return 0;
}
