/* unicode.c - range-table lookup and Go-compatible UTF-8 decoding. */
#include "fp/unicode.h"

#include <stdbool.h>

static bool in_ranges(const mg_uc_range *r, unsigned n, uint32_t cp)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

mg_uc_class mg_uc_classify(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z')
            return MG_UC_LOWER;
        if (cp >= 'A' && cp <= 'Z')
            return MG_UC_UPPER;
        if (cp >= '0' && cp <= '9')
            return MG_UC_NUMBER;
        return MG_UC_OTHER;
    }
    if (in_ranges(mg_uc_lower, mg_uc_lower_count, cp))
        return MG_UC_LOWER;
    if (in_ranges(mg_uc_upper, mg_uc_upper_count, cp))
        return MG_UC_UPPER;
    if (in_ranges(mg_uc_number, mg_uc_number_count, cp))
        return MG_UC_NUMBER;
    return MG_UC_OTHER;
}

static bool cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

uint32_t mg_utf8_next(const unsigned char *s, size_t n, size_t *used)
{
    unsigned char b = s[0];
    *used = 1;
    if (b < 0x80)
        return b;
    if (b >= 0xc2 && b <= 0xdf) {
        if (n >= 2 && cont(s[1])) {
            *used = 2;
            return (uint32_t)(b & 0x1f) << 6 | (s[1] & 0x3f);
        }
        return MG_UC_RUNE_ERROR;
    }
    if (b >= 0xe0 && b <= 0xef) {
        unsigned char lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;
        if (n >= 3 && s[1] >= lo && s[1] <= hi && cont(s[2])) {
            *used = 3;
            return (uint32_t)(b & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        }
        return MG_UC_RUNE_ERROR;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        unsigned char lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;
        if (n >= 4 && s[1] >= lo && s[1] <= hi && cont(s[2]) && cont(s[3])) {
            *used = 4;
            return (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
                   (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
        }
    }
    return MG_UC_RUNE_ERROR;
}
