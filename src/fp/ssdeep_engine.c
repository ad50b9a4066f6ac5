/* ssdeep_engine.c - owns malgopher's ssdeep engine: one pass over the
 * input that keeps every active block size's FNV state packed eight to a
 * 64-bit word (SWAR), the rolling hash in registers with its 7-byte window
 * in one word, and libfuzzy 2.14's block-size rules (fork, reduce, the
 * digest's choice of block size) reproduced step for step on the rare
 * trigger path.  Exactness argument: docs/spec/ssdeep-engine.md; the oracle
 * is libfuzzy itself (tests/unit/test_ssdeep_engine.c). */
#include "fp/ssdeep_engine.h"

#include <stdio.h>
#include <string.h>

#define MIN_BS 3u
#define HALF (MG_SSDEEP_SPAN / 2)
#define FNV_INIT 0x27u /* 0x28021967 mod 64 */
#define LANES 0x0101010101010101ull
#define BS(i) (MIN_BS << (i))
#define TOTAL_MAX ((uint64_t)BS(MG_SSDEEP_LEVELS - 1) * MG_SSDEEP_SPAN)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static unsigned lane(const uint64_t *w, unsigned i)
{
    return (unsigned)(w[i >> 3] >> (8 * (i & 7))) & 0xffu;
}

static void set_lane(uint64_t *w, unsigned i, unsigned v)
{
    unsigned sh = 8 * (i & 7);
    w[i >> 3] = (w[i >> 3] & ~(0xffull << sh)) | ((uint64_t)v << sh);
}

/* One FNV step on eight 6-bit states at once: (h * 0x01000193 ^ c) mod 64.
 * 0x01000193 = 19 (mod 64) and 19h = 16h + 2h + h; 16h mod 64 needs h's
 * low 2 bits, 2h mod 64 its low 5: every term stays below 64, the sum
 * below 192, so no carry crosses a lane (fnv_pair below, on two words). */
static unsigned fnv1(unsigned h, unsigned char c)
{
    return ((h * 0x13u) ^ c) & 0x3fu;
}

void mg_ssdeep_init(mg_ssdeep *s)
{
    memset(s, 0, sizeof *s);
    s->end = 1;
    s->endlimit = MG_SSDEEP_LEVELS - 1;
    for (unsigned w = 0; w < 4; w++)
        s->h[w] = s->half[w] = FNV_INIT * LANES;
    s->reduce_border = (uint64_t)MIN_BS * MG_SSDEEP_SPAN;
}

bool mg_ssdeep_set_total(mg_ssdeep *s, uint64_t total)
{
    if (total > TOTAL_MAX || (s->fixed && s->fixed_size != total))
        return false;
    s->fixed = true;
    s->fixed_size = total;
    unsigned bi = 0; /* the first level whose 64 blocks cover the input, at most 29 */
    while ((uint64_t)BS(bi) * MG_SSDEEP_SPAN < total && bi < MG_SSDEEP_LEVELS - 2)
        ++bi;
    s->endlimit = bi + 1;
    return true;
}

/* the first trigger of the highest level opens the next one */
static void try_fork(mg_ssdeep *s)
{
    unsigned o = s->end - 1;
    if (s->end <= s->endlimit) {
        set_lane(s->h, o + 1, lane(s->h, o));
        set_lane(s->half, o + 1, lane(s->half, o));
        s->digest[o + 1][0] = 0;
        s->halfdigest[o + 1] = 0;
        s->dindex[o + 1] = 0;
        s->end++;
    } else if (s->end == MG_SSDEEP_LEVELS && !s->need_last) {
        s->need_last = true;
        s->lasth = (unsigned char)lane(s->h, o);
    }
}

/* the lowest level is dropped once the next one could stand for it */
static void try_reduce(mg_ssdeep *s)
{
    if (s->end - s->start < 2)
        return;
    if (s->reduce_border >= (s->fixed ? s->fixed_size : s->total))
        return;
    if (s->dindex[s->start + 1] < HALF)
        return;
    s->start++;
    s->reduce_border *= 2;
    s->rollmask = s->rollmask * 2 + 1;
}

/* a reset point: h = (rolling sum + 1) / 3, already a multiple of 2^start */
static void trigger(mg_ssdeep *s, uint32_t h)
{
    h >>= s->start;
    unsigned i = s->start;
    do {
        if (s->dindex[i] == 0)
            try_fork(s);
        unsigned d = s->dindex[i];
        s->digest[i][d] = b64[lane(s->h, i)];
        s->halfdigest[i] = b64[lane(s->half, i)];
        if (d < MG_SSDEEP_SPAN - 1) {
            s->dindex[i] = (unsigned char)++d;
            s->digest[i][d] = 0;
            set_lane(s->h, i, FNV_INIT);
            if (d < HALF) {
                set_lane(s->half, i, FNV_INIT);
                s->halfdigest[i] = 0;
            }
        } else {
            try_reduce(s);
        }
        if (h & 1)
            break;
        h >>= 1;
    } while (++i < s->end);
}

/* A level word and its half word side by side: one SSE2 register where the
 * compiler has vector extensions (GCC, Clang), two scalars elsewhere. */
