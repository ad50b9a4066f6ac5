/* test_index_corpus.c - on the real-world corpus, the similarity index
 * gives exactly the edge set of fuzzy_compare on all pairs: for the
 * gimpfuzzy digests and for the ssdeep of the whole files (the eval
 * baseline), at every score >= 1.  Prints SKIPPED and exits 77 when no
 * corpus file is present.
 *
 * usage: test_index_corpus MANIFEST.tsv CORPUS_DIR */
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
#include "index/allpairs.h" /* mg_pairs_naive: test-only */

static char *g_fuzzy[512], *g_file[512];
static size_t g_nfuzzy, g_nfile;

static void load(const char *manifest, const char *dir)
{
    FILE *in = fopen(manifest, "r");
    if (!in)
        return;
    char line[8192];
    int col = -1;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        char *f[64];
        int nf = 0;
        for (char *p = line; nf < 64;) {
            f[nf++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = 0;
            p = t + 1;
        }
        if (col < 0) {
            for (int i = 0; i < nf; i++)
                if (!strcmp(f[i], "file"))
                    col = i;
            continue;
        }
        if (col >= nf)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, f[col]);
        if (access(path, R_OK) != 0 || g_nfile >= 512)
            continue;
        char whole[160];
        mg_error e;
        if (mg_fuzzy_hash_file(path, whole, &e) == MG_OK)
            g_file[g_nfile++] = strdup(whole);
        mg_file *mf;
        if (mg_file_open(path, &mf, &e) != MG_OK)
            continue;
        for (size_t i = 0; i < mg_file_image_count(mf) && g_nfuzzy < 512; i++)
            if (mg_file_image(mf, i)->is_go)
                g_fuzzy[g_nfuzzy++] = strdup(mg_file_image(mf, i)->gimpfuzzy);
        mg_file_close(mf);
    }
    fclose(in);
}

static void equal_to_naive(char **d, size_t n)
{
    mg_simindex *ix;
    mg_error e;
    mg_edge *naive, *fast;
    size_t nn, nf;
    assert_int_equal(mg_simindex_build((const char *const *)d, n, &ix, &e), MG_OK);
    assert_int_equal(mg_pairs_naive((const char *const *)d, n, 1, 2, &naive, &nn, &e), MG_OK);
    assert_int_equal(mg_simindex_pairs(ix, 1, 2, false, &fast, &nf, &e), MG_OK);
    printf("%zu digests: %zu pairs score >= 1 (naive), %zu (index)\n", n, nn, nf);
    assert_true(nn > 0); /* the corpus has related samples: the check is not vacuous */
    assert_int_equal(nf, nn);
    for (size_t i = 0; i < nn; i++) {
        assert_int_equal(fast[i].a, naive[i].a);
        assert_int_equal(fast[i].b, naive[i].b);
        assert_int_equal(fast[i].score, naive[i].score);
    }
    free(naive);
    free(fast);
    mg_simindex_free(ix);
}

static void gimpfuzzy_edges(void **st)
{
    (void)st;
    equal_to_naive(g_fuzzy, g_nfuzzy);
}

static void whole_file_edges(void **st)
{
    (void)st;
    equal_to_naive(g_file, g_nfile);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MANIFEST.tsv CORPUS_DIR\n", argv[0]);
        return 2;
    }
    load(argv[1], argv[2]);
    if (g_nfuzzy < 2) {
        printf("index_corpus: SKIPPED (no corpus at %s)\n", argv[2]);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gimpfuzzy_edges),
        cmocka_unit_test(whole_file_edges),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < g_nfuzzy; i++)
        free(g_fuzzy[i]);
    for (size_t i = 0; i < g_nfile; i++)
        free(g_file[i]);
    return rc;
}
