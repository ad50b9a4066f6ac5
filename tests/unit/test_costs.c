/* test_costs.c - the cost rules on hand-made images: overlapping regions
 * (src/exe/regions.c), the relocation index (src/exe/relocs.c) and the work
 * budget (src/util/budget.c).  Every expected value is worked by hand from
 * the bytes written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exe/image.h"
#include "util/budget.h"

static uint8_t file[8192];

static mg_img make_img(size_t nmaps)
{
    mg_img img;
    memset(&img, 0, sizeof img);
    img.r = mg_reader_make(file, sizeof file, false, 8);
    img.kind_name = "ELF";
    img.bits = 64;
    img.maps = calloc(nmaps, sizeof *img.maps);
    img.nmaps = nmaps;
    return img;
}

static void set_map(mg_img *img, size_t i, uint64_t off, uint64_t size, uint64_t addr)
{
    img->maps[i] = (mg_section){.addr = addr, .size = size, .off = off, .filesz = size, .flags = MG_SEC_DATA};
}

static void test_contained_region_dropped(void **state)
{
    (void)state;
    mg_img img = make_img(3);
    set_map(&img, 0, 0, 1000, 0x400000);       /* A */
    set_map(&img, 1, 100, 200, 0x400000 + 100); /* inside A, same mapping: adds nothing */
    set_map(&img, 2, 100, 200, 0x900000);       /* same bytes, other addresses: kept */
    mg_error e;
    assert_int_equal(mg_img_regions_normalise(&img, &e), MG_OK);
    assert_true(img.maps[0].flags & MG_SEC_DATA);
    assert_false(img.maps[1].flags & MG_SEC_DATA);
    assert_true(img.maps[2].flags & MG_SEC_DATA);
    /* an address only B mapped is still mapped, through A, to the same offset */
    uint64_t off;
    assert_true(mg_img_addr_to_off(&img, 0x400000 + 150, 8, &off));
    assert_int_equal(off, 150);
    mg_img_free(&img);
}

static void test_overlap_past_bound_refused(void **state)
{
    (void)state;
    /* 300 regions over the whole 8 KiB file at distinct addresses: they
     * cover it 300 times, past 2 x 8192 + 1 MiB = 1,064,960 bytes */
    mg_img img = make_img(300);
    for (size_t i = 0; i < 300; i++)
        set_map(&img, i, 0, sizeof file, 0x1000000 * (i + 1));
    mg_error e;
    assert_int_equal(mg_img_regions_normalise(&img, &e), MG_ERR_MALFORMED);
    assert_string_equal(e.msg, "malformed ELF: 300 overlapping regions cover the file 300 times");
    mg_img_free(&img);
    /* 100 of them: 819,200 bytes, within the bound */
    img = make_img(100);
    for (size_t i = 0; i < 100; i++)
        set_map(&img, i, 0, sizeof file, 0x1000000 * (i + 1));
    assert_int_equal(mg_img_regions_normalise(&img, &e), MG_OK);
    mg_img_free(&img);
}

static void put64(uint64_t at, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        file[at + k] = (uint8_t)(v >> (8 * k));
}

static void test_reloc_index(void **state)
{
    (void)state;
    memset(file, 0, sizeof file);
    /* Elf64_Rela at 1024: (offset, info, addend); 0x5008 appears twice,
     * the first entry's addend is the one a linear scan finds */
    const uint64_t rela[][3] = {{0x5010, 8, 0x111}, {0x5008, 8, 0x222}, {0x5000, 8, 0x333}, {0x5008, 8, 0x444}};
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < 3; k++)
            put64(1024 + 24 * i + 8 * k, rela[i][k]);
    mg_img img = make_img(1);
    set_map(&img, 0, 0, sizeof file, 0x4000); /* file offset o at address 0x4000 + o */
    img.rel_off = 1024;
    img.rel_count = 4;
    img.rel_entsize = 24;
    img.rel_has_addend = true;
    mg_error e;
    assert_int_equal(mg_img_index_relocs(&img, &e), MG_OK);
    assert_int_equal(img.nrelocs, 4);
    uint64_t v;
    assert_true(mg_img_reloc_addend(&img, 0x5008, &v));
    assert_int_equal(v, 0x222);
    assert_true(mg_img_reloc_addend(&img, 0x5000, &v));
    assert_int_equal(v, 0x333);
    assert_false(mg_img_reloc_addend(&img, 0x5018, &v));
    /* a zero word at 0x5010 (file offset 0x1010) reads as its addend */
    assert_true(mg_img_read_ptr_at(&img, 0x5010, &v));
    assert_int_equal(v, 0x111);
    /* a non-zero word is what the file says */
    put64(0x1018, 0x77);
    assert_true(mg_img_read_ptr_at(&img, 0x5018, &v));
    assert_int_equal(v, 0x77);
    mg_img_free(&img);
}

static void test_budget(void **state)
{
    (void)state;
    mg_budget b;
    mg_budget_init(&b, 10, 100, 0);
    assert_true(mg_budget_spend(&b, 60, "a"));
    assert_true(mg_budget_spend(&b, 40, "b"));
    assert_false(mg_budget_out(&b));
    assert_false(mg_budget_spend(&b, 1, "c"));
    assert_true(mg_budget_out(&b));
    assert_string_equal(b.what, "c");
    assert_false(mg_budget_spend(&b, 0, "d")); /* once out, always out */
    /* the default: 64 units a byte + 64 Mi */
    mg_budget_init(&b, 1000, 0, 0);
    assert_int_equal(b.limit, 64000 + (64ull << 20));
    assert_int_equal(b.funcs_left, 4000000);
    assert_true(mg_budget_spend(NULL, UINT64_MAX, "x")); /* no budget: no bound */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contained_region_dropped),
        cmocka_unit_test(test_overlap_past_bound_refused),
        cmocka_unit_test(test_reloc_index),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
