/* db_shard.c - `malgopher db init` (a collection, sharded over PostgreSQL
 * servers with --shard) and `malgopher db shard-add` (one more server,
 * partitions moved onto it).  The sharding is PostgreSQL's own: hash
 * partitions that are postgres_fdw foreign tables (db_schema.c has the
 * layout, docs/collection.md "Sharding" the guarantees).  Every statement
 * here is built from this file's identifiers and from literals quoted by
 * libpq (backend_pg_fdw.c); the URIs are shown masked. */
#include "db/db.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char init_help[] =
    "usage: malgopher db init [--db URI] [--shard URI ...]\n"
    "\n"
    "Create the collection's tables.  With --shard (PostgreSQL only, up to 16):\n"
    "--db is the coordinator, an empty database; the records, the gram and the\n"
    "gimpset token rows are hash-partitioned into 16 partitions spread over the\n"
    "shards (postgres_fdw foreign tables); every other db subcommand then works\n"
    "on --db as on one server.  A shard URI may carry host, hostaddr, port,\n"
    "dbname, user and password only.  See docs/collection.md \"Sharding\".\n";

static const char add_help[] =
    "usage: malgopher db shard-add --db URI --shard URI\n"
    "\n"
    "Add a server to a sharded collection: partitions move onto it from the\n"
    "fullest shards (in one transaction; writers wait) until the partitions are\n"
    "spread evenly.  See docs/collection.md \"Sharding\".\n";

/* the statement printed by fmt, run on d; false with d->err set */
static bool run(db *d, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof sql) {
        snprintf(d->err, sizeof d->err, "statement too long");
        return false;
    }
    return d->be->query(d, sql, NULL, 0, NULL, NULL);
}

/* the text of the first column of the first row */
static bool text_row(const char *const *cols, int ncols, void *ctx)
{
    if (ncols && cols[0])
        snprintf(ctx, 128, "%s", cols[0]);
    return false;
}

/* on the shard: the tables of parts (the n partitions it is to hold),
 * empty, in one transaction; into schema the literal of the schema they
 * are in (quoted for coord) */
static bool prepare_shard(db *coord, db *shard, const int *parts, int n, char *schema, size_t schemasz)
{
    char name[128] = "";
    bool ok = shard->be->begin(shard);
    for (int k = 0; ok && k < n; k++) {
        ok = db_schema_shard_part(shard, parts[k]);
        for (int t = 0; ok && t < DB_SHARD_TABLES; t++) {
            int64_t rows = 0;
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM %s_p%02d LIMIT 1) s", db_shard_tables[t].name,
                     parts[k]);
            ok = shard->be->query(shard, sql, NULL, 0, db_int_row, &rows);
            if (ok && rows) {
                snprintf(shard->err, sizeof shard->err,
                         "%s_p%02d already holds rows (a shard of another collection, or left by a failed shard-add: "
                         "empty or drop it)",
                         db_shard_tables[t].name, parts[k]);
                ok = false;
            }
        }
    }
    ok = ok && shard->be->query(shard, "SELECT current_schema()", NULL, 0, text_row, name) &&
         shard->be->commit(shard);
    if (!ok) {
        shard->be->rollback(shard);
        return false;
    }
    if (!db_pg_literal(coord, name, schema, schemasz)) {
        snprintf(shard->err, sizeof shard->err, "%s", coord->err);
        return false;
    }
    return true;
}

/* what the coordinator is told about a shard: the OPTIONS of its server
 * and of its user mapping (checked before anything is created) */
typedef struct fdw_opts {
    char srv[2048], um[1024];
} fdw_opts;

static bool shard_options(db *coord, db *shard, const char *uri, fdw_opts *f)
{
    f->srv[0] = f->um[0] = 0;
    return db_pg_fdw_options(coord, shard, uri, f->srv, sizeof f->srv, f->um, sizeof f->um);
}

/* the foreign server mg_shard_K for shard (its user mapping, its row in
 * malgopher_shards), inside the coordinator's transaction */
static bool make_server(db *coord, const db *shard, const fdw_opts *f, int k)
{
    char name[32];
    snprintf(name, sizeof name, "mg_shard_%d", k);
    db_param p[] = {PT(name), PT(shard->where)};
    return run(coord, "CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (%s)", name, f->srv) &&
           run(coord, "CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (%s)", name, f->um) &&
           coord->be->query(coord, "INSERT INTO malgopher_shards (server, shown) VALUES ($1, $2)", p, 2, NULL, NULL);
}

