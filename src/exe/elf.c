/* elf.c - ELF32/ELF64, both byte orders, into an mg_img.
 *
 * Address mapping comes from PT_LOAD program headers (what the loader
 * uses), so renamed or zeroed section headers do not hide the data; the
 * section headers, when present and sane, only give names, the symbol table
 * and the dynamic relocation table.
 */
#include "image.h"

#include "../util/error.h"

#include <string.h>

#define SHT_SYMTAB 2
#define SHT_RELA 4
#define SHT_NOBITS 8
#define SHT_REL 9
#define SHF_WRITE 0x1
#define SHF_EXECINSTR 0x4
#define PT_LOAD 1
#define PF_X 0x1
#define PF_W 0x2

static const char *elf_arch(uint16_t m, bool is64, bool be)
{
    switch (m) {
    case 3: return "386";
    case 62: return "amd64";
    case 40: return "arm";
    case 183: return "arm64";
    case 8: return is64 ? (be ? "mips64" : "mips64le") : (be ? "mips" : "mipsle");
    case 20: return "ppc";
    case 21: return be ? "ppc64" : "ppc64le";
    case 22: return "s390x";
    case 243: return "riscv64";
    case 258: return "loong64";
    case 2: case 43: return "sparc64";
    }
    return "";
}

static void elf_sections(mg_img *img, uint64_t shoff, uint16_t shentsize, uint64_t shnum,
                         uint16_t shstrndx)
{
    const mg_reader *r = &img->r;
    bool is64 = img->bits == 64;
    uint64_t need;
    if (shoff == 0 || shnum == 0 || shentsize < (is64 ? 64 : 40) ||
        !mg_mul_ok(shnum, shentsize, &need) || !mg_rd_has(r, shoff, need))
        return;
    /* the section-name string table */
    uint64_t stroff = 0, strsz = 0;
    if (shstrndx < shnum) {
        uint64_t e = shoff + (uint64_t)shstrndx * shentsize;
        if (is64) {
            mg_rd_u64(r, e + 24, &stroff);
            mg_rd_u64(r, e + 32, &strsz);
        } else {
            uint32_t a = 0, b = 0;
            mg_rd_u32(r, e + 16, &a);
            mg_rd_u32(r, e + 20, &b);
            stroff = a;
            strsz = b;
        }
        if (!mg_rd_has(r, stroff, strsz))
            strsz = 0;
    }
    for (uint64_t i = 0; i < shnum && img->nsects < MG_MAX_SECTIONS; i++) {
        uint64_t e = shoff + i * shentsize;
        uint32_t name, type, link;
        uint64_t flags, addr, off, size, entsize;
        if (is64) {
            mg_rd_u32(r, e, &name);
            mg_rd_u32(r, e + 4, &type);
            mg_rd_u64(r, e + 8, &flags);
            mg_rd_u64(r, e + 16, &addr);
            mg_rd_u64(r, e + 24, &off);
            mg_rd_u64(r, e + 32, &size);
            mg_rd_u32(r, e + 40, &link);
            mg_rd_u64(r, e + 56, &entsize);
        } else {
            uint32_t f, a, o, s, es;
            mg_rd_u32(r, e, &name);
            mg_rd_u32(r, e + 4, &type);
            mg_rd_u32(r, e + 8, &f);
            mg_rd_u32(r, e + 12, &a);
            mg_rd_u32(r, e + 16, &o);
            mg_rd_u32(r, e + 20, &s);
            mg_rd_u32(r, e + 24, &link);
            mg_rd_u32(r, e + 36, &es);
            flags = f, addr = a, off = o, size = s, entsize = es;
        }
        mg_section *s = &img->sects[img->nsects++];
        s->addr = addr;
        s->size = size;
        s->off = off;
        s->filesz = (type == SHT_NOBITS || !mg_rd_has(r, off, size)) ? 0 : size;
        s->flags = (flags & SHF_WRITE ? MG_SEC_WRITE : 0) |
                   (flags & SHF_EXECINSTR ? MG_SEC_EXEC : 0) | (s->filesz ? MG_SEC_DATA : 0);
        if (name < strsz)
            mg_copy_name(s->name, sizeof s->name, r->data + stroff + name, strsz - name);
        if (type == SHT_SYMTAB && img->symtab.kind == MG_SYMTAB_NONE && s->filesz &&
            entsize >= (is64 ? 24u : 16u) && link < shnum) {
            uint64_t le = shoff + (uint64_t)link * shentsize, so = 0, ss = 0;
            if (is64) {
                mg_rd_u64(r, le + 24, &so);
                mg_rd_u64(r, le + 32, &ss);
            } else {
                uint32_t a = 0, b = 0;
                mg_rd_u32(r, le + 16, &a);
                mg_rd_u32(r, le + 20, &b);
                so = a, ss = b;
            }
            if (mg_rd_has(r, so, ss)) {
                img->symtab = (mg_symtab){MG_SYMTAB_ELF, off, size / entsize, entsize, so, ss};
            }
        }
        if ((type == SHT_RELA || type == SHT_REL) && img->rel_count == 0 && s->filesz &&
            entsize >= (uint64_t)(is64 ? 16 : 8) && !(flags & 0x40 /* SHF_INFO_LINK */)) {
            img->rel_off = off;
            img->rel_count = size / entsize;
            img->rel_entsize = entsize;
            img->rel_has_addend = type == SHT_RELA;
        }
    }
}

