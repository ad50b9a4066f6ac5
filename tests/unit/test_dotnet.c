/* test_dotnet.c - the .NET metadata reader and jit-unpack below the CLI:
 * IL instruction lengths and table row layouts worked by hand, then the
 * Mono-built fixtures of tests/dotnet/ (argv[1]: their directory): tables,
 * method bodies (tiny, fat, small and fat EH sections, a filter), resources,
 * the packer evidence against the packer's own counts, unpacking in memory,
 * and hostile input: every truncation, every single-byte corruption and
 * random multi-byte corruptions of the metadata must give an error or a
 * well-formed result, never a crash (run under ASan in CI).  Last, every
 * assembly Mono ships (argv[2]): every method body must parse and its IL
 * decode to exactly its code size, and none may pass for packed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dotnet/metadata/dotnet.h"
#include "malgopher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *fxdir;

static uint8_t *slurp(const char *rel, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fxdir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static unsigned count_lines(const char *rel)
{
    size_t n;
    uint8_t *b = slurp(rel, &n);
    assert_non_null(b);
    unsigned lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += b[i] == '\n';
    free(b);
    return lines;
}

/* "stubbed N" / "shared B M" from the packer's pack.txt */
static void pack_counts(const char *fx, unsigned *stubbed, unsigned *sb, unsigned *sm)
{
    char rel[256], line[128];
    snprintf(rel, sizeof rel, "%s/%s/pack.txt", fxdir, fx);
    FILE *f = fopen(rel, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "stubbed %u", stubbed);
        sscanf(line, "shared %u %u", sb, sm);
    }
    fclose(f);
}

/* ---- by hand ---- */

static void il_len(const uint8_t *code, size_t n, bool ok, uint32_t want_len, uint16_t want_op)
{
    mg_reader r = mg_reader_make(code, n, false, 4);
    uint32_t len = 0;
    uint16_t op = 0;
    assert_int_equal(mg_il_insn(&r, 0, &len, &op), ok);
    if (ok) {
        assert_int_equal(len, want_len);
        assert_int_equal(op, want_op);
    }
}

static void test_il_lengths(void **state)
{
    (void)state;
    il_len((const uint8_t[]){0x00}, 1, true, 1, 0x00);                        /* nop */
    il_len((const uint8_t[]){0x0e, 1}, 2, true, 2, 0x0e);                     /* ldarg.s */
    il_len((const uint8_t[]){0x20, 1, 2, 3, 4}, 5, true, 5, 0x20);            /* ldc.i4 */
    il_len((const uint8_t[]){0x21, 1, 2, 3, 4, 5, 6, 7, 8}, 9, true, 9, 0x21); /* ldc.i8 */
    il_len((const uint8_t[]){0x28, 1, 0, 0, 6}, 5, true, 5, 0x28);            /* call */
    il_len((const uint8_t[]){0x2b, 0xfe}, 2, true, 2, 0x2b);                  /* br.s */
    il_len((const uint8_t[]){0x45, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0}, 13, true, 13, 0x45);
    il_len((const uint8_t[]){0x87}, 1, true, 1, 0x87);                        /* the stub */
    il_len((const uint8_t[]){0xdd, 0, 0, 0, 0}, 5, true, 5, 0xdd);            /* leave */
    il_len((const uint8_t[]){0xde, 0}, 2, true, 2, 0xde);                     /* leave.s */
    il_len((const uint8_t[]){0xfe, 0x06, 1, 0, 0, 6}, 6, true, 6, 0xfe06);    /* ldftn */
    il_len((const uint8_t[]){0xfe, 0x0c, 1, 0}, 4, true, 4, 0xfe0c);          /* ldloc */
    il_len((const uint8_t[]){0xfe, 0x12, 1}, 3, true, 3, 0xfe12);             /* unaligned. */
    il_len((const uint8_t[]){0xfe, 0x1e}, 2, true, 2, 0xfe1e);                /* readonly. */
    il_len((const uint8_t[]){0x24}, 1, false, 0, 0);                          /* unused */
    il_len((const uint8_t[]){0xa6}, 1, false, 0, 0);
    il_len((const uint8_t[]){0xe1}, 1, false, 0, 0);
    il_len((const uint8_t[]){0xfe, 0x08}, 2, false, 0, 0);
    il_len((const uint8_t[]){0xfe, 0x1f}, 2, false, 0, 0);
    il_len((const uint8_t[]){0xfe}, 1, false, 0, 0);                          /* truncated */
    il_len((const uint8_t[]){0x28, 1, 0}, 3, false, 0, 0);
    il_len((const uint8_t[]){0x45, 0xff, 0xff, 0xff, 0xff, 0}, 6, false, 0, 0); /* huge switch */
}

