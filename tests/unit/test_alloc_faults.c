/* test_alloc_faults.c - every allocation failure is a clean MG_ERR_NOMEM.
 *
 * For each workload (opening real files: the fixture matrix, the corpus's
 * core files when present, the .NET fixtures when built; the similarity
 * index, families, V-measure and jit-unpack over them; the gimpset index
 * and its reference pairs; a query whose candidate buffer fills exactly;
 * jit-unpack --strip of the JIT-hook fixtures, of hookedca (a kept
 * resource's custom attribute: the CustomAttribute rows re-sorted) and of
 * the .NET Reactor imitation (the CIL emulator running its initializer);
 * the method list of jit-unpack --json on the same assemblies; the
 * emulator on every T_* method of EmuOps.exe, one workload each; the
 * UPX unpacker on real UPX files of ../shared/upx, ELF LZMA and PE NRV2E
 * with relocations, alone and through the whole-file path; the
 * runtime types of two fixtures) the
 * test first runs it once and counts its allocations (src/util/alloc.c),
 * then runs it again once per allocation with exactly that one made to
 * fail, and requires MG_ERR_NOMEM with the message "out of memory" every
 * time.  Under `make test-asan` LeakSanitizer fails the run if any of
 * those paths leaks.  It prints how many allocation sites the library has
 * (call sites of mg_malloc/mg_calloc/mg_realloc/mg_alloc_refused_at,
 * counted in the sources), how many the workloads reached, and names the
 * ones not reached; with every input present (corpus files and .NET
 * fixtures) an unreached site fails the test.
 * A UPX 3.96 Mach-O (arm64, LZMA) that the upx_real test leaves in its
 * fetch directory (UPX_REAL_DIR) is unpacked the same way; without it only
 * upx_macho.c's sites may go unreached.
 * usage: test_alloc_faults SRC_DIR FIXTURE_DIR CORPUS_DIR DOTNET_DIR [UPX_DIR [UPX_REAL_DIR]] */
#include "malgopher.h"
#include "dotnet/metadata/dotnet.h" /* the CIL emulator, internal */
#include "dotnet/emu/emu.h"
#include "index/allpairs.h" /* mg_pairs_naive, mg_setpairs_naive: test-only */
#include "util/alloc.h"
#include "util/error.h"
#include "known/known.h" /* the known-programs reference, internal */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef mg_status (*workload)(void *ctx, mg_error *err);
typedef struct blob {
    unsigned char *data;
    size_t size;
} blob;

/* the first max bytes of a file (data NULL when it cannot be read) */
static blob slurp(const char *path, size_t max)
{
    blob b = {malloc(max), 0};
    FILE *f = fopen(path, "rb");
    if (f && b.data)
        b.size = fread(b.data, 1, max, f);
    if (f)
        fclose(f);
    return b;
}

static int failures;
static unsigned long injected;
static bool input_absent; /* a corpus file or .NET fixture was not there */

/* Under ASan+UBSan (make test-asan) a workload runs ~10x slower, and the
 * emulator's workloads make thousands of allocations each, every rerun
 * replaying the method up to the failing one: quadratic.  There the
 * emulator fails its first EXHAUSTIVE allocations in turn, then every
 * allocation at steps growing by 1/16 (each site it reaches is still failed
 * in the plain build's exhaustive sweep).  The plain build fails every one. */
#if defined(__SANITIZE_ADDRESS__)
#define SAMPLED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAMPLED_BUILD 1
#endif
#endif
#ifndef SAMPLED_BUILD
#define SAMPLED_BUILD 0
#endif
enum { EXHAUSTIVE = 256 };

static unsigned long next_to_fail(unsigned long i, bool sampled)
{
    if (!sampled || i < EXHAUSTIVE)
        return i + 1;
    return i + i / 16;
}

/* run w once clean, then once per allocation with that one failing (every
 * allocation, or the sample above when sampled); returns the count of
 * allocations, adds the failures to *bad */
