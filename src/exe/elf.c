/* elf.c - ELF32/ELF64, both byte orders, into an mg_img.
 *
 * Address mapping comes from PT_LOAD program headers (what the loader
 * uses), so renamed or zeroed section headers do not hide the data; the
 * section headers, when present and sane, only give names, the symbol table
 * and the dynamic relocation table.
 */
#include "exe/image.h"

#include "util/error.h"

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

/* Field offsets of the ELF records (System V gABI), per class: Elf32_* and
 * Elf64_* differ only in where the fields sit and how wide the words are. */
typedef struct elf_layout {
    unsigned word;                  /* 4 or 8: Elf_Addr, Elf_Off, Elf_Xword */
    /* Elf_Ehdr */
    unsigned ehdr_size, e_machine, e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
    /* Elf_Shdr */
    unsigned shdr_size, sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_entsize;
    /* Elf_Phdr */
    unsigned phdr_size, p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz;
    /* Elf_Sym (only its size), Elf_Rel (the smallest relocation entry) */
    unsigned sym_size, rel_size;
} elf_layout;

static const elf_layout ELF32 = {
    .word = 4,
    .ehdr_size = 52, .e_machine = 18, .e_phoff = 28, .e_shoff = 32, .e_phentsize = 42, .e_phnum = 44,
    .e_shentsize = 46, .e_shnum = 48, .e_shstrndx = 50,
    .shdr_size = 40, .sh_name = 0, .sh_type = 4, .sh_flags = 8, .sh_addr = 12, .sh_offset = 16, .sh_size = 20,
    .sh_link = 24, .sh_entsize = 36,
    .phdr_size = 32, .p_type = 0, .p_offset = 4, .p_vaddr = 8, .p_filesz = 16, .p_memsz = 20, .p_flags = 24,
    .sym_size = 16, .rel_size = 8,
};
static const elf_layout ELF64 = {
    .word = 8,
    .ehdr_size = 64, .e_machine = 18, .e_phoff = 32, .e_shoff = 40, .e_phentsize = 54, .e_phnum = 56,
    .e_shentsize = 58, .e_shnum = 60, .e_shstrndx = 62,
    .shdr_size = 64, .sh_name = 0, .sh_type = 4, .sh_flags = 8, .sh_addr = 16, .sh_offset = 24, .sh_size = 32,
    .sh_link = 40, .sh_entsize = 56,
    .phdr_size = 56, .p_type = 0, .p_flags = 4, .p_offset = 8, .p_vaddr = 16, .p_filesz = 32, .p_memsz = 40,
    .sym_size = 24, .rel_size = 16,
};

/* one section header, read once */
typedef struct elf_shdr {
    uint32_t name, type, link;
    uint64_t flags, addr, off, size, entsize;
} elf_shdr;

static bool read_shdr(const mg_reader *r, const elf_layout *L, uint64_t at, elf_shdr *h)
{
    mg_rec c;
    if (!mg_rec_at(r, at, L->shdr_size, &c))
        return false;
    *h = (elf_shdr){
        .name = mg_rec_u32(&c, L->sh_name),
        .type = mg_rec_u32(&c, L->sh_type),
        .link = mg_rec_u32(&c, L->sh_link),
        .flags = mg_rec_word(&c, L->sh_flags, L->word),
        .addr = mg_rec_word(&c, L->sh_addr, L->word),
        .off = mg_rec_word(&c, L->sh_offset, L->word),
        .size = mg_rec_word(&c, L->sh_size, L->word),
        .entsize = mg_rec_word(&c, L->sh_entsize, L->word),
    };
    return true;
}

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

/* the sections (names, symbol table, relocations); the caller checked that
 * the shnum headers of shentsize bytes lie in the file */
