/* bench_index.c - times clustering N synthetic gimpfuzzy digests with the
 * similarity index against naive all-pairs fuzzy_compare, and checks that
 * both give the same edges.
 *
 * The digests are derived from the real corpus: every distinct gimphash
 * name list found under CORPUS_DIR is a base; a family takes a base, gives
 * its non-standard-library packages a family-specific owner, drops runs of
 * names (30%) and mixes names of other programs into others (10%), so that
 * two families made from one base are as far apart as two releases of a
 * program far apart in time; each sample of a family then gets random edits
 * (names deleted, inserted from the corpus's pool, renamed) of up to 3% of
 * its names.  Family sizes are skewed (a few large, many small; mean 20).
 *
 * Both sides produce the pairs scoring >= T (default 70) and the families
 * (connected components) at T.
 *
 * usage: bench_index CORPUS_DIR N [ROWS] [SEED] [T]
 *   ROWS = 0: naive compares all N(N-1)/2 pairs (equality checked on all edges)
 *   ROWS > 0: naive compares ROWS random samples against all others, its
 *             time is scaled to N(N-1)/2 pairs, equality checked on those rows
 * Both sides run on one thread; times are CPU seconds (the families-only
 * index time up to 10k: the median of 5 runs). */
#include "malgopher.h"
#include "index/allpairs.h" /* mg_pairs_naive: test-only */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t rng = 42;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* CPU time of the process: both sides run on one thread, and CPU time is
 * steadier than wall time on a shared machine */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- base name lists from the corpus ---- */
typedef struct list {
    char **name;
    size_t n;
} list;
static list *bases;
static size_t nbases;
static char **seen_hash;
static char **pool; /* every kept name, for insertions */
static size_t npool, cappool;

static char skip_dir[4200]; /* CORPUS/.cache/: the fetcher's downloads */

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F || !strncmp(path, skip_dir, strlen(skip_dir)))
        return 0;
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK)
        return 0;
    for (size_t i = 0; i < mg_file_image_count(f); i++) {
        const mg_image *im = mg_file_image(f, i);
        if (!im->is_go || (im->flags & MG_FLAG_NO_NAMES))
            continue;
        bool dup = false;
        for (size_t k = 0; k < nbases && !dup; k++)
            dup = !strcmp(seen_hash[k], im->gimphash);
        if (dup)
            continue;
        bases = realloc(bases, (nbases + 1) * sizeof *bases);
        seen_hash = realloc(seen_hash, (nbases + 1) * sizeof *seen_hash);
        seen_hash[nbases] = strdup(im->gimphash);
        list *l = &bases[nbases++];
        l->name = malloc(im->nfuncs * sizeof *l->name);
        l->n = 0;
        for (size_t k = 0; k < im->nfuncs; k++) {
            size_t start;
            if (!mg_gimphash_keep(im->funcs[k].name, im->funcs[k].name_len, &start))
                continue;
            char *s = strndup(im->funcs[k].name + start, im->funcs[k].name_len - start);
            l->name[l->n++] = s;
            if (npool == cappool) {
                cappool = cappool ? 2 * cappool : 4096;
                pool = realloc(pool, cappool * sizeof *pool);
            }
            pool[npool++] = s;
        }
    }
    mg_file_close(f);
    return 0;
}

/* ---- synthetic digests ---- */
static char *owner_rewrite(const char *name, unsigned fam)
{
    /* "host.tld/owner/rest" -> "host.tld/fNNN/rest" for non-stdlib paths */
    const char *slash = strchr(name, '/');
    const char *dot = strchr(name, '.');
    if (!slash || !dot || dot > slash)
        return strdup(name);
    const char *second = strchr(slash + 1, '/');
    char *out;
    if (asprintf(&out, "%.*s/f%u%s", (int)(slash - name), name, fam, second ? second : "") < 0)
        return NULL;
    return out;
}

static char *fresh_name(void)
{
    char *s;
    if (asprintf(&s, "github.com/gen%u/p%u.Func%u", rnd(1000), rnd(50), rnd(1000000)) < 0)
        return NULL;
    return s;
}

