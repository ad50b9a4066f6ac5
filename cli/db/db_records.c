/* db_records.c - owns writing sample records: one row per Go image keyed
 * by (file sha256, slice), every path it was seen under, its 7-gram keys,
 * its gimpset tokens (db_set.c), and its label with the label history.
 * Same SQL on both backends; the gram rows are staged and written at
 * commit (db_grams.c). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

void db_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t record_find(db *d, const char *sha256, int64_t slice)
{
    int64_t id = 0;
    db_param p[] = {PT(sha256), PI(slice)};
    if (!db_rows(d, "SELECT id FROM samples WHERE sha256 = $1 AND slice = $2", p, 2, db_int_row, &id))
        return -1;
    return id;
}

/* 1 when the query (sha256 bound as $1) names a record, 0 when not, -1 on error */
static int sha_has(db *d, const char *sql, const char *sha256)
{
    int64_t id = 0;
    db_param p[] = {PT(sha256)};
    return !db_rows(d, sql, p, 1, db_int_row, &id) ? -1 : id > 0;
}

int record_sha_known(db *d, const char *sha256)
{
    return sha_has(d, "SELECT id FROM samples WHERE sha256 = $1 LIMIT 1", sha256);
}

int record_sha_lacks_gimpset(db *d, const char *sha256)
{
    return sha_has(d, "SELECT id FROM samples WHERE sha256 = $1 AND gimpset IS NULL LIMIT 1", sha256);
}

bool record_seen(db *d, const char *sha256, const char *path)
{
    char now[32];
    db_now(now);
    db_param p[] = {PT(sha256), PT(path), PT(now)};
    return db_exec(d,
                   "INSERT INTO sample_paths (sample_id, path, first_seen) "
                   "SELECT id, $2, $3 FROM samples WHERE sha256 = $1 ON CONFLICT DO NOTHING",
                   p, 3) &&
           db_exec(d, "UPDATE samples SET last_seen = $2 WHERE sha256 = $1 AND last_seen < $2", (db_param[]){p[0], p[2]}, 2);
}

#define INSERT_SAMPLE                                                                                           \
    "INSERT INTO samples (sha256, slice, suffix, size, path, first_seen, last_seen, source,"                    \
    " container, os, arch, go_version, main_path, main_module, main_version, build,"                            \
    " gimphash, gimpfuzzy, functions, names, no_names, partial, digest_kind, digest_exact, gimpset)"            \
    " VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"                            \
    " $16, $17, $18, $19, $20, $21, $22, $23, $24)"                                                             \
    " ON CONFLICT DO NOTHING RETURNING id" /* no target: (sha256, slice) is the table's one unique key, \
                                             and a sharded collection's partitions have no parent index */
enum { INSERT_PARAMS = 24 };

/* the statement that inserts a record, its id the first column of its one
 * row (none when known).  PostgreSQL: the new record's path in the same
 * statement, one round trip a record */
static const char *insert_sql(db *d)
{
    return d->be->writable_with ? "WITH s AS (" INSERT_SAMPLE "), p AS (INSERT INTO sample_paths (sample_id, path, first_seen)"
                                  " SELECT id, $5, $6 FROM s) SELECT id FROM s"
                                : INSERT_SAMPLE;
}
#undef INSERT_SAMPLE

/* insert_sql's work for many records in one statement (the backend's
 * query_set, its rows in mg_put: p1 .. p24 are $1 .. $24 as text): the
 * records inserted in their order (ids ascending as one at a time would
 * give them), each new one's first path with it; a row (ord, id) for each
 * record inserted.  Two records of one (sha256, slice) in a batch: the
 * first is inserted, the second conflicts with it and is known. */
static const char insert_set_sql[] =
    "WITH s AS (INSERT INTO samples (sha256, slice, suffix, size, path, first_seen, last_seen, source,"
    " container, os, arch, go_version, main_path, main_module, main_version, build,"
    " gimphash, gimpfuzzy, functions, names, no_names, partial, digest_kind, digest_exact, gimpset)"
    " SELECT p1, p2::bigint, p3, p4::bigint, p5, p6, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15,"
    " p16, p17, p18::bigint, p19::bigint, p20::integer, p21::integer, p22::integer, p23, p24"
    " FROM mg_put ORDER BY ord ON CONFLICT DO NOTHING RETURNING id, sha256, slice, path, first_seen),"
    " p AS (INSERT INTO sample_paths (sample_id, path, first_seen) SELECT id, path, first_seen FROM s)"
    " SELECT min(u.ord), s.id FROM s JOIN mg_put u ON u.p1 = s.sha256 AND u.p2::bigint = s.slice GROUP BY s.id";

