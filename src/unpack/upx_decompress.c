/* upx_decompress.c - one UPX block decoded with the real libraries: NRV2B,
 * NRV2D and NRV2E through libucl's bounds-checked ("safe") decoders, LZMA
 * through liblzma's raw LZMA1 decoder after UPX's two property bytes
 * (byte 0: (lc + lp) << 3 | pb, byte 1: lp << 4 | lc).  liblzma's memory
 * comes through the library's allocation hook. */
#include "unpack/upx.h"
#include "util/alloc.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <ucl/ucl.h>

bool mg_upx_method_known(unsigned m)
{
    return (m >= MG_UPX_NRV2B_LE32 && m <= MG_UPX_NRV2E_LE16) || m == MG_UPX_LZMA;
}

const char *mg_upx_method_name(unsigned m)
{
    if (m >= MG_UPX_NRV2B_LE32 && m <= MG_UPX_NRV2B_LE16)
        return "NRV2B";
    if (m >= MG_UPX_NRV2D_LE32 && m <= MG_UPX_NRV2D_LE16)
        return "NRV2D";
    if (m >= MG_UPX_NRV2E_LE32 && m <= MG_UPX_NRV2E_LE16)
        return "NRV2E";
    return m == MG_UPX_LZMA ? "LZMA" : "unknown method";
}

uint32_t mg_upx_adler32(uint32_t adler, const uint8_t *p, size_t n)
{
    while (n) {
        ucl_uint k = n > (1u << 30) ? (1u << 30) : (ucl_uint)n;
        adler = ucl_adler32(adler, p, k);
        p += k;
        n -= k;
    }
    return adler;
}

typedef int (*nrv_fn)(const ucl_bytep, ucl_uint, ucl_bytep, ucl_uintp, ucl_voidp);

static nrv_fn nrv_decoder(unsigned m)
{
    static const nrv_fn fns[] = {
        ucl_nrv2b_decompress_safe_le32, ucl_nrv2b_decompress_safe_8, ucl_nrv2b_decompress_safe_le16,
        ucl_nrv2d_decompress_safe_le32, ucl_nrv2d_decompress_safe_8, ucl_nrv2d_decompress_safe_le16,
        ucl_nrv2e_decompress_safe_le32, ucl_nrv2e_decompress_safe_8, ucl_nrv2e_decompress_safe_le16,
    };
    return m >= MG_UPX_NRV2B_LE32 && m <= MG_UPX_NRV2E_LE16 ? fns[m - MG_UPX_NRV2B_LE32] : NULL;
}

static void *lz_alloc(void *opaque, size_t n, size_t size)
{
    (void)opaque;
    /* liblzma zeroes what it needs itself (lzma_alloc_zero): its
     * dictionary, one block long, is not zero-filled here */
    if (size && n > SIZE_MAX / size)
        return NULL;
    return mg_malloc(n && size ? n * size : 1);
}

static void lz_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

/* a raw LZMA1 decoder for UPX's two property bytes and a dictionary of
 * dict bytes; MG_OK with *s ready (lzma_end it) */
static mg_status lzma_open(lzma_stream *s, const lzma_allocator *al, const uint8_t *src, size_t slen, size_t dict)
{
    if (slen < 3)
        return MG_ERR_MALFORMED;
    unsigned pb = src[0] & 7, lp = src[1] >> 4, lc = src[1] & 15;
    if (pb > 4 || lp > 4 || lc > 8 || (unsigned)(src[0] >> 3) != lc + lp)
        return MG_ERR_MALFORMED;
    lzma_options_lzma opt = {0};
    opt.dict_size = dict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : dict > (1u << 30) ? (1u << 30) : (uint32_t)dict;
    opt.lc = lc;
    opt.lp = lp;
    opt.pb = pb;
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    *s = (lzma_stream)LZMA_STREAM_INIT;
    s->allocator = al;
    lzma_ret r = lzma_raw_decoder(s, filters);
    if (r != LZMA_OK)
        return r == LZMA_MEM_ERROR ? MG_ERR_NOMEM : MG_ERR_MALFORMED;
    s->next_in = src + 2;
    s->avail_in = slen - 2;
    return MG_OK;
}

