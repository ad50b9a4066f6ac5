/* upx_blocks.h - the b_info block chain walker and the steps the ELF and Mach-O rebuilds share (upx_blocks.c). */
#ifndef MG_UNPACK_UPX_BLOCKS_H
#define MG_UNPACK_UPX_BLOCKS_H

#include "unpack/upx.h"

typedef struct mg_upx_blk {
    uint64_t pos; /* of the 12-byte header */
    uint32_t unc, cpr;
    uint8_t method, ftid, cto, extra;
    uint64_t at; /* where it lands in the output (recorded walks) */
    bool done;   /* decoded whole (lazy unpacking) */
    uint32_t have; /* lazy: the first `have` bytes are decoded and unfiltered */
} mg_upx_blk;

typedef struct mg_upx_chain {
    mg_upx_ctx *c;
    bool be;           /* the target's byte order (b_info is in it) */
    bool quiet;        /* probing: fail without an error text */
    unsigned nblocks;  /* read so far */
    unsigned method;   /* of the last compressed block */
    unsigned filter;   /* the last filter undone */
    uint32_t c_adler, u_adler;
    uint64_t out_size; /* of the output when decoding */
    uint32_t end_magic; /* sz_cpr of the end marker */
    uint64_t end_pos;
    bool record;       /* a walk without output lists its blocks (rec) */
    mg_upx_blk *rec;
    unsigned nrec, caprec;
} mg_upx_chain;

/* an extent of the unpacked file: a segment, a gap or the tail */
typedef struct mg_upx_ext {
    uint64_t off, size;
} mg_upx_ext;
/* true when no two non-empty extents among loads, gaps and tail overlap
 * (the callers hold at most 64 loads and 64 gaps: 129 extents at most) */
bool mg_upx_extents_disjoint(const mg_upx_ext *loads, unsigned nloads, const mg_upx_ext *gaps, unsigned ngaps,
                             mg_upx_ext tail);
/* the zeroed output of a file rebuilt from loads, gaps and the tail: its
 * size (*total, the end of the furthest extent) checked against the cap
 * and the extents against overlap first; NULL with the error set */
uint8_t *mg_upx_out_for(mg_upx_ctx *c, const mg_upx_ext *loads, unsigned nloads, const mg_upx_ext *gaps,
                        unsigned ngaps, mg_upx_ext tail, uint64_t *total);
/* a candidate for the first block (the original headers) at pos: its
 * b_info plausible, compressed, min_unc..max_unc bytes and inside the
 * file, then decoded into a new buffer (free()); NULL when it is not one,
 * with *nomem set when memory ran out; *b its header */
uint8_t *mg_upx_header_block(mg_upx_chain *ch, uint64_t pos, uint32_t min_unc, uint32_t max_unc, mg_upx_blk *b,
                             bool *nomem);

bool mg_upx_binfo(const mg_upx_chain *ch, uint64_t pos, mg_upx_blk *b);
bool mg_upx_blk_plausible(const mg_upx_blk *b);
/* decode (or copy) a checked block of data to dst (b->unc bytes) and undo
 * its filter; *filter the filter undone, if any */
mg_status mg_upx_blk_decode(const uint8_t *data, const mg_upx_blk *b, uint8_t *dst, unsigned *filter);
/* blocks from *pos adding up to exactly wanted bytes (decoded to out + at
 * when out is not NULL); *pos moves past them */
bool mg_upx_walk(mg_upx_chain *ch, uint64_t *pos, uint64_t wanted, uint8_t *out, uint64_t at);
/* blocks from *pos to the end marker; *total their size */
bool mg_upx_walk_rest(mg_upx_chain *ch, uint64_t *pos, uint8_t *out, uint64_t at, uint64_t *total);

#endif
