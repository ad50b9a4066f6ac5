/* radix_sort.c - owns the stable radix sort on the high bits of 64-bit keys
 * (the similarity index sorts its gram entries on their hash bits). */
#include "index/radix_sort.h"

#include <string.h>

uint64_t *mg_radix_sort_high(uint64_t *a, uint64_t *tmp, size_t n, unsigned low_bit)
{
    static const unsigned bits = 11;
    size_t cnt[1u << 11];
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = low_bit; shift < 64; shift += bits) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(src[i] >> shift) & ((1u << bits) - 1)]++;
        if (n && cnt[(src[0] >> shift) & ((1u << bits) - 1)] == n)
            continue; /* every key has this digit: nothing moves */
        size_t sum = 0;
        for (size_t b = 0; b < (1u << bits); b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & ((1u << bits) - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}
