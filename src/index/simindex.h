/* simindex.h - the similarity index's insides, shared by the files that
 * build it (simindex_build.c, simindex_grams.c), search its pairs
 * (simindex_pairs.c, simindex_threads.c) and answer queries
 * (simindex_query.c).  The public contract is in malgopher.h.
 *
 * fuzzy_compare scores two digests above 0 only when they are identical
 * after normalisation, or when two of their signatures taken at the same
 * block size share a 7-character substring (sig1 of a digest sits at block
 * size bs, sig2 at 2*bs).  So: one posting list per (effective block size,
 * 7-gram) gives every candidate pair, identical digests are folded into one
 * "unit" up front, candidates that cannot reach the wanted score are dropped
 * by exact upper bounds (ssdeep_score.h), and the rest are scored with the
 * same arithmetic as libfuzzy (common substring, LCS-based distance, small
 * block-size cap; the tests compare every pair with fuzzy_compare).
 * Digests spelled oddly (see ssdeep_parse.h) go to fuzzy_compare itself,
 * against everything. */
#ifndef MG_INDEX_SIMINDEX_H
#define MG_INDEX_SIMINDEX_H

#include "index/edge_list.h"
#include "malgopher.h"
#include "fp/ssdeep_parse.h"
#include "fp/ssdeep_score.h"

/* the entries of one gram's run that follow a unit's own: gunit[from..end) */
typedef struct span {
    uint32_t from, end;
} span;

typedef struct unit {  /* one distinct normalised digest */
    uint64_t bs;
    uint32_t off;      /* sig1 then sig2 in ix->sigs */
    uint8_t len1, len2;
    uint32_t first;    /* its representative (smallest input index) */
} unit;

struct mg_simindex {
    const char *const *dig;
    size_t n;
    uint32_t *rep;                 /* n */
    unit *units;
    size_t nunits;
    char *sigs;
    uint32_t *mstart, *members;    /* input indices of each unit, ascending */
    uint32_t *odd;                 /* input indices of odd digests */
    size_t nodd;
    uint64_t *grams;               /* sorted: gram hash (top 33 bits) | unit */
    size_t ngrams;
    uint32_t *gunit;               /* per entry: its unit (the low bits of grams) */
    span *spans;                   /* per unit, from pstart: the later units of its runs */
    uint32_t *pstart;
    uint8_t (*hist)[2][64];        /* per unit: character histograms of sig1, sig2 */
    uint32_t *htab;                /* content hash -> unit + 1 (0 = empty) */
    size_t hmask;
    size_t longest_run, ndense;    /* the longest posting list; lists over MG_DENSE_RUN */
    uint64_t pair_work;            /* sum over the lists of len * (len - 1) / 2 */
};

/* Pairs mode walks every list from each of its units: when that is more
 * than MG_PAIR_WORK_BASE + MG_PAIR_WORK_PER_DIGEST * n steps, it refuses
 * the index ("too costly").  A posting list longer than MG_DENSE_RUN is
 * dense (simindex_dense.c): the forest search skips a dense list
 * once its units are all in one family, and otherwise looks only at the
 * next MG_DENSE_WINDOW units of it after a few full passes (counted, and
 * reported as cut). */
#define MG_PAIR_WORK_BASE (UINT64_C(1) << 29)
#define MG_PAIR_WORK_PER_DIGEST UINT64_C(1024)
#define MG_DENSE_RUN 1024u
#define MG_DENSE_FULL_PASSES 4u
#define MG_DENSE_WINDOW 64u

typedef struct mg_dense_slot { /* one dense list's state, per worker */
    uint32_t key;     /* the list's end index + 1 (0: empty slot) */
    uint32_t uniform; /* a unit + 1 whose family held the whole list then */
    uint32_t passes;  /* full passes made without finding it uniform */
} mg_dense_slot;

/* A gram entry is its hash's top 33 bits above a 31-bit unit number.  Two
 * grams whose hashes share those bits share a run: that only adds
 * candidates, which the exact scoring then drops. */
#define MG_UNIT_BITS 31u
#define MG_UNIT_MASK ((UINT64_C(1) << MG_UNIT_BITS) - 1)

/* a 64-bit finaliser (MurmurHash3's) */
static inline uint64_t mg_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* ---- simindex_build.c ---- */
/* unit with d's content, or UINT32_MAX; *slot (if not NULL) = where it would go */
uint32_t mg_simindex_find_unit(const mg_simindex *ix, const mg_digest *d, size_t *slot);
/* how many digests were indexed */
size_t mg_simindex_size(const mg_simindex *ix);

