/* test_diff.c - the library side of `diff`, on cases worked by hand: the
 * package of a name (debug/gosym's PackageName rules), the standard-library
 * test, a replaced module's effective version, and mg_diff_images on
 * images built in memory: duplicates count once, empty tables, one huge
 * table against itself and against a shifted copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "malgopher.h"

static size_t pkg(const char *name)
{
    return mg_func_package(name, strlen(name));
}

static void test_package_of_name(void **state)
{
    (void)state;
    assert_int_equal(pkg("main.main"), 4);
    assert_int_equal(pkg("main.main.func1"), 4);
    assert_int_equal(pkg("net/http.(*Server).Serve"), strlen("net/http"));
    assert_int_equal(pkg("github.com/a/b.(*T).M.func2.1"), strlen("github.com/a/b"));
    assert_int_equal(pkg("gopkg.in/yaml%2ev3.unmarshal"), strlen("gopkg.in/yaml%2ev3"));
    /* the instantiation holds another package's path: ignored */
    assert_int_equal(pkg("example.com/x.Map[...]"), strlen("example.com/x"));
    assert_int_equal(pkg("sort.Slice[go.shape.struct { a/b.c }]"), 4);
    assert_int_equal(pkg("vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"),
                     strlen("vendor/golang.org/x/net/http2/hpack"));
    assert_int_equal(pkg("go:buildid"), 0);
    assert_int_equal(pkg("type:.eq.[2]interface {}"), 0);
    assert_int_equal(pkg("type..eq.[2]interface {}"), 4); /* before Go 1.20: "type" */
    assert_int_equal(pkg("_rt0_amd64_linux"), 0);
    assert_int_equal(mg_func_package("", 0), 0);
    assert_int_equal(mg_func_package(NULL, 5), 0);
}

static void test_std(void **state)
{
    (void)state;
    assert_true(mg_package_is_std("fmt", 3));
    assert_true(mg_package_is_std("net/http", 8));
    assert_true(mg_package_is_std("vendor/golang.org/x/net/http2", 29));
    assert_false(mg_package_is_std("main", 4));
    assert_false(mg_package_is_std("github.com/a/b", 14));
    assert_false(mg_package_is_std("gopkg.in/yaml%2ev3", 18));
}

static void test_effective_version(void **state)
{
    (void)state;
    mg_module plain = {"example.com/a", "v1.2.0", "h1:x", "", ""};
    mg_module fork = {"example.com/a", "v1.2.0", "", "example.com/fork", "v1.3.0"};
    mg_module dir = {"example.com/a", "v1.2.0", "", "../a", ""};
    mg_module devel = {"example.com/a", "v1.2.0", "", "./vendor/a", "(devel)"};
    assert_string_equal(mg_module_effective_version(&plain), "v1.2.0");
    assert_string_equal(mg_module_effective_version(&fork), "v1.3.0");
    assert_string_equal(mg_module_effective_version(&dir), "../a");
    assert_string_equal(mg_module_effective_version(&devel), "./vendor/a");
}

/* an image over names[0..n) (NUL-separated in one buffer) */
static mg_image image_of(mg_func *f, const char *const *names, size_t n)
{
    mg_image im;
    memset(&im, 0, sizeof im);
    im.is_go = true;
    for (size_t i = 0; i < n; i++)
        f[i] = (mg_func){i * 16, names[i], (uint32_t)strlen(names[i]), NULL, 0};
    im.funcs = f;
    im.nfuncs = n;
    return im;
}

static bool eq(const mg_name *n, const char *s)
{
    return n->len == strlen(s) && memcmp(n->s, s, n->len) == 0;
}

