/* test_gimphash.c - the gimphash name rules (docs/spec/gimphash.md "Name rules") worked by
 * hand on single names, the Unicode classes the reference uses, Go-style
 * UTF-8 decoding, and the fixed values for empty input (SHA-256 of nothing,
 * ssdeep "3::"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fp/unicode.h"
#include "malgopher.h"

/* kept text, or NULL when the rules skip the name */
static const char *kept(const char *name)
{
    size_t start;
    if (!mg_gimphash_keep(name, strlen(name), &start))
        return NULL;
    return name + start;
}

static void test_prefix_rules(void **state)
{
    (void)state;
    assert_null(kept("go.buildid"));
    assert_null(kept("type..eq.main.T"));
    assert_null(kept("runtime.main"));
    assert_null(kept("runtime/debug.Stack"));
    assert_null(kept("sync.(*Mutex).Lock"));
    assert_null(kept("syncthing/lib.Run"));    /* plain prefix test */
    assert_null(kept("types.New"));            /* starts with "type" */
    assert_null(kept("timeutil.Now"));         /* starts with "time" */
    assert_null(kept("strconv.Itoa"));
    assert_null(kept("unicode/utf8.DecodeRune"));
    assert_null(kept("reflect.ValueOf"));
    assert_null(kept("syscall.Syscall"));
    assert_string_equal(kept("fmt.Println"), "fmt.Println");
    assert_string_equal(kept("os.Exit"), "os.Exit");
}

static void test_vendor_and_internal(void **state)
{
    (void)state;
    /* everything up to and including the LAST vendor/ is dropped */
    assert_string_equal(kept("a/vendor/b/vendor/golang.org/x/net/http2.NewFramer"),
                        "golang.org/x/net/http2.NewFramer");
    assert_string_equal(kept("vendor/golang.org/x/crypto/chacha20.NewUnauthenticatedCipher"),
                        "golang.org/x/crypto/chacha20.NewUnauthenticatedCipher");
    /* after trimming, the prefix test applies to the trimmed name */
    assert_null(kept("vendor/runtime.X"));
    assert_null(kept("internal/poll.(*FD).Read"));
    assert_null(kept("github.com/a/b/internal/c.F"));
    assert_null(kept("vendor/golang.org/x/net/internal/socket.X"));
    /* "internal" without a slash does not count */
    assert_string_equal(kept("github.com/a/internalx.F"), "github.com/a/internalx.F");
    /* an "internal/" before the last "vendor/" is trimmed away with it */
    assert_string_equal(kept("a/internal/vendor/b/c.F"), "b/c.F");
    /* both are plain substrings (strings.Contains / LastIndex), not path
     * elements: "myinternal/" skips, "myvendor/" trims */
    assert_null(kept("example.com/myinternal/b.F"));
    assert_string_equal(kept("example.com/myvendor/B.F"), "B.F");
    /* the slash of the last "vendor/" is not the package's slash: the base
     * is the whole trimmed name, "Foo.Bar" -> "Bar" -> "Bar" */
    assert_string_equal(kept("x/vendor/Foo.Bar"), "Foo.Bar");
    assert_null(kept("x/vendor/Foo.bar"));
}

static void test_public_rules(void **state)
{
    (void)state;
    assert_null(kept("main.main"));
    assert_string_equal(kept("main.Main"), "main.Main");
    assert_string_equal(kept("github.com/x/y.(*T).M"), "github.com/x/y.(*T).M");
    assert_null(kept("github.com/x/y.(*t).M"));   /* receiver type lower-case */
    assert_null(kept("github.com/x/y.T.m"));      /* method lower-case */
    assert_null(kept("github.com/x/y.T.func1"));  /* closure of exported func */
    assert_string_equal(kept("github.com/x/y.T.Func1"), "github.com/x/y.T.Func1");
    assert_string_equal(kept("os.Exit.1"), "os.Exit.1");      /* digit decides "keep" */
    assert_string_equal(kept("pkg._X"), "pkg._X");            /* '_' is passed over */
    assert_null(kept("pkg._x"));
    assert_string_equal(kept("pkg.___"), "pkg.___");          /* no letter: kept */
    assert_null(kept("noslash"));                             /* no dot: base = all */
    assert_string_equal(kept("NoSlash"), "NoSlash");
    assert_null(kept("lower"));
    /* the dot of the domain is not the package dot: text after the last '/' */
    assert_string_equal(kept("github.com/x/Y.F"), "github.com/x/Y.F");
    assert_null(kept("github.com/x/y.f"));
    /* generic instantiation: '[' is passed over */
    assert_string_equal(kept("github.com/x/y.Map[...]"), "github.com/x/y.Map[...]");
}

