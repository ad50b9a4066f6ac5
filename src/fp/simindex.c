/* simindex.c - owns the exact similarity index over ssdeep digests.
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
#include "edges.h"
#include "ssdeep_parse.h"
#include "ssdeep_score.h"
#include "util/bigbuf.h"
#include "util/error.h"

#include <fuzzy.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* the seed of the grams taken at an effective block size */
static uint64_t level_seed(uint64_t level)
{
    return mix64(level + 0x9e3779b97f4a7c15u);
}

/* hash of the 7-gram at g under a level seed */
static uint64_t gram_hash(uint64_t seed, const char *g)
{
    uint64_t w = 0;
    for (int i = 0; i < MG_GRAM; i++)
        w = (w << 8) | (unsigned char)g[i];
    return mix64(w ^ seed);
}

/* FNV-1a over the normalised content */
static uint64_t content_hash(const mg_digest *d)
{
    uint64_t h = 1469598103934665603u ^ mix64(d->bs ^ ((uint64_t)d->len1 << 48) ^ ((uint64_t)d->len2 << 56));
    for (size_t i = 0; i < d->len1; i++)
        h = (h ^ (unsigned char)d->sig1[i]) * 1099511628211u;
    h = (h ^ 0x3a) * 1099511628211u;
    for (size_t i = 0; i < d->len2; i++)
        h = (h ^ (unsigned char)d->sig2[i]) * 1099511628211u;
    return mix64(h);
}

static bool same_content(const mg_simindex *ix, const unit *u, const mg_digest *d)
{
    return u->bs == d->bs && u->len1 == d->len1 && u->len2 == d->len2 &&
           !memcmp(ix->sigs + u->off, d->sig1, d->len1) &&
           !memcmp(ix->sigs + u->off + u->len1, d->sig2, d->len2);
}

/* unit with d's content, or UINT32_MAX; *slot = where it would go */
static uint32_t find_unit(const mg_simindex *ix, const mg_digest *d, size_t *slot)
{
    size_t k = content_hash(d) & ix->hmask;
    for (; ix->htab[k]; k = (k + 1) & ix->hmask)
        if (same_content(ix, &ix->units[ix->htab[k] - 1], d))
            break;
    if (slot)
        *slot = k;
    return ix->htab[k] ? ix->htab[k] - 1 : UINT32_MAX;
}

/* A gram entry is its hash's top 33 bits above a 31-bit unit number.  Two
 * grams whose hashes share those bits share a run: that only adds
 * candidates, which the exact scoring then drops. */
#define UNIT_BITS 31u
#define UNIT_MASK ((UINT64_C(1) << UNIT_BITS) - 1)

/* Stable LSD radix sort on the hash bits only, 11 bits a pass (3 passes):
 * the entries are made in unit order, so each run stays sorted by unit.
 * Returns the buffer (a or tmp) that holds the sorted keys. */
