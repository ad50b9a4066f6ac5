/* magic_scan.c - owns the fast search for pclntab magic candidates: the
 * places where a header with a true magic can start, in file order.
 *
 * Workload: every data section of a file without a named pclntab section or
 * symbol (stripped PE files, non-Go files), tens of MB per file, full of
 * ff ff ff runs (-1 words, masks, padding) of which almost none is a header.
 *
 * A magic is X ff ff ff (little-endian) or ff ff ff X (big-endian), and a
 * header's bytes 4 and 5 are zero; so a run ff ff ff at `at` can start a
 * header (at at-1 or at at) only when the byte at at+4 is zero.  Eight
 * places are tested at once in a 64-bit word (bytes at at, at+1, at+2, at+4
 * as four loads); only the places that pass reach the caller, which does
 * the full check.  The hits are every place a byte-wise search for ff ff ff
 * would give whose byte at+4 is zero (at the end of the section or file,
 * where the word does not fit, every ff ff ff is given as it is), in the
 * same order, so the caller's results do not change. */
#include "go/pclntab.h"

#include "io/map.h"
#include "util/budget.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* 0x80 in each byte of m that is zero, 0 in every other byte (exact: no
 * borrow crosses a byte) */
static uint64_t zero_bytes(uint64_t m)
{
    uint64_t low7 = ~HIGHS;
    return ~(((m & low7) + low7) | m | low7);
}

/* the byte-wise rule, for the places a whole word does not cover */
static bool tail_hit(const uint8_t *d, uint64_t at, uint64_t end)
{
    return at + 3 <= end && d[at] == 0xff && d[at + 1] == 0xff && d[at + 2] == 0xff;
}

bool mg_pcln_magic_scan(const mg_img *img, const mg_section *s, mg_scan_hit_fn fn, void *ctx)
{
    if (!mg_rd_has(&img->r, s->off, s->filesz) ||
        !mg_budget_spend(img->budget, s->filesz, "section scan")) /* as mg_img_scan_section */
        return false;
    const uint8_t *d = img->r.data;
    uint64_t at = s->off, end = s->off + s->filesz;
    mg_map_populate(d + at, s->filesz); /* all of it is read: one call, not a fault per 64 KiB */
    /* a word at `at` covers places at..at+7 and reads up to at+11: every
     * place must lie in the section (at+7+3 <= end), every byte in the file */
#ifdef __SSE2__
    /* sixteen places at once where SSE2 is there (every x86-64) */
    const __m128i ff = _mm_set1_epi8((char)0xff), zero = _mm_setzero_si128();
    while (at + 18 <= end && at + 20 <= img->r.size) {
        const uint8_t *p = d + at;
        __m128i m = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), ff),
                                                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 1)), ff)),
                                  _mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 2)), ff),
                                                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 4)), zero)));
        for (unsigned bits = (unsigned)_mm_movemask_epi8(m); bits; bits &= bits - 1)
            if (fn(img, s, at + (unsigned)__builtin_ctz(bits), ctx))
                return true;
        at += 16;
    }
#endif
    while (at + 10 <= end && at + 12 <= img->r.size) {
        const uint8_t *p = d + at;
        uint64_t m = ~load64(p) | ~load64(p + 1) | ~load64(p + 2) | load64(p + 4);
        if (zero_bytes(m)) /* some place passes: each one in order */
            for (unsigned k = 0; k < 8; k++)
                if (p[k] == 0xff && p[k + 1] == 0xff && p[k + 2] == 0xff && p[k + 4] == 0 &&
                    fn(img, s, at + k, ctx))
                    return true;
        at += 8;
    }
    for (; at < end; at++)
        if (tail_hit(d, at, end) && fn(img, s, at, ctx))
            return true;
    return false;
}
