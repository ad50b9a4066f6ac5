/* upx_elf.c - a UPX-packed Linux ELF rebuilt byte for byte.
 *
 * Layout (UPX 3.9x-4.x, facts from its public source): the stub's ELF
 * header and program headers, then l_info (12 bytes), p_info (12) and the
 * first b_info.  The first block holds the original ELF header and program
 * headers; the PT_LOAD extents follow in program-header order starting
 * again at that first block; then the stub; then the gaps between the
 * PT_LOADs and the tail after the last one; then an end marker (sz_unc 0)
 * and a PackHeader.  Only what the stub needs is trusted (the program
 * headers that map it); p_info, l_info, the PackHeader and every "UPX!" are
 * read as evidence, and the gap blocks are found by the chain itself. */
#include "unpack/upx_blocks.h"
#include "unpack/upx_lazy.h"

#include "io/reader.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOADS 64 /* mg_upx_extents_disjoint takes up to 64 of each */
#define MAX_HDRS 0x10000u /* the first block: Ehdr + Phdrs */
#define GAP_SCAN (1u << 20) /* how far past the PT_LOADs the stub may reach */
#define UPX_MAGIC 0x21585055u /* "UPX!" read little-endian */

typedef mg_upx_ext ext;

typedef struct elf {
    mg_upx_ctx *c;
    bool is64, be;
    unsigned machine;
    uint64_t phoff, phnum;
    uint64_t b0;          /* the first b_info */
    ext loads[MAX_LOADS]; /* original PT_LOAD extents, program-header order */
    unsigned nloads;
    ext gaps[MAX_LOADS];  /* between PT_LOADs (from the original headers) */
    unsigned ngaps;
    uint64_t tail_at;     /* the tail goes here (end of the highest PT_LOAD) */
    uint64_t stub_end;    /* end of the stub's mapping: where the gaps should start */
    uint64_t sh_end;      /* end of the original section headers: the file is at least this long */
    bool c_base;          /* UPX 4 layout */
    bool too_big;         /* the stored segments exceed the cap */
} elf;

static bool packed_headers(elf *e)
{
    mg_reader r = mg_reader_make(e->c->data, e->c->size, false, 4);
    mg_rec h;
    if (!mg_rec_at(&r, 0, 52, &h) || memcmp(h.p, "\177ELF", 4) != 0)
        return false;
    unsigned cls = mg_rec_u8(&h, 4), data = mg_rec_u8(&h, 5);
    if ((cls != 1 && cls != 2) || (data != 1 && data != 2))
        return false;
    e->is64 = cls == 2;
    e->be = data == 2;
    r.big_endian = e->be;
    if (!mg_rec_at(&r, 0, e->is64 ? 64 : 52, &h))
        return false;
    e->machine = mg_rec_u16(&h, 18);
    e->phoff = e->is64 ? mg_rec_u64(&h, 32) : mg_rec_u32(&h, 28);
    unsigned phent = mg_rec_u16(&h, e->is64 ? 54 : 42);
    e->phnum = mg_rec_u16(&h, e->is64 ? 56 : 44);
    if (phent != (e->is64 ? 56u : 32u) || e->phnum == 0 || e->phnum > 16 ||
        !mg_rd_has(&r, e->phoff, e->phnum * phent))
        return false;
    /* the stub's mappings: the PT_LOAD that holds the entry maps the
     * compressed data and the stub from offset 0 */
    for (uint64_t i = 0; i < e->phnum; i++) {
        mg_rec p;
        if (!mg_rec_at(&r, e->phoff + i * phent, phent, &p))
            return false;
        if (mg_rec_u32(&p, 0) != 1)
            continue;
        uint32_t flags = mg_rec_u32(&p, e->is64 ? 4 : 24);
        uint64_t off = e->is64 ? mg_rec_u64(&p, 8) : mg_rec_u32(&p, 4);
        uint64_t filesz = e->is64 ? mg_rec_u64(&p, 32) : mg_rec_u32(&p, 16);
        if ((flags & 1) && off == 0 && filesz <= e->c->size)
            e->stub_end = (filesz + 3) & ~3ull;
        if (i == 0 && off == 0 && filesz == 0x1000 && !(flags & 1))
            e->c_base = true;
    }
    return true;
}

