/* pclntab.h - decoding the Go runtime's function table (pclntab) in all
 * four layouts, and locating it inside an image. */
#ifndef MG_GO_PCLNTAB_H
#define MG_GO_PCLNTAB_H

#include "exe/image.h"

/* bounds on what the file may make us do */
#define MG_MAX_FUNCS 4000000u
#define MG_MAX_NAME_LEN 65536u

typedef struct mg_pcln {
    mg_pclntab_gen gen;
    mg_reader r;          /* from the header to the end of its region */
    uint64_t file_off;    /* header offset in the image slice */
    unsigned quantum;
    uint64_t nfunc;
    uint64_t nfiles;
    uint64_t text_start;  /* header word (1.18+); 0 when not stored */
    uint64_t funcname_off, cu_off, filetab_off, pctab_off, pcln_off; /* from header */
    uint64_t ftab_off;    /* start of the (entry, funcoff) pairs */
    bool magic_ok;        /* false when found with a damaged magic */
    bool funcs_capped;    /* the header declared more than MG_MAX_FUNCS */
    uint64_t header_nfunc; /* the header's nfunc word, as written */
    bool nfunc_from_moduledata; /* nfunc is moduledata's ftab length - 1 */
    bool names_unchecked; /* accepted without readable sampled names */
    const char *reject;   /* after a failed mg_pcln_validate: why (a static string) */
} mg_pcln;

/* What mg_pcln_locate turned down: the candidates it validated and
 * rejected, and the first of them (offset in the image, reason). */
typedef struct mg_pcln_rejects {
    unsigned count;
    uint64_t first_off;
    const char *first_why;
} mg_pcln_rejects;

/* Validate a header at offset off of region view r (r spans from some start
 * to the end of the region).  gen == MG_PCLN_NONE: take the layout from the
 * magic; otherwise force that layout (magic ignored).  On success fills *p
 * (p->r starts at the header). */
bool mg_pcln_validate(const mg_reader *region, uint64_t off, mg_pclntab_gen gen, mg_pcln *p);
/* Its two halves: the header and its table offsets (whatever nfunc says),
 * then the function table for nfunc entries.  names false: the sampled
 * entries need not have a readable _func and name (entries must then
 * strictly increase). */
bool mg_pcln_validate_header(const mg_reader *region, uint64_t off, mg_pclntab_gen gen, mg_pcln *p);
bool mg_pcln_validate_funcs(mg_pcln *p, uint64_t nfunc, bool names);

/* recover.c: the function count the runtime uses, len(moduledata.ftab) - 1,
 * when moduledata is found for p. */
bool mg_moduledata_nfunc(const mg_img *img, const mg_pcln *p, uint64_t *nfunc);
/* recover.c: the address of p's moduledata (the same search) */
bool mg_moduledata_addr(const mg_img *img, const mg_pcln *p, uint64_t *md);
/* Check p's nfunc against moduledata and believe moduledata when its count
 * validates (sets p->nfunc_from_moduledata). */
void mg_pcln_crosscheck_nfunc(const mg_img *img, mg_pcln *p);
/* Last resort for a header that validated but whose table did not: with
 * moduledata's count, then without the name checks. */
bool mg_pcln_recover(const mg_img *img, mg_pcln *p);

/* magic_scan.c: every place in s where ff ff ff starts and a pclntab header
 * with a true magic could begin (at-1 little-endian, at big-endian), in
 * order, until fn returns true (then true); the places it leaves out are
 * ones where no header can start. */
bool mg_pcln_magic_scan(const mg_img *img, const mg_section *s, mg_scan_hit_fn fn, void *ctx);

/* Locate the pclntab in img: section hints, symbols, scan, then recovery. */
bool mg_pcln_locate(const mg_img *img, mg_pcln *p, mg_found_by *how);
/* The same, recording every rejected candidate in *rj (may be NULL). */
bool mg_pcln_locate_why(const mg_img *img, mg_pcln *p, mg_found_by *how, mg_pcln_rejects *rj);

/* Function i: entry (text_start + entryoff for 1.18+) and name.  A name
 * longer than MG_MAX_NAME_LEN is cut there and *name_cut set.  Returns
 * false when the entry cannot be read. */
bool mg_pcln_func(const mg_pcln *p, uint64_t i, uint64_t *entry, const char **name,
                  uint32_t *name_len, bool *name_cut);
/* Source file of function i's entry, or false. */
bool mg_pcln_func_file(const mg_pcln *p, uint64_t i, const char **file, uint32_t *len);
/* entryoff of function i (1.18+) or entry (older); and the end value */
bool mg_pcln_first_last(const mg_pcln *p, uint64_t *first, uint64_t *end);

#endif
