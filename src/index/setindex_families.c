/* setindex_families.c - owns the families of the gimpset index: the
 * components at T (digests linked when they score >= T), exact, equal to the
 * components of mg_setpairs_naive's pairs at every T (tests/unit/
 * test_setindex.c checks T = 1..100).  Score >= T <=> m >= M equal slots,
 * M = ceil(T K / 100).
 *
 * The representatives are taken in ascending id; x is linked to every
 * earlier component holding a digest y with m(x, y) >= M.  Two ways to find
 * those components, both sound (they never skip a component holding such
 * a y):
 *
 * Count (x becomes the "anchor" a).  Every token (slot, value) held by >= 2
 * digests has a list of the components among the digests taken so far that
 * hold it (chunks of 14 ids, compacted to one entry per current root as
 * they are read).  x's tokens count, for each component C, how many of them
 * C holds: cnt[C] >= m(x, y) for every y in C (a slot where x and y agree is
 * a token of x held by y).  A token whose list passes LHEAVY components is
 * "heavy": its list is dropped and every component is taken to hold it
 * (h = x's heavy tokens is added to every bound), so a token common to
 * everything costs nothing.  A component with cnt[C] + h < M is skipped
 * whole; the members of the others are tested by 4-bit slot codes, then
 * scored exactly.  When h >= M alone, every component is scanned (the work
 * cap below ends that).
 *
 * Delta (x near the previous digest p).  Equal slots obey a triangle rule:
 * m(x, y) <= m(p, y) + d(x, p), d = K - m (a slot where x and y agree and p
 * differs from y is a slot where x and p differ).  When m(x, p) >= M, x is
 * linked to p; by induction every digest taken since the anchor a is in
 * x's component, so every other component is one the anchor counted, as it
 * stood then (only x's own component has grown since).  Each counted
 * component keeps a bound b >= m(p, y) over its members: b(a) = cnt + h,
 * b(x) = min(cnt + h + d(x, a), b(p) + d(x, p)), and components the anchor
 * did not count (m(a, y) <= h) have b0(x) = min(h + d(x, a), b0(p) +
 * d(x, p)).  If b0(x) >= M the delta is not sound and x counts afresh;
 * else only components with b(x) >= M are scanned, and a scan that finds no
 * partner tightens b to the largest code agreement it saw (>= m(x, y) for
 * every member).  So a run of near variants costs a pass over the anchor's
 * components each, instead of a pass over every list of every token.
 *
 * Work cap: list entries read, codes compared and bounds updated are
 * counted; past 65,536 steps a digest (on average, over the digests plus
 * WORK_FLOOR) the walk stops with MG_ERR_TOO_COSTLY rather than run
 * quadratic on crafted lists. */
#include "malgopher.h"
#include "index/allpairs.h"
#include "index/setindex_rows.h"
#include "util/alloc.h"
#include "util/unionfind.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define K MG_GIMPSET_K
#define EMPTY_KEY UINT64_MAX
#define NIL UINT32_MAX
#define HEAVY (UINT32_MAX - 1) /* the head of a heavy token */
#define CH 14                  /* ids a chunk: 64 bytes with n and next */
#define LHEAVY 1024            /* components on a list before it is heavy */
#define WORK_FLOOR 4096 /* the cap counts this many digests more (small lists) */

static uint64_t work_per_digest = (uint64_t)1 << 16;

void mg_setindex_set_work_cap(uint64_t per_digest)
{
    work_per_digest = per_digest ? per_digest : (uint64_t)1 << 16;
}

typedef struct tokslot {
    uint64_t key;  /* slot << 32 | value; EMPTY_KEY when free */
    uint32_t head; /* its first chunk, NIL, or HEAVY */
    uint32_t fill; /* ids in the first chunk (a push reads no chunk) */
} tokslot;

typedef struct chunk {
    uint32_t id[CH];
    uint32_t n, next;
} chunk;

/* the members of one component: ids and their codes, contiguous */
typedef struct members {
    uint32_t n, cap;
    uint32_t *id;
    unsigned char *sig;
} members;

