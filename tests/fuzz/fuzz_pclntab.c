/* fuzz_pclntab.c - libFuzzer target for the pclntab decoder in one layout,
 * chosen at build time with -DFUZZ_GEN (MG_PCLN_12 / 116 / 118 / 120): the
 * input is a table starting at offset 0, validated with that layout forced
 * (and once more from its magic), then every function, name and file read.
 * The input's length parity picks the byte order. */
#include "fuzz_common.h"

#include "go/pclntab.h"

static void walk(const mg_pcln *p)
{
    for (uint64_t i = 0; i < p->nfunc; i++) {
        uint64_t entry;
        const char *s;
        uint32_t len;
        bool cut;
        if (!mg_pcln_func(p, i, &entry, &s, &len, &cut))
            break;
        fuzz_touch(s, len);
        if (mg_pcln_func_file(p, i, &s, &len))
            fuzz_touch(s, len);
    }
    uint64_t a, b;
    mg_pcln_first_last(p, &a, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_reader r = mg_reader_make(data, size, size & 1, 8);
    mg_pcln p;
    if (mg_pcln_validate(&r, 0, FUZZ_GEN, &p))
        walk(&p);
    if (mg_pcln_validate(&r, 0, MG_PCLN_NONE, &p))
        walk(&p);
    return 0;
}
