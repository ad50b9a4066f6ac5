/* test_pclntab.c - all four pclntab layouts, 32/64-bit, both byte orders,
 * built by hand from the layout facts (DESIGN.md section 2) into a raw blob,
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

#define BLOB 4096
#define BASE 64 /* the table starts here; the bytes before are junk */

typedef struct builder {
    uint8_t b[BLOB];
    bool be;
    unsigned ps;
} builder;

static void put32(builder *B, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        B->b[BASE + off + (size_t)i] = (uint8_t)(B->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void putw(builder *B, size_t off, uint64_t v)
{
    if (B->ps == 4) {
        put32(B, off, (uint32_t)v);
        return;
    }
    put32(B, off + (B->be ? 4 : 0), (uint32_t)v);
    put32(B, off + (B->be ? 0 : 4), (uint32_t)(v >> 32));
}

static const char *const names[] = {"main.main", "main.Exported", "github.com/x/y.(*T).M"};
#define NF 3
static const uint32_t entry_off[NF + 1] = {0x0, 0x40, 0x100, 0x180}; /* last: end */
#define TEXT 0x401000u

/* Build a table of generation gen ("12", "116", "118", "120"). */
static void build(builder *B, int gen, bool be, unsigned ps)
{
    memset(B, 0, sizeof *B);
    memset(B->b, 0x5a, BASE);
    B->be = be;
    B->ps = ps;
    uint32_t magic = gen == 12 ? 0xfffffffb : gen == 116 ? 0xfffffffa
                   : gen == 118 ? 0xfffffff0 : 0xfffffff1;
    put32(B, 0, magic);
    B->b[BASE + 6] = 1;
    B->b[BASE + 7] = (uint8_t)ps;
    size_t nwords = gen == 12 ? 1 : gen == 116 ? 7 : 8;
    size_t hdr = 8 + nwords * ps;
    if (gen == 12) {
        /* functab right after nfunc; _func records after it; names after those */
        size_t ftab = 8 + ps, fend = ftab + (NF * 2 + 1) * ps, filetab_ptr = fend;
        size_t funcs = (filetab_ptr + 4 + 7) & ~(size_t)7, fsz = ps + 8 * 4;
        size_t strs = funcs + NF * fsz, filetab = 1024, pcfile = 1100;
        putw(B, 8, NF);
        for (size_t i = 0; i < NF; i++) {
            putw(B, ftab + 2 * i * ps, TEXT + entry_off[i]);
            putw(B, ftab + (2 * i + 1) * ps, funcs + i * fsz);
            putw(B, funcs + i * fsz, TEXT + entry_off[i]);
            put32(B, funcs + i * fsz + ps, (uint32_t)strs);
            put32(B, funcs + i * fsz + ps + 16, (uint32_t)pcfile); /* pcfile */
            memcpy(B->b + BASE + strs, names[i], strlen(names[i]) + 1);
            strs += strlen(names[i]) + 1;
        }
        putw(B, fend - ps, TEXT + entry_off[NF]);
        put32(B, filetab_ptr, (uint32_t)filetab);
        put32(B, filetab, 2);          /* count, then file 1 */
        put32(B, filetab + 4, 1200);
        memcpy(B->b + BASE + 1200, "a.go", 5);
        B->b[BASE + pcfile] = 0x04;     /* zigzag(+2): value -1 + 2 = file 1 */
        B->b[BASE + pcfile + 1] = 0x10;
        return;
    }
    size_t funcname = hdr, cu = 512, filetab = 600, pctab = 700, pcln = 800;
    size_t fe = gen == 116 ? 2 * ps : 8, fsz = gen == 116 ? ps + 9 * 4 : 11 * 4;
    size_t funcs = pcln + (NF + 1) * fe;
    putw(B, 8, NF);
    putw(B, 8 + ps, 1);
    size_t w = 2;
    if (gen != 116)
        putw(B, 8 + w++ * ps, TEXT);
    putw(B, 8 + w++ * ps, funcname);
    putw(B, 8 + w++ * ps, cu);
    putw(B, 8 + w++ * ps, filetab);
    putw(B, 8 + w++ * ps, pctab);
    putw(B, 8 + w++ * ps, pcln);
    put32(B, cu, 999);                  /* cutab[0]: another unit's file */
    put32(B, cu + 4, 0);                /* cutab[1] -> filetab offset 0 */
    memcpy(B->b + BASE + filetab, "a.go", 5);
    B->b[BASE + pctab + 1] = 0x02;      /* pcfile table at pctab+1: zigzag(+1) -> file 0 */
    B->b[BASE + pctab + 2] = 0x10;
    size_t nameoff = 0;
    for (size_t i = 0; i <= NF; i++) {
        if (gen == 116)
            putw(B, pcln + i * fe, TEXT + entry_off[i]);
        else
            put32(B, pcln + i * fe, entry_off[i]);
        if (i == NF)
            break;
        size_t f = funcs + i * fsz, fo = f - pcln;
        if (gen == 116) {
            putw(B, pcln + i * fe + ps, fo);
            putw(B, f, TEXT + entry_off[i]);
        } else {
            put32(B, pcln + i * fe + 4, (uint32_t)fo);
            put32(B, f, entry_off[i]);
        }
        size_t fields = f + (gen == 116 ? ps : 4);
        put32(B, fields, (uint32_t)nameoff);
        put32(B, fields + 16, 1);  /* pcfile, relative to pctab */
        put32(B, fields + 24, 7);  /* npcdata */
        put32(B, fields + 28, 1);  /* cuOffset: this unit's files start at cutab[1] */
        memcpy(B->b + BASE + funcname + nameoff, names[i], strlen(names[i]) + 1);
        nameoff += strlen(names[i]) + 1;
    }
}

static void check_layout(int gen, bool be, unsigned ps)
{
    builder B;
    build(&B, gen, be, ps);
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
        assert_true(im->funcs[i].entry == TEXT + entry_off[i]);
        assert_int_equal(im->funcs[i].name_len, strlen(names[i]));
        assert_memory_equal(im->funcs[i].name, names[i], strlen(names[i]));
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
    build(&B, 120, false, 8);
    B.b[BASE + 4] = 1; /* pad byte must be zero */
    expect_not_go(&B);
    build(&B, 120, false, 8);
    B.b[BASE + 7] = 3; /* pointer size */
    expect_not_go(&B);
    build(&B, 120, false, 8);
    putw(&B, 8, 1000000); /* nfunc larger than the data */
    expect_not_go(&B);
    build(&B, 120, false, 8);
    put32(&B, 800 + 8 * 1, 0x40 + 4); /* functab entry disagrees with its _func */
    expect_not_go(&B);
    build(&B, 116, true, 4);
    putw(&B, 8 + 6 * 4, 5000); /* pcln offset beyond the data */
    expect_not_go(&B);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_damaged_headers_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
