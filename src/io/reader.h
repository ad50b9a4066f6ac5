/* reader.h - the one bounds-checked reader every parser goes through.
 *
 * An mg_reader is a view on bytes with a byte order and a pointer size that
 * are run-time parameters, so each format is parsed by one piece of code for
 * 32/64-bit and both byte orders.  Every read takes a 64-bit offset from the
 * file (untrusted), checks it against the view, and returns false instead of
 * reading out of bounds.  Nothing here allocates.
 */
#ifndef MG_IO_READER_H
#define MG_IO_READER_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A buffer whose bytes appear on demand (a UPX-packed program decoded
 * block by block, src/unpack/upx_lazy.c).  need() makes [off, off+len) of
 * the buffer present, or returns false when it cannot (the read then
 * fails; the owner remembers why).  [lo, hi) is a range known present,
 * all says every byte is. */
typedef struct mg_lazy mg_lazy;
struct mg_lazy {
    bool (*need)(mg_lazy *lz, uint64_t off, uint64_t len);
    uint64_t lo, hi;
    bool all;
};

typedef struct mg_reader {
    const uint8_t *data;
    uint64_t size;
    bool big_endian;
    unsigned ptrsize; /* 4 or 8; used by mg_rd_ptr */
    mg_lazy *lazy;    /* NULL: every byte of the view is there */
    uint64_t base;    /* the view's offset in the lazy buffer */
} mg_reader;

static inline mg_reader mg_reader_make(const void *data, uint64_t size, bool big_endian,
                                       unsigned ptrsize)
{
    mg_reader r = {(const uint8_t *)data, size, big_endian, ptrsize, NULL, 0};
    return r;
}

/* [off, off+len) lies inside the view (overflow-safe), without making
 * lazy bytes present: for sub-views and sizes only */
static inline bool mg_rd_in(const mg_reader *r, uint64_t off, uint64_t len)
{
    return off <= r->size && len <= r->size - off;
}

/* true when [off, off+len) lies inside the view and its bytes may be read */
static inline bool mg_rd_has(const mg_reader *r, uint64_t off, uint64_t len)
{
    if (!mg_rd_in(r, off, len))
        return false;
    mg_lazy *lz = r->lazy;
    if (!lz || lz->all)
        return true;
    uint64_t a = r->base + off;
    return (a >= lz->lo && a + len <= lz->hi) || lz->need(lz, a, len);
}

/* Overflow-checked arithmetic on untrusted values. */
static inline bool mg_add_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline bool mg_mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* Every read's result must be checked: the compiler refuses a call whose
 * result is dropped (with -Werror; a cast to void does not silence it). */
#define MG_MUST_CHECK __attribute__((warn_unused_result))

MG_MUST_CHECK bool mg_rd_u8(const mg_reader *r, uint64_t off, uint8_t *out);
MG_MUST_CHECK bool mg_rd_u16(const mg_reader *r, uint64_t off, uint16_t *out);
MG_MUST_CHECK bool mg_rd_u32(const mg_reader *r, uint64_t off, uint32_t *out);
MG_MUST_CHECK bool mg_rd_u64(const mg_reader *r, uint64_t off, uint64_t *out);
/* pointer-sized word (r->ptrsize) */
MG_MUST_CHECK bool mg_rd_ptr(const mg_reader *r, uint64_t off, uint64_t *out);
/* word of explicit size 4 or 8 */
MG_MUST_CHECK bool mg_rd_word(const mg_reader *r, uint64_t off, unsigned size, uint64_t *out);
/* pointer to len bytes at off */
MG_MUST_CHECK bool mg_rd_bytes(const mg_reader *r, uint64_t off, uint64_t len, const uint8_t **out);
/* NUL-terminated string at off, at most maxlen bytes before the NUL */
MG_MUST_CHECK bool mg_rd_cstr(const mg_reader *r, uint64_t off, uint64_t maxlen, const char **s,
                size_t *len);
/* unsigned LEB128 varint (Go's uvarint); advances *off */
MG_MUST_CHECK bool mg_rd_uvarint(const mg_reader *r, uint64_t *off, uint64_t *out);
/* sub-view of [off, off+len); false when out of range */
MG_MUST_CHECK bool mg_rd_sub(const mg_reader *r, uint64_t off, uint64_t len, mg_reader *out);

/* A record (a header, a table entry): its bytes checked once to lie in the
 * view, then its fields read by their named offsets with no further check.
 * A field must lie inside the record (the parsers' offset tables promise it;
 * asserted in debug builds). */
typedef struct mg_rec {
    const uint8_t *p;
    uint64_t len;
    bool big_endian;
} mg_rec;

MG_MUST_CHECK static inline bool mg_rec_at(const mg_reader *r, uint64_t off, uint64_t len, mg_rec *out)
{
    if (!mg_rd_has(r, off, len))
        return false;
    *out = (mg_rec){r->data + off, len, r->big_endian};
    return true;
}

/* First occurrence of needle (k bytes, 1 <= k <= 64) in hay[0..n), or NULL.
 * Searches in windows of 64 KiB so that a loop calling it once per hit
 * stays linear even where memmem is instrumented to touch its whole input
 * (ASan). */
const uint8_t *mg_memfind(const uint8_t *hay, size_t n, const void *needle, size_t k);

/* Decode helpers on raw bytes already known to be in range. */
static inline uint32_t mg_ld32(const uint8_t *p, bool be)
{
    return be ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
              : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}
static inline uint64_t mg_ld64(const uint8_t *p, bool be)
{
    uint64_t a = mg_ld32(p, be), b = mg_ld32(p + 4, be);
    return be ? (a << 32 | b) : (b << 32 | a);
}

static inline uint8_t mg_rec_u8(const mg_rec *c, uint64_t field)
{
    assert(field < c->len);
    return c->p[field];
}
static inline uint16_t mg_rec_u16(const mg_rec *c, uint64_t field)
{
    assert(field + 2 <= c->len);
    const uint8_t *p = c->p + field;
    return c->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint32_t mg_rec_u32(const mg_rec *c, uint64_t field)
{
    assert(field + 4 <= c->len);
    return mg_ld32(c->p + field, c->big_endian);
}
static inline uint64_t mg_rec_u64(const mg_rec *c, uint64_t field)
{
    assert(field + 8 <= c->len);
    return mg_ld64(c->p + field, c->big_endian);
}
/* a word of 4 or 8 bytes */
static inline uint64_t mg_rec_word(const mg_rec *c, uint64_t field, unsigned size)
{
    return size == 8 ? mg_rec_u64(c, field) : mg_rec_u32(c, field);
}

#endif
