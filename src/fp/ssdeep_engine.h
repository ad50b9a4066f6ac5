/* ssdeep_engine.h - malgopher's own ssdeep (context-triggered piecewise
 * hash) engine, bit-exact with libfuzzy 2.14's fuzzy_new / fuzzy_update /
 * fuzzy_digest(flags 0) and fuzzy_hash_buf (docs/spec/ssdeep-engine.md).
 * The state is a plain struct: no allocation per call, none per digest. */
#ifndef MG_FP_SSDEEP_ENGINE_H
#define MG_FP_SSDEEP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MG_SSDEEP_LEVELS 31 /* block sizes 3 << 0 .. 3 << 30 */
#define MG_SSDEEP_SPAN 64   /* digest length of one block size */
#define MG_SSDEEP_MAX 148   /* longest digest with its NUL (FUZZY_MAX_RESULT) */

typedef struct mg_ssdeep {
    /* the FNV states, 6 bits in each 8-bit lane: level i is lane i % 8 of
     * word i / 8; h is reset at every trigger, half stops being reset
     * once the level's digest holds 32 characters */
    uint64_t h[4], half[4];
    uint64_t win;         /* the last 7 bytes, newest in the low byte */
    uint32_t r1, r2, r3;  /* the rolling hash's three sums */
    uint32_t rollmask;    /* (1 << start) - 1 */
    unsigned start, end, endlimit; /* active levels [start, end) */
    bool fixed, need_last;
    unsigned char lasth;  /* FNV of level 31's would-be fork */
    uint64_t total, fixed_size, reduce_border;
    unsigned char dindex[MG_SSDEEP_LEVELS];
    char halfdigest[MG_SSDEEP_LEVELS];
    char digest[MG_SSDEEP_LEVELS][MG_SSDEEP_SPAN];
} mg_ssdeep;

void mg_ssdeep_init(mg_ssdeep *s);
/* the input's total length, known up front (fuzzy_set_total_input_length);
 * false when it is too large or differs from an earlier call */
bool mg_ssdeep_set_total(mg_ssdeep *s, uint64_t total);
void mg_ssdeep_update(mg_ssdeep *s, const unsigned char *p, size_t n);
/* the digest as fuzzy_digest(state, out, 0) writes it; false (out "")
 * where libfuzzy fails: input too large, or not the announced length */
bool mg_ssdeep_digest(const mg_ssdeep *s, char out[MG_SSDEEP_MAX]);
/* fuzzy_hash_buf: the one-shot digest of a buffer */
bool mg_ssdeep_hash_buf(const unsigned char *p, uint32_t n, char out[MG_SSDEEP_MAX]);

#endif
