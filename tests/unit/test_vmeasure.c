/* test_vmeasure.c - homogeneity, completeness and V-measure against values
 * worked by hand (natural logs; the formulas are in the comments), the
 * degenerate cases scikit-learn defines, and the connected components /
 * central member of small graphs drawn by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "malgopher.h"

#define EPS 1e-9

static mg_vmeasure score(const uint32_t *lab, const uint32_t *clu, size_t n)
{
    mg_vmeasure m;
    mg_error e;
    assert_int_equal(mg_vmeasure_score(lab, clu, n, &m, &e), MG_OK);
    return m;
}

static void expect(mg_vmeasure m, double h, double c, double v)
{
    assert_true(fabs(m.homogeneity - h) < EPS);
    assert_true(fabs(m.completeness - c) < EPS);
    assert_true(fabs(m.v_measure - v) < EPS);
}

/* labels a a b b, clusters x x y y: a perfect match */
static void perfect(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 1, 1}, k[] = {7, 7, 3, 3};
    expect(score(l, k, 4), 1, 1, 1);
}

/* everything in one cluster: H(K) = 0 so c = 1; H(C|K) = H(C) so h = 0;
 * V = 2*0*1/(0+1) = 0 */
static void one_cluster(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 1, 1}, k[] = {5, 5, 5, 5};
    expect(score(l, k, 4), 0, 1, 0);
}

/* every sample alone: H(C|K) = 0 so h = 1; H(K) = ln 4, H(K|C) = ln 2
 * (each label split in two halves), c = 1 - ln2/ln4 = 1/2; V = 2*(1/2)/(3/2) = 2/3 */
static void singletons(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 1, 1}, k[] = {0, 1, 2, 3};
    expect(score(l, k, 4), 1, 0.5, 2.0 / 3.0);
}

/* a single label: H(C) = 0 so h = 1 by definition; clusters {2,1}: H(K|C) =
 * H(K) so c = 0; V = 0 */
static void one_label(void **st)
{
    (void)st;
    uint32_t l[] = {4, 4, 4}, k[] = {0, 0, 1};
    expect(score(l, k, 3), 1, 0, 0);
}

/* one label, one cluster: both entropies 0, h = c = 1, V = 1 */
static void one_and_one(void **st)
{
    (void)st;
    uint32_t l[] = {2, 2, 2}, k[] = {9, 9, 9};
    expect(score(l, k, 3), 1, 1, 1);
}

/* clusters independent of labels: h = c = 0 and V = 0 (h + c = 0) */
static void independent(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 1, 1}, k[] = {0, 1, 0, 1};
    expect(score(l, k, 4), 0, 0, 0);
}

/* no samples at all: nothing to get wrong, all 1 (scikit-learn) */
static void empty(void **st)
{
    (void)st;
    expect(score(NULL, NULL, 0), 1, 1, 1);
}

/* labels a a a b b b, clusters 1 1 2 2 3 3 (cluster 2 mixes a and b).
 * H(C) = ln2.  H(C|K) = -2*(1/6)ln(1/2) = ln2/3, so h = 1 - 1/3 = 2/3.
 * H(K) = ln3.  H(K|C): in each label, counts 2 and 1 of 3:
 * -2*[(2/6)ln(2/3) + (1/6)ln(1/3)] = ln3 - (2/3)ln2, so
 * c = (2/3)ln2/ln3 = 0.42061983571430..., V = 2hc/(h+c). */
static void mixed(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 0, 1, 1, 1}, k[] = {1, 1, 2, 2, 3, 3};
    double h = 2.0 / 3.0, c = (2.0 / 3.0) * log(2) / log(3);
    assert_true(fabs(c - 0.4206198357143) < 1e-12);
    expect(score(l, k, 6), h, c, 2 * h * c / (h + c));
}

/* labels a a b b c, clusters 1 1 1 2 2.  H(C) = -(2*(2/5)ln(2/5) + (1/5)ln(1/5)).
 * H(C|K): cluster 1 = {a,a,b}: -(2/5)ln(2/3) - (1/5)ln(1/3); cluster 2 =
 * {b,c}: -2*(1/5)ln(1/2).  H(K) = -(3/5)ln(3/5) - (2/5)ln(2/5).
 * H(K|C): a in one cluster (0), b split 1/1: -2*(1/5)ln(1/2), c alone (0). */
static void uneven(void **st)
{
    (void)st;
    uint32_t l[] = {0, 0, 1, 1, 2}, k[] = {1, 1, 1, 2, 2};
    double hc = -(2 * 0.4 * log(0.4) + 0.2 * log(0.2));
    double hck = -0.4 * log(2.0 / 3) - 0.2 * log(1.0 / 3) - 0.4 * log(0.5);
    double hk = -0.6 * log(0.6) - 0.4 * log(0.4);
    double hkc = -0.4 * log(0.5);
    double h = 1 - hck / hc, c = 1 - hkc / hk;
    expect(score(l, k, 5), h, c, 2 * h * c / (h + c));
}

