/* macho.c - thin Mach-O (32/64-bit, either byte order) into an mg_img.
 * Segments give the address mapping; sections are named "__SEG,__sect". */
#include "exe/image.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define LC_SEGMENT 0x1u
#define LC_SYMTAB 0x2u
#define LC_SEGMENT_64 0x19u
#define VM_PROT_WRITE 0x2u
#define VM_PROT_EXECUTE 0x4u
#define S_ZEROFILL 0x1u
#define S_GB_ZEROFILL 0xcu
#define S_THREAD_LOCAL_ZEROFILL 0x12u
#define MAX_LOAD_COMMANDS 65536u

/* Field offsets (<mach-o/loader.h>), per word size: the 32- and 64-bit
 * records differ only in where the fields sit and how wide the words are. */
enum {
    MH_CPUTYPE = 4, MH_NCMDS = 16, MH_SIZEOFCMDS = 20, MH_READ = 24, /* mach_header: the fields read end here */
    LC_CMD = 0, LC_CMDSIZE = 4, LC_SIZE = 8,                         /* load_command */
    SEG_SEGNAME = 8, NAME_LEN = 16,
    SYMTAB_SYMOFF = 8, SYMTAB_NSYMS = 12, SYMTAB_STROFF = 16, SYMTAB_STRSIZE = 20, SYMTAB_SIZE = 24,
    SECT_SECTNAME = 0, SECT_SEGNAME = 16,
};
typedef struct macho_layout {
    unsigned word, mh_size;
    /* segment_command(_64); seg_read: the fields read end there */
    unsigned seg_vmaddr, seg_vmsize, seg_fileoff, seg_filesize, seg_initprot, seg_nsects, seg_read, seg_size;
    /* section(_64) */
    unsigned sect_addr, sect_size, sect_offset, sect_flags, sect_len;
    unsigned nlist_size;
} macho_layout;
static const macho_layout MACHO32 = {
    .word = 4, .mh_size = 28,
    .seg_vmaddr = 24, .seg_vmsize = 28, .seg_fileoff = 32, .seg_filesize = 36, .seg_initprot = 44, .seg_nsects = 48,
    .seg_read = 52, .seg_size = 56,
    .sect_addr = 32, .sect_size = 36, .sect_offset = 40, .sect_flags = 56, .sect_len = 68,
    .nlist_size = 12,
};
static const macho_layout MACHO64 = {
    .word = 8, .mh_size = 32,
    .seg_vmaddr = 24, .seg_vmsize = 32, .seg_fileoff = 40, .seg_filesize = 48, .seg_initprot = 60, .seg_nsects = 64,
    .seg_read = 68, .seg_size = 72,
    .sect_addr = 32, .sect_size = 40, .sect_offset = 48, .sect_flags = 64, .sect_len = 80,
    .nlist_size = 16,
};

static const char *macho_arch(uint32_t cpu)
{
    switch (cpu) {
    case 7: return "386";
    case 0x01000007: return "amd64";
    case 12: return "arm";
    case 0x0100000c: return "arm64";
    case 18: return "ppc";
    case 0x01000012: return "ppc64";
    }
    return "";
}

/* Count segments and sections first so the arrays are sized exactly. */
static bool count_segments(const mg_reader *r, const macho_layout *L, uint64_t lc, uint32_t ncmds, bool is64,
                           uint64_t *nseg, uint64_t *nsect)
{
    *nseg = *nsect = 0;
    for (uint32_t i = 0; i < ncmds; i++) {
        mg_rec c, seg;
        if (!mg_rec_at(r, lc, LC_SIZE, &c) || mg_rec_u32(&c, LC_CMDSIZE) < LC_SIZE)
            return false;
        if (mg_rec_u32(&c, LC_CMD) == (is64 ? LC_SEGMENT_64 : LC_SEGMENT) && mg_rec_at(r, lc, L->seg_read, &seg)) {
            (*nseg)++;
            *nsect += mg_rec_u32(&seg, L->seg_nsects);
        }
        lc += mg_rec_u32(&c, LC_CMDSIZE);
    }
    return true;
}

