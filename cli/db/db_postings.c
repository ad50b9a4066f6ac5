/* db_postings.c - owns reading the gimpset postings of a one-server
 * collection (schema 6): the entries (value, id) of the tokens (slot,
 * value) whose value falls in one of 128 buckets, that one transaction
 * wrote within one generation of samples (id / DB_GRAM_GEN), are one page
 * (gen, slot, bucket, first_id, n, data), sorted by (value, id) (db.h's
 * set_page, written by db_set_write.c).  A query reads its tokens in a
 * few readings (the first 16, then more as db_set_top.c asks: one
 * statement a reading on PostgreSQL, one a token on SQLite), a token's
 * pages in every generation (SQLite: one range of its index), finds the
 * value's entries client-side and counts their ids as it finds them, in
 * a block of counts a generation, and keeps those named by at least M of
 * the query's tokens: the candidates that db_set.c scores exactly, the
 * same set as schema 4's GROUP BY sample_id HAVING count(*) >= M.  A
 * sharded collection keeps its token rows (db_set.c, the backend's
 * set_rows).
 *
 * Hostile input: a collection may be crafted; a page whose data is not n
 * entries (6 * n bytes, read as stored: db.h's query_pages), whose entries
 * are not strictly sorted by (value, id), whose id offset is not below
 * DB_GRAM_GEN or whose ids are not positive is refused (an error naming
 * it), and so is a collection of more than MAX_GENS generations; the
 * count blocks grow with the generations that pages were read in (32 KB
 * each, at most one a generation of the records), never with a count
 * from a row. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

/* A posting that names a large part of the collection costs the most to
 * read and decides the least: the j (< M) largest postings of at least
 * BIG_POSTING ids are left out and the count required drops by j, as
 * db_set.c explains for the token rows. */
#define BIG_POSTING 2048

/* An id read from a page is kept as its place, id itself as 32 bits:
 * its generation (0 .. gens.n - 1) times DB_GRAM_GEN plus its offset,
 * which fits for up to MAX_GENS generations (a crafted collection with
 * more is refused by read_gens). */
#define MAX_GENS ((int)(UINT32_MAX / DB_GRAM_GEN))
#define GEN_TEXT "16384"
_Static_assert(DB_GRAM_GEN == 16384, "GEN_TEXT spells it");

/* the generations a query reads, 0 .. max(id) / DB_GRAM_GEN of the
 * records (a page's ids are records', so its generation is one of them;
 * where the pages' own generations cost a loose index scan, one seek a
 * generation: 12 ms of every query at a million records on SQLite, 16 to
 * 32 ms on PostgreSQL): how many (n).  A reading asks for a range of them
 * (all, or the newest two), bound as two integers: one range of the key
 * (slot, bucket, gen, first_id) a token, where a list of generations cost
 * a descent each ("Reading by need" in BENCHMARKS.md), and nothing read
 * from the collection goes into a statement */
typedef struct gens {
    size_t n;
} gens;

/* generations first .. last (below gens.n; none when last < first) */
typedef struct gen_range {
    int64_t first, last;
} gen_range;

static bool read_gens(db *d, gens *g)
{
    int64_t last = -1;
    if (!db_rows(d, "SELECT max(id) / " GEN_TEXT " FROM samples", NULL, 0, db_int_row, &last))
        return false;
    if (last >= MAX_GENS) {
        snprintf(d->err, sizeof d->err, "more than %d generations of records (samples.id)", MAX_GENS);
        return false;
    }
    g->n = last < 0 ? 0 : (size_t)last + 1;
    return true;
}

/* a count's histogram: how many ids have each count (a token counts an
 * id once, so 256 at most from pages that are not crafted) */
#define HIST (MG_GIMPSET_K + 1)

/* the ids counted: a block of DB_GRAM_GEN counts a generation, indexed by
 * the offset, allocated when a page of that generation is first read (a
 * million records are 62 blocks of 32 KB, where a hash table of the same
 * ids missed the cache at every increment: 30% of a slow query); with[]
 * says how many candidates a count gives without a pass over the blocks */
typedef struct counts {
    uint16_t **block; /* one a generation read (gens.n) */
    size_t nblocks;
    size_t with[HIST + 1]; /* how many ids are counted c times (c < HIST), HIST or more times */
} counts;

static bool count_one(counts *c, uint32_t place)
{
    uint16_t **b = &c->block[place / DB_GRAM_GEN];
    if (!*b && !(*b = calloc(DB_GRAM_GEN, sizeof **b)))
        return false;
    uint16_t *n = &(*b)[place % DB_GRAM_GEN];
    if (*n < HIST) { /* (counted 0 times: not in with[]) */
        c->with[*n] -= *n > 0;
        c->with[*n + 1]++;
    }
    *n += *n < UINT16_MAX;
    return true;
}