/* the first block decodes to an ELF header of the same class, order and
 * machine as the stub's: then this is UPX's chain */
static uint8_t *first_block(elf *e, mg_upx_chain *ch, uint64_t *len, bool *nomem)
{
    uint64_t phend = e->phoff + e->phnum * (e->is64 ? 56 : 32);
    for (uint64_t pos = phend + 24; pos <= phend + 24 + 64; pos += 4) {
        mg_upx_blk b;
        uint8_t *u = mg_upx_header_block(ch, pos, e->is64 ? 64u : 52u, MAX_HDRS, &b, nomem);
        if (*nomem)
            return NULL;
        if (u && memcmp(u, e->c->data, 6) == 0 && u[18] == e->c->data[18] && u[19] == e->c->data[19]) {
            e->b0 = pos;
            *len = b.unc;
            ch->method = b.method;
            return u;
        }
        free(u);
    }
    return NULL;
}

/* the original PT_LOADs and the gaps between them */
static bool original_layout(elf *e, const uint8_t *hdr, uint64_t len)
{
    mg_reader r = mg_reader_make(hdr, len, e->be, 4);
    mg_rec h;
    if (!mg_rec_at(&r, 0, e->is64 ? 64 : 52, &h))
        return false;
    uint64_t phoff = e->is64 ? mg_rec_u64(&h, 32) : mg_rec_u32(&h, 28);
    unsigned phent = mg_rec_u16(&h, e->is64 ? 54 : 42), phnum = mg_rec_u16(&h, e->is64 ? 56 : 44);
    if (phent != (e->is64 ? 56u : 32u) || !mg_rd_has(&r, phoff, (uint64_t)phnum * phent))
        return false;
    uint64_t shoff = e->is64 ? mg_rec_u64(&h, 40) : mg_rec_u32(&h, 32);
    uint64_t shsize = (uint64_t)mg_rec_u16(&h, e->is64 ? 58 : 46) * mg_rec_u16(&h, e->is64 ? 60 : 48);
    e->sh_end = shoff && shoff <= e->c->max_out ? shoff + shsize : 0;
    e->nloads = 0;
    for (unsigned i = 0; i < phnum; i++) {
        mg_rec p;
        if (!mg_rec_at(&r, phoff + (uint64_t)i * phent, phent, &p))
            return false;
        if (mg_rec_u32(&p, 0) != 1)
            continue;
        if (e->nloads == MAX_LOADS)
            return false;
        ext x = {e->is64 ? mg_rec_u64(&p, 8) : mg_rec_u32(&p, 4), e->is64 ? mg_rec_u64(&p, 32) : mg_rec_u32(&p, 16)};
        uint64_t end;
        if (!mg_add_ok(x.off, x.size, &end))
            return false;
        if (end > e->c->max_out) {
            e->too_big = true;
            return false;
        }
        e->loads[e->nloads++] = x;
    }
    if (!e->nloads)
        return false;
    e->ngaps = 0;
    e->tail_at = 0;
    uint64_t hi = 0;
    for (unsigned i = 0; i < e->nloads; i++) {
        uint64_t end = e->loads[i].off + e->loads[i].size;
        if (e->loads[i].off >= hi) {
            hi = e->loads[i].off;
            e->tail_at = end;
        }
        if (i + 1 < e->nloads && e->loads[i + 1].off > end)
            e->gaps[e->ngaps++] = (ext){end, e->loads[i + 1].off - end};
    }
    return true;
}

/* the gaps and the tail from pos, to the end marker; *tail its size */
static bool walk_gaps(elf *e, mg_upx_chain *ch, uint64_t pos, uint8_t *out, uint64_t *tail)
{
    for (unsigned i = 0; i < e->ngaps; i++)
        if (!mg_upx_walk(ch, &pos, e->gaps[i].size, out, e->gaps[i].off))
            return false;
    return mg_upx_walk_rest(ch, &pos, out, e->tail_at, tail);
}

/* the gap chain from pos holds, and reaches the original section headers */
static bool gaps_hold(elf *e, uint64_t pos, uint64_t *tail)
{
    mg_upx_chain probe = {.c = e->c, .be = e->be, .quiet = true};
    return walk_gaps(e, &probe, pos, NULL, tail) && e->tail_at + *tail >= e->sh_end;
}

