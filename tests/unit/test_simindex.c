/* test_simindex.c - the similarity index gives exactly the edges of
 * fuzzy_compare on all pairs: on a synthetic set (families of random Go-like
 * name lists with random edits, hashed with gimpfuzzy), on digests built to
 * hit libfuzzy's corner cases (identical short signatures, runs of more than
 * three equal characters, block sizes equal/double/half/unrelated, odd
 * spellings, malformed ones), for every threshold, in all-pairs and
 * representatives-only form, and one query at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fuzzy.h>

#include "malgopher.h"
#include "index/allpairs.h" /* mg_pairs_naive: test-only */
#include "fp/ssdeep_parse.h"
#include "fp/ssdeep_score.h"

static uint64_t rng = 0x1234567887654321u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

#define NFAM 40
#define PER 25
#define MAXN 700

/* gimpfuzzy of a random edit of family f's name list */
static char *variant(int f, int edits)
{
    static char names[MAXN + 64][64];
    static const char *ptr[MAXN + 64];
    static uint32_t len[MAXN + 64];
    uint64_t save = rng;
    rng = 0x9e3779b97f4a7c15u * (uint64_t)(f + 1); /* the family's base list */
    int n = 100 + (int)rnd(MAXN - 100);
    for (int i = 0; i < n; i++)
        snprintf(names[i], sizeof names[i], "github.com/fam%d/p%u.Func%u", f, rnd(20), rnd(100000));
    rng = save;
    for (int e = 0; e < edits; e++) {
        int at = (int)rnd((uint32_t)n);
        switch (rnd(3)) {
        case 0: /* delete */
            memmove(names[at], names[at + 1], (size_t)(n - at - 1) * sizeof names[0]);
            n--;
            break;
        case 1: /* insert */
            if (n < MAXN + 60) {
                memmove(names[at + 1], names[at], (size_t)(n - at) * sizeof names[0]);
                snprintf(names[at], sizeof names[at], "github.com/new/q%u.New%u", rnd(9), rnd(100000));
                n++;
            }
            break;
        default: /* rename */
            snprintf(names[at], sizeof names[at], "github.com/fam%d/r.Renamed%u", f, rnd(100000));
        }
    }
    for (int i = 0; i < n; i++) {
        ptr[i] = names[i];
        len[i] = (uint32_t)strlen(names[i]);
    }
    char hex[65], fz[160];
    mg_gimphash_names(ptr, len, (size_t)n, hex, fz);
    return strdup(fz);
}

/* the corner cases: pairs below are worked from libfuzzy's rules */
static const char *corner[] = {
    "3:ab:cd", "3:ab:cd",                         /* identical, no 7-gram: 100 */
    "3:aaaaaab:c", "3:aaab:c",                    /* identical after cutting runs to 3: 100 */
    "6:ABCDEFGHIJ:KLMNOPQRS", "12:KLMNOPQRSx:yz", /* sig2 of 6 vs sig1 of 12 share KLMNOPQ */
    "24:zzKLMNOPQRS:u", "48:KLMNOPQRS:u",         /* 24 vs 48: sig2 'u' vs sig1 - no 7-gram */
    "96:KLMNOPQRS:u",                             /* 96 vs 24: unrelated block sizes */
    "3:ABCDEFGHIJ:x", "3:yABCDEFGHI:x",           /* small block size: score capped */
    "1536:HPxFzfBXzfIRb88r5I5vj61l+ElpsXdNuVKeIB30wPAG1DHjEcx4N2YQepzv:HPDFfIRb88r5I521l+ElpsXdNuVKeIBk",
    "1536:HPxFzfBXzfIRb88r5I5vj61l+ElpsXdNuVKeIB30wPAG1DHjEcx4N2YQepzv:HPDFfIRb88r5I521l+ElpsXdNuVKeIBk,\"file\"",
    "03:ab:cd",                                   /* leading zero: the same block size as 3:ab:cd */
    " 3:ab:cd",                                   /* odd: leading space, sscanf still reads it */
    "+3:ABCDEFGHIJ:x",                            /* odd: sign */
    "3:ab",                                       /* malformed: one part */
    "3:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:x", /* runs: fits */
    "3:0123456789012345678901234567890123456789012345678901234567890123456789:x", /* 70 chars: malformed */
    "x:ab:cd",                                    /* not a digest */
    "",
    /* sig1: a long common subsequence but no common 7-character substring
     * (libfuzzy scores that pair 0); sig2 shares "0123456789": 57 */
    "1536:ABCDEFxGHIJKLxMNOPQRxSTUVWXxYZabcdx:0123456789abcdefgh",
    "1536:ABCDEFyGHIJKLyMNOPQRySTUVWXyYZabcdy:0123456789ZYXWVUTS",
};

