/* db.h - what the `malgopher db` subcommands share: the backend interface
 * (SQLite and PostgreSQL implement it), opening a collection with its
 * versioned schema, the sample records, the 7-gram keys and the search.
 *
 * Why the collection lives in cli/ and not in the library: libmalgopher
 * depends on libfuzzy, libcrypto and pthreads only, and a program that
 * links it (a YARA host, a sandbox) gets no SQLite or libpq with it; the
 * collection is a CLI feature built from the library's public results (the
 * mg_image digests, mg_simindex for the search) plus two internal headers
 * the CLI may use because it links the static library (fp/ssdeep_parse.h
 * for the gram keys, as the index reads digests).  Its stable interface is
 * the database schema (db_schema.c, versioned) and `db export`/`db import`
 * JSON Lines, not a C API; moving it to src/collection/ would need a public
 * record type and an ABI promise nobody has asked for yet. */
#ifndef MG_CLI_DB_H
#define MG_CLI_DB_H

#include "common/cli.h"
#include "families/families.h"
#include "common/options.h"

#include <stdint.h>

/* ---- the backend interface: one open connection ---- */

/* a bound parameter: text (NULL = SQL NULL) or a 64-bit integer */
typedef struct db_param {
    enum { P_TEXT, P_INT } kind;
    const char *s;
    int64_t i;
} db_param;
#define PT(x) ((db_param){.kind = P_TEXT, .s = (x)})
#define PI(x) ((db_param){.kind = P_INT, .i = (int64_t)(x)})

/* one result row: ncols values as text, NULL for SQL NULL; return false to
 * stop (the query then reports success) */
typedef bool (*db_row_fn)(const char *const *cols, int ncols, void *ctx);
/* one row of a statement reading pages, as the values are stored, not as
 * text: its integer columns (all but the last, at most DB_PAGE_ROW_INTS;
 * nints -1 when one is NULL or no integer, or there are more) and the
 * bytes of its last column (data NULL for SQL NULL); return false to stop */
#define DB_PAGE_ROW_INTS (DB_PAGE_INTS + 1)
typedef bool (*db_page_row_fn)(const int64_t *ints, int nints, const unsigned char *data, size_t len, void *ctx);

typedef struct db db;
/* one row of the gram index: the generation of the sample (its id /
 * DB_GRAM_GEN), the key, the sample */
typedef struct gram_row {
    int64_t gen, gram, sample_id;
} gram_row;
#define DB_GRAM_GEN 16384
/* one page of the gram index of a one-server collection (schema 7,
 * db_grams.c, docs/collection.md "Gram pages"): the n entries of one
 * generation whose gram's top DB_GRAM_BUCKET_BITS bits are bucket, written
 * by one transaction, sorted by (gram, id), each 8 bytes of the gram then
 * 2 bytes of id - gen * DB_GRAM_GEN, little-endian; first_id the smallest
 * id */
#define DB_GRAM_BUCKET_BITS 14
#define DB_GRAM_ENTRY 10
typedef struct gram_page {
    int64_t gen, bucket, first_id, n;
    const unsigned char *data; /* n * DB_GRAM_ENTRY bytes */
} gram_page;
/* one row of the gimpset token index (db_set.c) */
typedef struct set_row {
    int64_t sample_id, slot, value;
} set_row;
/* row k of an array of gram_row / set_row as its three columns, in the
 * order the backends write them (db_grams.c, db_set.c) */
void db_gram_fields(const void *rows, size_t k, int64_t out[3]);
/* page k of an array of set_page / gram_page: its integer columns before
 * data, in the order the backends write them (their number returned, at
 * most DB_PAGE_INTS), and its data (len bytes) */
#define DB_PAGE_INTS 5
typedef int (*db_page_fields_fn)(const void *pages, size_t k, int64_t ints[DB_PAGE_INTS], const uint8_t **data,
                                 size_t *len);
