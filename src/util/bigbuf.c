/* bigbuf.c - owns mg_bigbuf_alloc: 2 MiB-aligned blocks with the
 * transparent-huge-page hint when the block spans at least one huge page. */
#include "util/bigbuf.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *mg_bigbuf_alloc(size_t size)
{
    if (size == 0)
        size = 1;
#ifdef MADV_HUGEPAGE
    if (size >= HUGE_PAGE) {
        void *p = NULL;
        if (mg_alloc_refused_at(__FILE__, __LINE__) || posix_memalign(&p, HUGE_PAGE, size) != 0)
            return NULL;
        (void)madvise(p, size & ~(HUGE_PAGE - 1), MADV_HUGEPAGE); /* a hint: failure is harmless */
        return p;
    }
#endif
    return mg_malloc(size);
}