/* where the gap blocks start: past the stub's mapping (UPX 4), else the
 * first place after the PT_LOAD blocks from which the chain holds */
static bool find_gaps(elf *e, uint64_t loads_end, uint64_t *at, uint64_t *tail)
{
    mg_upx_chain probe = {.c = e->c, .be = e->be, .quiet = true};
    if (e->stub_end >= loads_end && gaps_hold(e, e->stub_end, tail)) {
        *at = e->stub_end;
        return true;
    }
    uint64_t lim = e->c->size - loads_end > GAP_SCAN ? loads_end + GAP_SCAN : e->c->size;
    for (uint64_t p = (loads_end + 3) & ~3ull; p + 12 <= lim; p += 4) {
        mg_upx_blk b;
        if (!mg_upx_binfo(&probe, p, &b) || (b.unc && !mg_upx_blk_plausible(&b)))
            continue;
        if (gaps_hold(e, p, tail)) {
            *at = p;
            return true;
        }
        if (mg_budget_out(e->c->budget))
            return false;
    }
    return false;
}

static uint64_t rd(const uint8_t *p, bool be)
{
    return mg_ld32(p, be);
}

/* evidence: l_info, p_info, the end marker and the PackHeader; with lz
 * the sums are left to lz (checked when every block is decoded) */
static void evidence(elf *e, const mg_upx_chain *ch, uint64_t total, mg_upx_lazy *lz)
{
    mg_packer_info *in = e->c->info;
    const uint8_t *d = e->c->data;
    const uint8_t *li = d + e->b0 - 24, *pi = d + e->b0 - 12;
    in->version = li[10];
    /* "UPX!" (big-endian targets: in either byte order) */
    bool l_ok = memcmp(li + 4, "UPX!", 4) == 0 || (e->be && memcmp(li + 4, "!XPU", 4) == 0);
    bool end_ok = memcmp(d + ch->end_pos + 4, "UPX!", 4) == 0 || (e->be && memcmp(d + ch->end_pos + 4, "!XPU", 4) == 0);
    if (!l_ok || !end_ok)
        in->tamper |= MG_TAMPER_MAGIC;
    uint32_t fsize = (uint32_t)rd(pi + 4, e->be), bsize = (uint32_t)rd(pi + 8, e->be);
    if (fsize != total || bsize == 0)
        in->tamper |= MG_TAMPER_PINFO;
    if (in->version < 11 || in->version > 14)
        in->tamper |= MG_TAMPER_VERSION;
    snprintf(in->stub, sizeof in->stub, "%s", e->c_base ? "4.x stub" : "3.9x stub");
    uint64_t ph = e->c->size >= 36 ? e->c->size - 36 : 0;
    if (ph > ch->end_pos && mg_upx_packheader_at(d, e->c->size, ph)) {
        const uint8_t *h = d + ph;
        if (rd(h, false) != UPX_MAGIC)
            in->tamper |= MG_TAMPER_MAGIC;
        if (h[4] != in->version || h[4] < 11 || h[4] > 14)
            in->tamper |= MG_TAMPER_VERSION;
        /* big-endian formats (format byte >= 128) store u_len, c_len,
         * u_adler, c_adler, big-endian; the others u_adler, c_adler first */
        bool be_fmt = h[5] >= 128;
        uint32_t u_adler = (uint32_t)rd(h + (be_fmt ? 16 : 8), be_fmt);
        uint32_t c_adler = (uint32_t)rd(h + (be_fmt ? 20 : 12), be_fmt);
        if (lz) {
            lz->sums = true;
            lz->want_u = u_adler;
            lz->want_c = c_adler;
            return;
        }
        in->checksums_ok = u_adler == ch->u_adler && c_adler == ch->c_adler;
        in->checksum_failed = !in->checksums_ok;
    } else {
        in->tamper |= MG_TAMPER_HEADER;
    }
}

