/* tables.c - the metadata table stream (#~ / #-, ECMA-335 II.24.2.6 and
 * II.22): the schema of every table, column widths from the heap-size flags
 * and the coded-index widths, row sizes and table offsets, cell reads, and
 * the TypeDef -> MethodDef ranges (through MethodPtr when present). */
#include "dotnet/metadata/dotnet.h"

#include "util/error.h"

#define U16 MG_COL_U16
#define U32 MG_COL_U32
#define S MG_COL_STRING
#define G MG_COL_GUID
#define B MG_COL_BLOB
#define E MG_COL_END
#define C(k) (MG_COL_CODED + MG_CI_##k)

static const uint8_t schema[MG_TBL_KNOWN][MG_MAX_COLS + 1] = {
    [0x00] = {U16, S, G, G, G, E},                           /* Module */
    [0x01] = {C(RESOLUTIONSCOPE), S, S, E},                  /* TypeRef */
    [0x02] = {U32, S, S, C(TYPEDEFORREF), 0x04, 0x06, E},    /* TypeDef */
    [0x03] = {0x04, E},                                      /* FieldPtr */
    [0x04] = {U16, S, B, E},                                 /* Field */
    [0x05] = {0x06, E},                                      /* MethodPtr */
    [0x06] = {U32, U16, U16, S, B, 0x08, E},                 /* MethodDef */
    [0x07] = {0x08, E},                                      /* ParamPtr */
    [0x08] = {U16, U16, S, E},                               /* Param */
    [0x09] = {0x02, C(TYPEDEFORREF), E},                     /* InterfaceImpl */
    [0x0a] = {C(MEMBERREFPARENT), S, B, E},                  /* MemberRef */
    [0x0b] = {U16, C(HASCONSTANT), B, E},                    /* Constant (type byte + pad) */
    [0x0c] = {C(HASCUSTOMATTRIBUTE), C(CUSTOMATTRIBUTETYPE), B, E}, /* CustomAttribute */
    [0x0d] = {C(HASFIELDMARSHAL), B, E},                     /* FieldMarshal */
    [0x0e] = {U16, C(HASDECLSECURITY), B, E},                /* DeclSecurity */
    [0x0f] = {U16, U32, 0x02, E},                            /* ClassLayout */
    [0x10] = {U32, 0x04, E},                                 /* FieldLayout */
    [0x11] = {B, E},                                         /* StandAloneSig */
    [0x12] = {0x02, 0x14, E},                                /* EventMap */
    [0x13] = {0x14, E},                                      /* EventPtr */
    [0x14] = {U16, S, C(TYPEDEFORREF), E},                   /* Event */
    [0x15] = {0x02, 0x17, E},                                /* PropertyMap */
    [0x16] = {0x17, E},                                      /* PropertyPtr */
    [0x17] = {U16, S, B, E},                                 /* Property */
    [0x18] = {U16, 0x06, C(HASSEMANTICS), E},                /* MethodSemantics */
    [0x19] = {0x02, C(METHODDEFORREF), C(METHODDEFORREF), E}, /* MethodImpl */
    [0x1a] = {S, E},                                         /* ModuleRef */
    [0x1b] = {B, E},                                         /* TypeSpec */
    [0x1c] = {U16, C(MEMBERFORWARDED), S, 0x1a, E},          /* ImplMap */
    [0x1d] = {U32, 0x04, E},                                 /* FieldRVA */
    [0x1e] = {U32, U32, E},                                  /* EncLog */
    [0x1f] = {U32, E},                                       /* EncMap */
    [0x20] = {U32, U16, U16, U16, U16, U32, B, S, S, E},     /* Assembly */
    [0x21] = {U32, E},                                       /* AssemblyProcessor */
    [0x22] = {U32, U32, U32, E},                             /* AssemblyOS */
    [0x23] = {U16, U16, U16, U16, U32, B, S, S, B, E},       /* AssemblyRef */
    [0x24] = {U32, 0x23, E},                                 /* AssemblyRefProcessor */
    [0x25] = {U32, U32, U32, 0x23, E},                       /* AssemblyRefOS */
    [0x26] = {U32, S, B, E},                                 /* File */
    [0x27] = {U32, U32, S, S, C(IMPLEMENTATION), E},         /* ExportedType */
    [0x28] = {U32, U32, S, C(IMPLEMENTATION), E},            /* ManifestResource */
    [0x29] = {0x02, 0x02, E},                                /* NestedClass */
    [0x2a] = {U16, U16, C(TYPEORMETHODDEF), S, E},           /* GenericParam */
    [0x2b] = {C(METHODDEFORREF), B, E},                      /* MethodSpec */
    [0x2c] = {0x2a, C(TYPEDEFORREF), E},                     /* GenericParamConstraint */
};