static unsigned long inject_sampled(const char *name, workload w, void *ctx, unsigned *bad, bool sampled)
{
    mg_error e = {0};
    mg_alloc_fail_nth(0);
    mg_status st = w(ctx, &e);
    unsigned long n = mg_alloc_count();
    if (st != MG_OK) {
        printf("FAIL %s: clean run gave %d (%s)\n", name, st, e.msg);
        failures++;
        ++*bad;
        return 0;
    }
    for (unsigned long i = 1; i <= n; i = next_to_fail(i, sampled)) {
        mg_alloc_fail_nth(i);
        memset(&e, 0, sizeof e);
        st = w(ctx, &e);
        if (st != MG_ERR_NOMEM || strcmp(e.msg, "out of memory") != 0) {
            if ((*bad)++ < 5)
                printf("FAIL %s: allocation %lu of %lu failed, got status %d \"%s\"\n", name, i, n, st, e.msg);
            failures++;
        }
        injected++;
    }
    mg_alloc_fail_nth(0);
    return n;
}

static unsigned long inject_quiet(const char *name, workload w, void *ctx, unsigned *bad)
{
    return inject_sampled(name, w, ctx, bad, false);
}

static void inject_all(const char *name, workload w, void *ctx)
{
    unsigned bad = 0;
    unsigned long n = inject_quiet(name, w, ctx, &bad);
    printf("%-48s %6lu allocations, each failed once: %s\n", name, n, bad ? "FAILED" : "clean");
}

/* ---- workloads ---- */

/* the UPX unpacker alone, then the whole-file path from memory */
static mg_status upx_unpack(void *ctx, mg_error *err)
{
    const blob *b = ctx;
    void *out;
    size_t n;
    mg_status st = mg_unpack_mem(b->data, b->size, &out, &n, NULL, err);
    mg_unpack_free(out);
    if (st != MG_OK)
        return st;
    mg_file *f;
    st = mg_file_open_mem(b->data, b->size, 0, &f, err);
    mg_file_close(f);
    if (st != MG_OK)
        return st;
    /* lazily: the block list and the decodes on demand */
    st = mg_file_open_mem(b->data, b->size, MG_OPT_UNPACK_LAZY, &f, err);
    mg_file_close(f);
    return st;
}

static mg_status open_file(void *ctx, mg_error *err)
{
    mg_file *f;
    mg_status st = mg_file_open_ex(ctx, MG_OPT_FILES, &f, err);
    mg_file_close(f);
    return st;
}

/* open a file and read every image's runtime types (src/go/types*.c) */
static mg_status open_types(void *ctx, mg_error *err)
{
    mg_file *f;
    mg_status st = mg_file_open_ex(ctx, MG_OPT_NO_FUZZY, &f, err);
    for (size_t i = 0; st == MG_OK && i < mg_file_image_count(f); i++) {
        mg_types *t;
        if (!mg_file_image(f, i)->is_go)
            continue;
        st = mg_file_types(f, i, &t, err);
        mg_types_free(t);
    }
    mg_file_close(f);
    return st;
}

typedef struct digests {
    char d[64][160];
    const char *p[64];
    size_t n;
    size_t odd; /* index of an oddly spelled digest */
    char sd[64][MG_GIMPSET_LEN]; /* the same images' gimpsets */
    const char *sp[64];
    size_t ns;
} digests;

/* the gimpset index: pairs, families and a query */
static mg_status set_index_all(void *ctx, mg_error *err)
{
    digests *g = ctx;
    mg_setindex *ix;
    mg_status st = mg_setindex_build(g->sp, g->ns, &ix, err);
    if (st != MG_OK)
        return st;
    mg_edge *e = NULL;
    size_t ne = 0, nfam, nh;
    uint32_t fam[64];
    mg_hit *h = NULL;
    if ((st = mg_setindex_pairs(ix, 20, false, &e, &ne, err)) == MG_OK &&
        (st = mg_setindex_families(ix, 20, fam, &nfam, err)) == MG_OK)
        st = mg_setindex_query(ix, g->sp[0], 20, &h, &nh, err);
    free(h);
    free(e);
    mg_setindex_free(ix);
    return st;
}

