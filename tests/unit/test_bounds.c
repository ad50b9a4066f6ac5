/* test_bounds.c - bounded cost on hostile tables: an over-long function name
 * is cut at MG_MAX_NAME_LEN, a function count over MG_MAX_FUNCS is cut
 * there, build info over MG_MAX_MODINFO is cut, each with the result marked
 * partial and a warning (never an abort); a blob packed with candidate
 * headers costs time linear in its size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "go/buildinfo.h"
#include "go/pclntab.h"
#include "malgopher.h"
#include "support/pcln_builder.h"

static const mg_image *open_one(const uint8_t *d, size_t n, mg_file **f)
{
    mg_error e;
    assert_int_equal(mg_file_open_mem(d, n, 0, f, &e), MG_OK);
    return mg_file_image(*f, 0);
}

static void test_long_name_is_cut(void **state)
{
    (void)state;
    builder B;
    pcln_build(&B, 120, false, 8);
    /* a blob with the table, then 100 KiB of 'A' with no NUL: make the last
     * function's name start there */
    size_t extra = 100 * 1024, n = BLOB + extra;
    uint8_t *d = malloc(n);
    memcpy(d, B.b, BLOB);
    memset(d + BLOB, 'A', extra);
    /* nameoff of function 2 (its _func is at pcln+(NF+1)*8+2*44, nameoff at +4) */
    size_t func2 = BASE + 800 + (NF + 1) * 8 + 2 * 44;
    uint64_t funcname = 8 + 8 * 8; /* header size: names follow it */
    uint32_t nameoff = (uint32_t)(BLOB - BASE - funcname);
    memcpy(d + func2 + 4, &nameoff, 4); /* little-endian host and table */
    mg_file *f;
    const mg_image *im = open_one(d, n, &f);
    assert_true(im->is_go);
    assert_int_equal(im->nfuncs, NF);
    assert_int_equal(im->funcs[2].name_len, MG_MAX_NAME_LEN);
    assert_true(im->flags & MG_FLAG_PARTIAL);
    assert_non_null(strstr(im->warning, "name cut"));
    mg_file_close(f);
    free(d);
}

static void test_function_count_is_capped(void **state)
{
    (void)state;
    /* Go 1.20 layout, 8-byte pointers: nfunc = cap + 10, every functab pair
     * points at one shared _func whose entry repeats ... only the sampled
     * entries must agree, so give all functions entryoff 0 except that
     * entries must not decrease: all equal is allowed */
    uint64_t nf = (uint64_t)MG_MAX_FUNCS + 10;
    size_t hdr = 8 + 8 * 8, names = hdr, pcln = 128, funcs = pcln + (nf + 1) * 8;
    size_t n = funcs + 64;
    uint8_t *d = calloc(1, n);
    assert_non_null(d);
    uint32_t magic = 0xfffffff1u;
    memcpy(d, &magic, 4);
    d[6] = 1;
    d[7] = 8;
    uint64_t w[8] = {nf, 1, TEXT, names, names + 16, names + 16, names + 16, pcln};
    memcpy(d + 8, w, sizeof w);
    memcpy(d + names, "main.F", 7);
    uint32_t fo = (uint32_t)(funcs - pcln);
    for (uint64_t i = 0; i <= nf; i++)
        memcpy(d + pcln + i * 8 + 4, &fo, 4); /* entryoff 0, funcoff -> shared _func */
    mg_file *f;
    const mg_image *im = open_one(d, n, &f);
    assert_true(im->is_go);
    assert_int_equal(im->nfuncs, MG_MAX_FUNCS);
    assert_true(im->flags & MG_FLAG_PARTIAL);
    assert_non_null(strstr(im->warning, "function count"));
    mg_file_close(f);
    free(d);
}

static void test_buildinfo_is_capped(void **state)
{
    (void)state;
    size_t big = MG_MAX_MODINFO + 4096, n = 64 + big + 64;
    uint8_t *d = calloc(1, n);
    memcpy(d, "\xff Go buildinf:", 14);
    d[14] = 8;
    d[15] = 2; /* inline strings */
    size_t o = 32;
    d[o++] = 8;
    memcpy(d + o, "go1.22.0", 8);
    o += 8;
    size_t len = big; /* uvarint */
    while (len >= 0x80) {
        d[o++] = (uint8_t)(len | 0x80);
        len >>= 7;
    }
    d[o++] = (uint8_t)len;
    static const char line[] = "dep\tx.io/m\tv1\th1:=\n"; /* lines back to back */
    const size_t ll = sizeof line - 1;
    for (size_t i = 0; i < big; i += ll)
        memcpy(d + o + i, line, i + ll <= big ? ll : big - i);
    mg_img img;
    mg_raw_make(d, n, &img);
    mg_arena a = {0};
    mg_buildinfo bi;
    bool partial;
    assert_true(mg_buildinfo_read(&img, &a, &bi, &partial));
    assert_true(partial);
    assert_string_equal(bi.go_version, "go1.22.0");
    assert_true(bi.ndeps > 1000);
    mg_arena_free(&a);
    mg_img_free(&img);
    free(d);
}

static double flood_seconds(size_t n)
{
    /* every 8 bytes a header prefix that passes the cheap checks */
    uint8_t *d = malloc(n);
    static const uint8_t pat[8] = {0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8};
    for (size_t i = 0; i + 8 <= n; i += 8)
        memcpy(d + i, pat, 8);
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0); /* CPU time: a loaded machine does not inflate it */
    mg_file *f;
    mg_error e;
    assert_int_equal(mg_file_open_mem(d, n, 0, &f, &e), MG_OK);
    assert_false(mg_file_is_go(f));
    mg_file_close(f);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    free(d);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void test_candidate_flood_is_linear(void **state)
{
    (void)state;
    double small = flood_seconds(4u << 20), large = flood_seconds(16u << 20);
    printf("candidate flood: 4 MiB %.3f s, 16 MiB %.3f s\n", small, large);
    /* four times the input may cost at most a little over four times the time */
    assert_true(large < 6.0 * small + 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_name_is_cut),
        cmocka_unit_test(test_function_count_is_capped),
        cmocka_unit_test(test_buildinfo_is_capped),
        cmocka_unit_test(test_candidate_flood_is_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