mg_status mg_macho_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err)
{
    memset(img, 0, sizeof *img);
    if (size < 28)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: header truncated");
    uint32_t m = mg_ld32(data, false);
    bool be, is64;
    if (m == 0xfeedface || m == 0xfeedfacf)
        be = false;
    else if (m == 0xcefaedfe || m == 0xcffaedfe)
        be = true;
    else
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: bad magic");
    is64 = (m == 0xfeedfacf || m == 0xcffaedfe);
    img->r = mg_reader_make(data, size, be, is64 ? 8 : 4);
    img->kind = MG_CONT_MACHO;
    img->kind_name = "Mach-O";
    img->bits = is64 ? 64 : 32;
    img->os = "darwin";
    const mg_reader *r = &img->r;
    const macho_layout *L = is64 ? &MACHO64 : &MACHO32;
    mg_rec mh;
    if (!mg_rec_at(r, 0, MH_READ, &mh))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: header truncated");
    uint32_t ncmds = mg_rec_u32(&mh, MH_NCMDS), sizeofcmds = mg_rec_u32(&mh, MH_SIZEOFCMDS);
    img->arch = macho_arch(mg_rec_u32(&mh, MH_CPUTYPE));
    uint64_t lc0 = L->mh_size;
    mg_reader cmds; /* load commands must stay inside */
    if (ncmds > MAX_LOAD_COMMANDS || !mg_rd_sub(r, 0, lc0 + sizeofcmds, &cmds))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: load commands truncated");
    uint64_t nseg, nsect;
    if (!count_segments(&cmds, L, lc0, ncmds, is64, &nseg, &nsect))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: bad load command");
    if (nsect > MG_MAX_SECTIONS || nseg > MG_MAX_SECTIONS)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: too many sections");
    mg_status st = mg_img_alloc_sections(img, nsect, nseg, err);
    if (st != MG_OK)
        return st;

    uint64_t lc = lc0;
    unsigned w = L->word;
    for (uint32_t i = 0; i < ncmds; i++) {
        mg_rec c, seg, st_;
        if (!mg_rec_at(&cmds, lc, LC_SIZE, &c))
            break; /* cannot happen: count_segments walked them */
        uint32_t cmd = mg_rec_u32(&c, LC_CMD), cmdsize = mg_rec_u32(&c, LC_CMDSIZE);
        if (cmd == (is64 ? LC_SEGMENT_64 : LC_SEGMENT) && img->nmaps < nseg && mg_rec_at(&cmds, lc, L->seg_read, &seg)) {
            uint64_t vmaddr = mg_rec_word(&seg, L->seg_vmaddr, w), vmsize = mg_rec_word(&seg, L->seg_vmsize, w);
            uint64_t fileoff = mg_rec_word(&seg, L->seg_fileoff, w), filesize = mg_rec_word(&seg, L->seg_filesize, w);
            uint32_t initprot = mg_rec_u32(&seg, L->seg_initprot), ns = mg_rec_u32(&seg, L->seg_nsects);
            mg_section *sg = &img->maps[img->nmaps++];
            mg_copy_name(sg->name, 17, seg.p + SEG_SEGNAME, NAME_LEN);
            if (!mg_rd_has(r, fileoff, filesize))
                filesize = fileoff < size ? size - fileoff : 0;
            sg->addr = vmaddr;
            sg->size = vmsize;
            sg->off = fileoff;
            sg->filesz = filesize;
            sg->flags = (initprot & VM_PROT_EXECUTE ? MG_SEC_EXEC : 0) |
                        (initprot & VM_PROT_WRITE ? MG_SEC_WRITE : 0) |
                        (filesize ? MG_SEC_DATA : 0);
            uint64_t sectsz = L->sect_len, s0 = lc + L->seg_size;
            for (uint32_t k = 0; k < ns && img->nsects < nsect; k++) {
                uint64_t e = s0 + k * sectsz;
                mg_rec sc;
                if (e + sectsz > lc + cmdsize || !mg_rec_at(&cmds, e, sectsz, &sc))
                    break;
                uint64_t addr = mg_rec_word(&sc, L->sect_addr, w), sz = mg_rec_word(&sc, L->sect_size, w);
                uint32_t off = mg_rec_u32(&sc, L->sect_offset), flags = mg_rec_u32(&sc, L->sect_flags);
                mg_section *s = &img->sects[img->nsects++];
                char sect[17], segn[17];
                mg_copy_name(sect, sizeof sect, sc.p + SECT_SECTNAME, NAME_LEN);
                mg_copy_name(segn, sizeof segn, sc.p + SECT_SEGNAME, NAME_LEN);
                snprintf(s->name, sizeof s->name, "%s,%s", segn, sect);
                uint8_t type = flags & 0xff;
                bool zf = type == S_ZEROFILL || type == S_GB_ZEROFILL ||
                          type == S_THREAD_LOCAL_ZEROFILL;
                s->addr = addr;
                s->size = sz;
                s->off = off;
                s->filesz = (!zf && off && mg_rd_has(r, off, sz)) ? sz : 0;
                s->flags = sg->flags & ~MG_SEC_DATA;
                if (s->filesz)
                    s->flags |= MG_SEC_DATA;
                if (flags & 0x80000400u) /* S_ATTR_PURE_INSTRUCTIONS | SOME_INSTRUCTIONS */
                    s->flags |= MG_SEC_EXEC;
            }
        } else if (cmd == LC_SYMTAB && mg_rec_at(&cmds, lc, SYMTAB_SIZE, &st_)) {
            uint32_t symoff = mg_rec_u32(&st_, SYMTAB_SYMOFF), nsyms = mg_rec_u32(&st_, SYMTAB_NSYMS);
            uint32_t stroff = mg_rec_u32(&st_, SYMTAB_STROFF), strsize = mg_rec_u32(&st_, SYMTAB_STRSIZE);
            uint64_t es = L->nlist_size;
            if (nsyms && mg_rd_has(r, symoff, (uint64_t)nsyms * es) &&
                mg_rd_has(r, stroff, strsize))
                img->symtab = (mg_symtab){MG_SYMTAB_MACHO, symoff, nsyms, es, stroff, strsize};
        }
        lc += cmdsize;
    }
    return MG_OK;
}
