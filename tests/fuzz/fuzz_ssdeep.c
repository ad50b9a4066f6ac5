/* fuzz_ssdeep.c - differential target: malgopher's ssdeep engine against
 * libfuzzy (the oracle) on the input, one-shot (fuzzy_hash_buf) and
 * streamed in pieces whose sizes the first byte chooses.  A difference
 * aborts. */
#include <fuzzy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/ssdeep_engine.h"
#include "fuzz_common.h"

static void differ(const char *what, const char *want, const char *got)
{
    fprintf(stderr, "fuzz_ssdeep: %s: libfuzzy \"%s\", engine \"%s\"\n", what, want, got);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > ((size_t)1 << 24))
        return 0;
    size_t piece = 1 + data[0] % 64; /* 1..64 bytes per update; 64: one piece */
    data++, size--;
    char want[FUZZY_MAX_RESULT], got[MG_SSDEEP_MAX];
    if (fuzzy_hash_buf(data, (uint32_t)size, want) != 0 || !mg_ssdeep_hash_buf(data, (uint32_t)size, got))
        abort();
    if (strcmp(want, got) != 0)
        differ("fuzzy_hash_buf", want, got);
    struct fuzzy_state *f = fuzzy_new();
    if (!f)
        return 0;
    mg_ssdeep s;
    mg_ssdeep_init(&s);
    for (size_t off = 0; off < size;) {
        size_t k = piece == 64 ? size - off : piece < size - off ? piece : size - off;
        fuzzy_update(f, data + off, k);
        mg_ssdeep_update(&s, data + off, k);
        off += k;
    }
    if (fuzzy_digest(f, want, 0) != 0 || !mg_ssdeep_digest(&s, got))
        abort();
    fuzzy_free(f);
    if (strcmp(want, got) != 0)
        differ("fuzzy_update", want, got);
    return 0;
}