typedef struct famwalk {
    const mg_setindex *ix;
    uint32_t need, *parent;
    tokslot *tab;
    size_t cap, used;
    chunk *ch;
    size_t ccap, cused;
    uint32_t cfree;
    uint32_t *cnt, *cnt_of;   /* cnt[r] is x's when cnt_of[r] == x */
    uint64_t *seen, visit;    /* r met in the list of visit seen[r] */
    members **comp;           /* per root: its members so far */
    uint32_t *touched;        /* roots the anchor counted */
    uint32_t *acnt, *bound;   /* each: the anchor's bound, the previous digest's */
    uint32_t *scan_of, *ref;  /* root scanned for x, its tightened bound */
    size_t nt;
    uint32_t anchor, prev, h, b0;
    bool delta_ok;            /* an anchor stands and nothing voided it */
    uint64_t work, cap_work;
} famwalk;

static size_t tok_hash(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15u) >> 20) & (cap - 1);
}

static bool tab_grow(famwalk *w)
{
    size_t cap = w->cap ? 2 * w->cap : 1 << 16;
    if (cap > SIZE_MAX / sizeof(tokslot))
        return false;
    tokslot *t = mg_malloc(cap * sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < cap; i++)
        t[i] = (tokslot){EMPTY_KEY, NIL, 0};
    for (size_t i = 0; i < w->cap; i++)
        if (w->tab[i].key != EMPTY_KEY) {
            size_t h = tok_hash(w->tab[i].key, cap);
            while (t[h].key != EMPTY_KEY)
                h = (h + 1) & (cap - 1);
            t[h] = w->tab[i];
        }
    free(w->tab);
    w->tab = t;
    w->cap = cap;
    return true;
}

/* the slot of a token, inserted when new (the caller made room) */
static tokslot *tok_get(famwalk *w, uint64_t key)
{
    size_t h = tok_hash(key, w->cap);
    while (w->tab[h].key != key && w->tab[h].key != EMPTY_KEY)
        h = (h + 1) & (w->cap - 1);
    if (w->tab[h].key == EMPTY_KEY) {
        w->tab[h].key = key;
        w->used++;
    }
    return &w->tab[h];
}

static void chunks_free(famwalk *w, uint32_t c)
{
    while (c != NIL) {
        uint32_t next = w->ch[c].next;
        w->ch[c].next = w->cfree;
        w->cfree = c;
        c = next;
    }
}

/* id onto the token's list (a heavy token keeps no list) */
static bool list_push(famwalk *w, tokslot *ts, uint32_t id)
{
    uint32_t *head = &ts->head;
    if (*head == HEAVY)
        return true;
    if (*head != NIL && ts->fill < CH) {
        w->ch[*head].id[ts->fill++] = id;
        w->ch[*head].n = ts->fill;
        return true;
    }
    uint32_t c = w->cfree;
    if (c != NIL) {
        w->cfree = w->ch[c].next;
    } else {
        if (w->cused == w->ccap) {
            size_t n = w->ccap ? 2 * w->ccap : 1 << 12;
            if (n >= NIL - 1 || n > SIZE_MAX / sizeof(chunk))
                return false;
            chunk *v = mg_realloc(w->ch, n * sizeof *v);
            if (!v)
                return false;
            w->ch = v;
            w->ccap = n;
        }
        c = (uint32_t)w->cused++;
    }
    w->ch[c] = (chunk){.n = 1, .next = *head};
    w->ch[c].id[0] = id;
    *head = c;
    ts->fill = 1;
    return true;
}

/* count x's token at *head: each component on the list once (the list is
 * rewritten to one entry per current root); a list past LHEAVY turns heavy */
static void list_count(famwalk *w, tokslot *ts, uint32_t x)
{
    uint32_t *head = &ts->head;
    uint32_t wc = *head, wp = 0;
    size_t kept = 0;
    w->visit++;
    for (uint32_t c = *head; c != NIL; c = w->ch[c].next) {
        uint32_t n = w->ch[c].n;
        w->work += n;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = mg_uf_find(w->parent, w->ch[c].id[i]);
            if (w->seen[r] == w->visit)
                continue;
            w->seen[r] = w->visit;
            if (w->cnt_of[r] != x) {
                w->cnt_of[r] = x;
                w->cnt[r] = 0;
                w->touched[w->nt++] = r;
            }
            w->cnt[r]++;
            if (wp == CH) { /* the write cursor never passes the read one */
                w->ch[wc].n = CH;
                wc = w->ch[wc].next;
                wp = 0;
            }
            w->ch[wc].id[wp++] = r;
            kept++;
        }
    }
    if (kept == 0 || kept > LHEAVY) {
        chunks_free(w, *head);
        *head = kept ? HEAVY : NIL;
        return;
    }
    w->ch[wc].n = wp;
    chunks_free(w, w->ch[wc].next);
    w->ch[wc].next = NIL;
    ts->fill = w->ch[*head].n;
}