/* insert_set_sql for a sharded collection: postgres_fdw sends an INSERT
 * with RETURNING one remote statement a row, one round trip a record, so
 * here nothing is returned by the shards.  The batch's records already
 * stored are found first, by one lookup of their sha256 that each
 * partition answers (k); the others, the first of two alike, get their
 * ids from the sequence in the batch's order (i, computed once) and go in
 * batched, ON CONFLICT DO NOTHING for a writer adding the same file at
 * that moment, which records_put then finds missing (sharded_check). */
static const char insert_set_sharded_sql[] =
    "WITH k AS (SELECT sha256, slice FROM samples WHERE sha256 = ANY (ARRAY(SELECT p1 FROM mg_put))),"
    " n AS (SELECT min(ord) AS ord FROM mg_put u"
    " WHERE NOT EXISTS (SELECT 1 FROM k WHERE k.sha256 = u.p1 AND k.slice = u.p2::bigint) GROUP BY p1, p2::bigint),"
    " i AS (SELECT ord, nextval(pg_get_serial_sequence('samples', 'id')) AS id FROM (SELECT ord FROM n ORDER BY ord) o),"
    " s AS (INSERT INTO samples (id, sha256, slice, suffix, size, path, first_seen, last_seen, source,"
    " container, os, arch, go_version, main_path, main_module, main_version, build,"
    " gimphash, gimpfuzzy, functions, names, no_names, partial, digest_kind, digest_exact, gimpset)"
    " SELECT i.id, p1, p2::bigint, p3, p4::bigint, p5, p6, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15,"
    " p16, p17, p18::bigint, p19::bigint, p20::integer, p21::integer, p22::integer, p23, p24"
    " FROM i JOIN mg_put USING (ord) ORDER BY i.id ON CONFLICT DO NOTHING),"
    " p AS (INSERT INTO sample_paths (sample_id, path, first_seen) SELECT i.id, p5, p6 FROM i JOIN mg_put USING (ord))"
    " SELECT ord, id FROM i";

/* after insert_set_sharded_sql: every id it gave is stored (ids of 0,
 * the known records, name none); false (err set, worth another try) when
 * another writer stored one of the files first, so that the batch is
 * written again with it known */
static bool sharded_check(db *d, const int64_t *id, size_t n)
{
    size_t given = 0;
    for (size_t k = 0; k < n; k++)
        given += id[k] > 0;
    if (!given)
        return true;
    char *list = n <= (SIZE_MAX - 3) / 21 ? malloc(n * 21 + 3) : NULL;
    if (!list) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    db_i64_array(list, id, n);
    int64_t stored = 0;
    db_param p[] = {PT(list)};
    bool ok = db_int(d, "SELECT count(*) FROM samples WHERE id = ANY ($1::bigint[])", p, 1, &stored);
    free(list);
    if (ok && (size_t)stored != given) {
        snprintf(d->err, sizeof d->err, "another writer stored %zu of this batch's files first", given - (size_t)stored);
        d->retry = true;
        return false;
    }
    return ok;
}

/* r's keys into k and the parameters of insert_sql into p (which point
 * into r, now and k) */
static void insert_params(const record *r, const char *now, digest_keys *k, db_param p[INSERT_PARAMS])
{
    digest_keys_of(r->gimpfuzzy, k);
    db_param v[INSERT_PARAMS] = {
        PT(r->sha256), PI(r->slice), PT(r->suffix), PI(r->size), PT(r->path), PT(now), PT(r->source),
        PT(r->container), PT(r->os), PT(r->arch), PT(r->go_version), PT(r->main_path), PT(r->main_module),
        PT(r->main_version), PT(r->build), PT(r->gimphash), PT(r->gimpfuzzy), PI(r->functions), PI(r->names), PI(r->no_names), PI(r->partial),
        PI(k->kind), PT(k->exact), PT(r->gimpset[0] ? r->gimpset : NULL),
    };
    memcpy(p, v, sizeof v);
}

/* what follows the insert of r (id: the new record's, 0 when it was
 * known): record_put's result */