/* coded indices (II.24.2.6): tag bits and the table of each tag (-1 unused) */
static const struct {
    uint8_t bits, n;
    int8_t tab[22];
} coded[MG_CI_COUNT] = {
    [MG_CI_TYPEDEFORREF] = {2, 3, {0x02, 0x01, 0x1b}},
    [MG_CI_HASCONSTANT] = {2, 3, {0x04, 0x08, 0x17}},
    [MG_CI_HASCUSTOMATTRIBUTE] = {5, 22, {0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x00, 0x0e,
                                          0x17, 0x14, 0x11, 0x1a, 0x1b, 0x20, 0x23, 0x26, 0x27,
                                          0x28, 0x2a, 0x2c, 0x2b}},
    [MG_CI_HASFIELDMARSHAL] = {1, 2, {0x04, 0x08}},
    [MG_CI_HASDECLSECURITY] = {2, 3, {0x02, 0x06, 0x20}},
    [MG_CI_MEMBERREFPARENT] = {3, 5, {0x02, 0x01, 0x1a, 0x06, 0x1b}},
    [MG_CI_HASSEMANTICS] = {1, 2, {0x14, 0x17}},
    [MG_CI_METHODDEFORREF] = {1, 2, {0x06, 0x0a}},
    [MG_CI_MEMBERFORWARDED] = {1, 2, {0x04, 0x06}},
    [MG_CI_IMPLEMENTATION] = {2, 3, {0x26, 0x23, 0x27}},
    [MG_CI_CUSTOMATTRIBUTETYPE] = {3, 5, {-1, -1, 0x06, 0x0a, -1}},
    [MG_CI_RESOLUTIONSCOPE] = {2, 4, {0x00, 0x1a, 0x23, 0x01}},
    [MG_CI_TYPEORMETHODDEF] = {1, 2, {0x02, 0x06}},
};

const uint8_t *mg_tbl_schema(unsigned tab)
{
    return tab < MG_TBL_KNOWN ? schema[tab] : NULL;
}

unsigned mg_ci_tagbits(unsigned kind)
{
    return kind < MG_CI_COUNT ? coded[kind].bits : 0;
}

int mg_ci_table(unsigned kind, unsigned tag)
{
    if (kind >= MG_CI_COUNT || tag >= coded[kind].n)
        return -1;
    return coded[kind].tab[tag];
}

static uint8_t col_width(uint8_t kind, const uint32_t rows[MG_TBL_COUNT], uint8_t heap_sizes)
{
    switch (kind) {
    case MG_COL_U16: return 2;
    case MG_COL_U32: return 4;
    case MG_COL_STRING: return heap_sizes & 0x01 ? 4 : 2;
    case MG_COL_GUID: return heap_sizes & 0x02 ? 4 : 2;
    case MG_COL_BLOB: return heap_sizes & 0x04 ? 4 : 2;
    }
    if (kind < MG_COL_CODED)
        return rows[kind] < 0x10000u ? 2 : 4;
    unsigned k = kind - MG_COL_CODED;
    uint32_t max = 0;
    for (unsigned i = 0; i < coded[k].n; i++)
        if (coded[k].tab[i] >= 0 && rows[coded[k].tab[i]] > max)
            max = rows[coded[k].tab[i]];
    return max < (1u << (16 - coded[k].bits)) ? 2 : 4;
}

void mg_tbl_layout(const uint32_t rows[MG_TBL_COUNT], uint8_t heap_sizes,
                   uint8_t ncols[MG_TBL_COUNT], uint8_t colw[MG_TBL_COUNT][MG_MAX_COLS],
                   uint8_t coloff[MG_TBL_COUNT][MG_MAX_COLS], uint32_t rowsize[MG_TBL_COUNT])
{
    for (unsigned t = 0; t < MG_TBL_COUNT; t++) {
        unsigned c = 0, off = 0;
        for (; t < MG_TBL_KNOWN && c < MG_MAX_COLS && schema[t][c] != MG_COL_END; c++) {
            colw[t][c] = col_width(schema[t][c], rows, heap_sizes);
            coloff[t][c] = (uint8_t)off;
            off += colw[t][c];
        }
        ncols[t] = (uint8_t)c;
        rowsize[t] = off;
    }
}

