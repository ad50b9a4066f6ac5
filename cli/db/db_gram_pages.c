/* db_gram_pages.c - owns the gram index of a one-server collection
 * (schema 7, docs/collection.md "Gram pages"): a transaction's gram rows
 * leave as pages, one per (generation, bucket) it touched, where bucket is
 * the gram's top DB_GRAM_BUCKET_BITS bits; a search reads the pages of its
 * grams' buckets in every generation with one statement, checks each page
 * (a collection may be crafted) and keeps the ids of its grams; the
 * migration to schema 7 rebuilds the pages from the samples' digests.  A
 * sharded collection keeps its gram rows (db_grams.c, db_shard_search.c). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static int64_t bucket_of(int64_t gram) { return (int64_t)((uint64_t)gram >> (64 - DB_GRAM_BUCKET_BITS)); }

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int k = 0; k < n; k++)
        p[k] = (unsigned char)(v >> 8 * k);
}

bool gram_pages_write(db *d, const gram_row *v, size_t n)
{
    size_t np = 0;
    for (size_t k = 0; k < n; k++)
        np += !k || v[k].gen != v[k - 1].gen || bucket_of(v[k].gram) != bucket_of(v[k - 1].gram);
    unsigned char *data = n <= SIZE_MAX / DB_GRAM_ENTRY ? malloc(n * DB_GRAM_ENTRY + 1) : NULL;
    gram_page *p = np <= SIZE_MAX / sizeof *p ? malloc((np + 1) * sizeof *p) : NULL;
    if (!data || !p) {
        free(data);
        free(p);
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    np = 0;
    for (size_t a = 0, b; a < n; a = b) {
        int64_t gen = v[a].gen, bucket = bucket_of(v[a].gram), first = v[a].sample_id;
        for (b = a; b < n && v[b].gen == gen && bucket_of(v[b].gram) == bucket; b++) {
            put_le(data + b * DB_GRAM_ENTRY, (uint64_t)v[b].gram, 8);
            put_le(data + b * DB_GRAM_ENTRY + 8, (uint64_t)(v[b].sample_id - gen * DB_GRAM_GEN), 2);
            first = v[b].sample_id < first ? v[b].sample_id : first;
        }
        p[np++] = (gram_page){.gen = gen, .bucket = bucket, .first_id = first, .n = (int64_t)(b - a),
                              .data = data + a * DB_GRAM_ENTRY};
    }
    bool ok = d->be->put_gram_pages(d, p, np);
    free(data);
    free(p);
    return ok;
}

/* ---- the reader ---- */

typedef struct page_scan {
    db *d;
    const int64_t *keys;
    size_t nkeys;
    int64_t **ids;
    size_t *n, *cap;
    bool bad, nomem;
} page_scan;