/* the largest page a reader takes (DB_GRAM_GEN entries): a longer one is
 * refused before the server sends it (NULL instead) */
#define MAX_PAGE_BYTES "98304"
_Static_assert(DB_GRAM_GEN * DB_SET_ENTRY == 98304, "MAX_PAGE_BYTES spells it");

/* what a reading does with the ids it finds: counts them into c (NULL:
 * the estimate, which counts none) and how many a token gives into
 * found[slot] */
typedef struct id_sink {
    counts *c;
    size_t *found;
} id_sink;

/* one page (its generation, n and its data's len bytes): checked whole,
 * and the ids of the entries of value counted (as places) into out, as
 * they are found, for the token at slot; false when malformed (*nomem: a
 * block of counts could not be made).  The hot loop of a query (a page a
 * generation for each of its tokens, about 128 entries each). */
static bool page_ids(const gens *g, int64_t gen, int64_t n, const unsigned char *data, size_t len, uint32_t value,
                     const id_sink *out, int slot, bool *nomem)
{
    /* (a generation the statement did not ask for is refused too) */
    if (gen < 0 || (uint64_t)gen >= g->n || n < 1 || n > DB_GRAM_GEN || !data || len != (size_t)n * DB_SET_ENTRY)
        return false;
    uint32_t base = (uint32_t)gen * DB_GRAM_GEN;
    uint64_t prev = 0;
    for (size_t k = 0; k < (size_t)n; k++) {
        const unsigned char *b = data + k * DB_SET_ENTRY;
        uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        unsigned off = (unsigned)b[4] | (unsigned)b[5] << 8;
        uint64_t key = (uint64_t)v << 16 | off; /* (value, id) */
        if (off >= DB_GRAM_GEN || (k && key <= prev) || (!gen && !off))
            return false; /* (the id gen * DB_GRAM_GEN + off is at least 1) */
        prev = key;
        if (v != value)
            continue;
        out->found[slot]++;
        if (out->c && !count_one(out->c, base + off))
            return !(*nomem = true);
    }
    return true;
}

/* SQLite: (gen, n, data) rows of one token's pages */
typedef struct page_read {
    const gens *g;
    uint32_t value;
    int slot;
    const id_sink *out;
    bool bad, nomem;
} page_read;

static bool page_row(const int64_t *ints, int nints, const unsigned char *data, size_t len, void *ctx)
{
    page_read *p = ctx;
    if (nints != 2 || !page_ids(p->g, ints[0], ints[1], data, len, p->value, p->out, p->slot, &p->nomem))
        return !(p->bad = !p->nomem);
    return true;
}

/* PostgreSQL: (slot, gen, n, data) rows of the pages of several tokens */
typedef struct pages_read {
    const gens *g;
    const uint32_t *q;
    const id_sink *out;
    bool bad, nomem;
} pages_read;

static bool pages_row(const int64_t *ints, int nints, const unsigned char *data, size_t len, void *ctx)
{
    pages_read *p = ctx;
    if (nints != 3 || ints[0] < 0 || ints[0] >= MG_GIMPSET_K ||
        !page_ids(p->g, ints[1], ints[2], data, len, p->q[ints[0]], p->out, (int)ints[0], &p->nomem))
        return !(p->bad = !p->nomem);
    return true;
}

/* PostgreSQL: the pages of the n tokens at slots (values q) in the
 * generations gr, in one statement (the slots and buckets bound as
 * arrays: a round trip a token would cost more than the rows), their ids
 * into out */
static bool pg_pages(db *d, const gens *g, const uint32_t q[MG_GIMPSET_K], const int *slots, int n, gen_range gr,
                     const id_sink *out, bool *bad, bool *nomem)
{
    char slot_array[MG_GIMPSET_K * 4 + 3], buckets[MG_GIMPSET_K * 4 + 3];
    size_t ns = 1, nb = 1;
    slot_array[0] = buckets[0] = '{';
    for (int i = 0; i < n; i++) {
        ns += (size_t)sprintf(slot_array + ns, "%s%d", i ? "," : "", slots[i]);
        nb += (size_t)sprintf(buckets + nb, "%s%d", i ? "," : "", set_bucket(q[slots[i]]));
    }
    memcpy(slot_array + ns, "}", 2);
    memcpy(buckets + nb, "}", 2);
    db_param p[] = {PT(slot_array), PT(buckets), PI(gr.first), PI(gr.last)};
    pages_read pr = {.g = g, .q = q, .out = out};
    bool ok = d->be->query_pages(d,
                      "SELECT q.slot, t.gen, t.n, CASE WHEN length(t.data) <= " MAX_PAGE_BYTES " THEN t.data END"
                      " FROM unnest($1::int[], $2::int[]) AS q(slot, bucket) JOIN set_pages t ON t.slot = q.slot"
                      " AND t.bucket = q.bucket AND t.gen BETWEEN $3::bigint AND $4::bigint",
                      p, 4, pages_row, &pr);
    *bad = pr.bad;
    *nomem = pr.nomem;
    return ok;
}

