/* test_setindex.c - the gimpset index against the naive all-pairs
 * reference: 10k synthetic digests (families of name sets mutated by adding
 * and removing names, copies, empty and malformed digests): every pair at
 * T = 1, 10, 25, 35, 50, 75, 90, 100 and the families at every T = 1..100
 * must be equal.  Then runs of near variants (each program's variants in a
 * row, as the families walk's delta step takes them) against the naive
 * families at every T; and two crafted slot lists, their answers worked by
 * hand: 89 slots common to all (score 34 with everything, so singletons at
 * T = 35 and one family at 34) must stay within a lowered work cap, and 100
 * slots of random bits (no pair near 35) must hit it with a clear error. */
#include "malgopher.h"
#include "index/allpairs.h" /* mg_setpairs_naive: test-only */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* the random digests compared with the naive all-pairs twin (N^2/2 pairs of
 * 256 slots: the test's cost); fewer under ASan+UBSan, which runs it ~5x
 * slower (make test-asan) */
#if defined(__SANITIZE_ADDRESS__)
#define N 2500
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define N 2500
#endif
#endif
#ifndef N
#define N 6000
#endif

static uint64_t rng = 88172645463325252u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char **make_digests(size_t n)
{
    char **d = malloc(n * sizeof *d);
    static char buf[4000][48];
    const char *names[4000];
    uint32_t lens[4000];
    for (size_t i = 0; i < n; i++) {
        d[i] = malloc(MG_GIMPSET_LEN);
        if (i % 97 == 5) {
            strcpy(d[i], i % 2 ? "gs1:256:" : "gs1:256:bad");
            continue;
        }
        if (i % 13 == 7 && i > 0) { /* a copy */
            strcpy(d[i], d[i - 1]);
            continue;
        }
        size_t fam = next() % 400, k = 0;
        size_t base = 20 + fam % 300;
        for (size_t j = 0; j < base; j++)
            if (next() % 100 >= 15) /* remove ~15% */
                snprintf(buf[k], sizeof buf[k], "github.com/f%zu/p.Func%zu", fam, j), k++;
        size_t extra = next() % 40; /* add a few of its own */
        for (size_t j = 0; j < extra && k < 4000; j++)
            snprintf(buf[k], sizeof buf[k], "github.com/x/q.N%llu", (unsigned long long)(next() % 100000)), k++;
        for (size_t j = 0; j < k; j++) {
            names[j] = buf[j];
            lens[j] = (uint32_t)strlen(buf[j]);
        }
        mg_gimpset_names(names, lens, k, d[i]);
    }
    return d;
}

static void index_equals_naive(void **state)
{
    (void)state;
    char **d = make_digests(N);
    mg_setindex *ix;
    mg_error e;
    assert_int_equal(mg_setindex_build((const char *const *)d, N, &ix, &e), MG_OK);
    mg_edge *all;
    size_t nall;
    assert_int_equal(mg_setpairs_naive((const char *const *)d, N, 1, &all, &nall, &e), MG_OK);
    assert_true(nall > N); /* pairs at every score: not a sparse case */
    uint32_t *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    static const int ts[] = {1, 10, 25, 35, 50, 75, 90, 100};
    for (size_t t = 0; t < sizeof ts / sizeof *ts; t++) {
        mg_edge *ed;
        size_t ne, want = 0;
        assert_int_equal(mg_setindex_pairs(ix, ts[t], false, &ed, &ne, &e), MG_OK);
        for (size_t k = 0; k < nall; k++)
            if (all[k].score >= ts[t]) {
                assert_true(want < ne);
                assert_int_equal(ed[want].a, all[k].a);
                assert_int_equal(ed[want].b, all[k].b);
                assert_int_equal(ed[want].score, all[k].score);
                want++;
            }
        assert_int_equal(ne, want);
        free(ed);
    }
    /* the families at every threshold: naive components of all the pairs */
    for (int t = 1; t <= 100; t++) {
        size_t ka, kb;
        assert_int_equal(mg_cluster_components(N, NULL, all, nall, t, fa, &ka, &e), MG_OK);
        assert_int_equal(mg_setindex_families(ix, t, fb, &kb, &e), MG_OK);
        assert_int_equal(ka, kb);
        assert_memory_equal(fa, fb, N * sizeof *fa);
    }
    free(fa);
    free(fb);
    free(all);
    mg_setindex_free(ix);
    for (size_t i = 0; i < N; i++)
        free(d[i]);
    free(d);
}

