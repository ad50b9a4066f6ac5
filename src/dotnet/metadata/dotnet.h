/* dotnet.h - the internal view of a .NET assembly (ECMA-335 partition II)
 * built on the PE layer: CLI header, metadata root and streams (metadata.c),
 * the table stream with every row size derived from heap-size flags and
 * coded-index widths (tables.c), method bodies (methods.c), IL instruction
 * lengths (il.c) and manifest resources (resources.c).
 *
 * Every offset kept here is a file offset that was checked against the file
 * when it was computed; every later read still goes through the reader.
 */
#ifndef MG_DOTNET_DOTNET_H
#define MG_DOTNET_DOTNET_H

#include "exe/image.h"

/* ---- tables (ECMA-335 II.22) ---- */
#define MG_TBL_COUNT 64u
#define MG_TBL_KNOWN 0x2du /* 0x00 Module .. 0x2c GenericParamConstraint */
#define MG_MAX_COLS 9u

enum {
    MG_T_MODULE = 0x00,
    MG_T_TYPEREF = 0x01,
    MG_T_TYPEDEF = 0x02,
    MG_T_FIELD = 0x04,
    MG_T_METHODPTR = 0x05,
    MG_T_METHODDEF = 0x06,
    MG_T_PARAM = 0x08,
    MG_T_MEMBERREF = 0x0a,
    MG_T_CUSTOMATTRIBUTE = 0x0c,
    MG_T_STANDALONESIG = 0x11,
    MG_T_MODULEREF = 0x1a,
    MG_T_TYPESPEC = 0x1b,
    MG_T_IMPLMAP = 0x1c,
    MG_T_ASSEMBLY = 0x20,
    MG_T_MANIFESTRESOURCE = 0x28,
    MG_T_METHODSPEC = 0x2b
};

/* column numbers of the cells we read */
enum { MG_TYPEDEF_NAME = 1, MG_TYPEDEF_METHODLIST = 5 };
enum { MG_METHOD_RVA = 0, MG_METHOD_IMPLFLAGS = 1, MG_METHOD_FLAGS = 2, MG_METHOD_NAME = 3,
       MG_METHOD_SIG = 4 };
enum { MG_IMPLMAP_MEMBER = 1, MG_IMPLMAP_NAME = 2, MG_IMPLMAP_SCOPE = 3 };
enum { MG_MRES_OFFSET = 0, MG_MRES_FLAGS = 1, MG_MRES_NAME = 2, MG_MRES_IMPL = 3 };
enum { MG_CA_PARENT = 0 };

/* Column kinds of the schema: 0x00-0x3f simple index into that table,
 * MG_COL_CODED + k coded index kind k, then fixed sizes and heap indices. */
#define MG_COL_CODED 0x40u
enum {
    MG_CI_TYPEDEFORREF = 0, MG_CI_HASCONSTANT, MG_CI_HASCUSTOMATTRIBUTE, MG_CI_HASFIELDMARSHAL,
    MG_CI_HASDECLSECURITY, MG_CI_MEMBERREFPARENT, MG_CI_HASSEMANTICS, MG_CI_METHODDEFORREF,
    MG_CI_MEMBERFORWARDED, MG_CI_IMPLEMENTATION, MG_CI_CUSTOMATTRIBUTETYPE,
    MG_CI_RESOLUTIONSCOPE, MG_CI_TYPEORMETHODDEF, MG_CI_COUNT
};
#define MG_COL_U16 0x60u
#define MG_COL_U32 0x61u
#define MG_COL_STRING 0x62u
#define MG_COL_GUID 0x63u
#define MG_COL_BLOB 0x64u
#define MG_COL_END 0xffu

typedef struct mg_tables {
    uint64_t off, size;      /* file offset and size of the table stream */
    uint8_t heap_sizes;
    uint64_t valid, sorted;
    uint64_t rows_off;       /* file offset of the row-count array */
    uint64_t data_off;       /* file offset of the first row of the first table */
    uint32_t rows[MG_TBL_COUNT];
    uint64_t start[MG_TBL_COUNT]; /* file offset of each table's first row */
    uint32_t rowsize[MG_TBL_COUNT];
    uint8_t ncols[MG_TBL_COUNT];
    uint8_t colw[MG_TBL_COUNT][MG_MAX_COLS];
    uint8_t coloff[MG_TBL_COUNT][MG_MAX_COLS];
    uint64_t end;            /* file offset just past the last row */
} mg_tables;

typedef struct mg_stream {
    bool present;
    uint64_t off, size;      /* file offset and size */
    uint64_t hdr_off;        /* file offset of its header in the metadata root */
} mg_stream;

typedef struct mg_cli {
    mg_img img;              /* the PE image; img.r reads the whole file */
    uint64_t hdr_off;        /* CLI header */
    uint32_t hdr_size;
    uint16_t rt_major, rt_minor;
    uint32_t flags, entry_token;
    uint32_t md_rva, md_size;
    uint64_t md_off;
    uint32_t res_rva, res_size;
    uint64_t res_off;        /* valid when res_size != 0 */
    char version[256];       /* metadata root version string */
    mg_stream strings, us, guid, blob, tables;
    bool uncompressed;       /* "#-" table stream */
    mg_tables t;
} mg_cli;

