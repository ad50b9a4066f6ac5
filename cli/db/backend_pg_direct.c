/* backend_pg_direct.c - owns a sharded collection's direct writes: the
 * gram rows and gimpset token rows of a write transaction go by COPY
 * straight to the shard table of their partition (grams_pNN,
 * set_tokens_pNN), each shard's on its own connection and thread, instead
 * of through the coordinator's postgres_fdw, which spends about as much
 * CPU on a row as the shard that stores it (BENCHMARKS.md "Direct
 * writes").  The records themselves still go through the coordinator, and
 * every read does.
 *
 * Routing is PostgreSQL's own: the partition of a key is the one
 * satisfies_hash_partition accepts (pg_hash_part.c computes it, and a
 * session checks that on probe keys against the coordinator before its
 * first direct write; on any difference it writes through the
 * coordinator), and a partition's shard, schema and table are read from
 * the coordinator's catalog (its foreign table's server and options) in
 * each transaction, under a ROW EXCLUSIVE lock on grams and set_tokens
 * that `db shard-add` (EXCLUSIVE) waits for, so no partition moves while
 * rows are on their way to it.  A shard is reached with its foreign
 * server's host, hostaddr, port and dbname and its user mapping's user and
 * password; MALGOPHER_SHARD_WRITES=coordinator sends everything through
 * the coordinator instead (a writer that cannot reach the shards).
 *
 * Commit: the shards first, then the coordinator.  A batch that fails
 * before its shards commit leaves nothing; one whose coordinator COMMIT
 * fails after them leaves rows whose records do not exist, which no
 * search returns (a search reads its candidates' records by id; ids are
 * never reused) - the window postgres_fdw's own commit of several shards
 * has too (docs/collection.md "Sharding"). */
#include "db/db.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* the tables mapped: grams and set_tokens are written (PUT_TABLES), and
 * all three analyzed */
enum { SERVERS = 32, TABLES = 3, PUT_TABLES = 2, OPTS = 8, PROBES = 256 };
static const char *const table_name[TABLES] = {"grams", "set_tokens", "samples"};
static const char *const table_cols[PUT_TABLES] = {"(gen, gram, sample_id)", "(sample_id, slot, value)"};
static const int key_col[PUT_TABLES] = {1, 0}; /* the partition key's place among a row's 3 integers */

typedef struct server {
    char name[64];                       /* its foreign server, mg_shard_K */
    char keys[OPTS][16], vals[OPTS][256]; /* how to reach it (read on the main thread) */
    int nopts;
    PGconn *conn;
    bool open;     /* a transaction begun on conn and not yet ended */
    char err[400]; /* its failure in the last put */
    /* the work of one put: its partitions' rows */
    int table, parts[DB_SHARD_PARTS], nparts;
} server;

static struct {
    int state; /* 0: not decided; 1: direct; -1: through the coordinator */
    server srv[SERVERS];
    int nsrv;
    bool mapped; /* the partition map read in this transaction */
    int part_srv[TABLES][DB_SHARD_PARTS];
    char part_target[TABLES][DB_SHARD_PARTS][200]; /* "schema"."table" */
    /* one put's rows in partition order: row idx[start[p] .. start[p+1]) */
    const void *rows;
    void (*get)(const void *v, size_t k, int64_t out[3]);
    uint32_t *idx;
    size_t start[DB_SHARD_PARTS + 1];
} dw;

/* ---- the decision, once a session ---- */

/* the probe keys: the extremes, then a splitmix64 sequence */
static int64_t probe_key(int k)
{
    static const int64_t edge[] = {0, 1, -1, INT64_MAX, INT64_MIN, 4294967295LL, -4294967296LL, 16384};
    if (k < (int)(sizeof edge / sizeof *edge))
        return edge[k];
    uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return (int64_t)(x ^ (x >> 31));
}

/* pg_hash_part.c agrees with the coordinator on every probe key, for both
 * tables; false with d->err set when the question fails */
