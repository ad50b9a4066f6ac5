/* test_tamper.c - tampered binaries, each made here from a fixture of the
 * matrix: a stomped pclntab magic, ELF section headers removed, Mach-O
 * sections renamed, PE section names changed with a garbage symbol-table
 * pointer, the build info destroyed.  The function list and fingerprints
 * must stay those of the untampered file (itself checked against
 * `go tool nm` by test_fixtures), the Go version must still be found.
 * usage: test_tamper FIXTURE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "malgopher.h"
#include "support/fixture_io.h"

static const char *g_dir;
static unsigned g_variants;

static mg_file *open_blob(const blob *b)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open_mem(b->data, b->size, 0, &f, &e) != MG_OK)
        fail_msg("open failed: %s", e.msg);
    return f;
}

/* tampered must give the same functions and fingerprints as orig */
static void assert_same_go(const blob *orig, const blob *tampered, const char *what)
{
    mg_file *a = open_blob(orig), *b = open_blob(tampered);
    const mg_image *x = mg_file_image(a, 0), *y = mg_file_image(b, 0);
    if (!y->is_go)
        fail_msg("%s: not recognised as Go", what);
    if (x->nfuncs != y->nfuncs)
        fail_msg("%s: %zu functions, original %zu", what, y->nfuncs, x->nfuncs);
    for (size_t i = 0; i < x->nfuncs; i++)
        if (x->funcs[i].entry != y->funcs[i].entry || x->funcs[i].name_len != y->funcs[i].name_len ||
            memcmp(x->funcs[i].name, y->funcs[i].name, x->funcs[i].name_len) != 0)
            fail_msg("%s: function %zu differs", what, i);
    assert_string_equal(x->gimphash, y->gimphash);
    assert_string_equal(x->gimpfuzzy, y->gimpfuzzy);
    assert_int_equal(x->pclntab_gen, y->pclntab_gen);
    assert_string_equal(y->go_version, "go1.19.8");
    mg_file_close(a);
    mg_file_close(b);
    g_variants++;
}

static size_t pclntab_offset(const blob *b)
{
    mg_file *f = open_blob(b);
    size_t off = (size_t)mg_file_image(f, 0)->pclntab_offset;
    mg_file_close(f);
    return off;
}

static void test_stomped_magic(void **state)
{
    (void)state;
    static const struct { const char *file; bool be; } fx[] = {
        {"linux-amd64-plain/mgfixture", false},     /* found by section name */
        {"linux-386-stripped/mgfixture", false},    /* 32-bit */
        {"linux-s390x-stripped/mgfixture", true},   /* big-endian */
        {"windows-amd64-stripped/mgfixture.exe", false}, /* no section name: scan */
        {"windows-386-plain/mgfixture.exe", false}, /* runtime.pclntab symbol */
        {"darwin-arm64-plain/mgfixture", false},
    };
    static const uint32_t magics[] = {0, 0x12345678u, 0xfffffffbu, 0xfffffffau};
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
        blob orig = blob_load(g_dir, fx[i].file);
        size_t off = pclntab_offset(&orig);
        for (size_t m = 0; m < sizeof magics / sizeof *magics; m++) {
            blob t = blob_copy(&orig);
            blob_put32(&t, off, magics[m], fx[i].be);
            assert_same_go(&orig, &t, fx[i].file);
            mg_file *f = open_blob(&t);
            assert_true(mg_file_image(f, 0)->flags & MG_FLAG_RECOVERED);
            mg_file_close(f);
            blob_free(&t);
        }
        blob_free(&orig);
    }
}

static void test_elf_without_section_headers(void **state)
{
    (void)state;
    static const struct { const char *file; bool is64, be; } fx[] = {
        {"linux-amd64-plain/mgfixture", true, false},
        {"linux-mips-stripped/mgfixture", false, true},
        {"linux-ppc64-plain/mgfixture", true, true},
    };
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
        blob orig = blob_load(g_dir, fx[i].file), t = blob_copy(&orig);
        bool be = fx[i].be;
        size_t shoff = fx[i].is64 ? (size_t)blob_get64(&t, 40, be) : blob_get32(&t, 32, be);
        /* e_shentsize, e_shnum (16-bit each) */
        size_t shent, shnum, base = fx[i].is64 ? 58 : 46;
        shent = be ? (size_t)(t.data[base] << 8 | t.data[base + 1]) : (size_t)(t.data[base + 1] << 8 | t.data[base]);
        shnum = be ? (size_t)(t.data[base + 2] << 8 | t.data[base + 3]) : (size_t)(t.data[base + 3] << 8 | t.data[base + 2]);
        assert_true(shoff > 0 && shoff + shent * shnum <= t.size);
        memset(t.data + shoff, 0, shent * shnum);           /* table zeroed */
        if (fx[i].is64)
            blob_put64(&t, 40, 0, be);                       /* e_shoff = 0 */
        else
            blob_put32(&t, 32, 0, be);
        memset(t.data + base + 2, 0, 4);                     /* e_shnum, e_shstrndx */
        assert_same_go(&orig, &t, fx[i].file);
        blob_free(&t);
        blob_free(&orig);
    }
}

