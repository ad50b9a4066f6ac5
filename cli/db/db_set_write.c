/* db_set_write.c - owns the gimpset side of a write transaction: the 256
 * slot values of each record put are staged (its id and the values, about
 * 1 KiB a record), and at commit they are written generation by generation
 * (id / DB_GRAM_GEN) and slot by slot, each slot's values sorted by a
 * radix sort on (bucket, value, id): one page (gen, slot, bucket,
 * first_id, n, data) per bucket of the slot values on one server (schema
 * 6, db.h's set_page), or one token row (sample, slot, value) per record
 * for a sharded collection.  The rows leave in key order, so a batch
 * lands in the newest generation's part of the B-tree.
 *
 * Workload: a `db import` batch of 16,384 records is 4M tokens.  Schema 5
 * wrote them as 1.1M postings (one per token value), which cost SQLite
 * 58% of the import; as pages they are at most 256 x 128 = 32,768 rows
 * of about 670 bytes (on the feed).  A token costs its 4 staged bytes,
 * and the scratch is one slot of one generation (at most 16,384 keys)
 * plus an output buffer of OUT_ROWS rows (and as many entries), flushed
 * to the backend whenever the next slot might not fit. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* rows (pages or token rows) gathered before the backend is called: few
 * statements for a small `db add`, bounded memory for a large import */
#define OUT_ROWS 65536

bool set_tokens_put(db *d, int64_t id, const char *gimpset, const uint32_t *decoded)
{
    uint32_t slot[MG_GIMPSET_K];
    if (!decoded) {
        if (!gimpset || mg_gimpset_decode(gimpset, slot) != 1)
            return true; /* the empty set, or malformed: no tokens */
        decoded = slot;
    }
    if (d->nsetstaged == d->capsetstaged) {
        set_staged *v = grow_array(d->setstaged, d->capsetstaged, &d->capsetstaged, sizeof *v);
        if (!v) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return false;
        }
        d->setstaged = v;
    }
    set_staged *s = &d->setstaged[d->nsetstaged++];
    s->id = id;
    memcpy(s->v, decoded, sizeof s->v);
    return true;
}

void set_tokens_drop(db *d)
{
    free(d->setstaged);
    d->setstaged = NULL;
    d->nsetstaged = d->capsetstaged = 0;
}

/* ---- the scratch of one flush ---- */

typedef struct out_buf {
    uint64_t *key, *tmp;   /* one slot of one generation: bucket << 46 | value << 14 | id offset */
    set_page *page;        /* one server: the pages gathered */
    uint8_t *data;         /* ... and their entries */
    set_row *row;          /* sharded: the token rows gathered */
    size_t n, at, cap;     /* rows gathered, entries used, room (rows and entries) */
} out_buf;

static bool out_open(db *d, out_buf *o, size_t m)
{
    memset(o, 0, sizeof *o);
    o->cap = m > OUT_ROWS ? m : OUT_ROWS;
    o->key = malloc(m * sizeof *o->key);
    o->tmp = malloc(m * sizeof *o->tmp);
    if (d->be->set_rows)
        o->row = malloc(o->cap * sizeof *o->row);
    else {
        o->page = malloc(o->cap * sizeof *o->page);
        o->data = malloc(o->cap * DB_SET_ENTRY);
    }
    if (o->key && o->tmp && (o->row || (o->page && o->data)))
        return true;
    snprintf(d->err, sizeof d->err, "out of memory");
    return false;
}

static void out_close(out_buf *o)
{
    free(o->key);
    free(o->tmp);
    free(o->page);
    free(o->data);
    free(o->row);
}

static bool out_send(db *d, out_buf *o)
{
    bool ok = !o->n || (o->row ? d->be->put_set_tokens(d, o->row, o->n) : d->be->put_set_pages(d, o->page, o->n));
    o->n = o->at = 0;
    return ok;
}

/* ---- sorting and emitting one slot of one generation ---- */

