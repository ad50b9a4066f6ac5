/* upx_macho.c - a UPX-packed Mach-O (UPX 3.9x: macho/amd64, macho/arm64,
 * macho/i386, macho/arm, macho/ppc) rebuilt byte for byte.
 *
 * Layout (measured on UPX 3.96 files, docs/upx.md): the stub's Mach-O
 * header and load commands; one segment's section holds l_info (12 bytes),
 * p_info (12) and the first b_info.  The first block decodes to the
 * original Mach-O header and load commands; the original segments with
 * file data follow in load-command order (the first, at file offset 0,
 * starting again at that first block, as on ELF); then the gaps between
 * segments, the tail after the last one, and an end marker (sz_unc 0).
 * Recognised by structure: the first block must decode to a Mach-O header
 * with the stub's magic and CPU type.  Section names, l_info, p_info and
 * every "UPX!" are read only as evidence. */
#include "unpack/upx_blocks.h"

#include "io/reader.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 64 /* mg_upx_extents_disjoint takes up to 64 of each */
#define MAX_CMDS 512
#define MAX_SECTS 64 /* section offsets tried for the first block */
#define MAX_HDRS 0x10000u
#define PH_SCAN 0x10000u /* how far past the end marker the PackHeader may be (in the stub) */

typedef mg_upx_ext ext;

typedef struct macho {
    mg_upx_ctx *c;
    bool is64, be;
    uint64_t b0; /* the first b_info */
    ext loads[MAX_SEGS];
    unsigned nloads;
    ext gaps[MAX_SEGS];
    unsigned ngaps;
    uint64_t tail_at;
    bool too_big;
    uint64_t sect[MAX_SECTS]; /* the packed file's section offsets */
    unsigned nsect;
} macho;

/* magic and byte order of a Mach-O header at p (len bytes); false if none */
static bool macho_magic(const uint8_t *p, size_t len, bool *is64, bool *be)
{
    if (len < 28)
        return false;
    uint32_t le = mg_ld32(p, false), bem = mg_ld32(p, true);
    if (le == 0xfeedfaceu || le == 0xfeedfacfu) {
        *be = false;
        *is64 = le == 0xfeedfacfu;
    } else if (bem == 0xfeedfaceu || bem == 0xfeedfacfu) {
        *be = true;
        *is64 = bem == 0xfeedfacfu;
    } else {
        return false;
    }
    return len >= (*is64 ? 32u : 28u);
}

/* visit each LC_SEGMENT(_64) of the header in hdr[0..len): fileoff,
 * filesize and the file offsets of its sections; false when malformed */
typedef bool (*seg_fn)(macho *m, uint64_t fileoff, uint64_t filesize, const mg_rec *cmd, unsigned nsects);

static bool each_segment(macho *m, const uint8_t *hdr, uint64_t len, seg_fn fn)
{
    mg_reader r = mg_reader_make(hdr, len, m->be, 4);
    mg_rec h;
    unsigned hsz = m->is64 ? 32 : 28;
    if (!mg_rec_at(&r, 0, hsz, &h))
        return false;
    uint32_t ncmds = mg_rec_u32(&h, 16), sizeofcmds = mg_rec_u32(&h, 20);
    if (ncmds == 0 || ncmds > MAX_CMDS || !mg_rd_has(&r, hsz, sizeofcmds))
        return false;
    uint64_t off = hsz, end = hsz + (uint64_t)sizeofcmds;
    for (uint32_t i = 0; i < ncmds; i++) {
        mg_rec lc;
        if (off + 8 > end || !mg_rec_at(&r, off, 8, &lc))
            return false;
        uint32_t cmd = mg_rec_u32(&lc, 0), size = mg_rec_u32(&lc, 4);
        if (size < 8 || size % 4 || size > end - off || !mg_rec_at(&r, off, size, &lc))
            return false;
        unsigned base = m->is64 ? 72 : 56, per = m->is64 ? 80 : 68;
        if (cmd == (m->is64 ? 0x19u : 0x1u)) {
            if (size < base)
                return false;
            uint64_t fo = m->is64 ? mg_rec_u64(&lc, 40) : mg_rec_u32(&lc, 32);
            uint64_t fs = m->is64 ? mg_rec_u64(&lc, 48) : mg_rec_u32(&lc, 36);
            uint32_t ns = mg_rec_u32(&lc, m->is64 ? 64 : 48);
            if (ns > (size - base) / per || !fn(m, fo, fs, &lc, ns))
                return false;
        }
        off += size;
    }
    return true;
}

