/* test_fixtures.c - the fixture matrix (tests/fixtures/build_matrix.sh)
 * read through the public API and compared with oracles that never touch
 * our code: for every fixture with a symbol table, the function list
 * (address and name) must equal `go tool nm`'s (filtered as documented in
 * tests/oracle/nm_funcs.py and cross-checked there against Go's debug/gosym);
 * for every stripped fixture, gimphash must equal the one computed from the
 * twin's nm names by tests/oracle/gimphash_spec.py and sha256sum; the fat
 * Mach-O must give both slices.  Container facts must match matrix.tsv.
 *
 * usage: test_fixtures FIXTURE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "malgopher.h"

static const char *g_dir;

typedef struct row {
    char name[64], path[128], goos[16], goarch[32], flavor[16], container[16], endian[4],
        twin[64];
    unsigned bits;
} row;

static size_t read_matrix(row *rows, size_t cap)
{
    char p[1024], line[1024];
    snprintf(p, sizeof p, "%s/matrix.tsv", g_dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < cap && fgets(line, sizeof line, f)) {
        row *r = &rows[n];
        if (sscanf(line, "%63s %127s %15s %31s %15s %15s %u %3s %63s", r->name, r->path, r->goos,
                   r->goarch, r->flavor, r->container, &r->bits, r->endian, r->twin) == 9)
            n++;
    }
    fclose(f);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

/* our function list in the oracle's format: "<hex addr>\t<name>\n" */
static char *our_list(const mg_image *im)
{
    size_t cap = 64;
    for (size_t i = 0; i < im->nfuncs; i++)
        cap += im->funcs[i].name_len + 20;
    char *s = malloc(cap), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < im->nfuncs; i++)
        p += sprintf(p, "%llx\t%.*s\n", (unsigned long long)im->funcs[i].entry,
                     (int)im->funcs[i].name_len, im->funcs[i].name);
    *p = 0;
    return s;
}

static void compare_lists(const char *fixture, const mg_image *im, const char *expected_file)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", g_dir, expected_file);
    char *want = slurp(p), *got = our_list(im);
    if (strcmp(want, got) != 0) {
        /* show the first differing line */
        size_t i = 0, line = 1;
        while (want[i] && want[i] == got[i])
            line += want[i++] == '\n';
        fail_msg("%s: function list differs from %s at line %zu", fixture, expected_file, line);
    }
    free(want);
    free(got);
}

static void test_matrix(void **state)
{
    (void)state;
    row rows[64];
    size_t n = read_matrix(rows, 64);
    /* 12 targets x {plain, stripped} + the fat file */
    assert_int_equal(n, 25);
    size_t plain = 0, stripped = 0, fat = 0;
    for (size_t k = 0; k < n; k++) {
        const row *r = &rows[k];
        char path[1024], dir[1024];
        snprintf(path, sizeof path, "%s/%s", g_dir, r->path);
        snprintf(dir, sizeof dir, "%s", r->path);
        char *slash = strrchr(dir, '/');
        assert_non_null(slash);
        *slash = 0;
        mg_file *f;
        mg_error e;
        if (mg_file_open(path, &f, &e) != MG_OK)
            fail_msg("%s: %s", r->name, e.msg);
        if (strcmp(r->container, "MachO-fat") == 0) {
            assert_int_equal(mg_file_image_count(f), 2);
            const mg_image *a = mg_file_image(f, 0), *b = mg_file_image(f, 1);
            assert_string_equal(a->arch, "amd64");
            assert_string_equal(b->arch, "arm64");
            char exp[1200];
            snprintf(exp, sizeof exp, "%s/funcs.expected.x86_64.txt", dir);
            compare_lists(r->name, a, exp);
            snprintf(exp, sizeof exp, "%s/funcs.expected.arm64.txt", dir);
            compare_lists(r->name, b, exp);
            assert_false(a->stripped);
            fat++;
            mg_file_close(f);
            continue;
        }
        assert_int_equal(mg_file_image_count(f), 1);
        const mg_image *im = mg_file_image(f, 0);
        assert_true(im->is_go);
        const char *cont = strcmp(r->container, "MachO") == 0 ? "Mach-O" : r->container;
        assert_string_equal(im->container_name, cont);
        assert_int_equal(im->bits, r->bits);
        assert_int_equal(im->big_endian, strcmp(r->endian, "BE") == 0);
        assert_string_equal(im->arch, r->goarch);
        assert_string_equal(im->os, r->goos);
        assert_string_equal(im->go_version, "go1.19.8"); /* Debian's golang-go */
        assert_int_equal(im->version_source, MG_VSRC_BUILDINFO);
        assert_int_equal(im->pclntab_gen, MG_PCLN_118);
        assert_string_equal(im->buildinfo.path, "example.com/mgfixture");
        assert_string_equal(im->buildinfo.main.path, "example.com/mgfixture");
        char symf[1200];
        snprintf(symf, sizeof symf, "%s/%s/has_symtab", g_dir, dir);
        char *has = slurp(symf);
        if (im->stripped != (strncmp(has, "no", 2) == 0))
            fail_msg("%s: stripped=%d, go tool nm says symbol table: %s", r->name, im->stripped, has);
        free(has);
        if (strcmp(r->flavor, "plain") == 0) {
            char exp[1200];
            snprintf(exp, sizeof exp, "%s/funcs.expected.txt", dir);
            compare_lists(r->name, im, exp);
            plain++;
        } else {
            char exp[1200];
            snprintf(exp, sizeof exp, "%s/%s/gimphash.expected", g_dir, dir);
            char *want = slurp(exp);
            want[strcspn(want, "\n")] = 0;
            if (strcmp(want, im->gimphash) != 0)
                fail_msg("%s: gimphash %s, oracle %s", r->name, im->gimphash, want);
            free(want);
            stripped++;
        }
        mg_file_close(f);
    }
    assert_int_equal(plain, 12);
    assert_int_equal(stripped, 12);
    assert_int_equal(fat, 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_fixtures FIXTURE_DIR\n");
        return 2;
    }
    g_dir = argv[1];
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_matrix)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