/* the known-programs reference (src/known): two records read from text,
 * indexed, and a lookup */
static mg_status known_all(void *ctx, mg_error *err)
{
    digests *g = ctx;
    char *text = malloc(4 * MG_GIMPSET_LEN + 512);
    if (!text)
        return MG_ERR_IO;
    int n = snprintf(text, 4 * MG_GIMPSET_LEN + 512,
                     "{\"malgopher_known\":1,\"built\":\"x\"}\n"
                     "{\"name\":\"a\",\"sha256\":\"%064d\",\"gimpset\":\"%s\",\"gimpset_names\":100}\n"
                     "{\"name\":\"b\",\"gimphash\":\"%064d\",\"gimpset\":\"%s\"}\n",
                     0, g->sp[0], 1, g->sp[g->ns - 1]);
    mg_known *k = NULL;
    mg_status st = mg_known_new(&k, err);
    if (st == MG_OK && (st = mg_known_add_text(k, "ref", text, (size_t)n, err)) == MG_OK &&
        (st = mg_known_index(k, err)) == MG_OK) {
        mg_known_query q = {NULL, NULL, g->sp[0], NULL, 100};
        mg_known_hit h[2];
        if (mg_known_lookup(k, &q, h) < 0)
            st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
    }
    mg_known_free(k);
    free(text);
    return st;
}

static mg_status index_all(void *ctx, mg_error *err)
{
    digests *g = ctx;
    mg_simindex *ix;
    mg_status st = mg_simindex_build(g->p, g->n, &ix, err);
    if (st != MG_OK)
        return st;
    mg_edge *e = NULL;
    size_t ne = 0;
    uint32_t fam[64];
    size_t nfam;
    mg_hit *h = NULL;
    size_t nh;
    mg_families f = {0};
    if ((st = mg_simindex_pairs(ix, 30, 1, false, &e, &ne, err)) == MG_OK &&
        (st = mg_simindex_families(ix, 30, 1, fam, &nfam, err)) == MG_OK &&
        (st = mg_simindex_query(ix, g->p[0], 30, &h, &nh, err)) == MG_OK &&
        (free(h), h = NULL, st = mg_simindex_query(ix, g->p[g->odd], 30, &h, &nh, err)) == MG_OK &&
        (st = mg_cluster_families(g->n, mg_simindex_reps(ix), e, ne, 30, &f, err)) == MG_OK) {
        mg_vmeasure v;
        st = mg_vmeasure_score(fam, f.family_of, g->n, &v, err);
    }
    mg_families_free(&f);
    free(h);
    free(e);
    mg_simindex_free(ix);
    return st;
}

/* a query whose candidates fill their first buffer exactly (one 7-gram,
 * cap 2 * 1 + 1 = 3, shared by the three digests) and whose own content is
 * in the index: the one more slot for it (simindex_query.c) */
static mg_status index_exact_fill(void *ctx, mg_error *err)
{
    (void)ctx;
    static const char *const d[] = {"3:ABCDEFG:", "3:ABCDEFGH:", "3:XABCDEFG:"};
    mg_simindex *ix;
    mg_status st = mg_simindex_build(d, 3, &ix, err);
    if (st != MG_OK)
        return st;
    mg_hit *h = NULL;
    size_t nh = 0;
    st = mg_simindex_query(ix, d[0], 1, &h, &nh, err);
    if (st == MG_OK && (nh < 1 || h[0].index != 0 || h[0].score != 100))
        st = MG_ERR_ARG; /* the identical digest must come first, scoring 100 */
    free(h);
    mg_simindex_free(ix);
    return st;
}

/* enough random digests for the index's tables to take the huge-page
 * allocator (mg_bigbuf_alloc, 2 MiB and more), all sharing one 7-gram */
typedef struct many {
    char (*d)[112];
    const char **p;
    size_t n;
} many;

