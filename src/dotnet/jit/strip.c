/* strip.c - dropping manifest resources: the table stream is rewritten in
 * place without the dropped ManifestResource rows (and the custom
 * attributes attached to them), every cell re-encoded with the widths the
 * new row counts give, HasCustomAttribute indices into ManifestResource
 * renumbered and CustomAttribute kept sorted; the resources' bytes are
 * zeroed, and the Resources directory cleared when nothing is left. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct ca_row {
    uint32_t parent, index;
} ca_row;

static int cmp_ca(const void *a, const void *b)
{
    const ca_row *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void put(uint8_t *p, unsigned w, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    if (w == 4) {
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
    }
}

static uint32_t get(const uint8_t *p, unsigned w)
{
    return w == 4 ? mg_ld32(p, false) : (uint32_t)(p[0] | p[1] << 8);
}

typedef struct layout {
    uint32_t rows[MG_TBL_COUNT], rowsize[MG_TBL_COUNT];
    uint8_t ncols[MG_TBL_COUNT], colw[MG_TBL_COUNT][MG_MAX_COLS], coloff[MG_TBL_COUNT][MG_MAX_COLS];
} layout;

/* HasCustomAttribute parent of CustomAttribute row that is a dropped resource */
static bool ca_dropped(const mg_cli *cli, uint32_t row, const bool *drop)
{
    uint32_t parent, nres = cli->t.rows[MG_T_MANIFESTRESOURCE];
    unsigned bits = mg_ci_tagbits(MG_CI_HASCUSTOMATTRIBUTE);
    if (!mg_tbl_get(cli, MG_T_CUSTOMATTRIBUTE, row, MG_CA_PARENT, &parent))
        return false;
    uint32_t target = parent >> bits;
    return mg_ci_table(MG_CI_HASCUSTOMATTRIBUTE, parent & ((1u << bits) - 1)) ==
               MG_T_MANIFESTRESOURCE &&
           target >= 1 && target <= nres && drop[target];
}

/* sort the CustomAttribute rows of the new stream by parent (stable) */
static mg_status sort_ca(uint8_t *rows, uint32_t n, uint32_t rowsize, unsigned pw, mg_error *err)
{
    bool sorted = true;
    for (uint32_t i = 1; i < n && sorted; i++)
        sorted = get(rows + (uint64_t)(i - 1) * rowsize, pw) <=
                 get(rows + (uint64_t)i * rowsize, pw);
    if (sorted)
        return MG_OK;
    ca_row *k = mg_malloc((size_t)n * sizeof *k);
    uint8_t *copy = mg_malloc((size_t)n * rowsize);
    if (!k || !copy) {
        free(k);
        free(copy);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, rows, (size_t)n * rowsize);
    for (uint32_t i = 0; i < n; i++)
        k[i] = (ca_row){get(copy + (uint64_t)i * rowsize, pw), i};
    qsort(k, n, sizeof *k, cmp_ca);
    for (uint32_t i = 0; i < n; i++)
        memcpy(rows + (uint64_t)i * rowsize, copy + (uint64_t)k[i].index * rowsize, rowsize);
    free(k);
    free(copy);
    return MG_OK;
}