/* partition part of table t on server mg_shard_K, in its schema */
static bool attach(db *coord, int t, int part, int k, const char *schema)
{
    const char *name = db_shard_tables[t].name;
    return run(coord,
               "CREATE FOREIGN TABLE %s_p%02d PARTITION OF %s FOR VALUES WITH (MODULUS %d, REMAINDER %d)"
               " SERVER mg_shard_%d OPTIONS (schema_name %s, table_name '%s_p%02d')",
               name, part, name, DB_SHARD_PARTS, part, k, schema, name, part);
}

static void close_all(db *v, int n)
{
    for (int k = 0; k < n; k++)
        db_close(&v[k]);
}

/* open the shards of o (reported when one fails); how many are open */
static int open_shards(const cli_opts *o, db *v)
{
    int n = 0;
    for (; n < o->shards.n; n++) {
        memset(&v[n], 0, sizeof v[n]);
        if (!db_pg_open(&v[n], o->shards.v[n])) {
            db_report(&v[n]);
            db_close(&v[n]);
            break;
        }
    }
    return n;
}

static bool is_pg(const char *uri)
{
    return uri && (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11));
}

/* the coordinator's DDL: servers, tables, partitions, version; one
 * transaction under the writers' lock */
static bool init_coordinator(db *c, const db *s, int n, const fdw_opts *f, char (*schema)[256])
{
    if (!c->be->lock(c))
        return false;
    bool ok = db_begin(c) && run(c, "CREATE EXTENSION IF NOT EXISTS postgres_fdw") && db_schema_coordinator(c);
    for (int k = 0; ok && k < n; k++)
        ok = make_server(c, &s[k], &f[k], k + 1);
    for (int p = 0; ok && p < DB_SHARD_PARTS; p++)
        for (int t = 0; ok && t < DB_SHARD_TABLES; t++)
            ok = attach(c, t, p, p % n + 1, schema[p % n]); /* a new collection: every table of the layout */
    ok = ok && c->be->set_version(c, DB_SCHEMA_VERSION) && db_commit(c);
    if (!ok)
        db_rollback(c);
    char keep[sizeof c->err];
    memcpy(keep, c->err, sizeof keep);
    c->be->unlock(c);
    memcpy(c->err, keep, sizeof keep);
    return ok;
}

