/* upx_blocks.c - UPX's b_info block chain (ELF and Mach-O), and the steps
 * both rebuilds share (the first block's probe, the output checked and
 * allocated for the original extents).  Each block is a 12-byte
 * header (sz_unc, sz_cpr, method, filter id, filter cto, unused) and
 * sz_cpr bytes of data; stored when sz_cpr == sz_unc; the chain ends with
 * sz_unc 0.  A walk checks every header before it trusts it and, given an
 * output, decodes, unfilters and checksums each block in place. */
#include "unpack/upx_blocks.h"

#include "io/reader.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

bool mg_upx_binfo(const mg_upx_chain *ch, uint64_t pos, mg_upx_blk *b)
{
    mg_reader r = mg_reader_make(ch->c->data, ch->c->size, ch->be, 4);
    mg_rec h;
    if (!mg_rec_at(&r, pos, 12, &h))
        return false;
    *b = (mg_upx_blk){0};
    b->pos = pos;
    b->unc = mg_rec_u32(&h, 0);
    b->cpr = mg_rec_u32(&h, 4);
    b->method = mg_rec_u8(&h, 8);
    b->ftid = mg_rec_u8(&h, 9);
    b->cto = mg_rec_u8(&h, 10);
    b->extra = mg_rec_u8(&h, 11);
    return true;
}

bool mg_upx_blk_plausible(const mg_upx_blk *b)
{
    if (b->unc == 0 || b->cpr == 0 || b->cpr > b->unc || b->unc > MG_UPX_MAX_BLOCK)
        return false;
    if (b->cpr == b->unc)
        return true;
    return mg_upx_method_known(b->method) && mg_upx_filter_known(b->ftid);
}

bool mg_upx_extents_disjoint(const mg_upx_ext *loads, unsigned nloads, const mg_upx_ext *gaps, unsigned ngaps,
                             mg_upx_ext tail)
{
    mg_upx_ext all[2 * 64 + 1];
    if (nloads > 64 || ngaps > 64)
        return false;
    unsigned n = 0;
    for (unsigned i = 0; i < nloads; i++)
        all[n++] = loads[i];
    for (unsigned i = 0; i < ngaps; i++)
        all[n++] = gaps[i];
    all[n++] = tail;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (all[i].size && all[j].size && all[i].off < all[j].off + all[j].size &&
                all[j].off < all[i].off + all[i].size)
                return false;
    return true;
}

uint8_t *mg_upx_out_for(mg_upx_ctx *c, const mg_upx_ext *loads, unsigned nloads, const mg_upx_ext *gaps,
                        unsigned ngaps, mg_upx_ext tail, uint64_t *total)
{
    *total = tail.off + tail.size;
    for (unsigned i = 0; i < nloads; i++)
        if (loads[i].off + loads[i].size > *total)
            *total = loads[i].off + loads[i].size;
    if (*total > c->max_out) {
        mg_upx_fail(c, MG_ERR_TOO_COSTLY, "unpacked size %llu over the cap (%llu bytes)", (unsigned long long)*total,
                    (unsigned long long)c->max_out);
        return NULL;
    }
    if (!mg_upx_extents_disjoint(loads, nloads, gaps, ngaps, tail)) {
        mg_upx_fail(c, MG_ERR_MALFORMED, "original segments overlap");
        return NULL;
    }
    uint8_t *buf = mg_upx_out_alloc(*total);
    if (!buf)
        mg_upx_fail(c, MG_ERR_NOMEM, "out of memory");
    return buf;
}

uint8_t *mg_upx_header_block(mg_upx_chain *ch, uint64_t pos, uint32_t min_unc, uint32_t max_unc, mg_upx_blk *b,
                             bool *nomem)
{
    if (!mg_upx_binfo(ch, pos, b) || !mg_upx_blk_plausible(b) || b->cpr >= b->unc || b->unc > max_unc ||
        b->unc < min_unc || b->cpr > ch->c->size - pos - 12)
        return NULL;
    uint8_t *u = mg_malloc(b->unc);
    mg_status st = u ? mg_upx_decompress(b->method, ch->c->data + pos + 12, b->cpr, u, b->unc, true, NULL)
                     : MG_ERR_NOMEM;
    if (st == MG_OK)
        return u;
    free(u);
    *nomem = st == MG_ERR_NOMEM;
    return NULL;
}

mg_status mg_upx_blk_decode(const uint8_t *data, const mg_upx_blk *b, uint8_t *dst, unsigned *filter)
{
    const uint8_t *src = data + b->pos + 12;
    if (b->cpr == b->unc) {
        memcpy(dst, src, b->unc);
        return MG_OK;
    }
    mg_status st = mg_upx_decompress(b->method, src, b->cpr, dst, b->unc, true, NULL);
    if (st == MG_OK && b->ftid) {
        *filter = b->ftid;
        mg_upx_unfilter(b->ftid, b->cto, dst, b->unc, 0);
    }
    return st;
}

