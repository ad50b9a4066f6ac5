/* test_ssdeep_engine.c - malgopher's ssdeep engine (src/fp/ssdeep_engine.c)
 * against the oracle, libfuzzy itself: fuzzy_hash_buf for the one-shot
 * digest, fuzzy_new/fuzzy_update/fuzzy_digest(0) for the streaming one fed
 * in the same random pieces.  Inputs: millions of short random and
 * adversarial ones (all-equal bytes, tiny alphabets, periods, sparse noise
 * that leaves digests short so the block size is halved, lengths at every
 * block-size boundary 3 * 2^k * 64 +- a few bytes, empty, 1 byte) and, when
 * a corpus directory is given, the gimphash kept-name string of every Go
 * executable in it (what gimpfuzzy hashes).
 * usage: test_ssdeep_engine [ROUNDS] [CORPUS_DIR]   (ROUNDS default 1000000; 0 skips
 * the random and long inputs) */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <fuzzy.h>

#include "fp/ssdeep_engine.h"
#include "malgopher.h"

static unsigned long g_rounds = 1000000;
static const char *g_corpus;
static uint64_t g_rng = 0x9e3779b97f4a7c15u;
static unsigned long g_compared;

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static void fail_with(const char *what, const unsigned char *p, size_t n, const char *want,
                      const char *got)
{
    fprintf(stderr, "%s differs on %zu bytes (first %02x): libfuzzy \"%s\", engine \"%s\"\n", what, n,
            n ? p[0] : 0, want, got);
    fail();
}

/* one input, both ways: one-shot and streamed in random pieces */
static void compare(const unsigned char *p, size_t n)
{
    char want[FUZZY_MAX_RESULT], got[MG_SSDEEP_MAX];
    assert_int_equal(fuzzy_hash_buf(p, (uint32_t)n, want), 0);
    assert_true(mg_ssdeep_hash_buf(p, (uint32_t)n, got));
    if (strcmp(want, got) != 0)
        fail_with("fuzzy_hash_buf", p, n, want, got);
    struct fuzzy_state *f = fuzzy_new();
    assert_non_null(f);
    mg_ssdeep s;
    mg_ssdeep_init(&s);
    size_t off = 0;
    while (off < n) {
        size_t k = (rnd() & 3) == 0 ? n - off : 1 + rnd() % (n - off < 97 ? n - off : 97);
        if ((rnd() & 15) == 0)
            k = 0; /* an empty piece changes nothing */
        assert_int_equal(fuzzy_update(f, p + off, k), 0);
        mg_ssdeep_update(&s, p + off, k);
        off += k;
    }
    assert_int_equal(fuzzy_digest(f, want, 0), 0);
    fuzzy_free(f);
    assert_true(mg_ssdeep_digest(&s, got));
    if (strcmp(want, got) != 0)
        fail_with("fuzzy_update", p, n, want, got);
    g_compared++;
}

/* kinds of input: see the file comment */
static void fill(unsigned char *p, size_t n, unsigned kind)
{
    unsigned a = (unsigned)rnd(), period = 1 + (unsigned)(rnd() % 40);
    unsigned char alpha[4] = {(unsigned char)rnd(), (unsigned char)rnd(), (unsigned char)rnd(),
                              (unsigned char)rnd()};
    static const char ident[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./()*_";
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: p[i] = (unsigned char)rnd(); break;
        case 1: p[i] = alpha[rnd() % (1 + a % 4)]; break;
        case 2: p[i] = (unsigned char)a; break;
        case 3: p[i] = i < period ? (unsigned char)rnd() : p[i - period]; break;
        case 4: p[i] = (unsigned char)ident[rnd() % (sizeof ident - 1)]; break;
        default: p[i] = rnd() % 512 == 0 ? (unsigned char)rnd() : (unsigned char)a; break;
        }
    }
}

static void test_empty_and_tiny(void **state)
{
    (void)state;
    unsigned char b[16] = {0};
    compare(b, 0);
    for (unsigned v = 0; v < 256; v++) {
        b[0] = (unsigned char)v;
        compare(b, 1);
        memset(b, (int)v, sizeof b);
        for (size_t n = 2; n <= sizeof b; n++)
            compare(b, n);
    }
}

