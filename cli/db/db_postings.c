/* db_postings.c - owns the gimpset postings of a one-server collection
 * (schema 5): the sample ids of one token (slot, value) that one
 * transaction wrote within one generation of samples (id / DB_GRAM_GEN)
 * are one row, (gen, slot, value, first_id, n, ids) with ids "id,id,...",
 * where schema 4 wrote a row per (token, sample) (written by
 * db_set_write.c; this file reads them).  A query reads a token's
 * postings in every generation (one index seek each), counts the ids of
 * the postings client-side and keeps those named by at least M of the
 * query's tokens: the candidates that db_set.c scores exactly, the same
 * set as schema 4's GROUP BY sample_id HAVING count(*) >= M.  A sharded
 * collection keeps its token rows (db_set.c, the backend's set_rows).
 *
 * Hostile input: a collection may be crafted; an ids text that is not
 * comma-separated decimal numbers is refused (an error naming it), the
 * counting table grows with the ids read (bounded by what the statement
 * returns, itself bounded in time by the backend). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

/* A posting that names a large part of the collection costs the most to
 * read and decides the least: the j (< M) largest postings of at least
 * BIG_POSTING ids are left out and the count required drops by j, as
 * db_set.c explains for the token rows. */
#define BIG_POSTING 2048

/* the generations present, ascending (a loose index scan: one seek each),
 * as "g,g,..." in text (malloc'ed) */
typedef struct gens {
    char *text;
    size_t len, cap;
    bool nomem, bad;
} gens;

static bool gen_row(const char *const *cols, int ncols, void *ctx)
{
    gens *g = ctx;
    if (ncols < 1 || !cols[0])
        return true;
    size_t m = strlen(cols[0]), sign = cols[0][0] == '-';
    size_t digits = strspn(cols[0] + sign, "0123456789");
    if (!digits || digits > 18 || sign + digits != m) /* the text goes into the statements */
        return !(g->bad = true);
    while (g->len + m + 2 > g->cap) {
        char *t = grow_array(g->text, g->cap, &g->cap, 1); /* n = cap: grown every time */
        if (!t)
            return !(g->nomem = true);
        g->text = t;
    }
    if (g->len)
        g->text[g->len++] = ',';
    memcpy(g->text + g->len, cols[0], m + 1);
    g->len += m;
    return true;
}

static bool read_gens(db *d, gens *g)
{
    bool ok = db_rows(d,
                      "WITH RECURSIVE g(gen) AS (SELECT min(gen) FROM set_postings UNION ALL"
                      " SELECT (SELECT min(gen) FROM set_postings WHERE gen > g.gen) FROM g WHERE g.gen IS NOT NULL)"
                      " SELECT gen FROM g WHERE gen IS NOT NULL",
                      NULL, 0, gen_row, g);
    if (ok && (g->nomem || g->bad))
        snprintf(d->err, sizeof d->err, "%s",
                 g->bad ? "a generation that is no integer (set_postings.gen): a crafted or damaged collection"
                        : "out of memory");
    return ok && !g->nomem && !g->bad;
}

/* ids counted: open addressing over id (never 0: ids start at 1) */
typedef struct counts {
    int64_t *id;
    uint16_t *n;
    size_t cap, used; /* cap a power of two */
    bool bad, nomem;
} counts;