mg_status mg_tables_parse(const mg_reader *r, uint64_t off, uint64_t size, mg_tables *t,
                          mg_error *err)
{
    /* the #~ stream header (ECMA-335 II.24.2.6) */
    enum { HEAPSIZES = 6, VALID = 8, SORTED = 16, HEADER_SIZE = 24 };
    mg_reader s;
    mg_rec h;
    if (!mg_rd_sub(r, off, size, &s) || !mg_rec_at(&s, 0, HEADER_SIZE, &h))
        return mg_fail(err, MG_ERR_MALFORMED, "malformed .NET metadata: table stream truncated");
    t->off = off;
    t->size = size;
    t->heap_sizes = mg_rec_u8(&h, HEAPSIZES);
    t->valid = mg_rec_u64(&h, VALID);
    t->sorted = mg_rec_u64(&h, SORTED);
    t->rows_off = off + HEADER_SIZE;
    uint64_t pos = HEADER_SIZE;
    for (unsigned i = 0; i < MG_TBL_COUNT; i++) {
        t->rows[i] = 0;
        if (!(t->valid >> i & 1))
            continue;
        if (i >= MG_TBL_KNOWN)
            return mg_fail(err, MG_ERR_MALFORMED, "malformed .NET metadata: unknown table 0x%02x",
                           i);
        if (!mg_rd_u32(&s, pos, &t->rows[i]))
            return mg_fail(err, MG_ERR_MALFORMED, "malformed .NET metadata: row counts truncated");
        pos += 4;
    }
    if (t->heap_sizes & 0x40) /* extra data word after the row counts */
        pos += 4;
    mg_tbl_layout(t->rows, t->heap_sizes, t->ncols, t->colw, t->coloff, t->rowsize);
    t->data_off = off + pos;
    for (unsigned i = 0; i < MG_TBL_COUNT; i++) {
        uint64_t bytes;
        t->start[i] = off + pos;
        if (!mg_mul_ok(t->rows[i], t->rowsize[i], &bytes) || !mg_add_ok(pos, bytes, &pos) ||
            pos > size)
            return mg_fail(err, MG_ERR_MALFORMED,
                           "malformed .NET metadata: table 0x%02x runs past the table stream", i);
    }
    t->end = off + pos;
    return MG_OK;
}

bool mg_tbl_cell_off(const mg_cli *cli, unsigned tab, uint32_t row, unsigned col, uint64_t *off)
{
    const mg_tables *t = &cli->t;
    if (tab >= MG_TBL_KNOWN || row == 0 || row > t->rows[tab] || col >= t->ncols[tab])
        return false;
    *off = t->start[tab] + (uint64_t)(row - 1) * t->rowsize[tab] + t->coloff[tab][col];
    return true;
}

bool mg_tbl_get(const mg_cli *cli, unsigned tab, uint32_t row, unsigned col, uint32_t *val)
{
    uint64_t off;
    if (!mg_tbl_cell_off(cli, tab, row, col, &off))
        return false;
    if (cli->t.colw[tab][col] == 4)
        return mg_rd_u32(&cli->img.r, off, val);
    uint16_t v;
    if (!mg_rd_u16(&cli->img.r, off, &v))
        return false;
    *val = v;
    return true;
}

static uint32_t method_list_len(const mg_cli *cli)
{
    return cli->t.rows[MG_T_METHODPTR] ? cli->t.rows[MG_T_METHODPTR] : cli->t.rows[MG_T_METHODDEF];
}

bool mg_method_at(const mg_cli *cli, uint32_t list_index, uint32_t *method_row)
{
    if (cli->t.rows[MG_T_METHODPTR])
        return mg_tbl_get(cli, MG_T_METHODPTR, list_index, 0, method_row) && *method_row &&
               *method_row <= cli->t.rows[MG_T_METHODDEF];
    if (list_index == 0 || list_index > cli->t.rows[MG_T_METHODDEF])
        return false;
    *method_row = list_index;
    return true;
}

bool mg_type_methods(const mg_cli *cli, uint32_t type_row, uint32_t *first, uint32_t *last)
{
    uint32_t n = method_list_len(cli), a, b = n + 1;
    if (!mg_tbl_get(cli, MG_T_TYPEDEF, type_row, MG_TYPEDEF_METHODLIST, &a))
        return false;
    if (type_row < cli->t.rows[MG_T_TYPEDEF] &&
        !mg_tbl_get(cli, MG_T_TYPEDEF, type_row + 1, MG_TYPEDEF_METHODLIST, &b))
        return false;
    if (a == 0 || a > n + 1 || b > n + 1 || b < a)
        return false;
    *first = a;
    *last = b;
    return true;
}

uint32_t mg_method_owner(const mg_cli *cli, uint32_t method_row)
{
    uint32_t idx = method_row;
    if (cli->t.rows[MG_T_METHODPTR]) {
        idx = 0;
        for (uint32_t i = 1; i <= cli->t.rows[MG_T_METHODPTR] && !idx; i++) {
            uint32_t m;
            if (mg_tbl_get(cli, MG_T_METHODPTR, i, 0, &m) && m == method_row)
                idx = i;
        }
        if (!idx)
            return 0;
    }
    /* the last type whose method list starts at or before idx (lists ascend) */
    uint32_t lo = 1, hi = cli->t.rows[MG_T_TYPEDEF], found = 0;
    while (lo <= hi) {
        uint32_t mid = lo + (hi - lo) / 2, start;
        if (!mg_tbl_get(cli, MG_T_TYPEDEF, mid, MG_TYPEDEF_METHODLIST, &start))
            return 0;
        if (start <= idx) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    uint32_t a, b;
    if (!found || !mg_type_methods(cli, found, &a, &b) || idx < a || idx >= b)
        return 0;
    return found;
}