#define KEY_OFFSET_BITS 14 /* an id's offset in its generation */
#define KEY_VALUE_SHIFT KEY_OFFSET_BITS
#define KEY_BUCKET_SHIFT (KEY_VALUE_SHIFT + 32)
/* the bits of a bucket (DB_SET_BUCKETS a power of two) */
#define KEY_BUCKET_BITS (DB_SET_BUCKETS == 256 ? 8 : DB_SET_BUCKETS == 128 ? 7 : -1)
/* three counting passes cover the value and the bucket */
#define RADIX_BITS ((32 + KEY_BUCKET_BITS + 2) / 3)
_Static_assert(DB_GRAM_GEN == 1 << KEY_OFFSET_BITS, "an offset fills its key bits");
_Static_assert(DB_SET_BUCKETS <= 1 << (64 - KEY_BUCKET_SHIFT), "a bucket fits its key bits");

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* v (m distinct keys whose offsets ascend) sorted: a stable radix sort on
 * the bits above the offset, three counting passes of RADIX_BITS bits
 * (the value and the bucket), or qsort for a few keys (a `db add`,
 * where clearing the counts would cost more); the sorted keys returned
 * (v or tmp) */
static uint64_t *sort_keys(uint64_t *v, uint64_t *tmp, size_t m)
{
    enum { BITS = RADIX_BITS };
    static size_t count[1 << BITS];
    if (m < 512) {
        qsort(v, m, sizeof *v, by_key);
        return v;
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = KEY_VALUE_SHIFT; shift < KEY_BUCKET_SHIFT + KEY_BUCKET_BITS; shift += BITS) {
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < m; k++)
            count[(src[k] >> shift) & ((1 << BITS) - 1)]++;
        db_counts_to_starts(count, 1 << BITS);
        for (size_t k = 0; k < m; k++)
            dst[count[(src[k] >> shift) & ((1 << BITS) - 1)]++] = src[k];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}
_Static_assert(KEY_BUCKET_BITS > 0 && DB_SET_BUCKETS == 1 << KEY_BUCKET_BITS, "a bucket is KEY_BUCKET_BITS bits");
_Static_assert(3 * RADIX_BITS >= 32 + KEY_BUCKET_BITS, "three passes cover value and bucket");

/* the sorted keys of slot as pages of generation gen */
static void emit_pages(out_buf *o, const uint64_t *key, size_t m, int slot, int64_t gen)
{
    for (size_t k = 0; k < m;) {
        uint64_t bucket = key[k] >> KEY_BUCKET_SHIFT;
        set_page *p = &o->page[o->n++];
        *p = (set_page){.gen = gen, .slot = slot, .bucket = (int64_t)bucket, .first_id = INT64_MAX,
                        .data = o->data + o->at * DB_SET_ENTRY};
        for (; k < m && key[k] >> KEY_BUCKET_SHIFT == bucket; k++) {
            uint32_t value = (uint32_t)(key[k] >> KEY_VALUE_SHIFT);
            unsigned off = (unsigned)(key[k] & (DB_GRAM_GEN - 1));
            uint8_t *e = o->data + o->at++ * DB_SET_ENTRY;
            e[0] = (uint8_t)value, e[1] = (uint8_t)(value >> 8), e[2] = (uint8_t)(value >> 16);
            e[3] = (uint8_t)(value >> 24), e[4] = (uint8_t)off, e[5] = (uint8_t)(off >> 8);
            if (gen * DB_GRAM_GEN + off < p->first_id)
                p->first_id = gen * DB_GRAM_GEN + off;
            p->n++;
        }
        p->len = (size_t)p->n * DB_SET_ENTRY;
    }
}

static void emit_rows(out_buf *o, const uint64_t *key, size_t m, int slot, int64_t gen)
{
    for (size_t k = 0; k < m; k++)
        o->row[o->n++] = (set_row){.sample_id = gen * DB_GRAM_GEN + (int64_t)(key[k] & (DB_GRAM_GEN - 1)),
                                   .slot = slot, .value = (uint32_t)(key[k] >> KEY_VALUE_SHIFT)};
}