/* the end of a decode: liblzma's last answer r and the bytes got */
static mg_status lzma_result(lzma_ret r, size_t got, size_t dlen, bool exact)
{
    if (r == LZMA_MEM_ERROR)
        return MG_ERR_NOMEM;
    if (r != LZMA_OK && r != LZMA_STREAM_END && r != LZMA_BUF_ERROR)
        return MG_ERR_MALFORMED;
    return (exact ? got == dlen : got > 0) ? MG_OK : MG_ERR_MALFORMED;
}

/* one decode with a dictionary of dict bytes */
static mg_status lzma_upx_try(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen, size_t dict, bool exact,
                              size_t *got)
{
    lzma_allocator al = {lz_alloc, lz_free, NULL};
    lzma_stream s;
    mg_status st = lzma_open(&s, &al, src, slen, dict);
    if (st != MG_OK)
        return st;
    lzma_ret r = LZMA_OK;
    s.next_out = dst;
    s.avail_out = dlen;
    while (r == LZMA_OK && s.avail_out && s.avail_in)
        r = lzma_code(&s, LZMA_RUN);
    if (r == LZMA_OK && s.avail_out)
        r = lzma_code(&s, LZMA_FINISH);
    *got = dlen - s.avail_out;
    lzma_end(&s);
    return lzma_result(r, *got, dlen, exact);
}

/* liblzma decodes into its own dictionary (then copies out), so a
 * dictionary as long as the output doubles the memory.  A stream whose
 * matches all lie within LZMA_SMALL_DICT decodes the same with that
 * dictionary; one that reaches further fails with LZMA_DATA_ERROR
 * (liblzma checks every distance against the history it holds) and is
 * decoded again with the whole output as its dictionary. */
#define LZMA_SMALL_DICT ((size_t)4 << 20)

static mg_status lzma_upx_block(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen, bool exact,
                                size_t *got)
{
    if (dlen <= LZMA_SMALL_DICT)
        return lzma_upx_try(src, slen, dst, dlen, dlen, exact, got);
    mg_status st = lzma_upx_try(src, slen, dst, dlen, LZMA_SMALL_DICT, exact, got);
    if (st != MG_ERR_MALFORMED)
        return st;
    return lzma_upx_try(src, slen, dst, dlen, dlen, exact, got);
}

mg_status mg_upx_decompress_prefix(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t want,
                                   size_t *got)
{
    *got = 0;
    if (method == MG_UPX_LZMA)
        return lzma_upx_block(src, slen, dst, want, false, got);
    nrv_fn fn = nrv_decoder(method);
    if (!fn || slen > UINT32_MAX || want > UINT32_MAX)
        return MG_ERR_MALFORMED;
    /* libucl's safe decoders check the room before every literal and
     * match: on UCL_E_OUTPUT_OVERRUN the n bytes written are the stream's
     * first n (measured against whole decodes: tests/unit/test_upx_lazy.c) */
    ucl_uint n = (ucl_uint)want;
    int r = fn(src, (ucl_uint)slen, dst, &n, NULL);
    if ((r != UCL_E_OK && r != UCL_E_OUTPUT_OVERRUN && r != UCL_E_INPUT_NOT_CONSUMED) || n > want)
        return MG_ERR_MALFORMED;
    *got = n;
    return MG_OK;
}

