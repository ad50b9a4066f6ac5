/* test_upx_pe_image.c - the two parts of the PE unpacking that keep its
 * memory near the file's size (docs/upx.md "Performance"):
 *   - mg_upx_decompress_image: an image with a long zero run (a .bss),
 *     LZMA-encoded by liblzma's own encoder and NRV2E-encoded by libucl's,
 *     decodes to the encoder's input, its adler32 equals a plain
 *     reference loop's, and with LZMA the pages inside the zero run are
 *     never touched (mincore on the anonymous mapping it decodes into);
 *   - mg_upx_pe_inplace: random section tables (ordered ones, and
 *     shuffled, overlapping ones) against a plain reference, a copy of
 *     each section into a new zeroed buffer in table order: when it lays
 *     the file out in place the bytes are the reference's, otherwise the
 *     buffer is untouched; an ordered table is always laid out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucl/ucl.h>
#include <unistd.h>

#include "unpack/upx_pe.h"

#define MIB ((size_t)1 << 20)

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

/* n bytes: text-like data (compressible), zeros in [z0, z1) */
static uint8_t *image(size_t n, size_t z0, size_t z1)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint32_t seed = 5;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)('a' + rnd(&seed) % 16);
    memset(p + z0, 0, z1 - z0);
    return p;
}

static uint32_t adler_ref(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

static uint8_t *lzma_encode(const uint8_t *in, size_t n, size_t *len)
{
    lzma_options_lzma opt;
    assert_false(lzma_lzma_preset(&opt, 1));
    opt.dict_size = 16 * MIB;
    opt.lc = 3, opt.lp = 0, opt.pb = 2;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t cap = n / 2 + 4096;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    out[0] = 3 << 3 | 2; /* UPX's property bytes */
    out[1] = 3;
    *len = 2;
    assert_int_equal(lzma_raw_buffer_encode(f, NULL, in, n, out, len, cap), LZMA_OK);
    return out;
}

/* resident pages of [p + from, p + to) */
static size_t resident(uint8_t *p, size_t from, size_t to)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = (to - from) / pg, k = 0;
    unsigned char *v = malloc(n);
    assert_non_null(v);
    assert_int_equal(mincore(p + from, n * pg, v), 0);
    for (size_t i = 0; i < n; i++)
        k += v[i] & 1;
    free(v);
    return k;
}

static void test_lzma_zero_pages_untouched(void **state)
{
    (void)state;
    size_t n = 24 * MIB, len, got = 0;
    uint8_t *in = image(n, 3 * MIB, 21 * MIB);
    uint8_t *s = lzma_encode(in, n, &len);
    uint8_t *dst = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(dst != MAP_FAILED);
    uint32_t adler = 0;
    assert_int_equal(mg_upx_decompress_image(MG_UPX_LZMA, s, len, dst, n, true, &got, &adler), MG_OK);
    /* inside the zero run, away from huge-page boundaries around the data */
    assert_int_equal(resident(dst, 4 * MIB, 20 * MIB), 0);
    assert_int_equal(got, n);
    assert_memory_equal(dst, in, n);
    assert_int_equal(adler, adler_ref(in, n));
    munmap(dst, n);
    free(s);
    free(in);
}

/* a match 5 MiB back: the 4 MiB dictionary fails and the image is decoded
 * again over what the first try wrote */
static void test_lzma_far_match_second_try(void **state)
{
    (void)state;
    size_t n = 12 * MIB, len, got = 0;
    uint8_t *in = image(n, 4 * MIB, 6 * MIB);
    uint32_t seed = 9;
    for (size_t i = 0; i < MIB; i++)
        in[i] = (uint8_t)rnd(&seed); /* incompressible, then repeated far away */
    memcpy(in + 11 * MIB, in, MIB / 2);
    uint8_t *s = lzma_encode(in, n, &len);
    uint8_t *dst = calloc(1, n);
    assert_non_null(dst);
    uint32_t adler = 0;
    assert_int_equal(mg_upx_decompress_image(MG_UPX_LZMA, s, len, dst, n, true, &got, &adler), MG_OK);
    assert_int_equal(got, n);
    assert_memory_equal(dst, in, n);
    assert_int_equal(adler, adler_ref(in, n));
    s[len / 3] ^= 0x10; /* damaged: refused, or at least not the input */
    mg_status st = mg_upx_decompress_image(MG_UPX_LZMA, s, len, dst, n, true, &got, &adler);
    assert_true(st == MG_ERR_MALFORMED || adler != adler_ref(in, n));
    free(dst);
    free(s);
    free(in);
}