/* write every kept row of every table, re-encoded, at p */
static mg_status write_rows(const mg_cli *cli, const layout *L, const uint32_t *resmap,
                            const bool *drop, uint8_t *p, uint8_t **end, mg_error *err)
{
    const mg_tables *t = &cli->t;
    unsigned cabits = mg_ci_tagbits(MG_CI_HASCUSTOMATTRIBUTE);
    for (unsigned tab = 0; tab < MG_TBL_KNOWN; tab++) {
        const uint8_t *schema = mg_tbl_schema(tab);
        uint8_t *first = p;
        uint32_t written = 0;
        for (uint32_t row = 1; row <= t->rows[tab]; row++) {
            if ((tab == MG_T_MANIFESTRESOURCE && drop[row]) ||
                (tab == MG_T_CUSTOMATTRIBUTE && ca_dropped(cli, row, drop)))
                continue;
            for (unsigned c = 0; c < t->ncols[tab]; c++) {
                uint32_t v;
                if (!mg_tbl_get(cli, tab, row, c, &v))
                    return mg_fail(err, MG_ERR_MALFORMED,
                                   "malformed .NET metadata: table cell unreadable");
                if (schema[c] == MG_COL_CODED + MG_CI_HASCUSTOMATTRIBUTE &&
                    mg_ci_table(MG_CI_HASCUSTOMATTRIBUTE, v & ((1u << cabits) - 1)) ==
                        MG_T_MANIFESTRESOURCE &&
                    (v >> cabits) <= t->rows[MG_T_MANIFESTRESOURCE])
                    v = resmap[v >> cabits] << cabits | (v & ((1u << cabits) - 1));
                if (L->colw[tab][c] == 2 && v > 0xffff)
                    return mg_fail(err, MG_ERR_MALFORMED,
                                   "malformed .NET metadata: index out of range in table 0x%02x",
                                   tab);
                put(p + L->coloff[tab][c], L->colw[tab][c], v);
            }
            p += L->rowsize[tab];
            written++;
        }
        if (tab == MG_T_CUSTOMATTRIBUTE && written) {
            mg_status st =
                sort_ca(first, written, L->rowsize[tab], L->colw[tab][MG_CA_PARENT], err);
            if (st != MG_OK)
                return st;
        }
    }
    *end = p;
    return MG_OK;
}

static void zero_resources(const mg_cli *cli, uint8_t *out, const bool *drop, uint32_t kept)
{
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_MANIFESTRESOURCE]; row++) {
        mg_resource res;
        if (drop[row] && mg_resource_get(cli, row, &res) && res.data_ok)
            memset(out + res.data_off - 4, 0, (size_t)res.data_len + 4);
    }
    if (!kept)
        memset(out + cli->hdr_off + 24, 0, 8); /* Resources directory */
}

mg_status mg_strip_resources(const mg_cli *cli, uint8_t *out, const bool *drop, uint32_t *dropped,
                             mg_error *err)
{
    const mg_tables *t = &cli->t;
    uint32_t nres = t->rows[MG_T_MANIFESTRESOURCE], kept = 0;
    layout L;
    memcpy(L.rows, t->rows, sizeof L.rows);
    uint32_t *resmap = mg_calloc((size_t)nres + 1, sizeof *resmap);
    if (!resmap)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (uint32_t row = 1; row <= nres; row++)
        resmap[row] = drop[row] ? 0 : ++kept;
    *dropped = nres - kept;
    L.rows[MG_T_MANIFESTRESOURCE] = kept;
    for (uint32_t row = 1; row <= t->rows[MG_T_CUSTOMATTRIBUTE]; row++)
        L.rows[MG_T_CUSTOMATTRIBUTE] -= ca_dropped(cli, row, drop);
    mg_tbl_layout(L.rows, t->heap_sizes, L.ncols, L.colw, L.coloff, L.rowsize);

    /* header: the first 24 bytes with the emptied tables' bits cleared */
    uint64_t valid = t->valid;
    for (unsigned i = 0; i < MG_TBL_COUNT; i++)
        if (t->rows[i] && !L.rows[i])
            valid &= ~(1ull << i);
    uint8_t *buf = mg_calloc(1, t->size ? t->size : 1); /* the new stream is never larger */
    if (!buf) {
        free(resmap);
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    memcpy(buf, out + t->off, 8);
    for (unsigned i = 0; i < 8; i++)
        buf[8 + i] = (uint8_t)(valid >> (8 * i));
    memcpy(buf + 16, out + t->off + 16, 8);
    uint8_t *p = buf + 24;
    for (unsigned i = 0; i < MG_TBL_COUNT; i++)
        if (valid >> i & 1) {
            put(p, 4, L.rows[i]);
            p += 4;
        }
    if (t->heap_sizes & 0x40) {
        memcpy(p, out + t->data_off - 4, 4);
        p += 4;
    }
    uint8_t *end = p;
    mg_status st = write_rows(cli, &L, resmap, drop, p, &end, err);
    if (st == MG_OK) {
        uint64_t size = ((uint64_t)(end - buf) + 3) & ~(uint64_t)3;
        zero_resources(cli, out, drop, kept);
        memset(out + t->off, 0, t->size);
        memcpy(out + t->off, buf, size <= t->size ? size : t->size);
        put(out + cli->tables.hdr_off + 4, 4, (uint32_t)(size <= t->size ? size : t->size));
    }
    free(buf);
    free(resmap);
    return st;
}
