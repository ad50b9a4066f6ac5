/* pewrite.c - the PE header edits jit-unpack needs: one more section at the
 * end of the image (header slot, alignment, NumberOfSections, SizeOfImage,
 * SizeOfCode), growing the headers when the section table is full (the
 * sections' file data moves, file offsets that point at it follow),
 * dropping a signature the edits invalidate, and the CheckSum. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define SECURITY_DIR 4u
#define DEBUG_DIR 6u

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return a ? (v + a - 1) / a * a : v;
}

mg_status mg_pe_check_complete(const mg_img *img, mg_error *err)
{
    for (size_t i = 0; i < img->nsects; i++) {
        uint32_t rawsz, rawptr;
        uint64_t e = img->pe_sect_off + (uint64_t)i * 40;
        if (!mg_rd_u32(&img->r, e + 16, &rawsz) || !mg_rd_u32(&img->r, e + 20, &rawptr))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: section table truncated");
        if (rawsz && rawptr && !mg_rd_has(&img->r, rawptr, rawsz))
            return mg_fail(err, MG_ERR_MALFORMED,
                           "malformed PE: section %s runs past the end of the file (truncated?)",
                           img->sects[i].name);
    }
    return MG_OK;
}

/* the free slot for one more section header: its file offset and the end
 * of the space it may use (the headers' end or the first section's data) */
static bool slot_info(const mg_img *img, uint64_t *slot, uint64_t *limit, uint64_t *first_raw,
                      uint64_t *first_va)
{
    uint32_t hdrsize;
    uint16_t nsect;
    if (!mg_rd_u32(&img->r, img->pe_opt_off + 60, &hdrsize) ||
        !mg_rd_u16(&img->r, img->pe_opt_off - 18, &nsect))
        return false;
    *slot = img->pe_sect_off + (uint64_t)nsect * 40;
    *limit = hdrsize;
    *first_raw = UINT64_MAX;
    *first_va = UINT64_MAX;
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (s->off && s->filesz && s->off < *first_raw)
            *first_raw = s->off;
        if (s->addr - img->image_base < *first_va)
            *first_va = s->addr - img->image_base;
    }
    if (*first_raw < *limit)
        *limit = *first_raw;
    return true;
}

bool mg_pe_has_slot(const mg_img *img)
{
    uint64_t slot, limit, first_raw, first_va;
    const uint8_t *p;
    if (!slot_info(img, &slot, &limit, &first_raw, &first_va) || slot + 40 > limit ||
        !mg_rd_bytes(&img->r, slot, 40, &p))
        return false;
    for (unsigned i = 0; i < 40; i++)
        if (p[i])
            return false;
    return true;
}

/* add delta to the 32-bit file offset at out[at] when it points at or past limit */
static void move_ref(uint8_t *out, uint64_t at, uint64_t limit, uint32_t delta)
{
    uint32_t v = mg_ld32(out + at, false);
    if (v && v >= limit)
        mg_put32(out + at, v + delta);
}

mg_status mg_pe_grow_headers(const mg_img *img, uint8_t **out, size_t *out_size, uint32_t *grown,
                             mg_error *err)
{
    const mg_reader *r = &img->r;
    uint64_t slot, limit, first_raw, first_va, opt = img->pe_opt_off;
    uint32_t falign, salign;
    uint16_t nsect;
    if (!slot_info(img, &slot, &limit, &first_raw, &first_va) || !mg_rd_u32(r, opt + 36, &falign) ||
        !mg_rd_u32(r, opt + 32, &salign) || !mg_rd_u16(r, opt - 18, &nsect) || !falign ||
        (falign & (falign - 1)) || falign > (1u << 16) || first_raw == UINT64_MAX ||
        first_raw > r->size)
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: bad headers");
    uint64_t hdr_end = align_up(slot + 40, falign);
    if (hdr_end > first_va || slot + 40 > r->size || slot > first_raw)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "no room in the PE header for a new section");
    for (uint64_t i = slot; i < first_raw && i < slot + 40; i++)
        if (r->data[i])
            return mg_fail(err, MG_ERR_UNSUPPORTED, "no room in the PE header for a new section");
    uint64_t delta = hdr_end > first_raw ? align_up(hdr_end - first_raw, falign) : 0;
    uint64_t size = r->size + delta;
    if (size > UINT32_MAX)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "image too large for a new section");
    uint8_t *o = mg_calloc(1, (size_t)size);
    if (!o)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    memcpy(o, r->data, (size_t)first_raw);
    memcpy(o + first_raw + delta, r->data + first_raw, (size_t)(r->size - first_raw));
    mg_put32(o + opt + 60, (uint32_t)hdr_end); /* SizeOfHeaders */
    for (uint16_t i = 0; i < nsect; i++)
        move_ref(o, img->pe_sect_off + (uint64_t)i * 40 + 20, first_raw, (uint32_t)delta);
    move_ref(o, opt - 12, first_raw, (uint32_t)delta); /* PointerToSymbolTable */
    uint64_t dirs = opt + (img->bits == 64 ? 112 : 96);
    if (img->pe_ndirs > SECURITY_DIR)
        move_ref(o, dirs + 8 * SECURITY_DIR, first_raw, (uint32_t)delta);
    uint64_t dbg;
    if (img->pe_ndirs > DEBUG_DIR && img->pe_dir_size[DEBUG_DIR] &&
        mg_img_addr_to_off(img, img->image_base + img->pe_dir_rva[DEBUG_DIR],
                           img->pe_dir_size[DEBUG_DIR], &dbg))
        for (uint64_t e = 0; e + 28 <= img->pe_dir_size[DEBUG_DIR]; e += 28)
            move_ref(o, (dbg >= first_raw ? dbg + delta : dbg) + e + 24, first_raw,
                     (uint32_t)delta);
    *out = o;
    *out_size = (size_t)size;
    *grown = (uint32_t)delta;
    return MG_OK;
}