static void elf_sections(mg_img *img, const elf_layout *L, uint64_t shoff, uint16_t shentsize, uint64_t shnum,
                         uint16_t shstrndx)
{
    const mg_reader *r = &img->r;
    uint64_t need;
    if (shoff == 0 || shnum == 0 || shentsize < L->shdr_size || !mg_mul_ok(shnum, shentsize, &need) ||
        !mg_rd_has(r, shoff, need))
        return;
    /* the section-name string table */
    uint64_t stroff = 0, strsz = 0;
    elf_shdr h;
    if (shstrndx < shnum && read_shdr(r, L, shoff + (uint64_t)shstrndx * shentsize, &h)) {
        stroff = h.off;
        strsz = h.size;
        if (!mg_rd_has(r, stroff, strsz))
            strsz = 0;
    }
    for (uint64_t i = 0; i < shnum && img->nsects < MG_MAX_SECTIONS; i++) {
        if (!read_shdr(r, L, shoff + i * shentsize, &h))
            break; /* cannot happen: the table was checked above */
        mg_section *s = &img->sects[img->nsects++];
        s->addr = h.addr;
        s->size = h.size;
        s->off = h.off;
        s->filesz = (h.type == SHT_NOBITS || !mg_rd_in(r, h.off, h.size)) ? 0 : h.size;
        s->flags = (h.flags & SHF_WRITE ? MG_SEC_WRITE : 0) | (h.flags & SHF_EXECINSTR ? MG_SEC_EXEC : 0) |
                   (s->filesz ? MG_SEC_DATA : 0);
        if (h.name < strsz)
            mg_copy_name(s->name, sizeof s->name, r->data + stroff + h.name, strsz - h.name);
        elf_shdr str;
        if (h.type == SHT_SYMTAB && img->symtab.kind == MG_SYMTAB_NONE && s->filesz && h.entsize >= L->sym_size &&
            h.link < shnum && read_shdr(r, L, shoff + (uint64_t)h.link * shentsize, &str) &&
            mg_rd_in(r, str.off, str.size))
            img->symtab = (mg_symtab){MG_SYMTAB_ELF, h.off, h.size / h.entsize, h.entsize, str.off, str.size};
        if ((h.type == SHT_RELA || h.type == SHT_REL) && img->rel_count == 0 && s->filesz &&
            h.entsize >= L->rel_size && !(h.flags & 0x40 /* SHF_INFO_LINK */)) {
            img->rel_off = h.off;
            img->rel_count = h.size / h.entsize;
            img->rel_entsize = h.entsize;
            img->rel_has_addend = h.type == SHT_RELA;
        }
    }
}

mg_status mg_elf_parse(const uint8_t *data, uint64_t size, mg_lazy *lazy, mg_img *img, mg_error *err)
{
    memset(img, 0, sizeof *img);
    if (lazy && !lazy->need(lazy, 0, size < 64 ? size : 64))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: header unreadable");
    if (size < 52 || memcmp(data, "\x7f" "ELF", 4) != 0)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: header truncated");
    uint8_t cls = data[4], enc = data[5];
    if ((cls != 1 && cls != 2) || (enc != 1 && enc != 2))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: bad class or data encoding");
    bool is64 = cls == 2, be = enc == 2;
    const elf_layout *L = is64 ? &ELF64 : &ELF32;
    img->r = mg_reader_make(data, size, be, is64 ? 8 : 4);
    img->r.lazy = lazy;
    img->kind = MG_CONT_ELF;
    img->kind_name = "ELF";
    img->bits = is64 ? 64 : 32;
    const mg_reader *r = &img->r;

    mg_rec eh;
    if (!mg_rec_at(r, 0, L->ehdr_size, &eh))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed ELF: header truncated");
    uint16_t machine = mg_rec_u16(&eh, L->e_machine);
    uint64_t phoff = mg_rec_word(&eh, L->e_phoff, L->word), shoff = mg_rec_word(&eh, L->e_shoff, L->word);
    uint16_t phentsize = mg_rec_u16(&eh, L->e_phentsize), phnum = mg_rec_u16(&eh, L->e_phnum);
    uint16_t shentsize = mg_rec_u16(&eh, L->e_shentsize), shnum = mg_rec_u16(&eh, L->e_shnum);
    uint16_t shstrndx = mg_rec_u16(&eh, L->e_shstrndx);
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
    bool ph_ok = phoff != 0 && phentsize >= L->phdr_size && mg_mul_ok(phnum, phentsize, &need) &&
                 mg_rd_has(r, phoff, need);
    if (!ph_ok)
        phnum = 0;
    mg_status st = mg_img_alloc_sections(img, shnum, (uint64_t)phnum + shnum, err);
    if (st != MG_OK)
        return st;
    elf_sections(img, L, shoff, shentsize, shnum, shstrndx);

    for (uint64_t i = 0; i < phnum; i++) {
        mg_rec ph;
        if (!mg_rec_at(r, phoff + i * phentsize, L->phdr_size, &ph))
            break; /* cannot happen: the table was checked above */
        if (mg_rec_u32(&ph, L->p_type) != PT_LOAD)
            continue;
        uint32_t flags = mg_rec_u32(&ph, L->p_flags);
        uint64_t off = mg_rec_word(&ph, L->p_offset, L->word), vaddr = mg_rec_word(&ph, L->p_vaddr, L->word);
        uint64_t filesz = mg_rec_word(&ph, L->p_filesz, L->word), memsz = mg_rec_word(&ph, L->p_memsz, L->word);
        if (!mg_rd_in(r, off, filesz))
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