/* the families at every T against the naive components of all pairs */
static void families_equal_naive(char **d, size_t n)
{
    mg_setindex *ix;
    mg_error e;
    assert_int_equal(mg_setindex_build((const char *const *)d, n, &ix, &e), MG_OK);
    mg_edge *all;
    size_t nall;
    assert_int_equal(mg_setpairs_naive((const char *const *)d, n, 1, &all, &nall, &e), MG_OK);
    uint32_t *fa = malloc(n * sizeof *fa), *fb = malloc(n * sizeof *fb);
    for (int t = 1; t <= 100; t++) {
        size_t ka, kb;
        assert_int_equal(mg_cluster_components(n, NULL, all, nall, t, fa, &ka, &e), MG_OK);
        assert_int_equal(mg_setindex_families(ix, t, fb, &kb, &e), MG_OK);
        assert_int_equal(ka, kb);
        assert_memory_equal(fa, fb, n * sizeof *fa);
    }
    free(fa);
    free(fb);
    free(all);
    mg_setindex_free(ix);
}

/* programs of 10 variants in a row: a program keeps 20-95% of one of 12
 * base sets plus 30 names of its own; a variant drops ~3% and adds 3 */
static void variants_equal_naive(void **state)
{
    (void)state;
    enum { NV = 2000 };
    char **d = malloc(NV * sizeof *d);
    static char buf[700][48];
    const char *names[700];
    uint32_t lens[700];
    uint64_t prog_rng = 0;
    for (size_t i = 0; i < NV; i++) {
        if (i % 10 == 0)
            prog_rng = next() | 1;
        uint64_t pr = prog_rng, keep = 20 + pr % 76, base = pr / 76 % 12, k = 0;
        d[i] = malloc(MG_GIMPSET_LEN);
        for (size_t j = 0; j < 500; j++) {
            pr ^= pr << 13, pr ^= pr >> 7, pr ^= pr << 17;
            if (pr % 100 < keep && next() % 100 >= 3)
                snprintf(buf[k], sizeof buf[k], "github.com/b%llu/p.F%zu", (unsigned long long)base, j), k++;
        }
        for (size_t j = 0; j < 30; j++)
            if (next() % 100 >= 3)
                snprintf(buf[k], sizeof buf[k], "github.com/own%llx/q.G%zu", (unsigned long long)prog_rng, j), k++;
        for (size_t j = 0; j < 3; j++)
            snprintf(buf[k], sizeof buf[k], "github.com/x/r.N%llu", (unsigned long long)(next() % 100000)), k++;
        for (size_t j = 0; j < k; j++) {
            names[j] = buf[j];
            lens[j] = (uint32_t)strlen(buf[j]);
        }
        mg_gimpset_names(names, lens, k, d[i]);
    }
    families_equal_naive(d, NV);
    for (size_t i = 0; i < NV; i++)
        free(d[i]);
    free(d);
}

/* a digest from its slots, written from docs/spec/gimpset.md: "gs1:256:"
 * and the base64 (with "==") of the slots as little-endian 32-bit words */
