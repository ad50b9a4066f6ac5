/* bench_ssdeep.c - throughput of malgopher's ssdeep engine against
 * libfuzzy's fuzzy_update on the same bytes, fed the way gimpfuzzy feeds
 * them (one update per kept function name), and on 16 MiB of random bytes
 * in one update.  Each digest is compared too: a difference exits 1.
 * usage: bench_ssdeep [REPEAT] GO_FILE...   (REPEAT default 5, best run) */
#include <fuzzy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fp/ssdeep_engine.h"
#include "malgopher.h"

typedef struct {
    unsigned char *buf;
    size_t *len; /* the pieces: one per kept name */
    size_t n, pieces, cap, pcap;
} input;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void add_piece(input *in, const char *p, size_t k)
{
    if (in->n + k > in->cap) {
        in->cap = 2 * (in->n + k) + 4096;
        in->buf = realloc(in->buf, in->cap);
    }
    if (in->pieces == in->pcap) {
        in->pcap = 2 * in->pcap + 1024;
        in->len = realloc(in->len, in->pcap * sizeof *in->len);
    }
    if (!in->buf || !in->len)
        exit(2);
    memcpy(in->buf + in->n, p, k);
    in->n += k;
    in->len[in->pieces++] = k;
}

static void add_file(input *in, const char *path)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK)
        return;
    for (size_t i = 0; i < mg_file_image_count(f); i++) {
        const mg_image *im = mg_file_image(f, i);
        for (size_t j = 0; im->is_go && j < im->nfuncs; j++) {
            size_t st;
            if (im->funcs[j].name_len && mg_gimphash_keep(im->funcs[j].name, im->funcs[j].name_len, &st))
                add_piece(in, im->funcs[j].name + st, im->funcs[j].name_len - st);
        }
    }
    mg_file_close(f);
}

/* best of REPEAT: seconds for libfuzzy (which 0) or the engine (1) */
static double run(const input *in, int which, int repeat, char *out)
{
    double best = 1e9;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        const unsigned char *p = in->buf;
        if (which == 0) {
            struct fuzzy_state *f = fuzzy_new();
            for (size_t i = 0; i < in->pieces; p += in->len[i++])
                fuzzy_update(f, p, in->len[i]);
            fuzzy_digest(f, out, 0);
            fuzzy_free(f);
        } else {
            mg_ssdeep s;
            mg_ssdeep_init(&s);
            for (size_t i = 0; i < in->pieces; p += in->len[i++])
                mg_ssdeep_update(&s, p, in->len[i]);
            mg_ssdeep_digest(&s, out);
        }
        double t = now() - t0;
        best = t < best ? t : best;
    }
    return best;
}

static int report(const char *what, const input *in, int repeat)
{
    char a[FUZZY_MAX_RESULT], b[MG_SSDEEP_MAX];
    double tl = run(in, 0, repeat, a), te = run(in, 1, repeat, b);
    printf("| %s | %.1f | %zu | %.0f | %.0f | %.2fx |\n", what, (double)in->n / 1e6, in->pieces,
           (double)in->n / 1e6 / tl, (double)in->n / 1e6 / te, tl / te);
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "bench_ssdeep: digests differ on %s: %s vs %s\n", what, a, b);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int repeat = argc > 1 ? atoi(argv[1]) : 5;
    if (repeat < 1)
        repeat = 5;
    input names = {0}, rnd = {0};
    for (int i = 2; i < argc; i++)
        add_file(&names, argv[i]);
    uint64_t x = 88172645463325252u;
    static char block[1 << 16];
    for (int k = 0; k < 256; k++) {
        for (size_t i = 0; i < sizeof block; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            block[i] = (char)x;
        }
        add_piece(&rnd, block, sizeof block);
    }
    rnd.pieces = 1;
    rnd.len[0] = rnd.n;
    printf("| input | MB | updates | libfuzzy MB/s | engine MB/s | speed-up |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    int rc = 0;
    if (names.n)
        rc |= report("kept names of the Go files given", &names, repeat);
    rc |= report("random bytes, one update", &rnd, repeat);
    return rc;
}
