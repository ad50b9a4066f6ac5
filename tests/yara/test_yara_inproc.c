/* test_yara_inproc.c - the `go` and `fuzzy` modules and our module table,
 * driven in-process through libyara (no CLI):
 *   - every module of the table can be imported, an unknown one cannot;
 *   - empty data, text and a truncated ELF header: go.is_go is 0 and every
 *     other go field and function is undefined;
 *   - fuzzy.compare equals libfuzzy's fuzzy_compare on pairs of digests of
 *     related buffers (scores spread over 0-100), and is 0 for malformed
 *     digests (fuzzy_compare: -1);
 *   - fuzzy.ssdeep() / ssdeep(offset, size) equal fuzzy_hash_buf on the
 *     same bytes, also when the data comes in several memory blocks;
 *     undefined outside the data or across a gap. */
#include "yara/mg_yara.h"

#include <fuzzy.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include <cmocka.h>

static const char imports[] =
    "import \"go\"\nimport \"fuzzy\"\nimport \"console\"\n";

/* ---- memory blocks: a buffer cut into pieces (an optional gap) ---- */
typedef struct blocks {
    YR_MEMORY_BLOCK b[4];
    const uint8_t *data[4];
    size_t n, cur;
} blocks;

static const uint8_t *fetch(YR_MEMORY_BLOCK *b)
{
    blocks *bl = b->context;
    return bl->data[b - bl->b];
}

static YR_MEMORY_BLOCK *first(YR_MEMORY_BLOCK_ITERATOR *it)
{
    blocks *bl = it->context;
    bl->cur = 0;
    return bl->n ? &bl->b[0] : NULL;
}

static YR_MEMORY_BLOCK *next(YR_MEMORY_BLOCK_ITERATOR *it)
{
    blocks *bl = it->context;
    return ++bl->cur < bl->n ? &bl->b[bl->cur] : NULL;
}

/* ---- compile one rule, scan, report whether it matched and what it logged ---- */
typedef struct result {
    bool matched;
    char log[160];
} result;

static int callback(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
    (void)ctx;
    result *r = user;
    if (msg == CALLBACK_MSG_RULE_MATCHING)
        r->matched = true;
    if (msg == CALLBACK_MSG_CONSOLE_LOG)
        snprintf(r->log, sizeof r->log, "%s", (const char *)data);
    return CALLBACK_CONTINUE;
}

static YR_RULES *compile(const char *text)
{
    YR_COMPILER *c;
    YR_RULES *rules = NULL;
    assert_int_equal(yr_compiler_create(&c), ERROR_SUCCESS);
    if (yr_compiler_add_string(c, text, NULL) == 0)
        assert_int_equal(yr_compiler_get_rules(c, &rules), ERROR_SUCCESS);
    yr_compiler_destroy(c);
    return rules;
}

/* scan `blocks` (NULL: data/n as one buffer) with "rule r { condition: COND }" */
static result eval_blocks(const char *cond, const uint8_t *data, size_t n, blocks *bl)
{
    char text[8192];
    snprintf(text, sizeof text, "%srule r { condition: %s }\n", imports, cond);
    YR_RULES *rules = compile(text);
    if (!rules)
        fail_msg("rule does not compile: %s", cond);
    result r = {0};
    int res;
    if (bl) {
        YR_MEMORY_BLOCK_ITERATOR it = {.context = bl, .first = first, .next = next};
        for (size_t i = 0; i < bl->n; i++) {
            bl->b[i].context = bl;
            bl->b[i].fetch_data = fetch;
        }
        YR_SCANNER *s;
        assert_int_equal(yr_scanner_create(rules, &s), ERROR_SUCCESS);
        yr_scanner_set_callback(s, callback, &r);
        res = yr_scanner_scan_mem_blocks(s, &it);
        yr_scanner_destroy(s);
    } else {
        res = yr_rules_scan_mem(rules, data, n, 0, callback, &r, 0);
    }
    assert_int_equal(res, ERROR_SUCCESS);
    yr_rules_destroy(rules);
    return r;
}

static bool holds(const char *cond, const uint8_t *data, size_t n)
{
    return eval_blocks(cond, data, n, NULL).matched;
}

