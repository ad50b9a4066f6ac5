/* map.c - maps a file read-only with mmap; the only place that touches the
 * file system inside the library, and the one way the CLI reads a sample's
 * bytes (cli/common/file_id.c maps through mg_map_fd). */
#include "io/map.h"

#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

mg_status mg_map_fd(int fd, mg_map *m, mg_error *err)
{
    memset(m, 0, sizeof *m);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return mg_fail(err, MG_ERR_IO, "cannot stat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return mg_fail(err, MG_ERR_IO, "is a directory");
    if (!S_ISREG(st.st_mode))
        return mg_fail(err, MG_ERR_IO, "not a regular file");
    if (st.st_size == 0)
        return mg_fail(err, MG_ERR_EMPTY, "empty file");
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX)
        return mg_fail(err, MG_ERR_IO, "file too large to map");
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return mg_fail(err, MG_ERR_IO, "cannot map: %s", strerror(errno));
    m->data = p;
    m->size = (size_t)st.st_size;
    m->mapped = true;
    return MG_OK;
}

mg_status mg_map_open(const char *path, mg_map *m, mg_error *err)
{
    memset(m, 0, sizeof *m);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused as not a regular file) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mg_fail(err, MG_ERR_IO, "cannot open: %s", strerror(errno));
    mg_status st = mg_map_fd(fd, m, err);
    close(fd);
    return st;
}

void mg_map_populate(const void *p, uint64_t len)
{
#ifdef MADV_POPULATE_READ
    const uintptr_t page = 4096; /* rounding down to a smaller page than the real one still covers p */
    uintptr_t lo = (uintptr_t)p & ~(page - 1), hi = (uintptr_t)p + (uintptr_t)len;
    if (len && len <= SIZE_MAX && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_READ);
#else
    (void)p, (void)len;
#endif
}

void mg_map_close(mg_map *m)
{
    if (m->mapped && m->data)
        munmap((void *)m->data, m->size);
    memset(m, 0, sizeof *m);
}
