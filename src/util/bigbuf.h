/* bigbuf.h - large scratch arrays (megabytes, e.g. the similarity index's
 * gram tables): allocated so that the kernel may back them with huge
 * pages, which turns thousands of page faults on first touch into a few. */
#ifndef MG_UTIL_BIGBUF_H
#define MG_UTIL_BIGBUF_H

#include <stddef.h>

/* like malloc(size), never returns NULL for size 0; free with free() */
void *mg_bigbuf_alloc(size_t size);

#endif
