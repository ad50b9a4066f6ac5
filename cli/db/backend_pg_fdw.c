/* backend_pg_fdw.c - owns what a sharded collection's coordinator is told
 * about a shard: the OPTIONS of its postgres_fdw server and user mapping,
 * built from the shard's URI through libpq's own parser (only the
 * connection options named below pass; each value quoted by libpq), the
 * quoting of other literals of that DDL, and a coordinator session's start:
 * the sharded layout checked, the planner settings of its searches. */
#include "db/db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

bool db_pg_literal(db *d, const char *value, char *out, size_t outsz)
{
    char *q = PQescapeLiteral(d->conn, value, strlen(value));
    if (!q) {
        snprintf(d->err, sizeof d->err, "%s", PQerrorMessage(d->conn));
        return false;
    }
    bool ok = strlen(q) < outsz;
    if (ok)
        memcpy(out, q, strlen(q) + 1);
    else
        snprintf(d->err, sizeof d->err, "value too long");
    PQfreemem(q);
    return ok;
}

/* ", KEY 'VALUE'" (the first without the comma) appended to out at *n */
static bool option(db *coord, const char *key, const char *value, char *out, size_t outsz, size_t *n)
{
    char lit[600];
    if (!db_pg_literal(coord, value, lit, sizeof lit))
        return false;
    int w = snprintf(out + *n, outsz - *n, "%s%s %s", *n ? ", " : "", key, lit);
    if (w < 0 || (size_t)w >= outsz - *n) {
        snprintf(coord->err, sizeof coord->err, "shard options too long");
        return false;
    }
    *n += (size_t)w;
    return true;
}

/* the connection options a shard URI may carry (1: the user mapping takes
 * it; -1: the server's host, port, dbname and the mapping's user are taken
 * from the open connection instead) */
static const struct {
    const char *key;
    int where;
} allowed[] = {{"host", -1}, {"hostaddr", -1}, {"port", -1}, {"dbname", -1}, {"user", -1}, {"password", 1}};

static int allowed_at(const char *key)
{
    for (size_t k = 0; k < sizeof allowed / sizeof *allowed; k++)
        if (!strcmp(allowed[k].key, key))
            return (int)k;
    return -1;
}

bool db_pg_fdw_options(db *coord, db *shard, const char *uri, char *srv, size_t srvsz, char *um, size_t umsz)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(uri, &perr);
    if (!opts) {
        snprintf(coord->err, sizeof coord->err, "%.300s: %.180s", shard->where, perr ? perr : "out of memory");
        PQfreemem(perr);
        return false;
    }
    size_t ns = 0, nu = 0; /* the lengths of srv and um so far */
    bool ok = true;
    for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
        if (!o->val)
            continue;
        int k = allowed_at(o->keyword);
        if (k < 0) {
            snprintf(coord->err, sizeof coord->err,
                     "%.300s: connection option '%.40s' is not passed to a shard (host, hostaddr, port, dbname, user, "
                     "password only)",
                     shard->where, o->keyword);
            ok = false;
        } else if (allowed[k].where == 1)
            ok = option(coord, o->keyword, o->val, um, umsz, &nu);
    }
    PQconninfoFree(opts);
    /* the server, database and role the shard's tables were made on, in
     * and by (libpq's environment and defaults resolved: PQhost is the
     * host or socket directory it reached, of a list the one it chose) */
    const char *host = PQhost(shard->conn), *port = PQport(shard->conn);
    ok = ok && (!host || !*host || option(coord, "host", host, srv, srvsz, &ns)) &&
         (!port || !*port || option(coord, "port", port, srv, srvsz, &ns)) &&
         option(coord, "dbname", PQdb(shard->conn), srv, srvsz, &ns) &&
         option(coord, "user", PQuser(shard->conn), um, umsz, &nu) &&
         /* partitions scanned at once (asynchronous append), rows written
          * and read in batches */
         option(coord, "async_capable", "true", srv, srvsz, &ns) &&
         option(coord, "batch_size", "1000", srv, srvsz, &ns) && option(coord, "fetch_size", "10000", srv, srvsz, &ns);
    /* PostgreSQL 15: the shards' remote transactions committed at once, not
     * one after the other (a shorter window for a partial commit) */
    if (ok && PQserverVersion(coord->conn) >= 150000)
        ok = option(coord, "parallel_commit", "true", srv, srvsz, &ns);
    return ok;
}

bool db_pg_fdw_session(db *d)
{
    int64_t has = 0, layout = 1; /* no table: layout 1 */
    if (!db_int(d, "SELECT CASE WHEN to_regclass('malgopher_shard_layout') IS NULL THEN 0 ELSE 1 END", NULL, 0,
                &has) ||
        (has && !db_int(d, "SELECT coalesce(max(version), 1) FROM malgopher_shard_layout", NULL, 0, &layout)))
        return false;
    if (layout > DB_SHARD_LAYOUT)
        snprintf(d->err, sizeof d->err,
                 "sharded collection of layout %lld is newer than this malgopher understands (%d): upgrade malgopher",
                 (long long)layout, DB_SHARD_LAYOUT);
    else if (layout < DB_SHARD_LAYOUT_OLDEST)
        snprintf(d->err, sizeof d->err,
                 "sharded collection of layout %lld: this malgopher needs layout %d (the shards' token rows keyed by"
                 " token); upgrade it in place: tools/shard_layout2.sql on every shard, then the coordinator's two"
                 " statements of docs/collection.md \"Upgrading\"",
                 (long long)layout, DB_SHARD_LAYOUT_OLDEST);
    if (layout < DB_SHARD_LAYOUT_OLDEST || layout > DB_SHARD_LAYOUT)
        return false;
    d->shard_layout = (int)layout;
    /* each partition's GROUP BY of a lookup on set_tokens (partitioned by
     * sample_id, the grouping key) runs on its shard (db_shard_search.c);
     * no JIT: the estimates of foreign scans without statistics are large
     * and compiling cost over a second a query (BENCHMARKS.md "Sharded
     * lookups pushed down (issue 25)") */
    return db_exec(d, "SET enable_partitionwise_aggregate = on", NULL, 0) && db_exec(d, "SET jit = off", NULL, 0);
}