/* the packed file: each section's offset is a candidate for l_info */
static bool collect(macho *m, uint64_t fo, uint64_t fs, const mg_rec *lc, unsigned ns)
{
    (void)fo;
    (void)fs;
    unsigned base = m->is64 ? 72 : 56, per = m->is64 ? 80 : 68, at = m->is64 ? 48 : 40;
    for (unsigned j = 0; j < ns && m->nsect < MAX_SECTS; j++)
        m->sect[m->nsect++] = mg_rec_u32(lc, base + j * per + at);
    return true;
}

/* the first block decodes to a Mach-O header with the stub's magic and
 * CPU type: then this is UPX's chain */
static uint8_t *first_block(macho *m, mg_upx_chain *ch, uint64_t *len, bool *nomem)
{
    for (unsigned s = 0; s < m->nsect; s++) {
        for (uint64_t pos = m->sect[s] + 24; pos <= m->sect[s] + 24 + 64; pos += 4) {
            mg_upx_blk b;
            uint8_t *u = mg_upx_header_block(ch, pos, m->is64 ? 32u : 28u, MAX_HDRS, &b, nomem);
            if (*nomem)
                return NULL;
            if (u && memcmp(u, m->c->data, 8) == 0) {
                m->b0 = pos;
                *len = b.unc;
                ch->method = b.method;
                return u;
            }
            free(u);
        }
    }
    return NULL;
}

/* an original segment with file data */
static bool add_load(macho *m, uint64_t fo, uint64_t fs, const mg_rec *lc, unsigned ns)
{
    (void)lc;
    (void)ns;
    if (fs == 0)
        return true;
    uint64_t end;
    if (m->nloads == MAX_SEGS || !mg_add_ok(fo, fs, &end))
        return false;
    if (end > m->c->max_out) {
        m->too_big = true;
        return false;
    }
    m->loads[m->nloads++] = (ext){fo, fs};
    return true;
}

/* the original segments (the first at offset 0, holding the headers),
 * the gaps between them and where the tail goes */
static bool original_layout(macho *m, const uint8_t *hdr, uint64_t len)
{
    m->nloads = 0;
    if (!each_segment(m, hdr, len, add_load) || !m->nloads || m->loads[0].off != 0 || m->loads[0].size < len)
        return false;
    uint64_t hi = 0;
    m->ngaps = 0;
    m->tail_at = 0;
    for (unsigned i = 0; i < m->nloads; i++) {
        uint64_t end = m->loads[i].off + m->loads[i].size;
        if (m->loads[i].off >= hi) {
            hi = m->loads[i].off;
            m->tail_at = end;
        }
        if (i + 1 < m->nloads && m->loads[i + 1].off > end)
            m->gaps[m->ngaps++] = (ext){end, m->loads[i + 1].off - end};
    }
    return true;
}

static bool walk_all(macho *m, mg_upx_chain *ch, uint8_t *out, uint64_t *tail)
{
    uint64_t pos = m->b0;
    for (unsigned i = 0; i < m->nloads; i++)
        if (!mg_upx_walk(ch, &pos, m->loads[i].size, out, m->loads[i].off))
            return false;
    for (unsigned i = 0; i < m->ngaps; i++)
        if (!mg_upx_walk(ch, &pos, m->gaps[i].size, out, m->gaps[i].off))
            return false;
    return mg_upx_walk_rest(ch, &pos, out, m->tail_at, tail);
}

/* the PackHeader: in the stub after the end marker, found by its checksum,
 * a known method and its u_file_size = the unpacked size; 0 if none */
static uint64_t packheader(const macho *m, const mg_upx_chain *ch, uint64_t total)
{
    const uint8_t *d = m->c->data;
    uint64_t lim = m->c->size - ch->end_pos > PH_SCAN ? ch->end_pos + PH_SCAN : m->c->size;
    for (uint64_t o = ch->end_pos + 12; o + 32 <= lim; o++)
        if (mg_upx_packheader_at(d, m->c->size, o) && mg_ld32(d + o + 24, d[o + 5] >= 128) == total)
            return o;
    return 0;
}

/* evidence: l_info's magic and version, p_info's sizes, the end marker,
 * the PackHeader's adler32 sums of the packed and the unpacked data */
