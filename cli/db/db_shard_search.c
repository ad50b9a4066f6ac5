/* db_shard_search.c - owns the searches of a sharded collection
 * (docs/collection.md "Sharding"): the same hits as db_set.c's and
 * db_search.c's on one server, each asked of the coordinator as a few
 * statements that postgres_fdw sends whole to every partition (one
 * remote statement a partition, all partitions at once by asynchronous
 * append), instead of one join it would run on the coordinator over rows
 * fetched from the shards (BENCHMARKS.md "Sharded lookups pushed down (issue 25)").
 *
 * gimpset: set_tokens is partitioned by sample_id, so all the token rows
 * of a record are in one partition and "the records sharing at least M
 * tokens with the query" is a question each partition answers alone.  A
 * shard's partition has a B-tree on the token, slot << 32 | value (with
 * sample_id), so the lookup is the one condition token = ANY(array); with
 * partitionwise aggregation (set for the session, backend_pg_fdw.c) its
 * GROUP BY sample_id HAVING count(*) >= M goes with it, and a shard
 * returns only its candidates' ids.  The large postings are left out as
 * on one server (db_set.c), any j < M of them may be, so their size is
 * estimated from one partition (a sixteenth of each posting) instead of
 * counted over all.
 *
 * gimpfuzzy: the gram rows of the query's keys in the generations that
 * exist (the id sequence's last value bounds them: gen = ANY and gram =
 * ANY, index seeks on the shard), then the records.
 *
 * Then the candidates' rows are read by id (id = ANY(array), CHUNK ids a
 * statement) and each is scored exactly. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* as db_set.c: a posting is large from this many rows */
#define BIG_POSTING 2048
/* ids a statement */
#define CHUNK 4096

typedef struct ids {
    int64_t *v;
    size_t n, cap;
    bool nomem;
} ids;