int db_set_page_fields(const void *pages, size_t k, int64_t ints[DB_PAGE_INTS], const uint8_t **data, size_t *len);
int db_gram_page_fields(const void *pages, size_t k, int64_t ints[DB_PAGE_INTS], const uint8_t **data, size_t *len);
void db_set_fields(const void *rows, size_t k, int64_t out[3]);
/* a record's gimpset as staged for the open transaction (db_set_write.c) */
typedef struct set_staged {
    int64_t id;
    uint32_t v[MG_GIMPSET_K];
} set_staged;
/* one bucket page of the gimpset postings of a one-server collection
 * (schema 6, docs/collection.md "Gimpset pages"): the entries of the
 * tokens (slot, value) with set_bucket(value) == bucket that one
 * transaction wrote within one generation (id / DB_GRAM_GEN), n entries
 * of DB_SET_ENTRY bytes (data, len = n * DB_SET_ENTRY), sorted by (value,
 * id): the value as 4 bytes little-endian, then id - gen * DB_GRAM_GEN as
 * 2 bytes little-endian; first_id the smallest id */
#define DB_SET_BUCKETS 128
#define DB_SET_ENTRY 6
typedef struct set_page {
    int64_t gen, slot, bucket, first_id, n;
    const uint8_t *data;
    size_t len;
} set_page;
/* the bucket of a slot value: murmur3's 32-bit finaliser (slot values are
 * minima of hashes, whose top bits are not uniform), its low 7 bits */
static inline int set_bucket(uint32_t v)
{
    v ^= v >> 16;
    v *= 0x85ebca6bu;
    v ^= v >> 13;
    v *= 0xc2b2ae35u;
    v ^= v >> 16;
    return (int)(v & (DB_SET_BUCKETS - 1));
}
typedef struct db_backend {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(db *d);
    /* SQL uses $1..$N for the parameters on both backends */
    bool (*query)(db *d, const char *sql, const db_param *p, int np, db_row_fn fn, void *ctx);
    /* as query, for a statement whose columns are integers then one byte
     * string: the rows as stored (PostgreSQL: the binary result format;
     * SQLite: the column's integer and blob), where text would cost a
     * conversion on the server and a decoding of every entry here */
    bool (*query_pages)(db *d, const char *sql, const db_param *p, int np, db_page_row_fn fn, void *ctx);
    /* sql run n times, run k with the np parameters p + k * np, the first
     * column of its first row into first[k] (0: no row or NULL); stops at
     * the first error (PostgreSQL: in pipeline mode, one round trip for
     * all n; SQLite: stepped one by one) */
    bool (*query_many)(db *d, const char *sql, const db_param *p, int np, size_t n, int64_t *first);
    /* sql run once over n rows of np parameters (PostgreSQL: sent by COPY
     * into the temporary table mg_put (ord, p1 .. pNP as text), ord the
     * row's place from 0); each row (ord, value) it returns sets
     * first[ord], the others stay 0.  NULL: the backend has none (SQLite,
     * whose statements cost no round trip: query_many) */
    bool (*query_set)(db *d, const char *sql, const db_param *p, int np, size_t n, int64_t *first);
    /* begin a write transaction (SQLite: BEGIN IMMEDIATE); rollback and
     * unlock may clobber d->err (db_open.c keeps it) */
    bool (*begin)(db *d);
    bool (*commit)(db *d);
    void (*rollback)(db *d);
    /* how the shared DDL (db_schema.c) spells the auto-numbered id column
     * and the clause after a table stored by its primary key */
    const char *id_column, *keyed_table;
    /* the stored schema version: 0 empty database, -2 tables but none of
     * ours (not a collection), -1 error */
    int (*get_version)(db *d);
    /* record version v (inside the migration transaction) */
    bool (*set_version)(db *d, int v);
    /* the writers' lock (schema changes, family IDs), taken before BEGIN
     * so that the transaction sees what the previous holder committed
     * (SQLite: BEGIN IMMEDIATE already is one) */
    bool (*lock)(db *d);
    void (*unlock)(db *d);
    /* insert n gram rows (sorted by key); a new record's rows, so no
     * conflict is possible (SQLite: a prepared row statement; PostgreSQL:
     * COPY FROM STDIN) */
    bool (*put_grams)(db *d, const gram_row *v, size_t n);
    /* insert n gram pages (one server, sorted by gen, bucket), as put_grams */
    bool (*put_gram_pages)(db *d, const gram_page *v, size_t n);
    /* insert n gimpset token rows (sorted by slot, value), as put_grams */
    bool (*put_set_tokens)(db *d, const set_row *v, size_t n);
    /* insert n gimpset pages (sorted by gen, slot, bucket), as put_grams */
    bool (*put_set_pages)(db *d, const set_page *v, size_t n);
    /* the gimpset tokens are one row each (set_tokens: a sharded
     * collection), not pages (set_pages: one server); likewise the
     * grams: rows (grams) there, pages (gram_pages) on one server */
    bool set_rows;
    /* how the shared DDL spells a byte string column (@BLOB) */
    const char *blob_type;
    /* how the shared DDL spells the aggregate of a group's sample_id as
     * "id,id,..." (@IDS) */
    const char *id_list;
    /* refresh the planner's statistics after a bulk load */
    const char *analyze;
    /* rewrite the gimpset pages in key order after a bulk load, before
     * analyze (NULL: not done; docs/collection.md "Upkeep") */
    const char *cluster;
    /* INSERT ... RETURNING inside WITH (PostgreSQL, not SQLite) */
    bool writable_with;
} db_backend;

