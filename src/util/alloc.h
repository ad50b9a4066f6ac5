/* alloc.h - the one door every library allocation goes through, so that a
 * test can make the Nth allocation fail (fault injection) and see which
 * call sites it reached.  Outside tests it is malloc/calloc/realloc plus
 * one relaxed atomic counter.  Memory is released with free(). */
#ifndef MG_UTIL_ALLOC_H
#define MG_UTIL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *mg_malloc_at(size_t size, const char *file, int line);
void *mg_calloc_at(size_t n, size_t size, const char *file, int line);
void *mg_realloc_at(void *p, size_t size, const char *file, int line);
/* for allocators that are not malloc (posix_memalign): true when this
 * allocation must fail; counts it and records its site like the others */
bool mg_alloc_refused_at(const char *file, int line);

#define mg_malloc(size) mg_malloc_at((size), __FILE__, __LINE__)
#define mg_calloc(n, size) mg_calloc_at((n), (size), __FILE__, __LINE__)
#define mg_realloc(p, size) mg_realloc_at((p), (size), __FILE__, __LINE__)

/* ---- test only ---- */
/* Make allocation number n (1 = the next one) fail, and only that one;
 * 0 = none.  Resets the count. */
void mg_alloc_fail_nth(unsigned long n);
/* allocations since the last mg_alloc_fail_nth */
unsigned long mg_alloc_count(void);
/* Record the call sites reached (off by default). */
void mg_alloc_track_sites(bool on);
/* the distinct sites recorded so far; site i as "file:line" into buf */
size_t mg_alloc_sites(void);
void mg_alloc_site(size_t i, char *buf, size_t bufsz);

#endif
