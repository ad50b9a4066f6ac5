/* db_search.c - owns the search in the database: the candidates of a
 * digest come from the gram index (samples sharing a key, the same
 * normalised digest, or an oddly spelled digest that only fuzzy_compare
 * can judge), each is scored with fuzzy_compare as its row arrives (the
 * in-memory index scores its candidates the same way, and any pair it
 * could find is among these), and only the hits kept are then read in
 * full, so the hits are those of the in-memory index over the whole
 * collection.  Only an oddly spelled query digest reads every sample (the
 * in-memory index compares it with all too). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

bool db_scored_row(const char *const *cols, int ncols, void *ctx)
{
    db_scored *c = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    /* -1: malformed */
    int score = c->set ? mg_gimpset_compare(c->q, cols[1]) : mg_fuzzy_compare(c->q, cols[1]);
    if (score < c->t)
        return true;
    return !(c->nomem = !db_hit_push(&c->v, &c->n, &c->cap, strtoll(cols[0], NULL, 10), score));
}

bool db_hit_push(db_hit **v, size_t *n, size_t *cap, int64_t id, int score)
{
    db_hit *w = grow_array(*v, *n, cap, sizeof *w);
    if (!w)
        return false;
    *v = w;
    (*v)[(*n)++] = (db_hit){.id = id, .score = score};
    return true;
}

void db_hits_free(db_hit *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].path);
        free(h[i].label);
    }
    free(h);
}

static bool fetch_scored(db *d, const char *digest, unsigned flags, db_scored *c)
{
    digest_keys k;
    digest_keys_of(digest, &k);
    if (k.kind == DIGEST_DEAD)
        return true;
    char only[96];
    snprintf(only, sizeof only, "%s%s", flags & DBS_LABELLED ? " AND label IS NOT NULL" : "",
             flags & DBS_NO_SET ? " AND (gimpset IS NULL OR gimpset = '')" : "");
    char sql[512 + DB_MAX_GRAMS * 8];
    db_param p[1 + DB_MAX_GRAMS];
    int np = 0;
    if (k.kind == DIGEST_ODD)
        snprintf(sql, sizeof sql, "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s ORDER BY id", only);
    else {
        p[np++] = PT(k.exact);
        /* the generations of the gram index: 0 .. max(id) / DB_GRAM_GEN */
        size_t n = (size_t)snprintf(sql, sizeof sql,
                                    "WITH RECURSIVE gens(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM gens"
                                    " WHERE g < (SELECT coalesce(max(id), 0) FROM samples) / %d)"
                                    " SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s AND id IN ("
                                    "SELECT id FROM samples WHERE digest_exact = $1"
                                    " UNION SELECT id FROM samples WHERE digest_kind = 1",
                                    DB_GRAM_GEN, only);
        if (k.ngram) {
            n += (size_t)snprintf(sql + n, sizeof sql - n,
                                  " UNION SELECT sample_id FROM grams WHERE gen IN (SELECT g FROM gens) AND gram IN (");
            for (size_t g = 0; g < k.ngram; g++) {
                p[np++] = PI(k.gram[g]);
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%s$%d", g ? ", " : "", np);
            }
            n += (size_t)snprintf(sql + n, sizeof sql - n, ")");
        }
        snprintf(sql + n, sizeof sql - n, ") ORDER BY id");
    }
    return db_rows(d, sql, p, np, db_scored_row, c);
}

static int by_score_id(const void *a, const void *b)
{
    const db_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b)
{
    const db_hit *const *x = a, *const *y = b;
    return ((*x)->id > (*y)->id) - ((*x)->id < (*y)->id);
}

typedef struct details {
    db_hit **by_id; /* the hits ordered by id */
    size_t n;
    bool nomem;
} details;

/* id, path, suffix, gimphash, label: into the hit of that id */
static bool detail_row(const char *const *cols, int ncols, void *ctx)
{
    details *c = ctx;
    if (ncols < 5 || !cols[0])
        return true;
    db_hit key = {.id = strtoll(cols[0], NULL, 10)}, *kp = &key;
    db_hit **at = bsearch(&kp, c->by_id, c->n, sizeof *c->by_id, by_id);
    if (!at || (*at)->path)
        return true;
    db_hit *h = *at;
    if (asprintf(&h->path, "%s%s", cols[1] ? cols[1] : "", cols[2] ? cols[2] : "") < 0) {
        h->path = NULL;
        c->nomem = true;
        return false;
    }
    snprintf(h->gimphash, sizeof h->gimphash, "%s", cols[3] ? cols[3] : "");
    h->label = cols[4] ? strdup(cols[4]) : NULL;
    if (cols[4] && !h->label)
        c->nomem = true;
    return !c->nomem;
}

/* the display path, gimphash and label of each hit, read by id, CHUNK ids
 * a statement; false after a database error */
static bool fetch_details(db *d, db_hit *v, size_t n, bool *nomem)
{
    enum { CHUNK = 256 };
    details c = {.by_id = malloc((n ? n : 1) * sizeof *c.by_id), .n = n};
    if (!c.by_id) {
        *nomem = true;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        c.by_id[i] = &v[i];
    if (n)
        qsort(c.by_id, n, sizeof *c.by_id, by_id);
    bool ok = true;
    for (size_t at = 0; ok && !c.nomem && at < n; at += CHUNK) {
        size_t m = n - at < CHUNK ? n - at : CHUNK;
        char sql[128 + CHUNK * 8];
        db_param p[CHUNK];
        size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT id, path, suffix, gimphash, label FROM samples WHERE id IN (");
        for (size_t k = 0; k < m; k++) {
            p[k] = PI(c.by_id[at + k]->id);
            len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%zu", k ? ", " : "", k + 1);
        }
        snprintf(sql + len, sizeof sql - len, ")");
        ok = db_rows(d, sql, p, (int)m, detail_row, &c);
    }
    /* a hit whose row went away meanwhile still prints (as its id's record did) */
    for (size_t i = 0; ok && !c.nomem && i < n; i++)
        if (!v[i].path && !(v[i].path = strdup("")))
            c.nomem = true;
    free(c.by_id);
    *nomem = c.nomem;
    return ok;
}

bool db_hits_finish(db *d, bool ok, bool nomem, db_hit *v, size_t n, size_t top, db_hit **hits, size_t *nhits)
{
    if (ok && !nomem) {
        if (n) /* qsort of an empty array: its pointer may be NULL */
            qsort(v, n, sizeof *v, by_score_id);
        if (top && n > top)
            n = top; /* the rest have no details to free */
        ok = fetch_details(d, v, n, &nomem);
    }
    if (!ok)
        db_report(d);
    else if (nomem) {
        report_error(d->where, mg_status_reason(MG_ERR_NOMEM));
        ok = false;
    }
    if (!ok) {
        db_hits_free(v, n);
        return false;
    }
    *hits = v;
    *nhits = n;
    return true;
}

bool db_search(db *d, const char *digest, int t, size_t top, unsigned flags, db_hit **hits, size_t *nhits)
{
    *hits = NULL;
    *nhits = 0;
    if (db_pg_sharded(d)) /* statements the shards answer whole */
        return db_search_fuzzy_sharded(d, digest, t < 1 ? 1 : t, top, flags, hits, nhits);
    db_scored c = {.q = digest, .t = t < 1 ? 1 : t};
    bool ok = fetch_scored(d, digest, flags, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}