static void test_nrv_adler(void **state)
{
    (void)state;
    size_t n = 3 * MIB + 123, got = 0;
    uint8_t *in = image(n, MIB + 7, 2 * MIB + 4099);
    ucl_uint len = (ucl_uint)(n + n / 8 + 256);
    uint8_t *s = malloc(len), *dst = calloc(1, n);
    assert_non_null(s);
    assert_non_null(dst);
    assert_int_equal(ucl_init(), UCL_E_OK);
    /* no configuration: the 8-bit bit buffer (NRV2E_8) */
    assert_int_equal(ucl_nrv2e_99_compress(in, (ucl_uint)n, s, &len, NULL, 7, NULL, NULL), UCL_E_OK);
    uint32_t adler = 0;
    assert_int_equal(mg_upx_decompress_image(MG_UPX_NRV2E_8, s, len, dst, n, true, &got, &adler), MG_OK);
    assert_int_equal(got, n);
    assert_memory_equal(dst, in, n);
    assert_int_equal(adler, adler_ref(in, n));
    free(dst);
    free(s);
    free(in);
}

#define BUF (256u * 1024u)
#define HDR 1024u

/* k sections; ordered: sorted disjoint sources and destinations (some
 * moving up, some down), else anywhere */
static unsigned table(uint32_t *seed, bool ordered, mg_upx_pe_sec *s, uint64_t *total)
{
    unsigned k = 1 + rnd(seed) % 8;
    uint64_t src = rnd(seed) % 4096, dst = HDR + rnd(seed) % 8192;
    *total = HDR;
    for (unsigned i = 0; i < k; i++) {
        uint64_t n = rnd(seed) % 3 ? rnd(seed) % 20000 : 0;
        if (ordered) {
            s[i] = (mg_upx_pe_sec){.dst = dst, .src = src, .n = n};
            src += n + rnd(seed) % 12000;
            dst += n + rnd(seed) % 6000;
        } else {
            s[i] = (mg_upx_pe_sec){.dst = HDR + rnd(seed) % (BUF / 2), .src = rnd(seed) % (BUF / 2), .n = n};
        }
        if (s[i].dst + s[i].n > *total)
            *total = s[i].dst + s[i].n;
    }
    *total += rnd(seed) % 5000;
    return k;
}

static void test_inplace_layout(void **state)
{
    (void)state;
    uint32_t seed = 1;
    uint8_t *orig = malloc(BUF), *buf = malloc(BUF), *ref = malloc(BUF);
    assert_non_null(orig);
    assert_non_null(buf);
    assert_non_null(ref);
    for (size_t i = 0; i < BUF; i++)
        orig[i] = (uint8_t)(rnd(&seed) | 1); /* no zero byte: a missed gap shows */
    unsigned laid = 0, refused = 0;
    for (int round = 0; round < 4000; round++) {
        bool ordered = round % 2 == 0;
        mg_upx_pe_sec s[8];
        uint64_t total;
        unsigned k = table(&seed, ordered, s, &total);
        if (total > BUF)
            continue;
        memcpy(buf, orig, BUF);
        memset(ref, 0, total);
        for (unsigned i = 0; i < k; i++)
            memcpy(ref + s[i].dst, orig + s[i].src, s[i].n);
        if (mg_upx_pe_inplace(buf, HDR, total, s, k)) {
            laid++;
            assert_memory_equal(buf + HDR, ref + HDR, total - HDR);
            assert_memory_equal(buf, orig, HDR); /* the headers' room is the caller's */
        } else {
            refused++;
            assert_false(ordered);
            assert_memory_equal(buf, orig, BUF);
        }
    }
    assert_true(laid > 1500 && refused > 500);
    free(orig);
    free(buf);
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lzma_zero_pages_untouched),
        cmocka_unit_test(test_lzma_far_match_second_try),
        cmocka_unit_test(test_nrv_adler),
        cmocka_unit_test(test_inplace_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