static bool id_row(const char *const *cols, int ncols, void *ctx)
{
    ids *c = ctx;
    if (ncols < 1 || !cols[0])
        return true;
    int64_t *w = grow_array(c->v, c->n, &c->cap, sizeof *w);
    if (!w)
        return !(c->nomem = true);
    c->v = w;
    c->v[c->n++] = strtoll(cols[0], NULL, 10);
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* each id once */
static void distinct(ids *c)
{
    if (!c->n)
        return;
    qsort(c->v, c->n, sizeof *c->v, cmp_id);
    size_t n = 1;
    for (size_t k = 1; k < c->n; k++)
        if (c->v[k] != c->v[n - 1])
            c->v[n++] = c->v[k];
    c->n = n;
}

/* the rows of the candidates by sql (its $1 the id array, $2 extra when
 * not NULL), CHUNK ids a statement, scored into c */
static bool score_ids(db *d, const char *sql, const ids *cand, const char *extra, db_scored *c)
{
    static char list[CHUNK * 21 + 3];
    bool ok = true;
    for (size_t at = 0; ok && !c->nomem && at < cand->n; at += CHUNK) {
        db_i64_array(list, cand->v + at, cand->n - at < CHUNK ? cand->n - at : CHUNK);
        db_param p[] = {PT(list), PT(extra ? extra : "")};
        ok = db_rows(d, sql, p, extra ? 2 : 1, db_scored_row, c);
    }
    return ok;
}

/* ---- gimpset ---- */

/* the condition on a token row, as the shards' index spells it */
#define TOKEN_IS "(slot::bigint << 32 | value) = ANY($1::bigint[])"

typedef struct sizes {
    int64_t n[MG_GIMPSET_K];
} sizes;

/* slot, rows in the partition probed */
static bool size_row(const char *const *cols, int ncols, void *ctx)
{
    sizes *s = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    long k = strtol(cols[0], NULL, 10);
    if (k >= 0 && k < MG_GIMPSET_K)
        s->n[k] = strtoll(cols[1], NULL, 10);
    return true;
}

/* skip[k] for the postings whose share in partition 0 says they are
 * large, at most need - 1; their count, -1 on error */
static int large_postings(db *d, const char *tokens, int need, bool skip[MG_GIMPSET_K])
{
    sizes s = {{0}};
    db_param p[] = {PT(tokens)};
    if (!db_rows(d, "SELECT slot, count(*) FROM set_tokens_p00 WHERE " TOKEN_IS " GROUP BY slot", p, 1, size_row,
                 &s))
        return -1;
    int j = 0;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if ((skip[k] = j < need - 1 && s.n[k] * DB_SHARD_PARTS >= BIG_POSTING))
            j++;
    return j;
}

/* the candidates as counted, growing */
typedef struct cand_list {
    set_cands_out s;
    size_t cap;
    bool nomem;
} cand_list;

/* sample_id, count: a candidate and the query's postings (not skipped)
 * that name it */
static bool cand_row(const char *const *cols, int ncols, void *ctx)
{
    cand_list *c = ctx;
    set_cands_out *s = &c->s;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    long count = strtol(cols[1], NULL, 10);
    if (count < 0 || count > MG_GIMPSET_K)
        return true; /* more than one a slot: not a count of this query's postings */
    set_cand *w = grow_array(s->v, s->n, &c->cap, sizeof *w);
    if (!w)
        return !(c->nomem = true);
    s->v = w;
    s->v[s->n++] = (set_cand){.id = strtoll(cols[0], NULL, 10), .count = (int)count};
    return true;
}

bool db_search_set_sharded(db *d, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top,
                           unsigned flags, db_hit **hits, size_t *nhits)
{
    static char tokens[MG_GIMPSET_K * 21 + 3];
    int64_t tok[MG_GIMPSET_K];
    cand_list c = {.s.v = NULL};
    set_cands_out *s = &c.s;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        tok[k] = (int64_t)k << 32 | q[k];
    db_i64_array(tokens, tok, MG_GIMPSET_K);
    s->j = large_postings(d, tokens, need, s->skip);
    if (s->j < 0) {
        db_report(d);
        return false;
    }
    size_t m = 0;
    for (int k = 0; k < MG_GIMPSET_K; k++)
        if (!s->skip[k])
            tok[m++] = (int64_t)k << 32 | q[k];
    db_i64_array(tokens, tok, m);
    db_param p[] = {PT(tokens), PI(need - s->j)};
    /* each partition counts its records' shared tokens; the candidates
     * are then read by the score they may reach (db_set_top.c) */
    bool ok = db_rows(d,
                      "SELECT sample_id, count(*) FROM set_tokens WHERE " TOKEN_IS
                      " GROUP BY sample_id HAVING count(*) >= $2",
                      p, 2, cand_row, &c);
    if (!ok || c.nomem) {
        free(s->v);
        return db_hits_finish(d, ok, c.nomem, NULL, 0, top, hits, nhits);
    }
    ok = set_cands_search(d, s, q, t, top, flags, hits, nhits);
    free(s->v);
    return ok;
}

/* ---- gimpfuzzy ---- */

/* the ids of the gram rows of k (distinct) */
static bool gram_ids(db *d, const digest_keys *k, ids *cand)
{
    static char grams[DB_MAX_GRAMS * 21 + 3];
    int64_t last = 0;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT last_value / %d FROM samples_id_seq", DB_GRAM_GEN);
    if (!db_int(d, sql, NULL, 0, &last))
        return false;
    if (last < 0 || last > 1 << 20) {
        snprintf(d->err, sizeof d->err, "samples_id_seq: last value out of range");
        return false;
    }
    int64_t *gens = malloc((size_t)(last + 1) * sizeof *gens);
    char *list = malloc((size_t)(last + 1) * 21 + 3);
    bool ok = gens && list;
    if (ok) {
        for (int64_t g = 0; g <= last; g++)
            gens[g] = g;
        db_i64_array(list, gens, (size_t)last + 1);
        db_i64_array(grams, k->gram, k->ngram);
        db_param p[] = {PT(list), PT(grams)};
        ok = db_rows(d, "SELECT sample_id FROM grams WHERE gen = ANY($1::bigint[]) AND gram = ANY($2::bigint[])", p,
                     2, id_row, cand);
    } else
        cand->nomem = true;
    free(gens);
    free(list);
    distinct(cand);
    return ok || cand->nomem;
}

/* the candidates of digest scored into c: every record of the same
 * normalised digest or oddly spelled (one statement), then those of the
 * gram rows not among them */
static bool fuzzy_scored(db *d, const char *digest, unsigned flags, db_scored *c)
{
    digest_keys k;
    digest_keys_of(digest, &k);
    if (k.kind == DIGEST_DEAD)
        return true;
    char only[96], sql[320];
    snprintf(only, sizeof only, "%s%s", flags & DBS_LABELLED ? " AND label IS NOT NULL" : "",
             flags & DBS_NO_SET ? " AND (gimpset IS NULL OR gimpset = '')" : "");
    if (k.kind == DIGEST_ODD) {
        snprintf(sql, sizeof sql, "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s", only);
        return db_rows(d, sql, NULL, 0, db_scored_row, c);
    }
    db_param p[] = {PT(k.exact)};
    snprintf(sql, sizeof sql,
             "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s AND (digest_exact = $1 OR digest_kind = 1)", only);
    if (!db_rows(d, sql, p, 1, db_scored_row, c))
        return false;
    ids cand = {0};
    bool ok = !k.ngram || gram_ids(d, &k, &cand);
    snprintf(sql, sizeof sql,
             "SELECT id, gimpfuzzy FROM samples WHERE no_names = 0%s AND id = ANY($1::bigint[])"
             " AND digest_exact <> $2 AND digest_kind <> 1",
             only);
    ok = ok && !cand.nomem && score_ids(d, sql, &cand, k.exact, c);
    c->nomem |= cand.nomem;
    free(cand.v);
    return ok;
}

bool db_search_fuzzy_sharded(db *d, const char *digest, int t, size_t top, unsigned flags, db_hit **hits,
                             size_t *nhits)
{
    db_scored c = {.q = digest, .t = t};
    bool ok = fuzzy_scored(d, digest, flags, &c);
    return db_hits_finish(d, ok, c.nomem, c.v, c.n, top, hits, nhits);
}
