/* bench_upx_floor.c - the decoder's floor for reading a UPX-packed ELF:
 * liblzma's and libucl's own decoders, called directly, on the bytes a
 * reader of the unpacked ranges LO-HI cannot do without.  Both decode a
 * block only forwards from its start, so that is every block a range
 * touches, from the block's start to the range's end in it (a prefix
 * decode: the decoder stops there).  The block list (where each block's
 * compressed bytes are, where they land) comes from the library's
 * unpacker, run lazily so that it decodes nothing; the timed decode does
 * not use the library.  Filters are not undone (a linear pass).
 *
 * usage: bench_upx_floor FILE K LO-HI [LO-HI ...]   (offsets in the
 * unpacked file, C syntax: 0x... allowed; "all" for the whole file)
 * prints: decoded bytes per repetition, and CPU ms per repetition (mean of
 * K, CLOCK_PROCESS_CPUTIME_ID).  BENCHMARKS.md, "UPX: lazy decoding". */
#include "unpack/upx.h"
#include "unpack/upx_blocks.h"
#include "unpack/upx_lazy.h"
#include "util/budget.h"

#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <ucl/ucl.h>
#include <unistd.h>

typedef int (*nrv_fn)(const ucl_bytep, ucl_uint, ucl_bytep, ucl_uintp, ucl_voidp);

static nrv_fn nrv(unsigned m)
{
    switch (m) {
    case MG_UPX_NRV2B_LE32: return ucl_nrv2b_decompress_safe_le32;
    case MG_UPX_NRV2D_LE32: return ucl_nrv2d_decompress_safe_le32;
    case MG_UPX_NRV2E_LE32: return ucl_nrv2e_decompress_safe_le32;
    default: return NULL;
    }
}

/* the first want bytes of one block into dst; false when the decoder fails */
__attribute__((noinline)) static bool floor_decode(const uint8_t *src, size_t slen, unsigned method, uint8_t *dst, size_t want, size_t unc)
{
    if (method != MG_UPX_LZMA) {
        /* libucl's safe decoders stop before a literal run or match that
         * would pass the limit: a few bytes of room past want */
        nrv_fn fn = nrv(method);
        ucl_uint n = (ucl_uint)(want + 4096 < unc ? want + 4096 : unc);
        int r = fn ? fn(src, (ucl_uint)slen, dst, &n, NULL) : -1;
        return (r == UCL_E_OK || r == UCL_E_OUTPUT_OVERRUN || r == UCL_E_INPUT_NOT_CONSUMED) && n >= want;
    }
    /* UPX's two property bytes, then a raw LZMA1 stream */
    lzma_options_lzma opt = {0};
    opt.dict_size = unc < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t)unc;
    opt.pb = src[0] & 7;
    opt.lp = src[1] >> 4;
    opt.lc = src[1] & 15;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret r = lzma_raw_decoder(&s, f);
    s.next_in = src + 2;
    s.avail_in = slen - 2;
    s.next_out = dst;
    s.avail_out = want;
    while (r == LZMA_OK && s.avail_out && s.avail_in)
        r = lzma_code(&s, LZMA_RUN);
    bool ok = s.avail_out == 0;
    lzma_end(&s);
    return ok;
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s FILE K LO-HI [LO-HI ...]\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 1;
    }
    const uint8_t *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    mg_budget b;
    mg_budget_init(&b, (uint64_t)st.st_size, 0, 0);
    uint8_t *out = NULL;
    size_t out_size = 0;
    mg_upx_lazy *lz = NULL;
    mg_packer_info info = {0};
    mg_error err = {0};
    bool packed = false;
    if (mg_upx_unpack(data, (size_t)st.st_size, &b, &out, &out_size, &lz, &info, &packed, &err) != MG_OK || !lz) {
        fprintf(stderr, "%s: not a UPX-packed ELF the library reads lazily: %s\n", argv[1], err.msg);
        return 1;
    }
    /* per block: the bytes to decode (the largest need of all the ranges) */
    size_t *want = calloc(lz->n ? lz->n : 1, sizeof *want), total = 0;
    for (int a = 3; a < argc; a++) {
        unsigned long long lo = 0, hi = out_size;
        if (sscanf(argv[a], "%lli-%lli", &lo, &hi) != 2 && strcmp(argv[a], "all") != 0) {
            fprintf(stderr, "bad range %s\n", argv[a]);
            return 2;
        }
        for (unsigned i = 0; i < lz->n; i++) {
            const mg_upx_blk *k = &lz->blk[i];
            if (k->at >= hi || k->at + k->unc <= lo)
                continue;
            size_t w = (size_t)((hi < k->at + k->unc ? hi : k->at + k->unc) - k->at);
            want[i] = w > want[i] ? w : want[i];
        }
    }
    int reps = atoi(argv[2]);
    double t0 = cpu_ms();
    for (int r = 0; r < reps; r++)
        for (unsigned i = 0; i < lz->n; i++) {
            const mg_upx_blk *k = &lz->blk[i];
            if (!want[i])
                continue;
            bool ok = k->cpr == k->unc ? (memcpy(out + k->at, data + k->pos + 12, want[i]), true)
                                       : floor_decode(data + k->pos + 12, k->cpr, k->method, out + k->at, want[i],
                                                      k->unc);
            if (!ok) {
                fprintf(stderr, "block %u does not decode\n", i + 1);
                return 1;
            }
        }
    double t = (cpu_ms() - t0) / (reps > 0 ? reps : 1);
    for (unsigned i = 0; i < lz->n; i++)
        total += want[i];
    printf("%zu %.3f\n", total, t);
    free(want);
    mg_upx_lazy_free(lz);
    free(out);
    munmap((void *)data, (size_t)st.st_size);
    close(fd);
    return 0;
}