static void test_small_diff(void **state)
{
    (void)state;
    const char *a[] = {"main.main", "a/b.F", "a/b.G", "a/b.G", "fmt.Println", "old.X"};
    const char *b[] = {"a/b.F", "main.main", "new/p.Y", "new/p.Z", "fmt.Println", "a/b.H", "a/b.G"};
    mg_func fa[6], fb[7];
    mg_image ia = image_of(fa, a, 6), ib = image_of(fb, b, 7);
    mg_diff d;
    mg_error e;
    assert_int_equal(mg_diff_images(&ia, &ib, &d, &e), MG_OK);
    assert_int_equal(d.names_a, 5); /* a/b.G twice counts once */
    assert_int_equal(d.names_b, 7);
    assert_int_equal(d.nadded, 3);
    assert_true(eq(&d.added[0], "a/b.H"));
    assert_true(eq(&d.added[1], "new/p.Y"));
    assert_true(eq(&d.added[2], "new/p.Z"));
    assert_int_equal(d.nremoved, 1);
    assert_true(eq(&d.removed[0], "old.X"));
    /* packages: a/b 2 -> 3, new/p added (2), old removed (1) */
    assert_int_equal(d.npkgs, 3);
    assert_true(eq(&d.pkgs[0].path, "a/b"));
    assert_int_equal(d.pkgs[0].from, 2);
    assert_int_equal(d.pkgs[0].to, 3);
    assert_true(eq(&d.pkgs[1].path, "new/p"));
    assert_int_equal(d.pkgs[1].from, 0);
    assert_int_equal(d.pkgs[1].to, 2);
    assert_true(eq(&d.pkgs[2].path, "old"));
    assert_int_equal(d.pkgs[2].to, 0);
    assert_int_equal(d.npkgs_a, 4); /* a/b fmt main old */
    assert_int_equal(d.ndeps, 0);   /* no build info */
    mg_diff_free(&d);
}

/* "a/b.c/d.G" (package a/b.c/d) sorts between a/b.Z and a/b.zz: package a/b's
 * names are not adjacent in name order, and must still count together */
static void test_split_package_runs(void **state)
{
    (void)state;
    const char *a[] = {"a/b.zz", "a/b.c/d.G", "a/b.Z"};
    mg_func fa[3];
    mg_image ia = image_of(fa, a, 3);
    mg_package *p;
    size_t n;
    assert_int_equal(mg_image_packages(&ia, &p, &n, NULL), MG_OK);
    assert_int_equal(n, 2);
    assert_true(eq(&p[0].path, "a/b"));
    assert_int_equal(p[0].functions, 2);
    assert_true(eq(&p[1].path, "a/b.c/d"));
    assert_int_equal(p[1].functions, 1);
    free(p);
}

static void test_buildinfo_diff(void **state)
{
    (void)state;
    mg_func f[1];
    const char *n[] = {"main.main"};
    mg_image ia = image_of(f, n, 1), ib = ia;
    mg_module da[] = {{"x.io/keep", "v1", "", "", ""}, {"x.io/gone", "v1", "", "", ""},
                      {"x.io/bump", "v1.0.0", "", "../bump1", "(devel)"}};
    mg_module db[] = {{"x.io/bump", "v1.1.0", "", "../bump2", "(devel)"}, {"x.io/keep", "v1", "", "", ""},
                      {"x.io/new", "v2", "", "x.io/newfork", "v2.1"}};
    mg_setting sa[] = {{"GOOS", "linux"}, {"-ldflags", "-s -w"}};
    mg_setting sb[] = {{"GOOS", "windows"}, {"-trimpath", "true"}};
    ia.buildinfo = (mg_buildinfo){true, "go1.20", "p", {"m", "", "", "", ""}, da, 3, sa, 2};
    ib.buildinfo = (mg_buildinfo){true, "go1.21", "p", {"m", "", "", "", ""}, db, 3, sb, 2};
    mg_diff d;
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.ndeps, 3); /* sorted: bump gone new */
    assert_string_equal(d.deps[0].key, "x.io/bump");
    assert_string_equal(d.deps[0].from, "../bump1");
    assert_string_equal(d.deps[0].to, "../bump2");
    assert_string_equal(d.deps[1].key, "x.io/gone");
    assert_null(d.deps[1].to);
    assert_string_equal(d.deps[2].key, "x.io/new");
    assert_null(d.deps[2].from);
    assert_string_equal(d.deps[2].to, "v2.1");
    assert_int_equal(d.nsettings, 3); /* -ldflags removed, -trimpath added, GOOS changed */
    assert_string_equal(d.settings[0].key, "-ldflags");
    assert_null(d.settings[0].to);
    assert_string_equal(d.settings[1].key, "-trimpath");
    assert_string_equal(d.settings[2].key, "GOOS");
    assert_string_equal(d.settings[2].to, "windows");
    mg_diff_free(&d);
    ib.buildinfo.present = false; /* one side without: nothing claimed */
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.ndeps, 0);
    assert_int_equal(d.nsettings, 0);
    mg_diff_free(&d);
}