static void layout(const uint32_t *rows, uint8_t heaps, uint32_t rowsize[MG_TBL_COUNT],
                   uint8_t colw[MG_TBL_COUNT][MG_MAX_COLS])
{
    uint8_t ncols[MG_TBL_COUNT], coloff[MG_TBL_COUNT][MG_MAX_COLS];
    mg_tbl_layout(rows, heaps, ncols, colw, coloff, rowsize);
}

static void test_row_layout(void **state)
{
    (void)state;
    uint32_t rows[MG_TBL_COUNT] = {0}, rs[MG_TBL_COUNT];
    uint8_t w[MG_TBL_COUNT][MG_MAX_COLS];
    layout(rows, 0, rs, w);
    /* II.22.26 MethodDef: RVA 4, ImplFlags 2, Flags 2, Name, Signature, ParamList */
    assert_int_equal(rs[MG_T_METHODDEF], 4 + 2 + 2 + 2 + 2 + 2);
    assert_int_equal(rs[MG_T_TYPEDEF], 4 + 2 + 2 + 2 + 2 + 2);
    assert_int_equal(rs[MG_T_MANIFESTRESOURCE], 4 + 4 + 2 + 2);
    assert_int_equal(rs[MG_T_ASSEMBLY], 4 + 2 * 4 + 4 + 2 + 2 + 2);
    assert_int_equal(rs[MG_T_ASSEMBLY + 3], 2 * 4 + 4 + 2 + 2 + 2 + 2); /* AssemblyRef */
    assert_int_equal(rs[0x0b], 2 + 2 + 2);                             /* Constant */
    /* heap-size flags: #Strings 4, #GUID 4, #Blob 4 */
    layout(rows, 0x07, rs, w);
    assert_int_equal(rs[MG_T_METHODDEF], 4 + 2 + 2 + 4 + 4 + 2);
    assert_int_equal(rs[MG_T_MODULE], 2 + 4 + 4 * 3);
    /* simple index: 4 bytes from 2^16 rows */
    layout(rows, 0, rs, w);
    rows[MG_T_PARAM] = 0xffff;
    layout(rows, 0, rs, w);
    assert_int_equal(w[MG_T_METHODDEF][5], 2);
    rows[MG_T_PARAM] = 0x10000;
    layout(rows, 0, rs, w);
    assert_int_equal(w[MG_T_METHODDEF][5], 4);
    assert_int_equal(rs[MG_T_METHODDEF], 16);
    /* coded: HasCustomAttribute has 5 tag bits, 2 bytes below 2^11 rows */
    memset(rows, 0, sizeof rows);
    rows[MG_T_MANIFESTRESOURCE] = 2047;
    layout(rows, 0, rs, w);
    assert_int_equal(w[MG_T_CUSTOMATTRIBUTE][0], 2);
    rows[MG_T_MANIFESTRESOURCE] = 2048;
    layout(rows, 0, rs, w);
    assert_int_equal(w[MG_T_CUSTOMATTRIBUTE][0], 4);
    /* TypeDefOrRef: 2 tag bits, TypeSpec counts */
    memset(rows, 0, sizeof rows);
    rows[MG_T_TYPESPEC] = 0x4000;
    layout(rows, 0, rs, w);
    assert_int_equal(w[MG_T_TYPEDEF][3], 4);
    assert_int_equal(w[MG_T_METHODDEF][5], 2);
    /* CustomAttributeType's unused tags do not count */
    assert_int_equal(w[MG_T_CUSTOMATTRIBUTE][1], 2);
    assert_int_equal(mg_ci_table(MG_CI_CUSTOMATTRIBUTETYPE, 0), -1);
    assert_int_equal(mg_ci_table(MG_CI_CUSTOMATTRIBUTETYPE, 3), MG_T_MEMBERREF);
    assert_int_equal(mg_ci_table(MG_CI_HASCUSTOMATTRIBUTE, 18), MG_T_MANIFESTRESOURCE);
    assert_int_equal(mg_ci_table(MG_CI_HASCUSTOMATTRIBUTE, 22), -1);
}

/* ---- the Mono fixtures ---- */