/* how many ids c counted at least need times (need >= 1) */
static size_t count_kept(const counts *c, int need)
{
    size_t n = 0;
    for (int k = need < HIST ? need : HIST; k <= HIST; k++)
        n += c->with[k];
    return n;
}

/* the ids of c counted at least need times (need >= 1), with their
 * counts, in id order */
static bool kept_ids(const counts *c, int need, set_cand **v, size_t *nv)
{
    size_t n = count_kept(c, need);
    *v = malloc((n ? n : 1) * sizeof **v);
    if (!*v)
        return false;
    n = 0;
    for (size_t b = 0; b < c->nblocks; b++)
        for (size_t k = 0; c->block[b] && k < DB_GRAM_GEN; k++)
            if (c->block[b][k] >= need)
                (*v)[n++] = (set_cand){.id = (int64_t)(b * DB_GRAM_GEN + k), .count = c->block[b][k]};
    *nv = n;
    return true;
}

/* what a query has read so far: the generations, the ids counted, the
 * tokens read (in slot order up to next), the estimated sizes and which
 * large ones are left out */
struct set_reader {
    gens g;
    counts c;
    bool read[MG_GIMPSET_K];
    int64_t size[MG_GIMPSET_K]; /* estimated from the two newest generations */
    bool out[MG_GIMPSET_K];     /* left out */
    bool estimated;
    int next, nread, large;
    size_t found[MG_GIMPSET_K]; /* the ids a token of the last reading gave */
};

/* every generation of r's (none of an empty collection: 0 .. -1) */
static gen_range every_gen(const set_reader *r)
{
    return (gen_range){0, (int64_t)r->g.n - 1};
}

#define MALFORMED "a malformed gimpset page (set_pages.data): a crafted or damaged collection"

/* SQLite: the pages of the n tokens at slots in the generations gr, a
 * statement each (planned once), their ids into out */
static bool lite_pages(db *d, const gens *g, const uint32_t q[MG_GIMPSET_K], const int *slots, int n, gen_range gr,
                       const id_sink *out, bool *bad, bool *nomem)
{
    bool ok = true;
    for (int i = 0; ok && !*bad && !*nomem && i < n; i++) {
        page_read p = {.g = g, .value = q[slots[i]], .slot = slots[i], .out = out};
        db_param par[] = {PI(slots[i]), PI(set_bucket(q[slots[i]])), PI(gr.first), PI(gr.last)};
        ok = d->be->query_pages(d,
                                "SELECT gen, n, CASE WHEN length(data) <= " MAX_PAGE_BYTES " THEN data END"
                                " FROM set_pages WHERE slot = $1 AND bucket = $2 AND gen BETWEEN $3 AND $4",
                                par, 4, page_row, &p);
        *bad = p.bad;
        *nomem = p.nomem;
    }
    return ok;
}

/* the ids of the n tokens at slots in the generations gr (all the
 * reader's, or its newest two): how many each gives into r->found[slot],
 * and when count (not the estimate) each counted as it is found, the
 * tokens then marked read: one statement on PostgreSQL, one a token on
 * SQLite; false with d->err set (the counts then stand half made: the
 * query fails) */
static bool read_tokens(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], const int *slots, int n,
                        gen_range gr, bool count)
{
    bool bad = false, nomem = false, ok;
    for (int i = 0; i < n; i++)
        r->found[slots[i]] = 0;
    if (!n)
        return true;
    id_sink out = {.c = count ? &r->c : NULL, .found = r->found};
    if (!strcmp(d->be->name, "postgresql"))
        ok = pg_pages(d, &r->g, q, slots, n, gr, &out, &bad, &nomem);
    else
        ok = lite_pages(d, &r->g, q, slots, n, gr, &out, &bad, &nomem);
    if (ok && (bad || nomem)) {
        snprintf(d->err, sizeof d->err, "%s", bad ? MALFORMED : "out of memory");
        ok = false;
    }
    for (int i = 0; ok && count && i < n; i++) {
        r->read[slots[i]] = true;
        r->nread++;
    }
    return ok;
}

/* the need - 1 largest tokens of BIG_POSTING ids or more (by r->size)
 * left out */
