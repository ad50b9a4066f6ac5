/* db_set_write.c - owns the gimpset side of a write transaction: the 256
 * slot values of each record put are staged (its id and the values, about
 * 1 KiB a record), and at commit they are written generation by generation
 * (id / DB_GRAM_GEN) and slot by slot, each slot's values sorted by a
 * stable radix sort so the ids of one value come out ascending: one
 * posting (gen, slot, value, first_id, n, "id,id,...") per value on one
 * server (schema 5), or one token row (sample, slot, value) per record for
 * a sharded collection.  The rows leave in key order (gen, slot, value),
 * so a batch lands in the newest generation's part of the B-tree.
 *
 * Workload: a `db import` batch of 16,384 records is 4M tokens.  Staging
 * them as rows and sorting the whole batch took 24 bytes a token twice
 * over, plus 77 bytes a token of posting scratch (440 MB a batch); here a
 * token costs its 4 staged bytes, and the scratch is one slot of one
 * generation (at most 16,384 values) plus an output buffer of OUT_ROWS
 * rows, flushed to the backend whenever the next slot might not fit. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* rows (postings or token rows) gathered before the backend is called:
 * few statements for a small `db add`, bounded memory for a large import */
#define OUT_ROWS 65536
/* bytes of an id as decimal text with its comma */
#define ID_TEXT 21

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
    uint64_t *key, *tmp;   /* one slot of one generation: value << 32 | record index */
    set_posting *post;     /* one server: the postings gathered */
    char *text;            /* ... and their ids' text */
    set_row *row;          /* sharded: the token rows gathered */
    size_t n, at, cap;     /* rows gathered, text bytes used, room (rows) */
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
        o->post = malloc(o->cap * sizeof *o->post);
        o->text = malloc(o->cap * ID_TEXT);
    }
    if (o->key && o->tmp && (o->row || (o->post && o->text)))
        return true;
    snprintf(d->err, sizeof d->err, "out of memory");
    return false;
}

static void out_close(out_buf *o)
{
    free(o->key);
    free(o->tmp);
    free(o->post);
    free(o->text);
    free(o->row);
}

static bool out_send(db *d, out_buf *o)
{
    bool ok = !o->n || (o->row ? d->be->put_set_tokens(d, o->row, o->n) : d->be->put_set_postings(d, o->post, o->n));
    o->n = o->at = 0;
    return ok;
}

/* ---- sorting and emitting one slot of one generation ---- */

/* v (m keys) sorted by their upper 32 bits (the value), stable: three
 * counting passes of 11, 11 and 10 bits; the sorted keys returned (v or
 * tmp) */
static uint64_t *radix_by_value(uint64_t *v, uint64_t *tmp, size_t m)
{
    static size_t count[1 << 11];
    uint64_t *src = v, *dst = tmp;
    for (int shift = 32; shift < 64; shift += 11) {
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < m; k++)
            count[(src[k] >> shift) & 0x7ff]++;
        db_counts_to_starts(count, 1 << 11);
        for (size_t k = 0; k < m; k++)
            dst[count[(src[k] >> shift) & 0x7ff]++] = src[k];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

/* id as decimal text at out (room for 20 bytes); the length */
static size_t put_id(char *out, int64_t id)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = id < 0 ? 0 : (uint64_t)id; /* ids are positive */
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (size_t k = 0; k < n; k++)
        out[k] = tmp[n - 1 - k];
    return n;
}

/* the sorted keys of slot (indexes into s) as postings of generation gen */
static void emit_postings(out_buf *o, const set_staged *s, const uint64_t *key, size_t m, int slot, int64_t gen)
{
    for (size_t k = 0; k < m;) {
        uint32_t value = (uint32_t)(key[k] >> 32);
        set_posting *p = &o->post[o->n++];
        *p = (set_posting){.gen = gen, .slot = slot, .value = value, .first_id = s[(uint32_t)key[k]].id,
                           .ids = o->text + o->at};
        size_t start = o->at;
        for (; k < m && (uint32_t)(key[k] >> 32) == value; k++) {
            if (o->at > start)
                o->text[o->at++] = ',';
            o->at += put_id(o->text + o->at, s[(uint32_t)key[k]].id);
            p->n++;
        }
        p->len = o->at - start;
    }
}

static void emit_rows(out_buf *o, const set_staged *s, const uint64_t *key, size_t m, int slot)
{
    for (size_t k = 0; k < m; k++)
        o->row[o->n++] = (set_row){.sample_id = s[(uint32_t)key[k]].id, .slot = slot, .value = (uint32_t)(key[k] >> 32)};
}

/* the m staged records s (one generation, ids ascending) written */
static bool write_generation(db *d, out_buf *o, const set_staged *s, size_t m)
{
    int64_t gen = s[0].id / DB_GRAM_GEN;
    for (int slot = 0; slot < MG_GIMPSET_K; slot++) {
        /* a slot writes at most m rows and m ids (ID_TEXT bytes each) */
        if ((o->cap - o->n < m || o->cap * ID_TEXT - o->at < m * ID_TEXT) && !out_send(d, o))
            return false;
        for (size_t k = 0; k < m; k++)
            o->key[k] = (uint64_t)s[k].v[slot] << 32 | k;
        const uint64_t *key = radix_by_value(o->key, o->tmp, m);
        if (o->row)
            emit_rows(o, s, key, m, slot);
        else
            emit_postings(o, s, key, m, slot, gen);
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