#define NEED_FIXTURES()                                                                            \
    do {                                                                                           \
        if (!fxdir)                                                                                \
            skip();                                                                                \
    } while (0)

static uint32_t method_by_name(const mg_cli *cli, const char *name)
{
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_METHODDEF]; row++) {
        uint32_t idx;
        const char *s;
        size_t len;
        if (mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &idx) &&
            mg_cli_string(cli, idx, &s, &len) && len == strlen(name) && !memcmp(s, name, len))
            return row;
    }
    fail_msg("no method %s", name);
    return 0;
}

static mg_body body_of(const mg_cli *cli, const char *name)
{
    uint32_t rva;
    mg_body b;
    mg_error e;
    assert_true(mg_tbl_get(cli, MG_T_METHODDEF, method_by_name(cli, name), MG_METHOD_RVA, &rva));
    assert_int_equal(mg_body_parse(cli, rva, &b, &e), MG_OK);
    return b;
}

static void check_original(const char *fx, unsigned bits)
{
    char rel[128];
    size_t n;
    snprintf(rel, sizeof rel, "%s/orig/Basic.exe", fx);
    uint8_t *data = slurp(rel, &n);
    assert_non_null(data);
    mg_cli cli;
    mg_error e;
    assert_int_equal(mg_cli_open(data, n, &cli, &e), MG_OK);
    assert_int_equal(cli.img.bits, bits);
    assert_string_equal(cli.version, "v4.0.30319");
    snprintf(rel, sizeof rel, "%s/methods.txt", fx);
    assert_int_equal(cli.t.rows[MG_T_METHODDEF], count_lines(rel));
    assert_int_equal(cli.entry_token, 0x06000000u | method_by_name(&cli, "Main"));
    /* every body parses and its code decodes to exactly code_size bytes */
    for (uint32_t row = 1; row <= cli.t.rows[MG_T_METHODDEF]; row++) {
        uint32_t rva;
        mg_body b;
        mg_reader code;
        assert_true(mg_tbl_get(&cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva));
        if (!rva)
            continue;
        assert_int_equal(mg_body_parse(&cli, rva, &b, &e), MG_OK);
        assert_true(mg_rd_sub(&cli.img.r, b.code_off, b.code_size, &code));
        uint64_t off = 0;
        while (off < code.size) {
            uint32_t len;
            uint16_t op;
            assert_true(mg_il_insn(&code, off, &len, &op));
            off += len;
        }
        assert_int_equal(off, b.code_size);
    }
    mg_body b = body_of(&cli, "Inc");
    assert_false(b.fat);
    assert_int_equal(b.hdr_size, 1);
    assert_int_equal(b.code_size, 4);
    assert_int_equal(b.total, 5);
    b = body_of(&cli, "SumTo");
    assert_true(b.fat);
    assert_int_equal(b.hdr_size, 12);
    assert_int_not_equal(b.local_sig, 0);
    assert_int_equal(b.nclauses, 0);
    b = body_of(&cli, "Divide"); /* try/catch inside try/finally: small EH section */
    assert_true(b.fat);
    assert_false(b.fat_eh);
    assert_int_equal(b.nclauses, 2);
    mg_eh_clause c;
    assert_true(mg_body_clause(&cli, &b, 0, &c));
    assert_int_equal(c.flags, 0); /* catch */
    assert_true(mg_body_clause(&cli, &b, 1, &c));
    assert_int_equal(c.flags, 2); /* finally */
    assert_false(mg_body_clause(&cli, &b, 2, &c));
    assert_int_equal(b.total, ((12 + b.code_size + 3) & ~3u) + 4 + 2 * 12);
    b = body_of(&cli, "Filtered");
    bool filter = false;
    for (uint32_t i = 0; i < b.nclauses; i++) {
        assert_true(mg_body_clause(&cli, &b, i, &c));
        filter |= c.flags == 1;
    }
    assert_true(filter);
    b = body_of(&cli, "LongTry"); /* try block > 255 bytes: fat EH section */
    assert_true(b.fat_eh);
    assert_int_equal(b.nclauses, 1);
    assert_true(mg_body_clause(&cli, &b, 0, &c));
    assert_true(c.try_len > 255);
    assert_int_equal(b.total, ((12 + b.code_size + 3) & ~3u) + 4 + 24);
    assert_int_equal(cli.t.rows[MG_T_MANIFESTRESOURCE], 1); /* notes.txt */
    mg_cli_close(&cli);
    free(data);
}