/* the table of a backend whose functions are PREFIX_close ... PREFIX_put_grams */
#define DB_BACKEND(NAME, PREFIX, ID, KEYED, ANALYZE, CLUSTER, WITH, ROWS, IDS, BLOB)                     \
    {                                                                                                    \
        .name = NAME, .close = PREFIX##_close, .query = PREFIX##_query, .begin = PREFIX##_begin,         \
        .query_pages = PREFIX##_query_pages,                                                             \
        .query_many = PREFIX##_query_many, .query_set = PREFIX##_query_set,                              \
        .commit = PREFIX##_commit, .rollback = PREFIX##_rollback, .id_column = ID, .keyed_table = KEYED, \
        .get_version = PREFIX##_get_version, .set_version = PREFIX##_set_version, .lock = PREFIX##_lock, \
        .unlock = PREFIX##_unlock, .put_grams = PREFIX##_put_grams,                                     \
        .put_set_tokens = PREFIX##_put_set_tokens, .put_set_pages = PREFIX##_put_set_pages,               \
        .set_rows = ROWS, .id_list = IDS, .analyze = ANALYZE, .cluster = CLUSTER, .writable_with = WITH, \
        .put_gram_pages = PREFIX##_put_gram_pages, .blob_type = BLOB,                                      \
    }

struct db {
    const db_backend *be;
    void *conn;
    char where[512]; /* what error messages name: the file or the URI without password */
    char err[512];   /* the last error, one line */
    bool retry;      /* the last error was a deadlock / busy database: try the transaction again */
    gram_row *staged; /* the gram rows of the open transaction, written at commit (db_grams.c) */
    size_t nstaged, capstaged;
    set_staged *setstaged; /* the gimpsets of the open transaction's records, likewise (db_set_write.c) */
    size_t nsetstaged, capsetstaged;
    int shard_layout; /* a sharded collection's layout (backend_pg_fdw.c), 0: not sharded */
};

/* backend_sqlite.c / backend_pg.c: false with d->err set */
bool db_sqlite_open(db *d, const char *file);
bool db_pg_open(db *d, const char *uri);
/* uri as messages show it: every password masked */
void db_pg_redact(char *out, size_t outsz, const char *uri);
/* the OPTIONS of CREATE SERVER and CREATE USER MAPPING that reach the
 * shard open as shard: the host, port, database and user that connection
 * reached, the password of uri, each value quoted by libpq for the
 * coordinator; uri may carry no other connection option (refused: err set
 * on coord) */
bool db_pg_fdw_options(db *coord, db *shard, const char *uri, char *srv, size_t srvsz, char *um, size_t umsz);
/* value quoted as an SQL literal for d's server into out; false when it
 * does not fit (err set) */
bool db_pg_literal(db *d, const char *value, char *out, size_t outsz);
/* a sharded collection's coordinator session, just opened: its layout
 * checked (an older one refused, err set) and the planner told to push
 * aggregates down to the shards (backend_pg_fdw.c) */
bool db_pg_fdw_session(db *d);
/* d is the coordinator of a sharded collection (db init --shard) */
bool db_pg_sharded(const db *d);
/* how messages show the shard whose foreign server is server (its URI,
 * password masked; the name itself if unknown) */
const char *db_pg_shard_shown(const char *server);
/* the timeouts every connection sets unless libpq's environment does
 * (connect_timeout, statement_timeout) as keyword/value pairs at keys and
 * vals (room for 2); how many */
int db_pg_timeouts(const char **keys, const char **vals);
/* a libpq notice processor that prints nothing */
void db_pg_quiet(void *arg, const char *msg);
/* backend_pg_direct.c: the gram and gimpset token rows of a sharded
 * collection written straight to their shards (decided once a session:
 * false for one server, with MALGOPHER_SHARD_WRITES=coordinator, or when
 * pg_hash_part.c and the coordinator disagree); a put of n rows of table
 * t (0: grams, 1: set_tokens) inside the transaction, whose shards commit
 * before the coordinator (db_pg_direct_commit) or roll back with it */
