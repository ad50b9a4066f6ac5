/* db_set.c - owns the gimpset side of the database: the token rows of a
 * record (slot, value, sample_id), one per slot of its non-empty gimpset,
 * in one B-tree keyed by all three (schema 4; a sharded collection still),
 * or grouped into bucket pages (schema 6 on one server: db_postings.c, searched
 * by db_set_top.c), and the search through them.  A score
 * floor(100 * e / 256) >= T holds exactly when the e equal slots number at
 * least M = ceil(T * 256 / 100), so the records sharing at least M tokens
 * with the query (GROUP BY sample_id HAVING count(*) >= M) are all the
 * hits and nothing else can be one; each is then scored with
 * mg_gimpset_compare (the rest of each hit read by id, db_search.c).  The
 * hits are those of `match --measure set` over
 * `db export` (its index skips the same empty and malformed digests).
 * A transaction's tokens are staged as records are put and written at
 * commit (db_set_write.c). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

typedef struct set_cands {
    db_hit *v;
    size_t n, cap;
    const char *q; /* the query digest */
    int t;
    bool nomem;
} set_cands;

/* id, gimpset: kept when it scores >= t (details read for the kept ones) */
static bool set_cand_row(const char *const *cols, int ncols, void *ctx)
{
    set_cands *c = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    int score = mg_gimpset_compare(c->q, cols[1]); /* -1 malformed, 0 empty */
    if (score < c->t)
        return true;
    return !(c->nomem = !db_hit_push(&c->v, &c->n, &c->cap, strtoll(cols[0], NULL, 10), score));
}

/* A posting that names a large part of the collection (a slot a popular
 * library wins in every program that links it) costs the most to read and
 * decides the least.  A record with at least M slots equal to the query's
 * has at least M - j of them among any 256 - j slots, so the j (< M)
 * largest postings are left out of the candidate query and the count it
 * requires drops by j: still every hit, each then scored exactly.  A
 * posting is large when it holds BIG_POSTING rows or more; the probe
 * counts each up to that, so it reads at most BIG_POSTING rows a slot. */
#define BIG_POSTING 2048

typedef struct probe_ctx {
    int64_t size[MG_GIMPSET_K];
} probe_ctx;

static bool probe_row(const char *const *cols, int ncols, void *ctx)
{
    probe_ctx *c = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    long k = strtol(cols[0], NULL, 10);
    if (k >= 0 && k < MG_GIMPSET_K)
        c->size[k] = strtoll(cols[1], NULL, 10);
    return true;
}

/* "{a,b,...}" of the n values of v (room for 11 chars a value + 3) */
static void u32_array(char *out, const uint32_t *v, int n)
{
    size_t at = 0;
    out[at++] = '{';
    for (int k = 0; k < n; k++)
        at += (size_t)sprintf(out + at, "%s%u", k ? "," : "", (unsigned)v[k]);
    out[at++] = '}';
    out[at] = 0;
}

/* skip[k] set for the large postings, at most need - 1 of them; their
 * count, -1 on error.  PostgreSQL: one statement over the query's values
 * as an array (a plan for 256 subqueries would cost more than the
 * query); SQLite: 256 scalar subqueries, planned in microseconds. */
static int large_postings(db *d, const uint32_t q[MG_GIMPSET_K], int need, bool skip[MG_GIMPSET_K])
{
    static char sql[MG_GIMPSET_K * 140];
    static char values[MG_GIMPSET_K * 11 + 3];
    db_param p[MG_GIMPSET_K];
    int np = 0;
    if (!strcmp(d->be->name, "postgresql")) {
        u32_array(values, q, MG_GIMPSET_K);
        p[np++] = PT(values);
        snprintf(sql, sizeof sql,
                 "SELECT q.k - 1, (SELECT count(*) FROM (SELECT 1 FROM set_tokens t"
                 " WHERE t.slot = q.k - 1 AND t.value = q.v LIMIT %d) x)"
                 " FROM unnest($1::bigint[]) WITH ORDINALITY AS q(v, k)",
                 BIG_POSTING);
    } else {
        size_t n = 0;
        for (int k = 0; k < MG_GIMPSET_K; k++) {
            p[np++] = PI(q[k]);
            n += (size_t)snprintf(sql + n, sizeof sql - n,
                                  "%sSELECT %d, (SELECT count(*) FROM (SELECT 1 FROM set_tokens"
                                  " WHERE slot = %d AND value = $%d LIMIT %d) x)",
                                  k ? " UNION ALL " : "", k, k, k + 1, BIG_POSTING);
        }
    }
    probe_ctx c = {{0}};
    if (!db_rows(d, sql, p, np, probe_row, &c))
        return -1;
    int j = 0;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if ((skip[k] = j < need - 1 && c.size[k] >= BIG_POSTING))
            j++;
    return j;
}

