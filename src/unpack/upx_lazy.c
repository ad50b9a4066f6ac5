/* upx_lazy.c - owns lazy unpacking: a UPX-packed ELF's blocks (already
 * walked and checked: headers, extents, no overlap) decoded only when a
 * read of the unpacked image first touches them.  Every reader of the
 * image goes through src/io/reader.h, whose mg_rd_has asks need() here, so
 * a byte that was not decoded is never read: a block that does not decode
 * fails the read and is remembered (the caller turns it into the file's
 * error).  Bytes no block covers are zero in the full unpacking too.  The
 * PackHeader's adler32 sums cover every block in chain order: they are
 * checked once every block has been decoded, not before. */
#include "unpack/upx_lazy.h"
#include "unpack/upx_blocks.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(mg_upx_lazy *l, mg_status st, const char *why, unsigned blk)
{
    l->failed = st;
    if (st == MG_ERR_NOMEM)
        snprintf(l->why, sizeof l->why, "out of memory");
    else
        snprintf(l->why, sizeof l->why, "UPX-packed (%s): %s%u%s", l->method, blk ? "block " : "", blk,
                 why);
}

static bool sums_hold(mg_upx_lazy *l)
{
    uint32_t u = 1, c = 1;
    for (unsigned i = 0; i < l->n; i++) {
        const mg_upx_blk *b = &l->blk[i];
        c = mg_upx_adler32(c, l->data + b->pos + 12, b->cpr);
        u = mg_upx_adler32(u, l->out + b->at, b->unc);
    }
    return u == l->want_u && c == l->want_c;
}

static bool charge(mg_upx_lazy *l, unsigned i, uint64_t n)
{
    if (mg_budget_spend(l->budget, n * MG_UPX_WORK_PER_BYTE, "UPX decompression"))
        return true;
    fail(l, MG_ERR_TOO_COSTLY, ": too costly to unpack (work budget)", i + 1);
    return false;
}

static void stream_end(mg_upx_lazy *l)
{
    mg_upx_lzs_free(l->zs);
    l->zs = NULL;
    l->zi = 0;
}

/* block i is all there: once every block is, the packer's sums */
static bool finished(mg_upx_lazy *l, unsigned i)
{
    mg_upx_blk *b = &l->blk[i];
    if (l->zi == i + 1)
        stream_end(l);
    b->done = true;
    b->have = b->unc;
    if (--l->left)
        return true;
    if (l->sums && !sums_hold(l)) {
        l->n = 0; /* the checked bytes are not the packer's: read nothing more */
        fail(l, MG_ERR_MALFORMED, "the unpacked data fails the packer's adler32 checksums", 0);
        return false;
    }
    l->lz.all = true;
    return true;
}

/* block i whole */
static bool decode_one(mg_upx_lazy *l, unsigned i)
{
    mg_upx_blk *b = &l->blk[i];
    if (!charge(l, i, b->unc))
        return false;
    mg_status st = mg_upx_blk_decode(l->data, b, l->out + b->at, &l->filter);
    if (st != MG_OK) {
        fail(l, st, " does not decompress", i + 1);
        return false;
    }
    return finished(l, i);
}

/* an unfiltered LZMA block up to at least rel bytes, decoded in steps: the
 * decoder stays open, so a later read past what is there goes on from
 * where this one stopped (one open block at a time: another block's
 * steps close it).  LZMA_STEP more than asked, so that a run of small
 * reads does not call the decoder for each */
#define LZMA_STEP (64u << 10)

static bool lzma_upto(mg_upx_lazy *l, unsigned i, uint64_t rel)
{
    mg_upx_blk *b = &l->blk[i];
    const uint8_t *src = l->data + b->pos + 12;
    if (l->zi != i + 1) {
        stream_end(l);
        mg_status st = mg_upx_lzs_open(&l->zs, src, b->cpr, b->unc);
        if (st == MG_ERR_NOMEM) {
            fail(l, st, "", i + 1);
            return false;
        }
        if (st != MG_OK)
            return decode_one(l, i); /* it says why */
        l->zi = i + 1;
        b->have = 0; /* decoded again from the start */
    }
    uint64_t want = rel + LZMA_STEP < b->unc ? rel + LZMA_STEP : b->unc;
    if (!charge(l, i, want - b->have))
        return false;
    size_t done;
    mg_status st = mg_upx_lzs_run(l->zs, l->out + b->at, (size_t)want, &done);
    if (st == MG_ERR_NOMEM) {
        fail(l, st, "", i + 1);
        return false;
    }
    if (st != MG_OK) {
        stream_end(l);
        return decode_one(l, i); /* damaged, or its matches reach past the step dictionary */
    }
    b->have = (uint32_t)done;
    return done < b->unc || finished(l, i);
}