static bool hash_agrees(db *d, bool *agrees)
{
    static char keys[PROBES * 21 + 3], parts[PROBES * 21 + 3];
    int64_t key[PROBES], part[PROBES];
    for (int k = 0; k < PROBES; k++) {
        key[k] = probe_key(k);
        part[k] = db_pg_hash_partition(key[k], DB_SHARD_PARTS);
    }
    db_i64_array(keys, key, PROBES);
    db_i64_array(parts, part, PROBES);
    char modulus[8];
    snprintf(modulus, sizeof modulus, "%d", DB_SHARD_PARTS);
    db_param p[] = {PT(keys), PT(parts), PT(modulus)};
    int64_t wrong = -1;
    bool ok = db_int(d,
                     "SELECT count(*) FROM unnest($1::bigint[], $2::int[]) AS t(k, r)"
                     " WHERE NOT (satisfies_hash_partition('grams'::regclass, $3::int, r, k)"
                     " AND satisfies_hash_partition('set_tokens'::regclass, $3::int, r, k))",
                     p, 3, &wrong);
    *agrees = ok && wrong == 0;
    return ok;
}

bool db_pg_direct_on(db *d)
{
    if (!db_pg_sharded(d))
        return false;
    if (dw.state == 0) {
        const char *how = getenv("MALGOPHER_SHARD_WRITES");
        bool agrees = false;
        if (how && !strcmp(how, "coordinator"))
            dw.state = -1;
        else if (hash_agrees(d, &agrees))
            dw.state = agrees ? 1 : -1;
        else
            return false; /* the next statement meets the same failure */
    }
    return dw.state == 1;
}

/* ---- the partition map, once a transaction ---- */

static int server_of(const char *name)
{
    for (int k = 0; k < dw.nsrv; k++)
        if (!strcmp(dw.srv[k].name, name))
            return k;
    if (dw.nsrv == SERVERS)
        return -1;
    server *s = &dw.srv[dw.nsrv];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return dw.nsrv++;
}

typedef struct map_ctx {
    db *d;
    bool bad;
} map_ctx;

/* one partition: parent, bound, server, schema, table */
static bool map_row(const char *const *cols, int ncols, void *ctx)
{
    map_ctx *m = ctx;
    int t = -1, modulus = 0, rem = -1;
    if (ncols != 5 || !cols[0] || !cols[1] || !cols[2] || !cols[3] || !cols[4])
        return !(m->bad = true);
    for (int k = 0; k < TABLES; k++)
        if (!strcmp(cols[0], table_name[k]))
            t = k;
    int srv = server_of(cols[2]);
    if (t < 0 || srv < 0 || sscanf(cols[1], "FOR VALUES WITH (modulus %d, remainder %d)", &modulus, &rem) != 2 ||
        modulus != DB_SHARD_PARTS || rem < 0 || rem >= DB_SHARD_PARTS || dw.part_srv[t][rem] >= 0)
        return !(m->bad = true);
    char *schema = PQescapeIdentifier(m->d->conn, cols[3], strlen(cols[3]));
    char *table = PQescapeIdentifier(m->d->conn, cols[4], strlen(cols[4]));
    int n = schema && table ? snprintf(dw.part_target[t][rem], sizeof dw.part_target[t][rem], "%s.%s", schema, table)
                            : -1;
    PQfreemem(schema);
    PQfreemem(table);
    if (n < 0 || (size_t)n >= sizeof dw.part_target[t][rem])
        return !(m->bad = true);
    dw.part_srv[t][rem] = srv;
    return true;
}

/* the partition map read (with lock, inside the transaction: under the
 * lock a writer takes) */