static void test_unicode_rules(void **state)
{
    (void)state;
    assert_string_equal(kept("main.\xc3\x9c" "ber"), "main.\xc3\x9c" "ber"); /* U+00DC Ü: Lu */
    assert_null(kept("main.\xc3\xa4rger"));                                 /* U+00E4 ä: Ll */
    /* U+4E16 (CJK, category Lo) is passed over; then 'x' decides: skip */
    assert_null(kept("main.\xe4\xb8\x96x"));
    assert_string_equal(kept("main.\xe4\xb8\x96X"), "main.\xe4\xb8\x96X");
    /* U+00B2 superscript two is No: a number, so kept */
    assert_string_equal(kept("main.\xc2\xb2x"), "main.\xc2\xb2x");
    /* invalid UTF-8 byte is U+FFFD (So): passed over */
    assert_null(kept("main.\xffx"));
    assert_string_equal(kept("main.\xffX"), "main.\xffX");
}

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(mg_uc_classify('a'), MG_UC_LOWER);
    assert_int_equal(mg_uc_classify('Z'), MG_UC_UPPER);
    assert_int_equal(mg_uc_classify('7'), MG_UC_NUMBER);
    assert_int_equal(mg_uc_classify('_'), MG_UC_OTHER);
    assert_int_equal(mg_uc_classify(0x00b5), MG_UC_LOWER);  /* MICRO SIGN, Ll */
    assert_int_equal(mg_uc_classify(0x00aa), MG_UC_OTHER);  /* FEMININE ORDINAL, Lo */
    assert_int_equal(mg_uc_classify(0x01c5), MG_UC_OTHER);  /* Dž titlecase, Lt */
    assert_int_equal(mg_uc_classify(0x0391), MG_UC_UPPER);  /* GREEK ALPHA */
    assert_int_equal(mg_uc_classify(0x03b1), MG_UC_LOWER);  /* greek alpha */
    assert_int_equal(mg_uc_classify(0x0660), MG_UC_NUMBER); /* ARABIC-INDIC ZERO, Nd */
    assert_int_equal(mg_uc_classify(0x2163), MG_UC_NUMBER); /* ROMAN NUMERAL FOUR, Nl */
    assert_int_equal(mg_uc_classify(0x00bd), MG_UC_NUMBER); /* ONE HALF, No */
    assert_int_equal(mg_uc_classify(0x1d400), MG_UC_UPPER); /* MATHEMATICAL BOLD CAPITAL A */
    assert_int_equal(mg_uc_classify(0x4e16), MG_UC_OTHER);
    assert_int_equal(mg_uc_classify(0xfffd), MG_UC_OTHER);
}

static void test_utf8_like_go(void **state)
{
    (void)state;
    size_t used;
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xc3\x9c", 2, &used), 0xdc);
    assert_int_equal(used, 2);
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xf0\x9d\x90\x80", 4, &used), 0x1d400);
    assert_int_equal(used, 4);
    /* overlong, surrogate, truncated, stray continuation: U+FFFD, one byte */
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xc0\x80", 2, &used), 0xfffd);
    assert_int_equal(used, 1);
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xed\xa0\x80", 3, &used), 0xfffd);
    assert_int_equal(used, 1);
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xe4\xb8", 2, &used), 0xfffd);
    assert_int_equal(used, 1);
    assert_int_equal(mg_utf8_next((const unsigned char *)"\x80", 1, &used), 0xfffd);
    assert_int_equal(mg_utf8_next((const unsigned char *)"\xf4\x90\x80\x80", 4, &used), 0xfffd);
}

static void test_empty_input(void **state)
{
    (void)state;
    char hex[65], fz[160];
    const char *names[] = {"main.main", "runtime.main"};
    uint32_t lens[] = {9, 12};
    assert_int_equal(mg_gimphash_names(names, lens, 2, hex, fz), 0);
    /* SHA-256 of the empty string (FIPS 180-2 test value) */
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(fz, "3::");
}

static void test_concatenation(void **state)
{
    (void)state;
    /* kept "main.Foo" then "main.Bar": SHA-256("main.Foomain.Bar"), value from
     * `printf %s main.Foomain.Bar | sha256sum` */
    char hex[65];
    const char *names[] = {"main.Foo", "main.main", "main.Bar"};
    uint32_t lens[] = {8, 9, 8};
    assert_int_equal(mg_gimphash_names(names, lens, 3, hex, NULL), 2);
    assert_string_equal(hex, "c6733c6bf450f1c0428b7f3781cf4c29784a49fc7cc65bb1047e30e8f2f4adbe");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_rules),   cmocka_unit_test(test_vendor_and_internal),
        cmocka_unit_test(test_public_rules),   cmocka_unit_test(test_unicode_rules),
        cmocka_unit_test(test_classes),        cmocka_unit_test(test_utf8_like_go),
        cmocka_unit_test(test_empty_input),    cmocka_unit_test(test_concatenation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
