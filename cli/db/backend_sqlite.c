/* backend_sqlite.c - the embedded backend: a SQLite file in WAL mode with a
 * busy timeout, statements prepared once with bound parameters ($N becomes
 * ?N), the version in PRAGMA user_version.  A collection may come from
 * someone else: it is opened with SQLite's defensive settings (no
 * triggers, no views, untrusted schema, values capped in length, a heap
 * limit), every statement is bounded in time by a progress handler, and
 * its schema must be the one our DDL makes (lite_schema_check). */
#include "db/db.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the longest text or blob a value (and a row) may be: far above any path,
 * build line or digest; a longer one is "string or blob too big" */
#define LITE_MAX_LENGTH (16 << 20)
/* all of SQLite's memory (its 64 MB page cache included) */
#define LITE_HEAP_LIMIT (512ll << 20)

/* the running statement's deadline (monotonic seconds); one connection a
 * process */
static double deadline;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void arm(void) { deadline = now_s() + DB_STATEMENT_SECONDS; }

/* called every few thousand virtual machine steps: non-zero interrupts */
static int over_time(void *ctx)
{
    (void)ctx;
    return now_s() > deadline;
}

static void set_err(db *d, sqlite3 *c)
{
    int code = c ? sqlite3_errcode(c) : 0;
    d->retry = code == SQLITE_BUSY || code == SQLITE_LOCKED;
    if (code == SQLITE_INTERRUPT)
        snprintf(d->err, sizeof d->err, "statement ran over %d s: interrupted (a crafted collection?)",
                 DB_STATEMENT_SECONDS);
    else
        snprintf(d->err, sizeof d->err, "%s", c ? sqlite3_errmsg(c) : "out of memory");
}

/* $N -> ?N (SQLite's numbered parameter); string literals left alone */
static char *translate(const char *sql)
{
    char *out = strdup(sql);
    bool quoted = false;
    for (char *p = out; p && *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        else if (!quoted && *p == '$' && p[1] >= '0' && p[1] <= '9')
            *p = '?';
    }
    return out;
}

/* prepared statements kept by their SQL text (the add path runs the same
 * few statements per record) */
enum { CACHE = 256 };
typedef struct stmt_cache {
    char *sql[CACHE];
    sqlite3_stmt *st[CACHE];
    size_t n;
} stmt_cache;
static stmt_cache cache;

static void lite_close(db *d)
{
    for (size_t k = 0; k < cache.n; k++) {
        sqlite3_finalize(cache.st[k]);
        free(cache.sql[k]);
    }
    cache.n = 0;
    sqlite3_close_v2(d->conn);
    d->conn = NULL;
}

/* the statement of sql, prepared once; NULL with d->err set */
static sqlite3_stmt *prepare(db *d, const char *sql)
{
    for (size_t k = 0; k < cache.n; k++)
        if (!strcmp(cache.sql[k], sql))
            return cache.st[k];
    char *q = translate(sql);
    sqlite3_stmt *st = NULL;
    if (!q || sqlite3_prepare_v2(d->conn, q, -1, &st, NULL) != SQLITE_OK) {
        set_err(d, q ? d->conn : NULL);
        free(q);
        return NULL;
    }
    free(q);
    if (cache.n == CACHE) { /* full: drop the oldest */
        sqlite3_finalize(cache.st[0]);
        free(cache.sql[0]);
        memmove(cache.sql, cache.sql + 1, (CACHE - 1) * sizeof *cache.sql);
        memmove(cache.st, cache.st + 1, (CACHE - 1) * sizeof *cache.st);
        cache.n--;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        set_err(d, NULL);
        return NULL;
    }
    cache.sql[cache.n] = copy;
    cache.st[cache.n++] = st;
    return st;
}

static bool bind_ints(db *d, sqlite3_stmt *st, const int64_t *v, int n)
{
    for (int k = 0; k < n; k++)
        if (sqlite3_bind_int64(st, k + 1, v[k]) != SQLITE_OK) {
            set_err(d, d->conn);
            return false;
        }
    return true;
}

/* a bound row statement run once under the statement deadline and reset
 * for the next row; false (the error kept) unless it completed */
