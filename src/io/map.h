/* map.h - read-only file mapping (mmap) for the library. */
#ifndef MG_IO_MAP_H
#define MG_IO_MAP_H

#include "malgopher.h"

typedef struct mg_map {
    const uint8_t *data;
    size_t size;
    bool mapped; /* true when data came from mmap and must be unmapped */
} mg_map;

/* Map a regular file read-only.  Empty files give MG_ERR_EMPTY; a FIFO is
 * refused without waiting for a writer. */
mg_status mg_map_open(const char *path, mg_map *m, mg_error *err);
/* The same on a file already open for reading (fd stays open, the caller
 * closes it; the mapping outlives it). */
mg_status mg_map_fd(int fd, mg_map *m, mg_error *err);
void mg_map_close(mg_map *m);
/* A hint before reading [p, p+len) of a mapping whole: the page-table
 * entries are made in one call (MADV_POPULATE_READ, Linux 5.14+) instead of
 * one page fault per 64 KiB.  Failure or an older kernel is harmless. */
void mg_map_populate(const void *p, uint64_t len);

#endif
