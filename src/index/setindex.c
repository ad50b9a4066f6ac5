/* setindex.c - owns the similarity index over gimpset digests: candidate
 * pairs by prefix filtering over the sketch's (slot, value) tokens, each
 * candidate scored exactly on its slots; and the naive all-pairs reference.
 * The families (components at T) are in setindex_families.c.
 *
 * Why it is exact (equal to mg_setpairs_naive at every threshold T >= 1):
 * a digest is K = 256 tokens (slot i, value of slot i).  Two digests score
 * floor(100 m / K) where m is the number of equal slots, i.e. the number of
 * tokens they share, so score >= T  <=>  m >= M = ceil(T K / 100).  Order all
 * tokens by one global total order (here: how many digests hold the token,
 * capped at 65535, then slot, then value).  Each digest's prefix is its first
 * K - M + 1 tokens in that order.  If x and y share m >= M tokens, let t be
 * the smallest shared token: at least M - 1 shared tokens come after t in
 * both x and y, so at most K - M tokens come before t in x (the K tokens
 * minus t minus the M - 1 after it), and t is among the first K - M + 1 of x,
 * i.e. in x's prefix; likewise in y's.  So every pair scoring >= T shares a
 * prefix token and is found by walking the prefix tokens' posting lists
 * (pigeonhole on the slot agreements).  Every candidate is then scored on
 * all its slots, so no pair below T is reported either.  The design floor
 * is therefore T = 1; the prefix (and the work) grows as T falls. */
#include "malgopher.h"
#include "index/allpairs.h"
#include "index/setindex_rows.h"
#include "index/radix_sort.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define K MG_GIMPSET_K


typedef struct tok {
    uint32_t value, id;
} tok;

static int by_value_id(const void *a, const void *b)
{
    const tok *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}


static int by_slots_ctx_cmp(const mg_setindex *ix, uint32_t a, uint32_t b)
{
    int c = memcmp(row(ix, a), row(ix, b), K * sizeof(uint32_t));
    return c ? c : (a > b) - (a < b);
}

static const mg_setindex *sort_ix; /* qsort has no context argument */
static int by_slots(const void *a, const void *b)
{
    return by_slots_ctx_cmp(sort_ix, *(const uint32_t *)a, *(const uint32_t *)b);
}

void mg_setindex_free(mg_setindex *ix)
{
    if (!ix)
        return;
    free(ix->slots);
    free(ix->valid);
    free(ix->reps);
    free(ix->freq);
    free(ix);
}

const uint32_t *mg_setindex_reps(const mg_setindex *ix)
{
    return ix->reps;
}

mg_status mg_setindex_build(const char *const *digests, size_t n, mg_setindex **out, mg_error *err)
{
    *out = NULL;
    if (n > UINT32_MAX - 1 || n > SIZE_MAX / (K * sizeof(uint32_t)) - 1)
        return mg_fail(err, MG_ERR_NOMEM, "too many digests");
    mg_setindex *ix = mg_calloc(1, sizeof *ix);
    size_t m = n ? n : 1;
    uint64_t *col = NULL, *tmp = NULL;
    uint32_t *order = NULL;
    if (!ix)
        goto nomem;
    ix->n = n;
    ix->slots = mg_malloc(m * K * sizeof *ix->slots);
    ix->valid = mg_calloc(m, sizeof *ix->valid);
    ix->reps = mg_malloc(m * sizeof *ix->reps);
    ix->freq = mg_malloc(m * K * sizeof *ix->freq);
    col = mg_malloc(m * sizeof *col);
    tmp = mg_malloc(m * sizeof *tmp);
    order = mg_malloc(m * sizeof *order);
    if (!ix->slots || !ix->valid || !ix->reps || !ix->freq || !col || !tmp || !order)
        goto nomem;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        ix->reps[i] = (uint32_t)i;
        ix->valid[i] = digests[i] && mg_gimpset_decode(digests[i], ix->slots + i * K) == 1;
        if (ix->valid[i])
            order[nv++] = (uint32_t)i;
    }
    /* representatives: equal slot rows */
    sort_ix = ix;
    if (nv) /* qsort of an empty array: its pointer may be NULL */
        qsort(order, nv, sizeof *order, by_slots);
    for (size_t k = 1; k < nv; k++)
        if (!memcmp(row(ix, order[k]), row(ix, order[k - 1]), K * sizeof(uint32_t)))
            ix->reps[order[k]] = ix->reps[order[k - 1]];
    /* token frequencies, slot by slot: (value, id) keys sorted on the value */
    for (size_t s = 0; s < K; s++) {
        for (size_t k = 0; k < nv; k++)
            col[k] = (uint64_t)ix->slots[(size_t)order[k] * K + s] << 32 | order[k];
        const uint64_t *c = mg_radix_sort_high(col, tmp, nv, 32);
        for (size_t a = 0, b; a < nv; a = b) {
            for (b = a + 1; b < nv && c[b] >> 32 == c[a] >> 32; b++)
                ;
            uint16_t f = b - a > 65535 ? 65535 : (uint16_t)(b - a);
            for (size_t k = a; k < b; k++)
                ix->freq[(size_t)(uint32_t)c[k] * K + s] = f;
        }
    }
    free(col);
    free(tmp);
    free(order);
    *out = ix;
    return MG_OK;
