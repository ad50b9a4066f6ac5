/* upx.h - the static UPX unpacker: what the library's other rooms see.
 *
 * A UPX-packed ELF or PE is recognised by its structure (the l_info/p_info/
 * b_info chain after the ELF program headers; on PE an empty first section,
 * the entry in the second, and a checksummed PackHeader before the
 * compressed data), never by the "UPX!" string, which is read only as
 * evidence of tampering.  The unpacked executable is rebuilt in memory
 * (docs/upx.md: formats, methods, filters, caps).  Nothing here writes a
 * file. */
#ifndef MG_UNPACK_UPX_H
#define MG_UNPACK_UPX_H

#include "malgopher.h"
#include "util/budget.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* caps (docs/upx.md "Caps (for the cost model)"): the unpacked size may be at most
 * MG_UPX_MAX_RATIO times the input and MG_UPX_MAX_OUT in all; at most
 * MG_UPX_MAX_BLOCKS blocks of at most MG_UPX_MAX_BLOCK bytes each */
#define MG_UPX_MAX_RATIO 32u
#define MG_UPX_MAX_OUT (1ull << 30)
#define MG_UPX_MAX_BLOCKS 65536u
#define MG_UPX_MAX_BLOCK (64u << 20)
#define MG_UPX_WORK_PER_BYTE 2u /* budget units per unpacked byte */

/* UPX's method ids (its conf.h) */
enum {
    MG_UPX_NRV2B_LE32 = 2, MG_UPX_NRV2B_8 = 3, MG_UPX_NRV2B_LE16 = 4,
    MG_UPX_NRV2D_LE32 = 5, MG_UPX_NRV2D_8 = 6, MG_UPX_NRV2D_LE16 = 7,
    MG_UPX_NRV2E_LE32 = 8, MG_UPX_NRV2E_8 = 9, MG_UPX_NRV2E_LE16 = 10,
    MG_UPX_LZMA = 14
};

/* upx_detect.c: the whole unpacker.  MG_ERR_UNSUPPORTED with *packed
 * false: not UPX (the caller goes on with the input); any other error with
 * *packed true: UPX-packed but refused (err says "UPX-packed (METHOD): why").
 * On MG_OK *out (free()) holds the unpacked executable. */
struct mg_upx_lazy;
/* lazy (NULL: decode everything now): for an ELF, *lazy gets the state
 * that decodes *out's blocks as they are read (upx_lazy.h); *out is then
 * the zeroed output buffer with nothing decoded yet, and the whole-file
 * checksums are checked only when every block gets decoded.  PE (one
 * stream) is always decoded whole (*lazy NULL). */
mg_status mg_upx_unpack(const uint8_t *data, size_t size, mg_budget *b, uint8_t **out, size_t *out_size,
                        struct mg_upx_lazy **lazy, mg_packer_info *info, bool *packed, mg_error *err);

/* upx_decompress.c: decode exactly dlen bytes of method into dst from
 * src[0..slen); MG_ERR_MALFORMED when the stream is damaged or the method
 * unknown, MG_ERR_NOMEM when the decoder's memory could not be had.  With
 * exact false, fewer bytes are accepted and *got tells how many. */
bool mg_upx_method_known(unsigned method);
const char *mg_upx_method_name(unsigned method);
mg_status mg_upx_decompress(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen, bool exact,
                       size_t *got);
/* decode the start of a block: at least want bytes of it unless the stream
 * ends or is damaged first; *got how many of dst are the block's bytes */
mg_status mg_upx_decompress_prefix(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t want,
                                   size_t *got);
uint32_t mg_upx_adler32(uint32_t adler, const uint8_t *p, size_t n);
/* a whole image (PE: one stream) into dst, which is zeroed: as
 * mg_upx_decompress, and *adler the output's adler32.  LZMA is decoded
 * through a small window and only its pieces that are not all zero are
 * written, so dst's zero pages (a .bss inside the image) stay untouched */
mg_status mg_upx_decompress_image(unsigned method, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen,
                                  bool exact, size_t *got, uint32_t *adler);

/* upx_filter.c: undo filter id (cto: its byte) on buf[0..len), addvalue the
 * buffer's offset in the image; false for an id we do not know */
bool mg_upx_filter_known(unsigned id);
bool mg_upx_unfilter(unsigned id, unsigned cto, uint8_t *buf, size_t len, uint32_t addvalue);

/* the shared state of one unpacking (upx_detect.c fills the common part) */
typedef struct mg_upx_ctx {
    const uint8_t *data;
    size_t size;
    mg_budget *budget;
    mg_packer_info *info;
    mg_error *err;
    uint64_t max_out; /* the caps for this input */
    unsigned method;  /* the last block's, for messages */
    struct mg_upx_lazy **lazy; /* non-NULL: unpack lazily when the format allows */
} mg_upx_ctx;

/* fail with "UPX-packed (METHOD): why" */
mg_status mg_upx_fail(mg_upx_ctx *c, mg_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* a 32-byte PackHeader at off whose checksum holds (magic not read) */
bool mg_upx_packheader_at(const uint8_t *data, size_t size, uint64_t off);
/* a zeroed output buffer of n bytes (free()), NULL when out of memory */
void *mg_upx_out_alloc(uint64_t n);
/* give the pages of such a buffer (size bytes) past its first keep bytes
 * back to the system; the buffer stays valid (and free()-able), its tail
 * unused */
void mg_upx_out_trim(void *p, uint64_t keep, uint64_t size);
/* charge n output bytes to the budget; false (error set) when out */
bool mg_upx_charge(mg_upx_ctx *c, uint64_t n);

/* upx_elf.c / upx_pe.c / upx_macho.c: MG_ERR_UNSUPPORTED (no error text) when the
 * structure is not UPX's */
mg_status mg_upx_elf(mg_upx_ctx *c, uint8_t **out, size_t *out_size);
mg_status mg_upx_pe(mg_upx_ctx *c, uint8_t **out, size_t *out_size);
mg_status mg_upx_macho(mg_upx_ctx *c, uint8_t **out, size_t *out_size);

#endif