static bool map_partitions(db *d, bool lock)
{
    memset(dw.part_srv, -1, sizeof dw.part_srv);
    map_ctx m = {d, false};
    if ((lock && !db_exec(d, "LOCK TABLE grams, set_tokens IN ROW EXCLUSIVE MODE", NULL, 0)) ||
        !d->be->query(d,
                      "SELECT p.relname, pg_get_expr(c.relpartbound, c.oid), s.srvname,"
                      " (SELECT option_value FROM pg_options_to_table(f.ftoptions) WHERE option_name = 'schema_name'),"
                      " (SELECT option_value FROM pg_options_to_table(f.ftoptions) WHERE option_name = 'table_name')"
                      " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
                      " JOIN pg_foreign_table f ON f.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = f.ftserver"
                      " WHERE i.inhparent IN ('grams'::regclass, 'set_tokens'::regclass, 'samples'::regclass)",
                      NULL, 0, map_row, &m))
        return false;
    for (int t = 0; t < TABLES && !m.bad; t++)
        for (int p = 0; p < DB_SHARD_PARTS; p++)
            m.bad |= dw.part_srv[t][p] < 0;
    if (m.bad) {
        snprintf(d->err, sizeof d->err,
                 "the partitions of samples, grams and set_tokens are not the %d foreign tables of a sharded collection"
                 " (a partition missing, repeated, or without its server's schema and table)",
                 DB_SHARD_PARTS);
        return false;
    }
    dw.mapped = lock;
    return true;
}

/* ---- reaching a shard ---- */

static bool option_row(const char *const *cols, int ncols, void *ctx)
{
    server *s = ctx;
    static const char *const wanted[] = {"host", "hostaddr", "port", "dbname", "user", "password"};
    if (ncols != 2 || !cols[0] || !cols[1])
        return true;
    for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++) {
        if (strcmp(cols[0], wanted[w]))
            continue;
        int k = 0; /* a later row (the current user's mapping) overrides an earlier */
        while (k < s->nopts && strcmp(s->keys[k], cols[0]))
            k++;
        if (k == OPTS || strlen(cols[1]) >= sizeof s->vals[k])
            return true;
        snprintf(s->keys[k], sizeof s->keys[k], "%s", cols[0]);
        snprintf(s->vals[k], sizeof s->vals[k], "%s", cols[1]);
        s->nopts += k == s->nopts;
    }
    return true;
}

/* how to reach s, from the coordinator's catalog (main thread) */
static bool read_options(db *d, server *s)
{
    s->nopts = 0;
    db_param p[] = {PT(s->name)};
    return d->be->query(d,
                        "SELECT o.option_name, o.option_value FROM pg_foreign_server v,"
                        " pg_options_to_table(v.srvoptions) o WHERE v.srvname = $1"
                        " UNION ALL (SELECT o.option_name, o.option_value FROM pg_user_mappings u,"
                        " pg_options_to_table(u.umoptions) o WHERE u.srvname = $1"
                        " AND u.usename IN (current_user, 'public') ORDER BY u.usename = 'public' DESC)",
                        p, 1, option_row, s);
}

/* the first line of msg into s->err, without libpq's "ERROR:  " */
static void server_err(server *s, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    if (!strncmp(msg, "ERROR:  ", 8))
        msg += 8;
    snprintf(s->err, sizeof s->err, "%.*s", (int)strcspn(msg, "\n"), msg);
}

static bool exec_ok(server *s, const char *sql)
{
    PGresult *r = PQexec(s->conn, sql);
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        server_err(s, r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
    PQclear(r);
    return ok;
}

/* s connected (s's thread) */
static bool server_connect(server *s)
{
    if (s->conn && PQstatus(s->conn) != CONNECTION_OK) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    if (!s->conn) {
        const char *keys[OPTS + 3], *vals[OPTS + 3];
        int n = db_pg_timeouts(keys, vals); /* the coordinator's own, then the shard's options */
        for (int k = 0; k < s->nopts; k++)
            keys[n] = s->keys[k], vals[n++] = s->vals[k];
        keys[n] = vals[n] = NULL;
        s->conn = PQconnectdbParams(keys, vals, 0);
        if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
            server_err(s, s->conn ? PQerrorMessage(s->conn) : "out of memory");
            char why[sizeof s->err];
            snprintf(why, sizeof why,
                     "cannot reach the shard to write to it (%.250s; MALGOPHER_SHARD_WRITES=coordinator writes"
                     " through the coordinator)",
                     s->err);
            snprintf(s->err, sizeof s->err, "%s", why);
            return false;
        }
        PQsetNoticeProcessor(s->conn, db_pg_quiet, NULL); /* a shutdown's warning: the failure is the one line */
    }
    return true;
}