#if defined(__GNUC__)
typedef uint64_t pair __attribute__((vector_size(16)));
#define PAIR(a, b) ((pair){(a), (b)})
#define PAIR_H(v) ((v)[0])
#define PAIR_HALF(v) ((v)[1])
static inline pair fnv_pair(pair x, pair cc)
{
    pair t = ((x & (0x03 * LANES)) << 4) + ((x & (0x1f * LANES)) << 1) + x;
    return (t & (0x3f * LANES)) ^ cc;
}
#else
static inline uint64_t fnv8(uint64_t x, uint64_t cc)
{
    uint64_t t = ((x & 0x03 * LANES) << 4) + ((x & 0x1f * LANES) << 1) + x;
    return (t & 0x3f * LANES) ^ cc;
}
typedef struct { uint64_t h, half; } pair;
#define PAIR(a, b) ((pair){(a), (b)})
#define PAIR_H(v) ((v).h)
#define PAIR_HALF(v) ((v).half)
static inline pair fnv_pair(pair x, pair cc)
{
    return (pair){fnv8(x.h, cc.h), fnv8(x.half, cc.h)};
}
#endif

/* The hot loop for NW active words starting at word LO (NW a constant at
 * each call, so the words stay in registers): runs to the end of p or
 * through the first reset point; returns the bytes consumed. */
static inline __attribute__((always_inline)) size_t run(mg_ssdeep *s, const unsigned char *p,
                                                        size_t n, unsigned lo, unsigned nw)
{
    pair v[4];
    for (unsigned w = 0; w < nw; w++)
        v[w] = PAIR(s->h[lo + w], s->half[lo + w]);
    uint64_t win = s->win;
    uint32_t r1 = s->r1, r2 = s->r2, r3 = s->r3, mask = s->rollmask;
    bool last = s->need_last;
    size_t k = 0;
    uint32_t h = 0;
    bool hit = false;
    while (k < n) {
        unsigned char c = p[k++];
        uint32_t out = (uint32_t)(win >> 48) & 0xffu;
        win = ((win << 8) | c) & 0x00ffffffffffffffull;
        r2 = r2 - r1 + 7u * c;
        r1 = r1 + c - out;
        r3 = (r3 << 5) ^ c;
        uint64_t c8 = (uint64_t)(c & 0x3f) * LANES;
        pair cc = PAIR(c8, c8);
        for (unsigned w = 0; w < nw; w++)
            v[w] = fnv_pair(v[w], cc);
        if (last)
            s->lasth = (unsigned char)fnv1(s->lasth, c);
        uint32_t horg = r1 + r2 + r3 + 1;
        h = horg / MIN_BS;
        /* 0xffffffff + 1 is no reset point: 0xffffffff != -1 (mod 3) */
        if (horg && !(h & mask) && horg % MIN_BS == 0) {
            hit = true;
            break;
        }
    }
    for (unsigned w = 0; w < nw; w++) {
        s->h[lo + w] = PAIR_H(v[w]);
        s->half[lo + w] = PAIR_HALF(v[w]);
    }
    s->win = win;
    s->r1 = r1;
    s->r2 = r2;
    s->r3 = r3;
    if (hit)
        trigger(s, h);
    return k;
}

void mg_ssdeep_update(mg_ssdeep *s, const unsigned char *p, size_t n)
{
    if (n > TOTAL_MAX || TOTAL_MAX - n < s->total)
        s->total = TOTAL_MAX + 1;
    else
        s->total += n;
    size_t k = 0;
    while (k < n) {
        unsigned lo = s->start >> 3, nw = ((s->end - 1) >> 3) - lo + 1;
        switch (nw) {
        case 1: k += run(s, p + k, n - k, lo, 1); break;
        case 2: k += run(s, p + k, n - k, lo, 2); break;
        case 3: k += run(s, p + k, n - k, lo, 3); break;
        default: k += run(s, p + k, n - k, lo, 4); break;
        }
    }
}

/* the last character of a level: the pending FNV state when the rolling
 * sum is not 0, else the one a full digest already holds at its end */
static size_t put_level(const mg_ssdeep *s, unsigned bi, unsigned len, bool live, unsigned fnv,
                        char tail, char *o)
{
    memcpy(o, s->digest[bi], len);
    if (live)
        o[len++] = b64[fnv];
    else if (tail)
        o[len++] = tail;
    return len;
}

bool mg_ssdeep_digest(const mg_ssdeep *s, char out[MG_SSDEEP_MAX])
{
    out[0] = 0;
    if (s->total > TOTAL_MAX || (s->fixed && s->fixed_size != s->total))
        return false;
    bool live = s->r1 + s->r2 + s->r3 != 0;
    unsigned bi = s->start;
    while ((uint64_t)BS(bi) * MG_SSDEEP_SPAN < s->total)
        ++bi;
    if (bi >= s->end)
        bi = s->end - 1;
    while (bi > s->start && s->dindex[bi] < HALF)
        --bi;
    int k = snprintf(out, MG_SSDEEP_MAX, "%lu:", (unsigned long)BS(bi));
    if (k <= 0)
        return out[0] = 0, false;
    char *o = out + k;
    unsigned d = s->dindex[bi];
    o += put_level(s, bi, d, live, lane(s->h, bi), s->digest[bi][d], o);
    *o++ = ':';
    if (bi < s->end - 1) {
        unsigned b2 = bi + 1;
        unsigned len = s->dindex[b2] > HALF - 1 ? HALF - 1 : s->dindex[b2];
        o += put_level(s, b2, len, live, lane(s->half, b2), s->halfdigest[b2], o);
    } else if (live) {
        *o++ = b64[bi == 0 ? lane(s->h, 0) : s->lasth];
    }
    *o = 0;
    return true;
}

bool mg_ssdeep_hash_buf(const unsigned char *p, uint32_t n, char out[MG_SSDEEP_MAX])
{
    mg_ssdeep s;
    mg_ssdeep_init(&s);
    if (!mg_ssdeep_set_total(&s, n)) {
        out[0] = 0;
        return false;
    }
    mg_ssdeep_update(&s, p, n);
    return mg_ssdeep_digest(&s, out);
}
