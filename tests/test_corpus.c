/* test_corpus.c - the real-world corpus (../shared/corpus/MANIFEST.tsv):
 * every Go file parses with functions, its Go version, container, bits,
 * byte order and architecture equal the manifest's; every non-Go file is
 * reported as not Go; and eleven files give exactly the gimphash/gimpfuzzy
 * pinned from independent implementations (Nextron's Go reference and
 * GoReSym's function list with the spec applied; issue 2).
 * Files missing from the cache are listed as SKIPPED; with no file at all
 * the program prints SKIPPED and exits 77 (CTest's skip code).
 *
 * usage: test_corpus MANIFEST.tsv CORPUS_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "malgopher.h"

static const char *g_manifest, *g_dir;

static const struct pinned {
    const char *file, *gimphash, *gimpfuzzy;
} pinned[] = {
    {"esbuild/0.0.2_linux-amd64/esbuild",
     "e86f5a584ddddb97ef96623737112fd2050c288da1c67192cd62d6010ff3322b",
     "48:1IxKM5OIC0PgyHiCq/d/YY59QIlFeev9YmWRyoioPMnOVuLAL:V+lUeIPeevSRRXiROALAL"},
    {"esbuild/0.0.9_windows-amd64/esbuild.exe",
     "3bdb6f8ad318e1fbbf9b65b030b6e125cba68f60e30d947a76ffa7300fe3d694",
     "48:QyRKHiCq/d/YKOd06GaIcvHYmy6RyoioPMnOyLAL:YlheaIcv4h6RXiROyLAL"},
    {"esbuild/0.0.9_darwin-amd64/esbuild",
     "7c8addc329cd89f99f7f324f220f47dcc117cdb37684453bfbd2b730cc1bbd6e",
     "48:1IxKMeIC0PgyGiCq/d/YKj9f6laIbpeev9Ymy6RyoioPMnOvLAL:jPlKcaI1eevSh6RXiROvLAL"},
    {"lefthook/0.7.7_windows-386/lefthook.exe",
     "325129300124710e51bb875435581d0d0d1226d29482bee81e7a28dd5847254c",
     "768:aX4s4ls9SndgAF92HQI//ss1Mi641t6170n7NuVKexz3htEnZdsRXfIwiKFIv0Fn:19Z170puVKe13htTdvi6k64N2YQepzC"},
    {"netlify-lfp/1.1.1_linux-arm/local-functions-proxy",
     "f26420211251d45603cf01b3cf5517761432b860beb89179c6cfe7256b6a1b77",
     "384:wsPzKpI+K42hn1nMudI0XqpGrjVkKF92HQI//sMi641tP3i:n+uLhnS0bjVkKF92HQI//sMi641tPy"},
    {"esbuild/0.14.54_linux-s390x/esbuild",
     "681a1ddf332c83b2e20c08419f4e21004ca201acbeaf509a7e76ea068e1e6b0f",
     "384:PYz/iI+l+F92QI/sMi641vshnbRMud50Xqu+yNNa:D+F92QI/sMi641vshnz0Qy6"},
    {"turbo/1.2.16_linux-amd64/turbo",
     "7c52432147f08afd7ee5ae81379687ec727c26d0db00e89fec7160914b30d85d",
     "1536:HPxFzfBXzfIRb88r5I5vj61l+ElpsXdNuVKeIB30wPAG1DHjEcx4N2YQepzv:HPDFfIRb88r5I521l+ElpsXdNuVKeIBk"},
    {"tsgolint/7.0.2008_windows-arm64/tsgolint.exe",
     "2ff1c2bf3bce01e89e3994269d639a0c19ef111db829c2c6a386fbfc39bf95cf",
     "384:7ABRPYTMm+66PWF92QI/sMi641toXRlpnCL:wWF92QI/sMi641toX/pnc"},
    {"esbuild/0.28.2_darwin-arm64/esbuild",
     "27c932d30f2ad0fbb49cca4f45ad54a392e0add827adb518cb79d2242ebcc189",
     "384:2WJ8nBRcF92QI/sMi641tw2qiq2lqj0Vq96Pnn1T3v7nF5JZMudSHTJaJ9qN2:qEF92QI/sMi641t6120j0M6Pn1T3vb/3"},
    {"buf/1.75.0_linux-amd64/buf",
     "ccc28e97f13a392f68ee2a71a39ff52af39041e19615677c3d5ef4085e57be9b",
     "49152:O1ACVZZ7qX+rQDkPlPDNdil+rMSUwaAMKAu8IGRrZ9SUwaWea1zpS4jMUP5p5SkT:G"},
    {"lefthook/2.2.2_windows-amd64/lefthook.exe",
     "18b84135536a5237dadd9cd15e9b70723bd23dcece2d4f88be90839aa498642e",
     "1536:VaNRfo33xl/I5idaCKZMbW02Rkh9c25IELe4Yh4N2YQepzLQ0+vT:V/I5FMq02Rkh9J5IEL5Q0+vT"},
};

#define NCOLS 24
typedef struct mrow {
    char *col[NCOLS];
} mrow;

static size_t split_tabs(char *line, char **col, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        col[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

static void path_of(const char *file, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s", g_dir, file);
}

static bool present(const char *file)
{
    char p[2048];
    path_of(file, p, sizeof p);
    return access(p, R_OK) == 0;
}

/* manifest columns (1-based in the header): 7 format, 8 bits, 9 endianness,
 * 10 arch, 11 go_version, 13 is_go, 14 file */
