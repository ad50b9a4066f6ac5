/* backend_pg.c - the shared-server backend: PostgreSQL through libpq,
 * statements sent with bound text parameters, rows streamed in single-row
 * mode, gram and gimpset token rows sent with COPY FROM STDIN, the
 * version in a table. */
#include "db/db.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* the shards of a sharded collection as messages show them (read when it
 * is opened): postgres_fdw names a shard by its foreign server */
enum { SHARDS = 32 };
static struct {
    char server[32], shown[448];
    char host[256], hostaddr[64], port[16]; /* where it listens (its server's options) */
} shards[SHARDS];
static size_t nshards;

/* after an error that names no shard (a connection lost in the middle of
 * a statement): " (shard URI does not answer)" for each shard that does
 * not answer a ping (no authentication, 2 s at most each), and " (shard
 * URI refuses connections: ...)" for one that answers it is starting or
 * stopping (a server stopped at once ends its sessions before it stops
 * listening, so the ping can come in between) */
static void ping_shards(db *d)
{
    for (size_t k = 0; k < nshards; k++) {
        const char *keys[5], *vals[5];
        int n = 0;
        if (shards[k].host[0])
            keys[n] = "host", vals[n++] = shards[k].host;
        if (shards[k].hostaddr[0])
            keys[n] = "hostaddr", vals[n++] = shards[k].hostaddr;
        if (shards[k].port[0])
            keys[n] = "port", vals[n++] = shards[k].port;
        keys[n] = "connect_timeout", vals[n++] = "2";
        keys[n] = NULL, vals[n] = NULL;
        PGPing ping = PQpingParams(keys, vals, 0);
        const char *why = ping == PQPING_NO_RESPONSE ? "does not answer"
                          : ping == PQPING_REJECT    ? "refuses connections: starting up or shutting down"
                                                     : NULL;
        if (why) {
            size_t len = strlen(d->err);
            snprintf(d->err + len, sizeof d->err - len, " (shard %s %s)", shards[k].shown, why);
        }
    }
}

const char *db_pg_shard_shown(const char *server)
{
    for (size_t k = 0; k < nshards; k++)
        if (!strcmp(shards[k].server, server))
            return shards[k].shown;
    return server;
}

/* " (shard URI)" after a message naming one of the collection's servers */
static void name_shard(db *d)
{
    const char *at = strstr(d->err, "\"mg_shard_");
    if (!at)
        return;
    size_t len = strcspn(at + 1, "\"");
    for (size_t k = 0; k < nshards; k++)
        if (strlen(shards[k].server) == len && !strncmp(at + 1, shards[k].server, len)) {
            size_t n = strlen(d->err);
            snprintf(d->err + n, sizeof d->err - n, " (shard %s)", shards[k].shown);
            return;
        }
}

/* the first line of libpq's message, without the "ERROR:  " prefix */
static void set_err(db *d, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    if (!strncmp(msg, "ERROR:  ", 8))
        msg += 8;
    snprintf(d->err, sizeof d->err, "%s", msg);
    char *nl = strchr(d->err, '\n');
    if (nl)
        *nl = 0;
    if (PQstatus(d->conn) == CONNECTION_BAD && !strstr(d->err, "server"))
        snprintf(d->err, sizeof d->err, "lost the connection to the server");
    if (strstr(d->err, "\"mg_shard_"))
        name_shard(d);
    else if (nshards && PQstatus(d->conn) == CONNECTION_OK)
        ping_shards(d);
}

/* statements with parameters are prepared once per session, named by
 * their place in this cache */
enum { CACHE = 256 };
static struct {
    char *sql[CACHE];
    size_t n;
} cache;

/* the prepared name of sql ("" when it cannot be cached); false on error */
/* the columns of the session's staging table mg_put (query_set), 0: not made */
static int staged_np;
static bool staged_tuned; /* temp_buffers set for it */
static bool lists_unchecked; /* the open transaction sent token lists (pg_put_set_tokens) */

static bool prepared(db *d, const char *sql, int np, char name[24])
{
    name[0] = 0;
    for (size_t k = 0; k < cache.n; k++)
        if (!strcmp(cache.sql[k], sql)) {
            snprintf(name, 24, "mg%u", (unsigned)k);
            return true;
        }
    if (cache.n == CACHE)
        return true;
    char *copy = strdup(sql);
    if (!copy)
        return true;
    snprintf(name, 24, "mg%u", (unsigned)cache.n);
    PGresult *r = PQprepare(d->conn, name, sql, np, NULL);
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        set_err(d, r ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
        free(copy);
    } else
        cache.sql[cache.n++] = copy;
    PQclear(r);
    return ok;
}