/* the filters work forwards and change at most the 4 bytes after the
 * position they look at: a prefix's unfiltered bytes are the whole
 * block's but for its last few */
#define FILTER_TAIL 16u
#define PREFIX_SLACK 4096u

/* block i up to at least rel bytes: a prefix when that lies in the block's
 * first quarter (each new prefix at least twice the last, so all the
 * prefixes of a block together cost less than half the block, and a block
 * read to its end costs less than 1.5 times one decode), else whole.  A
 * read further in is most often the start of a walk through the block
 * (Go's read-only data: the section names, then the pclntab to its end) */
static bool decode_upto(mg_upx_lazy *l, unsigned i, uint64_t rel)
{
    mg_upx_blk *b = &l->blk[i];
    if (b->method == MG_UPX_LZMA && !b->ftid && b->cpr < b->unc)
        return lzma_upto(l, i, rel);
    uint64_t want = rel + PREFIX_SLACK;
    if (want < 2 * (uint64_t)b->have)
        want = 2 * (uint64_t)b->have;
    if (b->cpr == b->unc || want >= b->unc / 4)
        return decode_one(l, i);
    if (!charge(l, i, want))
        return false;
    size_t got;
    unsigned filter = 0;
    mg_status st = mg_upx_decompress_prefix(b->method, l->data + b->pos + 12, b->cpr, l->out + b->at, want, &got);
    if (st == MG_OK && got >= rel + FILTER_TAIL && got < b->unc) {
        if (b->ftid) {
            filter = b->ftid;
            mg_upx_unfilter(b->ftid, b->cto, l->out + b->at, got, 0);
        }
        b->have = (uint32_t)(got - FILTER_TAIL);
        l->filter = filter ? filter : l->filter;
        return true;
    }
    if (st == MG_ERR_NOMEM) {
        fail(l, st, "", i + 1);
        return false;
    }
    /* the stream ended or broke early: the whole decode says which */
    return decode_one(l, i);
}

/* the first block (by output offset) that ends after off */
static unsigned first_after(const mg_upx_lazy *l, uint64_t off)
{
    unsigned lo = 0, hi = l->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const mg_upx_blk *b = &l->blk[l->by_at[mid].i];
        if (b->at + b->unc <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool need(mg_lazy *lz, uint64_t off, uint64_t len)
{
    mg_upx_lazy *l = (mg_upx_lazy *)lz;
    if (l->failed != MG_OK)
        return false;
    uint64_t end = off + len; /* the reader checked it against the view */
    for (unsigned k = first_after(l, off); k < l->n; k++) {
        unsigned i = l->by_at[k].i;
        const mg_upx_blk *b = &l->blk[i];
        if (b->at >= end)
            break;
        uint64_t rel = (end < b->at + b->unc ? end : b->at + b->unc) - b->at;
        if (rel > b->have && !decode_upto(l, i, rel))
            return false;
        if (b->at <= off && end <= b->at + b->have) {
            lz->lo = b->at; /* the next reads most likely fall here too */
            lz->hi = b->at + b->have;
        }
    }
    return true;
}

static int by_at(const void *a, const void *b)
{
    const mg_upx_at *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

mg_upx_lazy *mg_upx_lazy_new(const uint8_t *data, mg_budget *b, uint8_t *out, uint64_t out_size,
                             struct mg_upx_blk *blk, unsigned n, const char *method)
{
    mg_upx_lazy *l = mg_calloc(1, sizeof *l);
    mg_upx_at *v = l ? mg_malloc((size_t)(n ? n : 1) * sizeof *v) : NULL;
    if (!v) {
        free(l);
        free(blk);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++)
        v[i] = (mg_upx_at){blk[i].at, i};
    qsort(v, n, sizeof *v, by_at);
    *l = (mg_upx_lazy){.lz = {.need = need}, .data = data, .budget = b, .out = out, .out_size = out_size,
                       .blk = blk, .n = n, .left = n, .by_at = v};
    snprintf(l->method, sizeof l->method, "%s", method);
    l->lz.all = n == 0;
    return l;
}

void mg_upx_lazy_free(mg_upx_lazy *l)
{
    if (!l)
        return;
    stream_end(l);
    free(l->blk);
    free(l->by_at);
    free(l);
}

bool mg_upx_lazy_all(mg_upx_lazy *l)
{
    for (unsigned i = 0; i < l->n && l->failed == MG_OK; i++)
        if (!l->blk[i].done && !decode_one(l, i))
            return false;
    return l->failed == MG_OK;
}

unsigned mg_upx_lazy_decoded(const mg_upx_lazy *l)
{
    return l->n - l->left;
}