static mg_status rebuild(elf *e, uint64_t gaps_at, uint64_t tail, uint8_t **out, size_t *out_size)
{
    uint64_t total;
    uint8_t *buf = mg_upx_out_for(e->c, e->loads, e->nloads, e->gaps, e->ngaps, (ext){e->tail_at, tail}, &total);
    if (!buf)
        return e->c->err->code;
    bool lazy = e->c->lazy != NULL;
    mg_upx_chain ch = {.c = e->c, .be = e->be, .out_size = total, .c_adler = 1, .u_adler = 1, .record = lazy};
    uint8_t *dst = lazy ? NULL : buf;
    uint64_t pos = e->b0, t2;
    bool ok = true;
    for (unsigned i = 0; ok && i < e->nloads; i++)
        ok = mg_upx_walk(&ch, &pos, e->loads[i].size, dst, e->loads[i].off);
    ok = ok && walk_gaps(e, &ch, gaps_at, dst, &t2);
    if (!ok) {
        free(ch.rec);
        free(buf);
        return e->c->err->code ? e->c->err->code : MG_ERR_MALFORMED;
    }
    if (lazy) {
        mg_upx_lazy *lz = mg_upx_lazy_new(e->c->data, e->c->budget, buf, total, ch.rec, ch.nrec,
                                          mg_upx_method_name(ch.method));
        if (!lz) {
            free(buf);
            return mg_upx_fail(e->c, MG_ERR_NOMEM, "out of memory");
        }
        for (unsigned i = 0; i < ch.nrec; i++)
            if (ch.rec[i].cpr < ch.rec[i].unc && ch.rec[i].ftid)
                e->c->info->filter = ch.rec[i].ftid;
        evidence(e, &ch, total, lz);
        *e->c->lazy = lz;
        *out = buf;
        *out_size = total;
        return MG_OK;
    }
    e->c->info->filter = ch.filter;
    evidence(e, &ch, total, NULL);
    if (e->c->info->checksum_failed) {
        free(buf);
        return mg_upx_fail(e->c, MG_ERR_MALFORMED, "the unpacked data fails the packer's adler32 checksums");
    }
    *out = buf;
    *out_size = total;
    return MG_OK;
}

mg_status mg_upx_elf(mg_upx_ctx *c, uint8_t **out, size_t *out_size)
{
    elf e = {.c = c};
    if (!packed_headers(&e))
        return MG_ERR_UNSUPPORTED;
    mg_upx_chain ch = {.c = c, .be = e.be, .quiet = true};
    uint64_t hlen;
    bool nomem = false;
    uint8_t *hdr = first_block(&e, &ch, &hlen, &nomem);
    if (nomem)
        return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
    if (!hdr) {
        /* UPX's marks around a first block that does not decode: packed,
         * and damaged */
        const uint8_t *d = c->data;
        uint64_t li = e.phoff + e.phnum * (e.is64 ? 56 : 32);
        bool mark = (li + 24 <= c->size && memcmp(d + li + 4, "UPX!", 4) == 0) ||
                    (c->size >= 36 && mg_upx_packheader_at(d, c->size, c->size - 36));
        if (!mark)
            return MG_ERR_UNSUPPORTED;
        snprintf(c->info->name, sizeof c->info->name, "UPX");
        return mg_upx_fail(c, MG_ERR_MALFORMED, "the first block (the original ELF headers) does not decompress");
    }
    c->method = ch.method;
    snprintf(c->info->name, sizeof c->info->name, "UPX");
    snprintf(c->info->method, sizeof c->info->method, "%s", mg_upx_method_name(ch.method));
    bool layout = original_layout(&e, hdr, hlen);
    free(hdr);
    if (!layout && e.too_big)
        return mg_upx_fail(c, MG_ERR_MALFORMED,
                           "the original program would be over %u times this file's size (truncated?)",
                           MG_UPX_MAX_RATIO);
    if (!layout)
        return mg_upx_fail(c, MG_ERR_MALFORMED, "the stored program headers are not valid");
    ch = (mg_upx_chain){.c = c, .be = e.be};
    uint64_t pos = e.b0, gaps_at, tail;
    for (unsigned i = 0; i < e.nloads; i++)
        if (!mg_upx_walk(&ch, &pos, e.loads[i].size, NULL, 0))
            return c->err->code ? c->err->code : MG_ERR_MALFORMED;
    if (!find_gaps(&e, pos, &gaps_at, &tail)) {
        if (mg_budget_out(c->budget))
            return mg_upx_fail(c, MG_ERR_TOO_COSTLY, "the block chain costs too much");
        return mg_upx_fail(c, MG_ERR_MALFORMED, "the blocks after the stub do not form a chain (truncated?)");
    }
    return rebuild(&e, gaps_at, tail, out, out_size);
}
