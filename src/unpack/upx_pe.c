/* upx_pe.c - a UPX-packed PE32 / PE32+ rebuilt as a PE the project's
 * reader and objdump open, with the original sections at their RVAs and
 * the original entry point.
 *
 * Layout (facts from UPX's public source): the first section (UPX0) has
 * no file data and receives the image; the second holds a 32-byte
 * PackHeader followed by one compressed stream, and the entry point (the
 * stub).  The stream decodes to the image from the first section's RVA;
 * its last 4 bytes give the offset of the original PE header and section
 * table inside it.  The relocations are undone and their table rebuilt
 * (upx_pe_relocs.c), the imports rebuilt (upx_pe_imports.c); TLS,
 * resources and the rest are not: their directory entries are cleared
 * (docs/upx.md).  The stream is decoded whole (the headers are at its
 * end), LZMA without touching the image's zero pages, and the file is
 * laid out in the image's own buffer where the table allows it
 * (upx_pe_layout.c; docs/upx.md "Performance"). */
#include "unpack/upx_pe.h"

#include "io/reader.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPX_MAGIC 0x21585055u
#define F_W32PE 9   /* UPX's format ids */
#define F_W64PE 36

typedef struct pe {
    mg_upx_ctx *c;
    uint64_t pe;       /* offset of "PE\0\0" */
    bool plus;         /* PE32+ */
    unsigned machine;
    uint64_t s0_vaddr, s1_raw, s1_rawsize;
    uint64_t span;     /* the first two sections' virtual sizes: what the stub fills */
    bool renamed;
    unsigned flags;    /* the packed file's COFF characteristics */
    const uint8_t *area; /* the packed file's import area (UPX keeps the names there) */
    bool imports;        /* the import table was rebuilt */
    size_t area_len;
} pe;

static bool packed_layout(pe *p)
{
    mg_reader r = mg_reader_make(p->c->data, p->c->size, false, 4);
    uint32_t lfanew;
    mg_rec coff, opt, s0, s1;
    if (!mg_rec_at(&r, 0, 64, &coff) || coff.p[0] != 'M' || coff.p[1] != 'Z')
        return false;
    lfanew = mg_rec_u32(&coff, 0x3c);
    if (!mg_rec_at(&r, lfanew, 24, &coff) || memcmp(coff.p, "PE\0\0", 4) != 0)
        return false;
    p->pe = lfanew;
    p->machine = mg_rec_u16(&coff, 4);
    p->flags = mg_rec_u16(&coff, 22);
    unsigned nsec = mg_rec_u16(&coff, 6), optsize = mg_rec_u16(&coff, 20);
    if (nsec < 2 || !mg_rec_at(&r, lfanew + 24, optsize < 96 ? 96 : optsize, &opt))
        return false;
    unsigned magic = mg_rec_u16(&opt, 0);
    if (magic != 0x10b && magic != 0x20b)
        return false;
    p->plus = magic == 0x20b;
    uint32_t entry = mg_rec_u32(&opt, 16);
    uint64_t st = lfanew + 24 + optsize;
    if (!mg_rec_at(&r, st, 40, &s0) || !mg_rec_at(&r, st + 40, 40, &s1))
        return false;
    uint32_t s1_v = mg_rec_u32(&s1, 12), s1_vs = mg_rec_u32(&s1, 8);
    /* an empty first section, and the entry in the second */
    if (mg_rec_u32(&s0, 16) != 0 || mg_rec_u32(&s0, 8) == 0 || mg_rec_u32(&s1, 16) == 0 || entry < s1_v ||
        entry - s1_v >= s1_vs)
        return false;
    p->s0_vaddr = mg_rec_u32(&s0, 12);
    p->span = (uint64_t)mg_rec_u32(&s0, 8) + s1_vs;
    p->s1_raw = mg_rec_u32(&s1, 20);
    p->s1_rawsize = mg_rec_u32(&s1, 16);
    p->renamed = memcmp(s0.p, "UPX0\0", 5) != 0 || memcmp(s1.p, "UPX1\0", 5) != 0;
    /* the packed import directory, in the third section's file data */
    unsigned dirs = p->plus ? 112 : 96;
    mg_rec s2;
    if (nsec >= 3 && optsize >= dirs + 16 && mg_rec_at(&r, st + 80, 40, &s2)) {
        uint32_t irva = mg_rec_u32(&opt, dirs + 8), v2 = mg_rec_u32(&s2, 12), raw2 = mg_rec_u32(&s2, 20);
        uint32_t len2 = mg_rec_u32(&s2, 16);
        if (irva >= v2 && irva - v2 < len2 && mg_rd_has(&r, raw2, len2)) {
            p->area = p->c->data + raw2 + (irva - v2);
            p->area_len = len2 - (irva - v2);
        }
    }
    return true;
}

