/* fixture_io.c - see fixture_io.h. */
#include "fixture_io.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

blob blob_load(const char *dir, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "rb");
    if (!f)
        fail_msg("cannot open %s", p);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    blob b = {malloc((size_t)n), (size_t)n};
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, b.size, f), b.size);
    fclose(f);
    return b;
}

blob blob_copy(const blob *b)
{
    blob c = {malloc(b->size), b->size};
    assert_non_null(c.data);
    memcpy(c.data, b->data, b->size);
    return c;
}

void blob_free(blob *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

size_t blob_find(const blob *b, const void *needle, size_t n)
{
    const uint8_t *p = memmem(b->data, b->size, needle, n);
    return p ? (size_t)(p - b->data) : SIZE_MAX;
}

uint32_t blob_get32(const blob *b, size_t off, bool be)
{
    assert_true(off + 4 <= b->size);
    const uint8_t *p = b->data + off;
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t blob_get64(const blob *b, size_t off, bool be)
{
    uint64_t a = blob_get32(b, off, be), c = blob_get32(b, off + 4, be);
    return be ? a << 32 | c : c << 32 | a;
}

void blob_put32(blob *b, size_t off, uint32_t v, bool be)
{
    assert_true(off + 4 <= b->size);
    for (int i = 0; i < 4; i++)
        b->data[off + (size_t)i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

void blob_put64(blob *b, size_t off, uint64_t v, bool be)
{
    blob_put32(b, off + (be ? 4 : 0), (uint32_t)v, be);
    blob_put32(b, off + (be ? 0 : 4), (uint32_t)(v >> 32), be);
}
