/* test_json_fields.c - the flat JSON reader of `hash --json` lines
 * (cli/families/hashdb_read.c) against values the test encodes itself:
 * random objects of random keys whose string values hold every escape
 * JSON has (\" \\ \/ \b \f \n \r \t, \u with BMP code points and
 * surrogate pairs) and raw UTF-8, in random order, so that every key is
 * found after skipping escaped values of every kind; each lookup must
 * give back the decoded value the test started from.  Then lines whose
 * skipped value is malformed (a \u without four hex digits, a backslash
 * at the end, no closing quote): a key after it is not found, as JSON
 * says the line is not an object, while a key before it still is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "families/families.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* code point cp as UTF-8 at out; the length */
static size_t utf8(char *out, unsigned cp)
{
    if (cp < 0x80)
        return out[0] = (char)cp, 1;
    if (cp < 0x800)
        return out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000)
        return out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
               out[2] = (char)(0x80 | (cp & 0x3f)), 3;
    return out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
           out[2] = (char)(0x80 | (cp >> 6 & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f)), 4;
}

/* one random value: its decoded bytes in plain, its JSON text (quotes
 * excluded) in enc */
static void random_value(char *plain, size_t *np, char *enc, size_t *ne)
{
    static const char simple[] = "\"\\/\b\f\n\r\t", letter[] = "\"\\/bfnrt";
    size_t len = next() % 60, p = 0, e = 0;
    for (size_t k = 0; k < len; k++) {
        unsigned kind = next() % 6;
        if (kind == 0) { /* a two-character escape */
            size_t i = next() % 8;
            plain[p++] = simple[i];
            enc[e++] = '\\';
            enc[e++] = letter[i];
        } else if (kind == 1) { /* \uXXXX of a BMP code point outside the surrogates */
            unsigned cp = 1 + next() % 0xfffe;
            if (cp >= 0xd800 && cp <= 0xdfff)
                cp = 0x263a;
            p += utf8(plain + p, cp);
            e += (size_t)sprintf(enc + e, "\\u%04X", cp);
        } else if (kind == 2) { /* a surrogate pair */
            unsigned cp = 0x10000 + next() % 0x100000;
            p += utf8(plain + p, cp);
            e += (size_t)sprintf(enc + e, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                                 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else if (kind == 3) { /* raw UTF-8 */
            size_t n = utf8(plain + p, 0x4e00 + next() % 0x100);
            memcpy(enc + e, plain + p, n);
            p += n;
            e += n;
        } else { /* a plain printable character */
            char c = (char)(' ' + next() % 95);
            if (c == '"' || c == '\\')
                c = 'x';
            plain[p++] = enc[e++] = c;
        }
    }
    *np = p;
    *ne = e;
}

static void test_random_objects(void **state)
{
    (void)state;
    enum { KEYS = 8 };
    static char line[1 << 16], plain[KEYS][1024], enc[1024], got[1024];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0, np[KEYS];
        n += (size_t)sprintf(line + n, "{");
        for (int k = 0; k < KEYS; k++) {
            size_t ne;
            random_value(plain[k], &np[k], enc, &ne);
            plain[k][np[k]] = 0;
            n += (size_t)sprintf(line + n, "%s\"k%d\":%s\"%.*s\"", k ? "," : "", k, next() % 2 ? " " : "", (int)ne, enc);
            if (next() % 3 == 0) /* scalars between the strings */
                n += (size_t)sprintf(line + n, ",\"n%d\":%u,\"b%d\":%s", k, next(), k, next() % 2 ? "true" : "false");
        }
        sprintf(line + n, "}");
        for (int k = 0; k < KEYS; k++) {
            char key[8];
            sprintf(key, "k%d", k);
            if (strlen(plain[k]) != np[k]) /* a U+0000 never comes out of random_value */
                fail_msg("round %d: a NUL in a value", round);
            assert_true(json_get_str(line, key, got, sizeof got));
            assert_string_equal(got, plain[k]);
        }
        assert_false(json_get_str(line, "absent", got, sizeof got));
    }
}

static void test_malformed_skipped_value(void **state)
{
    (void)state;
    static const char *bad[] = {"\\u12G4", "\\u12", "\\ud83d\\uZZZZ", "abc\\", "no closing quote"};
    char line[256], got[64];
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        bool open = k == 4 || k == 3; /* the value's quote is never closed */
        snprintf(line, sizeof line, "{\"first\":\"ok\",\"bad\":\"%s%s,\"after\":\"x\"}", bad[k], open ? "" : "\"");
        assert_true(json_get_str(line, "first", got, sizeof got));
        assert_string_equal(got, "ok");
        assert_false(json_get_str(line, "after", got, sizeof got));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_objects),
        cmocka_unit_test(test_malformed_skipped_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