/* a PackHeader candidate at off: format and method right, sizes in range */
static bool header_fits(const pe *p, uint64_t off)
{
    const uint8_t *d = p->c->data;
    if (off > p->c->size || p->c->size - off < 32)
        return false;
    const uint8_t *h = d + off;
    uint32_t u_len = mg_ld32(h + 16, false), c_len = mg_ld32(h + 20, false);
    return h[5] == (p->plus ? F_W64PE : F_W32PE) && mg_upx_method_known(h[6]) && c_len > 0 &&
           c_len < u_len && c_len <= p->c->size - off - 32 && u_len <= p->c->max_out && u_len > 300;
}

/* decode the stream of the header at off to a new buffer (NULL: damaged,
 * or *st MG_ERR_NOMEM): *u_len bytes from c_len, or with exact false at
 * most *u_len, *u_len then the bytes decoded; *u_adler their adler32 */
static uint8_t *decode(pe *p, uint64_t off, uint32_t *u_len, uint64_t c_len, bool exact, uint32_t *u_adler,
                       mg_status *st)
{
    const uint8_t *h = p->c->data + off;
    *st = MG_OK;
    if (!mg_upx_charge(p->c, *u_len))
        return NULL;
    uint8_t *u = mg_upx_out_alloc(*u_len);
    size_t got = 0;
    *st = u ? mg_upx_decompress_image(h[6], h + 32, c_len, u, *u_len, exact, &got, u_adler) : MG_ERR_NOMEM;
    if (*st == MG_OK && got > 300) {
        *u_len = (uint32_t)got;
        return u;
    }
    free(u);
    return NULL;
}

/* a header whose sizes were zeroed or changed (the stub does not read
 * them): an NRV stream ends itself, bounded by what the stub fills */
