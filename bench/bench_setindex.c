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
 * The generator works on name hashes (gimpset step 5): each real set's
 * names are hashed once (and its digest from the hashes checked against the
 * library's digest of the names); a new random name is a random 64-bit hash.
 * The index is built and the families at T are computed (as
 * `cluster --measure set` does).
 *
 * usage: bench_setindex [--harsh] N T GOFILE...   (run it under /usr/bin/time -v) */
#include "malgopher.h"
#include "fp/gimpset.h" /* the sketch from name hashes */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define CAP 3000 /* names kept per real set */

/* CPU seconds (user + sys) of the process so far */
static double cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* one real set: the 64-bit hashes of its kept names (gimpset step 5) */
typedef struct base {
    uint64_t *h;
    size_t n;
} base;

/* splitmix64 over a state: every digest's randomness is seeded by its index
 * alone; a new random name is a fresh random 64-bit hash (what a new name's
 * hash is: the name hash is a splitmix finaliser) */
static uint64_t rnd_at(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

typedef struct job {
    const base *bases;
    size_t nb, n, first, step;
    bool harsh;
    char *buf;
    const char **dig;
    bool ok;
} job;

/* releases: 10% unrelated (20-2000 random names), else one real set with a
 * uniform 0-20% of its names removed and as many random names added */
static void release(mg_gset *g, const job *j, size_t i)
{
    uint64_t st = i * 104729 + 7;
    size_t add;
    if (rnd_at(&st) % 100 < 10) {
        add = 20 + rnd_at(&st) % 1981; /* an unrelated program */
    } else {
        const base *b = &j->bases[rnd_at(&st) % j->nb];
        uint64_t drop = rnd_at(&st) % 2001; /* removed fraction, in 1/10000 */
        size_t m = 0;
        for (size_t k = 0; k < b->n; k++)
            if (rnd_at(&st) % 10000 >= drop)
                mg_gset_add_hash(g, b->h[k]), m++;
        add = b->n - m; /* as many new names as removed */
    }
    for (size_t k = 0; k < add; k++)
        mg_gset_add_hash(g, rnd_at(&st));
}

/* harsh: program i/10 keeps a random 30% of one real set plus 100 names of
 * its own; its variant i drops 3% of those and adds 5 names drawn from a
 * pool of 1,000,000 */
static void harsh(mg_gset *g, const job *j, size_t i)
{
    size_t prog = i / 10;
    uint64_t ps = prog * 7919 + 1, vs = i * 104729 + 3;
    const base *b = &j->bases[rnd_at(&ps) % j->nb];
    for (size_t k = 0; k < b->n; k++)
        if (rnd_at(&ps) % 100 < 30 && rnd_at(&vs) % 100 >= 3)
            mg_gset_add_hash(g, b->h[k]);
    for (size_t k = 0; k < 100; k++) {
        uint64_t own = (prog << 8 | k) ^ 0x5bd1e995u;
        uint64_t h = rnd_at(&own);
        if (rnd_at(&vs) % 100 >= 3)
            mg_gset_add_hash(g, h);
    }
    for (size_t k = 0; k < 5; k++) {
        uint64_t pool = rnd_at(&vs) % 1000000 + 0x9e37u;
        mg_gset_add_hash(g, rnd_at(&pool));
    }
}

/* one thread's share of the digests (i = first + k*step) */
static void *worker(void *arg)
{
    job *j = arg;
    mg_gset *g = mg_gset_new();
    if (!g)
        return NULL;
    for (size_t i = j->first; i < j->n; i += j->step) {
        mg_gset_reset(g);
        (j->harsh ? harsh : release)(g, j, i);
        j->dig[i] = j->buf + i * MG_GIMPSET_LEN;
        mg_gset_finish(g, j->buf + i * MG_GIMPSET_LEN);
    }
    mg_gset_free(g);
    j->ok = true;
    return NULL;
}

#define THREADS 2
static bool generate(const base *bases, size_t nb, size_t n, bool hs, char *buf, const char **dig)
{
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (size_t t = 0; t < THREADS; t++) {
        jobs[t] = (job){bases, nb, n, t, THREADS, hs, buf, dig, false};
        if (pthread_create(&th[t], NULL, worker, &jobs[t]))
            return false;
    }
    bool ok = true;
    for (size_t t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        ok = ok && jobs[t].ok;
    }
    return ok;
}

/* one real set's kept names and their hashes; the digest from the hashes
 * must be the library's digest of the names (so the generator cannot drift
 * from gimpset) */
static bool load_base(const char *path, base *b)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK)
        return false;
    const mg_image *im = mg_file_image(f, 0);
    const char **names = malloc(CAP * sizeof *names);
    uint32_t *lens = malloc(CAP * sizeof *lens);
    b->h = malloc(CAP * sizeof *b->h);
    b->n = 0;
    mg_gset *g = mg_gset_new();
    bool ok = names && lens && b->h && g;
    for (size_t i = 0; ok && im->is_go && i < im->nfuncs && b->n < CAP; i++) {
        uint64_t h;
        if (mg_gset_hash(g, im->funcs[i].name, im->funcs[i].name_len, &h)) {
            names[b->n] = im->funcs[i].name;
            lens[b->n] = im->funcs[i].name_len;
            b->h[b->n++] = h;
        }
    }
    char want[MG_GIMPSET_LEN], got[MG_GIMPSET_LEN];
    if (ok && b->n >= 20) {
        mg_gimpset_names(names, lens, b->n, want);
        mg_gset_reset(g);
        for (size_t k = 0; k < b->n; k++)
            mg_gset_add_hash(g, b->h[k]);
        mg_gset_finish(g, got);
        if (strcmp(want, got)) {
            fprintf(stderr, "bench_setindex: %s: the digest from hashes is not the library's\n", path);
            exit(1);
        }
    }
    mg_gset_free(g);
    free(names);
    free(lens);
    mg_file_close(f);
    return ok && b->n >= 20;
}