static void test_empty_tables(void **state)
{
    (void)state;
    mg_image ia, ib;
    memset(&ia, 0, sizeof ia);
    memset(&ib, 0, sizeof ib);
    ia.is_go = ib.is_go = true;
    mg_diff d;
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.nadded + d.nremoved + d.npkgs + d.names_a + d.names_b, 0);
    mg_diff_free(&d);
    const char *n[] = {"p.F", "q.G"};
    mg_func f[2];
    ib = image_of(f, n, 2);
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.nadded, 2);
    assert_int_equal(d.npkgs, 2);
    mg_diff_free(&d);
    assert_int_equal(mg_diff_images(NULL, &ib, &d, NULL), MG_ERR_ARG);
    assert_int_equal(mg_diff_images(&ia, &ib, NULL, NULL), MG_ERR_ARG);
}

/* 1,000,000 names, against themselves (in reverse order) and against the
 * same set shifted by 1000 */
static void test_huge_tables(void **state)
{
    (void)state;
    enum { N = 1000000, SHIFT = 1000 };
    char *buf = malloc((size_t)(N + SHIFT) * 24);
    mg_func *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    assert_non_null(buf);
    assert_non_null(fa);
    assert_non_null(fb);
    char *p = buf;
    const char **names = malloc((N + SHIFT) * sizeof *names);
    assert_non_null(names);
    for (size_t i = 0; i < N + SHIFT; i++) {
        names[i] = p;
        p += sprintf(p, "pkg%zu/x.F%zu", i % 97, i) + 1;
    }
    for (size_t i = 0; i < N; i++)
        fa[i] = (mg_func){i, names[i], (uint32_t)strlen(names[i]), NULL, 0};
    for (size_t i = 0; i < N; i++)
        fb[i] = fa[N - 1 - i];
    mg_image ia, ib;
    memset(&ia, 0, sizeof ia);
    ia.is_go = true;
    ib = ia;
    ia.funcs = fa;
    ia.nfuncs = N;
    ib.funcs = fb;
    ib.nfuncs = N;
    mg_diff d;
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.nadded + d.nremoved + d.npkgs, 0);
    assert_int_equal(d.npkgs_a, 97);
    mg_diff_free(&d);
    for (size_t i = 0; i < N; i++)
        fb[i] = (mg_func){i, names[i + SHIFT], (uint32_t)strlen(names[i + SHIFT]), NULL, 0};
    assert_int_equal(mg_diff_images(&ia, &ib, &d, NULL), MG_OK);
    assert_int_equal(d.nadded, SHIFT);
    assert_int_equal(d.nremoved, SHIFT);
    assert_true(eq(&d.removed[0], "pkg0/x.F0"));
    mg_diff_free(&d);
    free(names);
    free(fa);
    free(fb);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_package_of_name), cmocka_unit_test(test_std),
        cmocka_unit_test(test_effective_version), cmocka_unit_test(test_small_diff),
        cmocka_unit_test(test_split_package_runs),
        cmocka_unit_test(test_buildinfo_diff), cmocka_unit_test(test_empty_tables),
        cmocka_unit_test(test_huge_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