/* A 4-bit code of every slot (4 bits of its value, mixed: a minimum's top
 * bits are mostly 0), 128 bytes a digest: equal slots have equal codes, so
 * the codes that agree bound the equal slots from above. */
#define SIG 128

static unsigned code(uint32_t v)
{
    return (v * 0x9e3779b1u) >> 28;
}

static void make_sig(const uint32_t *r, unsigned char *sig)
{
    for (size_t j = 0; j < SIG; j++)
        sig[j] = (unsigned char)(code(r[2 * j]) | code(r[2 * j + 1]) << 4);
}

static unsigned sig_agree(const unsigned char *a, const unsigned char *b)
{
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    __m128i acc = zero;
    for (size_t j = 0; j < SIG; j += 16) {
        __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + j)),
                                  _mm_loadu_si128((const __m128i *)(b + j)));
        __m128i l = _mm_and_si128(v, lo), h = _mm_and_si128(_mm_srli_epi16(v, 4), lo);
        acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(l, zero)); /* at most 16 a lane */
        acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(h, zero));
    }
    acc = _mm_sad_epu8(acc, zero);
    return (unsigned)(_mm_cvtsi128_si32(acc) + _mm_cvtsi128_si32(_mm_srli_si128(acc, 8)));
#else
    unsigned differ = 0;
    for (size_t j = 0; j < SIG; j++) {
        unsigned v = a[j] ^ b[j];
        differ += ((v & 15) != 0) + ((v >> 4) != 0);
    }
    return 2 * SIG - differ;
#endif
}

static uint32_t equal_slots(const uint32_t *a, const uint32_t *b)
{
    uint32_t m = 0;
    for (size_t i = 0; i < K; i++)
        m += a[i] == b[i];
    return m;
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

static bool members_reserve(members *c, size_t more)
{
    if (c->n + more <= c->cap)
        return true;
    size_t cap = c->cap ? c->cap : 4;
    while (cap < c->n + more)
        cap *= 2;
    if (cap > UINT32_MAX)
        return false;
    uint32_t *id = mg_realloc(c->id, cap * sizeof *id);
    if (!id)
        return false;
    c->id = id;
    unsigned char *sig = mg_realloc(c->sig, cap * SIG);
    if (!sig)
        return false;
    c->sig = sig;
    c->cap = (uint32_t)cap;
    return true;
}

/* join the components of roots a and b (their member lists merged, the
 * smaller appended to the larger); the smaller root stays the root */
static bool join(famwalk *w, uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo == hi)
        return true;
    w->parent[hi] = lo;
    members **comp = w->comp, *big = comp[lo], *small = comp[hi];
    if (!small)
        return true;
    if (!big || big->n < small->n) {
        members *t = big;
        big = small;
        small = t;
    }
    comp[lo] = big;
    comp[hi] = NULL;
    if (!small)
        return true;
    if (!members_reserve(big, small->n))
        return false;
    memcpy(big->id + big->n, small->id, small->n * sizeof *small->id);
    memcpy(big->sig + (size_t)big->n * SIG, small->sig, (size_t)small->n * SIG);
    big->n += small->n;
    free(small->id);
    free(small->sig);
    free(small);
    return true;
}

/* x against the members of root r: 1 when linked (on the first partner),
 * 0 when not (*best: the largest code agreement, >= m(x, y) for every
 * member y), -1 out of memory */