nomem:
    free(col);
    free(tmp);
    free(order);
    mg_setindex_free(ix);
    return mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

typedef struct edgebuf {
    mg_edge *v;
    size_t n, cap;
} edgebuf;

static bool push_edge(edgebuf *e, uint32_t a, uint32_t b, int score)
{
    if (e->n == e->cap) {
        size_t c = e->cap ? 2 * e->cap : 1024;
        mg_edge *v = mg_realloc(e->v, c * sizeof *v);
        if (!v)
            return false;
        e->v = v;
        e->cap = c;
    }
    e->v[e->n++] = (mg_edge){a, b, score};
    return true;
}

static int by_edge(const void *a, const void *b)
{
    const mg_edge *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

/* The walk: every representative's prefix tokens against the earlier
 * digests holding them; every pair >= min_score into edges. */
static mg_status walk(const mg_setindex *ix, int min_score, edgebuf *edges, mg_error *err)
{
    if (min_score < 1)
        min_score = 1;
    if (min_score > 100)
        min_score = 100;
    size_t need = ((size_t)min_score * K + 99) / 100; /* M */
    size_t plen = K - need + 1;
    size_t n = ix->n, m = n ? n : 1;
    /* each representative's prefix slots as a 256-bit set; then slot by
     * slot, the digests whose prefix holds that slot, sorted by value: a run
     * of equal values is the posting list of one token */
    uint64_t *bits = mg_calloc(m * 4, sizeof *bits);
    tok *col = mg_malloc(m * sizeof *col);
    uint32_t keys[K];
    mg_status st = MG_OK;
    if (!bits || !col)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        if (!ix->valid[i] || ix->reps[i] != i)
            continue;
        const uint16_t *f = ix->freq + i * K;
        /* (freq, slot) in one key: the global order restricted to one digest */
        for (size_t s = 0; s < K; s++)
            keys[s] = (uint32_t)f[s] << 8 | (uint32_t)s;
        qsort(keys, K, sizeof *keys, by_u32);
        for (size_t p = 0; p < plen; p++)
            bits[i * 4 + (keys[p] & 255) / 64] |= 1ull << (keys[p] & 63);
    }
    for (size_t s = 0; s < K; s++) {
        size_t end = 0;
        for (size_t i = 0; i < n; i++)
            if (bits[i * 4 + s / 64] >> (s % 64) & 1)
                col[end++] = (tok){ix->slots[i * K + s], (uint32_t)i};
        if (end) /* qsort of an empty array: its pointer may be NULL */
            qsort(col, end, sizeof *col, by_value_id);
        /* each member of a run against the earlier members (ids ascend) */
        for (size_t a = 0, b; a < end; a = b) {
            for (b = a + 1; b < end && col[b].value == col[a].value; b++)
                ;
            for (size_t y = a + 1; y < b; y++) {
                uint32_t j = col[y].id;
                for (size_t x = a; x < y; x++) {
                    uint32_t i = col[x].id;
                    /* a pair sharing several prefix tokens is scored once,
                     * at the first slot where both prefixes hold one token */
                    bool first = true;
                    for (size_t w = 0; w * 64 < s && first; w++) {
                        uint64_t both = bits[(size_t)i * 4 + w] & bits[(size_t)j * 4 + w];
                        if (w == s / 64)
                            both &= (1ull << (s % 64)) - 1;
                        for (; both && first; both &= both - 1) {
                            size_t t = w * 64 + (size_t)__builtin_ctzll(both);
                            first = ix->slots[(size_t)i * K + t] != ix->slots[(size_t)j * K + t];
                        }
                    }
                    if (!first)
                        continue;
                    int sc = mg_gimpset_score_slots(row(ix, i), row(ix, j));
                    if (sc >= min_score && !push_edge(edges, i, j, sc))
                        goto nomem;
                }
            }
        }
    }
    goto done;
nomem:
    st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
done:
    free(bits);
    free(col);
    return st;
}

