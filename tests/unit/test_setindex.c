/* test_setindex.c - the gimpset index against the naive all-pairs
 * reference: 10k synthetic digests (families of name sets mutated by adding
 * and removing names, copies, empty and malformed digests): every pair at
 * T = 1, 10, 25, 35, 50, 75, 90, 100 and the families at every T = 1..100
 * must be equal. */
#include "malgopher.h"
#include "index/allpairs.h" /* mg_setpairs_naive: test-only */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define N 10000

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
    assert_true(nall > 10000);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
