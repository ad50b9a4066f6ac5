/* upx_pe.h - the parts of the PE rebuild kept apart (upx_pe_relocs.c). */
#ifndef MG_UNPACK_UPX_PE_H
#define MG_UNPACK_UPX_PE_H

#include "unpack/upx.h"

typedef struct mg_upx_pe_fix {
    bool plus;          /* PE32+: 64-bit fixups */
    uint64_t imagebase; /* the original header's */
    uint32_t rvamin;    /* the image's first RVA */
    uint32_t crelocs;   /* offset of UPX's relocation stream in the image */
    uint32_t dir_rva;   /* where the table goes (the original directory) */
} mg_upx_pe_fix;

/* undo the relocations and write the table back; *tsize its size (0 when
 * it did not fit where the directory says) */
mg_status mg_upx_pe_relocs(mg_upx_ctx *c, uint8_t *img, uint32_t u_len, const mg_upx_pe_fix *f, uint32_t *tsize);

#endif
