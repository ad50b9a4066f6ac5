/* image.c - container-neutral queries on an mg_img: section lookup,
 * address mapping, symbol lookup and relocated pointer reads. */
#include "exe/image.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

void mg_img_free(mg_img *img)
{
    free(img->sects);
    free(img->maps);
    free(img->relocs);
    img->relocs = NULL;
    img->nrelocs = 0;
    img->sects = img->maps = NULL;
    img->nsects = img->nmaps = 0;
}

mg_status mg_img_alloc_sections(mg_img *img, uint64_t nsects, uint64_t nmaps, mg_error *err)
{
    if (nsects > MG_MAX_SECTIONS || nmaps > MG_MAX_SECTIONS)
        return mg_fail(err, MG_ERR_MALFORMED, "too many sections");
    img->sects = mg_calloc(nsects ? nsects : 1, sizeof *img->sects);
    img->maps = mg_calloc(nmaps ? nmaps : 1, sizeof *img->maps);
    if (!img->sects || !img->maps) {
        mg_img_free(img);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    return MG_OK;
}

void mg_copy_name(char *dst, size_t dstsz, const uint8_t *src, size_t srcmax)
{
    size_t i = 0;
    for (; i + 1 < dstsz && i < srcmax && src[i]; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
    dst[i] = 0;
}

const mg_section *mg_img_section(const mg_img *img, const char *name)
{
    for (size_t i = 0; i < img->nsects; i++)
        if (strcmp(img->sects[i].name, name) == 0)
            return &img->sects[i];
    return NULL;
}

bool mg_img_addr_to_off(const mg_img *img, uint64_t addr, uint64_t len, uint64_t *off)
{
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (!(s->flags & MG_SEC_DATA) || addr < s->addr)
            continue;
        uint64_t delta = addr - s->addr;
        if (delta > s->filesz || len > s->filesz - delta)
            continue;
        uint64_t o;
        if (!mg_add_ok(s->off, delta, &o) || !mg_rd_has(&img->r, o, len))
            continue;
        *off = o;
        return true;
    }
    return false;
}

bool mg_img_off_to_addr(const mg_img *img, uint64_t off, uint64_t *addr)
{
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (!(s->flags & MG_SEC_DATA) || off < s->off || off - s->off >= s->filesz)
            continue;
        if (!mg_add_ok(s->addr, off - s->off, addr))
            continue;
        return true;
    }
    return false;
}

/* name of symbol i, or NULL */
static const char *symbol_name(const mg_img *img, uint64_t i, uint64_t *value, size_t *len)
{
    const mg_symtab *st = &img->symtab;
    const mg_reader *r = &img->r;
    uint64_t e = st->off + i * st->entsize; /* bounded by parse-time checks */
    uint32_t strx = 0;
    const char *s = NULL;
    switch (st->kind) {
    case MG_SYMTAB_ELF:
        if (!mg_rd_u32(r, e, &strx))
            return NULL;
        if (img->bits == 64) {
            if (!mg_rd_u64(r, e + 8, value))
                return NULL;
        } else if (!mg_rd_word(r, e + 4, 4, value))
            return NULL;
        break;
    case MG_SYMTAB_MACHO:
        if (!mg_rd_u32(r, e, &strx) || !mg_rd_word(r, e + 8, img->bits / 8, value))
            return NULL;
        break;
    case MG_SYMTAB_COFF: {
        const uint8_t *p;
        uint32_t v;
        uint16_t secno;
        if (!mg_rd_bytes(r, e, 18, &p))
            return NULL;
        mg_reader le = *r;
        le.big_endian = false;
        if (!mg_rd_u32(&le, e + 8, &v) || !mg_rd_u16(&le, e + 12, &secno))
            return NULL;
        uint64_t base = img->image_base;
        if (secno >= 1 && secno <= img->nmaps)
            base += img->maps[secno - 1].addr - img->image_base;
        *value = base + v;
        if (p[0] | p[1] | p[2] | p[3]) {
            /* short name, up to 8 bytes, not necessarily NUL-terminated */
            *len = strnlen((const char *)p, 8);
            return (const char *)p;
        }
        strx = mg_ld32(p + 4, false);
        break;
    }
    default:
        return NULL;
    }
    if (strx >= st->strsize)
        return NULL;
    if (!mg_rd_cstr(r, st->stroff + strx, st->strsize - strx, &s, len))
        return NULL;
    return s;
}

bool mg_img_symbol(const mg_img *img, const char *name, uint64_t *value)
{
    size_t want = strlen(name);
    if (img->symtab.kind == MG_SYMTAB_NONE || img->symtab.kind == MG_SYMTAB_XCOFF)
        return false;
    for (uint64_t i = 0; i < img->symtab.count; i++) {
        uint64_t v = 0;
        size_t len = 0;
        const char *s = symbol_name(img, i, &v, &len);
        if (!s)
            continue;
        if (img->symtab.kind == MG_SYMTAB_MACHO && len > 0 && s[0] == '_') {
            s++;
            len--;
        }
        if (len == want && memcmp(s, name, want) == 0) {
            *value = v;
            return true;
        }
    }
    return false;
}

bool mg_img_read_ptr_at(const mg_img *img, uint64_t addr, uint64_t *value)
{
    uint64_t off;
    if (!mg_img_addr_to_off(img, addr, img->r.ptrsize, &off) || !mg_rd_ptr(&img->r, off, value))
        return false;
    if (*value != 0 || img->rel_count == 0 || !img->rel_has_addend)
        return true;
    /* PIE: the loader writes base + addend here (relocs.c's index) */
    uint64_t add;
    if (mg_img_reloc_addend(img, addr, &add))
        *value = add;
    return true;
}