/* decode block b to dst (b->unc bytes) */
static bool decode(mg_upx_chain *ch, const mg_upx_blk *b, uint8_t *dst)
{
    ch->c_adler = mg_upx_adler32(ch->c_adler, ch->c->data + b->pos + 12, b->cpr);
    if (b->cpr < b->unc)
        ch->c->method = b->method;
    mg_status st = mg_upx_blk_decode(ch->c->data, b, dst, &ch->filter);
    if (st != MG_OK) {
        mg_upx_fail(ch->c, st, "block %u does not decompress", ch->nblocks);
        return false;
    }
    ch->u_adler = mg_upx_adler32(ch->u_adler, dst, b->unc);
    return mg_upx_charge(ch->c, b->unc);
}

/* the next block at *pos: checked, and decoded to out + at when out */
static bool next_block(mg_upx_chain *ch, uint64_t *pos, mg_upx_blk *b)
{
    if (!mg_upx_binfo(ch, *pos, b)) {
        if (ch->quiet)
            return false;
        mg_upx_fail(ch->c, MG_ERR_MALFORMED, "block %u: header past the end of the file (truncated)", ch->nblocks);
        return false;
    }
    if (++ch->nblocks > MG_UPX_MAX_BLOCKS) {
        if (!ch->quiet)
            mg_upx_fail(ch->c, MG_ERR_TOO_COSTLY, "more than %u blocks", MG_UPX_MAX_BLOCKS);
        return false;
    }
    if (!mg_budget_spend(ch->c->budget, 16, "UPX block headers")) {
        if (!ch->quiet)
            mg_upx_fail(ch->c, MG_ERR_TOO_COSTLY, "too costly to unpack (work budget)");
        return false;
    }
    return true;
}

/* append b to the chain's list (bounded by MG_UPX_MAX_BLOCKS) */
static bool record(mg_upx_chain *ch, const mg_upx_blk *b)
{
    if (ch->nrec == ch->caprec) {
        unsigned cap = ch->caprec ? 2 * ch->caprec : 64;
        mg_upx_blk *v = mg_realloc(ch->rec, (size_t)cap * sizeof *v);
        if (!v) {
            mg_upx_fail(ch->c, MG_ERR_NOMEM, "out of memory");
            return false;
        }
        ch->rec = v;
        ch->caprec = cap;
    }
    ch->rec[ch->nrec] = *b;
    ch->rec[ch->nrec++].done = false;
    return true;
}

bool mg_upx_walk(mg_upx_chain *ch, uint64_t *pos, uint64_t wanted, uint8_t *out, uint64_t at)
{
    while (wanted) {
        mg_upx_blk b;
        if (!next_block(ch, pos, &b))
            return false;
        if (!mg_upx_blk_plausible(&b) || b.unc > wanted) {
            if (!ch->quiet)
                mg_upx_fail(ch->c, MG_ERR_MALFORMED, "block %u at 0x%llx: bad header", ch->nblocks,
                            (unsigned long long)b.pos);
            return false;
        }
        uint64_t end;
        if (!mg_add_ok(b.pos + 12, b.cpr, &end) || end > ch->c->size) {
            if (!ch->quiet)
                mg_upx_fail(ch->c, MG_ERR_MALFORMED, "block %u extends past the end of the file (truncated)",
                            ch->nblocks);
            return false;
        }
        if (b.cpr < b.unc)
            ch->method = b.method;
        if (out || ch->record) {
            if (at > ch->out_size || b.unc > ch->out_size - at) {
                mg_upx_fail(ch->c, MG_ERR_MALFORMED, "block %u lands outside the image", ch->nblocks);
                return false;
            }
            b.at = at;
            if (out ? !decode(ch, &b, out + at) : !record(ch, &b))
                return false;
        }
        at += b.unc;
        wanted -= b.unc;
        *pos = end;
    }
    return true;
}

bool mg_upx_walk_rest(mg_upx_chain *ch, uint64_t *pos, uint8_t *out, uint64_t at, uint64_t *total)
{
    *total = 0;
    for (;;) {
        mg_upx_blk b;
        if (!mg_upx_binfo(ch, *pos, &b)) {
            if (!ch->quiet)
                mg_upx_fail(ch->c, MG_ERR_MALFORMED, "no end of the block chain (truncated)");
            return false;
        }
        if (b.unc == 0) {
            ch->end_magic = b.cpr;
            ch->end_pos = b.pos;
            return true;
        }
        if (!mg_upx_walk(ch, pos, b.unc, out, at + *total))
            return false;
        *total += b.unc;
        if (*total > ch->c->max_out) {
            if (!ch->quiet)
                mg_upx_fail(ch->c, MG_ERR_TOO_COSTLY, "unpacked size over the cap (%llu bytes)",
                            (unsigned long long)ch->c->max_out);
            return false;
        }
    }
}
