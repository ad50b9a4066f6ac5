/* macho.c - thin Mach-O (32/64-bit, either byte order) into an mg_img.
 * Segments give the address mapping; sections are named "__SEG,__sect". */
#include "image.h"

#include "../util/error.h"

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
static bool count_segments(const mg_reader *r, uint64_t lc, uint32_t ncmds, bool is64,
                           uint64_t *nseg, uint64_t *nsect)
{
    *nseg = *nsect = 0;
    for (uint32_t i = 0; i < ncmds; i++) {
        uint32_t cmd, cmdsize, ns;
        if (!mg_rd_u32(r, lc, &cmd) || !mg_rd_u32(r, lc + 4, &cmdsize) || cmdsize < 8)
            return false;
        if (cmd == (is64 ? LC_SEGMENT_64 : LC_SEGMENT) &&
            mg_rd_u32(r, lc + (is64 ? 64 : 48), &ns)) {
            (*nseg)++;
            *nsect += ns;
        }
        lc += cmdsize;
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
    uint32_t cpu, ncmds, sizeofcmds;
    mg_rd_u32(r, 4, &cpu);
    mg_rd_u32(r, 16, &ncmds);
    mg_rd_u32(r, 20, &sizeofcmds);
    img->arch = macho_arch(cpu);
    uint64_t lc0 = is64 ? 32 : 28;
    if (ncmds > MAX_LOAD_COMMANDS || !mg_rd_has(r, lc0, sizeofcmds))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: load commands truncated");
    mg_reader cmds;
    mg_rd_sub(r, 0, lc0 + sizeofcmds, &cmds); /* load commands must stay inside */
    uint64_t nseg, nsect;
    if (!count_segments(&cmds, lc0, ncmds, is64, &nseg, &nsect))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: bad load command");
    if (nsect > MG_MAX_SECTIONS || nseg > MG_MAX_SECTIONS)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed Mach-O: too many sections");
    mg_status st = mg_img_alloc_sections(img, nsect, nseg, err);
    if (st != MG_OK)
        return st;

    uint64_t lc = lc0;
    unsigned w = is64 ? 8 : 4;
    for (uint32_t i = 0; i < ncmds; i++) {
        uint32_t cmd, cmdsize;
        mg_rd_u32(&cmds, lc, &cmd);
        mg_rd_u32(&cmds, lc + 4, &cmdsize);
        if (cmd == (is64 ? LC_SEGMENT_64 : LC_SEGMENT) && img->nmaps < nseg) {
            uint64_t vmaddr = 0, vmsize = 0, fileoff = 0, filesize = 0, p = lc + 24;
            uint32_t initprot = 0, ns = 0;
            mg_rd_word(&cmds, p, w, &vmaddr);
            mg_rd_word(&cmds, p + w, w, &vmsize);
            mg_rd_word(&cmds, p + 2 * w, w, &fileoff);
            mg_rd_word(&cmds, p + 3 * w, w, &filesize);
            mg_rd_u32(&cmds, p + 4 * w + 4, &initprot);
            mg_rd_u32(&cmds, p + 4 * w + 8, &ns);
            mg_section *sg = &img->maps[img->nmaps++];
            mg_copy_name(sg->name, 17, cmds.data + lc + 8, 16);
            if (!mg_rd_has(r, fileoff, filesize))
                filesize = fileoff < size ? size - fileoff : 0;
            sg->addr = vmaddr;
            sg->size = vmsize;
            sg->off = fileoff;
            sg->filesz = filesize;
            sg->flags = (initprot & VM_PROT_EXECUTE ? MG_SEC_EXEC : 0) |
                        (initprot & VM_PROT_WRITE ? MG_SEC_WRITE : 0) |
                        (filesize ? MG_SEC_DATA : 0);
            uint64_t sectsz = is64 ? 80 : 68, s0 = lc + (is64 ? 72 : 56);
            for (uint32_t k = 0; k < ns && img->nsects < nsect; k++) {
                uint64_t e = s0 + k * sectsz;
                uint64_t addr = 0, sz = 0;
                uint32_t off = 0, flags = 0;
                if (!mg_rd_has(&cmds, e, sectsz) || e + sectsz > lc + cmdsize)
                    break;
                mg_rd_word(&cmds, e + 32, w, &addr);
                mg_rd_word(&cmds, e + 32 + w, w, &sz);
                mg_rd_u32(&cmds, e + 32 + 2 * w, &off);
                mg_rd_u32(&cmds, e + 32 + 2 * w + 4 * 4, &flags);
                mg_section *s = &img->sects[img->nsects++];
                char sect[17], seg[17];
                mg_copy_name(sect, sizeof sect, cmds.data + e, 16);
                mg_copy_name(seg, sizeof seg, cmds.data + e + 16, 16);
                snprintf(s->name, sizeof s->name, "%s,%s", seg, sect);
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
        } else if (cmd == LC_SYMTAB) {
            uint32_t symoff, nsyms, stroff, strsize;
            mg_rd_u32(&cmds, lc + 8, &symoff);
            mg_rd_u32(&cmds, lc + 12, &nsyms);
            mg_rd_u32(&cmds, lc + 16, &stroff);
            mg_rd_u32(&cmds, lc + 20, &strsize);
            uint64_t es = is64 ? 16 : 12;
            if (nsyms && mg_rd_has(r, symoff, (uint64_t)nsyms * es) &&
                mg_rd_has(r, stroff, strsize))
                img->symtab = (mg_symtab){MG_SYMTAB_MACHO, symoff, nsyms, es, stroff, strsize};
        }
        lc += cmdsize;
    }
    return MG_OK;
}