static bool sizes_from_stream(const pe *p, uint64_t off, uint32_t *u_len, uint64_t *c_len)
{
    const uint8_t *h = p->c->data + off;
    if (off > p->c->size || p->c->size - off < 33 || h[5] != (p->plus ? F_W64PE : F_W32PE) ||
        !mg_upx_method_known(h[6]) || h[6] == MG_UPX_LZMA)
        return false;
    uint64_t cap = p->span < p->c->max_out ? p->span : p->c->max_out;
    if (cap < 301 || cap > UINT32_MAX)
        return false;
    *u_len = (uint32_t)cap;
    *c_len = p->c->size - off - 32;
    return true;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* the directories UPX keeps in its own form are not rebuilt: cleared */
static void finish_headers(const pe *p, uint8_t *buf, unsigned optsize, uint64_t total)
{
    uint8_t *opt = buf + p->pe + 24;
    unsigned dirs = p->plus ? 112 : 96;
    static const unsigned cleared[] = {1, 2, 6, 9, 10, 11, 12};
    for (unsigned i = 0; i < sizeof cleared / sizeof *cleared; i++)
        if (dirs + cleared[i] * 8 + 8 <= optsize && !((cleared[i] == 1 || cleared[i] == 12) && p->imports))
            memset(opt + dirs + cleared[i] * 8, 0, 8);
    if (optsize >= 68)
        put32(opt + 64, 0); /* CheckSum */
    uint8_t *coff = buf + p->pe + 4;
    if (mg_ld32(coff + 8, false) >= total) {
        put32(coff + 8, 0); /* a symbol table UPX left behind in the overlay */
        put32(coff + 12, 0);
    }
}

/* the sections' file layout from the stored table (checked): *total the
 * file's size, sec[i] where section i's bytes are in the image and go in
 * the file (n 0: none) */
static mg_status file_layout(pe *p, const uint8_t *img, uint32_t u_len, uint64_t secs, unsigned objs,
                             uint64_t hdr_end, uint32_t falign, mg_upx_pe_sec *sec, uint64_t *total)
{
    mg_reader r = mg_reader_make(img, u_len, false, 4);
    uint32_t rvamin = mg_ld32(img + secs + 12, false);
    *total = hdr_end;
    for (unsigned i = 0; i < objs; i++) {
        mg_rec s;
        if (!mg_rec_at(&r, secs + i * 40ull, 40, &s))
            return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the stored section table is cut");
        uint64_t raw = mg_rec_u32(&s, 20), v = mg_rec_u32(&s, 12);
        uint64_t size = ((uint64_t)mg_rec_u32(&s, 16) + falign - 1) & ~(uint64_t)(falign - 1);
        if (raw && raw + size > *total)
            *total = raw + size;
        if (raw && raw < hdr_end)
            return mg_upx_fail(p->c, MG_ERR_MALFORMED, "a stored section overlaps the headers");
        sec[i] = (mg_upx_pe_sec){.dst = raw, .src = v - rvamin};
        if (raw && v >= rvamin && v - rvamin < u_len)
            sec[i].n = u_len - (v - rvamin) < size ? u_len - (v - rvamin) : size;
    }
    if (*total > p->c->max_out)
        return mg_upx_fail(p->c, MG_ERR_TOO_COSTLY, "unpacked size %llu over the cap", (unsigned long long)*total);
    return MG_OK;
}

/* the file from the decoded image (img_size bytes allocated, u_len
 * decoded): DOS part, original headers, sections.  Laid out inside the
 * image's buffer when the stored headers lie past the file's end and the
 * table allows it (upx_pe_layout.c): *img then becomes *out, the pages
 * past the file given back; otherwise in a new buffer */
static mg_status write_pe(pe *p, uint8_t **imgp, uint64_t img_size, uint32_t u_len, uint64_t oh, unsigned objs,
                          uint8_t **out, size_t *out_size)
{
    uint8_t *img = *imgp;
    unsigned optsize = mg_ld32(img + oh + 20, false) & 0xffff;
    uint64_t hdr_end = p->pe + 24 + optsize + (uint64_t)objs * 40, total;
    uint32_t falign = mg_ld32(img + oh + 24 + 36, false);
    if (falign == 0 || falign > 0x10000 || (falign & (falign - 1)))
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the stored PE header is not valid (file alignment)");
    mg_upx_pe_sec sec[MG_UPX_PE_MAX_SECS];
    mg_status st = file_layout(p, img, u_len, oh + 24 + optsize, objs, hdr_end, falign, sec, &total);
    if (st != MG_OK)
        return st;
    bool inplace = total <= oh && mg_upx_pe_inplace(img, hdr_end, total, sec, objs);
    uint8_t *buf = inplace ? img : mg_upx_out_alloc(total);
    if (!buf)
        return mg_upx_fail(p->c, MG_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; !inplace && i < objs; i++)
        if (sec[i].n)
            memcpy(buf + sec[i].dst, img + sec[i].src, sec[i].n);
    memcpy(buf, p->c->data, p->pe); /* the DOS header and stub, as UPX keeps them */
    memcpy(buf + p->pe, img + oh, 24 + optsize + (uint64_t)objs * 40);
    finish_headers(p, buf, optsize, total);
    if (inplace) {
        *imgp = NULL;
        mg_upx_out_trim(buf, total, img_size); /* the image's tail back */
    }
    *out = buf;
    *out_size = total;
    return MG_OK;
}

/* UPX's extra data after the section table: 8 bytes for the imports when
 * the original had any, then the relocations' offset and a flags byte */
static mg_status relocs(pe *p, uint8_t *img, uint32_t u_len, uint32_t oh, unsigned optsize, unsigned objs,
                        uint32_t rvamin)
{
    uint8_t *opt = img + oh + 24, *dir = opt + (p->plus ? 112 : 96);
    uint64_t extra = oh + 24 + optsize + objs * 40ull;
    uint32_t imp_size = mg_ld32(dir + 12, false), rel_rva = mg_ld32(dir + 40, false);
    uint32_t rel_size = mg_ld32(dir + 44, false);
    unsigned flags = mg_ld32(img + oh + 20, false) >> 16;
    if (mg_ld32(dir + 8, false) && imp_size > 20) {
        if (extra + 8 > u_len)
            return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the import record lies outside the image");
        mg_upx_pe_imp im = {.plus = p->plus, .rvamin = rvamin, .list = mg_ld32(img + extra, false),
                            .names_rva = mg_ld32(img + extra + 4, false), .dir_rva = mg_ld32(dir + 8, false),
                            .area = p->area, .area_len = p->area_len};
        p->imports = p->area && mg_upx_pe_imports(img, u_len, &im);
        extra += 8;
    }
    if (!rel_rva || !rel_size || ((flags | p->flags) & 1)) {
        memset(dir + 40, 0, 8);
        return MG_OK;
    }
    if (rel_size == 8)
        return MG_OK;
    if (extra + 5 > u_len)
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the relocation record lies outside the image");
    mg_upx_pe_fix f = {.plus = p->plus, .rvamin = rvamin, .crelocs = mg_ld32(img + extra, false), .dir_rva = rel_rva};
    f.imagebase = p->plus ? mg_ld64(opt + 24, false) : mg_ld32(opt + 28, false);
    uint32_t tsize;
    mg_status st = mg_upx_pe_relocs(p->c, img, u_len, &f, &tsize);
    if (st != MG_OK)
        return st;
    put32(dir + 44, tsize);
    if (!tsize)
        put32(dir + 40, 0);
    return MG_OK;
}

/* the original header and section table at the end of the image */
static mg_status rebuild(pe *p, uint8_t **imgp, uint64_t img_size, uint32_t u_len, const uint8_t *h, uint8_t **out,
                         size_t *out_size)
{
    uint8_t *img = *imgp;
    uint32_t oh = mg_ld32(img + u_len - 4, false);
    if (oh > u_len - 4 || u_len - 4 - oh < 24 + 96 || memcmp(img + oh, "PE\0\0", 4) != 0)
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "no original PE header in the unpacked data");
    unsigned machine = mg_ld32(img + oh + 4, false) & 0xffff, objs = mg_ld32(img + oh + 4, false) >> 16;
    unsigned optsize = mg_ld32(img + oh + 20, false) & 0xffff, magic = mg_ld32(img + oh + 24, false) & 0xffff;
    if (machine != p->machine || magic != (p->plus ? 0x20bu : 0x10bu))
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the stored PE header is not the packed file's machine");
    /* the optional header must reach the IAT directory (entry 12) */
    if (objs == 0 || objs > 96 || optsize < (p->plus ? 112u : 96u) + 13 * 8 ||
        (uint64_t)oh + 24 + optsize + objs * 40ull > u_len)
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the stored section table is not valid");
    uint32_t rvamin = mg_ld32(img + oh + 24 + optsize + 12, false);
    if (rvamin != p->s0_vaddr)
        return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the stored sections do not start where the image does");
    unsigned filter = h[28];
    if (filter) {
        uint32_t base = mg_ld32(img + oh + 24 + 20, false), size = mg_ld32(img + oh + 24 + 4, false);
        if (!mg_upx_filter_known(filter))
            return mg_upx_fail(p->c, MG_ERR_UNSUPPORTED, "filter 0x%02x is not supported", filter);
        if (base < rvamin || base - rvamin > u_len || size > u_len - (base - rvamin))
            return mg_upx_fail(p->c, MG_ERR_MALFORMED, "the code section lies outside the image");
        mg_upx_unfilter(filter, h[29], img + (base - rvamin), size, base - rvamin);
        p->c->info->filter = filter;
    }
    mg_status st = relocs(p, img, u_len, oh, optsize, objs, rvamin);
    if (st != MG_OK)
        return st;
    return write_pe(p, imgp, img_size, u_len, oh, objs, out, out_size);
}