/* many short inputs of every kind: the low block sizes, fork and reduce */
static void test_random_short(void **state)
{
    (void)state;
    unsigned char b[1024];
    for (unsigned long r = 0; r < g_rounds; r++) {
        size_t n = (r & 7) == 0 ? rnd() % sizeof b : rnd() % 200;
        fill(b, n, (unsigned)(r % 6));
        compare(b, n);
    }
    printf("short inputs compared: %lu\n", g_rounds);
}

/* lengths at each block-size boundary 3 * 2^k * 64 (k <= 13), and long
 * inputs of each kind up to 4 MiB */
static void test_boundaries_and_long(void **state)
{
    (void)state;
    if (g_rounds == 0) {
        skip();
        return;
    }
    size_t cap = (size_t)4 << 20;
    unsigned char *b = malloc(cap + 64);
    assert_non_null(b);
    static const int delta[] = {-7, -2, -1, 0, 1, 2, 7};
    unsigned long before = g_compared;
    for (unsigned k = 0; k <= 13; k++)
        for (unsigned d = 0; d < sizeof delta / sizeof *delta; d++)
            for (unsigned kind = 0; kind < 6; kind += (k > 9 ? 3 : 1)) {
                size_t n = (size_t)((long)(3u << k) * 64 + delta[d]);
                fill(b, n, kind);
                compare(b, n);
            }
    for (unsigned i = 0; i < 36; i++) {
        size_t n = (size_t)(rnd() % cap);
        fill(b, n, i % 6);
        compare(b, n);
    }
    free(b);
    printf("boundary and long inputs compared: %lu\n", g_compared - before);
}

/* the gimphash kept-name string of every Go image in the corpus */
static size_t kept_string(const mg_image *im, unsigned char **buf)
{
    size_t n = 0, cap = 0;
    *buf = NULL;
    for (size_t i = 0; i < im->nfuncs; i++) {
        size_t st, len = im->funcs[i].name_len;
        if (!len || !mg_gimphash_keep(im->funcs[i].name, len, &st))
            continue;
        if (n + len - st > cap) {
            cap = 2 * (n + len) + 4096;
            *buf = realloc(*buf, cap);
            assert_non_null(*buf);
        }
        memcpy(*buf + n, im->funcs[i].name + st, len - st);
        n += len - st;
    }
    return n;
}

static unsigned walk(const char *dir)
{
    unsigned images = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            images += walk(path);
            continue;
        }
        mg_file *f;
        mg_error err;
        if (mg_file_open(path, &f, &err) != MG_OK)
            continue;
        for (size_t i = 0; i < mg_file_image_count(f); i++) {
            const mg_image *im = mg_file_image(f, i);
            if (!im->is_go)
                continue;
            unsigned char *b;
            size_t n = kept_string(im, &b);
            compare(b ? b : (const unsigned char *)"", n);
            /* and the gimpfuzzy the library printed is the same digest */
            char want[FUZZY_MAX_RESULT];
            struct fuzzy_state *fz = fuzzy_new();
            assert_non_null(fz);
            fuzzy_update(fz, b ? b : (const unsigned char *)"", n);
            assert_int_equal(fuzzy_digest(fz, want, 0), 0);
            fuzzy_free(fz);
            assert_string_equal(im->gimpfuzzy, want);
            free(b);
            images++;
        }
        mg_file_close(f);
    }
    closedir(d);
    return images;
}

static void test_corpus_names(void **state)
{
    (void)state;
    if (!g_corpus) {
        skip();
        return;
    }
    unsigned images = walk(g_corpus);
    printf("corpus kept-name strings compared: %u\n", images);
    assert_true(images > 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        g_rounds = strtoul(argv[1], NULL, 10);
    if (argc > 2) {
        struct stat st;
        if (stat(argv[2], &st) != 0 || !S_ISDIR(st.st_mode)) {
            printf("fuzzy_engine_corpus: SKIPPED (no corpus at %s)\n", argv[2]);
            return 77;
        }
        g_corpus = argv[2];
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_tiny),
        cmocka_unit_test(test_random_short),
        cmocka_unit_test(test_boundaries_and_long),
        cmocka_unit_test(test_corpus_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("inputs compared with libfuzzy (each one-shot and streamed): %lu\n", g_compared);
    return rc;
}