static void rename_all(blob *t, const char *from, const char *to)
{
    size_t n = strlen(from), hits = 0, at;
    assert_int_equal(n, strlen(to));
    while ((at = blob_find(t, from, n)) != SIZE_MAX) {
        memcpy(t->data + at, to, n);
        hits++;
    }
    assert_true(hits > 0);
}

static void test_macho_sections_renamed(void **state)
{
    (void)state;
    blob orig = blob_load(g_dir, "darwin-amd64-stripped/mgfixture"), t = blob_copy(&orig);
    /* only inside the load commands: section names are 16-byte fields there */
    blob head = {t.data, 0x4000};
    rename_all(&head, "__gopclntab", "__xxxxxxxxx");
    rename_all(&head, "__go_buildinfo", "__xx_xxxxxxxxx");
    rename_all(&head, "__text", "__xxxx");
    assert_same_go(&orig, &t, "darwin-amd64-stripped renamed");
    blob_free(&t);
    blob_free(&orig);
}

static void test_pe_names_and_symtab_pointer(void **state)
{
    (void)state;
    static const char *const fx[] = {"windows-amd64-plain/mgfixture.exe",
                                     "windows-386-plain/mgfixture.exe",
                                     "windows-arm64-plain/mgfixture.exe"};
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
        blob orig = blob_load(g_dir, fx[i]), t = blob_copy(&orig);
        uint32_t pe = blob_get32(&t, 0x3c, false);
        size_t coff = pe + 4;
        unsigned nsect = t.data[coff + 2] | t.data[coff + 3] << 8;
        unsigned optsz = t.data[coff + 16] | t.data[coff + 17] << 8;
        size_t sh = coff + 20 + optsz;
        for (unsigned k = 0; k < nsect; k++)
            memcpy(t.data + sh + 40 * k, "junk\0\0\0\0", 8); /* every name changed */
        blob_put32(&t, coff + 8, 0xfffffff0u, false);       /* symbol table pointer */
        assert_same_go(&orig, &t, fx[i]);
        mg_file *f = open_blob(&t);
        assert_true(mg_file_image(f, 0)->stripped); /* the symbols are out of reach now */
        mg_file_close(f);
        blob_free(&t);
        blob_free(&orig);
    }
}

static void test_buildinfo_destroyed(void **state)
{
    (void)state;
    static const struct { const char *file; mg_version_source src; } fx[] = {
        {"linux-amd64-plain/mgfixture", MG_VSRC_BUILDVERSION},   /* through the symbol */
        {"windows-386-stripped/mgfixture.exe", MG_VSRC_STRING},  /* string header scan */
        {"linux-s390x-stripped/mgfixture", MG_VSRC_STRING},
        {"darwin-arm64-plain/mgfixture", MG_VSRC_BUILDVERSION},
    };
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
        blob orig = blob_load(g_dir, fx[i].file), t = blob_copy(&orig);
        size_t at = blob_find(&t, "\xff Go buildinf:", 14);
        assert_true(at != SIZE_MAX);
        memset(t.data + at, 0xa5, 64); /* magic and header gone */
        assert_same_go(&orig, &t, fx[i].file);
        mg_file *f = open_blob(&t);
        const mg_image *im = mg_file_image(f, 0);
        assert_false(im->buildinfo.present);
        assert_int_equal(im->version_source, fx[i].src);
        mg_file_close(f);
        blob_free(&t);
        blob_free(&orig);
    }
}

static int report(void **state)
{
    (void)state;
    printf("tampered variants checked: %u\n", g_variants);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_tamper FIXTURE_DIR\n");
        return 2;
    }
    g_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stomped_magic),
        cmocka_unit_test(test_elf_without_section_headers),
        cmocka_unit_test(test_macho_sections_renamed),
        cmocka_unit_test(test_pe_names_and_symtab_pointer),
        cmocka_unit_test(test_buildinfo_destroyed),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