static int scan(famwalk *w, uint32_t x, const unsigned char *x_sig, uint32_t r, uint32_t *best)
{
    const members *c = w->comp[r];
    const uint32_t *x_row = row(w->ix, x);
    uint32_t top = 0;
    for (uint32_t j = 0; c && j < c->n; j++) {
        unsigned a = sig_agree(x_sig, c->sig + (size_t)j * SIG);
        w->work++;
        if (a > top)
            top = a;
        if (a >= w->need && reaches(x_row, row(w->ix, c->id[j]), w->need))
            return join(w, mg_uf_find(w->parent, x), r) ? 1 : -1;
    }
    *best = top;
    return 0;
}

/* every component a candidate (heavy tokens alone reach M): scan them all */
static bool scan_all(famwalk *w, uint32_t x, const unsigned char *x_sig)
{
    uint32_t best;
    for (uint32_t r = 0; r < x; r++) {
        w->work++;
        if (w->parent[r] == r && w->comp[r] && r != mg_uf_find(w->parent, x) &&
            scan(w, x, x_sig, r, &best) < 0)
            return false;
    }
    return true;
}

/* the count: x becomes the anchor (its tokens' lists read, then the
 * components whose bound reaches M scanned) */
static bool count(famwalk *w, uint32_t x, tokslot **heads, size_t nh, const unsigned char *x_sig)
{
    uint32_t h = 0;
    w->nt = 0;
    for (size_t k = 0; k < nh; k++) {
        if (heads[k]->head == HEAVY)
            h++;
        else
            list_count(w, heads[k], x);
    }
    for (size_t k = 0; k < w->nt; k++) {
        uint32_t r = mg_uf_find(w->parent, w->touched[k]);
        uint32_t b = w->cnt[w->touched[k]] + h, best;
        if (b >= w->need && r != mg_uf_find(w->parent, x)) {
            int s = scan(w, x, x_sig, r, &best);
            if (s < 0)
                return false;
            if (s == 0 && best < b)
                b = best;
        }
        w->acnt[k] = w->bound[k] = b;
    }
    if (h >= w->need && !scan_all(w, x, x_sig))
        return false;
    w->anchor = x;
    w->h = w->b0 = h;
    w->delta_ok = h < w->need;
    return true;
}

/* the delta from the previous digest p (see the header): 1 done, 0 not
 * sound here (count instead), -1 out of memory */
static int delta(famwalk *w, uint32_t x, const unsigned char *x_sig)
{
    const uint32_t *x_row = row(w->ix, x);
    uint32_t mp = equal_slots(x_row, row(w->ix, w->prev));
    if (mp < w->need)
        return 0;
    uint32_t da = K - equal_slots(x_row, row(w->ix, w->anchor)), dp = K - mp;
    uint32_t b0 = w->h + da < w->b0 + dp ? w->h + da : w->b0 + dp;
    if (b0 >= w->need)
        return 0;
    if (!join(w, mg_uf_find(w->parent, x), mg_uf_find(w->parent, w->prev)))
        return -1;
    w->b0 = b0;
    w->work += w->nt + 2 * K / 16;
    for (size_t k = 0; k < w->nt; k++) {
        uint32_t r = mg_uf_find(w->parent, w->touched[k]);
        if (r == mg_uf_find(w->parent, x))
            continue;
        uint32_t e = w->acnt[k] + da, ep = w->bound[k] + dp;
        if (ep < e)
            e = ep;
        if (e >= w->need) {
            if (w->scan_of[r] != x) {
                int s = scan(w, x, x_sig, r, &w->ref[r]);
                if (s < 0)
                    return -1;
                w->scan_of[r] = x;
                if (s == 1)
                    continue;
            }
            if (w->ref[r] < e)
                e = w->ref[r];
        }
        w->bound[k] = e;
    }
    return 1;
}

/* one representative x: linked to its partners' components, then added to
 * its component's members and its tokens' lists */
