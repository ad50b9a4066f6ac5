/* pe.c - PE32 / PE32+ into an mg_img, with the COFF symbol table when the
 * file has one.  A garbage symbol-table pointer is ignored, not fatal. */
#include "exe/image.h"

#include "util/error.h"

#include <string.h>

#define SCN_CNT_CODE 0x20u
#define SCN_CNT_INIT_DATA 0x40u
#define SCN_MEM_EXECUTE 0x20000000u
#define SCN_MEM_WRITE 0x80000000u

/* Field offsets (Microsoft PE/COFF specification) */
enum {
    DOS_E_LFANEW = 0x3c,
    /* COFF file header, after the "PE\0\0" signature */
    COFF_MACHINE = 0, COFF_NSECTIONS = 2, COFF_SYMPTR = 8, COFF_NSYMS = 12, COFF_OPTSIZE = 16, COFF_SIZE = 20,
    COFF_READ = 18, /* the fields read end here (Characteristics follows) */
    /* optional header */
    OPT_MAGIC = 0, OPT32_IMAGE_BASE = 28, OPT64_IMAGE_BASE = 24,
    OPT32_NDIRS = 92, OPT64_NDIRS = 108, /* NumberOfRvaAndSizes; the directories follow */
    DIR_RVA = 0, DIR_SIZE = 4, DIR_ENTRY = 8,
    /* section header */
    SH_NAME = 0, SH_VSIZE = 8, SH_VA = 12, SH_RAWSIZE = 16, SH_RAWPTR = 20, SH_CHARACTERISTICS = 36, SH_SIZE = 40,
    COFF_SYMBOL_SIZE = 18,
};

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
    if (!mg_rd_u32(r, DOS_E_LFANEW, &lfanew) || !mg_rd_u32(r, lfanew, &sig) || sig != 0x00004550)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: no PE signature");
    uint64_t coff = (uint64_t)lfanew + 4;
    mg_rec coffh;
    if (!mg_rec_at(r, coff, COFF_READ, &coffh))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: COFF header truncated");
    uint16_t machine = mg_rec_u16(&coffh, COFF_MACHINE), nsect = mg_rec_u16(&coffh, COFF_NSECTIONS);
    uint32_t symptr = mg_rec_u32(&coffh, COFF_SYMPTR), nsyms = mg_rec_u32(&coffh, COFF_NSYMS);
    uint16_t optsz = mg_rec_u16(&coffh, COFF_OPTSIZE), magic;
    uint64_t opt = coff + COFF_SIZE;
    if (!mg_rd_u16(r, opt + OPT_MAGIC, &magic))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    if (magic == 0x20b) {
        img->bits = 64;
        if (!mg_rd_u64(r, opt + OPT64_IMAGE_BASE, &img->image_base))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    } else if (magic == 0x10b) {
        uint32_t b;
        img->bits = 32;
        if (!mg_rd_u32(r, opt + OPT32_IMAGE_BASE, &b))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
        img->image_base = b;
    } else {
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: unknown optional header magic");
    }
    img->r.ptrsize = img->bits / 8;
    img->arch = pe_arch(machine);

    /* data directories (count capped; entries past the optional header ignored) */
    uint64_t ndirs_at = opt + (img->bits == 64 ? OPT64_NDIRS : OPT32_NDIRS), ddoff = ndirs_at + 4;
    uint32_t ndirs = 0;
    img->pe_opt_off = opt;
    img->pe_sect_off = opt + optsz;
    if (mg_rd_u32(r, ndirs_at, &ndirs)) {
        for (uint32_t d = 0; d < ndirs && d < MG_PE_MAX_DIRS && ddoff + DIR_ENTRY * (d + 1) <= opt + optsz; d++) {
            mg_rec de;
            if (!mg_rec_at(r, ddoff + DIR_ENTRY * d, DIR_ENTRY, &de))
                break;
            img->pe_dir_rva[d] = mg_rec_u32(&de, DIR_RVA);
            img->pe_dir_size[d] = mg_rec_u32(&de, DIR_SIZE);
            img->pe_ndirs = d + 1;
        }
    }

    /* COFF symbol table and string table (optional; ignored when bogus) */
    uint64_t symsz = (uint64_t)nsyms * COFF_SYMBOL_SIZE, strtab = 0;
    uint32_t strsz = 0;
    if (symptr && nsyms && mg_rd_has(r, symptr, symsz) &&
        mg_rd_u32(r, (uint64_t)symptr + symsz, &strsz) && strsz >= 4 &&
        mg_rd_has(r, (uint64_t)symptr + symsz, strsz)) {
        strtab = (uint64_t)symptr + symsz;
        img->symtab = (mg_symtab){MG_SYMTAB_COFF, symptr, nsyms, COFF_SYMBOL_SIZE, strtab, strsz};
    }

    uint64_t sh = opt + optsz;
    uint64_t need = (uint64_t)nsect * SH_SIZE;
    if (!mg_rd_has(r, sh, need))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: section table truncated");
    mg_status st = mg_img_alloc_sections(img, nsect, nsect, err);
    if (st != MG_OK)
        return st;
    for (uint64_t i = 0; i < nsect; i++) {
        mg_rec sr;
        if (!mg_rec_at(r, sh + i * SH_SIZE, SH_SIZE, &sr))
            break; /* cannot happen: the table was checked above */
        uint32_t vsize = mg_rec_u32(&sr, SH_VSIZE), va = mg_rec_u32(&sr, SH_VA);
        uint32_t rawsz = mg_rec_u32(&sr, SH_RAWSIZE), rawptr = mg_rec_u32(&sr, SH_RAWPTR);
        uint32_t ch = mg_rec_u32(&sr, SH_CHARACTERISTICS);
        mg_section *s = &img->sects[img->nsects++];
        const uint8_t *nm = sr.p + SH_NAME;
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
