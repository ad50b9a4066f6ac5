/* db_search.c - owns the search in the database: the candidates of a
 * digest come from the gram index (samples sharing a key, the same
 * normalised digest, or an oddly spelled digest that only fuzzy_compare
 * can judge), and the library's similarity index built over just those
 * candidates scores them exactly, so the hits are those of the in-memory
 * index over the whole collection.  Only an oddly spelled query digest
 * reads every sample (the in-memory index compares it with all too). */
#include "db.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand_set {
    db_hit *v;       /* score unset */
    char **digest;
    size_t n, cap;
    bool nomem;
} cand_set;

static bool cand_row(const char *const *cols, int ncols, void *ctx)
{
    cand_set *c = ctx;
    if (ncols < 6)
        return true;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        db_hit *v = realloc(c->v, cap * sizeof *v);
        char **dg = v ? realloc(c->digest, cap * sizeof *dg) : NULL;
        if (v)
            c->v = v;
        if (!v || !dg) {
            c->nomem = true;
            return false;
        }
        c->digest = dg;
        c->cap = cap;
    }
    db_hit *h = &c->v[c->n];
    memset(h, 0, sizeof *h);
    h->id = strtoll(cols[0], NULL, 10);
    if (asprintf(&h->path, "%s%s", cols[1] ? cols[1] : "", cols[2] ? cols[2] : "") < 0) {
        c->nomem = true;
        return false;
    }
    snprintf(h->gimphash, sizeof h->gimphash, "%s", cols[3] ? cols[3] : "");
    c->digest[c->n] = strdup(cols[4] ? cols[4] : "");
    h->label = cols[5] ? strdup(cols[5]) : NULL;
    c->n++;
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

#define COLS "SELECT id, path, suffix, gimphash, gimpfuzzy, label FROM samples "

static bool fetch_candidates(db *d, const char *digest, bool labelled_only, cand_set *c)
{
    digest_keys k;
    digest_keys_of(digest, &k);
    if (k.kind == DIGEST_DEAD)
        return true;
    const char *only = labelled_only ? " AND label IS NOT NULL" : "";
    char sql[512 + DB_MAX_GRAMS * 8];
    db_param p[1 + DB_MAX_GRAMS];
    int np = 0;
    if (k.kind == DIGEST_ODD)
        snprintf(sql, sizeof sql, COLS "WHERE no_names = 0%s ORDER BY id", only);
    else {
        p[np++] = PT(k.exact);
        /* the generations of the gram index: 0 .. max(id) / DB_GRAM_GEN */
        size_t n = (size_t)snprintf(sql, sizeof sql,
                                    "WITH RECURSIVE gens(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM gens"
                                    " WHERE g < (SELECT coalesce(max(id), 0) FROM samples) / %d) " COLS
                                    "WHERE no_names = 0%s AND id IN ("
                                         "SELECT id FROM samples WHERE digest_exact = $1"
                                         " UNION SELECT id FROM samples WHERE digest_kind = 1",
                                    DB_GRAM_GEN, only);
        if (k.ngram) {
            n += (size_t)snprintf(sql + n, sizeof sql - n, " UNION SELECT sample_id FROM grams WHERE gen IN (SELECT g FROM gens) AND gram IN (");
            for (size_t g = 0; g < k.ngram; g++) {
                p[np++] = PI(k.gram[g]);
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%s$%d", g ? ", " : "", np);
            }
            n += (size_t)snprintf(sql + n, sizeof sql - n, ")");
        }
        snprintf(sql + n, sizeof sql - n, ") ORDER BY id");
    }
    return db_rows(d, sql, p, np, cand_row, c);
}

bool db_search(db *d, const char *digest, int t, size_t top, bool labelled_only, db_hit **hits, size_t *nhits)
{
    *hits = NULL;
    *nhits = 0;
    cand_set c = {0};
    bool ok = fetch_candidates(d, digest, labelled_only, &c);
    if (!ok)
        db_report(d);
    else if (c.nomem) {
        report_error(d->where, mg_status_reason(MG_ERR_NOMEM));
        ok = false;
    }
    mg_simindex *ix = NULL;
    mg_hit *h = NULL;
    size_t nh = 0;
    mg_error e;
    if (ok && c.n) {
        if (mg_simindex_build((const char *const *)c.digest, c.n, &ix, &e) != MG_OK ||
            mg_simindex_query(ix, digest, t, &h, &nh, &e) != MG_OK) {
            report_error(d->where, e.msg);
            ok = false;
        }
    }
    if (ok) {
        if (top && nh > top)
            nh = top;
        db_hit *out = calloc(nh ? nh : 1, sizeof *out);
        if (!out) {
            report_error(d->where, mg_status_reason(MG_ERR_NOMEM));
            ok = false;
        }
        for (size_t i = 0; out && i < nh; i++) {
            db_hit *from = &c.v[h[i].index];
            out[i] = *from;
            out[i].score = h[i].score;
            from->path = from->label = NULL; /* moved */
        }
        *hits = out;
        *nhits = out ? nh : 0;
    }
    free(h);
    mg_simindex_free(ix);
    for (size_t i = 0; i < c.n; i++)
        free(c.digest[i]);
    free(c.digest);
    db_hits_free(c.v, c.n);
    return ok;
}
