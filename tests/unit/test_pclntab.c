/* test_pclntab.c - all four pclntab layouts, 32/64-bit, both byte orders,
 * built by hand from the layout facts (docs/design.md "pclntab layouts") into a raw blob,
 * then read back through the public API: function count, entries, names and
 * source files must be exactly what was written; damaged headers must not
 * be accepted as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "malgopher.h"

#include "go/pclntab.h"
#include "support/pcln_builder.h"

static void check_layout(int gen, bool be, unsigned ps)
{
    builder B;
    pcln_build(&B, gen, be, ps);
    mg_file *f;
    mg_error e;
    assert_int_equal(mg_file_open_mem(B.b, sizeof B.b, MG_OPT_FILES, &f, &e), MG_OK);
    assert_int_equal(mg_file_image_count(f), 1);
    const mg_image *im = mg_file_image(f, 0);
    assert_true(im->is_go);
    assert_int_equal(im->container, MG_CONT_RAW);
    assert_int_equal(im->bits, ps * 8);
    assert_int_equal(im->big_endian, be);
    assert_int_equal(im->pclntab_offset, BASE);
    mg_pclntab_gen want = gen == 12 ? MG_PCLN_12 : gen == 116 ? MG_PCLN_116
                        : gen == 118 ? MG_PCLN_118 : MG_PCLN_120;
    assert_int_equal(im->pclntab_gen, want);
    assert_int_equal(im->nfuncs, NF);
    for (size_t i = 0; i < NF; i++) {
        assert_true(im->funcs[i].entry == TEXT + pcln_entry_off[i]);
        assert_int_equal(im->funcs[i].name_len, strlen(pcln_names[i]));
        assert_memory_equal(im->funcs[i].name, pcln_names[i], strlen(pcln_names[i]));
        assert_non_null(im->funcs[i].file);
        assert_int_equal(im->funcs[i].file_len, 4);
        assert_memory_equal(im->funcs[i].file, "a.go", 4);
    }
    /* "main.Exported" and "github.com/x/y.(*T).M" are kept */
    assert_int_equal(im->gimp_names, 2);
    mg_file_close(f);
}

static void test_layouts(void **state)
{
    (void)state;
    const int gens[] = {12, 116, 118, 120};
    for (size_t g = 0; g < 4; g++)
        for (int be = 0; be < 2; be++)
            for (unsigned ps = 4; ps <= 8; ps += 4)
                check_layout(gens[g], be, ps);
}

static void expect_not_go(builder *B)
{
    mg_file *f;
    mg_error e;
    assert_int_equal(mg_file_open_mem(B->b, sizeof B->b, 0, &f, &e), MG_OK);
    assert_false(mg_file_image(f, 0)->is_go);
    mg_file_close(f);
}

static void test_damaged_headers_rejected(void **state)
{
    (void)state;
    builder B;
    pcln_build(&B, 120, false, 8);
    B.b[BASE + 4] = 1; /* pad byte must be zero */
    expect_not_go(&B);
    pcln_build(&B, 120, false, 8);
    B.b[BASE + 7] = 3; /* pointer size */
    expect_not_go(&B);
    pcln_build(&B, 120, false, 8);
    pcln_putw(&B, 8, 1000000); /* nfunc larger than the data */
    expect_not_go(&B);
    pcln_build(&B, 120, false, 8);
    pcln_put32(&B, 800 + 8 * 1, 0x40 + 4); /* functab entry disagrees with its _func */
    expect_not_go(&B);
    pcln_build(&B, 116, true, 4);
    pcln_putw(&B, 8 + 6 * 4, 5000); /* pcln offset beyond the data */
    expect_not_go(&B);
}


/* ---- mg_pcln_magic_scan against the plain byte-wise rule ----
 * Every place ff ff ff inside the section whose byte at+4 (in the file) is
 * zero can start a header, so it must be a hit; every hit must be a place
 * ff ff ff inside the section; the hits come in increasing order. */
typedef struct scan_log {
    uint64_t at[1024];
    size_t n, stop_after;
} scan_log;

static bool log_hit(const mg_img *img, const mg_section *s, uint64_t at, void *ctx)
{
    (void)img, (void)s;
    scan_log *L = ctx;
    assert_true(L->n < sizeof L->at / sizeof *L->at);
    L->at[L->n++] = at;
    return L->n == L->stop_after;
}

static bool run3_at(const uint8_t *d, uint64_t at, uint64_t end)
{
    return at + 3 <= end && d[at] == 0xff && d[at + 1] == 0xff && d[at + 2] == 0xff;
}

static void check_scan(const uint8_t *d, uint64_t size, uint64_t off, uint64_t len)
{
    mg_img img;
    memset(&img, 0, sizeof img);
    img.r = mg_reader_make(d, size, false, 8);
    mg_section s;
    memset(&s, 0, sizeof s);
    s.off = off;
    s.filesz = len;
    scan_log L = {.n = 0, .stop_after = 0};
    assert_false(mg_pcln_magic_scan(&img, &s, log_hit, &L));
    size_t k = 0;
    for (uint64_t at = off; at < off + len; at++) {
        bool must = run3_at(d, at, off + len) && at + 4 < size && d[at + 4] == 0;
        bool hit = k < L.n && L.at[k] == at;
        if (must)
            assert_true(hit);
        if (hit) {
            assert_true(run3_at(d, at, off + len));
            k++;
        }
    }
    assert_int_equal(k, L.n); /* no hit outside the section, none out of order */
    if (L.n) { /* stopping at the last hit reports it */
        scan_log M = {.n = 0, .stop_after = L.n};
        assert_true(mg_pcln_magic_scan(&img, &s, log_hit, &M));
        assert_int_equal(M.n, L.n);
    }
}

static void test_magic_scan(void **state)
{
    (void)state;
    static uint8_t d[512];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 20000; round++) {
        size_t size = (size_t)(round % 97) + 1 + (round % 7 == 0 ? 400 : 0);
        for (size_t i = 0; i < size; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            unsigned r = (unsigned)(x % 10);
            d[i] = r < 5 ? 0xff : r < 8 ? 0 : (uint8_t)(x >> 32);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t off = x % size, len = (x >> 20) % (size - off + 1);
        check_scan(d, size, off, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_damaged_headers_rejected),
        cmocka_unit_test(test_magic_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