/* PostgreSQL: the candidates of the slots not skipped, the values bound as
 * two arrays joined to the index (planned at once, where 256 ORed
 * conditions took the planner 100 ms) */
static bool pg_candidates(db *d, const uint32_t q[MG_GIMPSET_K], const bool skip[MG_GIMPSET_K], int need,
                          unsigned flags, set_cands *c)
{
    static char slots[MG_GIMPSET_K * 4 + 3], values[MG_GIMPSET_K * 11 + 3];
    uint32_t sv[MG_GIMPSET_K], vv[MG_GIMPSET_K];
    int m = 0;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if (!skip[k]) {
            sv[m] = (uint32_t)k;
            vv[m++] = q[k];
        }
    u32_array(slots, sv, m);
    u32_array(values, vv, m);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, gimpset FROM samples WHERE %sid IN (SELECT t.sample_id"
             " FROM unnest($1::int[], $2::bigint[]) AS q(slot, value)"
             " JOIN set_tokens t ON t.slot = q.slot AND t.value = q.value"
             " GROUP BY t.sample_id HAVING count(*) >= $3) ORDER BY id",
             flags & DBS_LABELLED ? "label IS NOT NULL AND " : "");
    db_param p[] = {PT(slots), PT(values), PI(need)};
    return db_rows(d, sql, p, 3, set_cand_row, c);
}

int db_set_need(int t)
{
    return (t * MG_GIMPSET_K + 99) / 100;
}

bool db_search_set(db *d, const char *gimpset, int t, size_t top, unsigned flags, db_hit **hits, size_t *nhits)
{
    *hits = NULL;
    *nhits = 0;
    uint32_t q[MG_GIMPSET_K];
    if (!gimpset || mg_gimpset_decode(gimpset, q) != 1)
        return true; /* an empty or malformed query matches nothing */
    if (t < 1)
        t = 1;
    int need = db_set_need(t);
    if (db_pg_sharded(d)) /* each shard counts its own postings */
        return db_search_set_sharded(d, q, t, need, top, flags, hits, nhits);
    if (!d->be->set_rows)
        return set_postings_search(d, q, t, need, top, flags, hits, nhits);
    bool skip[MG_GIMPSET_K];
    int j = large_postings(d, q, need, skip);
    if (j < 0) {
        db_report(d);
        return false;
    }
    set_cands c = {.q = gimpset, .t = t};
    if (!strcmp(d->be->name, "postgresql")) {
        bool ok = pg_candidates(d, q, skip, need - j, flags, &c);
        return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
    }
    char sql[512 + MG_GIMPSET_K * 48];
    db_param p[1 + 2 * MG_GIMPSET_K];
    int np = 0;
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "SELECT id, gimpset FROM samples WHERE %sid IN ("
                                "SELECT sample_id FROM set_tokens WHERE ",
                                flags & DBS_LABELLED ? "label IS NOT NULL AND " : "");
    for (int k = 0; k < MG_GIMPSET_K; k++) {
        if (skip[k])
            continue;
        p[np++] = PI(k);
        p[np++] = PI(q[k]);
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s(slot = $%d AND value = $%d)", np > 2 ? " OR " : "",
                              np - 1, np);
    }
    p[np++] = PI(need - j);
    snprintf(sql + n, sizeof sql - n, " GROUP BY sample_id HAVING count(*) >= $%d) ORDER BY id", np);
    bool ok = db_rows(d, sql, p, np, set_cand_row, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}

void db_set_fields(const void *rows, size_t k, int64_t out[3])
{
    const set_row *r = (const set_row *)rows + k;
    out[0] = r->sample_id, out[1] = r->slot, out[2] = r->value;
}