/* one entry's 10 bytes at b as its gram and id offset (little-endian) */
static void entry_at(const unsigned char *b, uint64_t *gram, uint64_t *off)
{
    uint64_t g = 0;
    for (int k = 7; k >= 0; k--)
        g = g << 8 | b[k];
    *gram = g;
    *off = (uint64_t)b[8] | (uint64_t)b[9] << 8;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool refuse(page_scan *s, const int64_t *ints, int nints, const char *why)
{
    snprintf(s->d->err, sizeof s->d->err,
             "a malformed gram page (gram_pages.data) at gen %lld bucket %lld: %s: a crafted or damaged collection",
             nints > 0 ? (long long)ints[0] : -1LL, nints > 1 ? (long long)ints[1] : -1LL, why);
    s->bad = true;
    return false;
}

/* why the entries of one page's data h (n of them) are malformed (NULL:
 * they are not); the ids of the searched keys pushed */
static const char *page_entries(page_scan *s, int64_t gen, int64_t bucket, const unsigned char *h, int64_t n)
{
    int64_t pgram = 0;
    uint64_t poff = 0;
    for (int64_t k = 0; k < n; k++, h += DB_GRAM_ENTRY) {
        uint64_t g, off;
        entry_at(h, &g, &off);
        int64_t gram = (int64_t)g;
        if (off >= DB_GRAM_GEN)
            return "an id offset over 16383";
        if (bucket_of(gram) != bucket)
            return "a gram outside its bucket";
        if (k && (gram < pgram || (gram == pgram && off <= poff)))
            return "entries not sorted by (gram, id)";
        pgram = gram, poff = off;
        if (!bsearch(&gram, s->keys, s->nkeys, sizeof *s->keys, cmp64))
            continue;
        int64_t *w = grow_array(*s->ids, *s->n, s->cap, sizeof *w);
        if (!w) {
            s->nomem = true;
            return NULL;
        }
        *s->ids = w;
        w[(*s->n)++] = gen * DB_GRAM_GEN + (int64_t)off;
    }
    return NULL;
}

/* gen, bucket, n, data of one page (as stored: db.h's query_pages) */
static bool page_row(const int64_t *ints, int nints, const unsigned char *data, size_t len, void *ctx)
{
    page_scan *s = ctx;
    if (nints != 3 || !data)
        return refuse(s, ints, nints, "a NULL column or one that is no integer");
    int64_t gen = ints[0], bucket = ints[1], n = ints[2];
    if (gen < 0 || gen > INT64_MAX / DB_GRAM_GEN - 1 || bucket < 0 || bucket >= 1 << DB_GRAM_BUCKET_BITS || n < 1)
        return refuse(s, ints, nints, "gen, bucket or n out of range");
    if (len % DB_GRAM_ENTRY || len / DB_GRAM_ENTRY != (uint64_t)n)
        return refuse(s, ints, nints, "its length is not 10 bytes times n");
    const char *why = page_entries(s, gen, bucket, data, n);
    return why ? refuse(s, ints, nints, why) : !s->nomem;
}

bool gram_pages_ids(db *d, const int64_t *keys, size_t n, int64_t **ids, size_t *n_ids, size_t *cap)
{
    if (!n)
        return true;
    int64_t buckets[DB_MAX_GRAMS];
    size_t nb = 0;
    for (size_t k = 0; k < n && nb < DB_MAX_GRAMS; k++)
        buckets[nb++] = bucket_of(keys[k]);
    qsort(buckets, nb, sizeof *buckets, cmp64);
    char sql[512 + DB_MAX_GRAMS * 8];
    db_param p[DB_MAX_GRAMS];
    /* the generations 0 .. max(id) / DB_GRAM_GEN, as the gram rows' search */
    size_t len = (size_t)snprintf(sql, sizeof sql,
                                  "WITH RECURSIVE gens(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM gens"
                                  " WHERE g < (SELECT coalesce(max(id), 0) FROM samples) / %d)"
                                  " SELECT gen, bucket, n, data FROM gram_pages WHERE gen IN (SELECT g FROM gens)"
                                  " AND bucket IN (",
                                  DB_GRAM_GEN);
    int np = 0;
    for (size_t k = 0; k < nb; k++)
        if (!k || buckets[k] != buckets[k - 1]) {
            p[np++] = PI(buckets[k]);
            len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%d", np > 1 ? ", " : "", np);
        }
    snprintf(sql + len, sizeof sql - len, ")");
    page_scan s = {.d = d, .keys = keys, .nkeys = n, .ids = ids, .n = n_ids, .cap = cap};
    bool ok = d->be->query_pages(d, sql, p, np, page_row, &s);
    if (ok && s.nomem)
        snprintf(d->err, sizeof d->err, "out of memory");
    return ok && !s.bad && !s.nomem;
}

/* ---- the migration to schema 7 ---- */

typedef struct rebuild {
    db *d;
    bool failed;
} rebuild;

/* id, no_names, digest_kind, gimpfuzzy: the record's keys staged as
 * db_records.c stages them */
static bool rebuild_row(const char *const *cols, int ncols, void *ctx)
{
    rebuild *r = ctx;
    if (ncols < 4 || !cols[0] || !cols[1] || !cols[2] || !cols[3] || strcmp(cols[1], "0") || strcmp(cols[2], "0"))
        return true;
    digest_keys k;
    digest_keys_of(cols[3], &k);
    if (k.kind == DIGEST_PLAIN && !grams_stage(r->d, strtoll(cols[0], NULL, 10), &k)) {
        r->failed = true;
        return false;
    }
    return true;
}

bool gram_pages_rebuild(db *d)
{
    rebuild r = {.d = d};
    return db_rebuild_by_generation(d,
                                    "SELECT id, no_names, digest_kind, gimpfuzzy FROM samples"
                                    " WHERE id >= $1 AND id < $2 ORDER BY id",
                                    rebuild_row, &r, &r.failed, grams_flush);
}