static void test_basic32(void **state)
{
    (void)state;
    NEED_FIXTURES();
    check_original("basic32", 32);
}

static void test_basic64(void **state)
{
    (void)state;
    NEED_FIXTURES();
    check_original("basic64", 64);
}

static void check_packed(const char *fx, bool hooked)
{
    char rel[128];
    size_t n;
    snprintf(rel, sizeof rel, "%s/packed.exe", fx);
    uint8_t *data = slurp(rel, &n);
    assert_non_null(data);
    unsigned stubbed = 0, sb = 0, sm = 0;
    pack_counts(fx, &stubbed, &sb, &sm);
    snprintf(rel, sizeof rel, "%s/tokens.txt", fx);
    unsigned ntok = count_lines(rel);
    assert_int_equal(stubbed, ntok);

    /* resources: every one names a method token and holds exactly its code size */
    mg_cli cli;
    mg_error e;
    assert_int_equal(mg_cli_open(data, n, &cli, &e), MG_OK);
    unsigned extra = hooked ? 0 : 1; /* basic also embeds notes.txt, last */
    assert_int_equal(cli.t.rows[MG_T_MANIFESTRESOURCE], ntok + extra);
    for (uint32_t row = 1; row <= ntok + extra; row++) {
        mg_resource res;
        uint32_t m, rva;
        mg_body b;
        assert_true(mg_resource_get(&cli, row, &res));
        assert_true(res.embedded && res.data_ok);
        if (row > ntok) {
            assert_int_equal(res.name_len, 9);
            assert_memory_equal(res.name, "notes.txt", 9);
            assert_false(mg_resource_method_token(&res, &cli, &m));
            continue;
        }
        assert_true(mg_resource_method_token(&res, &cli, &m));
        assert_true(mg_tbl_get(&cli, MG_T_METHODDEF, m, MG_METHOD_RVA, &rva));
        assert_int_equal(mg_body_parse(&cli, rva, &b, &e), MG_OK);
        assert_int_equal(b.code_size, res.data_len);
    }
    mg_cli_close(&cli);

    mg_dotnet_info d;
    assert_int_equal(mg_dotnet_inspect_mem(data, n, &d, &e), MG_OK);
    assert_true(d.is_dotnet && d.jit_packed);
    assert_int_equal(d.il_resources, ntok);
    assert_int_equal(d.stubbed, ntok);
    assert_int_equal(d.intact + d.mismatched, 0);
    assert_int_equal(d.shared_bodies, sb);
    assert_int_equal(d.shared_methods, sm);
    assert_int_equal(d.module_initializer, hooked);
    assert_int_equal(d.getjit_pinvokes, hooked ? 1 : 0);
    assert_string_equal(d.getjit_module, hooked ? "clrjit.dll" : "");

    for (unsigned strip = 0; strip < 2; strip++) {
        void *out;
        size_t on;
        mg_jit_report rep;
        unsigned flags = strip ? MG_JIT_STRIP : 0;
        assert_int_equal(mg_dotnet_jit_unpack(data, n, flags, &out, &on, &rep, &e), MG_OK);
        assert_int_equal(rep.restored, ntok);
        assert_int_equal(rep.split_bodies, sb);
        assert_int_equal(rep.split_methods, sm - sb);
        assert_string_equal(rep.section, ".mgil");
        assert_int_equal(rep.stripped, strip ? ntok : 0);
        assert_int_equal(rep.init, hooked ? MG_JIT_INIT_CALLS_NOPPED : MG_JIT_INIT_NONE);
        assert_int_equal(rep.init_calls, hooked ? 1 : 0);
        mg_dotnet_info u;
        assert_int_equal(mg_dotnet_inspect_mem(out, on, &u, &e), MG_OK);
        assert_false(u.jit_packed);
        assert_int_equal(u.shared_bodies, 0);
        assert_int_equal(u.intact, strip ? 0 : ntok);
        assert_int_equal(u.resources, strip ? extra : ntok + extra);
        if (strip && extra) { /* the ordinary resource is row 1 now, its bytes intact */
            mg_cli o;
            mg_resource res;
            assert_int_equal(mg_cli_open(out, on, &o, &e), MG_OK);
            assert_true(mg_resource_get(&o, 1, &res) && res.data_ok);
            assert_int_equal(res.name_len, 9);
            assert_memory_equal(res.name, "notes.txt", 9);
            assert_true(res.data_len > 10);
            assert_memory_equal((const uint8_t *)out + res.data_off, "notes.txt:", 10);
            mg_cli_close(&o);
        }
        assert_int_equal(u.methods, d.methods);
        /* unpacking again is refused */
        void *again = (void *)1;
        size_t an = 1;
        assert_int_equal(mg_dotnet_jit_unpack(out, on, 0, &again, &an, &rep, &e),
                         MG_ERR_UNSUPPORTED);
        assert_null(again);
        assert_int_equal(an, 0);
        mg_dotnet_free(out);
    }
    free(data);
}

