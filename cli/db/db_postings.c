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
    bool nomem;
} gens;

static bool gen_row(const char *const *cols, int ncols, void *ctx)
{
    gens *g = ctx;
    if (ncols < 1 || !cols[0])
        return true;
    size_t m = strlen(cols[0]);
    while (g->len + m + 2 > g->cap) {
        char *t = grow_array(g->text, g->len, &g->cap, 1);
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
    if (ok && g->nomem)
        snprintf(d->err, sizeof d->err, "out of memory");
    return ok && !g->nomem;
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

/* the query's postings of the tokens not skipped, counted into c; the
 * sizes of all (sum of n) into size when size is given (then nothing is
 * counted) */
static bool read_tokens(db *d, const uint32_t q[MG_GIMPSET_K], const bool *skip, const gens *g, counts *c,
                        int64_t size[MG_GIMPSET_K])
{
    size_t sqlsz = g->len + 512;
    char *sql = malloc(sqlsz);
    if (!sql) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    bool ok = true;
    if (!strcmp(d->be->name, "postgresql")) {
        static char slots[MG_GIMPSET_K * 4 + 3], values[MG_GIMPSET_K * 11 + 3];
        size_t ns = 1, nv = 1;
        slots[0] = values[0] = '{';
        for (int k = 0; k < MG_GIMPSET_K; k++)
            if (size || !skip[k]) {
                ns += (size_t)sprintf(slots + ns, "%s%d", ns > 1 ? "," : "", k);
                nv += (size_t)sprintf(values + nv, "%s%u", nv > 1 ? "," : "", (unsigned)q[k]);
            }
        memcpy(slots + ns, "}", 2);
        memcpy(values + nv, "}", 2);
        char *gens_array = sql; /* the statement is a literal here: its buffer holds the generations */
        snprintf(gens_array, sqlsz, "{%s}", g->text ? g->text : "");
        db_param p[] = {PT(slots), PT(values), PT(gens_array)};
        ok = size ? db_rows(d,
                            "SELECT q.slot, (SELECT coalesce(sum(t.n), 0) FROM set_postings t"
                            " WHERE t.gen = ANY($3::bigint[]) AND t.slot = q.slot AND t.value = q.value)"
                            " FROM unnest($1::int[], $2::bigint[]) AS q(slot, value)",
                            p, 3, probe_row_fn, size)
                  : db_rows(d,
                            "SELECT t.ids FROM unnest($1::int[], $2::bigint[]) AS q(slot, value)"
                            " JOIN set_postings t ON t.gen = ANY($3::bigint[]) AND t.slot = q.slot"
                            " AND t.value = q.value",
                            p, 3, ids_row, c);
    } else {
        snprintf(sql, sqlsz, "SELECT %s FROM set_postings WHERE gen IN (%s) AND slot = $1 AND value = $2",
                 size ? "coalesce(sum(n), 0)" : "ids", g->text ? g->text : "");
        for (int k = 0; ok && k < MG_GIMPSET_K; k++) {
            if (!size && skip[k])
                continue;
            db_param p[] = {PI(k), PI(q[k])};
            ok = db_rows(d, sql, p, 2, size ? db_int_row : ids_row, size ? (void *)&size[k] : (void *)c);
        }
    }
    free(sql);
    return ok;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* the ids of c counted at least need times, ascending */
static bool kept_ids(const counts *c, int need, int64_t **ids, size_t *nids)
{
    size_t n = 0;
    for (size_t k = 0; k < c->cap; k++)
        n += c->id[k] && c->n[k] >= need;
    *ids = malloc((n ? n : 1) * sizeof **ids);
    if (!*ids)
        return false;
    n = 0;
    for (size_t k = 0; k < c->cap; k++)
        if (c->id[k] && c->n[k] >= need)
            (*ids)[n++] = c->id[k];
    qsort(*ids, n, sizeof **ids, cmp_id);
    *nids = n;
    return true;
}

bool set_postings_candidates(db *d, const uint32_t q[MG_GIMPSET_K], int need, int64_t **ids, size_t *nids)
{
    *ids = NULL;
    *nids = 0;
    gens g = {0};
    counts c = {0};
    int64_t size[MG_GIMPSET_K] = {0};
    bool skip[MG_GIMPSET_K] = {0}, ok = read_gens(d, &g) && read_tokens(d, q, skip, &g, &c, size);
    int j = 0;
    for (int k = 0; ok && k < MG_GIMPSET_K; k++)
        if ((skip[k] = j < need - 1 && size[k] >= BIG_POSTING))
            j++;
    ok = ok && read_tokens(d, q, skip, &g, &c, NULL);
    if (ok && (c.bad || c.nomem)) {
        snprintf(d->err, sizeof d->err, "%s",
                 c.bad ? "a malformed gimpset posting (set_postings.ids): a crafted or damaged collection"
                       : "out of memory");
        ok = false;
    }
    if (ok && c.cap && !kept_ids(&c, need - j, ids, nids)) {
        snprintf(d->err, sizeof d->err, "out of memory");
        ok = false;
    }
    free(g.text);
    free(c.id);
    free(c.n);
    return ok;
}