mg_status mg_elf_parse(const uint8_t *data, uint64_t size, mg_img *img, mg_error *err)
{
    memset(img, 0, sizeof *img);
    if (size < 52 || memcmp(data, "\x7f" "ELF", 4) != 0)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: header truncated");
    uint8_t cls = data[4], enc = data[5];
    if ((cls != 1 && cls != 2) || (enc != 1 && enc != 2))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: bad class or data encoding");
    bool is64 = cls == 2, be = enc == 2;
    img->r = mg_reader_make(data, size, be, is64 ? 8 : 4);
    img->kind = MG_CONT_ELF;
    img->kind_name = "ELF";
    img->bits = is64 ? 64 : 32;
    const mg_reader *r = &img->r;

    uint16_t machine = 0, phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
    uint64_t phoff = 0, shoff = 0;
    mg_rd_u16(r, 18, &machine);
    if (is64) {
        if (size < 64)
            return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: header truncated");
        mg_rd_u64(r, 32, &phoff);
        mg_rd_u64(r, 40, &shoff);
        mg_rd_u16(r, 54, &phentsize);
        mg_rd_u16(r, 56, &phnum);
        mg_rd_u16(r, 58, &shentsize);
        mg_rd_u16(r, 60, &shnum);
        mg_rd_u16(r, 62, &shstrndx);
    } else {
        uint32_t a = 0, b = 0;
        mg_rd_u32(r, 28, &a);
        mg_rd_u32(r, 32, &b);
        phoff = a, shoff = b;
        mg_rd_u16(r, 42, &phentsize);
        mg_rd_u16(r, 44, &phnum);
        mg_rd_u16(r, 46, &shentsize);
        mg_rd_u16(r, 48, &shnum);
        mg_rd_u16(r, 50, &shstrndx);
    }
    img->arch = elf_arch(machine, is64, be);
    switch (data[7]) {
    case 9: img->os = "freebsd"; break;
    case 12: img->os = "openbsd"; break;
    case 6: img->os = "solaris"; break;
    default: img->os = "linux";
    }

    /* section headers beyond the file are ignored (tampered or stripped) */
    uint64_t need;
    if (shoff == 0 || !mg_mul_ok(shnum, shentsize, &need) || !mg_rd_has(r, shoff, need))
        shnum = 0;
    bool ph_ok = phoff != 0 && phentsize >= (is64 ? 56 : 32) &&
                 mg_mul_ok(phnum, phentsize, &need) && mg_rd_has(r, phoff, need);
    if (!ph_ok)
        phnum = 0;
    mg_status st = mg_img_alloc_sections(img, shnum, (uint64_t)phnum + shnum, err);
    if (st != MG_OK)
        return st;
    elf_sections(img, shoff, shentsize, shnum, shstrndx);

    for (uint64_t i = 0; i < phnum; i++) {
        uint64_t e = phoff + i * phentsize;
        uint32_t type = 0, flags = 0;
        uint64_t off = 0, vaddr = 0, filesz = 0, memsz = 0;
        mg_rd_u32(r, e, &type);
        if (is64) {
            mg_rd_u32(r, e + 4, &flags);
            mg_rd_u64(r, e + 8, &off);
            mg_rd_u64(r, e + 16, &vaddr);
            mg_rd_u64(r, e + 32, &filesz);
            mg_rd_u64(r, e + 40, &memsz);
        } else {
            uint32_t o = 0, v = 0, fs = 0, ms = 0;
            mg_rd_u32(r, e + 4, &o);
            mg_rd_u32(r, e + 8, &v);
            mg_rd_u32(r, e + 16, &fs);
            mg_rd_u32(r, e + 20, &ms);
            mg_rd_u32(r, e + 24, &flags);
            off = o, vaddr = v, filesz = fs, memsz = ms;
        }
        if (type != PT_LOAD)
            continue;
        if (!mg_rd_has(r, off, filesz))
            filesz = off < size ? size - off : 0; /* truncated file: keep what is there */
        mg_section *m = &img->maps[img->nmaps++];
        memcpy(m->name, "LOAD", 5);
        m->addr = vaddr;
        m->size = memsz;
        m->off = off;
        m->filesz = filesz;
        m->flags = (flags & PF_X ? MG_SEC_EXEC : 0) | (flags & PF_W ? MG_SEC_WRITE : 0) |
                   (filesz ? MG_SEC_DATA : 0);
    }
    if (img->nmaps == 0) {
        /* no usable program headers: map through the allocated sections */
        for (size_t i = 0; i < img->nsects && img->nmaps < shnum; i++)
            if (img->sects[i].addr != 0)
                img->maps[img->nmaps++] = img->sects[i];
    }
    if (mg_img_section(img, ".note.netbsd.ident"))
        img->os = "netbsd";
    else if (mg_img_section(img, ".note.openbsd.ident"))
        img->os = "openbsd";
    return MG_OK;
}