bool db_pg_direct_on(db *d);
bool db_pg_direct_put(db *d, int t, size_t n, void (*get)(const void *v, size_t k, int64_t out[3]), const void *rows);
bool db_pg_direct_commit(db *d);
/* each shard's partitions analyzed (after a large import: a shard plans
 * its token lookups from its own statistics, which its autovacuum may not
 * have gathered yet); true with nothing done when writing through the
 * coordinator; false with d->err set */
bool db_pg_direct_analyze(db *d);
void db_pg_direct_rollback(void);
void db_pg_direct_close(void);
/* pg_hash_part.c: the hash partition (0 .. modulus-1) PostgreSQL routes a
 * bigint key to */
int db_pg_hash_partition(int64_t key, int modulus);

/* ---- db_schema.c ---- */
#define DB_SCHEMA_VERSION 8
/* the DDL of versions from+1 .. DB_SCHEMA_VERSION run (inside the
 * caller's transaction); false with d->err set */
bool db_schema_upgrade(db *d, int from);
/* schema 7 (one server): gram_pages rebuilt from the samples' digests, in
 * id order, a generation a flush (db_grams.c); false with d->err set */
bool gram_pages_rebuild(db *d);
/* a migration's rebuild of an index from the records: sql (its $1 and $2
 * the bounds of one generation of ids, id / DB_GRAM_GEN) run for each
 * generation that holds a record, its rows into fn(ctx) to be staged, then
 * flush (PostgreSQL reads a result row by row, and a COPY cannot run
 * meanwhile): memory that of one generation; false with d->err set, or
 * when fn set *failed */
bool db_rebuild_by_generation(db *d, const char *sql, db_row_fn fn, void *ctx, const bool *failed,
                              bool (*flush)(db *d));
/* fn(ctx, sql) for each DDL statement of versions from+1 .. to, spelled for
 * be (a backend checks a collection against it); false when fn fails or a
 * statement does not fit (err set) */
bool db_schema_each(const db_backend *be, int from, int to, bool (*fn)(void *ctx, const char *sql), void *ctx,
                    char *err, size_t errsz);
/* the sharded layout (PostgreSQL): samples, grams and set_tokens split by
 * hash of their key into DB_SHARD_PARTS partitions, each a postgres_fdw
 * foreign table whose rows live on one shard (as TABLE_pNN) */
#define DB_SHARD_PARTS 16
/* the version of the sharded layout (the shards' tables and indexes),
 * kept in the coordinator's malgopher_shard_layout; the layout of schema
 * 4 as first released has no such table and counts as 1.  Layout 3 adds
 * set_token_lists (a record's gimpset tokens as one row, turned into its
 * set_tokens rows on the shard); a layout-2 collection is still read and
 * written (its token rows sent one by one) */
#define DB_SHARD_LAYOUT 3
#define DB_SHARD_LAYOUT_OLDEST 2
#define DB_SHARD_LAYOUT_LISTS 3 /* the first with set_token_lists */
#define DB_SHARD_TABLES 4
typedef struct db_shard_table {
    const char *name, *key;
    int since; /* the first layout that has it */
} db_shard_table;
extern const db_shard_table db_shard_tables[DB_SHARD_TABLES];
/* the coordinator's tables of the current version, partitioned tables
 * without partitions (inside the caller's transaction); false with d->err */
bool db_schema_coordinator(db *d);
/* on a shard's own connection: the tables of partition part (idempotent) */
bool db_schema_shard_part(db *shard, int part);
/* the longest any one statement may run before it is interrupted (both
 * backends; a crafted collection or a server that never answers) */
#define DB_STATEMENT_SECONDS 300

/* ---- db_open.c ---- */
/* The collection of --db URI, else $MALGOPHER_DB, else the default SQLite
 * file (created with its directory).  Schema created or checked; false
 * after a `malgopher: WHERE: reason` line. */