static void test_packed(void **state)
{
    (void)state;
    NEED_FIXTURES();
    check_packed("basic32", false);
    check_packed("basic64", false);
    check_packed("hooked", true);
}

static void test_refusals(void **state)
{
    (void)state;
    NEED_FIXTURES();
    size_t n;
    uint8_t *data = slurp("basic32/orig/Basic.exe", &n);
    void *out = NULL;
    size_t on = 0;
    mg_error e;
    assert_int_equal(mg_dotnet_jit_unpack(data, n, 0, &out, &on, NULL, &e), MG_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "not JIT-hook packed (no IL resources named after method tokens)");
    assert_null(out);
    free(data);
    const uint8_t elf[] = "\x7f" "ELF\x02\x01\x01";
    mg_dotnet_info d;
    assert_int_equal(mg_dotnet_inspect_mem(elf, sizeof elf, &d, &e), MG_ERR_UNSUPPORTED);
    assert_false(d.is_dotnet);
    assert_string_equal(e.msg, "not a .NET assembly (not a PE file)");
    assert_int_equal(mg_dotnet_jit_unpack(elf, 0, 0, &out, &on, NULL, &e), MG_ERR_EMPTY);
    assert_int_equal(mg_dotnet_jit_unpack(NULL, 4, 0, &out, &on, NULL, &e), MG_ERR_ARG);
}

static unsigned hostile_ok, hostile_refused;

/* one damaged input: an error, or an output that reads back as .NET */
static void hostile(const uint8_t *data, size_t n)
{
    mg_dotnet_info d;
    mg_error e;
    mg_dotnet_inspect_mem(data, n, &d, &e);
    for (unsigned strip = 0; strip < 2; strip++) {
        void *out = NULL;
        size_t on = 0;
        mg_jit_report rep;
        if (mg_dotnet_jit_unpack(data, n, strip ? MG_JIT_STRIP : 0, &out, &on, &rep, &e) != MG_OK) {
            assert_null(out);
            assert_true(e.msg[0] && !strchr(e.msg, '\n'));
            hostile_refused++;
            continue;
        }
        hostile_ok++;
        assert_int_equal(mg_dotnet_inspect_mem(out, on, &d, &e), MG_OK);
        mg_dotnet_free(out);
    }
}

static void test_truncations(void **state)
{
    (void)state;
    NEED_FIXTURES();
    const char *files[] = {"hooked/packed.exe", "basic32/packed.exe"};
    for (size_t f = 0; f < 2; f++) {
        size_t n;
        uint8_t *data = slurp(files[f], &n);
        for (size_t len = 0; len < n; len++) {
            uint8_t *cut = malloc(len ? len : 1); /* exact size: ASan sees any overread */
            memcpy(cut, data, len);
            void *out = (void *)1;
            size_t on;
            mg_error e;
            mg_dotnet_info d;
            mg_dotnet_inspect_mem(cut, len, &d, &e);
            assert_int_not_equal(mg_dotnet_jit_unpack(cut, len, MG_JIT_STRIP, &out, &on, NULL, &e),
                                 MG_OK);
            assert_null(out);
            free(cut);
        }
        free(data);
    }
}

static void test_byte_corruptions(void **state)
{
    (void)state;
    NEED_FIXTURES();
    size_t n;
    uint8_t *data = slurp("hooked/packed.exe", &n);
    uint8_t *copy = malloc(n);
    static const uint8_t xors[] = {0xff, 0x80, 0x01};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof xors; k++) {
            memcpy(copy, data, n);
            copy[i] ^= xors[k];
            hostile(copy, n);
        }
    free(copy);
    free(data);
    /* both outcomes occur: damage in a stub still unpacks, damage in a header does not */
    assert_true(hostile_ok > 1000 && hostile_refused > 1000);
}

