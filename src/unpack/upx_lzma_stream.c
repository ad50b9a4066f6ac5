/* upx_lzma_stream.c - owns one UPX LZMA block decoded in steps: liblzma's
 * raw LZMA1 decoder kept open between the reads of a lazily unpacked ELF
 * (upx_lazy.c), so that a block whose start was decoded for one read goes
 * on from there for the next rather than from its start again.  The
 * dictionary is the block's size up to LZMA_STEP_DICT: a stream whose
 * matches reach further fails here (liblzma checks every distance) and the
 * caller decodes the block whole (upx_decompress.c, which retries with the
 * whole block as dictionary).  Memory through the allocation hook. */
#include "unpack/upx_lazy.h"
#include "util/alloc.h"

#include <lzma.h>
#include <stdlib.h>

#define LZMA_STEP_DICT ((size_t)4 << 20)

struct mg_upx_lzs {
    lzma_stream s;
    lzma_allocator al;
    size_t done; /* output bytes decoded so far */
};

static void *zs_alloc(void *opaque, size_t n, size_t size)
{
    (void)opaque;
    if (size && n > SIZE_MAX / size)
        return NULL;
    return mg_malloc(n && size ? n * size : 1);
}

static void zs_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

mg_status mg_upx_lzs_open(mg_upx_lzs **out, const uint8_t *src, size_t slen, size_t unc)
{
    *out = NULL;
    /* UPX's two property bytes: (lc + lp) << 3 | pb, then lp << 4 | lc */
    if (slen < 3)
        return MG_ERR_MALFORMED;
    unsigned pb = src[0] & 7, lp = src[1] >> 4, lc = src[1] & 15;
    if (pb > 4 || lp > 4 || lc > 8 || (unsigned)(src[0] >> 3) != lc + lp)
        return MG_ERR_MALFORMED;
    mg_upx_lzs *z = mg_calloc(1, sizeof *z);
    if (!z)
        return MG_ERR_NOMEM;
    lzma_options_lzma opt = {0};
    size_t dict = unc < LZMA_STEP_DICT ? unc : LZMA_STEP_DICT;
    opt.dict_size = dict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t)dict;
    opt.lc = lc;
    opt.lp = lp;
    opt.pb = pb;
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    z->al = (lzma_allocator){zs_alloc, zs_free, NULL};
    z->s = (lzma_stream)LZMA_STREAM_INIT;
    z->s.allocator = &z->al;
    lzma_ret r = lzma_raw_decoder(&z->s, filters);
    if (r != LZMA_OK) {
        mg_upx_lzs_free(z);
        return r == LZMA_MEM_ERROR ? MG_ERR_NOMEM : MG_ERR_MALFORMED;
    }
    z->s.next_in = src + 2;
    z->s.avail_in = slen - 2;
    *out = z;
    return MG_OK;
}

mg_status mg_upx_lzs_run(mg_upx_lzs *z, uint8_t *dst, size_t upto, size_t *done)
{
    if (upto > z->done) {
        z->s.next_out = dst + z->done;
        z->s.avail_out = upto - z->done;
        lzma_ret r = LZMA_OK;
        /* the input may run out before the last match's bytes are out:
         * go on until the output is full or liblzma makes no progress
         * (LZMA_BUF_ERROR on the second call that makes none) */
        while (r == LZMA_OK && z->s.avail_out)
            r = lzma_code(&z->s, LZMA_RUN);
        z->done = upto - z->s.avail_out;
        if (r == LZMA_MEM_ERROR)
            return MG_ERR_NOMEM;
        if ((r != LZMA_OK && r != LZMA_STREAM_END && r != LZMA_BUF_ERROR) || z->done < upto)
            return MG_ERR_MALFORMED; /* damaged, or ended early */
    }
    *done = z->done;
    return MG_OK;
}

void mg_upx_lzs_free(mg_upx_lzs *z)
{
    if (!z)
        return;
    lzma_end(&z->s);
    free(z);
}