static void pg_close(db *d)
{
    for (size_t k = 0; k < cache.n; k++)
        free(cache.sql[k]);
    cache.n = 0;
    staged_np = 0;
    staged_tuned = false;
    lists_unchecked = false;
    db_pg_direct_close();
    PQfinish(d->conn);
    d->conn = NULL;
}

/* the parameters of a statement as text into vals (ints written in ints) */
enum { MAXP = 2 * MG_GIMPSET_K + 64 }; /* the gimpset token statements bind 2 per slot */
static void param_text(const db_param *p, int np, const char *vals[MAXP], char ints[MAXP][24])
{
    for (int k = 0; k < np; k++) {
        if (p[k].kind == P_INT) {
            snprintf(ints[k], sizeof ints[k], "%" PRId64, p[k].i);
            vals[k] = ints[k];
        } else
            vals[k] = p[k].s;
    }
}

/* sql sent with its np parameters p (prepared when it has some), its
 * results asked for in text (binary 0) or binary (1), a row at a time;
 * false with d->err set */
static bool pg_send(db *d, const char *sql, const db_param *p, int np, int binary)
{
    PGconn *c = d->conn;
    const char *vals[MAXP] = {0};
    char ints[MAXP][24];
    if (np > MAXP) {
        set_err(d, "too many parameters");
        return false;
    }
    param_text(p, np, vals, ints);
    char name[24] = "";
    if (np && !prepared(d, sql, np, name))
        return false;
    if (!(name[0] ? PQsendQueryPrepared(c, name, np, vals, NULL, NULL, binary)
                  : PQsendQueryParams(c, sql, np, NULL, vals, NULL, NULL, binary))) {
        set_err(d, PQerrorMessage(c));
        return false;
    }
    PQsetSingleRowMode(c);
    return true;
}

/* a row of a binary result as db_page_row_fn takes it: the integer
 * columns (int2, int4, int8, big-endian) before the last, the last's
 * bytes; false from fn */
static bool page_row(PGresult *r, db_page_row_fn fn, void *ctx)
{
    int64_t ints[DB_PAGE_ROW_INTS];
    int nints = PQnfields(r) - 1;
    if (nints < 0 || nints > DB_PAGE_ROW_INTS)
        nints = -1;
    for (int k = 0; k < nints; k++) {
        Oid t = PQftype(r, k);
        int len = PQgetisnull(r, 0, k) ? -1 : PQgetlength(r, 0, k);
        const unsigned char *b = (const unsigned char *)PQgetvalue(r, 0, k);
        if (len != (t == 20 ? 8 : t == 23 ? 4 : t == 21 ? 2 : -2)) { /* int8, int4, int2 */
            nints = -1;
            break;
        }
        uint64_t v = 0;
        for (int i = 0; i < len; i++)
            v = v << 8 | b[i];
        ints[k] = len == 8 ? (int64_t)v : len == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)(int16_t)(uint16_t)v;
    }
    int last = PQnfields(r) - 1;
    bool null = last < 0 || PQgetisnull(r, 0, last);
    const unsigned char *data = null ? NULL : (const unsigned char *)PQgetvalue(r, 0, last);
    return fn(ints, nints, data, null ? 0 : (size_t)PQgetlength(r, 0, last), ctx);
}

/* the results of the statement sent: each row to fn (text) or page_fn
 * (binary); false with d->err set (the rest drained after fn stops) */
static bool pg_results(db *d, db_row_fn fn, db_page_row_fn page_fn, void *ctx)
{
    PGconn *c = d->conn;
    bool ok = true, stopped = false;
    PGresult *r;
    const char *cols[32];
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && page_fn) {
            if (!stopped && !page_row(r, page_fn, ctx))
                stopped = true;
        } else if (st == PGRES_SINGLE_TUPLE) {
            int ncols = PQnfields(r) > 32 ? 32 : PQnfields(r);
            for (int k = 0; k < ncols; k++)
                cols[k] = PQgetisnull(r, 0, k) ? NULL : PQgetvalue(r, 0, k);
            if (!stopped && fn && !fn(cols, ncols, ctx))
                stopped = true; /* the rest is drained */
        } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            if (ok) {
                const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                d->retry = state && (!strcmp(state, "40P01") || !strcmp(state, "40001"));
                set_err(d, PQresultErrorMessage(r));
            }
            ok = false;
        }
        PQclear(r);
    }
    if (ok && PQstatus(c) == CONNECTION_BAD) {
        set_err(d, PQerrorMessage(c));
        ok = false;
    }
    return ok;
}