static void test_random_corruptions(void **state)
{
    (void)state;
    NEED_FIXTURES();
    size_t n;
    uint8_t *data = slurp("basic32/packed.exe", &n);
    mg_cli cli;
    mg_error e;
    assert_int_equal(mg_cli_open(data, n, &cli, &e), MG_OK);
    uint64_t lo = cli.md_off, span = cli.md_size; /* aim at the metadata */
    mg_cli_close(&cli);
    uint8_t *copy = malloc(n);
    uint32_t x = 12345;
    for (int it = 0; it < 3000; it++) {
        memcpy(copy, data, n);
        int k = 1 + it % 8;
        for (int j = 0; j < k; j++) {
            x = x * 1103515245u + 12345u;
            uint64_t at = lo + (x >> 8) % span;
            x = x * 1103515245u + 12345u;
            copy[at] = (uint8_t)(x >> 16);
        }
        hostile(copy, n);
    }
    free(copy);
    free(data);
}

/* ---- the assemblies Mono ships (argv[2]): real compilers' output ---- */

static const char *monodir;

static bool walk_bodies(const mg_cli *cli, unsigned *bodies)
{
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_METHODDEF]; row++) {
        uint32_t rva;
        mg_body b;
        mg_reader code;
        mg_error e;
        if (!mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva))
            return false;
        if (!rva)
            continue;
        if (mg_body_parse(cli, rva, &b, &e) != MG_OK ||
            !mg_rd_sub(&cli->img.r, b.code_off, b.code_size, &code))
            return false;
        uint64_t off = 0;
        while (off < code.size) {
            uint32_t len;
            uint16_t op;
            if (!mg_il_insn(&code, off, &len, &op))
                return false;
            off += len;
        }
        if (off != b.code_size)
            return false;
        for (uint32_t i = 0; i < b.nclauses; i++) {
            mg_eh_clause c;
            if (!mg_body_clause(cli, &b, i, &c) || (uint64_t)c.try_off + c.try_len > b.code_size ||
                (uint64_t)c.handler_off + c.handler_len > b.code_size)
                return false;
        }
        ++*bodies;
    }
    return true;
}

static void test_mono_assemblies(void **state)
{
    (void)state;
    if (!monodir)
        skip();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls %s/*.dll %s/*.exe 2>/dev/null", monodir, monodir);
    FILE *ls = popen(cmd, "r");
    assert_non_null(ls);
    char path[1024];
    unsigned files = 0, bodies = 0;
    while (fgets(path, sizeof path, ls)) {
        path[strcspn(path, "\n")] = 0;
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *data = malloc((size_t)n);
        assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        mg_cli cli;
        mg_error e;
        if (mg_cli_open(data, (size_t)n, &cli, &e) != MG_OK)
            fail_msg("%s: %s", path, e.msg);
        if (!walk_bodies(&cli, &bodies))
            fail_msg("%s: a method body does not decode", path);
        mg_cli_close(&cli);
        mg_dotnet_info d;
        assert_int_equal(mg_dotnet_inspect_mem(data, (size_t)n, &d, &e), MG_OK);
        assert_false(d.jit_packed);
        void *out = NULL;
        size_t on;
        assert_int_equal(mg_dotnet_jit_unpack(data, (size_t)n, 0, &out, &on, NULL, &e),
                         MG_ERR_UNSUPPORTED);
        free(data);
        files++;
    }
    pclose(ls);
    print_message("%u Mono assemblies, %u method bodies decoded\n", files, bodies);
    assert_true(files > 50);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        char probe[1024];
        snprintf(probe, sizeof probe, "%s/mscorlib.dll", argv[2]);
        FILE *f = fopen(probe, "rb");
        if (f) {
            fclose(f);
            monodir = argv[2];
        }
    }
    if (argc > 1) {
        char stamp[1024];
        snprintf(stamp, sizeof stamp, "%s/.stamp", argv[1]);
        FILE *f = fopen(stamp, "r");
        if (f) {
            fclose(f);
            fxdir = argv[1];
        }
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_il_lengths),
        cmocka_unit_test(test_row_layout),
        cmocka_unit_test(test_basic32),
        cmocka_unit_test(test_basic64),
        cmocka_unit_test(test_packed),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_byte_corruptions),
        cmocka_unit_test(test_random_corruptions),
        cmocka_unit_test(test_mono_assemblies),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (!fxdir) {
        fprintf(stderr, "SKIPPED: no .NET fixtures (%s)\n",
                argc > 1 ? argv[1] : "no directory given");
        return rc ? rc : 77;
    }
    return rc;
}