int main(int argc, char **argv)
{
    bool hs = argc > 1 && !strcmp(argv[1], "--harsh");
    if (hs)
        argv++, argc--;
    if (argc < 4) {
        fprintf(stderr, "usage: bench_setindex [--harsh] N T GOFILE...\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    int t = atoi(argv[2]);
    base *bases = calloc((size_t)argc, sizeof *bases);
    size_t nb = 0;
    for (int a = 3; a < argc; a++)
        if (load_base(argv[a], &bases[nb]))
            nb++;
    if (!nb) {
        fprintf(stderr, "bench_setindex: no Go file with 20 kept names\n");
        return 1;
    }
    double t0 = now(), c0 = cpu();
    char *buf = malloc(n * MG_GIMPSET_LEN);
    const char **dig = malloc(n * sizeof *dig);
    if (!buf || !dig || !generate(bases, nb, n, hs, buf, dig))
        return 1;
    double t1 = now(), c1 = cpu();
    mg_setindex *ix;
    mg_error e;
    if (mg_setindex_build(dig, n, &ix, &e) != MG_OK) {
        fprintf(stderr, "bench_setindex: %s\n", e.msg);
        return 1;
    }
    free(buf); /* the index holds the decoded slots */
    double t2 = now(), c2 = cpu();
    uint32_t *fam = malloc((n ? n : 1) * sizeof *fam);
    size_t nfam = 0;
    if (!fam || mg_setindex_families(ix, t, fam, &nfam, &e) != MG_OK) {
        fprintf(stderr, "bench_setindex: %s\n", e.msg);
        return 1;
    }
    double t3 = now(), c3 = cpu();
    printf("%s: digests %zu (from %zu real sets), T %d: generate %.1f s (CPU %.1f s), build %.1f s "
           "(CPU %.1f s), families %.1f s (CPU %.1f s), index total %.1f s (CPU %.1f s), %zu families\n",
           hs ? "harsh" : "releases", n, nb, t, t1 - t0, c1 - c0, t2 - t1, c2 - c1, t3 - t2, c3 - c2,
           t3 - t1, c3 - c1, nfam);
    mg_setindex_free(ix);
    return 0;
}