bool db_open(db *d, const char *uri);
void db_close(db *d);
/* statements: false after printing the error */
bool db_exec(db *d, const char *sql, const db_param *p, int np);
bool db_rows(db *d, const char *sql, const db_param *p, int np, db_row_fn fn, void *ctx);
/* one integer (first column of the first row); false on error */
bool db_int(db *d, const char *sql, const db_param *p, int np, int64_t *out);
bool db_begin(db *d);
bool db_commit(db *d);
void db_rollback(db *d);
/* after adding many records: the planner's statistics refreshed (errors ignored) */
void db_analyze(db *d, size_t added);
/* the error of the last failed call, as `malgopher: WHERE: reason` */
void db_report(db *d);

/* ---- db_write.c: one write transaction ---- */
/* what one transaction writes: the caller's n items, and how many of them
 * were added and known (counted afresh by each try) */
typedef struct db_batch {
    void *v;
    size_t n;
    void *ctx;
    size_t added, known;
} db_batch;
/* write(d, b) inside a transaction, committed; when the database was busy
 * or a deadlock broke it (d->retry), rolled back and run again (up to 20
 * times, backing off).  false after the error was reported. */
bool db_write(db *d, bool (*write)(db *d, db_batch *b), db_batch *b);

/* ---- db_grams.c: the 7-gram keys of a digest ---- */
enum { DIGEST_PLAIN = 0, DIGEST_ODD = 1, DIGEST_DEAD = 2 };
#define DB_MAX_GRAMS (2 * 64)
typedef struct digest_keys {
    int kind;            /* DIGEST_* */
    char exact[160];     /* "BS:SIG1:SIG2" normalised (fuzzy_compare's 100 for equal digests) */
    int64_t gram[DB_MAX_GRAMS];
    size_t ngram;        /* sorted, distinct */
} digest_keys;
void digest_keys_of(const char *digest, digest_keys *k);
/* the gram rows of sample id, kept until the transaction commits (false
 * with d->err set when out of memory) */
bool grams_stage(db *d, int64_t id, const digest_keys *k);
/* the staged rows written sorted by key, inside the open transaction (so
 * each B-tree page is visited once per batch); false with d->err set */
bool grams_flush(db *d);
/* the staged rows forgotten (rollback, close) */
void grams_drop(db *d);
/* the n rows v, sorted by (gen, gram as unsigned, sample_id), written as
 * pages (db_gram_pages.c); false with d->err set */
bool gram_pages_write(db *d, const gram_row *v, size_t n);
/* the sample ids of a one-server collection's gram pages holding one of
 * the n sorted keys (the generations 0 .. max(id) / DB_GRAM_GEN), added to
 * *ids (n_ids, cap; unsorted, possibly repeated); false with d->err set
 * (a malformed page: refused) */
bool gram_pages_ids(db *d, const int64_t *keys, size_t n, int64_t **ids, size_t *n_ids, size_t *cap);
/* a counting sort's pass: count[b] (n buckets) replaced by where bucket
 * b starts (the sum of the counts before it); db_grams.c, db_set_write.c */
void db_counts_to_starts(size_t *count, size_t n);
/* row callback: the first column of the first row as an int64_t into ctx
 * (left as it was when NULL or absent); stops after that row */
bool db_int_row(const char *const *cols, int ncols, void *ctx);
/* "{a,b,...}" of the n values of v, an array literal to bind (out has
 * room for 21 characters a value and 3) */
void db_i64_array(char *out, const int64_t *v, size_t n);

/* ---- db_records.c: sample records ---- */
typedef struct record {
    char sha256[65];
    int64_t slice;        /* image index in the file (0 for a thin file) */
    char suffix[40];      /* "" or ":ARCH" for a slice of a fat file */
    int64_t size;
    const char *path;     /* as seen now (the file, without the suffix) */
    const char *source;   /* --source, or NULL */
    const char *container, *os, *arch, *go_version;
    const char *main_path, *main_module, *main_version;
    char *build;          /* "k=v k=v" or NULL */
    char gimphash[65];
    char gimpfuzzy[160];
    char gimpset[MG_GIMPSET_LEN]; /* "" when unknown (older hash --json lines) */
    const uint32_t *slots;        /* gimpset decoded (and so checked) by the caller, or NULL */
    int64_t functions, names;
    bool no_names, partial;
} record;
/* now as ISO 8601 UTC */
void db_now(char out[32]);
/* the id of (sha256, slice), 0 when unknown, -1 on error */
int64_t record_find(db *d, const char *sha256, int64_t slice);
/* a known sha256 (any slice): 1, unknown 0, error -1 */
int record_sha_known(db *d, const char *sha256);
/* a known sha256 with a record that has no gimpset (schema 1, an older
 * hash --json line): 1, else 0, error -1 */
