/* xcoff.c - AIX XCOFF32 / XCOFF64 (big-endian) into an mg_img: sections
 * only (enough to find Go's tables); the symbol table is counted for the
 * "stripped" report but not searched. */
#include "exe/image.h"

#include "util/error.h"

#include <string.h>

#define STYP_TEXT 0x20u
#define STYP_DATA 0x40u
#define STYP_BSS 0x80u

/* Field offsets of the XCOFF section header (AIX <scnhdr.h>), per word size */
typedef struct xcoff_layout {
    unsigned word, s_vaddr, s_size, s_scnptr, s_flags, scnhdr_size;
} xcoff_layout;
static const xcoff_layout XCOFF32 = {.word = 4, .s_vaddr = 12, .s_size = 16, .s_scnptr = 20, .s_flags = 36,
                                     .scnhdr_size = 40};
static const xcoff_layout XCOFF64 = {.word = 8, .s_vaddr = 16, .s_size = 24, .s_scnptr = 32, .s_flags = 64,
                                     .scnhdr_size = 72};
enum { S_NAME = 0, S_NAME_LEN = 8 };

mg_status mg_xcoff_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err)
{
    memset(img, 0, sizeof *img);
    img->r = mg_reader_make(data, size, true, 4);
    const mg_reader *r = &img->r;
    uint16_t magic = 0, nscns = 0, opthdr = 0;
    uint32_t nsyms = 0;
    bool is64 = mg_rd_u16(r, 0, &magic) && magic == 0x01f7;
    if (magic != 0x01df && !is64)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed XCOFF: bad magic");
    const xcoff_layout *L = is64 ? &XCOFF64 : &XCOFF32;
    uint64_t hdr = is64 ? 24 : 20, shsz = L->scnhdr_size;
    if (!mg_rd_u16(r, 2, &nscns) || !mg_rd_u16(r, is64 ? 16 : 16, &opthdr) ||
        !mg_rd_u32(r, is64 ? 20 : 12, &nsyms))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed XCOFF: header truncated");
    img->kind = MG_CONT_XCOFF;
    img->kind_name = "XCOFF";
    img->bits = is64 ? 64 : 32;
    img->r.ptrsize = is64 ? 8 : 4;
    img->arch = is64 ? "ppc64" : "ppc";
    img->os = "aix";
    if (nsyms)
        img->symtab = (mg_symtab){MG_SYMTAB_XCOFF, 0, nsyms, 0, 0, 0};
    uint64_t sh = hdr + opthdr;
    if (!mg_rd_has(r, sh, (uint64_t)nscns * shsz))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed XCOFF: section table truncated");
    mg_status st = mg_img_alloc_sections(img, nscns, nscns, err);
    if (st != MG_OK)
        return st;
    for (uint64_t i = 0; i < nscns; i++) {
        mg_rec c;
        if (!mg_rec_at(r, sh + i * shsz, shsz, &c))
            break; /* cannot happen: the table was checked above */
        uint64_t vaddr = mg_rec_word(&c, L->s_vaddr, L->word), ssize = mg_rec_word(&c, L->s_size, L->word);
        uint64_t scnptr = mg_rec_word(&c, L->s_scnptr, L->word);
        uint32_t flags = mg_rec_u32(&c, L->s_flags);
        mg_section *s = &img->sects[img->nsects++];
        mg_copy_name(s->name, sizeof s->name, c.p + S_NAME, S_NAME_LEN);
        s->addr = vaddr;
        s->size = ssize;
        s->off = scnptr;
        bool has_bytes = !(flags & STYP_BSS) && scnptr && mg_rd_has(r, scnptr, ssize);
        s->filesz = has_bytes ? ssize : 0;
        s->flags = (flags & STYP_TEXT ? MG_SEC_EXEC : 0) | (flags & STYP_DATA ? MG_SEC_WRITE : 0) |
                   (has_bytes ? MG_SEC_DATA : 0);
        img->maps[img->nmaps++] = *s;
    }
    return MG_OK;
}
