/* test_obfuscation.c - the obfuscation heuristics (src/go/obfuscation.c) on
 * name lists made by hand: garble-style hashed packages and random
 * identifiers are flagged; ordinary Go names, including digit-bearing ones
 * like UTF16ToString, x509 or http2, are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "go/obfuscation.h"

static mg_image image_of(const char *const *names, size_t n, mg_func *store)
{
    mg_image im;
    memset(&im, 0, sizeof im);
    for (size_t i = 0; i < n; i++) {
        store[i].name = names[i];
        store[i].name_len = (uint32_t)strlen(names[i]);
    }
    im.funcs = store;
    im.nfuncs = n;
    return im;
}

static void test_garbled_packages(void **state)
{
    (void)state;
    static const char *const names[] = {
        "runtime.main", "fmt.Println", "main.main",
        "Gk0w9Xn8.(*Hy7TqW3a).Close", "Gk0w9Xn8.Run",
        "QpL2mZ7v.Init", "github.com/x/Tz81Kd0q.New", "XkP0a9WQ.Do",
        "github.com/spf13/cobra.(*Command).Execute",
    };
    mg_func store[16];
    mg_image im = image_of(names, sizeof names / sizeof *names, store);
    mg_obfuscation_score(&im);
    /* package runs: Gk0w9Xn8, QpL2mZ7v, github.com/x/Tz81Kd0q, XkP0a9WQ, cobra */
    assert_int_equal(im.obf_package_runs, 5);
    assert_int_equal(im.obf_hashed_packages, 4);
    assert_true(im.obfuscated);
}

static void test_random_identifiers(void **state)
{
    (void)state;
    const char *names[40];
    static const char *const ids[] = {"github.com/a/b.Ao1cHK9D", "github.com/a/b.Zq3rT8wLm",
                                      "github.com/a/b.(*Xa7Bc2Dd).Qq1Ww2"};
    for (size_t i = 0; i < 40; i++)
        names[i] = ids[i % 3];
    mg_func store[40];
    mg_image im = image_of(names, 40, store);
    mg_obfuscation_score(&im);
    assert_int_equal(im.obf_identifiers, 40);
    assert_int_equal(im.obf_random_identifiers, 40);
    assert_true(im.obfuscated);
}

static void test_ordinary_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "crypto/x509.ParseCertificate", "golang.org/x/net/http2.(*Framer).WriteData",
        "unicode/utf16.Encode", "github.com/a/b.UTF16ToString", "github.com/a/b.Md5Sum",
        "github.com/a/b.Base64Encode", "gopkg.in/yaml.v2.Unmarshal",
        "github.com/BurntSushi/toml.Decode", "github.com/a/b.(*T).MarshalJSON",
        "github.com/a/sha256.Sum256", "github.com/a/b.NewV4",
    };
    mg_func store[16];
    mg_image im = image_of(names, sizeof names / sizeof *names, store);
    mg_obfuscation_score(&im);
    assert_int_equal(im.obf_hashed_packages, 0);
    assert_int_equal(im.obf_random_identifiers, 0);
    assert_false(im.obfuscated);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbled_packages),
        cmocka_unit_test(test_random_identifiers),
        cmocka_unit_test(test_ordinary_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
