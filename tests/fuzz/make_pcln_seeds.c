/* make_pcln_seeds.c - writes the pclntab fuzzing seeds: one small table per
 * layout, pointer size and byte order (tests/support/pcln_builder.c), with
 * the table at offset 0 as the fuzz_pclntab targets expect, padded so that
 * the length parity selects the byte order.
 * usage: make_pcln_seeds OUTDIR GEN   (GEN: 12, 116, 118 or 120) */
#include <stdio.h>
#include <stdlib.h>

#include "support/pcln_builder.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_pcln_seeds OUTDIR GEN\n");
        return 2;
    }
    int gen = atoi(argv[2]);
    for (int be = 0; be < 2; be++)
        for (unsigned ps = 4; ps <= 8; ps += 4) {
            builder B;
            pcln_build(&B, gen, be, ps);
            char p[4096];
            snprintf(p, sizeof p, "%s/seed-%d-%s-%u", argv[1], gen, be ? "be" : "le", ps);
            FILE *f = fopen(p, "wb");
            if (!f) {
                perror(p);
                return 1;
            }
            size_t n = BLOB - BASE - (be ? 1 : 0); /* odd length: big-endian */
            fwrite(B.b + BASE, 1, n, f);
            fclose(f);
        }
    return 0;
}
