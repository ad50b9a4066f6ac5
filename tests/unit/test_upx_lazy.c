/* test_upx_lazy.c - lazy unpacking (upx_lazy.c, upx_lzma_stream.c): the
 * blocks of a UPX-packed ELF decoded as reads reach them, with liblzma's
 * raw LZMA1 encoder and libucl's NRV2E encoder as the oracles.  LZMA: reads
 * that reach further and further into a block give back the encoder's
 * input byte for byte and decode each byte once (the work budget is
 * charged MG_UPX_WORK_PER_BYTE per decoded byte: a block decoded again from
 * its start for a later read costs more); a stream damaged past the first
 * reads fails the later read, not the first; a stream with a match further
 * back than the step decoder's 4 MiB dictionary is decoded whole instead
 * and is still exact.  NRV (no resumable decoder): a read in the block's
 * first quarter decodes an exact prefix; a read past it decodes the block
 * once, whole, not a prefix and then the block again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lzma.h>
#include <ucl/ucl.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/upx.h"
#include "unpack/upx_blocks.h"
#include "unpack/upx_lazy.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

/* n bytes: random (seed) over an alphabet of k letters (k 256: incompressible) */
static uint8_t *text(size_t n, unsigned k, uint32_t seed)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)((seed >> 16) % k);
    }
    return p;
}

/* a packed file of one block: its 12-byte b_info (not read here), UPX's two
 * property bytes (lc 3, lp 0, pb 2), then in[0..n) as raw LZMA1; *cpr the
 * compressed size */
static uint8_t *pack(const uint8_t *in, size_t n, uint32_t dict, size_t *cpr)
{
    lzma_options_lzma opt;
    assert_false(lzma_lzma_preset(&opt, 1));
    opt.dict_size = dict;
    opt.lc = 3, opt.lp = 0, opt.pb = 2;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t cap = n + n / 2 + 4096;
    uint8_t *out = calloc(1, 12 + cap);
    assert_non_null(out);
    out[12] = (3 + 0) << 3 | 2;
    out[13] = 0 << 4 | 3;
    size_t pos = 14;
    assert_int_equal(lzma_raw_buffer_encode(f, NULL, in, n, out, &pos, 12 + cap), LZMA_OK);
    *cpr = pos - 12;
    return out;
}

typedef struct lazy_case {
    mg_budget b;
    uint8_t *out;
    mg_upx_lazy *l;
} lazy_case;

static void open_case(lazy_case *c, const uint8_t *file, size_t cpr, size_t n)
{
    mg_budget_init(&c->b, n, 1ull << 40, 0);
    c->out = calloc(1, n);
    mg_upx_blk *blk = calloc(1, sizeof *blk);
    assert_non_null(c->out);
    assert_non_null(blk);
    *blk = (mg_upx_blk){.pos = 0, .unc = (uint32_t)n, .cpr = (uint32_t)cpr, .method = MG_UPX_LZMA, .at = 0};
    c->l = mg_upx_lazy_new(file, &c->b, c->out, n, blk, 1, "LZMA");
    assert_non_null(c->l);
}

static void close_case(lazy_case *c)
{
    mg_upx_lazy_free(c->l);
    free(c->out);
}

static bool need(lazy_case *c, uint64_t off, uint64_t len)
{
    return c->l->lz.need(&c->l->lz, off, len);
}

static void test_steps_decode_each_byte_once(void **state)
{
    (void)state;
    size_t n = 2 * MIB, cpr;
    uint8_t *in = text(n, 16, 1), *file = pack(in, n, 4 * MIB, &cpr);
    lazy_case c;
    open_case(&c, file, cpr, n);
    assert_true(need(&c, 0, 100 * KIB));
    assert_memory_equal(c.out, in, 100 * KIB);
    assert_true(need(&c, 900 * KIB, 100 * KIB)); /* past the first read, short of the end */
    assert_memory_equal(c.out, in, MIB);
    assert_true(need(&c, n - 64, 64)); /* the last bytes */
    assert_memory_equal(c.out, in, n);
    assert_int_equal(mg_upx_lazy_decoded(c.l), 1);
    assert_int_equal(c.b.limit - c.b.left, (uint64_t)n * MG_UPX_WORK_PER_BYTE);
    close_case(&c);
    free(file);
    free(in);
}

