/* ssdeep_parse.h - reading an ssdeep digest the way libfuzzy's
 * fuzzy_compare reads it (block size, two signatures with runs of more than
 * three equal characters cut to three). */
#ifndef MG_FP_SSDEEP_PARSE_H
#define MG_FP_SSDEEP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define MG_SIG_MAX 64 /* SPAMSUM_LENGTH: longest signature fuzzy_compare accepts */
#define MG_GRAM 7     /* ROLLING_WINDOW: length of the common substring it requires */

typedef enum mg_digest_kind {
    MG_DIGEST_STRICT, /* "DIGITS:SIG1:SIG2[,...]", after leading white space
                       * and one '+' (which libfuzzy skips): bs and sigs filled */
    MG_DIGEST_ODD,    /* spelled unusually ('-' sign, huge block size):
                       * fuzzy_compare may still read it; callers compare it
                       * with everything */
    MG_DIGEST_DEAD    /* fuzzy_compare can never score it above 0 */
} mg_digest_kind;

typedef struct mg_digest {
    uint64_t bs;              /* block size (sig1); sig2 is at 2 * bs */
    uint8_t len1, len2;
    char sig1[MG_SIG_MAX];    /* normalised, not NUL-terminated */
    char sig2[MG_SIG_MAX];
} mg_digest;

mg_digest_kind mg_digest_parse(const char *s, mg_digest *out);

#endif