static bool count_grow(counts *c)
{
    size_t cap = c->cap ? c->cap * 2 : 4096;
    int64_t *id = calloc(cap, sizeof *id);
    uint16_t *n = calloc(cap, sizeof *n);
    if (!id || !n || cap < c->cap) {
        free(id);
        free(n);
        return false;
    }
    for (size_t k = 0; k < c->cap; k++)
        if (c->id[k]) {
            size_t h = (size_t)((uint64_t)c->id[k] * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
            while (id[h])
                h = (h + 1) & (cap - 1);
            id[h] = c->id[k];
            n[h] = c->n[k];
        }
    free(c->id);
    free(c->n);
    c->id = id;
    c->n = n;
    c->cap = cap;
    return true;
}

static bool count_one(counts *c, int64_t id)
{
    if (2 * (c->used + 1) > c->cap && !count_grow(c))
        return !(c->nomem = true);
    size_t h = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 20) & (c->cap - 1);
    while (c->id[h] && c->id[h] != id)
        h = (h + 1) & (c->cap - 1);
    if (!c->id[h]) {
        c->id[h] = id;
        c->used++;
    }
    if (c->n[h] < UINT16_MAX)
        c->n[h]++;
    return true;
}

/* ids: one posting's text, every id counted; a malformed one is refused */
static bool ids_row(const char *const *cols, int ncols, void *ctx)
{
    counts *c = ctx;
    if (ncols < 1 || !cols[0])
        return !(c->bad = true);
    for (const char *p = cols[0];;) {
        int64_t id = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9' && p - start < 18)
            id = id * 10 + (*p++ - '0');
        if (p == start || id < 1 || (*p && *p != ','))
            return !(c->bad = true);
        if (!count_one(c, id))
            return false;
        if (!*p++)
            return true;
    }
}

/* slot, size: into size[slot] */
static bool probe_row_fn(const char *const *cols, int ncols, void *ctx)
{
    int64_t *size = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    long k = strtol(cols[0], NULL, 10);
    if (k >= 0 && k < MG_GIMPSET_K)
        size[k] = strtoll(cols[1], NULL, 10);
    return true;
}

/* PostgreSQL: the query's postings of the tokens not skipped, counted
 * into c; the sizes of all (sum of n) into size when size is given (then
 * nothing is counted).  One statement each, the tokens bound as arrays:
 * a round trip a token would cost more than the rows. */
static bool pg_tokens(db *d, const uint32_t q[MG_GIMPSET_K], const bool *skip, const gens *g, counts *c,
                      int64_t size[MG_GIMPSET_K])
{
    static char slots[MG_GIMPSET_K * 4 + 3], values[MG_GIMPSET_K * 11 + 3];
    char *gens_array = malloc(g->len + 3);
    if (!gens_array) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    size_t ns = 1, nv = 1;
    slots[0] = values[0] = '{';
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if (size || !skip[k]) {
            ns += (size_t)sprintf(slots + ns, "%s%d", ns > 1 ? "," : "", k);
            nv += (size_t)sprintf(values + nv, "%s%u", nv > 1 ? "," : "", (unsigned)q[k]);
        }
    memcpy(slots + ns, "}", 2);
    memcpy(values + nv, "}", 2);
    snprintf(gens_array, g->len + 3, "{%s}", g->text ? g->text : "");
    db_param p[] = {PT(slots), PT(values), PT(gens_array)};
    bool ok = size ? db_rows(d,
                             "SELECT q.slot, (SELECT coalesce(sum(t.n), 0) FROM set_postings t"
                             " WHERE t.gen = ANY($3::bigint[]) AND t.slot = q.slot AND t.value = q.value)"
                             " FROM unnest($1::int[], $2::bigint[]) AS q(slot, value)",
                             p, 3, probe_row_fn, size)
                   : db_rows(d,
                             "SELECT t.ids FROM unnest($1::int[], $2::bigint[]) AS q(slot, value)"
                             " JOIN set_postings t ON t.gen = ANY($3::bigint[]) AND t.slot = q.slot"
                             " AND t.value = q.value",
                             p, 3, ids_row, c);
    free(gens_array);
    return ok;
}

/* the ids of c counted at least need times with their counts (in no order) */
static bool kept_ids(const counts *c, int need, set_cand **v, size_t *nv)
{
    size_t n = 0;
    for (size_t k = 0; k < c->cap; k++)
        n += c->id[k] && c->n[k] >= need;
    *v = malloc((n ? n : 1) * sizeof **v);
    if (!*v)
        return false;
    n = 0;
    for (size_t k = 0; k < c->cap; k++)
        if (c->id[k] && c->n[k] >= need)
            (*v)[n++] = (set_cand){.id = c->id[k], .count = c->n[k]};
    *nv = n;
    return true;
}