static void test_damage_fails_the_read_that_reaches_it(void **state)
{
    (void)state;
    size_t n = 2 * MIB, cpr;
    uint8_t *in = text(n, 16, 2), *file = pack(in, n, 4 * MIB, &cpr);
    memset(file + 12 + cpr * 3 / 4, 0xff, 64); /* about 1.5 MiB into the output */
    lazy_case c;
    open_case(&c, file, cpr, n);
    assert_true(need(&c, 0, 256 * KIB));
    assert_memory_equal(c.out, in, 256 * KIB);
    assert_false(need(&c, n - 64, 64));
    assert_int_equal(c.l->failed, MG_ERR_MALFORMED);
    assert_non_null(strstr(c.l->why, "does not decompress"));
    close_case(&c);
    free(file);
    free(in);
}

static void test_far_match_decoded_whole(void **state)
{
    (void)state;
    size_t n = 5 * MIB, cpr;
    uint8_t *in = text(n, 256, 3);
    memcpy(in + n - MIB / 4, in + n - MIB / 4 - 9 * MIB / 2, MIB / 4); /* a match 4.5 MiB back */
    uint8_t *file = pack(in, n, 8 * MIB, &cpr);
    assert_true(cpr < n - MIB / 8); /* the encoder found the match */
    lazy_case c;
    open_case(&c, file, cpr, n);
    assert_true(need(&c, 0, 100 * KIB));
    assert_true(need(&c, n - 64, 64));
    assert_memory_equal(c.out, in, n);
    close_case(&c);
    free(file);
    free(in);
}

/* an NRV2E block (libucl's default 8-bit bit buffer: UPX's NRV2E_8) of
 * in[0..n) after its 12-byte b_info */
static uint8_t *pack_nrv(const uint8_t *in, size_t n, size_t *cpr)
{
    assert_int_equal(ucl_init(), UCL_E_OK);
    ucl_uint len = (ucl_uint)(n + n / 8 + 256);
    uint8_t *out = calloc(1, 12 + len);
    assert_non_null(out);
    assert_int_equal(ucl_nrv2e_99_compress(in, (ucl_uint)n, out + 12, &len, NULL, 7, NULL, NULL), UCL_E_OK);
    *cpr = len;
    return out;
}

static void test_nrv_prefix_then_one_whole_decode(void **state)
{
    (void)state;
    size_t n = 1 * MIB, cpr;
    uint8_t *in = text(n, 16, 4), *file = pack_nrv(in, n, &cpr);
    assert_true(cpr < n);
    lazy_case c;
    open_case(&c, file, cpr, n);
    c.l->blk[0].method = MG_UPX_NRV2E_8; /* libucl's default bit buffer: 8 bits */
    assert_true(need(&c, 0, 10 * KIB)); /* the first quarter: a prefix */
    assert_memory_equal(c.out, in, 10 * KIB);
    uint64_t first = c.b.limit - c.b.left;
    assert_true(first < (uint64_t)n / 4 * MG_UPX_WORK_PER_BYTE);
    assert_true(need(&c, 300 * KIB, 64)); /* past it: the block, whole, once */
    assert_true(need(&c, n - 64, 64));
    assert_memory_equal(c.out, in, n);
    assert_int_equal(c.b.limit - c.b.left, first + (uint64_t)n * MG_UPX_WORK_PER_BYTE);
    close_case(&c);
    free(file);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_decode_each_byte_once),
        cmocka_unit_test(test_damage_fails_the_read_that_reaches_it),
        cmocka_unit_test(test_far_match_decoded_whole),
        cmocka_unit_test(test_nrv_prefix_then_one_whole_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
