/* db_set.c - owns the gimpset side of the database: the token rows of a
 * record (sample_id, slot, value), one per slot of its non-empty gimpset,
 * under an index on (slot, value), and the search through them.  A score
 * floor(100 * e / 256) >= T holds exactly when the e equal slots number at
 * least M = ceil(T * 256 / 100), so the records sharing at least M tokens
 * with the query (GROUP BY sample_id HAVING count(*) >= M) are all the
 * hits and nothing else can be one; each is then scored with
 * mg_gimpset_compare (the rest of each hit read by id, db_search.c).  The
 * hits are those of `match --measure set` over
 * `db export` (its index skips the same empty and malformed digests).
 * A transaction's token rows are staged as records are put and written
 * at commit sorted by (slot, value), as db_grams.c writes the gram rows. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

bool set_tokens_put(db *d, int64_t id, const char *gimpset)
{
    uint32_t slot[MG_GIMPSET_K];
    if (!gimpset || mg_gimpset_decode(gimpset, slot) != 1)
        return true;
    while (d->nsetstaged + MG_GIMPSET_K > d->capsetstaged) { /* doubled until the record fits */
        set_row *v = grow_array(d->setstaged, d->capsetstaged, &d->capsetstaged, sizeof *v);
        if (!v) {
            snprintf(d->err, sizeof d->err, "out of memory");
            return false;
        }
        d->setstaged = v;
    }
    for (int k = 0; k < MG_GIMPSET_K; k++)
        d->setstaged[d->nsetstaged++] = (set_row){.sample_id = id, .slot = k, .value = slot[k]};
    return true;
}

static int cmp_set_row(const void *a, const void *b)
{
    const set_row *x = a, *y = b;
    if (x->slot != y->slot)
        return (x->slot > y->slot) - (x->slot < y->slot);
    if (x->value != y->value)
        return (x->value > y->value) - (x->value < y->value);
    return (x->sample_id > y->sample_id) - (x->sample_id < y->sample_id);
}

bool set_tokens_flush(db *d)
{
    if (!d->nsetstaged)
        return true;
    qsort(d->setstaged, d->nsetstaged, sizeof *d->setstaged, cmp_set_row);
    bool ok = d->be->put_set_tokens(d, d->setstaged, d->nsetstaged);
    d->nsetstaged = 0;
    return ok;
}

void set_tokens_drop(db *d)
{
    free(d->setstaged);
    d->setstaged = NULL;
    d->nsetstaged = d->capsetstaged = 0;
}

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
    bool ok = db_rows(d, sql, p, np, set_cand_row, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}
