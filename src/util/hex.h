/* hex.h - owns the one test for a lowercase hex digest of an exact length
 * (sha256 and gimphash are 64 such digits), used wherever a record read
 * from a file names one: the collection's import and the known-programs
 * reference. */
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

#endif