/* ---- simindex_grams.c: the posting lists ---- */
/* 7-grams in a signature of len characters */
static inline size_t mg_ngrams_of(size_t len)
{
    return len >= MG_GRAM ? len - MG_GRAM + 1 : 0;
}
/* the seed of the grams taken at an effective block size */
uint64_t mg_gram_seed(uint64_t level);
/* hash of the 7-gram at g under a level seed */
uint64_t mg_gram_hash(uint64_t seed, const char *g);
/* fill grams, gunit, spans and pstart from the units; false: out of memory */
bool mg_simindex_build_grams(mg_simindex *ix);
/* index of the first entry whose hash part equals hp, or ngrams */
size_t mg_gram_lower_bound(const mg_simindex *ix, uint64_t hp);

/* ---- simindex_pairs.c: one thread's share of the pair search ---- */
typedef struct mg_simworker {
    const mg_simindex *ix;
    int min_score;
    unsigned id, nthreads;
    uint32_t *mark;   /* per unit: last unit that proposed it */
    uint32_t *cand;   /* candidate units of the current unit */
    mg_sigmask m1, m2; /* the current unit's signatures, for the score bound */
    mg_sigjob *job;    /* up to 2 per candidate */
    uint32_t *job_of;
    int *job_score;
    const uint8_t (*need)[MG_SIG_MAX + 1]; /* mg_lcs_needed(la, lb, min_score) */
    uint32_t *uf;      /* families only: union-find over the nodes (unit u is node
                          u, odd digest k is node nunits + k), else NULL */
    mg_edgevec out;   /* pairs of representatives */
    size_t max_out;   /* pairs mode: stop past this many (0: no bound) */
    bool capped;      /* ... and it was reached: out is incomplete */
    mg_dense_slot *dense; /* forest mode: the dense lists' states (simindex_dense.c) */
    size_t dense_mask;
    uint64_t dense_cut;   /* dense lists looked at only in part */
} mg_simworker;

/* ---- simindex_dense.c ---- */
/* the state of the dense list ending at end (create: make it when new,
 * else NULL for a list never seen dense) */
mg_dense_slot *mg_dense_slot_of(mg_simworker *w, uint32_t end, bool create);
/* after unit u's links: record the dense lists of u now inside u's family */
void mg_dense_after_unit(mg_simworker *w, uint32_t u);
/* allocate w's dense table (forest mode); false: out of memory */
bool mg_dense_alloc(mg_simworker *w);

/* Pairs mode keeps every pair scoring >= the threshold: at most this many
 * for n digests (memory linear in the input); past it the search stops and
 * mg_simindex_pairs says "too costly" (families can still be had from
 * mg_simindex_forest, which keeps at most one link per digest). */
#define MG_PAIRS_PER_DIGEST 64u
#define MG_PAIRS_BASE (4u << 20)
/* oddly spelled digests are compared with everything: at most this many
 * comparisons */
#define MG_ODD_COMPARES (UINT64_C(100) << 20)

/* the pairs of units u = id, id + nthreads, ... and of odd digests likewise
 * (a pthread start routine; arg is an mg_simworker) */
void *mg_simindex_pairs_worker(void *arg);

/* ---- simindex_threads.c ---- */
/* The representative pairs scoring >= min_score, ordered, malloc'd into *re.
 * forest: only enough of them to link every family (a pair already linked
 * through others is not scored).  false: out of memory. */
bool mg_simindex_run_workers(const mg_simindex *ix, int min_score, unsigned nthreads, bool forest,
                             mg_edge **re, size_t *nre, bool *capped, uint64_t *dense_cut);
/* the pair bound for ix (MG_PAIRS_PER_DIGEST * n + MG_PAIRS_BASE) */
size_t mg_simindex_max_pairs(const mg_simindex *ix);
/* nthreads clamped to 1..256 */
unsigned mg_simindex_threads(unsigned n);

/* The links of a spanning forest of the families at threshold t (t clamped
 * to 1..100): pairs of representatives, ordered.  With reps, they give the
 * same components as every pair >= t.  src/cluster/ builds families on it. */
mg_status mg_simindex_forest(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links, size_t *nlinks,
                             mg_error *err);
/* the same, with the count of dense lists looked at only in part */
mg_status mg_simindex_forest_cut(const mg_simindex *ix, int t, unsigned nthreads, mg_edge **links,
                                 size_t *nlinks, uint64_t *dense_cut, mg_error *err);

#endif