static void evidence(macho *m, const mg_upx_chain *ch, uint64_t total)
{
    mg_packer_info *in = m->c->info;
    const uint8_t *d = m->c->data, *li = d + m->b0 - 24, *pi = d + m->b0 - 12;
    in->version = li[10];
    bool l_ok = memcmp(li + 4, "UPX!", 4) == 0 || (m->be && memcmp(li + 4, "!XPU", 4) == 0);
    bool end_ok = memcmp(d + ch->end_pos + 4, "UPX!", 4) == 0 || (m->be && memcmp(d + ch->end_pos + 4, "!XPU", 4) == 0);
    if (!l_ok || !end_ok)
        in->tamper |= MG_TAMPER_MAGIC;
    if (mg_ld32(pi + 4, m->be) != total || mg_ld32(pi + 8, m->be) == 0)
        in->tamper |= MG_TAMPER_PINFO;
    if (in->version < 11 || in->version > 14)
        in->tamper |= MG_TAMPER_VERSION;
    snprintf(in->stub, sizeof in->stub, "Mach-O 3.9x stub");
    in->filter = ch->filter;
    uint64_t ph = packheader(m, ch, total);
    if (!ph) {
        in->tamper |= MG_TAMPER_HEADER;
        return;
    }
    const uint8_t *h = d + ph;
    if (memcmp(h, "UPX!", 4) != 0)
        in->tamper |= MG_TAMPER_MAGIC;
    if (h[4] != in->version || h[4] < 11 || h[4] > 14)
        in->tamper |= MG_TAMPER_VERSION;
    bool be_fmt = h[5] >= 128;
    uint32_t u_adler = mg_ld32(h + (be_fmt ? 16 : 8), be_fmt), c_adler = mg_ld32(h + (be_fmt ? 20 : 12), be_fmt);
    in->checksums_ok = u_adler == ch->u_adler && c_adler == ch->c_adler;
    in->checksum_failed = !in->checksums_ok;
}

static mg_status rebuild(macho *m, uint8_t **out, size_t *out_size)
{
    mg_upx_chain probe = {.c = m->c, .be = m->be};
    uint64_t tail = 0;
    if (!walk_all(m, &probe, NULL, &tail))
        return m->c->err->code ? m->c->err->code : MG_ERR_MALFORMED;
    uint64_t total;
    uint8_t *buf = mg_upx_out_for(m->c, m->loads, m->nloads, m->gaps, m->ngaps, (ext){m->tail_at, tail}, &total);
    if (!buf)
        return m->c->err->code;
    mg_upx_chain ch = {.c = m->c, .be = m->be, .out_size = total, .c_adler = 1, .u_adler = 1};
    if (!walk_all(m, &ch, buf, &tail)) {
        free(buf);
        return m->c->err->code ? m->c->err->code : MG_ERR_MALFORMED;
    }
    evidence(m, &ch, total);
    if (m->c->info->checksum_failed) {
        free(buf);
        return mg_upx_fail(m->c, MG_ERR_MALFORMED, "the unpacked data fails the packer's adler32 checksums");
    }
    *out = buf;
    *out_size = total;
    return MG_OK;
}

mg_status mg_upx_macho(mg_upx_ctx *c, uint8_t **out, size_t *out_size)
{
    macho m = {.c = c};
    if (!macho_magic(c->data, c->size, &m.is64, &m.be) || !each_segment(&m, c->data, c->size, collect))
        return MG_ERR_UNSUPPORTED;
    mg_upx_chain ch = {.c = c, .be = m.be, .quiet = true};
    uint64_t hlen;
    bool nomem = false;
    uint8_t *hdr = first_block(&m, &ch, &hlen, &nomem);
    if (nomem)
        return mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
    if (!hdr) {
        /* UPX's mark where l_info would be, and no first block: packed, damaged */
        for (unsigned s = 0; s < m.nsect; s++)
            if (m.sect[s] + 8 <= c->size && memcmp(c->data + m.sect[s] + 4, "UPX!", 4) == 0) {
                snprintf(c->info->name, sizeof c->info->name, "UPX");
                return mg_upx_fail(c, MG_ERR_MALFORMED,
                                   "the first block (the original Mach-O headers) does not decompress");
            }
        return MG_ERR_UNSUPPORTED;
    }
    c->method = ch.method;
    snprintf(c->info->name, sizeof c->info->name, "UPX");
    snprintf(c->info->method, sizeof c->info->method, "%s", mg_upx_method_name(ch.method));
    bool layout = original_layout(&m, hdr, hlen);
    free(hdr);
    if (!layout && m.too_big)
        return mg_upx_fail(c, MG_ERR_MALFORMED,
                           "the original program would be over %u times this file's size (truncated?)",
                           MG_UPX_MAX_RATIO);
    if (!layout)
        return mg_upx_fail(c, MG_ERR_MALFORMED, "the stored Mach-O load commands are not valid");
    return rebuild(&m, out, out_size);
}
