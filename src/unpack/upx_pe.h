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

typedef struct mg_upx_pe_imp {
    bool plus;
    uint32_t rvamin;
    uint64_t list;        /* offset of UPX's import list in the image */
    uint32_t names_rva;   /* where the names go; 0: where the image points */
    uint32_t dir_rva;     /* the original import directory */
    const uint8_t *area;  /* the packed file's import area (its names, thunks) */
    size_t area_len;
} mg_upx_pe_imp;

/* rebuild the import descriptors, DLL names, IATs and hint/name entries;
 * false when the list does not fit the image (the caller clears the
 * directory) */
bool mg_upx_pe_imports(uint8_t *img, uint32_t u_len, const mg_upx_pe_imp *f);

/* upx_pe_layout.c: a section's bytes in the image (src) and in the file
 * (dst); n bytes are moved */
#define MG_UPX_PE_MAX_SECS 96u
typedef struct mg_upx_pe_sec {
    uint64_t dst, src, n;
} mg_upx_pe_sec;

/* lay n sections out as a file inside buf (the decoded image, at least
 * total bytes): each moved from src to dst, every byte of [hdr_end, total)
 * no section covers zeroed; false, buf untouched, when the table's layout
 * does not allow it in place (upx_pe_layout.c) */
bool mg_upx_pe_inplace(uint8_t *buf, uint64_t hdr_end, uint64_t total, const mg_upx_pe_sec *s, unsigned n);

#endif
