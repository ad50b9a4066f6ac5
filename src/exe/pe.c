/* pe.c - PE32 / PE32+ into an mg_img, with the COFF symbol table when the
 * file has one.  A garbage symbol-table pointer is ignored, not fatal. */
#include "image.h"

#include "../util/error.h"

#include <string.h>

#define SCN_CNT_CODE 0x20u
#define SCN_CNT_INIT_DATA 0x40u
#define SCN_MEM_EXECUTE 0x20000000u
#define SCN_MEM_WRITE 0x80000000u

static const char *pe_arch(uint16_t m)
{
    switch (m) {
    case 0x14c: return "386";
    case 0x8664: return "amd64";
    case 0x1c0: case 0x1c4: return "arm";
    case 0xaa64: return "arm64";
    }
    return "";
}

mg_status mg_pe_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err)
{
    memset(img, 0, sizeof *img);
    img->r = mg_reader_make(data, size, false, 4);
    img->kind = MG_CONT_PE;
    img->kind_name = "PE";
    img->os = "windows";
    const mg_reader *r = &img->r;
    uint32_t lfanew, sig;
    if (!mg_rd_u32(r, 0x3c, &lfanew) || !mg_rd_u32(r, lfanew, &sig) || sig != 0x00004550)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: no PE signature");
    uint64_t coff = (uint64_t)lfanew + 4;
    uint16_t machine, nsect, optsz, magic;
    uint32_t symptr, nsyms;
    if (!mg_rd_u16(r, coff, &machine) || !mg_rd_u16(r, coff + 2, &nsect) ||
        !mg_rd_u32(r, coff + 8, &symptr) || !mg_rd_u32(r, coff + 12, &nsyms) ||
        !mg_rd_u16(r, coff + 16, &optsz))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: COFF header truncated");
    uint64_t opt = coff + 20;
    if (!mg_rd_u16(r, opt, &magic))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    if (magic == 0x20b) {
        img->bits = 64;
        if (!mg_rd_u64(r, opt + 24, &img->image_base))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    } else if (magic == 0x10b) {
        uint32_t b;
        img->bits = 32;
        if (!mg_rd_u32(r, opt + 28, &b))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
        img->image_base = b;
    } else {
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: unknown optional header magic");
    }
    img->r.ptrsize = img->bits / 8;
    img->arch = pe_arch(machine);

    /* data directories (count capped; entries past the optional header ignored) */
    uint64_t ddoff = opt + (img->bits == 64 ? 112 : 96);
    uint32_t ndirs = 0;
    img->pe_opt_off = opt;
    img->pe_sect_off = opt + optsz;
    if (mg_rd_u32(r, ddoff - 4, &ndirs)) {
        for (uint32_t d = 0; d < ndirs && d < MG_PE_MAX_DIRS && ddoff + 8 * (d + 1) <= opt + optsz;
             d++) {
            if (!mg_rd_u32(r, ddoff + 8 * d, &img->pe_dir_rva[d]) ||
                !mg_rd_u32(r, ddoff + 8 * d + 4, &img->pe_dir_size[d]))
                break;
            img->pe_ndirs = d + 1;
        }
    }

    /* COFF symbol table and string table (optional; ignored when bogus) */
    uint64_t symsz = (uint64_t)nsyms * 18, strtab = 0;
    uint32_t strsz = 0;
    if (symptr && nsyms && mg_rd_has(r, symptr, symsz) &&
        mg_rd_u32(r, (uint64_t)symptr + symsz, &strsz) && strsz >= 4 &&
        mg_rd_has(r, (uint64_t)symptr + symsz, strsz)) {
        strtab = (uint64_t)symptr + symsz;
        img->symtab = (mg_symtab){MG_SYMTAB_COFF, symptr, nsyms, 18, strtab, strsz};
    }

    uint64_t sh = opt + optsz;
    uint64_t need = (uint64_t)nsect * 40;
    if (!mg_rd_has(r, sh, need))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: section table truncated");
    mg_status st = mg_img_alloc_sections(img, nsect, nsect, err);
    if (st != MG_OK)
        return st;
    for (uint64_t i = 0; i < nsect; i++) {
        uint64_t e = sh + i * 40;
        uint32_t vsize, va, rawsz, rawptr, ch;
        mg_rd_u32(r, e + 8, &vsize);
        mg_rd_u32(r, e + 12, &va);
        mg_rd_u32(r, e + 16, &rawsz);
        mg_rd_u32(r, e + 20, &rawptr);
        mg_rd_u32(r, e + 36, &ch);
        mg_section *s = &img->sects[img->nsects++];
        const uint8_t *nm = r->data + e;
        if (nm[0] == '/' && strtab) {
            /* long name: "/<decimal offset>" into the COFF string table */
            uint64_t o = 0;
            for (int k = 1; k < 8 && nm[k] >= '0' && nm[k] <= '9'; k++)
                o = o * 10 + (uint64_t)(nm[k] - '0');
            if (o < strsz)
                mg_copy_name(s->name, sizeof s->name, r->data + strtab + o, strsz - o);
        } else {
            mg_copy_name(s->name, sizeof s->name, nm, 8);
        }
        uint64_t fsz = rawsz;
        if (vsize && vsize < fsz)
            fsz = vsize;
        if (!mg_rd_has(r, rawptr, fsz))
            fsz = rawptr < size ? size - rawptr : 0;
        s->addr = img->image_base + va;
        s->size = vsize ? vsize : rawsz;
        s->off = rawptr;
        s->filesz = rawptr ? fsz : 0;
        s->flags = (ch & (SCN_MEM_EXECUTE | SCN_CNT_CODE) ? MG_SEC_EXEC : 0) |
                   (ch & SCN_MEM_WRITE ? MG_SEC_WRITE : 0) | (s->filesz ? MG_SEC_DATA : 0);
        img->maps[img->nmaps++] = *s;
    }
    return MG_OK;
}