static bool pg_query(db *d, const char *sql, const db_param *p, int np, db_row_fn fn, void *ctx)
{
    return pg_send(d, sql, p, np, 0) && pg_results(d, fn, NULL, ctx);
}

static bool pg_query_pages(db *d, const char *sql, const db_param *p, int np, db_page_row_fn fn, void *ctx)
{
    return pg_send(d, sql, p, np, 1) && pg_results(d, NULL, fn, ctx);
}

/* the results of one statement of a pipeline: the first column of its
 * first row into *first; false (d->err set once) on its error */
static bool pipe_results(db *d, int64_t *first, bool ok)
{
    PGresult *r;
    *first = 0;
    while ((r = PQgetResult(d->conn))) {
        ExecStatusType st = PQresultStatus(r);
        /* (a row may come in single-row mode: libpq keeps that mode of the
         * statement sent before the pipeline) */
        bool row = st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE;
        if (row && !*first && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
            *first = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        else if (!row && st != PGRES_COMMAND_OK) {
            if (ok && st != PGRES_PIPELINE_ABORTED) {
                const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                d->retry = state && (!strcmp(state, "40P01") || !strcmp(state, "40001"));
                set_err(d, PQresultErrorMessage(r));
            }
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

/* pipeline mode: the n statements sent, one sync, then their results read
 * in order (the caller keeps n small enough for the results to fit the
 * socket's buffers while it sends: DB_PUT_MANY records) */
static bool pg_query_many(db *d, const char *sql, const db_param *p, int np, size_t n, int64_t *first)
{
    PGconn *c = d->conn;
    char name[24] = "";
    if (np > MAXP || !prepared(d, sql, np, name))
        return np > MAXP ? (set_err(d, "too many parameters"), false) : false;
    if (!name[0] || PQenterPipelineMode(c) != 1) { /* not cached: one statement at a time */
        for (size_t k = 0; k < n; k++)
            if (!pg_query(d, sql, p + k * (size_t)np, np, db_int_row, &first[k]))
                return false;
        return true;
    }
    const char *vals[MAXP];
    char ints[MAXP][24];
    size_t sent = 0;
    bool ok = true;
    for (; sent < n; sent++) {
        param_text(p + sent * (size_t)np, np, vals, ints);
        if (!PQsendQueryPrepared(c, name, np, vals, NULL, NULL, 0))
            break;
    }
    /* the sync point even after a failed send: the statements sent are
     * flushed and answered up to it */
    if (PQpipelineSync(c) != 1 || sent < n) {
        set_err(d, PQerrorMessage(c));
        ok = false;
    }
    for (size_t k = 0; k < sent; k++)
        ok = pipe_results(d, &first[k], ok);
    PGresult *r;
    while (PQstatus(c) == CONNECTION_OK && (r = PQgetResult(c))) { /* up to the sync point */
        bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    if (PQexitPipelineMode(c) != 1 && ok) {
        set_err(d, PQerrorMessage(c));
        ok = false;
    }
    return ok;
}

/* the error of a failed COPY or of its result (the retry flag as pg_query sets it) */
static void copy_err(db *d, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    d->retry = state && (!strcmp(state, "40P01") || !strcmp(state, "40001"));
    set_err(d, r ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
}

/* the three integers of each of n rows (row k's from get) sent with
 * sql, a COPY ... FROM STDIN: one stream, no statement a row, in the
 * order given */
/* a COPY ... FROM STDIN started; false (reported, every result read) when
 * the server did not enter COPY */
static bool copy_begin(db *d, const char *sql)
{
    PGresult *r = PQexec(d->conn, sql);
    bool ok = r && PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        copy_err(d, r);
    PQclear(r);
    if (!ok)
        while ((r = PQgetResult(d->conn)))
            PQclear(r);
    return ok;
}

/* a COPY's end: ended (aborted when !ok) and every result read; the first
 * failure is the one reported */
static bool copy_end(db *d, PGconn *c, bool ok)
{
    PGresult *r;
    if (!ok)
        set_err(d, PQerrorMessage(c));
    if (PQputCopyEnd(c, ok ? NULL : "malgopher: the rows could not be sent") != 1 && ok) {
        set_err(d, PQerrorMessage(c));
        ok = false;
    }
    while ((r = PQgetResult(c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && ok) {
            copy_err(d, r);
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

static bool pg_copy(db *d, const char *sql, size_t n, void (*get)(const void *v, size_t k, int64_t out[3]),
                    const void *v)
{
    PGconn *c = d->conn;
    if (!copy_begin(d, sql))
        return false;
    bool ok = true;
    enum { BUF = 1 << 16 };
    char buf[BUF];
    size_t at = 0;
    for (size_t k = 0; ok && k < n; k++) {
        int64_t row[3];
        get(v, k, row);
        at += (size_t)snprintf(buf + at, BUF - at, "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n", row[0], row[1], row[2]);
        if (at > BUF - 80 || k + 1 == n) { /* a row is at most 3 * 20 + 3 bytes */
            ok = PQputCopyData(c, buf, (int)at) == 1;
            at = 0;
        }
    }
    return copy_end(d, c, ok);
}

/* A sharded collection: COPY into a partitioned table whose partitions
 * are foreign tables sends one remote INSERT a row (PostgreSQL 15's
 * postgres_fdw batches no COPY: 16 records/s through one shard on the
 * benchmarks feed), where an INSERT ... SELECT is sent in batches of the
 * server's batch_size.  So the rows go as three arrays, ARRAY_ROWS rows a
 * statement (each array's text at most 21 bytes a row). */
#define ARRAY_ROWS 8192
_Static_assert(ARRAY_ROWS % MG_GIMPSET_K == 0, "a statement's token rows are whole records");
static bool pg_insert_arrays(db *d, const char *sql, size_t n, void (*get)(const void *v, size_t k, int64_t out[3]),
                             const void *v)
{
    enum { ROW = 21 };
    char *text = malloc(3 * (ARRAY_ROWS * ROW + 3));
    if (!text) {
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    char *col[3] = {text, text + ARRAY_ROWS * ROW + 3, text + 2 * (ARRAY_ROWS * ROW + 3)};
    bool ok = true;
    for (size_t at = 0; ok && at < n; at += ARRAY_ROWS) {
        size_t m = n - at < ARRAY_ROWS ? n - at : ARRAY_ROWS, len[3] = {1, 1, 1};
        col[0][0] = col[1][0] = col[2][0] = '{';
        for (size_t k = 0; k < m; k++) {
            int64_t row[3];
            get(v, at + k, row);
            for (int c = 0; c < 3; c++) /* an int64 is at most 20 characters, and a comma */
                len[c] += (size_t)snprintf(col[c] + len[c], ROW + 1, "%s%" PRId64, k ? "," : "", row[c]);
        }
        for (int c = 0; c < 3; c++)
            memcpy(col[c] + len[c], "}", 2);
        db_param p[] = {PT(col[0]), PT(col[1]), PT(col[2])};
        ok = pg_query(d, sql, p, 3, NULL, NULL);
    }
    free(text);
    return ok;
}

static const db_backend pg_sharded_backend;

static bool pg_put_grams(db *d, const gram_row *v, size_t n)
{
    if (db_pg_direct_on(d))
        return db_pg_direct_put(d, 0, n, db_gram_fields, v);
    if (d->be == &pg_sharded_backend)
        return pg_insert_arrays(d,
                                "INSERT INTO grams (gen, gram, sample_id)"
                                " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])",
                                n, db_gram_fields, v);
    return pg_copy(d, "COPY grams (gen, gram, sample_id) FROM STDIN", n, db_gram_fields, v);
}

/* the partition and server of a kept token list */
typedef struct kept_list {
    char part[64], server[64];
} kept_list;

static bool kept_row(const char *const *cols, int ncols, void *ctx)
{
    kept_list *k = ctx;
    if (ncols == 2 && cols[0] && cols[1]) {
        snprintf(k->part, sizeof k->part, "%s", cols[0]);
        snprintf(k->server, sizeof k->server, "%s", cols[1]);
    }
    return false;
}

/* false (err set, naming the shard) when a shard kept a token list
 * instead of making it rows: its partition lacks the trigger (a shard left
 * out of an upgrade to layout 3), and the records would be stored but
 * never found by a gimpset search; looked for once a transaction, before
 * it commits (pg_commit), which then fails and is rolled back */
static bool lists_made_rows(db *d)
{
    kept_list k = {"", ""};
    if (!pg_query(d,
                  "SELECT c.relname, s.srvname FROM (SELECT tableoid FROM set_token_lists LIMIT 1) l"
                  " JOIN pg_class c ON c.oid = l.tableoid JOIN pg_foreign_table f ON f.ftrelid = c.oid"
                  " JOIN pg_foreign_server s ON s.oid = f.ftserver",
                  NULL, 0, kept_row, &k))
        return false;
    if (!k.part[0])
        return true;
    snprintf(d->err, sizeof d->err,
             "server \"%s\" keeps the token lists sent to %s instead of making them token rows (no trigger):"
             " run tools/shard_layout3.sql on every shard (docs/collection.md \"Upgrading\")",
             k.server, k.part);
    name_shard(d);
    return false;
}

/* A sharded collection of layout 3 takes a record's token rows as one
 * row of set_token_lists, which its shard turns back into rows
 * (db_schema.c): the rows grouped by record here, on the coordinator.
 * They come a record at a time (db_set_write.c), so ARRAY_ROWS rows hold
 * whole records; a record split over two statements would make two lists,
 * each still the record's rows.  The two aggregates of a group read its
 * rows in one order, so slots[i] and vals[i] stay one token. */
static bool pg_put_set_tokens(db *d, const set_row *v, size_t n)
{
    if (db_pg_direct_on(d))
        return db_pg_direct_put(d, 1, n, db_set_fields, v);
    if (d->be == &pg_sharded_backend) {
        bool lists = d->shard_layout >= DB_SHARD_LAYOUT_LISTS;
        lists_unchecked |= lists;
        return pg_insert_arrays(d,
                                lists ? "INSERT INTO set_token_lists (sample_id, slots, vals)"
                                        " SELECT sample_id, array_agg(slot::int), array_agg(value)"
                                        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(sample_id, slot, value)"
                                        " GROUP BY sample_id"
                                      : "INSERT INTO set_tokens (sample_id, slot, value)"
                                        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])",
                                n, db_set_fields, v);
    }
    return pg_copy(d, "COPY set_tokens (sample_id, slot, value) FROM STDIN", n, db_set_fields, v);
}

/* pages (set_pages, gram_pages) with COPY (text format): the integers,
 * then the data as a bytea in hex, "\\x" then two digits a byte (nothing
 * to escape), a line */
static bool pg_copy_pages(db *d, const char *sql, size_t n, db_page_fields_fn get, const void *v)
{
    static const char hex[] = "0123456789abcdef";
    PGconn *c = d->conn;
    if (!copy_begin(d, sql))
        return false;
    bool ok = true;
    enum { BUF = 1 << 16 };
    char buf[BUF];
    size_t at = 0;
    for (size_t k = 0; ok && k < n; k++) {
        int64_t row[DB_PAGE_INTS];
        const uint8_t *data;
        size_t len;
        int m = get(v, k, row, &data, &len);
        for (int f = 0; f < m; f++) /* at most DB_PAGE_INTS * 21 + 3 bytes with the "\\x" */
            at += (size_t)snprintf(buf + at, BUF - at, "%" PRId64 "\t", row[f]);
        memcpy(buf + at, "\\\\x", 3); /* the backslash of bytea's \x escaped for COPY */
        at += 3;
        for (size_t i = 0; ok && i < len; i++) {
            buf[at++] = hex[data[i] >> 4];
            buf[at++] = hex[data[i] & 15];
            if (at > BUF - 8) {
                ok = PQputCopyData(c, buf, (int)at) == 1;
                at = 0;
            }
        }
        buf[at++] = '\n';
        if (ok && (at > BUF - 128 || k + 1 == n)) {
            ok = PQputCopyData(c, buf, (int)at) == 1;
            at = 0;
        }
    }
    return copy_end(d, c, ok);
}

static bool pg_put_set_pages(db *d, const set_page *v, size_t n)
{
    return pg_copy_pages(d, "COPY set_pages (gen, slot, bucket, first_id, n, data) FROM STDIN", n,
                         db_set_page_fields, v);
}

static bool pg_put_gram_pages(db *d, const gram_page *v, size_t n)
{
    return pg_copy_pages(d, "COPY gram_pages (gen, bucket, first_id, n, data) FROM STDIN", n, db_gram_page_fields, v);
}

/* ---- a statement over many parameter rows at once (query_set) ----
 *
 * `db import` inserts its records 256 at a time: in pipeline mode that is
 * one round trip but still 256 statements, each planned, executed and
 * answered alone (about 130 us of server time a record on the benchmarks
 * feed: BENCHMARKS.md "Records inserted as one set").  Here the rows go by
 * COPY into a temporary table and one statement inserts them all. */

/* the staging table of np text columns p1..pNP and the row's place, ord:
 * made when a session first needs it (IF NOT EXISTS: again after a
 * rollback, which may have undone it), emptied at every commit and before
 * each use */
static bool stage_table(db *d, int np)
{
    if (staged_np == np)
        return pg_query(d, "TRUNCATE mg_put", NULL, 0, NULL, NULL);
    /* a batch is a generation of records (about 30 MB of rows): kept in
     * memory rather than written out and read back (the setting can only
     * change before the session's first temporary table) */
    if (!staged_tuned && !pg_query(d, "SET temp_buffers = '64MB'", NULL, 0, NULL, NULL))
        return false;
    staged_tuned = true;
    char sql[64 + MAXP * 12];
    size_t n = (size_t)snprintf(sql, sizeof sql, "CREATE TEMP TABLE IF NOT EXISTS mg_put (ord BIGINT");
    for (int k = 1; k <= np; k++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, ", p%d TEXT", k);
    snprintf(sql + n, sizeof sql - n, ") ON COMMIT DELETE ROWS");
    if (!pg_query(d, sql, NULL, 0, NULL, NULL) || !pg_query(d, "TRUNCATE mg_put", NULL, 0, NULL, NULL))
        return false;
    staged_np = np;
    return true;
}

/* s as a field of COPY's text format at out (room for 2 * strlen + 1):
 * backslash, tab, newline and carriage return escaped; NULL as \N */
static size_t copy_field(char *out, const char *s)
{
    if (!s)
        return (size_t)sprintf(out, "\\N");
    size_t n = 0;
    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
        if (esc) {
            memcpy(out + n, esc, 2);
            n += 2;
        } else
            out[n++] = *s;
    }
    return n;
}

/* the n rows of np parameters p sent into mg_put by COPY */
static bool stage_rows(db *d, const db_param *p, int np, size_t n)
{
    PGconn *c = d->conn;
    if (!copy_begin(d, "COPY mg_put FROM STDIN"))
        return false;
    size_t cap = 1 << 16, at = 0;
    char *buf = malloc(cap);
    bool ok = buf != NULL;
    for (size_t k = 0; ok && k < n; k++) {
        const db_param *row = p + k * (size_t)np;
        size_t need = 24;
        for (int f = 0; f < np; f++)
            need += row[f].kind == P_INT ? 24 : row[f].s ? 2 * strlen(row[f].s) + 1 : 3;
        if (at + need > cap) {
            ok = !at || PQputCopyData(c, buf, (int)at) == 1;
            at = 0;
            if (ok && need > cap) { /* a row longer than the buffer */
                free(buf);
                buf = malloc(cap = need);
                ok = buf != NULL;
            }
            if (!ok)
                break;
        }
        at += (size_t)sprintf(buf + at, "%zu", k);
        for (int f = 0; f < np; f++) {
            buf[at++] = '\t';
            at += row[f].kind == P_INT ? (size_t)sprintf(buf + at, "%" PRId64, row[f].i) : copy_field(buf + at, row[f].s);
        }
        buf[at++] = '\n';
    }
    if (ok && at)
        ok = PQputCopyData(c, buf, (int)at) == 1;
    bool nomem = !buf;
    free(buf);
    ok = copy_end(d, c, ok); /* it reports a failed send */
    if (nomem)
        snprintf(d->err, sizeof d->err, "out of memory");
    return ok && !nomem;
}

/* (ord, value) rows into first[ord] */
typedef struct set_out {
    int64_t *first;
    size_t n;
} set_out;

static bool set_row_fn(const char *const *cols, int ncols, void *ctx)
{
    set_out *o = ctx;
    if (ncols < 2 || !cols[0] || !cols[1])
        return true;
    char *end;
    unsigned long long ord = strtoull(cols[0], &end, 10);
    if (*end || ord >= o->n)
        return true; /* not a row of ours: the statement's own */
    o->first[ord] = strtoll(cols[1], NULL, 10);
    return true;
}

static bool pg_query_set(db *d, const char *sql, const db_param *p, int np, size_t n, int64_t *first)
{
    if (np > MAXP) {
        set_err(d, "too many parameters");
        return false;
    }
    memset(first, 0, n * sizeof *first);
    set_out o = {first, n};
    return !n || (stage_table(d, np) && stage_rows(d, p, np, n) && pg_query(d, sql, NULL, 0, set_row_fn, &o));
}

static bool pg_simple(db *d, const char *sql) { return pg_query(d, sql, NULL, 0, NULL, NULL); }
static bool pg_begin(db *d) { return pg_simple(d, "BEGIN"); }
static bool pg_commit(db *d)
{
    bool check = lists_unchecked;
    lists_unchecked = false;
    /* the shards' direct writes first: a failure there leaves nothing */
    return (!check || lists_made_rows(d)) && db_pg_direct_commit(d) && pg_simple(d, "COMMIT");
}
static void pg_rollback(db *d)
{
    staged_np = 0; /* a staging table made in this transaction is gone */
    lists_unchecked = false;
    db_pg_direct_rollback();
    if (PQstatus(d->conn) == CONNECTION_OK)
        pg_simple(d, "ROLLBACK");
}

static int pg_get_version(db *d)
{
    int64_t has = -1, tables = 0, v = -1;
    if (!pg_query(d, "SELECT CASE WHEN to_regclass('malgopher_schema') IS NULL THEN 0 ELSE 1 END", NULL, 0,
                  db_int_row, &has))
        return -1;
    if (has != 1) /* an empty database, or one of something else (the count costs 10 ms: only here) */
        return !pg_query(d, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                         NULL, 0, db_int_row, &tables)
                   ? -1
                   : tables > 0 ? -2 : 0;
    if (!pg_query(d, "SELECT max(version) FROM malgopher_schema", NULL, 0, db_int_row, &v))
        return -1;
    return v < 0 ? -2 : v > 1000000 ? 1000000 : (int)v;
}

static bool pg_set_version(db *d, int v)
{
    db_param p = PI(v);
    return pg_simple(d, "CREATE TABLE IF NOT EXISTS malgopher_schema (version INTEGER NOT NULL)") &&
           pg_simple(d, "DELETE FROM malgopher_schema") &&
           pg_query(d, "INSERT INTO malgopher_schema (version) VALUES ($1)", &p, 1, NULL, NULL);
}

static bool pg_lock(db *d)
{
    /* a session lock taken outside the transaction: the transaction begun
     * after it reads the catalog as the previous holder left it */
    return pg_simple(d, "SELECT pg_advisory_lock(7243001)");
}

static void pg_unlock(db *d)
{
    if (PQstatus(d->conn) == CONNECTION_OK)
        pg_simple(d, "SELECT pg_advisory_unlock(7243001)");
}

/* one server: its gimpset pages clustered too (an import leaves a
 * token's pages of each generation on a heap page of their own) */
static const db_backend pg_backend = DB_BACKEND("postgresql", pg, "BIGSERIAL PRIMARY KEY", "",
                                                  "ANALYZE samples, gram_pages, sample_paths, set_pages",
                                                  "CLUSTER set_pages USING set_pages_pkey", true, false,
                                                  "string_agg(sample_id::text, ',' ORDER BY sample_id)", "BYTEA");
/* a sharded collection: the same, but ANALYZE leaves the partitioned
 * tables alone: PostgreSQL 15's postgres_fdw reads a foreign table whole to
 * sample it (every gram row over the network), and the coordinator's plans
 * (index lookups pushed to each partition) do not need the statistics; its
 * tokens are rows, not pages: nothing to cluster */
static const db_backend pg_sharded_backend =
    DB_BACKEND("postgresql", pg, "BIGSERIAL PRIMARY KEY", "", "ANALYZE sample_paths", NULL, true, true, NULL, NULL);

bool db_pg_sharded(const db *d) { return d->be == &pg_sharded_backend; }

void db_pg_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* the URI as shown in messages: the password of user:pw@ and every
 * password= parameter (?password=, &password=, or a key=value conninfo's)
 * replaced by *** */
void db_pg_redact(char *out, size_t outsz, const char *uri)
{
    const char *s = strstr(uri, "://");
    const char *at = s ? strchr(s + 3, '@') : NULL;
    const char *slash = s ? strchr(s + 3, '/') : NULL;
    if (at && slash && slash < at)
        at = NULL; /* an @ in the path or the parameters, not a user's */
    const char *colon = s ? memchr(s + 3, ':', at ? (size_t)(at - s - 3) : 0) : NULL;
    char tmp[1024];
    if (colon && at)
        snprintf(tmp, sizeof tmp, "%.*s:***%s", (int)(colon - uri), uri, at);
    else
        snprintf(tmp, sizeof tmp, "%s", uri);
    size_t n = 0;
    for (const char *p = tmp; *p && n + 1 < outsz;) {
        bool key = !strncmp(p, "password=", 9) && (p == tmp || strchr("?& \t", p[-1]));
        if (!key) {
            out[n++] = *p++;
            continue;
        }
        n += (size_t)snprintf(out + n, outsz - n, "password=***");
        if (n >= outsz)
            n = outsz - 1;
        p += 9;
        if (*p == '\'') /* a quoted conninfo value */
            for (p++; *p && *p != '\''; p += (*p == '\\' && p[1]) ? 2 : 1)
                ;
        else
            p += strcspn(p, "& \t");
        if (*p == '\'')
            p++;
    }
    out[n] = 0;
}

static bool shard_row(const char *const *cols, int ncols, void *ctx)
{
    (void)ctx;
    if (ncols < 2 || !cols[0] || !cols[1] || nshards == SHARDS)
        return true;
    snprintf(shards[nshards].server, sizeof shards[nshards].server, "%s", cols[0]);
    snprintf(shards[nshards].shown, sizeof shards[nshards].shown, "%s", cols[1]);
    nshards++;
    return true;
}

static bool shard_where_row(const char *const *cols, int ncols, void *ctx)
{
    (void)ctx;
    if (ncols < 3 || !cols[0] || !cols[1] || !cols[2])
        return true;
    for (size_t k = 0; k < nshards; k++)
        if (!strcmp(shards[k].server, cols[0])) {
            if (!strcmp(cols[1], "host"))
                snprintf(shards[k].host, sizeof shards[k].host, "%s", cols[2]);
            else if (!strcmp(cols[1], "port"))
                snprintf(shards[k].port, sizeof shards[k].port, "%s", cols[2]);
            else
                snprintf(shards[k].hostaddr, sizeof shards[k].hostaddr, "%s", cols[2]);
        }
    return true;
}

/* the shard list of a sharded collection (none otherwise) */
static bool load_shards(db *d)
{
    int64_t has = 0;
    nshards = 0;
    memset(shards, 0, sizeof shards);
    if (!pg_query(d, "SELECT CASE WHEN to_regclass('malgopher_shards') IS NULL THEN 0 ELSE 1 END", NULL, 0,
                  db_int_row, &has))
        return false;
    if (has == 1)
        d->be = &pg_sharded_backend;
    return has != 1 ||
           (db_pg_fdw_session(d) &&
            pg_query(d, "SELECT server, shown FROM malgopher_shards ORDER BY server", NULL, 0, shard_row, NULL) &&
            pg_query(d,
                     "SELECT s.srvname, o.option_name, o.option_value FROM pg_foreign_server s,"
                     " pg_options_to_table(s.srvoptions) o WHERE o.option_name IN ('host', 'hostaddr', 'port')",
                     NULL, 0, shard_where_row, NULL));
}

/* Connections give up: connect_timeout (the whole connection, its
 * authentication included) and statement_timeout by default, unless the
 * URI or libpq's environment (PGCONNECT_TIMEOUT, PGOPTIONS) sets them:
 * later parameters override earlier ones, and the URI comes last. */
#define PG_CONNECT_SECONDS "10"
#define STR_(x) #x
#define STR(x) STR_(x)

int db_pg_timeouts(const char **keys, const char **vals)
{
    int k = 0;
    if (!getenv("PGCONNECT_TIMEOUT"))
        keys[k] = "connect_timeout", vals[k++] = PG_CONNECT_SECONDS;
    if (!getenv("PGOPTIONS"))
        keys[k] = "options", vals[k++] = "-c statement_timeout=" STR(DB_STATEMENT_SECONDS) "s";
    return k;
}

bool db_pg_open(db *d, const char *uri)
{
    db_pg_redact(d->where, sizeof d->where, uri);
    const char *keys[4], *vals[4];
    int k = db_pg_timeouts(keys, vals);
    keys[k] = "dbname", vals[k++] = uri;
    keys[k] = NULL, vals[k] = NULL;
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    d->conn = c;
    if (!c || PQstatus(c) != CONNECTION_OK) {
        set_err(d, c ? PQerrorMessage(c) : "out of memory");
        if (strstr(d->err, "timeout expired")) {
            char why[sizeof d->err];
            snprintf(why, sizeof why, "%.400s (no answer within connect_timeout, %s s unless the URI sets it)",
                     d->err, PG_CONNECT_SECONDS);
            snprintf(d->err, sizeof d->err, "%s", why);
        }
        PQfinish(c);
        d->conn = NULL;
        return false;
    }
    PQsetNoticeProcessor(c, db_pg_quiet, NULL);
    d->be = &pg_backend;
    return pg_simple(d, "SET client_min_messages = warning") && load_shards(d);
}