static bool step_row(db *d, sqlite3_stmt *st)
{
    arm();
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        set_err(d, d->conn);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

/* one prepared row statement stepped per row (SQLite has no round trips
 * to save): the three integers of each of n rows, row k's from get */
static bool lite_put_rows(db *d, const char *sql, size_t n, void (*get)(const void *v, size_t k, int64_t out[3]),
                          const void *v)
{
    sqlite3_stmt *st = prepare(d, sql);
    if (!st)
        return false;
    for (size_t k = 0; k < n; k++) {
        int64_t row[3];
        get(v, k, row);
        if (!bind_ints(d, st, row, 3)) {
            sqlite3_reset(st);
            return false;
        }
        if (!step_row(d, st))
            return false;
    }
    return true;
}

static bool lite_put_grams(db *d, const gram_row *v, size_t n)
{
    return lite_put_rows(d, "INSERT INTO grams (gen, gram, sample_id) VALUES ($1, $2, $3)", n, db_gram_fields, v);
}

static bool lite_put_set_tokens(db *d, const set_row *v, size_t n)
{
    return lite_put_rows(d, "INSERT INTO set_tokens (sample_id, slot, value) VALUES ($1, $2, $3)", n, db_set_fields, v);
}

/* pages (set_pages, gram_pages): one prepared statement stepped per
 * page, the integers then the data bound as a blob without a copy */
static bool lite_put_pages(db *d, const char *sql, size_t n, db_page_fields_fn get, const void *v)
{
    sqlite3_stmt *st = prepare(d, sql);
    if (!st)
        return false;
    for (size_t k = 0; k < n; k++) {
        int64_t row[DB_PAGE_INTS];
        const uint8_t *data;
        size_t len;
        int m = get(v, k, row, &data, &len);
        if (!bind_ints(d, st, row, m) || len > INT_MAX ||
            sqlite3_bind_blob(st, m + 1, data, (int)len, SQLITE_STATIC) != SQLITE_OK) {
            set_err(d, d->conn);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return false;
        }
        if (!step_row(d, st)) {
            sqlite3_clear_bindings(st);
            return false;
        }
    }
    sqlite3_clear_bindings(st); /* the data is the caller's */
    return true;
}

static bool lite_put_gram_pages(db *d, const gram_page *v, size_t n)
{
    return lite_put_pages(d, "INSERT INTO gram_pages (gen, bucket, first_id, n, data) VALUES ($1, $2, $3, $4, $5)", n,
                          db_gram_page_fields, v);
}

static bool lite_put_set_pages(db *d, const set_page *v, size_t n)
{
    return lite_put_pages(d, "INSERT INTO set_pages (gen, slot, bucket, first_id, n, data) VALUES ($1, $2, $3, $4, $5, $6)",
                          n, db_set_page_fields, v);
}

/* the statement of sql, prepared once, its np parameters p bound; NULL
 * with d->err set */
static sqlite3_stmt *lite_bind(db *d, const char *sql, const db_param *p, int np)
{
    sqlite3_stmt *st = prepare(d, sql);
    for (int k = 0; st && k < np; k++) {
        int rc = p[k].kind == P_INT ? sqlite3_bind_int64(st, k + 1, p[k].i)
                 : p[k].s          ? sqlite3_bind_text(st, k + 1, p[k].s, -1, SQLITE_TRANSIENT)
                                   : sqlite3_bind_null(st, k + 1);
        if (rc != SQLITE_OK) {
            set_err(d, d->conn);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return NULL;
        }
    }
    return st;
}

/* the end of a statement stepped to rc: reset; false with d->err set
 * unless it ran to its end */
static bool lite_done(db *d, sqlite3_stmt *st, int rc)
{
    if (rc != SQLITE_DONE)
        set_err(d, d->conn);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE;
}

static bool lite_query(db *d, const char *sql, const db_param *p, int np, db_row_fn fn, void *ctx)
{
    sqlite3_stmt *st = lite_bind(d, sql, p, np);
    if (!st)
        return false;
    int ncols = sqlite3_column_count(st), rc;
    const char *cols[32];
    arm();
    if (ncols > 32)
        ncols = 32;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int k = 0; k < ncols; k++)
            cols[k] = (const char *)sqlite3_column_text(st, k);
        if (fn && !fn(cols, ncols, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    return lite_done(d, st, rc);
}

static bool lite_query_pages(db *d, const char *sql, const db_param *p, int np, db_page_row_fn fn, void *ctx)
{
    sqlite3_stmt *st = lite_bind(d, sql, p, np);
    if (!st)
        return false;
    int nints = sqlite3_column_count(st) - 1, rc;
    int64_t ints[DB_PAGE_ROW_INTS];
    arm();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = nints >= 0 && nints <= DB_PAGE_ROW_INTS ? nints : -1;
        for (int k = 0; k < n; k++)
            if (sqlite3_column_type(st, k) == SQLITE_INTEGER)
                ints[k] = sqlite3_column_int64(st, k);
            else
                n = -1;
        int type = nints >= 0 ? sqlite3_column_type(st, nints) : SQLITE_NULL;
        const unsigned char *data = type == SQLITE_NULL ? NULL : sqlite3_column_blob(st, nints);
        size_t len = data ? (size_t)sqlite3_column_bytes(st, nints) : 0;
        if (type != SQLITE_NULL && !data && !len) /* an empty blob */
            data = (const unsigned char *)"";
        if (!fn(ints, n, data, len, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    return lite_done(d, st, rc);
}

static bool lite_query_many(db *d, const char *sql, const db_param *p, int np, size_t n, int64_t *first)
{
    for (size_t k = 0; k < n; k++) {
        first[k] = 0;
        if (!lite_query(d, sql, p + k * (size_t)np, np, db_int_row, &first[k]))
            return false;
    }
    return true;
}

static bool lite_exec(db *d, const char *sql)
{
    char *msg = NULL;
    arm();
    if (sqlite3_exec(d->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(d->err, sizeof d->err, "%s", msg ? msg : sqlite3_errmsg(d->conn));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static bool lite_begin(db *d) { return lite_exec(d, "BEGIN IMMEDIATE"); }
static bool lite_commit(db *d) { return lite_exec(d, "COMMIT"); }
static void lite_rollback(db *d)
{
    if (!sqlite3_get_autocommit(d->conn))
        lite_exec(d, "ROLLBACK");
}

static int lite_get_version(db *d)
{
    int64_t v = 0, tables = 0;
    if (!lite_query(d, "PRAGMA user_version", NULL, 0, db_int_row, &v) ||
        !lite_query(d, "SELECT count(*) FROM sqlite_schema", NULL, 0, db_int_row, &tables))
        return -1;
    if (v == 0 && tables > 0)
        return -2;
    return v > 1000000 ? 1000000 : (int)v;
}

static bool lite_set_version(db *d, int v)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
    return lite_exec(d, sql);
}

static bool lite_lock(db *d)
{
    (void)d;
    return true;
}

static void lite_unlock(db *d) { (void)d; }

#define lite_query_set NULL /* a statement a row costs SQLite no round trip */
static const db_backend sqlite_backend = DB_BACKEND("sqlite", lite, "INTEGER PRIMARY KEY", " WITHOUT ROWID", "PRAGMA optimize", NULL, false, false,
                                                      "group_concat(sample_id, ',')", "BLOB");

/* Switching a new file to WAL takes the database's exclusive lock, and
 * SQLite answers "database is locked" at once, without the busy handler,
 * when another process holds it (two `db add` creating one collection):
 * try again for as long as the busy timeout would wait. */
static bool lite_set_wal(db *d)
{
    for (int k = 0; k < 600; k++) {
        int rc = sqlite3_exec(d->conn, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (rc != SQLITE_BUSY)
            return rc == SQLITE_OK || lite_exec(d, "PRAGMA journal_mode=WAL");
        sqlite3_sleep(100);
    }
    return lite_exec(d, "PRAGMA journal_mode=WAL");
}

/* SQLite's defensive settings: no trigger fires, no view runs, functions
 * with side effects are refused in the schema, the schema cannot be
 * written as data, values and memory are capped, statements bounded */
static bool lite_harden(sqlite3 *c)
{
    static const int off[] = {SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_DBCONFIG_ENABLE_VIEW,
                              SQLITE_DBCONFIG_TRUSTED_SCHEMA, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION};
    for (size_t k = 0; k < sizeof off / sizeof *off; k++)
        if (sqlite3_db_config(c, off[k], 0, (int *)NULL) != SQLITE_OK)
            return false;
    if (sqlite3_db_config(c, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK)
        return false;
    sqlite3_limit(c, SQLITE_LIMIT_LENGTH, LITE_MAX_LENGTH);
    sqlite3_hard_heap_limit64(LITE_HEAP_LIMIT);
    sqlite3_progress_handler(c, 10000, over_time, NULL);
    return true;
}

#define FLAT(x) "replace(replace(" x ", char(9), '\\t'), char(10), '\\n')"

/* the rows of the schema table, one line each (type, name, table, sql),
 * sorted; NULL with d->err set */
static char *schema_text(db *d, sqlite3 *c)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    arm();
    if (!m || sqlite3_prepare_v2(c,
                                 /* one line a row: no tab or newline inside a field */
                                 "SELECT type, " FLAT("name") ", " FLAT("tbl_name") ", " FLAT("quote(sql)")
                                 " FROM sqlite_schema WHERE NOT"
                                 " (type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4'))"
                                 " ORDER BY type NOT IN ('trigger', 'view'), type, name",
                                 -1, &st, NULL) != SQLITE_OK) {
        set_err(d, m ? c : NULL);
        if (m)
            fclose(m);
        free(out);
        return NULL;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int k = 0; k < 4; k++) {
            const char *v = (const char *)sqlite3_column_text(st, k), *name = (const char *)sqlite3_column_text(st, 1);
            v = v ? v : "";
            size_t nl = name ? strlen(name) : 0;
            /* ALTER TABLE x RENAME TO name writes CREATE TABLE "name" (:
             * read as our spelling */
            if (k == 3 && strlen(v) > 16 + nl && !strncmp(v, "'CREATE TABLE \"", 15) &&
                !strncmp(v + 15, name, nl) && v[15 + nl] == '"')
                fprintf(m, "'CREATE TABLE %s%s\n", name, v + 16 + nl);
            else
                fprintf(m, "%s%c", v, k == 3 ? '\n' : '\t');
        }
    if (rc != SQLITE_DONE)
        set_err(d, c);
    sqlite3_finalize(st);
    if (fclose(m) != 0 || rc != SQLITE_DONE) {
        if (rc == SQLITE_DONE)
            set_err(d, NULL);
        free(out);
        return NULL;
    }
    return out;
}

static bool mem_exec(void *ctx, const char *sql)
{
    return sqlite3_exec(ctx, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* the first line of a that b lacks, named for the message ("trigger t");
 * false when there is none */
static bool first_extra(const char *a, const char *b, char *out, size_t outsz)
{
    for (const char *l = a; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l + 1) : strlen(l);
        bool found = false;
        for (const char *m = b; *m && !found;) {
            const char *f = strchr(m, '\n');
            size_t k = f ? (size_t)(f - m + 1) : strlen(m);
            found = k == n && !memcmp(l, m, n);
            m += k;
        }
        if (!found) {
            const char *tab = memchr(l, '\t', n), *tab2 = tab ? memchr(tab + 1, '\t', n - (size_t)(tab + 1 - l)) : NULL;
            snprintf(out, outsz, "%.*s %.*s", (int)(tab ? tab - l : 0), l,
                     (int)(tab && tab2 ? tab2 - tab - 1 : 0), tab ? tab + 1 : "");
            return true;
        }
        l += n;
    }
    snprintf(out, outsz, "a changed definition");
    return false;
}

/* A collection of version v must hold exactly what our DDL of versions
 * 1..v makes (a trigger, a view, a column default or a changed table is
 * what a crafted file would use to lie, hang or forge): compared with the
 * same DDL run in memory.  Versions we do not know are judged by
 * version_ok (db_open.c). */
static bool lite_schema_check(db *d)
{
    int64_t v = 0;
    if (!lite_query(d, "PRAGMA user_version", NULL, 0, db_int_row, &v))
        return false;
    if (v < 1 || v > DB_SCHEMA_VERSION)
        return true;
    sqlite3 *mem = NULL;
    char *want = NULL, *have = NULL;
    bool ok = false;
    if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        set_err(d, NULL);
    else if (!db_schema_each(d->be, 0, (int)v, mem_exec, mem, d->err, sizeof d->err))
        snprintf(d->err, sizeof d->err, "cannot build the expected schema: %s", sqlite3_errmsg(mem));
    else if ((want = schema_text(d, mem)) && (have = schema_text(d, d->conn))) {
        ok = !strcmp(want, have);
        if (!ok) {
            char what[160];
            bool extra = first_extra(have, want, what, sizeof what);
            if (!extra)
                first_extra(want, have, what, sizeof what);
            snprintf(d->err, sizeof d->err,
                     "refused: not the schema malgopher makes (it %s %s): a crafted or altered collection",
                     extra ? "has" : "lacks", what);
        }
    }
    free(want);
    free(have);
    sqlite3_close_v2(mem);
    return ok;
}

bool db_sqlite_open(db *d, const char *file)
{
    sqlite3 *c = NULL;
    snprintf(d->where, sizeof d->where, "%.500s", file);
    if (sqlite3_open_v2(file, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        !lite_harden(c)) {
        set_err(d, c);
        sqlite3_close_v2(c);
        return false;
    }
    d->be = &sqlite_backend;
    d->conn = c;
    sqlite3_busy_timeout(c, 60000);
    /* WAL: readers do not block the writer; NORMAL sync is durable at
     * every checkpoint and never corrupts on a crash */
    if (!lite_set_wal(d) || !lite_exec(d, "PRAGMA synchronous=NORMAL") ||
        !lite_exec(d, "PRAGMA foreign_keys=ON") || !lite_exec(d, "PRAGMA cache_size=-65536") ||
        !lite_exec(d, "PRAGMA wal_autocheckpoint=16384") || !lite_exec(d, "PRAGMA trusted_schema=OFF") ||
        !lite_schema_check(d)) {
        lite_close(d);
        return false;
    }
    return true;
}