mg_status mg_pe_plan_section(const mg_img *img, uint32_t need, mg_pe_newsect *ns, mg_error *err)
{
    const mg_reader *r = &img->r;
    uint32_t salign, falign, hdrsize;
    uint16_t nsect;
    uint64_t opt = img->pe_opt_off;
    if (!mg_rd_u32(r, opt + 32, &salign) || !mg_rd_u32(r, opt + 36, &falign) ||
        !mg_rd_u32(r, opt + 60, &hdrsize) || !mg_rd_u16(r, opt - 18, &nsect))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: optional header truncated");
    if (!salign || !falign || (salign & (salign - 1)) || (falign & (falign - 1)) ||
        falign > salign || salign > (1u << 24))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed PE: bad section or file alignment");
    /* a free, zeroed slot for one more section header before the first section's data */
    uint64_t slot = img->pe_sect_off + (uint64_t)nsect * 40, limit = hdrsize, vend = 0, rawend = 0;
    for (size_t i = 0; i < img->nmaps; i++) {
        const mg_section *s = &img->maps[i];
        if (s->off && s->filesz && s->off < limit)
            limit = s->off;
        uint64_t e = s->addr - img->image_base + align_up(s->size, salign);
        if (e > vend)
            vend = e;
        if (s->off + s->filesz > rawend)
            rawend = s->off + s->filesz;
    }
    const uint8_t *p;
    if (slot + 40 > limit || !mg_rd_bytes(r, slot, 40, &p))
        return mg_fail(err, MG_ERR_UNSUPPORTED, "no room in the PE header for a new section");
    for (unsigned i = 0; i < 40; i++)
        if (p[i])
            return mg_fail(err, MG_ERR_UNSUPPORTED, "no room in the PE header for a new section");
    uint64_t rva = align_up(vend, salign);
    uint64_t raw_off = align_up(r->size > rawend ? r->size : rawend, falign);
    uint64_t raw_size = align_up(need, falign);
    if (rva + align_up(need, salign) > UINT32_MAX || raw_off + raw_size > UINT32_MAX)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "image too large for a new section");
    ns->rva = (uint32_t)rva;
    ns->vsize = need;
    ns->raw_off = raw_off;
    ns->raw_size = (uint32_t)raw_size;
    ns->file_size = raw_off + raw_size;
    return MG_OK;
}

bool mg_pe_add_section(uint8_t *out, const mg_img *img, const mg_pe_newsect *ns, const char name[8],
                       uint32_t characteristics)
{
    const mg_reader *r = &img->r; /* the input: the headers were validated on it */
    uint64_t opt = img->pe_opt_off;
    uint16_t nsect;
    uint32_t salign, codesz;
    if (!mg_rd_u16(r, opt - 18, &nsect) || !mg_rd_u32(r, opt + 32, &salign) || !mg_rd_u32(r, opt + 4, &codesz))
        return false;
    uint8_t *h = out + img->pe_sect_off + (uint64_t)nsect * 40;
    memset(h, 0, 40);
    memcpy(h, name, 8);
    mg_put32(h + 8, ns->vsize);
    mg_put32(h + 12, ns->rva);
    mg_put32(h + 16, ns->raw_size);
    mg_put32(h + 20, (uint32_t)ns->raw_off);
    mg_put32(h + 36, characteristics);
    nsect++;
    out[opt - 18] = (uint8_t)nsect;
    out[opt - 17] = (uint8_t)(nsect >> 8);
    /* SizeOfImage */
    mg_put32(out + opt + 56, (uint32_t)align_up((uint64_t)ns->rva + ns->vsize, salign));
    if (characteristics & 0x20u)
        mg_put32(out + opt + 4, codesz + ns->raw_size); /* SizeOfCode */
    return true;
}

bool mg_pe_drop_signature(uint8_t *out, const mg_img *img)
{
    if (img->pe_ndirs <= SECURITY_DIR || !img->pe_dir_size[SECURITY_DIR])
        return false;
    uint64_t d = img->pe_opt_off + (img->bits == 64 ? 112 : 96) + 8 * SECURITY_DIR;
    memset(out + d, 0, 8);
    return true;
}

void mg_pe_update_checksum(uint8_t *out, size_t size, const mg_img *img)
{
    uint64_t at = img->pe_opt_off + 64;
    uint32_t old = (uint32_t)out[at] | (uint32_t)out[at + 1] << 8 | (uint32_t)out[at + 2] << 16 |
                   (uint32_t)out[at + 3] << 24;
    if (!old)
        return;
    memset(out + at, 0, 4); /* the field counts as zero */
    uint64_t sum = 0;
    for (size_t i = 0; i < size; i += 2) {
        sum += out[i] | (i + 1 < size ? (uint32_t)out[i + 1] << 8 : 0);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    mg_put32(out + at, (uint32_t)(sum + size));
}