/* s connected, its transaction begun (s's thread) */
static bool server_ready(server *s)
{
    return s->open || (server_connect(s) && (s->open = exec_ok(s, "BEGIN")));
}

/* ---- one put: each shard's partitions, a thread a shard ---- */

/* the rows of partition p of table t sent by COPY on s */
static bool copy_partition(server *s, int t, int p)
{
    char sql[320];
    snprintf(sql, sizeof sql, "COPY %s %s FROM STDIN", dw.part_target[t][p], table_cols[t]);
    PGresult *r = PQexec(s->conn, sql);
    bool ok = r && PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        server_err(s, r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
    PQclear(r);
    if (!ok)
        return false;
    enum { BUF = 1 << 16 };
    char buf[BUF];
    size_t at = 0;
    for (size_t k = dw.start[p]; ok && k < dw.start[p + 1]; k++) {
        int64_t row[3];
        dw.get(dw.rows, dw.idx[k], row);
        at += (size_t)snprintf(buf + at, BUF - at, "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n", row[0], row[1], row[2]);
        if (at > BUF - 80 || k + 1 == dw.start[p + 1]) { /* a row is at most 3 * 20 + 3 bytes */
            ok = PQputCopyData(s->conn, buf, (int)at) == 1;
            at = 0;
        }
    }
    if (!ok)
        server_err(s, PQerrorMessage(s->conn));
    if (PQputCopyEnd(s->conn, ok ? NULL : "malgopher: the rows could not be sent") != 1 && ok) {
        server_err(s, PQerrorMessage(s->conn));
        ok = false;
    }
    while ((r = PQgetResult(s->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && ok) {
            server_err(s, PQresultErrorMessage(r));
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

static void *server_work(void *arg)
{
    server *s = arg;
    bool ok = server_ready(s);
    for (int k = 0; ok && k < s->nparts; k++)
        ok = copy_partition(s, s->table, s->parts[k]);
    return NULL;
}

/* dw.idx: the n rows ordered by partition (a counting sort, stable) */
static bool order_rows(db *d, int t, size_t n)
{
    uint8_t *part = malloc(n ? n : 1);
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!part || !idx || n > UINT32_MAX) {
        free(part);
        free(idx);
        snprintf(d->err, sizeof d->err, "out of memory");
        return false;
    }
    size_t count[DB_SHARD_PARTS + 1] = {0};
    for (size_t k = 0; k < n; k++) {
        int64_t row[3];
        dw.get(dw.rows, k, row);
        part[k] = (uint8_t)db_pg_hash_partition(row[key_col[t]], DB_SHARD_PARTS);
        count[part[k] + 1]++;
    }
    for (int p = 0; p < DB_SHARD_PARTS; p++)
        count[p + 1] += count[p];
    memcpy(dw.start, count, sizeof dw.start);
    for (size_t k = 0; k < n; k++)
        idx[count[part[k]]++] = (uint32_t)k;
    free(part);
    dw.idx = idx;
    return true;
}

/* the first shard's failure (of a put or a commit) into d->err, naming
 * the shard */
static bool failed(db *d)
{
    for (int k = 0; k < dw.nsrv; k++)
        if (dw.srv[k].err[0]) {
            snprintf(d->err, sizeof d->err, "%.300s (shard %s)", dw.srv[k].err, db_pg_shard_shown(dw.srv[k].name));
            return true;
        }
    return false;
}

bool db_pg_direct_put(db *d, int t, size_t n, void (*get)(const void *v, size_t k, int64_t out[3]), const void *rows)
{
    if (!n)
        return true;
    if (!dw.mapped && !map_partitions(d, true))
        return false;
    dw.rows = rows, dw.get = get;
    if (!order_rows(d, t, n))
        return false;
    bool ok = true;
    for (int k = 0; k < dw.nsrv; k++) {
        server *s = &dw.srv[k];
        s->nparts = 0, s->err[0] = 0, s->table = t;
        for (int p = 0; p < DB_SHARD_PARTS; p++)
            if (dw.part_srv[t][p] == k && dw.start[p + 1] > dw.start[p])
                s->parts[s->nparts++] = p;
        if (s->nparts && !s->conn && !read_options(d, s))
            ok = false;
    }
    pthread_t th[SERVERS];
    bool started[SERVERS] = {false};
    for (int k = 0; ok && k < dw.nsrv; k++)
        if (dw.srv[k].nparts) /* without a thread, the work is done here */
            started[k] = pthread_create(&th[k], NULL, server_work, &dw.srv[k]) == 0 ||
                         (server_work(&dw.srv[k]), false);
    for (int k = 0; k < dw.nsrv; k++)
        if (started[k])
            pthread_join(th[k], NULL);
    free(dw.idx);
    dw.idx = NULL;
    return !failed(d) && ok;
}

/* ---- the shards' statistics ---- */

/* ANALYZE of the partitions on s (s's thread) */
static void *server_analyze(void *arg)
{
    server *s = arg;
    enum { SQL = TABLES * DB_SHARD_PARTS * (sizeof dw.part_target[0][0] + 2) + 16 };
    char *sql = malloc(SQL);
    if (!sql) {
        server_err(s, "out of memory");
        return NULL;
    }
    size_t n = (size_t)snprintf(sql, SQL, "ANALYZE");
    int parts = 0;
    for (int t = 0; t < TABLES; t++)
        for (int p = 0; p < DB_SHARD_PARTS; p++)
            if (dw.part_srv[t][p] == (int)(s - dw.srv))
                n += (size_t)snprintf(sql + n, SQL - n, "%s %s", parts++ ? "," : "", dw.part_target[t][p]);
    if (parts && server_connect(s))
        exec_ok(s, sql);
    free(sql);
    return NULL;
}

bool db_pg_direct_analyze(db *d)
{
    if (!db_pg_direct_on(d))
        return dw.state != 0 || !db_pg_sharded(d); /* undecided: the question failed */
    if (!map_partitions(d, false))
        return false;
    pthread_t th[SERVERS];
    bool started[SERVERS] = {false};
    for (int k = 0; k < dw.nsrv; k++) {
        dw.srv[k].err[0] = 0;
        if (!dw.srv[k].conn && !read_options(d, &dw.srv[k]))
            return false;
    }
    for (int k = 0; k < dw.nsrv; k++)
        started[k] = pthread_create(&th[k], NULL, server_analyze, &dw.srv[k]) == 0 ||
                     (server_analyze(&dw.srv[k]), false);
    for (int k = 0; k < dw.nsrv; k++)
        if (started[k])
            pthread_join(th[k], NULL);
    return !failed(d);
}

/* ---- the end of a transaction ---- */

bool db_pg_direct_commit(db *d)
{
    for (int k = 0; k < dw.nsrv; k++) { /* every shard's COMMIT sent, then each answer read */
        server *s = &dw.srv[k];
        s->err[0] = 0;
        if (s->open && !PQsendQueryParams(s->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0))
            server_err(s, PQerrorMessage(s->conn));
    }
    for (int k = 0; k < dw.nsrv; k++) {
        server *s = &dw.srv[k];
        PGresult *r;
        while (s->open && (r = PQgetResult(s->conn))) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK && !s->err[0])
                server_err(s, PQresultErrorMessage(r));
            PQclear(r);
        }
        s->open = false;
    }
    dw.mapped = false;
    return !failed(d);
}

void db_pg_direct_rollback(void)
{
    for (int k = 0; k < dw.nsrv; k++) {
        server *s = &dw.srv[k];
        if (s->open && PQstatus(s->conn) == CONNECTION_OK) {
            PGresult *r;
            while ((r = PQgetResult(s->conn))) /* what a failed COPY or COMMIT left */
                PQclear(r);
            PQclear(PQexec(s->conn, "ROLLBACK"));
        }
        s->open = false;
    }
    dw.mapped = false;
}

void db_pg_direct_close(void)
{
    db_pg_direct_rollback();
    for (int k = 0; k < dw.nsrv; k++)
        PQfinish(dw.srv[k].conn);
    memset(&dw, 0, sizeof dw);
}
