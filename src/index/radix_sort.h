/* radix_sort.h - a stable LSD radix sort of 64-bit keys on their high bits. */
#ifndef MG_INDEX_RADIX_SORT_H
#define MG_INDEX_RADIX_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sort a[0..n) by bits [low_bit, 64) only, stably, 11 bits a pass, using tmp
 * (n keys) as the other buffer.  Returns the buffer (a or tmp) that holds
 * the sorted keys: keys equal in the sorted bits keep their input order. */
uint64_t *mg_radix_sort_high(uint64_t *a, uint64_t *tmp, size_t n, unsigned low_bit);

#endif