static int init(const cli_opts *o)
{
    const char *uri = o->db && *o->db ? o->db : getenv("MALGOPHER_DB");
    db c, s[CLI_LIST_MAX];
    if (!o->shards.n) {
        if (!db_open(&c, uri))
            return EXIT_SOME_FAILED;
        printf("collection ready: %s, schema %d\n", c.be->name, DB_SCHEMA_VERSION);
        db_close(&c);
        return EXIT_ALL_OK;
    }
    if (!is_pg(uri))
        return usage_error("db init", "--shard needs a PostgreSQL coordinator (--db postgresql://...)");
    memset(&c, 0, sizeof c);
    if (!db_pg_open(&c, uri)) {
        db_report(&c);
        db_close(&c);
        return EXIT_SOME_FAILED;
    }
    int v = c.be->get_version(&c);
    if (v != 0) {
        if (v != -1)
            snprintf(c.err, sizeof c.err, "db init --shard wants an empty database (this one holds tables)");
        db_report(&c);
        db_close(&c);
        return EXIT_SOME_FAILED;
    }
    int n = open_shards(o, s);
    bool ok = n == o->shards.n;
    static fdw_opts f[CLI_LIST_MAX];
    for (int k = 0; ok && k < n; k++)
        if (!(ok = shard_options(&c, &s[k], o->shards.v[k], &f[k])))
            db_report(&c);
    char schema[CLI_LIST_MAX][256];
    for (int k = 0; ok && k < n; k++) {
        int parts[DB_SHARD_PARTS], np = 0;
        for (int p = k; p < DB_SHARD_PARTS; p += n)
            parts[np++] = p;
        if (!(ok = prepare_shard(&c, &s[k], parts, np, schema[k], sizeof schema[k])))
            db_report(&s[k]);
    }
    if (ok && !(ok = init_coordinator(&c, s, n, f, schema)))
        db_report(&c);
    if (ok)
        printf("sharded collection ready: %d partitions over %d shards, schema %d\n", DB_SHARD_PARTS, n,
               DB_SCHEMA_VERSION);
    close_all(s, n);
    db_close(&c);
    return ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_init(int argc, char **argv)
{
    return cli_run("db init", CMD_DB_INIT, init_help, argc, argv, init);
}

/* ---- shard-add ---- */

/* which server (K of mg_shard_K) holds each partition, and how many
 * servers there are */
typedef struct layout {
    int server[DB_SHARD_PARTS];
    int nservers, top; /* top: the highest K */
} layout;

static bool layout_row(const char *const *cols, int ncols, void *ctx)
{
    layout *l = ctx;
    int part, k;
    if (ncols == 2 && cols[0] && cols[1] && sscanf(cols[0], "samples_p%d", &part) == 1 &&
        sscanf(cols[1], "mg_shard_%d", &k) == 1 && part >= 0 && part < DB_SHARD_PARTS && k > 0)
        l->server[part] = k;
    return true;
}

static bool read_layout(db *c, layout *l)
{
    int64_t has = 0, n = 0, top = 0;
    memset(l, 0, sizeof *l);
    if (!db_int(c, "SELECT CASE WHEN to_regclass('malgopher_shards') IS NULL THEN 0 ELSE 1 END", NULL, 0, &has))
        return false;
    if (has != 1) {
        snprintf(c->err, sizeof c->err, "not a sharded collection (one made by db init --shard)");
        return false;
    }
    if (!db_int(c, "SELECT count(*) FROM malgopher_shards", NULL, 0, &n) ||
        !db_int(c, "SELECT coalesce(max(substr(server, 10)::int), 0) FROM malgopher_shards", NULL, 0, &top) ||
        !db_rows(c,
                 "SELECT c.relname, s.srvname FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid"
                 " JOIN pg_foreign_server s ON s.oid = f.ftserver"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND c.relname ~ '^samples_p[0-9]+$'",
                 NULL, 0, layout_row, l))
        return false;
    l->nservers = (int)n;
    l->top = (int)top;
    for (int p = 0; p < DB_SHARD_PARTS; p++)
        if (!l->server[p]) {
            snprintf(c->err, sizeof c->err, "partition samples_p%02d is missing: not a collection this version made",
                     p);
            return false;
        }
    return true;
}

/* the partitions to move onto a new server: from the fullest server (the
 * lowest K among equals), its highest partition, until the new one holds
 * DB_SHARD_PARTS / (nservers + 1); their number */
static int plan(const layout *l, int *moved)
{
    int want = DB_SHARD_PARTS / (l->nservers + 1), n = 0;
    int server[DB_SHARD_PARTS];
    memcpy(server, l->server, sizeof server);
    while (n < want) {
        int count[DB_SHARD_PARTS + 64] = {0}, best = 0;
        for (int p = 0; p < DB_SHARD_PARTS; p++)
            if (server[p] > 0 && server[p] < DB_SHARD_PARTS + 64)
                count[server[p]]++;
        for (int k = 1; k < DB_SHARD_PARTS + 64; k++)
            if (count[k] > count[best])
                best = k;
        int from = -1;
        for (int p = 0; p < DB_SHARD_PARTS; p++)
            if (server[p] == best)
                from = p;
        if (from < 0 || count[best] <= 1)
            break;
        server[from] = -1;
        moved[n++] = from;
    }
    return n;
}

/* table t is one of the collection's (a layout-2 collection has no
 * set_token_lists) */
static bool in_layout(const db *c, int t) { return db_shard_tables[t].since <= c->shard_layout; }

/* partition part of table t onto mg_shard_K: a new foreign partition
 * filled from the old one (detached, renamed _old), the counts checked */
static bool move_part(db *c, int t, int part, int k, const char *schema)
{
    const char *name = db_shard_tables[t].name;
    int64_t diff = -1;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM %s_p%02d) - (SELECT count(*) FROM %s_p%02d_old)", name,
             part, name, part);
    if (!run(c, "ALTER TABLE %s DETACH PARTITION %s_p%02d", name, name, part) ||
        !run(c, "ALTER FOREIGN TABLE %s_p%02d RENAME TO %s_p%02d_old", name, part, name, part) ||
        !attach(c, t, part, k, schema) ||
        !run(c, "INSERT INTO %s_p%02d SELECT * FROM %s_p%02d_old", name, part, name, part) ||
        !db_int(c, sql, NULL, 0, &diff))
        return false;
    if (diff != 0) {
        snprintf(c->err, sizeof c->err, "%s_p%02d: the copy does not hold the rows of the original", name, part);
        return false;
    }
    return true;
}