/* what a query has read so far: the generations, the ids counted, the
 * tokens read (in slot order up to next), how many large ones were left
 * out */
struct set_reader {
    gens g;
    counts c;
    bool read[MG_GIMPSET_K];
    int64_t size[MG_GIMPSET_K]; /* of the tokens sized (SQLite: estimated) */
    bool out[MG_GIMPSET_K];     /* SQLite: left out */
    bool estimated;
    int next, nread, large;
};

/* SQLite: which tokens to leave out, decided once: each token's size
 * estimated in the two newest generations (two index seeks, where its
 * size in all costs one a generation) and scaled to all of them; the
 * need - 1 largest of BIG_POSTING ids or more are left out.  An estimate
 * only decides what is read: any tokens left out give every hit. */
static bool lite_estimate(db *d, const uint32_t q[MG_GIMPSET_K], int need, set_reader *r)
{
    const char *text = r->g.text ? r->g.text : "", *last = strrchr(text, ','), *from = text;
    int ngens = *text ? 1 : 0, nlast = ngens;
    for (const char *p = text; *p; p++)
        ngens += *p == ',';
    if (last) { /* the last two: from the comma before the last one */
        const char *p = last;
        while (p > text && p[-1] != ',')
            p--;
        from = p;
        nlast = 2;
    }
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(n), 0) FROM set_postings WHERE gen IN (%.60s) AND slot = $1"
             " AND value = $2", from); /* two generations of at most 19 characters */
    bool ok = true;
    for (int k = 0; ok && nlast && k < MG_GIMPSET_K; k++) {
        db_param p[] = {PI(k), PI(q[k])};
        int64_t n = 0;
        ok = db_rows(d, sql, p, 2, db_int_row, &n);
        r->size[k] = n < INT64_MAX / 64 ? n * ngens / nlast : INT64_MAX / 64;
    }
    for (int j = 0; ok && j < need - 1; j++) { /* the largest left, need - 1 times at most */
        int best = -1;
        for (int k = 0; k < MG_GIMPSET_K; k++)
            if (!r->out[k] && r->size[k] >= BIG_POSTING && (best < 0 || r->size[k] > r->size[best]))
                best = k;
        if (best < 0)
            break;
        r->out[best] = true;
        r->large++;
    }
    r->estimated = true;
    return ok;
}

/* SQLite: the statement that reads one token's ids in every generation
 * of r (malloc'ed; NULL with d->err set) */
static char *lite_ids_sql(db *d, const set_reader *r)
{
    size_t sqlsz = r->g.len + 128;
    char *sql = malloc(sqlsz);
    if (!sql) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return NULL;
    }
    snprintf(sql, sqlsz, "SELECT ids FROM set_postings WHERE gen IN (%s) AND slot = $1 AND value = $2",
             r->g.text ? r->g.text : "");
    return sql;
}

/* SQLite: the tokens from r->next on in slot order, those not left out
 * (lite_estimate) read, their ids counted, until target tokens are read */
static bool lite_tokens(db *d, const uint32_t q[MG_GIMPSET_K], int need, int target, set_reader *r)
{
    if (!r->estimated && !lite_estimate(d, q, need, r))
        return false;
    char *ids_sql = lite_ids_sql(d, r);
    if (!ids_sql)
        return false;
    bool ok = true;
    for (; ok && !r->c.bad && !r->c.nomem && r->nread < target && r->next < MG_GIMPSET_K; r->next++) {
        int k = r->next;
        db_param p[] = {PI(k), PI(q[k])};
        if (!r->out[k] && (ok = db_rows(d, ids_sql, p, 2, ids_row, &r->c))) {
            r->read[k] = true;
            r->nread++;
        }
    }
    free(ids_sql);
    return ok;
}

