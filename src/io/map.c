/* map.c - maps a file read-only with mmap; the only place that touches the
 * file system inside the library. */
#include "map.h"

#include "../util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

mg_status mg_map_open(const char *path, mg_map *m, mg_error *err)
{
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mg_fail(err, MG_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mg_fail(err, MG_ERR_IO, "cannot stat: %s", strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return mg_fail(err, MG_ERR_IO, "is a directory");
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mg_fail(err, MG_ERR_IO, "not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        return mg_fail(err, MG_ERR_EMPTY, "empty file");
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX) {
        close(fd);
        return mg_fail(err, MG_ERR_IO, "file too large to map");
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return mg_fail(err, MG_ERR_IO, "cannot map: %s", strerror(e));
    m->data = p;
    m->size = (size_t)st.st_size;
    m->mapped = true;
    return MG_OK;
}

void mg_map_close(mg_map *m)
{
    if (m->mapped && m->data)
        munmap((void *)m->data, m->size);
    memset(m, 0, sizeof *m);
}