static void same_edges(const mg_edge *a, size_t na, const mg_edge *b, size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        if (a[i].a != b[i].a || a[i].b != b[i].b || a[i].score != b[i].score)
            fail_msg("edge %zu: index (%u,%u,%d) naive (%u,%u,%d)", i, a[i].a, a[i].b, a[i].score, b[i].a, b[i].b,
                     b[i].score);
    }
}

static void check_set(const char *const *d, size_t n)
{
    mg_simindex *ix;
    mg_error e;
    assert_int_equal(mg_simindex_build(d, n, &ix, &e), MG_OK);
    mg_edge *naive, *fast;
    size_t nn, nf;
    assert_int_equal(mg_pairs_naive(d, n, 1, 2, &naive, &nn, &e), MG_OK);
    printf("%zu digests, %zu pairs score >= 1\n", n, nn);
    assert_true(nn > 0);
    /* the reference itself: every pair it lists is fuzzy_compare's score */
    for (size_t i = 0; i < nn; i++)
        assert_int_equal(naive[i].score, fuzzy_compare(d[naive[i].a], d[naive[i].b]));
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        assert_int_equal(mg_simindex_pairs(ix, 1, threads, false, &fast, &nf, &e), MG_OK);
        same_edges(fast, nf, naive, nn);
        free(fast);
    }
    /* thresholds: the edges >= t are the naive edges >= t */
    for (int t = 10; t <= 100; t += 30) {
        assert_int_equal(mg_simindex_pairs(ix, t, 2, false, &fast, &nf, &e), MG_OK);
        size_t k = 0;
        for (size_t i = 0; i < nn; i++)
            if (naive[i].score >= t) {
                assert_true(k < nf);
                assert_true(fast[k].a == naive[i].a && fast[k].b == naive[i].b && fast[k].score == naive[i].score);
                k++;
            }
        assert_int_equal(k, nf);
        free(fast);
        /* the families alone: the components of the naive edges >= t */
        uint32_t *fa = malloc((n + 1) * sizeof *fa), *fb = malloc((n + 1) * sizeof *fb);
        size_t ka, kb;
        assert_int_equal(mg_cluster_components(n, NULL, naive, nn, t, fa, &ka, &e), MG_OK);
        for (unsigned threads = 1; threads <= 2; threads++) {
            assert_int_equal(mg_simindex_families(ix, t, threads, fb, &kb, &e), MG_OK);
            assert_int_equal(ka, kb);
            assert_memory_equal(fa, fb, n * sizeof *fa);
        }
        free(fa);
        free(fb);
    }
    /* representatives only: the edges among representatives, and every
     * digest scores like its representative */
    const uint32_t *rep = mg_simindex_reps(ix);
    for (size_t i = 0; i < n; i++)
        if (rep[i] != i) {
            assert_true(rep[i] < i);
            assert_int_equal(fuzzy_compare(d[i], d[rep[i]]), 100);
        }
    assert_int_equal(mg_simindex_pairs(ix, 1, 2, true, &fast, &nf, &e), MG_OK);
    size_t k = 0;
    for (size_t i = 0; i < nn; i++)
        if (rep[naive[i].a] == naive[i].a && rep[naive[i].b] == naive[i].b) {
            assert_true(k < nf && fast[k].a == naive[i].a && fast[k].b == naive[i].b);
            k++;
        }
    assert_int_equal(k, nf);
    free(fast);
    /* queries: digest q against the set = its naive row (itself included) */
    for (size_t q = 0; q < n; q += (n > 100 ? 37 : 1)) {
        mg_hit *h;
        size_t nh;
        assert_int_equal(mg_simindex_query(ix, d[q], 1, &h, &nh, &e), MG_OK);
        size_t want = 0;
        for (size_t j = 0; j < n; j++) {
            int s = d[j] ? fuzzy_compare(d[q], d[j]) : -1;
            if (s >= 1) {
                want++;
                bool found = false;
                for (size_t x = 0; x < nh; x++)
                    found = found || (h[x].index == j && h[x].score == s);
                if (!found)
                    fail_msg("query %zu misses %zu (score %d)", q, j, s);
            }
        }
        assert_int_equal(nh, want);
        for (size_t x = 1; x < nh; x++)
            assert_true(h[x - 1].score >= h[x].score);
        free(h);
    }
    free(naive);
    mg_simindex_free(ix);
}

/* the index's score bound, recomputed: predicted(a, b) >= fuzzy_compare(a,
 * b) always, and equal whenever fuzzy_compare gives more than 0 */
static int predicted(const mg_digest *a, const mg_digest *b)
{
    mg_sigmask m1, m2;
    mg_sigmask_init(&m1, a->sig1, a->len1);
    mg_sigmask_init(&m2, a->sig2, a->len2);
    if (a->bs == b->bs) {
        int x = mg_sig_score(&m1, b->sig1, b->len1, a->bs), y = mg_sig_score(&m2, b->sig2, b->len2, 2 * a->bs);
        return x > y ? x : y;
    }
    if (b->bs == 2 * a->bs)
        return mg_sig_score(&m2, b->sig1, b->len1, b->bs);
    if (a->bs == 2 * b->bs)
        return mg_sig_score(&m1, b->sig2, b->len2, a->bs);
    return 0;
}