static void leave_out_large(set_reader *r, int need)
{
    for (int j = 0; j < need - 1; j++) { /* the largest left, need - 1 times at most */
        int best = -1;
        for (int k = 0; k < MG_GIMPSET_K; k++)
            if (!r->out[k] && r->size[k] >= BIG_POSTING && (best < 0 || r->size[k] > r->size[best]))
                best = k;
        if (best < 0)
            break;
        r->out[best] = true;
        r->large++;
    }
}

/* which tokens to leave out, decided once: each token's size estimated
 * in the two newest generations (one reading of all 256, where their
 * sizes in all generations cost as much as the query) and scaled to all
 * of them; the need - 1 largest of BIG_POSTING ids or more are left out.
 * An estimate only decides what is read: any tokens left out give every
 * hit. */
static bool estimate(db *d, const uint32_t q[MG_GIMPSET_K], int need, set_reader *r)
{
    int64_t ngens = (int64_t)r->g.n, nlast = ngens < 2 ? ngens : 2;
    gen_range newest = {ngens - nlast, ngens - 1};
    int all[MG_GIMPSET_K];
    for (int k = 0; k < MG_GIMPSET_K; k++)
        all[k] = k;
    bool ok = !nlast || read_tokens(d, r, q, all, MG_GIMPSET_K, newest, false);
    for (int k = 0; ok && nlast && k < MG_GIMPSET_K; k++) {
        int64_t n = (int64_t)r->found[k];
        r->size[k] = n < INT64_MAX / MAX_GENS ? n * ngens / nlast : INT64_MAX / MAX_GENS;
    }
    if (ok)
        leave_out_large(r, need);
    r->estimated = true;
    return ok;
}

/* (db.h) the tokens from r->next on in slot order, those not left out
 * (estimate) read in one reading and counted, until target tokens are
 * read */
bool set_reader_more(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need, int target)
{
    if (!r->estimated && !estimate(d, q, need, r))
        return false;
    int slots[MG_GIMPSET_K] = {0}, n = 0;
    for (; r->nread + n < target && r->next < MG_GIMPSET_K; r->next++)
        if (!r->out[r->next])
            slots[n++] = r->next;
    return read_tokens(d, r, q, slots, n, every_gen(r), true);
}

static void reader_free(set_reader *r)
{
    for (size_t b = 0; b < r->c.nblocks; b++)
        free(r->c.block[b]);
    free(r->c.block);
}

set_reader *set_reader_open(db *d)
{
    set_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return NULL;
    }
    if (!read_gens(d, &r->g)) /* (it says why) */
        goto fail;
    if (!(r->c.block = calloc(r->g.n ? r->g.n : 1, sizeof *r->c.block))) {
        snprintf(d->err, sizeof d->err, "out of memory");
        goto fail;
    }
    r->c.nblocks = r->g.n;
    return r;
fail:
    set_reader_close(r);
    return NULL;
}

void set_reader_close(set_reader *r)
{
    if (r)
        reader_free(r);
    free(r);
}

bool set_reader_cands(db *d, const set_reader *r, int need, set_cands_out *out)
{
    *out = (set_cands_out){.j = MG_GIMPSET_K - r->nread};
    for (int k = 0; k < MG_GIMPSET_K; k++)
        out->skip[k] = !r->read[k];
    int least = need - out->j > 1 ? need - out->j : 1; /* (every id counted when need <= j) */
    if (!kept_ids(&r->c, least, &out->v, &out->n)) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    return true;
}

size_t set_reader_count(const set_reader *r, int need, bool *all)
{
    int least = need - (MG_GIMPSET_K - r->nread);
    *all = r->next == MG_GIMPSET_K;
    return count_kept(&r->c, least > 1 ? least : 1);
}

bool set_reader_more_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int64_t max_size, bool *none)
{
    int slots[MG_GIMPSET_K] = {0}, n = 0;
    for (int k = 0; k < r->next; k++)
        if (!r->read[k] && r->size[k] <= max_size)
            slots[n++] = k;
    *none = !n;
    bool ok = read_tokens(d, r, q, slots, n, every_gen(r), true);
    if (ok)
        r->large -= n;
    return ok;
}

int64_t set_reader_large_ids(const set_reader *r)
{
    int64_t n = 0;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if (r->out[k] && !r->read[k]) /* (a sum kept below INT64_MAX) */
            n = r->size[k] < INT64_MAX - n ? n + r->size[k] : INT64_MAX;
    return n;
}

int set_reader_grow(const db *d, int target)
{
    enum { LITE_STEP = 8 };
    int next = strcmp(d->be->name, "postgresql") ? target + LITE_STEP : target * 2;
    return next < MG_GIMPSET_K ? next : MG_GIMPSET_K;
}