/* the value EXPR logs (console.log), or "" when it is undefined */
static const char *value(const char *expr, const uint8_t *data, size_t n, char *buf, size_t cap)
{
    char cond[4096];
    snprintf(cond, sizeof cond, "console.log(%s)", expr);
    snprintf(buf, cap, "%s", eval_blocks(cond, data, n, NULL).log);
    return buf;
}

static void test_module_table(void **st)
{
    (void)st;
    assert_true(mg_yara_module_count() >= 2);
    for (size_t i = 0; i < mg_yara_module_count(); i++) {
        char text[256];
        snprintf(text, sizeof text, "import \"%s\"\nrule r { condition: true }\n",
                 mg_yara_module_name(i));
        YR_RULES *r = compile(text);
        assert_non_null(r);
        yr_rules_destroy(r);
    }
    assert_null(mg_yara_module_name(mg_yara_module_count()));
    assert_null(compile("import \"no_such_module\"\nrule r { condition: true }\n"));
}

/* every go field and function but is_go is undefined on data that is not Go */
static void expect_not_go(const uint8_t *data, size_t n)
{
    static const char *const undefined[] = {
        "go.version", "go.version_source", "go.pclntab_version", "go.goos", "go.goarch",
        "go.stripped", "go.number_of_functions", "go.gimphash", "go.gimpfuzzy",
        "go.gimphash_names", "go.main_package", "go.main_module.path",
        "go.main_module.version", "go.number_of_dependencies", "go.dependencies[0].path",
        "go.dependency(/./)", "go.build_setting(\"GOOS\")", "go.function(\"main.main\")",
        "go.function(/./)", "go.package(\"main\")",
    };
    assert_true(holds("go.is_go == 0", data, n));
    for (size_t i = 0; i < sizeof undefined / sizeof *undefined; i++) {
        char cond[256];
        snprintf(cond, sizeof cond, "not defined %s", undefined[i]);
        if (!holds(cond, data, n))
            fail_msg("%s is defined on non-Go data", undefined[i]);
    }
}

static void test_not_go(void **st)
{
    (void)st;
    expect_not_go((const uint8_t *)"", 0);
    static const char text[] = "#!/bin/sh\necho this is not a Go program\n";
    expect_not_go((const uint8_t *)text, sizeof text - 1);
    /* an ELF header whose section table lies past the end */
    uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    elf[16] = 2;    /* ET_EXEC */
    elf[18] = 0x3e; /* x86-64 */
    elf[0x28] = 0xff; elf[0x29] = 0xff; /* e_shoff far away */
    elf[0x3c] = 5;  /* e_shnum */
    expect_not_go(elf, sizeof elf);
}

/* a buffer of pseudo-random bytes, then `edits` blocks of 1 KiB rewritten */
static uint8_t *variant(size_t n, unsigned seed, int edits)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    unsigned x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    x = seed;
    for (int e = 0; e < edits; e++) {
        x = x * 1103515245u + 12345u;
        size_t at = (x >> 8) % (n - 1024);
        for (size_t i = 0; i < 1024; i++) {
            x = x * 1103515245u + 12345u;
            b[at + i] = (uint8_t)(x >> 16);
        }
    }
    return b;
}

static void test_fuzzy_compare(void **st)
{
    (void)st;
    enum { N = 10, SIZE = 64 * 1024 };
    char digests[N + 6][FUZZY_MAX_RESULT];
    for (int i = 0; i < N; i++) {
        uint8_t *b = variant(SIZE, 7u + (unsigned)i, i * i);
        assert_int_equal(fuzzy_hash_buf(b, SIZE, digests[i]), 0);
        free(b);
    }
    /* malformed (libfuzzy decides: fuzzy_compare -1), fuzzy.compare 0 */
    const char *bad[] = {"", "garbage", "3:abc", "x:abc:def", "12abcdef", ":::"};
    for (int i = 0; i < 6; i++)
        snprintf(digests[N + i], FUZZY_MAX_RESULT, "%s", bad[i]);
    int seen_mid = 0, seen_zero = 0, seen_full = 0, seen_malformed = 0;
    for (int i = 0; i < N + 6; i++)
        for (int j = 0; j < N + 6; j++) {
            int want = fuzzy_compare(digests[i], digests[j]);
            seen_malformed += want == -1;
            if (want < 0)
                want = 0;
            seen_zero += want == 0;
            seen_full += want == 100;
            seen_mid += want > 0 && want < 100;
            char cond[8192];
            snprintf(cond, sizeof cond, "fuzzy.compare(\"%s\", \"%s\") == %d", digests[i],
                     digests[j], want);
            if (!holds(cond, NULL, 0))
                fail_msg("%s", cond);
        }
    assert_true(seen_mid > 5 && seen_zero > 0 && seen_full > 0 && seen_malformed > 20);
}