/* components of a hand-drawn graph: 0-1 (80), 1-2 (60), 3-4 (90), 5 alone */
static void components(void **st)
{
    (void)st;
    mg_edge e[] = {{0, 1, 80}, {1, 2, 60}, {3, 4, 90}};
    uint32_t fam[6], central[6];
    size_t k;
    mg_error err;
    assert_int_equal(mg_cluster_components(6, NULL, e, 3, 70, fam, &k, &err), MG_OK);
    assert_int_equal(k, 4); /* {0,1} {2} {3,4} {5} numbered by first member */
    uint32_t want70[] = {0, 0, 1, 2, 2, 3};
    assert_memory_equal(fam, want70, sizeof want70);
    assert_int_equal(mg_cluster_components(6, NULL, e, 3, 60, fam, &k, &err), MG_OK);
    assert_int_equal(k, 3);
    uint32_t want60[] = {0, 0, 0, 1, 1, 2};
    assert_memory_equal(fam, want60, sizeof want60);
    /* central at 60: sums 0:80, 1:140, 2:60 -> 1; 3 and 4 tie at 90 -> 3 */
    assert_int_equal(mg_cluster_central(6, NULL, e, 3, fam, k, central, &err), MG_OK);
    assert_int_equal(central[0], 1);
    assert_int_equal(central[1], 3);
    assert_int_equal(central[2], 5);
    /* representatives: 5 is a copy of 2 (same digest), so it joins 2's family */
    uint32_t reps[] = {0, 1, 2, 3, 4, 2};
    assert_int_equal(mg_cluster_components(6, reps, e, 3, 70, fam, &k, &err), MG_OK);
    uint32_t wantr[] = {0, 0, 1, 2, 2, 1};
    assert_int_equal(k, 3);
    assert_memory_equal(fam, wantr, sizeof wantr);
    /* at 60 with reps: family {0,1,2,5}; sums: 0:80, 1:80+60*2=200, 2:60+100, 5 same as 2 */
    assert_int_equal(mg_cluster_components(6, reps, e, 3, 60, fam, &k, &err), MG_OK);
    assert_int_equal(mg_cluster_central(6, reps, e, 3, fam, k, central, &err), MG_OK);
    assert_int_equal(central[fam[0]], 1);
}

/* ranked families of a hand-drawn graph: 0-1 (80), 2-3 (90), 3-4 (75),
 * 6-7 (85), 5 alone, 8 alone.  By size: {2,3,4} first; {0,1} and {6,7} tie
 * at 2 and keep first-member order; then {5}, {8}.  Central of {2,3,4}:
 * sums 2:90, 3:165, 4:75 -> 3; {0,1} tie at 80 -> 0; {6,7} -> 6.  At 80
 * the 3-4 link (75) is gone: {2,3} and {4} split. */
static void ranked(void **st)
{
    (void)st;
    mg_edge e[] = {{0, 1, 80}, {2, 3, 90}, {3, 4, 75}, {6, 7, 85}};
    mg_families f;
    mg_error err;
    assert_int_equal(mg_cluster_families(9, NULL, e, 4, 70, &f, &err), MG_OK);
    assert_int_equal(f.nfam, 5);
    uint32_t want[] = {1, 1, 0, 0, 0, 3, 2, 2, 4};
    assert_memory_equal(f.family_of, want, sizeof want);
    uint32_t size[] = {3, 2, 2, 1, 1}, central[] = {3, 0, 6, 5, 8};
    assert_memory_equal(f.size, size, sizeof size);
    assert_memory_equal(f.central, central, sizeof central);
    mg_families_free(&f);
    assert_int_equal(mg_cluster_families(9, NULL, e, 4, 80, &f, &err), MG_OK);
    assert_int_equal(f.nfam, 6); /* {0,1} {2,3} {6,7} by first member, then {4} {5} {8} */
    uint32_t want80[] = {0, 0, 1, 1, 3, 4, 2, 2, 5};
    assert_memory_equal(f.family_of, want80, sizeof want80);
    assert_int_equal(f.central[1], 2); /* 2 and 3 tie at 90: the first */
    mg_families_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perfect),     cmocka_unit_test(one_cluster), cmocka_unit_test(singletons),
        cmocka_unit_test(one_label),   cmocka_unit_test(one_and_one), cmocka_unit_test(independent),
        cmocka_unit_test(empty),       cmocka_unit_test(mixed),       cmocka_unit_test(uneven),
        cmocka_unit_test(components),  cmocka_unit_test(ranked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