mg_status mg_upx_decompress(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen, bool exact,
                       size_t *got)
{
    size_t dummy;
    if (!got)
        got = &dummy;
    *got = 0;
    if (method == MG_UPX_LZMA)
        return lzma_upx_block(src, slen, dst, dlen, exact, got);
    nrv_fn fn = nrv_decoder(method);
    if (!fn || slen > UINT32_MAX || dlen > UINT32_MAX)
        return MG_ERR_MALFORMED;
    ucl_uint n = (ucl_uint)dlen;
    int r = fn(src, (ucl_uint)slen, dst, &n, NULL);
    *got = n;
    /* an exact block must fill dst and use all of src; a whole-image
     * stream (PE, size unknown) may stop early */
    bool ok = exact ? r == UCL_E_OK && n == dlen : (r == UCL_E_OK || r == UCL_E_INPUT_NOT_CONSUMED) && n > 0;
    return ok ? MG_OK : MG_ERR_MALFORMED;
}

/* ---- a whole image into a zeroed buffer, its zero pages untouched ---- */

/* the adler32 of n more zero bytes: the first sum stays, the second
 * gains n times the first */
static uint32_t adler_zeros(uint32_t adler, uint64_t n)
{
    uint64_t a = adler & 0xffff, b = adler >> 16;
    b = (b + (n % 65521) * a) % 65521;
    return (uint32_t)(b << 16 | a);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

#define IMG_PIECE 4096u

/* the adler32 of p[0..n), zero pieces summed without reading them twice;
 * with dst, the pieces that are not all zero are copied to dst */
static uint32_t adler_pieces(uint32_t adler, const uint8_t *p, size_t n, uint8_t *dst)
{
    for (size_t at = 0; at < n; at += IMG_PIECE) {
        size_t k = n - at < IMG_PIECE ? n - at : IMG_PIECE;
        if (all_zero(p + at, k)) {
            adler = adler_zeros(adler, k);
            continue;
        }
        adler = mg_upx_adler32(adler, p + at, k);
        if (dst)
            memcpy(dst + at, p + at, k);
    }
    return adler;
}

/* liblzma through a small window: what it decodes is copied to dst piece
 * by piece, all-zero pieces skipped (dst is zeroed, so their pages are
 * never touched: the .bss a PE's image holds costs no memory) */
#define IMG_WINDOW (4 * IMG_PIECE)

static mg_status lzma_image_try(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen, size_t dict, bool exact,
                                size_t *got, uint32_t *adler)
{
    lzma_allocator al = {lz_alloc, lz_free, NULL};
    lzma_stream s;
    mg_status st = lzma_open(&s, &al, src, slen, dict);
    if (st != MG_OK)
        return st;
    uint8_t win[IMG_WINDOW];
    size_t pos = 0;
    uint32_t ad = 1;
    lzma_ret r = LZMA_OK;
    lzma_action act = LZMA_RUN;
    while (pos < dlen) {
        if (!s.avail_in)
            act = LZMA_FINISH;
        size_t want = dlen - pos < IMG_WINDOW ? dlen - pos : IMG_WINDOW;
        s.next_out = win;
        s.avail_out = want;
        r = lzma_code(&s, act);
        size_t k = want - s.avail_out;
        ad = adler_pieces(ad, win, k, dst + pos);
        pos += k;
        if (r != LZMA_OK || (k == 0 && act == LZMA_FINISH))
            break;
    }
    lzma_end(&s);
    *got = pos;
    *adler = ad;
    return lzma_result(r, pos, dlen, exact);
}

mg_status mg_upx_decompress_image(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen,
                                  bool exact, size_t *got, uint32_t *adler)
{
    *got = 0;
    *adler = 1;
    if (method != MG_UPX_LZMA) {
        mg_status st = mg_upx_decompress(method, src, slen, dst, dlen, exact, got);
        if (st == MG_OK)
            *adler = adler_pieces(1, dst, *got, NULL);
        return st;
    }
    if (dlen <= LZMA_SMALL_DICT)
        return lzma_image_try(src, slen, dst, dlen, dlen, exact, got, adler);
    mg_status st = lzma_image_try(src, slen, dst, dlen, LZMA_SMALL_DICT, exact, got, adler);
    if (st != MG_ERR_MALFORMED)
        return st;
    return lzma_image_try(src, slen, dst, dlen, dlen, exact, got, adler);
}