static bool take(famwalk *w, uint32_t x)
{
    const mg_setindex *ix = w->ix;
    const uint32_t *x_row = row(ix, x);
    const uint16_t *f = ix->freq + (size_t)x * K;
    unsigned char x_sig[SIG];
    make_sig(x_row, x_sig);
    /* room for x's tokens: the table does not move while x holds pointers */
    while (2 * (w->used + K) > w->cap)
        if (!tab_grow(w))
            return false;
    tokslot *heads[K];
    size_t nh = 0;
    for (size_t s = 0; s < K; s++)
        if (f[s] >= 2) /* held by x alone: no other digest agrees here */
            heads[nh++] = tok_get(w, (uint64_t)s << 32 | x_row[s]);
    int d = w->delta_ok ? delta(w, x, x_sig) : 0; /* no anchor before the first count */
    if (d < 0 || (d == 0 && !count(w, x, heads, nh, x_sig)))
        return false;
    uint32_t rx = mg_uf_find(w->parent, x);
    if (!w->comp[rx] && !(w->comp[rx] = mg_calloc(1, sizeof **w->comp)))
        return false;
    if (!members_reserve(w->comp[rx], 1))
        return false;
    w->comp[rx]->id[w->comp[rx]->n] = x;
    memcpy(w->comp[rx]->sig + (size_t)w->comp[rx]->n++ * SIG, x_sig, SIG);
    for (size_t k = 0; k < nh; k++)
        if (!list_push(w, heads[k], x))
            return false;
    w->prev = x;
    return true;
}

static void famwalk_free(famwalk *w, size_t n)
{
    free(w->tab);
    free(w->ch);
    free(w->cnt);
    free(w->cnt_of);
    free(w->seen);
    for (size_t i = 0; w->comp && i < n; i++)
        if (w->comp[i]) {
            free(w->comp[i]->id);
            free(w->comp[i]->sig);
            free(w->comp[i]);
        }
    free(w->comp);
    free(w->touched);
    free(w->acnt);
    free(w->bound);
    free(w->scan_of);
    free(w->ref);
}

static mg_status walk_families(const mg_setindex *ix, int t, uint32_t *parent, mg_error *err)
{
    t = t < 1 ? 1 : t > 100 ? 100 : t;
    size_t n = ix->n, m = n ? n : 1;
    famwalk w = {.ix = ix, .parent = parent, .cfree = NIL};
    w.need = (uint32_t)(((size_t)t * K + 99) / 100); /* M */
    w.cnt = mg_malloc(m * sizeof *w.cnt);
    w.cnt_of = mg_malloc(m * sizeof *w.cnt_of);
    w.seen = mg_calloc(m, sizeof *w.seen);
    w.comp = mg_calloc(m, sizeof *w.comp);
    w.touched = mg_malloc(m * sizeof *w.touched);
    w.acnt = mg_malloc(m * sizeof *w.acnt);
    w.bound = mg_malloc(m * sizeof *w.bound);
    w.scan_of = mg_malloc(m * sizeof *w.scan_of);
    w.ref = mg_malloc(m * sizeof *w.ref);
    mg_status st = MG_OK;
    if (!w.cnt || !w.cnt_of || !w.seen || !w.comp || !w.touched || !w.acnt || !w.bound ||
        !w.scan_of || !w.ref || !tab_grow(&w)) {
        st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
        goto done;
    }
    memset(w.cnt_of, 0xff, m * sizeof *w.cnt_of);
    memset(w.scan_of, 0xff, m * sizeof *w.scan_of);
    size_t taken = 0;
    for (size_t xi = 0; xi < n; xi++)
        taken += ix->valid[xi] && ix->reps[xi] == xi;
    w.cap_work = (WORK_FLOOR + (uint64_t)taken) * work_per_digest;
    for (size_t xi = 0, done = 0; xi < n; xi++) {
        if (!ix->valid[xi] || ix->reps[xi] != xi)
            continue;
        if (!take(&w, (uint32_t)xi)) {
            st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
            goto done;
        }
        done++;
        if (w.work > w.cap_work) {
            st = mg_fail(err, MG_ERR_TOO_COSTLY,
                         "families: the digests are too alike to link within the work cap "
                         "(%llu steps after %zu of %zu digests at T %d); raise T or split the list",
                         (unsigned long long)w.work, done, taken, t);
            goto done;
        }
    }
done:
    famwalk_free(&w, n);
    return st;
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
            uint32_t r = mg_uf_find(parent, (uint32_t)i);
            id[i] = r == i ? (uint32_t)k++ : id[r];
        }
        *nfam = k;
    }
    free(parent);
    return st;
}
