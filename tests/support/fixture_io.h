/* fixture_io.h - small helpers for tests that load a fixture into memory
 * and change it: whole-file reads, byte-order aware stores, locating the
 * build info blob. */
#ifndef MG_TEST_FIXTURE_IO_H
#define MG_TEST_FIXTURE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct blob {
    uint8_t *data;
    size_t size;
} blob;

/* read DIR/REL into memory; aborts the test on failure */
blob blob_load(const char *dir, const char *rel);
blob blob_copy(const blob *b);
void blob_free(blob *b);
/* offset of the "\xff Go buildinf:" magic, or SIZE_MAX */
size_t blob_find(const blob *b, const void *needle, size_t n);
uint32_t blob_get32(const blob *b, size_t off, bool be);
uint64_t blob_get64(const blob *b, size_t off, bool be);
void blob_put32(blob *b, size_t off, uint32_t v, bool be);
void blob_put64(blob *b, size_t off, uint64_t v, bool be);

#endif