/* a sharded collection of layout 3: the records' rows a record at a time
 * (the backend sends each record's as one list, backend_pg.c), the buffer
 * sent between two records */
static bool write_records(db *d, out_buf *o, const set_staged *s, size_t m)
{
    _Static_assert(OUT_ROWS % MG_GIMPSET_K == 0, "a full buffer holds whole records");
    for (size_t k = 0; k < m; k++) {
        if (o->cap - o->n < MG_GIMPSET_K && !out_send(d, o))
            return false;
        for (int slot = 0; slot < MG_GIMPSET_K; slot++)
            o->row[o->n++] = (set_row){.sample_id = s[k].id, .slot = slot, .value = s[k].v[slot]};
    }
    return true;
}

/* the m staged records s (one generation, ids ascending) written */
static bool write_generation(db *d, out_buf *o, const set_staged *s, size_t m)
{
    if (o->row && d->shard_layout >= DB_SHARD_LAYOUT_LISTS && !db_pg_direct_on(d))
        return write_records(d, o, s, m);
    int64_t gen = s[0].id / DB_GRAM_GEN;
    for (int slot = 0; slot < MG_GIMPSET_K; slot++) {
        /* a slot writes at most m rows and m entries */
        if ((o->cap - o->n < m || o->cap - o->at < m) && !out_send(d, o))
            return false;
        for (size_t k = 0; k < m; k++) {
            uint32_t v = s[k].v[slot];
            /* sharded: token rows in (value, id) order, no bucket */
            uint64_t bucket = o->row ? 0 : (uint64_t)set_bucket(v);
            o->key[k] = bucket << KEY_BUCKET_SHIFT | (uint64_t)v << KEY_VALUE_SHIFT |
                        (uint64_t)(s[k].id - gen * DB_GRAM_GEN);
        }
        const uint64_t *key = sort_keys(o->key, o->tmp, m);
        if (o->row)
            emit_rows(o, key, m, slot, gen);
        else
            emit_pages(o, key, m, slot, gen);
    }
    return true;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const set_staged *)a)->id, y = ((const set_staged *)b)->id;
    return (x > y) - (x < y);
}

bool set_tokens_flush(db *d)
{
    set_staged *s = d->setstaged;
    size_t n = d->nsetstaged, widest = 0;
    d->nsetstaged = 0;
    if (!n)
        return true;
    bool sorted = true; /* records are put in id order; a known record's late gimpset may not be */
    for (size_t k = 1; k < n && sorted; k++)
        sorted = s[k - 1].id < s[k].id;
    if (!sorted)
        qsort(s, n, sizeof *s, by_id);
    for (size_t a = 0, b; a < n; a = b) { /* the widest generation sizes the scratch */
        for (b = a; b < n && s[b].id / DB_GRAM_GEN == s[a].id / DB_GRAM_GEN; b++)
            ;
        widest = b - a > widest ? b - a : widest;
    }
    out_buf o;
    bool ok = out_open(d, &o, widest);
    for (size_t a = 0, b; ok && a < n; a = b) {
        for (b = a; b < n && s[b].id / DB_GRAM_GEN == s[a].id / DB_GRAM_GEN; b++)
            ;
        ok = write_generation(d, &o, s + a, b - a);
    }
    ok = ok && out_send(d, &o);
    out_close(&o);
    return ok;
}

int db_set_page_fields(const void *pages, size_t k, int64_t ints[DB_PAGE_INTS], const uint8_t **data, size_t *len)
{
    const set_page *p = (const set_page *)pages + k;
    ints[0] = p->gen, ints[1] = p->slot, ints[2] = p->bucket, ints[3] = p->first_id, ints[4] = p->n;
    *data = p->data;
    *len = p->len;
    return 5;
}