static uint64_t *radix_sort_hash(uint64_t *a, uint64_t *tmp, size_t n)
{
    static const unsigned bits = 11;
    size_t cnt[1u << 11];
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = UNIT_BITS; shift < 64; shift += bits) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(src[i] >> shift) & ((1u << bits) - 1)]++;
        if (n && cnt[(src[0] >> shift) & ((1u << bits) - 1)] == n)
            continue; /* every key has this digit: nothing moves */
        size_t sum = 0;
        for (size_t b = 0; b < (1u << bits); b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & ((1u << bits) - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

static size_t ngrams_of(size_t len)
{
    return len >= MG_GRAM ? len - MG_GRAM + 1 : 0;
}

/* index of the first entry whose hash part equals hp, or ngrams */
static size_t gram_lower_bound(const mg_simindex *ix, uint64_t hp)
{
    size_t lo = 0, hi = ix->ngrams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->grams[mid] < hp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool build_grams(mg_simindex *ix)
{
    size_t total = 0;
    for (size_t u = 0; u < ix->nunits; u++)
        total += ngrams_of(ix->units[u].len1) + ngrams_of(ix->units[u].len2);
    const uint64_t mask = UNIT_MASK;
    ix->grams = mg_bigbuf_alloc(total * sizeof *ix->grams);
    uint64_t *tmp = mg_bigbuf_alloc(total * sizeof *tmp);
    if (!ix->grams || !tmp) {
        free(tmp);
        return false;
    }
    size_t k = 0;
    for (size_t u = 0; u < ix->nunits; u++) {
        const unit *un = &ix->units[u];
        const char *s1 = ix->sigs + un->off, *s2 = s1 + un->len1;
        uint64_t seed1 = level_seed(un->bs), seed2 = level_seed(2 * un->bs);
        for (size_t i = 0; i < ngrams_of(un->len1); i++)
            ix->grams[k++] = (gram_hash(seed1, s1 + i) & ~mask) | u;
        for (size_t i = 0; i < ngrams_of(un->len2); i++)
            ix->grams[k++] = (gram_hash(seed2, s2 + i) & ~mask) | u;
    }
    if (radix_sort_hash(ix->grams, tmp, total) == tmp) {
        uint64_t *t = ix->grams;
        ix->grams = tmp;
        tmp = t;
    }
    /* a gram repeated within one signature: keep one entry */
    size_t kept = 0;
    for (size_t k = 0; k < total; k++)
        if (kept == 0 || ix->grams[k] != ix->grams[kept - 1])
            ix->grams[kept++] = ix->grams[k];
    total = kept;
    ix->ngrams = total;
    /* tmp (8 bytes an entry) now holds the spans (at most one an entry) */
    ix->spans = (span *)tmp;
    ix->gunit = mg_bigbuf_alloc(total * sizeof *ix->gunit);
    ix->pstart = calloc(ix->nunits + 1, sizeof *ix->pstart);
    uint32_t *fill = malloc((ix->nunits ? ix->nunits : 1) * sizeof *fill);
    if (total >= UINT32_MAX || !ix->gunit || !ix->pstart || !fill) {
        free(fill);
        return false;
    }
    /* two passes over the runs: count each unit's spans, then place them
     * (a unit last in its run has none there) */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t r = 0, e; r < total; r = e) {
            for (e = r + 1; e < total && (ix->grams[e] & ~mask) == (ix->grams[r] & ~mask); e++)
                ;
            for (size_t k = r; k + 1 < e; k++) {
                uint32_t u = (uint32_t)(ix->grams[k] & mask);
                if (pass == 0)
                    ix->pstart[u + 1]++;
                else
                    ix->spans[fill[u]++] = (span){(uint32_t)k + 1, (uint32_t)e};
            }
        }
        if (pass == 0) {
            for (size_t u = 0; u < ix->nunits; u++)
                ix->pstart[u + 1] += ix->pstart[u];
            memcpy(fill, ix->pstart, ix->nunits * sizeof *fill);
        }
    }
    for (size_t k = 0; k < total; k++)
        ix->gunit[k] = (uint32_t)(ix->grams[k] & mask);
    free(fill);
    return true;
}

static bool build_members(mg_simindex *ix, const uint32_t *unit_of)
{
    ix->mstart = calloc(ix->nunits + 1, sizeof *ix->mstart);
    ix->members = malloc((ix->n ? ix->n : 1) * sizeof *ix->members);
    if (!ix->mstart || !ix->members)
        return false;
    for (size_t i = 0; i < ix->n; i++)
        if (unit_of[i] != UINT32_MAX)
            ix->mstart[unit_of[i] + 1]++;
    for (size_t u = 0; u < ix->nunits; u++)
        ix->mstart[u + 1] += ix->mstart[u];
    uint32_t *fill = malloc((ix->nunits ? ix->nunits : 1) * sizeof *fill);
    if (!fill)
        return false;
    memcpy(fill, ix->mstart, ix->nunits * sizeof *fill);
    for (size_t i = 0; i < ix->n; i++)
        if (unit_of[i] != UINT32_MAX)
            ix->members[fill[unit_of[i]]++] = (uint32_t)i;
    free(fill);
    return true;
}

mg_status mg_simindex_build(const char *const *digests, size_t n, mg_simindex **out, mg_error *err)
{
    *out = NULL;
    if (n >= UINT32_MAX / 2)
        return mg_fail(err, MG_ERR_ARG, "too many digests (%zu)", n);
    mg_simindex *ix = calloc(1, sizeof *ix);
    if (!ix)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    ix->dig = digests;
    ix->n = n;
    size_t hcap = 16;
    while (hcap < 2 * n)
        hcap *= 2;
    ix->hmask = hcap - 1;
    uint32_t *unit_of = malloc((n ? n : 1) * sizeof *unit_of);
    ix->rep = malloc((n ? n : 1) * sizeof *ix->rep);
    ix->units = malloc((n ? n : 1) * sizeof *ix->units);
    ix->sigs = mg_bigbuf_alloc(n * 2 * MG_SIG_MAX);
    ix->odd = malloc((n ? n : 1) * sizeof *ix->odd);
    ix->htab = calloc(hcap, sizeof *ix->htab);
    if (!unit_of || !ix->rep || !ix->units || !ix->sigs || !ix->odd || !ix->htab)
        goto nomem;
    size_t sig_at = 0;
    for (size_t i = 0; i < n; i++) {
        mg_digest d;
        mg_digest_kind kind = digests[i] ? mg_digest_parse(digests[i], &d) : MG_DIGEST_DEAD;
        unit_of[i] = UINT32_MAX;
        ix->rep[i] = (uint32_t)i;
        if (kind == MG_DIGEST_ODD)
            ix->odd[ix->nodd++] = (uint32_t)i;
        if (kind != MG_DIGEST_STRICT)
            continue;
        size_t slot;
        uint32_t u = find_unit(ix, &d, &slot);
        if (u == UINT32_MAX) {
            u = (uint32_t)ix->nunits++;
            unit *un = &ix->units[u];
            *un = (unit){d.bs, (uint32_t)sig_at, d.len1, d.len2, (uint32_t)i};
            memcpy(ix->sigs + sig_at, d.sig1, d.len1);
            memcpy(ix->sigs + sig_at + d.len1, d.sig2, d.len2);
            sig_at += (size_t)d.len1 + d.len2;
            ix->htab[slot] = u + 1;
        }
        unit_of[i] = u;
        ix->rep[i] = ix->units[u].first;
    }
    if (!build_members(ix, unit_of) || !build_grams(ix))
        goto nomem;
    if (!(ix->hist = mg_bigbuf_alloc(ix->nunits * sizeof *ix->hist)))
        goto nomem;
    for (size_t u = 0; u < ix->nunits; u++) {
        const unit *un = &ix->units[u];
        mg_sighist_init(ix->hist[u][0], ix->sigs + un->off, un->len1);
        mg_sighist_init(ix->hist[u][1], ix->sigs + un->off + un->len1, un->len2);
    }
    free(unit_of);
    *out = ix;
    return MG_OK;
nomem:
    free(unit_of);
    mg_simindex_free(ix);
    return mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

void mg_simindex_free(mg_simindex *ix)
{
    if (!ix)
        return;
    free(ix->rep);
    free(ix->units);
    free(ix->sigs);
    free(ix->mstart);
    free(ix->members);
    free(ix->odd);
    free(ix->grams);
    free(ix->gunit);
    free(ix->spans);
    free(ix->hist);
    free(ix->pstart);
    free(ix->htab);
    free(ix);
}

const uint32_t *mg_simindex_reps(const mg_simindex *ix)
{
    return ix->rep;
}

/* ---- all pairs ---- */

typedef struct worker {
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
} worker;

static inline uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* families only: true when nodes na and nb are not linked yet (so their
 * score matters); found() records each link */
static inline bool unlinked(worker *w, uint32_t na, uint32_t nb)
{
    return !w->uf || uf_find(w->uf, na) != uf_find(w->uf, nb);
}

/* input indices a and b (nodes na and nb) score s >= min_score */
static void found(worker *w, uint32_t a, uint32_t b, int s, uint32_t na, uint32_t nb)
{
    mg_edgevec_push(&w->out, a < b ? a : b, a < b ? b : a, s);
    if (w->uf)
        w->uf[uf_find(w->uf, na)] = uf_find(w->uf, nb);
}

/* Queue the signature comparisons fuzzy_compare would make between unit u
 * (masks in w) and unit v, as their block sizes dictate, leaving out those
 * whose character histograms already rule out min_score.  Returns how many
 * were queued (0-2). */
static int queue_jobs(const mg_simindex *ix, const worker *w, uint32_t ui, uint32_t vi, mg_sigjob *job)
{
    const unit *u = &ix->units[ui], *v = &ix->units[vi];
    const char *v1 = ix->sigs + v->off, *v2 = v1 + v->len1;
    const mg_sigmask *ma[2] = {&w->m1, &w->m2};
    int sa[2] = {-1, -1}, sb[2] = {-1, -1}; /* which signatures meet */
    uint64_t bs[2] = {0, 0};
    if (u->bs == v->bs) {
        sa[0] = 0, sb[0] = 0, bs[0] = u->bs;
        sa[1] = 1, sb[1] = 1, bs[1] = 2 * u->bs;
    } else if (v->bs == 2 * u->bs)
        sa[0] = 1, sb[0] = 0, bs[0] = v->bs;
    else if (u->bs == 2 * v->bs)
        sa[0] = 0, sb[0] = 1, bs[0] = u->bs;
    int n = 0;
    for (int k = 0; k < 2 && sa[k] >= 0; k++) {
        size_t la = ma[sa[k]]->len, lb = sb[k] ? v->len2 : v->len1;
        if (la < MG_GRAM || lb < MG_GRAM)
            continue; /* no common 7-gram: fuzzy_compare scores it 0 */
        if (mg_sighist_overlap(ix->hist[ui][sa[k]], ix->hist[vi][sb[k]]) < w->need[la][lb])
            continue;
        job[n++] = (mg_sigjob){ma[sa[k]], sb[k] ? v2 : v1, (uint32_t)lb, bs[k]};
    }
    return n;
}

/* the candidate units v > u sharing a 7-gram with u at a common level: the
 * entries after u's own in each of its grams' runs (runs are sorted by unit) */
static size_t candidates(const mg_simindex *ix, uint32_t u, uint32_t *mark, uint32_t *cand)
{
    size_t nc = 0;
    const uint32_t *gunit = ix->gunit;
    const span *sp = ix->spans;
    uint32_t x0 = ix->pstart[u], x1 = ix->pstart[u + 1];
    for (uint32_t x = x0; x < x1; x++) {
        /* the spans start at scattered places: fetch a few ahead */
        if (x + 4 < x1)
            __builtin_prefetch(gunit + sp[x + 4].from);
        /* a run holds each unit once, in ascending order: all after u's are > u */
        for (uint32_t k = sp[x].from, end = sp[x].end; k < end; k++) {
            uint32_t v = gunit[k];
            if (mark[v] != u) {
                mark[v] = u;
                cand[nc++] = v;
            }
        }
    }
    return nc;
}

static void *pairs_worker(void *arg)
{
    worker *w = arg;
    const mg_simindex *ix = w->ix;
    for (size_t u = w->id; u < ix->nunits; u += w->nthreads) {
        size_t nc = candidates(ix, (uint32_t)u, w->mark, w->cand);
        const unit *un = &ix->units[u];
        if (w->uf) { /* families only: pairs already linked cannot change them */
            uint32_t root = uf_find(w->uf, (uint32_t)u); /* no link is made in this loop */
            size_t keep = 0;
            for (size_t c = 0; c < nc; c++)
                if (uf_find(w->uf, w->cand[c]) != root)
                    w->cand[keep++] = w->cand[c];
            nc = keep;
        }
        mg_sigmask_init(&w->m1, ix->sigs + un->off, un->len1);
        mg_sigmask_init(&w->m2, ix->sigs + un->off + un->len1, un->len2);
        /* each candidate's signature pairs, scored by a bit-parallel LCS;
         * the character histograms rule out most of them first */
        size_t nj = 0;
        for (size_t c = 0; c < nc; c++) {
            int k = queue_jobs(ix, w, (uint32_t)u, w->cand[c], w->job + nj);
            for (int x = 0; x < k; x++)
                w->job_of[nj + x] = (uint32_t)c;
            nj += (size_t)k;
        }
        mg_sig_score_batch(w->job, nj, w->min_score, w->job_score);
        /* A job's score is libfuzzy's for that signature pair when the two
         * share a 7-character substring, and fuzzy_compare is the best of
         * its pairs (distinct units are never identical, so its shortcut
         * to 100 does not apply): the best job that reaches min_score and
         * has a common substring is fuzzy_compare's score.  The jobs of a
         * candidate are consecutive. */
        for (size_t j = 0; j < nj;) {
            uint32_t c = w->job_of[j], v = w->cand[c];
            int best = 0;
            size_t j0 = j;
            for (; j < nj && w->job_of[j] == c; j++)
                if (w->job_score[j] > best)
                    best = w->job_score[j];
            if (best < w->min_score || !unlinked(w, (uint32_t)u, v))
                continue;
            best = 0;
            for (size_t x = j0; x < j; x++)
                if (w->job_score[x] >= w->min_score && w->job_score[x] > best &&
                    mg_sig_common_gram(w->job[x].a, w->job[x].b, w->job[x].lb))
                    best = w->job_score[x];
            if (best >= w->min_score)
                found(w, un->first, ix->units[v].first, best, (uint32_t)u, v);
        }
    }
    /* odd digests: against every representative */
    for (size_t k = w->id; k < ix->nodd; k += w->nthreads) {
        uint32_t o = ix->odd[k], no = (uint32_t)(ix->nunits + k);
        for (size_t u = 0; u < ix->nunits; u++) {
            uint32_t b = ix->units[u].first;
            if (!unlinked(w, no, (uint32_t)u))
                continue;
            int s = fuzzy_compare(ix->dig[o], ix->dig[b]);
            if (s >= w->min_score)
                found(w, o, b, s, no, (uint32_t)u);
        }
        for (size_t j = k + 1; j < ix->nodd; j++) {
            uint32_t nj = (uint32_t)(ix->nunits + j);
            if (!unlinked(w, no, nj))
                continue;
            int s = fuzzy_compare(ix->dig[o], ix->dig[ix->odd[j]]);
            if (s >= w->min_score)
                found(w, o, ix->odd[j], s, no, nj);
        }
    }
    return NULL;
}

/* members of the unit whose representative is r (just r for odd digests) */
static const uint32_t *members_of(const mg_simindex *ix, const uint32_t *unit_of_rep, uint32_t r, size_t *cnt)
{
    uint32_t u = unit_of_rep[r];
    if (u == UINT32_MAX) {
        *cnt = 1;
        return &ix->rep[r]; /* rep[r] == r for odd and dead digests */
    }
    *cnt = ix->mstart[u + 1] - ix->mstart[u];
    return ix->members + ix->mstart[u];
}

/* representative pairs -> all pairs, including copies of one content */
static bool expand(const mg_simindex *ix, const mg_edge *re, size_t nre, int min_score, mg_edgevec *out)
{
    uint32_t *unit_of_rep = malloc((ix->n ? ix->n : 1) * sizeof *unit_of_rep);
    if (!unit_of_rep)
        return false;
    for (size_t i = 0; i < ix->n; i++)
        unit_of_rep[i] = UINT32_MAX;
    for (size_t u = 0; u < ix->nunits; u++)
        unit_of_rep[ix->units[u].first] = (uint32_t)u;
    if (min_score <= 100)
        for (size_t u = 0; u < ix->nunits; u++)
            for (uint32_t x = ix->mstart[u]; x < ix->mstart[u + 1]; x++)
                for (uint32_t y = x + 1; y < ix->mstart[u + 1]; y++)
                    mg_edgevec_push(out, ix->members[x], ix->members[y], 100);
    for (size_t e = 0; e < nre; e++) {
        size_t na, nb;
        const uint32_t *ma = members_of(ix, unit_of_rep, re[e].a, &na);
        const uint32_t *mb = members_of(ix, unit_of_rep, re[e].b, &nb);
        for (size_t x = 0; x < na; x++)
            for (size_t y = 0; y < nb; y++) {
                uint32_t a = ma[x], b = mb[y];
                mg_edgevec_push(out, a < b ? a : b, a < b ? b : a, re[e].score);
            }
    }
    free(unit_of_rep);
    return !out->failed;
}

/* Run the workers: the representative pairs scoring >= min_score, ordered.
 * forest: only enough of them to link every family (see unlinked). */
static bool run_workers(const mg_simindex *ix, int min_score, unsigned nthreads, bool forest, mg_edge **re,
                        size_t *nre)
{
    worker *w = calloc(nthreads, sizeof *w);
    pthread_t *tid = calloc(nthreads, sizeof *tid);
    mg_edgevec *parts = calloc(nthreads, sizeof *parts);
    uint8_t (*need)[MG_SIG_MAX + 1] = malloc((MG_SIG_MAX + 1) * sizeof *need);
    bool ok = w && tid && parts && need;
    for (size_t la = 0; ok && la <= MG_SIG_MAX; la++)
        for (size_t lb = 0; lb <= MG_SIG_MAX; lb++)
            need[la][lb] = (uint8_t)mg_lcs_needed(la, lb, min_score);
    for (unsigned t = 0; ok && t < nthreads; t++) {
        w[t] = (worker){.ix = ix, .min_score = min_score, .id = t, .nthreads = nthreads, .need = (const uint8_t (*)[MG_SIG_MAX + 1])need};
        size_t nu = ix->nunits ? ix->nunits : 1;
        w[t].mark = malloc(nu * sizeof *w[t].mark);
        w[t].cand = malloc(nu * sizeof *w[t].cand);
        w[t].job = malloc(2 * nu * sizeof *w[t].job);
        w[t].job_of = malloc(2 * nu * sizeof *w[t].job_of);
        w[t].job_score = malloc(2 * nu * sizeof *w[t].job_score);
        ok = w[t].mark && w[t].cand && w[t].job && w[t].job_of && w[t].job_score;
        if (ok)
            memset(w[t].mark, 0xff, nu * sizeof *w[t].mark);
        if (ok && forest) {
            size_t nodes = ix->nunits + ix->nodd;
            ok = (w[t].uf = malloc((nodes ? nodes : 1) * sizeof *w[t].uf)) != NULL;
            for (size_t i = 0; ok && i < nodes; i++)
                w[t].uf[i] = (uint32_t)i;
        }
    }
    bool *running = ok ? calloc(nthreads, sizeof *running) : NULL;
    ok = ok && running;
    for (unsigned t = 1; ok && t < nthreads; t++)
        running[t] = pthread_create(&tid[t], NULL, pairs_worker, &w[t]) == 0;
    if (ok) {
        pairs_worker(&w[0]);
        for (unsigned t = 1; t < nthreads; t++) {
            if (running[t])
                pthread_join(tid[t], NULL);
            else
                pairs_worker(&w[t]); /* the thread could not start: do its share here */
        }
    }
    free(running);
    for (unsigned t = 0; ok && t < nthreads; t++)
        parts[t] = w[t].out;
    if (ok)
        ok = mg_edges_merge_sort(parts, nthreads, ix->n, re, nre);
    else
        for (unsigned t = 0; w && t < nthreads; t++)
            free(w[t].out.v);
    for (unsigned t = 0; w && t < nthreads; t++) {
        free(w[t].mark);
        free(w[t].cand);
        free(w[t].job);
        free(w[t].job_of);
        free(w[t].job_score);
        free(w[t].uf);
    }
    free(w);
    free(tid);
    free(parts);
    free(need);
    return ok;
}

static unsigned clamp_threads(unsigned n)
{
    return n < 1 ? 1 : n > 256 ? 256 : n;
}

mg_status mg_simindex_pairs(const mg_simindex *ix, int min_score, unsigned nthreads, bool reps_only,
                            mg_edge **edges, size_t *nedges, mg_error *err)
{
    *edges = NULL;
    *nedges = 0;
    if (min_score < 1)
        min_score = 1;
    mg_edge *re = NULL;
    size_t nre = 0;
    bool ok = run_workers(ix, min_score, clamp_threads(nthreads), false, &re, &nre);
    if (ok && !reps_only) {
        mg_edgevec all = {0};
        ok = expand(ix, re, nre, min_score, &all);
        free(re);
        re = NULL;
        ok = ok && mg_edges_merge_sort(&all, 1, ix->n, &re, &nre);
        if (!ok)
            free(all.v);
    }
    if (!ok)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    *edges = re;
    *nedges = nre;
    return MG_OK;
}

mg_status mg_simindex_families(const mg_simindex *ix, int t, unsigned nthreads, uint32_t *family_of, size_t *nfam,
                               mg_error *err)
{
    *nfam = 0;
    if (t < 1)
        t = 1;
    mg_edge *links = NULL;
    size_t nl = 0;
    if (!run_workers(ix, t, clamp_threads(nthreads), true, &links, &nl))
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    mg_status st = mg_cluster_components(ix->n, ix->rep, links, nl, t, family_of, nfam, err);
    free(links);
    return st;
}

/* ---- one query ---- */

static int by_unit(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int by_score_then_index(const void *a, const void *b)
{
    const mg_hit *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    return (x->index > y->index) - (x->index < y->index);
}

/* score q against the digest of unit/odd representative r; add its copies */
static void score_rep(const mg_simindex *ix, const char *q, uint32_t r, const uint32_t *mem, size_t nmem,
                      int min_score, mg_hit *hits, size_t *nh)
{
    int s = fuzzy_compare(q, ix->dig[r]);
    if (s < min_score)
        return;
    for (size_t k = 0; k < nmem; k++)
        hits[(*nh)++] = (mg_hit){mem[k], s};
}

mg_status mg_simindex_query(const mg_simindex *ix, const char *q, int min_score,
                            mg_hit **hits, size_t *nhits, mg_error *err)
{
    *hits = NULL;
    *nhits = 0;
    if (min_score < 1)
        min_score = 1;
    mg_digest d;
    mg_digest_kind kind = q ? mg_digest_parse(q, &d) : MG_DIGEST_DEAD;
    if (kind == MG_DIGEST_DEAD)
        return MG_OK;
    mg_hit *h = malloc((ix->n ? ix->n : 1) * sizeof *h);
    uint32_t *cand = NULL;
    size_t nc = 0;
    if (h && kind == MG_DIGEST_STRICT) {
        size_t cap = 2 * (ngrams_of(d.len1) + ngrams_of(d.len2)) + 1;
        const uint64_t mask = UNIT_MASK;
        cand = malloc(cap * sizeof *cand);
        for (int s = 0; cand && s < 2; s++) {
            uint64_t seed = level_seed(s ? 2 * d.bs : d.bs);
            const char *sig = s ? d.sig2 : d.sig1;
            for (size_t i = 0; i < ngrams_of(s ? d.len2 : d.len1); i++) {
                uint64_t hp = gram_hash(seed, sig + i) & ~mask;
                for (size_t k = gram_lower_bound(ix, hp); cand && k < ix->ngrams && (ix->grams[k] & ~mask) == hp; k++) {
                    if (nc == cap) {
                        uint32_t *c2 = realloc(cand, 2 * cap * sizeof *c2);
                        if (!c2) {
                            free(cand);
                            cand = NULL;
                            break;
                        }
                        cand = c2;
                        cap *= 2;
                    }
                    cand[nc++] = (uint32_t)(ix->grams[k] & mask);
                }
            }
        }
        uint32_t same = find_unit(ix, &d, NULL);
        if (cand && same != UINT32_MAX)
            cand[nc++] = same; /* identical content scores 100 without a shared 7-gram */
    } else if (h) {
        cand = malloc((ix->nunits ? ix->nunits : 1) * sizeof *cand); /* odd query: every unit */
        for (size_t u = 0; cand && u < ix->nunits; u++)
            cand[nc++] = (uint32_t)u;
    }
    if (!h || !cand) {
        free(h);
        free(cand);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    qsort(cand, nc, sizeof *cand, by_unit);
    size_t nh = 0;
    for (size_t k = 0; k < nc; k++) {
        if (k && cand[k] == cand[k - 1])
            continue;
        const unit *un = &ix->units[cand[k]];
        score_rep(ix, q, un->first, ix->members + ix->mstart[cand[k]],
                  ix->mstart[cand[k] + 1] - ix->mstart[cand[k]], min_score, h, &nh);
    }
    for (size_t k = 0; k < ix->nodd; k++)
        score_rep(ix, q, ix->odd[k], &ix->odd[k], 1, min_score, h, &nh);
    free(cand);
    qsort(h, nh, sizeof *h, by_score_then_index);
    *hits = h;
    *nhits = nh;
    return MG_OK;
}
