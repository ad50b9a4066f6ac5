/* test_reader.c - the bounds-checked reader: every read inside the view
 * succeeds with the right value in both byte orders, every read that
 * touches a byte past the end fails, offsets near 2^64 do not wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "io/reader.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 'h', 'i', 0};

static void test_little_and_big_endian(void **state)
{
    (void)state;
    mg_reader le = mg_reader_make(bytes, sizeof bytes, false, 8);
    mg_reader be = mg_reader_make(bytes, sizeof bytes, true, 4);
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    assert_true(mg_rd_u16(&le, 0, &v16));
    assert_int_equal(v16, 0x0201);
    assert_true(mg_rd_u16(&be, 0, &v16));
    assert_int_equal(v16, 0x0102);
    assert_true(mg_rd_u32(&le, 1, &v32));
    assert_int_equal(v32, 0x05040302);
    assert_true(mg_rd_u32(&be, 1, &v32));
    assert_int_equal(v32, 0x02030405);
    assert_true(mg_rd_u64(&le, 0, &v64));
    assert_true(v64 == 0x0807060504030201ull);
    assert_true(mg_rd_ptr(&be, 4, &v64)); /* ptrsize 4 */
    assert_true(v64 == 0x05060708ull);
}

static void test_out_of_bounds(void **state)
{
    (void)state;
    mg_reader r = mg_reader_make(bytes, sizeof bytes, false, 8);
    uint8_t v8;
    uint32_t v32;
    uint64_t v64;
    const uint8_t *p;
    assert_true(mg_rd_u8(&r, sizeof bytes - 1, &v8));
    assert_false(mg_rd_u8(&r, sizeof bytes, &v8));
    assert_false(mg_rd_u32(&r, sizeof bytes - 3, &v32));
    assert_false(mg_rd_u64(&r, UINT64_MAX - 2, &v64));
    assert_false(mg_rd_bytes(&r, 4, UINT64_MAX - 2, &p));
    assert_false(mg_rd_bytes(&r, UINT64_MAX, 2, &p));
    assert_true(mg_rd_bytes(&r, sizeof bytes, 0, &p)); /* empty range at the end */
    assert_false(mg_rd_word(&r, 0, 3, &v64));          /* only 4 or 8 */
}

static void test_cstr(void **state)
{
    (void)state;
    mg_reader r = mg_reader_make(bytes, sizeof bytes, false, 8);
    const char *s;
    size_t n;
    assert_true(mg_rd_cstr(&r, 8, 100, &s, &n));
    assert_int_equal(n, 2);
    assert_memory_equal(s, "hi", 2);
    assert_false(mg_rd_cstr(&r, 8, 1, &s, &n)); /* longer than maxlen */
    mg_reader cut = mg_reader_make(bytes, sizeof bytes - 1, false, 8);
    assert_false(mg_rd_cstr(&cut, 8, 100, &s, &n)); /* no NUL inside the view */
}

static void test_uvarint(void **state)
{
    (void)state;
    static const uint8_t v[] = {0xac, 0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0x01, 0x80};
    mg_reader r = mg_reader_make(v, sizeof v, false, 8);
    uint64_t off = 0, out;
    assert_true(mg_rd_uvarint(&r, &off, &out));
    assert_true(out == 300 && off == 2); /* 0xac 0x02 = 300 (worked by hand) */
    assert_true(mg_rd_uvarint(&r, &off, &out));
    assert_true(out == 127 && off == 3);
    assert_true(mg_rd_uvarint(&r, &off, &out)); /* 9 x 0xff then 0x01: 2^64-1 */
    assert_true(out == UINT64_MAX && off == 13);
    assert_false(mg_rd_uvarint(&r, &off, &out)); /* 0x80 then end of data */
    static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    mg_reader rb = mg_reader_make(big, sizeof big, false, 8);
    off = 0;
    assert_false(mg_rd_uvarint(&rb, &off, &out)); /* overflows 64 bits */
}

static void test_sub_and_overflow_helpers(void **state)
{
    (void)state;
    mg_reader r = mg_reader_make(bytes, sizeof bytes, true, 4), s;
    assert_true(mg_rd_sub(&r, 2, 4, &s));
    assert_int_equal(s.size, 4);
    assert_true(s.big_endian);
    assert_false(mg_rd_sub(&r, 8, 4, &s));
    uint64_t out;
    assert_false(mg_add_ok(UINT64_MAX, 1, &out));
    assert_false(mg_mul_ok(UINT64_MAX / 2, 3, &out));
    assert_true(mg_mul_ok(1u << 20, 1u << 20, &out) && out == 1ull << 40);
}

/* the first occurrence, by the definition: every start position in turn */
static const uint8_t *naive_find(const uint8_t *h, size_t n, const uint8_t *nd, size_t k)
{
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp(h + i, nd, k) == 0)
            return h + i;
    return NULL;
}

/* mg_memfind against the definition on dense hits (runs of ff, tiny
 * alphabets), on both sides of its short-needle path (k <= 4) and across
 * its 64 KiB windows */
static void test_memfind(void **state)
{
    (void)state;
    static uint8_t hay[200000];
    static const uint8_t alpha[] = {0xff, 0xff, 0x00, 0xf1, 'a'};
    uint64_t x = 12345;
    for (int round = 0; round < 400; round++) {
        size_t n = round < 8 ? sizeof hay : (size_t)(x % 3000);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            hay[i] = alpha[x % (round % 2 ? 2 : sizeof alpha)];
        }
        for (size_t k = 1; k <= 8; k++) {
            uint8_t nd[8];
            for (size_t i = 0; i < k; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                nd[i] = alpha[x % sizeof alpha];
            }
            if (round < 8) { /* one hit only, straddling the third window's end */
                memset(hay, 'a', n);
                nd[0] = 0xff;
                memcpy(hay + 3 * 65536 - (size_t)round % k, nd, k);
            }
            const uint8_t *want = naive_find(hay, n, nd, k), *got = mg_memfind(hay, n, nd, k);
            assert_ptr_equal(got, want);
        }
    }
    uint8_t ff[3] = {0xff, 0xff, 0xff};
    assert_null(mg_memfind(ff, 2, ff, 3));
    assert_ptr_equal(mg_memfind(ff, 3, ff, 3), ff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memfind),
        cmocka_unit_test(test_little_and_big_endian),
        cmocka_unit_test(test_out_of_bounds),
        cmocka_unit_test(test_cstr),
        cmocka_unit_test(test_uvarint),
        cmocka_unit_test(test_sub_and_overflow_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
