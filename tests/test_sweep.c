/* test_sweep.c - the deterministic mutation sweep: for one small fixture per
 * container (ELF LE, ELF BE, PE32, PE32+, Mach-O, fat Mach-O) the file is
 * truncated at every header/table boundary and at regular steps, and bytes
 * of the headers, the pclntab header, the functab and the build info are
 * overwritten with 0x00, 0xFF and random values (fixed seed).  Every case
 * must end in a result or a clean one-line error, within a time bound per
 * case, and the process's peak memory must stay within a bound.
 * usage: test_sweep FIXTURE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <cmocka.h>

#include "malgopher.h"
#include "support/fixture_io.h"

#define CASE_SECONDS 5.0      /* generous: the suite also runs under ASan */
#define PEAK_RSS_MB 1024      /* whole process, all cases */
#define STEPS 96              /* regular truncation points per file */

static const char *g_dir;
static unsigned long g_cases, g_ok, g_errors;
static double g_slowest;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t rng = 0x2545f491u;
static uint8_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (uint8_t)rng;
}

/* one case: open from memory, read everything, check the outcome */
static void run_case(const uint8_t *data, size_t size, const char *what, size_t where)
{
    double t0 = now();
    mg_file *f;
    mg_error e;
    memset(&e, 0, sizeof e);
    mg_status st = mg_file_open_mem(data, size, MG_OPT_FILES, &f, &e);
    if (st == MG_OK) {
        for (size_t i = 0; i < mg_file_image_count(f); i++) {
            const mg_image *im = mg_file_image(f, i);
            volatile unsigned sum = 0;
            for (size_t k = 0; k < im->nfuncs; k++)
                for (uint32_t j = 0; j < im->funcs[k].name_len; j++)
                    sum += (unsigned char)im->funcs[k].name[j];
            if (im->is_go && strlen(im->gimphash) != 64)
                fail_msg("%s at %zu: no gimphash", what, where);
        }
        mg_file_close(f);
        g_ok++;
    } else {
        if (st != MG_ERR_MALFORMED && st != MG_ERR_UNSUPPORTED && st != MG_ERR_EMPTY &&
            st != MG_ERR_NOT_GO)
            fail_msg("%s at %zu: unexpected status %d (%s)", what, where, st, e.msg);
        if (e.msg[0] == 0 || strchr(e.msg, '\n'))
            fail_msg("%s at %zu: error without a one-line reason", what, where);
        g_errors++;
    }
    double dt = now() - t0;
    if (dt > g_slowest)
        g_slowest = dt;
    if (dt > CASE_SECONDS)
        fail_msg("%s at %zu: took %.2f s", what, where, dt);
    g_cases++;
}

typedef struct points {
    size_t v[512];
    size_t n;
} points;

static void add(points *p, size_t off, size_t size)
{
    if (off < size && p->n < sizeof p->v / sizeof *p->v)
        p->v[p->n++] = off;
}

/* offsets worth hitting: container headers, pclntab header and functab,
 * build info header */
static void interesting(const blob *b, points *p, bool be)
{
    for (size_t o = 0; o < 512; o += 4)
        add(p, o, b->size);
    mg_file *f;
    mg_error e;
    if (mg_file_open_mem(b->data, b->size, 0, &f, &e) != MG_OK)
        fail_msg("fixture does not open: %s", e.msg);
    for (size_t i = 0; i < mg_file_image_count(f); i++) {
        const mg_image *im = mg_file_image(f, i);
        size_t pc = (size_t)im->pclntab_offset;
        for (size_t o = 0; o < 8 + 8 * 8; o += 4)
            add(p, pc + o, b->size);
        /* functab: word 7 of a Go 1.18 header, then (entryoff, funcoff) pairs */
        unsigned ps = im->bits / 8;
        size_t ftab = pc + (size_t)(ps == 8 ? blob_get64(b, pc + 8 + 7 * 8, be)
                                           : blob_get32(b, pc + 8 + 7 * 4, be));
        for (size_t k = 0; k < 32; k++)
            add(p, ftab + 4 * k, b->size);
        add(p, ftab + 8 * (im->nfuncs / 2), b->size);
        add(p, ftab + 8 * im->nfuncs, b->size);
    }
    mg_file_close(f);
    size_t bi = blob_find(b, "\xff Go buildinf:", 14);
    if (bi != SIZE_MAX)
        for (size_t o = 0; o < 48; o += 2)
            add(p, bi + o, b->size);
}

static void sweep(const char *file, bool be)
{
    blob orig = blob_load(g_dir, file);
    points p = {.n = 0};
    interesting(&orig, &p, be);
    /* truncations: at every interesting offset (and just after), regular steps */
    for (size_t i = 0; i < p.n; i++) {
        run_case(orig.data, p.v[i], file, p.v[i]);
        run_case(orig.data, p.v[i] + 1, file, p.v[i] + 1);
    }
    for (size_t s = 1; s <= STEPS; s++)
        run_case(orig.data, orig.size * s / (STEPS + 1), file, orig.size * s / (STEPS + 1));
    /* overwrites: 4 bytes at each interesting offset with 00, FF, random */
    blob t = blob_copy(&orig);
    for (size_t i = 0; i < p.n; i++)
        for (int kind = 0; kind < 3; kind++) {
            size_t at = p.v[i], n = at + 4 <= t.size ? 4 : t.size - at;
            for (size_t k = 0; k < n; k++)
                t.data[at + k] = kind == 0 ? 0x00 : kind == 1 ? 0xff : next_random();
            run_case(t.data, t.size, file, at);
            memcpy(t.data + at, orig.data + at, n);
        }
    blob_free(&t);
    blob_free(&orig);
}

static void test_elf_le(void **s) { (void)s; sweep("linux-amd64-stripped/mgfixture", false); }
static void test_elf_be(void **s) { (void)s; sweep("linux-s390x-stripped/mgfixture", true); }
static void test_pe32(void **s) { (void)s; sweep("windows-386-stripped/mgfixture.exe", false); }
static void test_pe32plus(void **s) { (void)s; sweep("windows-amd64-stripped/mgfixture.exe", false); }
static void test_macho(void **s) { (void)s; sweep("darwin-arm64-stripped/mgfixture", false); }
static void test_fat(void **s) { (void)s; sweep("darwin-fat-plain/mgfixture", false); }

static int report(void **state)
{
    (void)state;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long mb = ru.ru_maxrss / 1024;
    printf("sweep: %lu cases (%lu results, %lu clean errors), slowest %.3f s, peak RSS %ld MB\n",
           g_cases, g_ok, g_errors, g_slowest, mb);
    return mb <= PEAK_RSS_MB ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_sweep FIXTURE_DIR\n");
        return 2;
    }
    g_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_le),   cmocka_unit_test(test_elf_be),
        cmocka_unit_test(test_pe32),     cmocka_unit_test(test_pe32plus),
        cmocka_unit_test(test_macho),    cmocka_unit_test(test_fat),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
