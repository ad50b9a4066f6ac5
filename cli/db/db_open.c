/* db_open.c - owns choosing and opening a collection (--db URI,
 * $MALGOPHER_DB, the default SQLite file), the schema version check and
 * migrations, and the error-reporting wrappers the subcommands call. */
#include "db/db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void db_report(db *d)
{
    report_error(d->where[0] ? d->where : "db", d->err); /* escaped: the reason may quote the collection */
}

bool db_rows(db *d, const char *sql, const db_param *p, int np, db_row_fn fn, void *ctx)
{
    if (d->be->query(d, sql, p, np, fn, ctx))
        return true;
    return false;
}

bool db_exec(db *d, const char *sql, const db_param *p, int np) { return db_rows(d, sql, p, np, NULL, NULL); }

void db_i64_array(char *out, const int64_t *v, size_t n)
{
    size_t at = 0;
    out[at++] = '{';
    for (size_t k = 0; k < n; k++)
        at += (size_t)sprintf(out + at, "%s%lld", k ? "," : "", (long long)v[k]);
    out[at++] = '}';
    out[at] = 0;
}

bool db_int_row(const char *const *cols, int ncols, void *ctx)
{
    if (ncols && cols[0])
        *(int64_t *)ctx = strtoll(cols[0], NULL, 10);
    return false;
}

bool db_int(db *d, const char *sql, const db_param *p, int np, int64_t *out)
{
    *out = 0;
    return db_rows(d, sql, p, np, db_int_row, out);
}

void db_analyze(db *d, size_t added)
{
    /* a fresh table has no statistics: without them PostgreSQL may plan a
     * scan where the gram index answers; re-done when the collection grew
     * by a good part (never needed for correctness).  Then too, the
     * backend's cluster statement (one PostgreSQL server: CLUSTER)
     * rewrites the gimpset pages in key order: an import leaves a token's
     * pages of each generation on a heap page of their own, 62 heap pages
     * read for a token at a million records, and clustered they are a few
     * (1M: 16 s; db match p99 137-149 -> 76-82 ms, docs/collection.md
     * "Upkeep").  A sharded collection's shards analyze their partitions
     * (backend_pg_direct.c): a shard's token lookup is a sequential scan
     * until its statistics exist (100k: db match p50 672 -> 120 ms).  A
     * failure (a full disk) leaves the table as it was and the records
     * added: one warning line says so. */
    int64_t total = 0;
    if (added < 256 || !db_int(d, "SELECT count(*) FROM samples", NULL, 0, &total) || (int64_t)added * 5 < total)
        return;
    if (d->be->cluster && !d->be->query(d, d->be->cluster, NULL, 0, NULL, NULL)) {
        char why[sizeof d->err + 96];
        snprintf(why, sizeof why, "warning: the records are added, but the gimpset pages could not be put in key order (%s)",
                 d->err);
        report_error(d->where[0] ? d->where : "db", why);
    }
    d->be->query(d, d->be->analyze, NULL, 0, NULL, NULL);
    d->err[0] = 0;
    if (db_pg_sharded(d) && !db_pg_direct_analyze(d)) {
        char why[sizeof d->err + 96];
        snprintf(why, sizeof why, "warning: the records are added, but the shards' statistics could not be refreshed (%s)",
                 d->err);
        report_error(d->where[0] ? d->where : "db", why);
    }
}

bool db_begin(db *d) { return d->be->begin(d); }
/* the staged gram and token rows go in last, sorted, still inside the
 * transaction: a batch commits whole or not at all */
bool db_commit(db *d) { return grams_flush(d) && set_tokens_flush(d) && d->be->commit(d); }
/* fn(d) with the error being reported kept as it was */
static void keeping_error(db *d, void (*fn)(db *d))
{
    char keep[sizeof d->err];
    memcpy(keep, d->err, sizeof keep);
    bool retry = d->retry;
    fn(d);
    memcpy(d->err, keep, sizeof keep);
    d->retry = retry;
}

void db_rollback(db *d)
{
    d->nstaged = d->nsetstaged = 0;
    keeping_error(d, d->be->rollback);
}

/* mkdir -p of the directories above file */
static bool make_parents(char *file)
{
    for (char *p = file + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(file, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return false;
    }
    return true;
}

static bool default_file(char *out, size_t outsz)
{
    const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n = data && *data ? snprintf(out, outsz, "%s/malgopher/collection.sqlite", data)
            : home && *home ? snprintf(out, outsz, "%s/.local/share/malgopher/collection.sqlite", home)
                            : -1;
    return n > 0 && (size_t)n < outsz;
}

/* why version v cannot be used (NULL: it can) */
static bool version_ok(db *d, int v)
{
    if (v == -2)
        snprintf(d->err, sizeof d->err, "not a malgopher collection (it holds other tables)");
    else if (v > DB_SCHEMA_VERSION)
        snprintf(d->err, sizeof d->err,
                 "collection schema version %d is newer than this malgopher understands (%d): upgrade malgopher",
                 v, DB_SCHEMA_VERSION);
    return v >= 0 && v <= DB_SCHEMA_VERSION;
}

/* create or check the schema */
static bool migrate(db *d)
{
    int v = d->be->get_version(d);
    if (v == DB_SCHEMA_VERSION)
        return true;
    /* anything else is judged under the lock: a process creating the
     * schema right now shows its tables before its version row */
    if (!d->be->lock(d))
        return false;
    /* again under the lock: another process may have made it meanwhile */
    if (!db_begin(d) || !version_ok(d, v = d->be->get_version(d)))
        goto fail;
    /* versions v+1 .. current, each a list of statements */
    if (!db_schema_upgrade(d, v))
        goto fail;
    if (v < DB_SCHEMA_VERSION && !d->be->set_version(d, DB_SCHEMA_VERSION))
        goto fail;
    if (!db_commit(d))
        goto fail;
    d->be->unlock(d);
    return true;
fail:
    db_rollback(d);
    keeping_error(d, d->be->unlock);
    return false;
}

bool db_open(db *d, const char *uri)
{
    memset(d, 0, sizeof *d);
    if (!uri || !*uri)
        uri = getenv("MALGOPHER_DB");
    char file[4096];
    bool ok;
    if (uri && *uri && (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11)))
        ok = db_pg_open(d, uri);
    else {
        if (uri && *uri) {
            if (!strncmp(uri, "sqlite:", 7))
                uri += 7;
            snprintf(file, sizeof file, "%s", uri);
        } else if (!default_file(file, sizeof file) || !make_parents(file)) {
            snprintf(d->where, sizeof d->where, "%.500s", file);
            snprintf(d->err, sizeof d->err, "cannot create the collection's directory: %s", strerror(errno));
            db_report(d);
            return false;
        }
        ok = db_sqlite_open(d, file);
    }
    if (ok && migrate(d))
        return true;
    db_report(d);
    db_close(d);
    return false;
}

void db_close(db *d)
{
    if (d->be && d->conn)
        d->be->close(d);
    d->conn = NULL;
    grams_drop(d);
    set_tokens_drop(d);
}