static void evidence(pe *p, const uint8_t *h, uint32_t c_adler, uint32_t u_adler, bool sum_ok)
{
    mg_packer_info *in = p->c->info;
    in->version = h[4];
    snprintf(in->stub, sizeof in->stub, "PE stub, header v%u", h[4]);
    if (mg_ld32(h, false) != UPX_MAGIC)
        in->tamper |= MG_TAMPER_MAGIC;
    if (h[4] < 11 || h[4] > 14)
        in->tamper |= MG_TAMPER_VERSION;
    if (!sum_ok)
        in->tamper |= MG_TAMPER_HEADER;
    if (p->renamed)
        in->tamper |= MG_TAMPER_SECTIONS;
    in->checksums_ok = sum_ok && mg_ld32(h + 8, false) == u_adler && mg_ld32(h + 12, false) == c_adler;
    in->checksum_failed = sum_ok && !in->checksums_ok;
}

mg_status mg_upx_pe(mg_upx_ctx *c, uint8_t **out, size_t *out_size)
{
    pe p = {.c = c};
    if (!packed_layout(&p))
        return MG_ERR_UNSUPPORTED;
    uint64_t lo = p.s1_raw > 64 ? p.s1_raw - 64 : 0;
    /* checksummed headers first, then the others, then sizes from the stream */
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t off = lo; off < p.s1_raw + 64; off++) {
            bool sum_ok = mg_upx_packheader_at(c->data, c->size, off);
            uint32_t u_len;
            uint64_t c_len;
            if (pass < 2 && (sum_ok != (pass == 0) || !header_fits(&p, off)))
                continue;
            if (pass < 2) {
                u_len = mg_ld32(c->data + off + 16, false);
                c_len = mg_ld32(c->data + off + 20, false);
            } else if (sum_ok || !sizes_from_stream(&p, off, &u_len, &c_len)) {
                continue;
            }
            const uint8_t *h = c->data + off;
            c->method = h[6];
            mg_status dst;
            uint32_t u_adler, img_size = u_len;
            uint8_t *img = decode(&p, off, &u_len, c_len, pass < 2, &u_adler, &dst);
            if (dst == MG_ERR_NOMEM)
                return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
            if (mg_budget_out(c->budget))
                return mg_upx_fail(c, MG_ERR_TOO_COSTLY, "too costly to unpack (work budget)");
            if (!img)
                continue;
            snprintf(c->info->name, sizeof c->info->name, "UPX");
            snprintf(c->info->method, sizeof c->info->method, "%s", mg_upx_method_name(h[6]));
            uint32_t c_adler = mg_upx_adler32(1, h + 32, c_len);
            evidence(&p, h, c_adler, u_adler, sum_ok);
            if (c->info->checksum_failed) {
                free(img);
                return mg_upx_fail(c, MG_ERR_MALFORMED, "the unpacked data fails the packer's adler32 checksums");
            }
            mg_status st = rebuild(&p, &img, img_size, u_len, h, out, out_size);
            free(img);
            return st;
        }
    /* UPX's layout and a checksummed PackHeader, but no stream decodes */
    for (uint64_t off = lo; off < p.s1_raw + 64; off++)
        if (mg_upx_packheader_at(c->data, c->size, off) && c->data[off + 5] == (p.plus ? F_W64PE : F_W32PE)) {
            c->method = c->data[off + 6];
            snprintf(c->info->name, sizeof c->info->name, "UPX");
            snprintf(c->info->method, sizeof c->info->method, "%s", mg_upx_method_name(c->method));
            return mg_upx_fail(c, MG_ERR_MALFORMED, "the compressed data is cut short or does not decompress");
        }
    return MG_ERR_UNSUPPORTED;
}