int record_sha_lacks_gimpset(db *d, const char *sha256);
/* insert r (inside the caller's transaction) with its path and grams:
 * 1 added, 0 known (path and last_seen updated), -1 error */
int record_put(db *d, const record *r);
/* record_put of the n records r, their inserts sent at once (PostgreSQL:
 * one statement over all n by query_set; else DB_PUT_MANY statements a
 * round trip); rc[k] as record_put's (1 or 0); false on error */
#define DB_PUT_MANY 256
bool records_put(db *d, const record *const *r, size_t n, int *rc);
/* another path for every slice of a known sha256 */
bool record_seen(db *d, const char *sha256, const char *path);
/* who sets a label: $USER, else the user name of the uid */
const char *db_who(void);
/* set the label of sample id (label history kept: who, when) */
bool record_label(db *d, int64_t id, const char *label, const char *now);

/* ---- db_search.c: candidates from the gram index, scored exactly ---- */
typedef struct db_hit {
    int64_t id;
    int score;
    bool fallback;  /* scored by gimpfuzzy in a gimpset search: no gimpset */
    char *path;     /* display path (PATH or PATH:ARCH) */
    char gimphash[65];
    char *label;    /* current label or NULL */
} db_hit;
/* what a search keeps: labelled records only (classify); only records
 * without a gimpset (the gimpfuzzy side of a gimpset search) */
enum { DBS_LABELLED = 1, DBS_NO_SET = 2 };
/* samples scoring >= t against digest, best first (ties: oldest record
 * first), at most top (0 = all), of those flags keep.  false after a
 * message. */
bool db_search(db *d, const char *digest, int t, size_t top, unsigned flags, db_hit **hits, size_t *nhits);
void db_hits_free(db_hit *h, size_t n);
/* one more hit (id and score, no details yet); false when out of memory */
bool db_hit_push(db_hit **v, size_t *n, size_t *cap, int64_t id, int score);
/* candidates scored as their rows arrive (db_search.c): a db_rows callback
 * over (id, gimpfuzzy) rows keeps each that scores >= t against q */
typedef struct db_scored {
    const char *q; /* the query digest */
    int t;
    db_hit *v; /* id and score only, until the details are read */
    size_t n, cap;
    bool nomem;
} db_scored;
bool db_scored_row(const char *const *cols, int ncols, void *ctx);
/* the hits of a search from the scored rows (ok: the query ran; nomem: a
 * row could not be kept): best first (ties: the oldest record, the
 * in-memory index's order over the export), at most top (0 = all), their
 * display path, gimphash and label read by id; false after a message */
bool db_hits_finish(db *d, bool ok, bool nomem, db_hit *v, size_t n, size_t top, db_hit **hits, size_t *nhits);

/* ---- db_set_write.c: a transaction's gimpset tokens ---- */
/* the 256 (slot, value) tokens of sample id staged until the transaction
 * commits: decoded given (already checked), else the gimpset text decoded
 * (none for the empty-set digest, an unknown or a malformed one); false
 * with d->err set when out of memory */
bool set_tokens_put(db *d, int64_t id, const char *gimpset, const uint32_t *decoded);
/* the staged tokens written inside the open transaction, in key order:
 * postings (one server) or token rows (sharded); false with d->err set */
bool set_tokens_flush(db *d);
/* the staged tokens forgotten (rollback, close) */
void set_tokens_drop(db *d);
/* ---- db_postings.c, db_set_top.c: the search through the postings of a
 * one-server collection ---- */
/* one candidate of a gimpset search: its id and how many of the query's
 * postings not skipped name it */
typedef struct set_cand {
    int64_t id;
    int count, bound; /* bound: the score it may reach (db_set_top.c) */
} set_cand;
/* what set_reader_cands finds: skip[k] set for the j large
 * postings left out of the count (db_set.c explains why), and the n
 * records (in no order, v malloc'ed) that the other postings name at
 * least need - j times, with that count; a record sharing m of the
 * query's tokens is counted m - (the skipped ones it shares) times, so
 * count <= m <= count + j when the postings are those its gimpset wrote */