static void reader_free(set_reader *r)
{
    free(r->g.text);
    free(r->c.id);
    free(r->c.n);
}

set_reader *set_reader_open(db *d)
{
    set_reader *r = calloc(1, sizeof *r);
    if (!r)
        snprintf(d->err, sizeof d->err, "out of memory");
    else if (!read_gens(d, &r->g)) {
        reader_free(r);
        free(r);
        r = NULL;
    }
    return r;
}

void set_reader_close(set_reader *r)
{
    if (r)
        reader_free(r);
    free(r);
}

bool set_reader_more(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need, int target)
{
    bool ok = true;
    if (strcmp(d->be->name, "postgresql"))
        ok = lite_tokens(d, q, need, target, r);
    else if (!r->next) { /* all at once: two statements */
        int64_t size[MG_GIMPSET_K] = {0};
        bool skip[MG_GIMPSET_K] = {0};
        ok = pg_tokens(d, q, skip, &r->g, &r->c, size);
        memcpy(r->size, size, sizeof size);
        for (int k = 0; ok && k < MG_GIMPSET_K; k++)
            if (!(skip[k] = r->large < need - 1 && size[k] >= BIG_POSTING))
                r->read[k] = true, r->nread++;
            else
                r->large++;
        ok = ok && pg_tokens(d, q, skip, &r->g, &r->c, NULL);
        r->next = MG_GIMPSET_K;
    }
    if (ok && (r->c.bad || r->c.nomem)) {
        snprintf(d->err, sizeof d->err, "%s",
                 r->c.bad ? "a malformed gimpset posting (set_postings.ids): a crafted or damaged collection"
                          : "out of memory");
        ok = false;
    }
    return ok;
}

bool set_reader_cands(db *d, const set_reader *r, int need, set_cands_out *out)
{
    *out = (set_cands_out){.j = MG_GIMPSET_K - r->nread};
    for (int k = 0; k < MG_GIMPSET_K; k++)
        out->skip[k] = !r->read[k];
    if (r->c.cap && !kept_ids(&r->c, need - out->j, &out->v, &out->n)) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    return true;
}

size_t set_reader_count(const set_reader *r, int need, bool *all)
{
    int least = need - (MG_GIMPSET_K - r->nread);
    size_t n = 0;
    for (size_t k = 0; k < r->c.cap; k++)
        n += r->c.id[k] && r->c.n[k] >= least;
    *all = r->next == MG_GIMPSET_K;
    return n;
}

/* large token k read after all; false with d->err set */
static bool read_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int k)
{
    bool ok;
    if (strcmp(d->be->name, "postgresql")) {
        char *sql = lite_ids_sql(d, r);
        if (!sql)
            return false;
        db_param p[] = {PI(k), PI(q[k])};
        ok = db_rows(d, sql, p, 2, ids_row, &r->c);
        free(sql);
    } else {
        bool skip[MG_GIMPSET_K];
        for (int i = 0; i < MG_GIMPSET_K; i++)
            skip[i] = i != k;
        ok = pg_tokens(d, q, skip, &r->g, &r->c, NULL);
    }
    if (ok && (r->c.bad || r->c.nomem)) {
        snprintf(d->err, sizeof d->err, "%s",
                 r->c.bad ? "a malformed gimpset posting (set_postings.ids): a crafted or damaged collection"
                          : "out of memory");
        ok = false;
    }
    if (ok) {
        r->read[k] = true;
        r->nread++;
        r->large--;
    }
    return ok;
}

bool set_reader_more_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int64_t max_size, bool *none)
{
    *none = true;
    bool ok = true;
    for (int k = 0; ok && k < r->next; k++)
        if (!r->read[k] && r->size[k] <= max_size) {
            *none = false;
            ok = read_large(d, r, q, k);
        }
    return ok;
}