static mg_status index_many(void *ctx, mg_error *err)
{
    many *m = ctx;
    mg_simindex *ix;
    mg_status st = mg_simindex_build(m->p, m->n, &ix, err);
    if (st != MG_OK)
        return st;
    /* families: every digest shares the 7-gram "ABCDEFG" with 1999 others
     * at its block size, a dense posting list (simindex_dense.c) */
    uint32_t *fam = malloc(m->n * sizeof *fam);
    size_t nfam;
    st = fam ? mg_simindex_families(ix, 30, 1, fam, &nfam, err) : MG_ERR_ARG;
    free(fam);
    mg_simindex_free(ix);
    return st;
}

static mg_status open_mem(void *ctx, mg_error *err)
{
    const blob *b = ctx;
    mg_file *f;
    mg_status st = mg_file_open_mem(b->data, b->size, 0, &f, err);
    mg_file_close(f);
    return st;
}

/* the two images of a diff, opened outside the counted run */
typedef struct pair {
    const mg_image *a, *b;
} pair;

static mg_status diff_images(void *ctx, mg_error *err)
{
    pair *p = ctx;
    mg_diff d;
    mg_status st = mg_diff_images(p->a, p->b, &d, err);
    if (st == MG_OK)
        mg_diff_free(&d);
    return st;
}

static mg_status naive_pairs(void *ctx, mg_error *err)
{
    digests *g = ctx;
    mg_edge *e = NULL;
    size_t ne;
    mg_status st = mg_pairs_naive(g->p, g->n, 30, 1, &e, &ne, err);
    free(e);
    return st;
}

static mg_status dotnet_inspect(void *ctx, mg_error *err)
{
    mg_dotnet_info info;
    return mg_dotnet_inspect(ctx, &info, err);
}

static mg_status jit_unpack(void *ctx, mg_error *err)
{
    blob *b = ctx;
    void *out = NULL;
    size_t n;
    mg_jit_report rep;
    mg_status st = mg_dotnet_jit_unpack(b->data, b->size, MG_JIT_STRIP, &out, &n, &rep, err);
    mg_dotnet_free(out);
    return st;
}

static mg_status jit_methods(void *ctx, mg_error *err)
{
    blob *b = ctx;
    mg_jit_method_info *m = NULL;
    size_t n;
    mg_status st = mg_dotnet_jit_methods(b->data, b->size, &m, &n, err);
    mg_dotnet_free(m);
    return st;
}

/* one static method of an assembly run in the CIL emulator */
typedef struct emu_case {
    const mg_cli *cli;
    uint32_t row;
} emu_case;

static mg_status run_method(void *ctx, mg_error *err)
{
    const emu_case *c = ctx;
    emu *E = malloc(sizeof *E);
    if (!E)
        return MG_ERR_ARG;
    mg_status st = emu_init(E, c->cli, err);
    emu_val ret;
    if (st == MG_OK)
        st = emu_call(E, c->row, NULL, 0, &ret);
    emu_free(E);
    free(E);
    return st;
}

static mg_status set_pairs_naive(void *ctx, mg_error *err)
{
    digests *g = ctx;
    mg_edge *e = NULL;
    size_t ne;
    mg_status st = mg_setpairs_naive(g->sp, g->ns, 20, &e, &ne, err);
    free(e);
    return st;
}

/* ---- inputs ---- */

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void add_digests(digests *g, const char *path)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK)
        return;
    for (size_t i = 0; i < mg_file_image_count(f) && g->n < 64; i++) {
        const mg_image *im = mg_file_image(f, i);
        if (im->is_go && im->gimpfuzzy[0]) {
            snprintf(g->d[g->n], sizeof g->d[g->n], "%s", im->gimpfuzzy);
            g->p[g->n] = g->d[g->n];
            g->n++;
        }
        if (im->is_go && g->ns < 64) {
            snprintf(g->sd[g->ns], sizeof g->sd[g->ns], "%s", im->gimpset);
            g->sp[g->ns] = g->sd[g->ns];
            g->ns++;
        }
    }
    mg_file_close(f);
}