static void encode(const uint32_t *slots, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char raw[4 * MG_GIMPSET_K];
    for (size_t i = 0; i < MG_GIMPSET_K; i++)
        for (size_t b = 0; b < 4; b++)
            raw[4 * i + b] = (unsigned char)(slots[i] >> (8 * b));
    char *p = out + sprintf(out, "gs1:256:");
    for (size_t i = 0; i < sizeof raw; i += 3) {
        uint32_t w = (uint32_t)raw[i] << 16;
        if (i + 1 < sizeof raw)
            w |= (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        *p++ = b64[w >> 18];
        *p++ = b64[w >> 12 & 63];
        *p++ = i + 1 < sizeof raw ? b64[w >> 6 & 63] : '=';
        *p++ = i + 1 < sizeof raw ? b64[w & 63] : '=';
    }
    *p = 0;
}

/* n digests: slots below `common` hold v(i, s), the others a value of their own */
static char **crafted(size_t n, size_t common, uint32_t (*v)(size_t, size_t))
{
    char **d = malloc(n * sizeof *d);
    uint32_t sl[MG_GIMPSET_K];
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < MG_GIMPSET_K; s++)
            sl[s] = s < common ? v(i, s) : 16 + (uint32_t)i; /* unique in its slot */
        d[i] = malloc(MG_GIMPSET_LEN);
        encode(sl, d[i]);
    }
    return d;
}

static uint32_t seven(size_t i, size_t s)
{
    (void)i, (void)s;
    return 7;
}

static uint32_t random_bit(size_t i, size_t s)
{
    (void)i, (void)s;
    return (uint32_t)(next() >> 40 & 1);
}

static void crafted_lists(void **state)
{
    (void)state;
    enum { NC = 12000, NB = 3000 };
    char **d = crafted(NC, 89, seven);
    assert_int_equal(mg_gimpset_compare(d[0], d[1]), 34); /* 89 of 256 slots */
    mg_setindex *ix;
    mg_error e;
    uint32_t *fam = malloc(NC * sizeof *fam);
    size_t nfam;
    assert_int_equal(mg_setindex_build((const char *const *)d, NC, &ix, &e), MG_OK);
    mg_setindex_set_work_cap(4096);
    assert_int_equal(mg_setindex_families(ix, 35, fam, &nfam, &e), MG_OK);
    assert_int_equal(nfam, NC);
    assert_int_equal(mg_setindex_families(ix, 34, fam, &nfam, &e), MG_OK);
    assert_int_equal(nfam, 1);
    mg_setindex_free(ix);
    for (size_t i = 0; i < NC; i++)
        free(d[i]);
    free(d);
    /* 100 slots of random bits: ~50 agree in any pair, every component
     * holds the tokens; quadratic, so the cap must end it */
    d = crafted(NB, 100, random_bit);
    assert_int_equal(mg_setindex_build((const char *const *)d, NB, &ix, &e), MG_OK);
    assert_int_equal(mg_setindex_families(ix, 35, fam, &nfam, &e), MG_ERR_TOO_COSTLY);
    assert_non_null(strstr(e.msg, "work cap"));
    mg_setindex_set_work_cap(0);
    mg_setindex_free(ix);
    for (size_t i = 0; i < NB; i++)
        free(d[i]);
    free(d);
    free(fam);
}

static void compare_contract(void **state)
{
    (void)state;
    const char *names[] = {"main.main", "github.com/a/b.F", "runtime.main"};
    uint32_t lens[] = {9, 16, 12};
    char a[MG_GIMPSET_LEN];
    assert_int_equal(mg_gimpset_names(names, lens, 3, a), 2); /* runtime.main is not kept */
    assert_int_equal(strlen(a), MG_GIMPSET_LEN - 1);
    assert_int_equal(mg_gimpset_compare(a, a), 100);
    assert_int_equal(mg_gimpset_compare(a, "gs1:256:"), 0);
    assert_int_equal(mg_gimpset_compare(a, "gs1:128:AAAA"), -1);
    assert_int_equal(mg_gimpset_compare("3:ab:cd", a), -1);
    char b[MG_GIMPSET_LEN];
    strcpy(b, a);
    b[MG_GIMPSET_LEN - 3] = 'A' == b[MG_GIMPSET_LEN - 3] ? 'Q' : 'A'; /* the last char before "==" */
    assert_true(mg_gimpset_compare(a, b) == -1 || mg_gimpset_compare(a, b) == 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compare_contract),
        cmocka_unit_test(index_equals_naive),
        cmocka_unit_test(variants_equal_naive),
        cmocka_unit_test(crafted_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
