/* ssdeep_score.h - the score libfuzzy's fuzzy_compare gives two normalised
 * signatures, computed with a bit-parallel LCS: the index uses it to skip
 * candidate pairs that cannot reach the wanted score, and, with the common
 * substring test, as the score itself (the tests check it against
 * fuzzy_compare on every pair). */
#ifndef MG_FP_SSDEEP_SCORE_H
#define MG_FP_SSDEEP_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* positions of each byte value in a signature of at most 64 characters */
typedef struct mg_sigmask {
    uint64_t m[256];
    size_t len;
} mg_sigmask;

void mg_sigmask_init(mg_sigmask *m, const char *s, size_t len);
/* score_strings(a, b, block_size) of libfuzzy when a and b share a
 * 7-character substring (otherwise libfuzzy gives 0, so this is an upper
 * bound in every case): 100 - 100 * (64 * d / (la + lb)) / 64 with
 * d = la + lb - 2 * LCS(a, b), capped for small block sizes. */
int mg_sig_score(const mg_sigmask *a, const char *b, size_t lb, uint64_t block_size);

/* true when a and b share a substring of MG_GRAM characters: libfuzzy
 * scores a signature pair 0 without one (its has_common_substring) */
bool mg_sig_common_gram(const mg_sigmask *a, const char *b, size_t lb);

/* many mg_sig_score calls at once (four LCS chains interleaved); a job that
 * cannot reach min_score may stop early and report 0: out[i] is the
 * mg_sig_score value whenever that value is >= min_score */
typedef struct mg_sigjob {
    const mg_sigmask *a;
    const char *b;
    uint32_t lb;
    uint64_t block_size;
} mg_sigjob;
void mg_sig_score_batch(const mg_sigjob *jobs, size_t n, int min_score, int *out);

/* A cheaper bound first: LCS(a, b) <= sum over characters of the smaller
 * count in a and in b.  Histograms have 64 buckets (the base64 alphabet;
 * other bytes share buckets, which only raises the bound). */
void mg_sighist_init(uint8_t h[64], const char *s, size_t len);
static inline uint32_t mg_sighist_overlap(const uint8_t *a, const uint8_t *b)
{
#ifdef __SSE2__
    __m128i sum = _mm_setzero_si128();
    for (int k = 0; k < 64; k += 16) {
        __m128i m = _mm_min_epu8(_mm_loadu_si128((const __m128i *)(a + k)), _mm_loadu_si128((const __m128i *)(b + k)));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(m, _mm_setzero_si128()));
    }
    return (uint32_t)(_mm_cvtsi128_si32(sum) + _mm_cvtsi128_si32(_mm_srli_si128(sum, 8)));
#else
    uint32_t t = 0;
    for (int k = 0; k < 64; k++)
        t += a[k] < b[k] ? a[k] : b[k];
    return t;
#endif
}
/* the smallest LCS with which signatures of lengths la and lb can score
 * min_score (0 when any LCS could) */
uint32_t mg_lcs_needed(size_t la, size_t lb, int min_score);

#endif
