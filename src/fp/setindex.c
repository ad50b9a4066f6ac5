/* setindex.c - owns the similarity index over gimpset digests: candidate
 * pairs by prefix filtering over the sketch's (slot, value) tokens, each
 * candidate scored exactly on its slots; and the naive all-pairs reference.
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
#include "fp/allpairs.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define K MG_GIMPSET_K

struct mg_setindex {
    size_t n;
    uint32_t *slots;  /* n * K; rows of excluded digests unused */
    bool *valid;      /* a non-empty, well-formed digest */
    uint32_t *reps;   /* first index with identical slots */
    uint16_t *freq;   /* n * K: digests holding the token (capped) */
};

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

static const uint32_t *row(const mg_setindex *ix, size_t i)
{
    return ix->slots + i * K;
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
    tok *col = NULL;
    uint32_t *order = NULL;
    if (!ix)
        goto nomem;
    ix->n = n;
    ix->slots = mg_malloc(m * K * sizeof *ix->slots);
    ix->valid = mg_calloc(m, sizeof *ix->valid);
    ix->reps = mg_malloc(m * sizeof *ix->reps);
    ix->freq = mg_malloc(m * K * sizeof *ix->freq);
    col = mg_malloc(m * sizeof *col);
    order = mg_malloc(m * sizeof *order);
    if (!ix->slots || !ix->valid || !ix->reps || !ix->freq || !col || !order)
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
    /* token frequencies, slot by slot */
    for (size_t s = 0; s < K; s++) {
        for (size_t k = 0; k < nv; k++)
            col[k] = (tok){ix->slots[(size_t)order[k] * K + s], order[k]};
        if (nv) /* qsort of an empty array: its pointer may be NULL */
            qsort(col, nv, sizeof *col, by_value_id);
        for (size_t a = 0, b; a < nv; a = b) {
            for (b = a + 1; b < nv && col[b].value == col[a].value; b++)
                ;
            uint16_t f = b - a > 65535 ? 65535 : (uint16_t)(b - a);
            for (size_t k = a; k < b; k++)
                ix->freq[(size_t)col[k].id * K + s] = f;
        }
    }
    free(col);
    free(order);
    *out = ix;
    return MG_OK;
nomem:
    free(col);
    free(order);
    mg_setindex_free(ix);
    return mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
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
 * digests holding them.  parent != NULL: families (a pair already joined is
 * not scored); else every pair >= min_score into edges. */
static mg_status walk(const mg_setindex *ix, int min_score, uint32_t *parent, edgebuf *edges,
                      mg_error *err)
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
                    uint32_t ri = 0, rj = 0;
                    if (parent && (ri = find(parent, i)) == (rj = find(parent, j)))
                        continue; /* families: already joined */
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
                    if (parent) {
                        if (mg_gimpset_score_slots(row(ix, i), row(ix, j)) >= min_score)
                            parent[ri < rj ? rj : ri] = ri < rj ? ri : rj;
                        continue;
                    }
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

/* m >= need equal slots, stopping as soon as the answer is known */
static bool reaches(const uint32_t *a, const uint32_t *b, size_t need)
{
    size_t m = 0;
    for (size_t i = 0; i < K; i += 32) {
        for (size_t k = i; k < i + 32; k++)
            m += a[k] == b[k];
        if (m >= need)
            return true;
        if (m + (K - i - 32) < need)
            return false;
    }
    return false;
}

/* rank of slot s among the set bits of one digest's prefix */
static size_t prefix_rank(const uint64_t *bits, size_t s)
{
    size_t r = 0;
    for (size_t w = 0; w < s / 64; w++)
        r += (size_t)__builtin_popcountll(bits[w]);
    if (s % 64)
        r += (size_t)__builtin_popcountll(bits[s / 64] & ((1ull << (s % 64)) - 1));
    return r;
}

typedef struct group {
    uint32_t head, tail, next; /* member positions; next group of the list */
} group;

/* Families: the same prefix tokens as walk(), probed AllPairs-style.  The
 * posting lists (tokens held by >= 2 prefixes) are built once, members in
 * ascending id; the representatives are probed in ascending id, each
 * against the members before it in each of its lists.  A list's probed
 * members are kept in groups, each group inside one component (unions only
 * merge, so that stays true).  Skips, all exact for connected components:
 * a group already in x's component (O(1), so a list wholly in one component
 * costs O(1)); the rest of a group once x joined it; a member already scored
 * by this probe (mark[y] == x).  Scoring stops as soon as the answer is
 * known.  After the probe, the groups now in x's component become one and
 * x is appended to it. */
static mg_status walk_families(const mg_setindex *ix, int t, uint32_t *parent, mg_error *err)
{
    if (t < 1)
        t = 1;
    if (t > 100)
        t = 100;
    size_t need = ((size_t)t * K + 99) / 100; /* M */
    size_t plen = K - need + 1;
    size_t n = ix->n, m = n ? n : 1;
    uint64_t *bits = mg_calloc(m * 4, sizeof *bits);
    tok *col = mg_malloc(m * sizeof *col);
    uint32_t *xl = mg_malloc(m * plen * sizeof *xl); /* per digest, per prefix token: its list */
    uint32_t *lstart = NULL, *members = NULL, *cursor = NULL, *mark = NULL;
    uint32_t *ghead = NULL, *chain = NULL;
    group *groups = NULL;
    size_t nl = 0, capl = 0, nmem = 0, capm = 0, ngroups = 0, capg = 0;
    uint32_t keys[K];
    mg_status st = MG_OK;
    if (!bits || !col || !xl)
        goto nomem;
    memset(xl, 0xff, m * plen * sizeof *xl);
    for (size_t i = 0; i < n; i++) {
        if (!ix->valid[i] || ix->reps[i] != i)
            continue;
        const uint16_t *f = ix->freq + i * K;
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
        for (size_t a = 0, b; a < end; a = b) {
            for (b = a + 1; b < end && col[b].value == col[a].value; b++)
                ;
            if (b - a < 2)
                continue; /* a token of one prefix pairs nothing */
            if (nl + 2 > capl || nmem + (b - a) > capm) {
                size_t cl = capl, cm = capm;
                while (nl + 2 > cl)
                    cl = cl ? 2 * cl : 4096;
                while (nmem + (b - a) > cm)
                    cm = cm ? 2 * cm : 65536;
                if (cm > UINT32_MAX)
                    goto nomem;
                uint32_t *l2 = mg_realloc(lstart, cl * sizeof *l2);
                if (!l2)
                    goto nomem;
                lstart = l2;
                uint32_t *m2 = mg_realloc(members, cm * sizeof *m2);
                if (!m2)
                    goto nomem;
                members = m2;
                capl = cl;
                capm = cm;
            }
            lstart[nl] = (uint32_t)nmem;
            for (size_t k = a; k < b; k++) {
                uint32_t id = col[k].id;
                members[nmem++] = id;
                xl[(size_t)id * plen + prefix_rank(bits + (size_t)id * 4, s)] = (uint32_t)nl;
            }
            nl++;
        }
    }
    free(bits);
    free(col);
    bits = NULL;
    col = NULL;
    cursor = mg_calloc(nl ? nl : 1, sizeof *cursor);
    ghead = mg_malloc((nl ? nl : 1) * sizeof *ghead);
    chain = mg_malloc((nmem ? nmem : 1) * sizeof *chain);
    mark = mg_malloc(m * sizeof *mark);
    if (!cursor || !ghead || !chain || !mark)
        goto nomem;
    memset(mark, 0xff, m * sizeof *mark);
    memset(ghead, 0xff, (nl ? nl : 1) * sizeof *ghead);
    for (size_t xi = 0; xi < n; xi++) {
        uint32_t x = (uint32_t)xi;
        if (!ix->valid[x] || ix->reps[x] != x)
            continue;
        const uint32_t *x_row = row(ix, x);
        for (size_t p = 0; p < plen; p++) {
            uint32_t l = xl[xi * plen + p];
            if (l == UINT32_MAX)
                continue;
            uint32_t base = lstart[l];
            uint32_t pos = base + cursor[l]++; /* members[pos] == x */
            uint32_t rx = find(parent, x);
            /* each group: members of one component, chained by position */
            for (uint32_t g = ghead[l]; g != UINT32_MAX; g = groups[g].next) {
                if (find(parent, members[groups[g].head]) == rx)
                    continue;
                for (uint32_t q = groups[g].head; q != UINT32_MAX; q = chain[q]) {
                    uint32_t y = members[q];
                    if (mark[y] == x)
                        continue;
                    mark[y] = x;
                    if (reaches(x_row, row(ix, y), need)) {
                        uint32_t ry = find(parent, y);
                        parent[rx < ry ? ry : rx] = rx < ry ? rx : ry;
                        rx = rx < ry ? rx : ry;
                        break; /* the rest of the group is x's now */
                    }
                }
            }
            /* x into the group of its component: the groups now in x's
             * component are joined into one, x appended to it */
            uint32_t *link = &ghead[l], mine = UINT32_MAX;
            chain[pos] = UINT32_MAX;
            while (*link != UINT32_MAX) {
                uint32_t g = *link;
                if (find(parent, members[groups[g].head]) != rx) {
                    link = &groups[g].next;
                    continue;
                }
                if (mine == UINT32_MAX) {
                    mine = g;
                    link = &groups[g].next;
                    continue;
                }
                chain[groups[mine].tail] = groups[g].head; /* splice g into mine */
                groups[mine].tail = groups[g].tail;
                *link = groups[g].next;
            }
            if (mine != UINT32_MAX) {
                chain[groups[mine].tail] = pos;
                groups[mine].tail = pos;
                continue;
            }
            if (ngroups == capg) {
                size_t c = capg ? 2 * capg : 4096;
                group *v = c > UINT32_MAX ? NULL : mg_realloc(groups, c * sizeof *v);
                if (!v)
                    goto nomem;
                groups = v;
                capg = c;
            }
            groups[ngroups] = (group){pos, pos, ghead[l]};
            ghead[l] = (uint32_t)ngroups++;
        }
    }
    goto done;
nomem:
    st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
done:
    free(bits);
    free(col);
    free(xl);
    free(lstart);
    free(members);
    free(cursor);
    free(ghead);
    free(chain);
    free(groups);
    free(mark);
    return st;
}

mg_status mg_setindex_pairs(const mg_setindex *ix, int min_score, bool reps_only, mg_edge **edges,
                            size_t *nedges, mg_error *err)
{
    edgebuf e = {0};
    *edges = NULL;
    *nedges = 0;
    mg_status st = walk(ix, min_score, NULL, &e, err);
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

mg_status mg_setindex_families(const mg_setindex *ix, int t, uint32_t *family_of, size_t *nfam,
                               mg_error *err)
{
    size_t n = ix->n;
    uint32_t *parent = mg_malloc((n ? n : 1) * sizeof *parent);
    if (!parent)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        parent[i] = ix->valid[i] ? ix->reps[i] : (uint32_t)i;
    mg_status st = walk_families(ix, t, parent, err);
    if (st == MG_OK) {
        /* number the roots in order of their first member */
        size_t k = 0;
        uint32_t *id = family_of; /* reuse: roots are <= their members */
        for (size_t i = 0; i < n; i++) {
            uint32_t r = find(parent, (uint32_t)i);
            id[i] = r == i ? (uint32_t)k++ : id[r];
        }
        *nfam = k;
    }
    free(parent);
    return st;
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