static void test_manifest(void **state)
{
    (void)state;
    FILE *f = fopen(g_manifest, "r");
    assert_non_null(f);
    char line[8192];
    assert_non_null(fgets(line, sizeof line, f));
    size_t go_ok = 0, notgo_ok = 0, missing = 0, rows = 0;
    while (fgets(line, sizeof line, f)) {
        char *c[NCOLS];
        if (split_tabs(line, c, NCOLS) < 14)
            continue;
        rows++;
        const char *format = c[6], *bits = c[7], *endian = c[8], *arch = c[9],
                   *version = c[10], *is_go = c[12], *file = c[13];
        if (!present(file)) {
            printf("SKIPPED (not in the cache): %s\n", file);
            missing++;
            continue;
        }
        char p[2048];
        path_of(file, p, sizeof p);
        mg_file *mf;
        mg_error e;
        if (mg_file_open(p, &mf, &e) != MG_OK) {
            if (strcmp(is_go, "no") == 0) {
                notgo_ok++;
                continue;
            }
            fail_msg("%s: %s", file, e.msg);
        }
        const mg_image *im = mg_file_image(mf, 0);
        if (strcmp(is_go, "yes") == 0) {
            if (!im->is_go || im->nfuncs == 0)
                fail_msg("%s: not parsed as Go", file);
            if (strcmp(im->go_version, version) != 0)
                fail_msg("%s: Go version %s, manifest %s", file, im->go_version, version);
            const char *cont = strcmp(format, "MachO") == 0 ? "Mach-O" : format;
            if (strcmp(im->container_name, cont) != 0)
                fail_msg("%s: container %s, manifest %s", file, im->container_name, format);
            if ((unsigned)atoi(bits) != im->bits)
                fail_msg("%s: %u-bit, manifest %s", file, im->bits, bits);
            if (im->big_endian != (strcmp(endian, "BE") == 0))
                fail_msg("%s: byte order differs from manifest %s", file, endian);
            if (strcmp(im->arch, arch) != 0)
                fail_msg("%s: arch %s, manifest %s", file, im->arch, arch);
            /* the corpus has no obfuscated or tampered file */
            if (im->obfuscated)
                fail_msg("%s: flagged as obfuscated (false positive)", file);
            if (im->flags & MG_FLAG_RECOVERED)
                fail_msg("%s: pclntab reported as recovered", file);
            go_ok++;
        } else {
            if (mg_file_is_go(mf))
                fail_msg("%s: non-Go file reported as Go", file);
            notgo_ok++;
        }
        mg_file_close(mf);
    }
    fclose(f);
    printf("corpus: %zu manifest rows, %zu Go files verified, %zu non-Go verified, %zu not in the cache\n",
           rows, go_ok, notgo_ok, missing);
    assert_int_equal(rows, 184);
    assert_true(go_ok > 0);
}

static void test_pinned(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t i = 0; i < sizeof pinned / sizeof *pinned; i++) {
        if (!present(pinned[i].file)) {
            printf("SKIPPED (not in the cache): pinned %s\n", pinned[i].file);
            continue;
        }
        char p[2048];
        path_of(pinned[i].file, p, sizeof p);
        mg_file *f;
        mg_error e;
        if (mg_file_open(p, &f, &e) != MG_OK)
            fail_msg("%s: %s", pinned[i].file, e.msg);
        const mg_image *im = mg_file_image(f, 0);
        if (strcmp(im->gimphash, pinned[i].gimphash) != 0)
            fail_msg("%s: gimphash %s, pinned %s", pinned[i].file, im->gimphash, pinned[i].gimphash);
        if (strcmp(im->gimpfuzzy, pinned[i].gimpfuzzy) != 0)
            fail_msg("%s: gimpfuzzy %s, pinned %s", pinned[i].file, im->gimpfuzzy, pinned[i].gimpfuzzy);
        assert_false(im->flags & MG_FLAG_NO_NAMES);
        /* the options the YARA module uses skip entry addresses and the
         * obfuscation signals, never names: the same pinned hashes */
        mg_file *g;
        if (mg_file_open_ex(p, MG_OPT_NO_ENTRIES | MG_OPT_NO_OBFUSCATION, &g, &e) != MG_OK)
            fail_msg("%s: %s", pinned[i].file, e.msg);
        const mg_image *gm = mg_file_image(g, 0);
        if (strcmp(gm->gimphash, pinned[i].gimphash) != 0 ||
            strcmp(gm->gimpfuzzy, pinned[i].gimpfuzzy) != 0 || gm->nfuncs != im->nfuncs)
            fail_msg("%s: hashes differ with MG_OPT_NO_ENTRIES|MG_OPT_NO_OBFUSCATION", pinned[i].file);
        mg_file_close(g);
        mg_file_close(f);
        checked++;
    }
    printf("pinned: %zu of %zu checked\n", checked, sizeof pinned / sizeof *pinned);
    assert_true(checked > 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_corpus MANIFEST.tsv CORPUS_DIR\n");
        return 2;
    }
    g_manifest = argv[1];
    g_dir = argv[2];
    if (access(g_manifest, R_OK) != 0) {
        printf("corpus: SKIPPED (no manifest at %s)\n", g_manifest);
        return 77;
    }
    /* no pinned file present at all: the corpus was not fetched */
    bool any = false;
    for (size_t i = 0; i < sizeof pinned / sizeof *pinned; i++)
        any |= present(pinned[i].file);
    if (!any) {
        printf("corpus: SKIPPED (no corpus at %s; fetch it with ../shared/corpus/fetch.sh %s --tier core)\n",
               g_dir, g_dir);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