/* one signature pair alone, as fuzzy_compare sees "BS:SIG:" digests */
static void check_pair(const char *x, size_t lx, const char *y, size_t ly, uint64_t bs, size_t *exact)
{
    char a[100], b[100];
    snprintf(a, sizeof a, "%llu:%.*s:", (unsigned long long)bs, (int)lx, x);
    snprintf(b, sizeof b, "%llu:%.*s:", (unsigned long long)bs, (int)ly, y);
    if (lx == ly && !memcmp(x, y, lx))
        return; /* identical: libfuzzy's shortcut says 100 */
    mg_sigmask m;
    mg_sigmask_init(&m, x, lx);
    int real = fuzzy_compare(a, b), p = mg_sig_score(&m, y, ly, bs);
    if (p < real || (real > 0 && p != real))
        fail_msg("%s vs %s: predicted %d, fuzzy_compare %d", a, b, p, real);
    *exact += real > 0;
}

static void check_bound(const char *const *d, size_t n)
{
    size_t exact = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            mg_digest a, b;
            if (i == j || !d[i] || !d[j] || mg_digest_parse(d[i], &a) != MG_DIGEST_STRICT ||
                mg_digest_parse(d[j], &b) != MG_DIGEST_STRICT)
                continue;
            int real = fuzzy_compare(d[i], d[j]);
            bool same = a.bs == b.bs && a.len1 == b.len1 && a.len2 == b.len2 && !memcmp(a.sig1, b.sig1, a.len1) &&
                        !memcmp(a.sig2, b.sig2, a.len2);
            if (!same && predicted(&a, &b) < real)
                fail_msg("%s vs %s: bound %d below fuzzy_compare %d", d[i], d[j], predicted(&a, &b), real);
            /* the formula itself, signature pair by signature pair */
            if (a.bs == b.bs) {
                check_pair(a.sig1, a.len1, b.sig1, b.len1, a.bs, &exact);
                check_pair(a.sig2, a.len2, b.sig2, b.len2, 2 * a.bs, &exact);
            } else if (b.bs == 2 * a.bs)
                check_pair(a.sig2, a.len2, b.sig1, b.len1, b.bs, &exact);
        }
    printf("score bound: %zu signature pairs predicted exactly\n", exact);
    assert_true(n < 30 || exact > 100);
}

static void corner_cases(void **st)
{
    (void)st;
    size_t n = sizeof corner / sizeof *corner;
    /* the expectations the corner list was built for */
    assert_int_equal(fuzzy_compare(corner[0], corner[1]), 100);
    assert_int_equal(fuzzy_compare(corner[2], corner[3]), 100);
    assert_true(fuzzy_compare(corner[4], corner[5]) > 0);
    assert_int_equal(fuzzy_compare(corner[6], corner[7]), 0);
    assert_int_equal(fuzzy_compare(corner[8], corner[6]), 0);
    assert_int_equal(fuzzy_compare(corner[11], corner[12]), 100);
    assert_int_equal(fuzzy_compare(corner[13], corner[0]), 100);
    assert_int_equal(fuzzy_compare(corner[14], corner[0]), 100);
    assert_int_equal(fuzzy_compare(corner[17], corner[17]), 100);
    assert_int_equal(fuzzy_compare(corner[18], corner[18]), -1);
    /* worked by hand: sig1 scores 0 (no common 7-gram, though 30 of 35
     * characters are in common); sig2: LCS 10 of 18 and 18, distance 16,
     * 16 * 64 / 36 = 28, 100 * 28 / 64 = 43, 100 - 43 = 57 */
    assert_int_equal(fuzzy_compare(corner[21], corner[22]), 57);
    check_set(corner, n);
    check_bound(corner, n);
}

static void synthetic(void **st)
{
    (void)st;
    size_t n = NFAM * PER + sizeof corner / sizeof *corner;
    char **d = calloc(n, sizeof *d);
    size_t k = 0;
    for (int f = 0; f < NFAM; f++)
        for (int v = 0; v < PER; v++)
            d[k++] = variant(f, v == 0 ? 0 : (int)rnd(40));
    for (size_t c = 0; c < sizeof corner / sizeof *corner; c++)
        d[k++] = strdup(corner[c]);
    /* shuffle so that families are not contiguous */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rnd((uint32_t)i + 1);
        char *t = d[i];
        d[i] = d[j];
        d[j] = t;
    }
    check_set((const char *const *)d, n);
    check_bound((const char *const *)d, 300); /* 300 x 300 ordered pairs */
    for (size_t i = 0; i < n; i++)
        free(d[i]);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corner_cases),
        cmocka_unit_test(synthetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