/* metadata.c */
/* Parse the PE, its CLI header, the metadata root, the streams and the
 * table stream.  MG_ERR_UNSUPPORTED "not a .NET assembly (...)" when the
 * file is not a PE with a CLI header; MG_ERR_MALFORMED otherwise. */
mg_status mg_cli_open(const uint8_t *data, uint64_t size, mg_cli *cli, mg_error *err);
void mg_cli_close(mg_cli *cli);
/* file offset of [rva, rva+len) inside one section */
bool mg_cli_rva(const mg_cli *cli, uint32_t rva, uint64_t len, uint64_t *off);
/* NUL-terminated #Strings entry (at most 1024 bytes) */
bool mg_cli_string(const mg_cli *cli, uint32_t idx, const char **s, size_t *len);
/* #Blob entry: file offset and length of its bytes */
bool mg_cli_blob(const mg_cli *cli, uint32_t idx, uint64_t *off, uint32_t *len);

/* tables.c */
mg_status mg_tables_parse(const mg_reader *r, uint64_t off, uint64_t size, mg_tables *t,
                          mg_error *err);
/* Schema of table tab: column kinds, MG_COL_END-terminated (NULL: unknown). */
const uint8_t *mg_tbl_schema(unsigned tab);
/* Compute widths, offsets and row sizes for the given row counts and heap
 * flags (used by the parser and by the table writer). */
void mg_tbl_layout(const uint32_t rows[MG_TBL_COUNT], uint8_t heap_sizes,
                   uint8_t ncols[MG_TBL_COUNT], uint8_t colw[MG_TBL_COUNT][MG_MAX_COLS],
                   uint8_t coloff[MG_TBL_COUNT][MG_MAX_COLS], uint32_t rowsize[MG_TBL_COUNT]);
/* Tag bits and target tables of a coded index kind. */
unsigned mg_ci_tagbits(unsigned kind);
/* the table of tag value tag (-1: not used) */
int mg_ci_table(unsigned kind, unsigned tag);
/* cell (row is 1-based) */
bool mg_tbl_get(const mg_cli *cli, unsigned tab, uint32_t row, unsigned col, uint32_t *val);
/* file offset of a cell */
bool mg_tbl_cell_off(const mg_cli *cli, unsigned tab, uint32_t row, unsigned col, uint64_t *off);
/* Methods of TypeDef row type_row: [*first, *last) as MethodDef rows
 * (through MethodPtr when the table stream is uncompressed). */
bool mg_type_methods(const mg_cli *cli, uint32_t type_row, uint32_t *first, uint32_t *last);
/* MethodDef row of the i-th entry of a method list (MethodPtr aware). */
bool mg_method_at(const mg_cli *cli, uint32_t list_index, uint32_t *method_row);
/* TypeDef row declaring MethodDef method_row (0 when none). */
uint32_t mg_method_owner(const mg_cli *cli, uint32_t method_row);

/* methods.c */
typedef struct mg_eh_clause {
    uint32_t flags, try_off, try_len, handler_off, handler_len, class_or_filter;
} mg_eh_clause;

typedef struct mg_body {
    uint32_t rva;
    uint64_t off;            /* file offset of the header */
    bool fat;
    uint32_t hdr_size;       /* 1 (tiny) or 12 (fat) */
    uint16_t flags, max_stack;
    uint32_t local_sig;
    uint32_t code_size;
    uint64_t code_off;
    uint32_t nsects;         /* extra data sections */
    uint32_t nclauses;       /* exception clauses over all EH sections */
    bool fat_eh;             /* at least one fat EH section */
    uint64_t eh_off;         /* file offset of the first extra section */
    uint32_t total;          /* header + code + padding + sections */
} mg_body;

#define MG_MAX_EH_SECTS 64u

mg_status mg_body_parse(const mg_cli *cli, uint32_t rva, mg_body *b, mg_error *err);
/* exception clause i (0-based over all EH sections) */
bool mg_body_clause(const mg_cli *cli, const mg_body *b, uint32_t i, mg_eh_clause *c);

/* il.c */
/* Length of the instruction at code[off] (code has n bytes) and its opcode
 * (0xfexx for two-byte opcodes).  false: unknown opcode or truncated. */
bool mg_il_insn(const mg_reader *code, uint64_t off, uint32_t *len, uint16_t *opcode);
#define MG_IL_CALL 0x28u
#define MG_IL_NOP 0x00u
#define MG_IL_RET 0x2au

/* resources.c */
typedef struct mg_resource {
    uint32_t row;
    const char *name;
    size_t name_len;
    bool embedded;           /* Implementation is nil: data in this file */
    uint32_t offset;         /* into the Resources directory */
    bool data_ok;            /* length prefix and data inside the directory */
    uint64_t data_off;       /* file offset of the data (after the length) */
    uint32_t data_len;
} mg_resource;

bool mg_resource_get(const mg_cli *cli, uint32_t row, mg_resource *res);
/* a name of exactly 8 lower-case hex digits naming a MethodDef token: its row */
bool mg_resource_method_token(const mg_resource *res, const mg_cli *cli, uint32_t *method_row);

#endif