typedef struct set_cands_out {
    bool skip[MG_GIMPSET_K];
    int j;
    set_cand *v;
    size_t n;
} set_cands_out;
/* the postings of a query read token by token (db_postings.c) */
typedef struct set_reader set_reader;
/* a reader for one query (the generations read); NULL with d->err set */
set_reader *set_reader_open(db *d);
void set_reader_close(set_reader *r);
/* the query q's tokens read in slot order until target of them are (or
 * all are), each but the first need - 1 large ones (left out for good;
 * PostgreSQL: all at the first call); false with d->err set */
bool set_reader_more(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int need, int target);
/* the candidates of the tokens read so far (j = the tokens not read) for
 * need shared tokens: the records the tokens read name at least need - j
 * times (need > j); false with d->err set */
bool set_reader_cands(db *d, const set_reader *r, int need, set_cands_out *out);
/* how many candidates set_reader_cands would give; *all: no token is left
 * to read */
size_t set_reader_count(const set_reader *r, int need, bool *all);
/* the large tokens left out of at most max_size ids read after all
 * (when the others leave too many candidates); *none: there was none;
 * false with d->err set */
bool set_reader_more_large(db *d, set_reader *r, const uint32_t q[MG_GIMPSET_K], int64_t max_size, bool *none);
/* the ids the large tokens left out and not yet read are estimated to
 * name (0 when there are none) */
int64_t set_reader_large_ids(const set_reader *r);
/* how many tokens the reading after target should read up to: on
 * SQLite, where a token is a statement, 8 more; on PostgreSQL, where a
 * reading is one, twice as many (at most all 256) */
int set_reader_grow(const db *d, int target);
/* db_set.c: the slots a record scoring at least t shares, M = ceil(t *
 * 256 / 100) */
int db_set_need(int t);
/* db_set_top.c: the search of a one-server collection (schema 6) through
 * its postings, as db_search_set; need = M equal slots */
bool set_postings_search(db *d, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top, unsigned flags,
                         db_hit **hits, size_t *nhits);
/* db_set_top.c: the candidates s (counted from the postings not skipped)
 * read by bound and scored, as set_postings_search's last step; s->v is
 * reordered */
bool set_cands_search(db *d, set_cands_out *s, const uint32_t q[MG_GIMPSET_K], int t, size_t top, unsigned flags,
                      db_hit **hits, size_t *nhits);
/* as db_search, for a gimpset digest: the records sharing at least
 * ceil(t * 256 / 100) slots with it, scored by mg_gimpset_compare */
bool db_search_set(db *d, const char *gimpset, int t, size_t top, unsigned flags, db_hit **hits, size_t *nhits);
/* db_shard_search.c: db_search_set on a sharded collection, for the
 * decoded query q and need = M equal slots; db_search (t >= 1) likewise */
bool db_search_set_sharded(db *d, const uint32_t q[MG_GIMPSET_K], int t, int need, size_t top,
                           unsigned flags, db_hit **hits, size_t *nhits);
bool db_search_fuzzy_sharded(db *d, const char *digest, int t, size_t top, unsigned flags, db_hit **hits,
                             size_t *nhits);

/* ---- db_query_args.c: the run of `db match` and `db classify` ---- */
/* answers one queried sample (its own searches through db_query_hits);
 * false when it failed */
typedef bool (*db_query_print)(const cli_opts *o, db *d, const sample *s);
/* the FILE|DIGEST operands of o (a usage error when none): opens the
 * collection, hashes them (a file, or a digest when no such file), and
 * answers each with print (db match: after a "# measure" line); the exit
 * status */
int db_query_run(const cli_opts *o, db_query_print print);
/* the hits of s under measure at threshold t (at most top, 0 = all, of the
 * records flags keep), q filled with what the answer names: the measure
 * and threshold used (gimpfuzzy at FALLBACK_THRESHOLD when s has no
 * gimpset), and, for a gimpset search, the records without a gimpset
 * scored by gimpfuzzy (fallback set); false after a message */
bool db_query_hits(db *d, const sample *s, int measure, int t, size_t top, unsigned flags, match_query *q,
                   db_hit **h, size_t *nh);

/* ---- the subcommands (argv starts at the subcommand name; each parses
 * it with the option table, cli_run) ---- */
int db_add(int argc, char **argv);
int db_import(int argc, char **argv);
int db_export(int argc, char **argv);
int db_stats(int argc, char **argv);
int db_label(int argc, char **argv);
int db_match(int argc, char **argv);
int db_classify(int argc, char **argv);
int db_families(int argc, char **argv);
int db_init(int argc, char **argv);
int db_shard_add(int argc, char **argv);

#endif
