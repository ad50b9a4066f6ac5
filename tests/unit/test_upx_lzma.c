/* test_upx_lzma.c - UPX's LZMA blocks through mg_upx_decompress, with
 * liblzma's own raw LZMA1 encoder as the oracle: a stream whose matches all
 * lie within 4 MiB, and one with a match 5 MiB back (which the 4 MiB
 * dictionary the decoder tries first must refuse, so it is decoded again
 * with the whole output as its dictionary), both give back the encoder's
 * input byte for byte; a damaged stream is MG_ERR_MALFORMED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/upx.h"

#define MIB ((size_t)1 << 20)

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* UPX's two property bytes (lc 3, lp 0, pb 2) then a raw LZMA1 stream of
 * in[0..n) encoded with dictionary dict; *len its size */
static uint8_t *encode(const uint8_t *in, size_t n, uint32_t dict, size_t *len)
{
    lzma_options_lzma opt;
    assert_false(lzma_lzma_preset(&opt, 6));
    opt.dict_size = dict;
    opt.lc = 3, opt.lp = 0, opt.pb = 2;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t cap = n + n / 2 + 4096;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    out[0] = (3 + 0) << 3 | 2;
    out[1] = 0 << 4 | 3;
    size_t pos = 2;
    assert_int_equal(lzma_raw_buffer_encode(f, NULL, in, n, out, &pos, cap), LZMA_OK);
    *len = pos;
    return out;
}

/* liblzma alone with a dictionary of dict bytes: does the stream decode? */
static bool decodes_with(const uint8_t *s, size_t slen, size_t n, uint32_t dict)
{
    lzma_options_lzma opt = {.dict_size = dict, .lc = 3, .lp = 0, .pb = 2};
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    uint8_t *out = malloc(n);
    assert_non_null(out);
    size_t ip = 2, op = 0;
    lzma_ret r = lzma_raw_buffer_decode(f, NULL, s, &ip, slen, out, &op, n);
    free(out);
    return (r == LZMA_OK || r == LZMA_BUF_ERROR) && op == n;
}

static void roundtrip(size_t n, size_t far, bool small_dict_ok)
{
    uint8_t *in = malloc(n), *out = malloc(n);
    assert_non_null(in);
    assert_non_null(out);
    fill(in, n, 7);
    memcpy(in + n - MIB / 2, in + n - MIB / 2 - far, MIB / 2); /* a match far bytes back */
    size_t len;
    uint8_t *s = encode(in, n, 16 * MIB, &len);
    assert_true(len < n); /* the repeat was found */
    assert_int_equal(decodes_with(s, len, n, 4 * MIB), small_dict_ok);
    memset(out, 0xa5, n);
    size_t got = 0;
    assert_int_equal(mg_upx_decompress(MG_UPX_LZMA, s, len, out, n, true, &got), MG_OK);
    assert_int_equal(got, n);
    assert_memory_equal(out, in, n);
    free(s);
    free(in);
    free(out);
}

static void test_near_matches(void **state)
{
    (void)state;
    roundtrip(6 * MIB, 3 * MIB, true);
}

static void test_far_match_gets_the_whole_dictionary(void **state)
{
    (void)state;
    roundtrip(6 * MIB, 5 * MIB, false);
}

static void test_damaged_stream(void **state)
{
    (void)state;
    size_t n = 5 * MIB, len;
    uint8_t *in = malloc(n), *out = malloc(n);
    assert_non_null(in);
    assert_non_null(out);
    fill(in, n, 11);
    uint8_t *s = encode(in, n, 16 * MIB, &len);
    s[len / 2] ^= 0x40;
    mg_status st = mg_upx_decompress(MG_UPX_LZMA, s, len, out, n, true, NULL);
    assert_true(st == MG_ERR_MALFORMED || (st == MG_OK && memcmp(out, in, n) != 0));
    st = mg_upx_decompress(MG_UPX_LZMA, s, len / 2, out, n, true, NULL);
    assert_int_equal(st, MG_ERR_MALFORMED);
    free(s);
    free(in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_near_matches),
        cmocka_unit_test(test_far_match_gets_the_whole_dictionary),
        cmocka_unit_test(test_damaged_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