static int after_insert(db *d, const record *r, const digest_keys *k, int64_t id, const char *now)
{
    if (!id) {
        /* known: one more path, seen again now */
        int64_t known = record_find(d, r->sha256, r->slice);
        if (known < 0)
            return -1;
        /* a record of an older collection (schema 1) or an older hash
         * --json line gets the gimpset it lacked */
        if (r->gimpset[0]) {
            int64_t filled = 0;
            db_param g[] = {PI(known), PT(r->gimpset)};
            if (!db_rows(d, "UPDATE samples SET gimpset = $2 WHERE id = $1 AND gimpset IS NULL RETURNING id", g, 2,
                         db_int_row, &filled) ||
                (filled && !set_tokens_put(d, known, r->gimpset, r->slots)))
                return -1;
        }
        db_param q[] = {PI(known), PT(r->path), PT(now)};
        return db_exec(d, "INSERT INTO sample_paths (sample_id, path, first_seen) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", q, 3) &&
                       db_exec(d, "UPDATE samples SET last_seen = $2 WHERE id = $1 AND last_seen < $2", (db_param[]){q[0], q[2]}, 2)
                   ? 0
                   : -1;
    }
    db_param q[] = {PI(id), PT(r->path), PT(now)};
    if (!d->be->writable_with && !db_exec(d, "INSERT INTO sample_paths (sample_id, path, first_seen) VALUES ($1, $2, $3)", q, 3))
        return -1;
    /* no-names images and dead digests are kept out of the search, as the
     * in-memory index keeps them out */
    if (!r->no_names && k->kind == DIGEST_PLAIN && !grams_stage(d, id, k))
        return -1;
    /* the gimpset index takes every non-empty gimpset (match --measure set
     * keeps only the empty and malformed ones out) */
    if (r->gimpset[0] && !set_tokens_put(d, id, r->gimpset, r->slots))
        return -1;
    return 1;
}

int record_put(db *d, const record *r)
{
    char now[32];
    db_now(now);
    digest_keys k;
    db_param p[INSERT_PARAMS];
    insert_params(r, now, &k, p);
    int64_t id = 0;
    if (!db_rows(d, insert_sql(d), p, INSERT_PARAMS, db_int_row, &id))
        return -1;
    return after_insert(d, r, &k, id, now);
}

bool records_put(db *d, const record *const *r, size_t n, int *rc)
{
    char now[32];
    db_now(now);
    bool set = d->be->query_set && d->be->writable_with;
    digest_keys *k = malloc((n ? n : 1) * sizeof *k);
    db_param *p = n <= SIZE_MAX / INSERT_PARAMS / sizeof *p ? malloc((n ? n : 1) * INSERT_PARAMS * sizeof *p) : NULL;
    int64_t *id = malloc((n ? n : 1) * sizeof *id);
    bool ok = k && p && id;
    if (!ok)
        snprintf(d->err, sizeof d->err, "out of memory");
    for (size_t i = 0; ok && i < n; i++)
        insert_params(r[i], now, &k[i], p + i * INSERT_PARAMS);
    if (ok && set) /* all at once */
        ok = db_pg_sharded(d) ? d->be->query_set(d, insert_set_sharded_sql, p, INSERT_PARAMS, n, id) &&
                                    sharded_check(d, id, n)
                              : d->be->query_set(d, insert_set_sql, p, INSERT_PARAMS, n, id);
    for (size_t at = 0; ok && !set && at < n; at += DB_PUT_MANY) /* DB_PUT_MANY statements a round trip */
        ok = d->be->query_many(d, insert_sql(d), p + at * INSERT_PARAMS, INSERT_PARAMS,
                               n - at < DB_PUT_MANY ? n - at : DB_PUT_MANY, id + at);
    for (size_t i = 0; ok && i < n; i++)
        ok = (rc[i] = after_insert(d, r[i], &k[i], id[i], now)) >= 0;
    free(k);
    free(p);
    free(id);
    return ok;
}

const char *db_who(void)
{
    const char *who = getenv("USER");
    if (who && *who)
        return who;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

bool record_label(db *d, int64_t id, const char *label, const char *now)
{
    db_param p[] = {PI(id), PT(label), PT(db_who()), PT(now)};
    return db_exec(d, "UPDATE samples SET label = $2 WHERE id = $1", p, 2) &&
           db_exec(d, "INSERT INTO labels (sample_id, label, who, at) VALUES ($1, $2, $3, $4)", p, 4);
}
