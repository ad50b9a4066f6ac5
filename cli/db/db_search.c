/* db_search.c - owns the search in the database: the candidates of a
 * digest come from the gram index (samples sharing a key: on one server
 * read from its gram pages, db_gram_pages.c), the same normalised digest,
 * or an oddly spelled digest that only fuzzy_compare can judge, each is scored with fuzzy_compare as its row arrives (the
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
    int score = mg_fuzzy_compare(c->q, cols[1]);
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

/* the ids of rows (id) pushed to a growing list */
typedef struct id_list {
    int64_t **v;
    size_t *n, *cap;
    bool nomem;
} id_list;

static bool id_row(const char *const *cols, int ncols, void *ctx)
{
    id_list *l = ctx;
    if (ncols < 1 || !cols[0])
        return true;
    int64_t *w = grow_array(*l->v, *l->n, l->cap, sizeof *w);
    if (!w)
        return !(l->nomem = true);
    *l->v = w;
    w[(*l->n)++] = strtoll(cols[0], NULL, 10);
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void db_hits_free(db_hit *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].path);
        free(h[i].label);
    }
    free(h);
}

/* the candidates' rows (id, gimpfuzzy) of a plain digest on one server:
 * the ids of the same normalised digest and of the oddly spelled ones,
 * then those the gram pages name for its keys (db_gram_pages.c), each
 * read once in id order, CHUNK a statement */
static bool fetch_paged(db *d, const digest_keys *k, const char *only, db_scored *c)
{
    enum { CHUNK = 512 };
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    id_list l = {.v = &ids, .n = &n, .cap = &cap};
    db_param p[CHUNK];
    p[0] = PT(k->exact);
    bool ok = db_rows(d, "SELECT id FROM samples WHERE digest_exact = $1 UNION SELECT id FROM samples WHERE digest_kind = 1",
                      p, 1, id_row, &l);
    c->nomem |= l.nomem; /* reported as such by db_hits_finish */
    if (ok && !c->nomem)
        ok = gram_pages_ids(d, k->gram, k->ngram, &ids, &n, &cap);
    if (ok && n)
        qsort(ids, n, sizeof *ids, cmp_id);
    size_t m = 0;
    for (size_t i = 0; ok && i < n; i++)
        if (!m || ids[m - 1] != ids[i])
            ids[m++] = ids[i];
    for (size_t at = 0; ok && !c->nomem && at < m; at += CHUNK) {
        size_t q = m - at < CHUNK ? m - at : CHUNK;
        char sql[160 + CHUNK * 8];
        size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s AND id IN (", only);
        for (size_t j = 0; j < q; j++) {
            p[j] = PI(ids[at + j]);
            len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%zu", j ? ", " : "", j + 1);
        }
        snprintf(sql + len, sizeof sql - len, ") ORDER BY id");
        ok = db_rows(d, sql, p, (int)q, db_scored_row, c);
    }
    free(ids);
    return ok;
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
    char sql[512];
    if (k.kind == DIGEST_ODD) {
        snprintf(sql, sizeof sql, "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s ORDER BY id", only);
        return db_rows(d, sql, NULL, 0, db_scored_row, c);
    }
    return fetch_paged(d, &k, only, c);
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
