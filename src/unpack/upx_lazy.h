/* upx_lazy.h - a UPX-packed ELF whose blocks are decoded as the analysis
 * reads them (upx_lazy.c; docs/upx.md "Cost model: what is decoded when"). */
#ifndef MG_UNPACK_UPX_LAZY_H
#define MG_UNPACK_UPX_LAZY_H

#include "io/reader.h"
#include "malgopher.h"
#include "util/budget.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mg_upx_blk;

/* upx_lzma_stream.c: one LZMA block decoded in steps (src: the block's
 * compressed bytes with UPX's two property bytes, unc its size) */
typedef struct mg_upx_lzs mg_upx_lzs;
mg_status mg_upx_lzs_open(mg_upx_lzs **z, const uint8_t *src, size_t slen, size_t unc);
/* the block's bytes up to upto into dst (the block's start): *done of
 * them are there; MG_ERR_MALFORMED when the stream breaks or ends first */
mg_status mg_upx_lzs_run(mg_upx_lzs *z, uint8_t *dst, size_t upto, size_t *done);
void mg_upx_lzs_free(mg_upx_lzs *z);

typedef struct mg_upx_at {
    uint64_t at;
    unsigned i;
} mg_upx_at;

typedef struct mg_upx_lazy {
    mg_lazy lz; /* first: need() casts back */
    const uint8_t *data; /* the packed file */
    mg_budget *budget;
    uint8_t *out; /* the output buffer (owned by the caller) */
    uint64_t out_size;
    struct mg_upx_blk *blk; /* chain order */
    unsigned n, left;       /* blocks; not yet decoded */
    struct mg_upx_at *by_at; /* blocks by output offset */
    bool sums;              /* the PackHeader's adler32 sums are known */
    uint32_t want_u, want_c;
    unsigned filter;
    mg_upx_lzs *zs;         /* the LZMA block being decoded in steps, if any */
    unsigned zi;            /* its index + 1 (0: none) */
    mg_status failed;       /* MG_OK, or why a block could not be had */
    char method[16]; /* for messages */
    char why[200];
} mg_upx_lazy;

/* takes blk (n blocks, chain order, checked: inside the file and the
 * output, no overlap); NULL when out of memory (blk freed) */
mg_upx_lazy *mg_upx_lazy_new(const uint8_t *data, mg_budget *b, uint8_t *out, uint64_t out_size,
                             struct mg_upx_blk *blk, unsigned n, const char *method);
void mg_upx_lazy_free(mg_upx_lazy *l);
/* decode every block not yet decoded (and check the whole-file sums) */
bool mg_upx_lazy_all(mg_upx_lazy *l);
/* blocks decoded so far */
unsigned mg_upx_lazy_decoded(const mg_upx_lazy *l);

#endif