/* the call sites in the library's sources ("file.c:line", one per call) */
static char site_name[512][96];
static unsigned nsite_names;
static size_t src_len; /* of the source root's path */

static unsigned count_sites(const char *dir)
{
    static const char *const pats[] = {"mg_malloc(", "mg_calloc(", "mg_realloc(", "mg_alloc_refused_at(__FILE__"};
    unsigned n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        size_t len = strlen(de->d_name);
        if (!is_file(p)) {
            if (strcmp(de->d_name, "yara") != 0) /* the YARA modules allocate through YARA */
                n += count_sites(p);
            continue;
        }
        if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0 || strcmp(de->d_name, "alloc.c") == 0)
            continue;
        FILE *f = fopen(p, "r");
        char line[4096];
        for (int ln = 1; f && fgets(line, sizeof line, f); ln++)
            for (size_t k = 0; k < sizeof pats / sizeof *pats; k++)
                for (const char *q = line; (q = strstr(q, pats[k])) != NULL; q++) {
                    if (nsite_names < sizeof site_name / sizeof *site_name)
                        snprintf(site_name[nsite_names++], sizeof *site_name, "%s:%d", p + src_len, ln);
                    n++;
                }
        if (f)
            fclose(f);
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s SRC_DIR FIXTURE_DIR CORPUS_DIR DOTNET_DIR\n", argv[0]);
        return 2;
    }
    const char *src = argv[1], *fx = argv[2], *corpus = argv[3], *dn = argv[4];
    static const char *const fixtures[] = {
        "linux-amd64-plain/mgfixture", "linux-mips-stripped/mgfixture", "linux-arm64-stripped/mgfixture",
        "windows-386-stripped/mgfixture.exe", "windows-amd64-plain/mgfixture.exe", "darwin-fat-plain/mgfixture",
        "darwin-arm64-stripped/mgfixture",
    };
    /* small files of the corpus's core tier (the largest take long under ASan) */
    static const char *const core[] = {
        "esbuild/0.0.2_linux-amd64/esbuild", "lefthook/0.7.7_windows-386/lefthook.exe",
        "sherif/1.13.0_linux-amd64/sherif", "esbuild/0.0.9_darwin-amd64/esbuild",
    };
    char p[4096];
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        snprintf(p, sizeof p, "%s/%s", fx, fixtures[i]);
        if (!is_file(p)) {
            printf("SKIPPED: missing fixture %s\n", p);
            return 77;
        }
    }
    mg_alloc_track_sites(true);
    digests g = {0};
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        snprintf(p, sizeof p, "%s/%s", fx, fixtures[i]);
        inject_all(fixtures[i], open_file, p);
        add_digests(&g, p);
    }
    /* the runtime types of two fixtures (ELF little-endian, Mach-O fat) */
    static const char *const typed[] = {"linux-arm64-stripped/mgfixture", "darwin-fat-plain/mgfixture"};
    for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
        char name[160];
        snprintf(p, sizeof p, "%s/%s", fx, typed[i]);
        snprintf(name, sizeof name, "types %s", typed[i]);
        inject_all(name, open_types, p);
    }
    for (size_t i = 0; i < sizeof core / sizeof *core; i++) {
        snprintf(p, sizeof p, "%s/%s", corpus, core[i]);
        if (!is_file(p)) {
            printf("(corpus file absent, not tested: %s)\n", p);
            input_absent = true;
            continue;
        }
        inject_all(core[i], open_file, p);
        add_digests(&g, p);
    }
    /* odd digests go to fuzzy_compare: one of them, and a copy of a digest */
    snprintf(g.d[g.n], sizeof g.d[g.n], "%s", "99999999999999:abcdefgh:ijklmnop"); /* a huge block size: odd */
    g.p[g.n] = g.d[g.n];
    g.odd = g.n++;
    if (g.n < 64) {
        g.p[g.n] = g.p[0];
        g.n++;
    }
    inject_all("similarity index, families, V-measure", index_all, &g);
    inject_all("all pairs (reference)", naive_pairs, &g);
    inject_all("query filling its candidate buffer exactly", index_exact_fill, NULL);
    if (g.ns) {
        inject_all("gimpset index, pairs, families, query", set_index_all, &g);
        inject_all("gimpset all pairs (reference)", set_pairs_naive, &g);
        inject_all("known programs: read, index, look up", known_all, &g);
    }

    many m = {calloc(4000, sizeof *m.d), calloc(4000, sizeof *m.p), 4000};
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned long x = 88172645463325252ul;
    for (size_t i = 0; m.d && m.p && i < m.n; i++) {
        char s1[65], s2[33];
        for (int k = 0; k < 64; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            s1[k] = b64[x % 64];
            if (k < 32)
                s2[k] = b64[(x >> 8) % 64];
        }
        s1[64] = s2[32] = 0;
        memcpy(s1, "ABCDEFG", 7);
        snprintf(m.d[i], sizeof m.d[i], "%u:%s:%s", 3u << (i % 2), s1, s2);
        m.p[i] = m.d[i];
    }
    if (m.d && m.p)
        inject_all("index and families over 4000 random digests", index_many, &m);
    free(m.d);
    free(m.p);

    /* a diff between two builds of the fixture (plain and stripped, and two architectures) */
    static const char *const diffs[][2] = {{"linux-amd64-plain/mgfixture", "linux-mips-stripped/mgfixture"},
                                           {"linux-arm64-stripped/mgfixture", "windows-amd64-plain/mgfixture.exe"}};
    for (size_t i = 0; i < sizeof diffs / sizeof *diffs; i++) {
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", fx, diffs[i][0]);
        snprintf(pb, sizeof pb, "%s/%s", fx, diffs[i][1]);
        mg_file *fa = NULL, *fb = NULL;
        mg_error e;
        if (mg_file_open(pa, &fa, &e) == MG_OK && mg_file_open(pb, &fb, &e) == MG_OK) {
            pair pr = {mg_file_image(fa, 0), mg_file_image(fb, 0)};
            char name[160];
            snprintf(name, sizeof name, "diff %s %s", diffs[i][0], diffs[i][1]);
            inject_all(name, diff_images, &pr);
        } else {
            printf("FAIL diff: cannot open %s or %s\n", pa, pb);
            failures++;
        }
        mg_file_close(fa);
        mg_file_close(fb);
    }

    /* a damaged container (MZ without a PE header over a Go ELF): the raw
     * fallback, from memory */
    snprintf(p, sizeof p, "%s/%s", fx, fixtures[0]);
    blob raw = slurp(p, 1 << 24);
    if (raw.size > 64) {
        unsigned char *w = raw.data;
        memset(w, 0, 64);
        w[0] = 'M', w[1] = 'Z', w[0x3c] = 0xff, w[0x3d] = 0xff, w[0x3e] = 0xff; /* e_lfanew past the end */
        inject_all("damaged container, raw fallback (memory)", open_mem, &raw);
    }
    free(raw.data);

    static const char *const dotnet[] = {"hooked/packed.exe", "basic64/packed.exe", "basic32/packed.exe",
                                         "hookedca/packed.exe", "reactor/packed.exe"};
    for (size_t i = 0; i < sizeof dotnet / sizeof *dotnet; i++) {
        snprintf(p, sizeof p, "%s/%s", dn, dotnet[i]);
        if (!is_file(p)) {
            printf("(.NET fixture absent, not tested: %s)\n", p);
            input_absent = true;
            continue;
        }
        inject_all(dotnet[i], dotnet_inspect, p);
        blob b = slurp(p, 1 << 22);
        char name[128];
        snprintf(name, sizeof name, "jit-unpack --strip %s", dotnet[i]);
        if (b.size)
            inject_all(name, jit_unpack, &b);
        snprintf(name, sizeof name, "jit-unpack --json's method list %s", dotnet[i]);
        if (b.size)
            inject_all(name, jit_methods, &b);
        free(b.data);
    }

    /* the UPX unpacker on real UPX files (../shared/upx) */
    static const char *const upx[] = {"gosu-386-lzma-magic", "wordfreq-win386-stripped.exe"};
    for (size_t i = 0; argc > 5 && i < sizeof upx / sizeof *upx; i++) {
        snprintf(p, sizeof p, "%s/%s", argv[5], upx[i]);
        blob b = slurp(p, 1 << 23);
        char name[128];
        snprintf(name, sizeof name, "UPX unpack %s", upx[i]);
        if (b.size)
            inject_all(name, upx_unpack, &b);
        else {
            printf("(UPX sample absent, not tested: %s)\n", p);
            input_absent = true;
        }
        free(b.data);
    }

    /* a real UPX Mach-O, left by the upx_real test */
    bool macho_absent = true;
    if (argc > 6) {
        snprintf(p, sizeof p, "%s/macho-arm64-lzma", argv[6]);
        blob b = slurp(p, 1 << 23);
        if (b.size) {
            inject_all("UPX unpack macho-arm64-lzma (UPX 3.96)", upx_unpack, &b);
            macho_absent = false;
        }
        free(b.data);
    }
    if (macho_absent)
        printf("(UPX Mach-O sample absent (the upx_real test makes it), not tested: upx_macho.c)\n");

    src_len = strlen(src);
    /* the CIL emulator: every T_* method of EmuOps.exe, one workload each */
    snprintf(p, sizeof p, "%s/emuops/EmuOps.exe", dn);
    blob eo = slurp(p, 1 << 22);
    mg_cli cli;
    mg_error ce;
    if (!eo.size) {
        printf("(.NET fixture absent, not tested: %s)\n", p);
        input_absent = true;
    } else if (mg_cli_open(eo.data, eo.size, &cli, &ce) != MG_OK) {
        printf("FAIL %s: %s\n", p, ce.msg);
        failures++;
    } else {
        unsigned bad = 0, nm = 0;
        unsigned long n = 0;
        for (uint32_t row = 1; row <= cli.t.rows[MG_T_METHODDEF]; row++) {
            uint32_t nmi;
            const char *name;
            size_t len;
            if (mg_tbl_get(&cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &nmi) &&
                mg_cli_string(&cli, nmi, &name, &len) && strncmp(name, "T_", 2) == 0) {
                emu_case c = {&cli, row};
                n += inject_sampled(name, run_method, &c, &bad, SAMPLED_BUILD);
                nm++;
            }
        }
        printf("%-48s %6lu allocations, %s: %s\n", "emulator: the T_* methods of EmuOps.exe", n,
               SAMPLED_BUILD ? "a sample failed (sanitizer build)" : "each failed once", bad || !nm ? "FAILED" : "clean");
        failures += !nm;
        mg_cli_close(&cli);
    }
    free(eo.data);

    src_len = strlen(src);
    unsigned total = count_sites(src);
    size_t reached = mg_alloc_sites();
    printf("allocation sites: %u in src/ (YARA modules excluded), %zu reached; %lu allocations failed in turn\n",
           total, reached, injected);
    /* the sites never reached, by name */
    for (unsigned k = 0; k < nsite_names; k++) {
        size_t ln = strlen(site_name[k]);
        bool hit = false;
        for (size_t i = 0; i < reached && !hit; i++) {
            mg_alloc_site(i, p, sizeof p);
            size_t lp = strlen(p);
            hit = lp >= ln && strcmp(p + lp - ln, site_name[k]) == 0;
        }
        if (!hit) {
            bool excused = input_absent || (macho_absent && strstr(site_name[k], "upx_macho.c"));
            printf("  not reached: %s%s\n", site_name[k] + 1, excused ? "" : " (FAIL: every input is present)");
            failures += !excused;
        }
    }
    if (getenv("MG_ALLOC_SITES"))
        for (size_t i = 0; i < reached; i++) {
            mg_alloc_site(i, p, sizeof p);
            printf("  reached %s\n", p);
        }
    printf("%s\n", failures ? "FAILED" : "all allocation failures were clean MG_ERR_NOMEM");
    return failures ? 1 : 0;
}
