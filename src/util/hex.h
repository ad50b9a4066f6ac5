/* hex.h - owns the one test for a lowercase hex digest of an exact length
 * (sha256 and gimphash are 64 such digits), used wherever a record read
 * from a file names one: the collection's import and the known-programs
 * reference; and the one decoder of hex text into bytes, which the
 * collection's page readers run on every entry of a query's pages
 * (table lookups, no branch a digit). */
#ifndef MG_UTIL_HEX_H
#define MG_UTIL_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* true when s is exactly len characters of [0-9a-f] */
static inline bool mg_is_lower_hex(const char *s, size_t len)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == len;
}

/* the n bytes that the 2n hex digits (either case) at h spell, into out;
 * false when one of the 2n characters is not a hex digit */
static inline bool mg_hex_decode(const char *h, unsigned char *out, size_t n)
{
#define MG_HEX_DIGITS(X) X('0', 0) X('1', 1) X('2', 2) X('3', 3) X('4', 4) X('5', 5) X('6', 6) X('7', 7) \
    X('8', 8) X('9', 9) X('a', 10) X('b', 11) X('c', 12) X('d', 13) X('e', 14) X('f', 15)              \
    X('A', 10) X('B', 11) X('C', 12) X('D', 13) X('E', 14) X('F', 15)
#define MG_HEX_ENTRY(c, v) [(unsigned char)(c)] = (v) + 1,
    /* a digit's value + 1, 0 for any other byte */
    static const unsigned char value[256] = {MG_HEX_DIGITS(MG_HEX_ENTRY)};
#undef MG_HEX_ENTRY
#undef MG_HEX_DIGITS
    unsigned invalid = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned hi = value[(unsigned char)h[2 * k]], lo = value[(unsigned char)h[2 * k + 1]];
        invalid |= !hi | !lo;
        out[k] = (unsigned char)((hi - 1) << 4 | (lo - 1));
    }
    return !invalid;
}

#endif
