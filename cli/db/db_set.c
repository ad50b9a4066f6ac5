/* db_set.c - owns the gimpset side of the database: the token rows of a
 * record (sample_id, slot, value), one per slot of its non-empty gimpset,
 * under an index on (slot, value), and the search through them.  A score
 * floor(100 * e / 256) >= T holds exactly when the e equal slots number at
 * least M = ceil(T * 256 / 100), so the records sharing at least M tokens
 * with the query (GROUP BY sample_id HAVING count(*) >= M) are all the
 * hits and nothing else can be one; each is then scored with
 * mg_gimpset_compare (the rest of each hit read by id, db_search.c).  The
 * hits are those of `match --measure set` over
 * `db export` (its index skips the same empty and malformed digests). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

bool set_tokens_put(db *d, int64_t id, const char *gimpset)
{
    uint32_t slot[MG_GIMPSET_K];
    if (!gimpset || mg_gimpset_decode(gimpset, slot) != 1)
        return true;
    /* one statement: 256 rows, every value bound */
    char sql[64 + MG_GIMPSET_K * 24];
    db_param p[1 + 2 * MG_GIMPSET_K];
    size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO set_tokens (sample_id, slot, value) VALUES ");
    int np = 0;
    p[np++] = PI(id);
    for (int k = 0; k < MG_GIMPSET_K; k++) {
        p[np++] = PI(k);
        p[np++] = PI(slot[k]);
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s($1, $%d, $%d)", k ? "," : "", np - 1, np);
    }
    snprintf(sql + n, sizeof sql - n, " ON CONFLICT DO NOTHING");
    return db_exec(d, sql, p, np);
}

typedef struct set_cands {
    db_hit *v;
    size_t n, cap;
    const char *q; /* the query digest */
    int t;
    bool nomem;
} set_cands;

/* id, gimpset: kept when it scores >= t (details read for the kept ones) */
static bool set_row(const char *const *cols, int ncols, void *ctx)
{
    set_cands *c = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    int score = mg_gimpset_compare(c->q, cols[1]); /* -1 malformed, 0 empty */
    if (score < c->t)
        return true;
    return !(c->nomem = !db_hit_push(&c->v, &c->n, &c->cap, strtoll(cols[0], NULL, 10), score));
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
    int need = (t * MG_GIMPSET_K + 99) / 100; /* M = ceil(T * 256 / 100) */
    char sql[512 + MG_GIMPSET_K * 48];
    db_param p[1 + 2 * MG_GIMPSET_K];
    int np = 0;
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "SELECT id, gimpset FROM samples WHERE %sid IN ("
                                "SELECT sample_id FROM set_tokens WHERE ",
                                flags & DBS_LABELLED ? "label IS NOT NULL AND " : "");
    for (int k = 0; k < MG_GIMPSET_K; k++) {
        p[np++] = PI(k);
        p[np++] = PI(q[k]);
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s(slot = $%d AND value = $%d)", k ? " OR " : "", np - 1,
                              np);
    }
    p[np++] = PI(need);
    snprintf(sql + n, sizeof sql - n, " GROUP BY sample_id HAVING count(*) >= $%d) ORDER BY id", np);
    set_cands c = {.q = gimpset, .t = t};
    bool ok = db_rows(d, sql, p, np, set_row, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}