/* step 1, one transaction: the new server, the copies attached in place
 * of the originals (which stay, detached, until step 2) */
static bool move_parts(db *c, const db *s, const fdw_opts *f, const layout *l, const int *moved, int n,
                       const char *schema)
{
    int k = l->top + 1;
    bool ok = db_begin(c);
    for (int t = 0; ok && t < DB_SHARD_TABLES; t++)
        ok = !in_layout(c, t) || run(c, "LOCK TABLE %s IN EXCLUSIVE MODE", db_shard_tables[t].name);
    ok = ok && make_server(c, s, f, k);
    for (int m = 0; ok && m < n; m++)
        for (int t = 0; ok && t < DB_SHARD_TABLES; t++)
            ok = !in_layout(c, t) || move_part(c, t, moved[m], k, schema);
    ok = ok && db_commit(c);
    if (!ok)
        db_rollback(c);
    return ok;
}

/* step 2, one transaction: the originals emptied on their shards and
 * forgotten by the coordinator */
static bool drop_originals(db *c, const int *moved, int n)
{
    bool ok = db_begin(c);
    for (int m = 0; ok && m < n; m++)
        for (int t = 0; ok && t < DB_SHARD_TABLES; t++)
            ok = !in_layout(c, t) || (run(c, "TRUNCATE %s_p%02d_old", db_shard_tables[t].name, moved[m]) &&
                                      run(c, "DROP FOREIGN TABLE %s_p%02d_old", db_shard_tables[t].name, moved[m]));
    ok = ok && db_commit(c);
    if (!ok) {
        db_rollback(c);
        char why[sizeof c->err];
        snprintf(why, sizeof why, "%.300s (the partitions moved; their old copies are detached: TRUNCATE and DROP "
                                  "the foreign tables *_old)", c->err);
        snprintf(c->err, sizeof c->err, "%s", why);
    }
    return ok;
}

static int shard_add(const cli_opts *o)
{
    if (o->shards.n != 1)
        return usage_error("db shard-add", "one --shard URI, the server to add");
    db c, s;
    layout l;
    if (!db_open(&c, o->db))
        return EXIT_SOME_FAILED;
    if (strcmp(c.be->name, "postgresql") || !read_layout(&c, &l)) {
        if (strcmp(c.be->name, "postgresql"))
            snprintf(c.err, sizeof c.err, "not a sharded collection (one made by db init --shard)");
        db_report(&c);
        db_close(&c);
        return EXIT_SOME_FAILED;
    }
    int moved[DB_SHARD_PARTS], n = plan(&l, moved);
    char schema[256];
    static fdw_opts f;
    bool opened = open_shards(o, &s) == 1, ok = opened && shard_options(&c, &s, o->shards.v[0], &f);
    if (opened && !ok)
        db_report(&c);
    bool shard_ok = ok && prepare_shard(&c, &s, moved, n, schema, sizeof schema);
    if (ok && !shard_ok)
        db_report(&s);
    ok = shard_ok && c.be->lock(&c);
    if (ok) {
        ok = move_parts(&c, &s, &f, &l, moved, n, schema) && drop_originals(&c, moved, n);
        char keep[sizeof c.err];
        memcpy(keep, c.err, sizeof keep);
        c.be->unlock(&c);
        memcpy(c.err, keep, sizeof keep);
    }
    if (shard_ok && !ok)
        db_report(&c);
    if (ok)
        printf("shard added: %d of %d partitions moved onto it\n", n, DB_SHARD_PARTS);
    if (opened)
        db_close(&s);
    db_close(&c);
    return ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_shard_add(int argc, char **argv)
{
    return cli_run("db shard-add", CMD_DB_SHARD_ADD, add_help, argc, argv, shard_add);
}
