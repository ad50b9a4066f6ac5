/* unicode.h - the character classes the gimphash reference uses (Go's
 * unicode.IsLower / IsUpper / IsNumber) and UTF-8 decoding with Go's rules
 * for invalid bytes. */
#ifndef MG_FP_UNICODE_H
#define MG_FP_UNICODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mg_uc_range {
    uint32_t lo, hi;
} mg_uc_range;

typedef enum mg_uc_class {
    MG_UC_OTHER = 0,
    MG_UC_LOWER,  /* category Ll */
    MG_UC_UPPER,  /* category Lu */
    MG_UC_NUMBER  /* categories Nd, Nl, No */
} mg_uc_class;

#define MG_UC_RUNE_ERROR 0xfffdu

mg_uc_class mg_uc_classify(uint32_t cp);
/* Decode one code point from s[0..n) (n > 0) like Go's utf8.DecodeRune: an
 * invalid or truncated sequence yields U+FFFD and consumes one byte. */
uint32_t mg_utf8_next(const unsigned char *s, size_t n, size_t *used);

extern const mg_uc_range mg_uc_lower[], mg_uc_upper[], mg_uc_number[];
extern const unsigned mg_uc_lower_count, mg_uc_upper_count, mg_uc_number_count;

#endif