typedef struct edge_key {
    uint32_t a, b;
    int s;
} edge_key;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR N [ROWS] [SEED] [T]\n", argv[0]);
        return 2;
    }
    size_t N = strtoul(argv[2], NULL, 10);
    size_t rows = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
    rng = argc > 4 ? strtoull(argv[4], NULL, 10) | 1 : 42;
    int T = argc > 5 ? atoi(argv[5]) : 70;
    snprintf(skip_dir, sizeof skip_dir, "%s/.cache/", argv[1]);
    nftw(argv[1], visit, 32, FTW_PHYS);
    if (!nbases) {
        fprintf(stderr, "no Go executables under %s\n", argv[1]);
        return 1;
    }
    /* families */
    size_t F = N / 20 ? N / 20 : 1;
    list *fam = calloc(F, sizeof *fam);
    for (size_t f = 0; f < F; f++) {
        const list *b = &bases[rnd((uint32_t)nbases)];
        fam[f].name = malloc((2 * b->n + 1) * sizeof *fam[f].name);
        for (size_t k = 0; k < b->n;) {
            size_t run = 1 + rnd(40);
            uint32_t what = rnd(10);
            for (size_t r = 0; r < run && k < b->n; r++, k++) {
                if (what < 3)
                    continue; /* 30%: runs of names dropped */
                fam[f].name[fam[f].n++] = owner_rewrite(b->name[k], (unsigned)f);
                if (what == 3) /* 10%: runs with names of other programs mixed in */
                    fam[f].name[fam[f].n++] = strdup(pool[rnd((uint32_t)npool)]);
            }
        }
    }
    char **dig = malloc(N * sizeof *dig);
    uint32_t *family_of = malloc(N * sizeof *family_of);
    double t0 = now();
    const char **tmp = NULL;
    uint32_t *lens = NULL;
    size_t tmpcap = 0;
    for (size_t i = 0; i < N; i++) {
        double u = (rnd(1000000) + 0.5) / 1e6;
        size_t f = (size_t)(F * u * u); /* skewed: low ids are large families */
        family_of[i] = (uint32_t)f;
        const list *l = &fam[f];
        if (tmpcap < l->n + 64) {
            tmpcap = l->n + 64;
            tmp = realloc(tmp, tmpcap * sizeof *tmp);
            lens = realloc(lens, tmpcap * sizeof *lens);
        }
        size_t n = l->n;
        memcpy(tmp, l->name, n * sizeof *tmp);
        size_t edits = rnd((uint32_t)(n * 3 / 100 + 2));
        char *made[64];
        size_t nmade = 0;
        for (size_t e = 0; e < edits && n > 1; e++) {
            size_t at = rnd((uint32_t)n);
            switch (rnd(3)) {
            case 0:
                memmove(tmp + at, tmp + at + 1, (n - at - 1) * sizeof *tmp);
                n--;
                break;
            case 1:
                if (n < tmpcap) {
                    memmove(tmp + at + 1, tmp + at, (n - at) * sizeof *tmp);
                    tmp[at] = pool[rnd((uint32_t)npool)];
                    n++;
                }
                break;
            default:
                if (nmade < 64)
                    tmp[at] = made[nmade++] = fresh_name();
            }
        }
        for (size_t k = 0; k < n; k++)
            lens[k] = (uint32_t)strlen(tmp[k]);
        char hex[65], fz[160];
        mg_gimphash_names(tmp, lens, n, hex, fz);
        dig[i] = strdup(fz);
        for (size_t k = 0; k < nmade; k++)
            free(made[k]);
    }
    double t_gen = now() - t0;

    /* index: build, all pairs >= 1, families at 70 */
    mg_error e;
    mg_simindex *ix;
    mg_edge *ie;
    size_t nie, nfam;
    uint32_t *fam_ix = malloc(N * sizeof *fam_ix), *fam_nv = malloc(N * sizeof *fam_nv);
    t0 = now();
    double t_build = 0, t_pairs = 0;
    if (mg_simindex_build((const char *const *)dig, N, &ix, &e) != MG_OK ||
        (t_build = now() - t0, mg_simindex_pairs(ix, T, 1, false, &ie, &nie, &e)) != MG_OK ||
        (t_pairs = now() - t0 - t_build, mg_cluster_components(N, NULL, ie, nie, T, fam_ix, &nfam, &e)) != MG_OK) {
        fprintf(stderr, "index: %s\n", e.msg);
        return 1;
    }
    double t_index = now() - t0;
    /* families only (what clustering needs): pairs already linked are skipped.
     * A run takes a fraction of a second up to 10k digests, where a
     * neighbour's burst of load shows: the median of 5 runs there. */
    uint32_t *fam_only = malloc(N * sizeof *fam_only);
    size_t nfam_only;
    int reps = N <= 10000 ? 5 : 1;
    double t_runs[5];
    for (int r = 0; r < reps; r++) {
        mg_simindex_free(ix);
        t0 = now();
        if (mg_simindex_build((const char *const *)dig, N, &ix, &e) != MG_OK ||
            mg_simindex_families(ix, T, 1, fam_only, &nfam_only, &e) != MG_OK) {
            fprintf(stderr, "index: %s\n", e.msg);
            return 1;
        }
        t_runs[r] = now() - t0;
    }
    qsort(t_runs, (size_t)reps, sizeof *t_runs, by_double);
    double t_fam = t_runs[reps / 2];
    bool same_fam = nfam_only == nfam && !memcmp(fam_only, fam_ix, N * sizeof *fam_only);

    double t_naive, pairs_all = (double)N * (double)(N - 1) / 2;
    bool same = true;
    size_t checked_pairs = 0, nfam_nv = 0;
    if (rows == 0) {
        mg_edge *ne;
        size_t nne;
        t0 = now();
        if (mg_pairs_naive((const char *const *)dig, N, T, 1, &ne, &nne, &e) != MG_OK ||
            mg_cluster_components(N, NULL, ne, nne, T, fam_nv, &nfam_nv, &e) != MG_OK) {
            fprintf(stderr, "naive: %s\n", e.msg);
            return 1;
        }
        t_naive = now() - t0;
        same = nne == nie && !memcmp(ne, ie, nne * sizeof *ne) && nfam_nv == nfam &&
               !memcmp(fam_nv, fam_ix, N * sizeof *fam_nv);
        checked_pairs = (size_t)pairs_all;
        free(ne);
    } else {
        /* rows of the naive matrix: scores of q against every other digest */
        int *row = malloc(N * sizeof *row);
        int *want = malloc(N * sizeof *want);
        double spent = 0;
        for (size_t r = 0; r < rows; r++) {
            size_t q = rnd((uint32_t)N);
            double a = now();
            for (size_t j = 0; j < N; j++)
                row[j] = j == q ? 0 : mg_fuzzy_compare(dig[q], dig[j]);
            spent += now() - a;
            for (size_t j = 0; j < N; j++)
                want[j] = 0;
            for (size_t k = 0; k < nie; k++) { /* index edges at q */
                if (ie[k].a == q)
                    want[ie[k].b] = ie[k].score;
                else if (ie[k].b == q)
                    want[ie[k].a] = ie[k].score;
            }
            for (size_t j = 0; j < N; j++)
                if ((row[j] < T ? 0 : row[j]) != want[j])
                    same = false;
            checked_pairs += N - 1;
        }
        t_naive = spent * pairs_all / ((double)rows * (double)(N - 1));
        free(row);
        free(want);
    }
    size_t big = 0;
    uint32_t *cnt = calloc(F, sizeof *cnt);
    for (size_t i = 0; i < N; i++)
        cnt[family_of[i]]++;
    for (size_t f = 0; f < F; f++)
        big = cnt[f] > big ? cnt[f] : big;
    size_t uniq = 0;
    const uint32_t *rep = mg_simindex_reps(ix);
    for (size_t i = 0; i < N; i++)
        uniq += rep[i] == i;
    printf("N=%zu bases=%zu families=%zu (largest %zu) distinct_digests=%zu gen=%.1fs\n", N, nbases, F, big, uniq,
           t_gen);
    printf("index: %.3f s (build %.3f, pairs %.3f, components %.3f)  edges(score>=%d)=%zu  families@%d=%zu\n",
           t_index, t_build, t_pairs, t_index - t_build - t_pairs, T, nie, T, nfam);
    printf("index, families only: %.3f s%s  families@%d=%zu (same as from all edges: %s)\n", t_fam,
           reps > 1 ? " (median of 5)" : "", T, nfam_only, same_fam ? "yes" : "NO");
    printf("naive: %.3f s%s  pairs=%.0f\n", t_naive, rows ? " (scaled from sampled rows)" : "", pairs_all);
    printf("speedup: all edges %.1fx, families %.1fx  identical: %s (%zu pairs checked)\n", t_naive / t_index,
           t_naive / t_fam, same && same_fam ? "yes" : "NO", checked_pairs);
    return same && same_fam ? 0 : 1;
}