mg_status mg_setindex_pairs(const mg_setindex *ix, int min_score, bool reps_only, mg_edge **edges,
                            size_t *nedges, mg_error *err)
{
    edgebuf e = {0};
    *edges = NULL;
    *nedges = 0;
    mg_status st = walk(ix, min_score, &e, err);
    if (st != MG_OK) {
        free(e.v);
        return st;
    }
    if (!reps_only) { /* a copy scores as its representative does, and 100 with it */
        size_t base = e.n;
        /* copies: expand every representative edge to the copies' pairs */
        uint32_t *first = mg_malloc((ix->n ? ix->n : 1) * sizeof *first);
        uint32_t *next = mg_malloc((ix->n ? ix->n : 1) * sizeof *next);
        if (!first || !next) {
            free(first);
            free(next);
            free(e.v);
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < ix->n; i++)
            first[i] = next[i] = UINT32_MAX;
        for (size_t i = ix->n; i-- > 0;)
            if (ix->valid[i]) {
                uint32_t r = ix->reps[i];
                next[i] = first[r];
                first[r] = (uint32_t)i;
            }
        bool ok = true;
        for (size_t k = 0; k < base && ok; k++) {
            for (uint32_t x = first[e.v[k].a]; x != UINT32_MAX && ok; x = next[x])
                for (uint32_t y = first[e.v[k].b]; y != UINT32_MAX && ok; y = next[y])
                    if (x != e.v[k].a || y != e.v[k].b)
                        ok = push_edge(&e, x < y ? x : y, x < y ? y : x, e.v[k].score);
        }
        for (size_t r = 0; r < ix->n && ok; r++)
            for (uint32_t x = first[r]; x != UINT32_MAX && ok; x = next[x])
                for (uint32_t y = next[x]; y != UINT32_MAX && ok; y = next[y])
                    ok = push_edge(&e, x, y, 100);
        free(first);
        free(next);
        if (!ok) {
            free(e.v);
            return mg_fail(err, MG_ERR_NOMEM, "out of memory");
        }
    }
    if (e.n) /* qsort of an empty array: its pointer may be NULL */
        qsort(e.v, e.n, sizeof *e.v, by_edge);
    *edges = e.v;
    *nedges = e.n;
    return MG_OK;
}

mg_status mg_setpairs_naive(const char *const *digests, size_t n, int min_score, mg_edge **edges,
                            size_t *nedges, mg_error *err)
{
    edgebuf e = {0};
    uint32_t *sl = mg_malloc((n ? n : 1) * K * sizeof *sl);
    bool *ok = mg_calloc(n ? n : 1, sizeof *ok);
    *edges = NULL;
    *nedges = 0;
    if (min_score < 1)
        min_score = 1;
    if (!sl || !ok)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        ok[i] = digests[i] && mg_gimpset_decode(digests[i], sl + i * K) == 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; ok[i] && j < n; j++)
            if (ok[j]) {
                int sc = mg_gimpset_score_slots(sl + i * K, sl + j * K);
                if (sc >= min_score && !push_edge(&e, (uint32_t)i, (uint32_t)j, sc))
                    goto nomem;
            }
    free(sl);
    free(ok);
    *edges = e.v;
    *nedges = e.n;
    return MG_OK;
nomem:
    free(sl);
    free(ok);
    free(e.v);
    return mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

static int by_hit(const void *a, const void *b)
{
    const mg_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

mg_status mg_setindex_query(const mg_setindex *ix, const char *q, int min_score, mg_hit **hits,
                            size_t *nhits, mg_error *err)
{
    uint32_t qs[K];
    *hits = NULL;
    *nhits = 0;
    if (min_score < 1)
        min_score = 1;
    if (!q || mg_gimpset_decode(q, qs) != 1)
        return MG_OK; /* an empty or malformed query matches nothing */
    size_t n = 0, cap = 0;
    mg_hit *v = NULL;
    for (size_t i = 0; i < ix->n; i++) {
        if (!ix->valid[i])
            continue;
        int sc = mg_gimpset_score_slots(qs, row(ix, i));
        if (sc < min_score)
            continue;
        if (n == cap) {
            size_t c = cap ? 2 * cap : 64;
            mg_hit *w = mg_realloc(v, c * sizeof *w);
            if (!w) {
                free(v);
                return mg_fail(err, MG_ERR_NOMEM, "out of memory");
            }
            v = w;
            cap = c;
        }
        v[n++] = (mg_hit){(uint32_t)i, sc};
    }
    if (n) /* qsort of an empty array: its pointer may be NULL */
        qsort(v, n, sizeof *v, by_hit);
    *hits = v;
    *nhits = n;
    return MG_OK;
}