static void test_fuzzy_ssdeep(void **st)
{
    (void)st;
    enum { SIZE = 40000 };
    uint8_t *b = variant(SIZE, 3, 2);
    char want[FUZZY_MAX_RESULT], buf[1024];
    assert_int_equal(fuzzy_hash_buf(b, SIZE, want), 0);
    assert_string_equal(value("fuzzy.ssdeep()", b, SIZE, buf, sizeof buf), want);
    assert_string_equal(value("fuzzy.ssdeep(0, filesize)", b, SIZE, buf, sizeof buf), want);
    static const size_t ranges[][2] = {{0, 1}, {100, 5000}, {SIZE - 10, 10}, {123, 0}, {SIZE, 0}};
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++) {
        char expr[64];
        assert_int_equal(fuzzy_hash_buf(b + ranges[i][0], ranges[i][1], want), 0);
        snprintf(expr, sizeof expr, "fuzzy.ssdeep(%zu, %zu)", ranges[i][0], ranges[i][1]);
        assert_string_equal(value(expr, b, SIZE, buf, sizeof buf), want);
    }
    assert_true(holds("not defined fuzzy.ssdeep(filesize, 1)", b, SIZE));
    assert_true(holds("not defined fuzzy.ssdeep(0, filesize + 1)", b, SIZE));
    assert_true(holds("not defined fuzzy.ssdeep(-1, 10)", b, SIZE));
    assert_true(holds("not defined fuzzy.ssdeep(0, -1)", b, SIZE));
    /* empty data: the digest of empty input */
    assert_int_equal(fuzzy_hash_buf(b, 0, want), 0);
    assert_string_equal(value("fuzzy.ssdeep()", NULL, 0, buf, sizeof buf), want);
    assert_string_equal(want, "3::");

    /* the same buffer in three blocks: same digests */
    blocks bl = {.n = 3};
    size_t cut[4] = {0, 1000, 25000, SIZE};
    for (size_t i = 0; i < 3; i++) {
        bl.b[i].base = cut[i];
        bl.b[i].size = cut[i + 1] - cut[i];
        bl.data[i] = b + cut[i];
    }
    assert_int_equal(fuzzy_hash_buf(b, SIZE, want), 0);
    snprintf(buf, sizeof buf, "fuzzy.ssdeep() == \"%s\"", want);
    assert_true(eval_blocks(buf, NULL, 0, &bl).matched);
    assert_int_equal(fuzzy_hash_buf(b + 500, 20000, want), 0);
    snprintf(buf, sizeof buf, "fuzzy.ssdeep(500, 20000) == \"%s\"", want);
    assert_true(eval_blocks(buf, NULL, 0, &bl).matched);
    /* a gap between the blocks: ranges across it are undefined */
    bl.b[1].base += 10;
    bl.b[2].base += 10;
    assert_true(eval_blocks("not defined fuzzy.ssdeep()", NULL, 0, &bl).matched);
    assert_true(eval_blocks("not defined fuzzy.ssdeep(500, 20000)", NULL, 0, &bl).matched);
    assert_int_equal(fuzzy_hash_buf(b + 1000, 5000, want), 0);
    snprintf(buf, sizeof buf, "fuzzy.ssdeep(1010, 5000) == \"%s\"", want);
    assert_true(eval_blocks(buf, NULL, 0, &bl).matched);
    free(b);
}

int main(void)
{
    if (yr_initialize() != ERROR_SUCCESS)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_module_table),
        cmocka_unit_test(test_not_go),
        cmocka_unit_test(test_fuzzy_compare),
        cmocka_unit_test(test_fuzzy_ssdeep),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    yr_finalize();
    return failed;
}
