/* db_schema.c - owns the collection's schema: the DDL that makes each
 * version, one text for both backends, with the two spellings that differ
 * filled in from the backend (@ID: the auto-numbered id column, @NR: the
 * clause after a table stored by its primary key, @IDS: a group's sample
 * ids as "id,id,...", @BLOB: a column of bytes; a statement after "@LITE "
 * is SQLite's alone, after "@PG " PostgreSQL's), and the upgrade from one
 * version to the current one, with the one step SQL cannot do (version
 * 6's pages, rebuilt from the records' gimpsets). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* the columns of a record after its id (the one-server table, and the
 * sharded layout's partitions) */
#define SAMPLE_COLUMNS                                                                        \
    " sha256 TEXT NOT NULL, slice BIGINT NOT NULL, suffix TEXT NOT NULL,"                     \
    " size BIGINT, path TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"    \
    " source TEXT, container TEXT, os TEXT, arch TEXT, go_version TEXT,"                      \
    " main_path TEXT, main_module TEXT, main_version TEXT, build TEXT,"                       \
    " gimphash TEXT NOT NULL, gimpfuzzy TEXT NOT NULL, gimpset TEXT,"                         \
    " functions BIGINT, names BIGINT, no_names INTEGER NOT NULL, partial INTEGER NOT NULL,"   \
    " digest_kind INTEGER NOT NULL, digest_exact TEXT NOT NULL,"                              \
    " label TEXT"
#define FAMILIES_DDL(T)                                                                      \
    "CREATE TABLE " T " (threshold INTEGER NOT NULL, sample_id BIGINT NOT NULL,"             \
    " family BIGINT NOT NULL, PRIMARY KEY (threshold, sample_id))"
#define FAMILY_NEXT_DDL(T) "CREATE TABLE " T " (threshold INTEGER PRIMARY KEY, next BIGINT NOT NULL)"

static const char *const schema_v1[] = {
    "CREATE TABLE samples ("
    " id @ID,"
    SAMPLE_COLUMNS ", UNIQUE (sha256, slice))",
    "CREATE INDEX samples_exact ON samples (digest_exact)",
    "CREATE INDEX samples_odd ON samples (digest_kind) WHERE digest_kind = 1",
    "CREATE INDEX samples_label ON samples (label) WHERE label IS NOT NULL",
    "CREATE TABLE sample_paths (sample_id BIGINT NOT NULL REFERENCES samples (id),"
    " path TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (sample_id, path))@NR",
    "CREATE INDEX sample_paths_path ON sample_paths (path)",
    /* the gram index: (gram, sample) rows under a B-tree, so that a lookup
     * reads only the postings of the query's grams (replaced in version 3) */
    "CREATE TABLE grams (gram BIGINT NOT NULL, sample_id BIGINT NOT NULL, PRIMARY KEY (gram, sample_id))@NR",
    "CREATE TABLE labels (id @ID, sample_id BIGINT NOT NULL REFERENCES samples (id),"
    " label TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL)",
    FAMILIES_DDL("families") "@NR",
    FAMILY_NEXT_DDL("family_next"),
    NULL,
};
/* version 2: the gimpset token index (one row per slot of a record's
 * non-empty gimpset, found by (slot, value)) and the families of the set
 * measure, kept apart from those of gimpfuzzy */
static const char *const schema_v2[] = {
    "CREATE TABLE set_tokens (sample_id BIGINT NOT NULL REFERENCES samples (id),"
    " slot INTEGER NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (sample_id, slot))@NR",
    "CREATE INDEX set_tokens_slot_value ON set_tokens (slot, value)",
    FAMILIES_DDL("set_families") "@NR",
    FAMILY_NEXT_DDL("set_family_next"),
    NULL,
};
/* version 3: the gram index led by the generation of the sample (id /
 * DB_GRAM_GEN = 16384): a batch's rows land in the newest generation's
 * part of the B-tree instead of all over it, and a lookup seeks each
 * generation for each key; a sharded collection partitions it by gram
 * (docs/collection.md "Sharding") */
static const char *const schema_v3[] = {
    "CREATE TABLE grams_v3 (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL,"
    " PRIMARY KEY (gen, gram, sample_id))@NR",
    "INSERT INTO grams_v3 (gen, gram, sample_id) SELECT sample_id / 16384, gram, sample_id FROM grams"
    " ORDER BY sample_id / 16384, gram, sample_id",
    "DROP TABLE grams",
    "ALTER TABLE grams_v3 RENAME TO grams",
    NULL,
};
/* version 4: the gimpset token index as one B-tree keyed (slot, value,
 * sample_id), the rows of a posting side by side, without the foreign key
 * to samples or the (sample_id, slot) key: a token row costs one B-tree
 * insertion where it cost three (primary key, (slot, value) index, the
 * foreign-key lookup), and a posting is read from the index alone
 * (BENCHMARKS.md "Import at schema 4") */
static const char *const schema_v4[] = {
    "CREATE TABLE set_tokens_v4 (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL,"
    " PRIMARY KEY (slot, value, sample_id))@NR",
    "INSERT INTO set_tokens_v4 (slot, value, sample_id) SELECT slot, value, sample_id FROM set_tokens"
    " ORDER BY slot, value, sample_id",
    "DROP TABLE set_tokens",
    "ALTER TABLE set_tokens_v4 RENAME TO set_tokens",
    NULL,
};
/* version 5: the gimpset postings (db_postings.c): one row per token
 * (slot, value) and generation of the sample (id / 16384) that a
 * transaction wrote, its sample ids as a list, where version 4 had one row
 * per (token, sample): 5x fewer rows on the benchmarks feed, each batch
 * landing in the newest generation's part of the B-tree (BENCHMARKS.md
 * "Import at schema 5").  The migration keeps every posting, one row per
 * (generation, slot, value).  A sharded collection keeps its token rows
 * (the backend's set_rows): it has no set_tokens to move here. */
static const char *const schema_v5[] = {
    "CREATE TABLE set_postings (gen BIGINT NOT NULL, slot INTEGER NOT NULL, value BIGINT NOT NULL,"
    " first_id BIGINT NOT NULL, n BIGINT NOT NULL, ids TEXT NOT NULL,"
    " PRIMARY KEY (gen, slot, value, first_id))@NR",
    "INSERT INTO set_postings (gen, slot, value, first_id, n, ids)"
    " SELECT sample_id / 16384, slot, value, min(sample_id), count(*), @IDS"
    " FROM (SELECT slot, value, sample_id FROM set_tokens ORDER BY slot, value, sample_id) t"
    " GROUP BY sample_id / 16384, slot, value ORDER BY 1, 2, 3",
    "DROP TABLE set_tokens",
    NULL,
};
/* version 6: the gimpset postings of a one-server collection as bucket
 * pages (db.h's set_page, docs/collection.md "Gimpset pages"): one row per
 * (generation, slot, bucket of 128) that a transaction wrote, its entries
 * a blob, where version 5 wrote a row per (generation, slot, value): 31x
 * fewer rows (BENCHMARKS.md "Gimpset pages (issue 25)").  The pages cannot
 * be made in SQL: rebuild_set_pages writes them from the records'
 * gimpsets after this DDL. */
static const char *const schema_v6[] = {
    "CREATE TABLE set_pages (gen BIGINT NOT NULL, slot INTEGER NOT NULL, bucket INTEGER NOT NULL,"
    " first_id BIGINT NOT NULL, n BIGINT NOT NULL, data @BLOB NOT NULL,"
    " PRIMARY KEY (gen, slot, bucket, first_id))@NR",
    "DROP TABLE set_postings",
    NULL,
};
/* version 7: the gram index of one server as pages (db_gram_pages.c,
 * docs/collection.md "Gram pages"): one row per generation, bucket (the
 * gram's top 14 bits) and transaction, its entries (gram, id) packed in
 * data, where version 6 had one row per (gram, sample): about 60x fewer
 * rows (BENCHMARKS.md "Gram pages (issue 25)").  The pages are rebuilt
 * from the samples' digests (gram_pages_rebuild, after these statements);
 * a sharded collection keeps its gram rows. */
static const char *const schema_v7[] = {
    "CREATE TABLE gram_pages (gen BIGINT NOT NULL, bucket INTEGER NOT NULL, first_id BIGINT NOT NULL,"
    " n BIGINT NOT NULL, data @BLOB NOT NULL, PRIMARY KEY (gen, bucket, first_id))@NR",
    "DROP TABLE grams",
    NULL,
};
/* version 8: the page tables of SQLite as rowid tables, their primary key
 * an index beside them.  A table without rowid keeps whole rows in its
 * interior nodes too: a page of 750 bytes left 5 rows a 4 KB node, so
 * that a page's seek crossed about 7 nodes (7 preads at a million
 * records, 60% of a query's time); a rowid table's interior nodes hold
 * integers and its index small keys.  The gimpset pages' key leads with
 * the token (slot, bucket, gen, first_id) on both backends: a token's
 * pages of every generation are one range of the index, while the rows
 * stay in the order an import writes them (BENCHMARKS.md "Rowid pages").
 * PostgreSQL's tables always were heaps beside their key.  A statement
 * after @LITE runs only where @NR is spelled (SQLite), after @PG only
 * where it is not (PostgreSQL, one server).  An upgrade copies SQLite's rows,
 * and deletes the old ones before the old table is dropped, a generation
 * a statement (BY_GEN, run_by_gen). */
/* a statement on the rows of table T (a copy, a delete) run a generation
 * a statement by an upgrade (run_ddl), a comment to anything else */
#define BY_GEN_MARK "/*by generation of "
#define BY_GEN(T) " " BY_GEN_MARK T "*/"
static const char *const schema_v8[] = {
    "@LITE ALTER TABLE set_pages RENAME TO set_pages_v7",
    "@LITE CREATE TABLE set_pages (gen BIGINT NOT NULL, slot INTEGER NOT NULL, bucket INTEGER NOT NULL,"
    " first_id BIGINT NOT NULL, n BIGINT NOT NULL, data @BLOB NOT NULL, PRIMARY KEY (slot, bucket, gen, first_id))",
    "@LITE INSERT INTO set_pages (gen, slot, bucket, first_id, n, data)"
    " SELECT gen, slot, bucket, first_id, n, data FROM set_pages_v7" BY_GEN("set_pages_v7")
    " ORDER BY gen, slot, bucket, first_id",
    "@LITE DELETE FROM set_pages_v7" BY_GEN("set_pages_v7"),
    "@LITE DROP TABLE set_pages_v7",
    "@LITE ALTER TABLE gram_pages RENAME TO gram_pages_v7",
    "@LITE CREATE TABLE gram_pages (gen BIGINT NOT NULL, bucket INTEGER NOT NULL, first_id BIGINT NOT NULL,"
    " n BIGINT NOT NULL, data @BLOB NOT NULL, PRIMARY KEY (gen, bucket, first_id))",
    "@LITE INSERT INTO gram_pages (gen, bucket, first_id, n, data)"
    " SELECT gen, bucket, first_id, n, data FROM gram_pages_v7" BY_GEN("gram_pages_v7") " ORDER BY gen, bucket, first_id",
    "@LITE DELETE FROM gram_pages_v7" BY_GEN("gram_pages_v7"),
    "@LITE DROP TABLE gram_pages_v7",
    "@PG ALTER TABLE set_pages DROP CONSTRAINT set_pages_pkey, ADD PRIMARY KEY (slot, bucket, gen, first_id)",
    NULL,
};
static const char *const *const schema[] = {schema_v1, schema_v2, schema_v3, schema_v4,
                                            schema_v5, schema_v6, schema_v7, schema_v8};
_Static_assert(sizeof schema / sizeof *schema == DB_SCHEMA_VERSION, "one DDL list a version");
_Static_assert(DB_GRAM_GEN == 16384, "schema_v3 spells the generation size");

/* the word of the spelling at p (its length into *len), NULL when p
 * starts none; *missing when the backend lacks it (the sharded one's @IDS
 * and @BLOB: its one-server DDL is never run) */
static const char *spelling(const db_backend *be, const char *p, size_t *len, bool *missing)
{
    const struct {
        const char *at, *word;
    } words[] = {{"@IDS", be->id_list}, {"@ID", be->id_column}, {"@NR", be->keyed_table}, {"@BLOB", be->blob_type}};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (!strncmp(p, words[k].at, strlen(words[k].at))) {
            *len = strlen(words[k].at);
            *missing = !words[k].word;
            return words[k].word;
        }
    *missing = false;
    return NULL;
}

/* tmpl with @ID, @NR, @IDS and @BLOB spelled for the backend; false when
 * it does not fit or the backend lacks a spelling */
static bool spell(const db_backend *be, const char *tmpl, char *out, size_t outsz)
{
    size_t n = 0;
    for (const char *p = tmpl; *p;) {
        size_t at = 0;
        bool missing;
        const char *word = spelling(be, p, &at, &missing);
        if (missing)
            return false;
        size_t len = word ? strlen(word) : 1;
        if (n + len >= outsz)
            return false;
        memcpy(out + n, word ? word : p, len);
        n += len;
        p += word ? at : 1;
    }
    out[n] = 0;
    return true;
}

/* the statement of tmpl for be: tmpl itself, after "@LITE " where be spells
 * @NR, after "@PG " where it does not; NULL when it is not be's */
static const char *for_backend(const db_backend *be, const char *tmpl)
{
    bool lite = be->keyed_table && be->keyed_table[0];
    if (!strncmp(tmpl, "@LITE ", 6))
        return lite ? tmpl + 6 : NULL;
    if (!strncmp(tmpl, "@PG ", 4))
        return lite ? NULL : tmpl + 4;
    return tmpl;
}

bool db_schema_each(const db_backend *be, int from, int to, bool (*fn)(void *ctx, const char *sql), void *ctx,
                    char *err, size_t errsz)
{
    char sql[2048];
    for (int v = from; v < to && v < DB_SCHEMA_VERSION; v++)
        for (size_t s = 0; schema[v][s]; s++) {
            const char *tmpl = for_backend(be, schema[v][s]);
            if (!tmpl)
                continue;
            if (!spell(be, tmpl, sql, sizeof sql)) {
                snprintf(err, errsz, "schema statement too long");
                return false;
            }
            if (!fn(ctx, sql))
                return false;
        }
    return true;
}

/* the generation after the one asked for ($1) of a table, if any */
typedef struct next_gen {
    int64_t gen;
    bool found;
} next_gen;

static bool next_gen_row(const char *const *cols, int ncols, void *ctx)
{
    next_gen *g = ctx;
    if (ncols && cols[0]) {
        g->gen = strtoll(cols[0], NULL, 10);
        g->found = true;
    }
    return false;
}

/* sql, whose BY_GEN comment is at mark, run once for each generation its
 * table holds (in the comment; the statement's own text, never a file's)
 * with the comment spelled "WHERE gen = $1": each statement under the
 * deadline, where one for all would outlast it at several million
 * records */
static bool run_by_gen(db *d, const char *sql, const char *mark)
{
    const char *table = mark + strlen(BY_GEN_MARK), *end = strstr(table, "*/");
    char first[160], next[160], one[2048];
    int tlen = (int)(end ? end - table : 0);
    if (!end || snprintf(first, sizeof first, "SELECT min(gen) FROM %.*s", tlen, table) >= (int)sizeof first ||
        snprintf(next, sizeof next, "SELECT min(gen) FROM %.*s WHERE gen > $1", tlen, table) >= (int)sizeof next ||
        snprintf(one, sizeof one, "%.*sWHERE gen = $1%s", (int)(mark - sql), sql, end + 2) >= (int)sizeof one) {
        snprintf(d->err, sizeof d->err, "schema statement too long");
        return false;
    }
    next_gen g = {0};
    for (bool copied = false;; copied = true) { /* the first generation, then each after the last copied */
        db_param p[] = {PI(g.gen)};
        g.found = false;
        if (!d->be->query(d, copied ? next : first, p, copied ? 1 : 0, next_gen_row, &g))
            return false;
        if (!g.found)
            return true;
        db_param q[] = {PI(g.gen)};
        if (!d->be->query(d, one, q, 1, NULL, NULL))
            return false;
    }
}

static bool run_ddl(void *ctx, const char *sql)
{
    db *d = ctx;
    const char *mark = strstr(sql, BY_GEN_MARK);
    return mark ? run_by_gen(d, sql, mark) : d->be->query(d, sql, NULL, 0, NULL, NULL);
}

/* a sharded collection of an older version: its partitions live on the
 * shards, which the coordinator's DDL does not reach */
static bool sharded_refused(db *d, int from)
{
    int64_t sharded = 0;
    if (from < 1 || strcmp(d->be->name, "postgresql"))
        return false;
    if (!d->be->query(d, "SELECT CASE WHEN to_regclass('malgopher_shards') IS NULL THEN 0 ELSE 1 END", NULL, 0,
                      db_int_row, &sharded))
        return true;
    if (sharded)
        snprintf(d->err, sizeof d->err,
                 "sharded collection of schema %d: this malgopher needs schema %d, which it cannot make on the"
                 " shards; upgrade by `db export` (with the older malgopher), `db init --shard` on empty servers,"
                 " `db import` (docs/collection.md \"Upgrading\")",
                 from, DB_SCHEMA_VERSION);
    return sharded != 0;
}

bool db_rebuild_by_generation(db *d, const char *sql, db_row_fn fn, void *ctx, const bool *failed,
                              bool (*flush)(db *d))
{
    int64_t next = -1;
    if (!d->be->query(d, "SELECT min(id) FROM samples WHERE id >= 0", NULL, 0, db_int_row, &next))
        return false;
    while (next >= 0) { /* ids below 0 are none of ours */
        int64_t gen = next / DB_GRAM_GEN;
        if (gen > INT64_MAX / DB_GRAM_GEN - 1)
            break;
        db_param p[] = {PI(gen * DB_GRAM_GEN), PI((gen + 1) * DB_GRAM_GEN)};
        if (!d->be->query(d, sql, p, 2, fn, ctx) || *failed || !flush(d))
            return false;
        next = -1;
        if (!d->be->query(d, "SELECT min(id) FROM samples WHERE id >= $1", &p[1], 1, db_int_row, &next))
            return false;
    }
    return true;
}

/* version 6's pages rebuilt from the gimpsets of the records through the
 * writer (db_set_write.c) */
typedef struct rebuild {
    db *d;
    bool failed;
} rebuild;

static bool rebuild_row(const char *const *cols, int ncols, void *ctx)
{
    rebuild *r = ctx;
    if (ncols < 2 || !cols[0])
        return true;
    char *end;
    long long id = strtoll(cols[0], &end, 10);
    if (*end || id < 1)
        return true; /* not a record id our writer makes: no tokens, as a malformed gimpset */
    return set_tokens_put(r->d, id, cols[1], NULL) || !(r->failed = true);
}

static bool rebuild_set_pages(db *d)
{
    rebuild r = {.d = d};
    set_tokens_drop(d);
    bool ok = db_rebuild_by_generation(d,
                                       "SELECT id, gimpset FROM samples WHERE id >= $1 AND id < $2"
                                       " AND gimpset IS NOT NULL ORDER BY id",
                                       rebuild_row, &r, &r.failed, set_tokens_flush);
    set_tokens_drop(d);
    return ok;
}

bool db_schema_upgrade(db *d, int from)
{
    /* a sharded collection's layout of versions 5 and 6 is version 4's
     * (its tokens and grams stay rows): nothing to change but the version */
    if (from >= 4 && d->be->set_rows)
        return true;
    if (from < DB_SCHEMA_VERSION && sharded_refused(d, from))
        return false;
    if (!db_schema_each(d->be, from, DB_SCHEMA_VERSION, run_ddl, d, d->err, sizeof d->err))
        return false;
    return (from < 1 || from >= 6 || rebuild_set_pages(d)) && (from < 1 || from >= 7 || gram_pages_rebuild(d));
}

/* ---- the sharded layout (PostgreSQL only, docs/collection.md "Sharding")
 *
 * The same tables under the same names, so that every statement of the
 * subcommands runs unchanged: on the coordinator, samples, grams and
 * set_tokens are hash-partitioned tables whose DB_SHARD_PARTS partitions
 * are postgres_fdw foreign tables; the partition NN of the three lives on
 * one shard as the plain tables samples_pNN, grams_pNN, set_tokens_pNN.
 * The rest (paths, labels, families) stays on the coordinator, and so do
 * the id sequences (a partitioned table's column default is computed by
 * the coordinator before a row is routed).
 *
 * The partition keys carry the uniqueness: PostgreSQL enforces no unique
 * index across foreign partitions, but every row of one (sha256, slice)
 * hashes to one partition (key sha256), every (gen, gram, sample_id) to
 * one (key gram), every (token, sample_id) to one (key sample_id), so each
 * shard's local unique index is a global one.  set_tokens is split by
 * sample_id, not by its lookup key, so that a partition holds every token
 * row of its records and counts a query's shared tokens alone (the count
 * pushed down to the shard, db_shard_search.c); layout 2 keys a shard's
 * token rows by the token (slot << 32 | value) for that lookup.  The
 * coordinator's tables have no foreign keys to samples (a partitioned
 * table with foreign partitions can have no unique index to refer to); the
 * subcommands write a record's rows in one transaction. */
/* The sharded layout of schemas 5 to 8 is schema 4's: its gimpset tokens
 * stay one row each in set_tokens (the backend's set_rows), where one
 * server keeps postings (set_postings, schema 5) or pages (set_pages,
 * schema 6 on), and its grams one row each in grams, where one server
 * keeps pages (gram_pages, schema 7 on; SQLite's as rowid tables, schema
 * 8). */
_Static_assert(DB_SCHEMA_VERSION == 8, "the sharded layout below is schema 8's: add the new version's to it");
#define SHARD_LAYOUT_TEXT "3"
_Static_assert(DB_SHARD_LAYOUT == 3, "SHARD_LAYOUT_TEXT spells it");

/* Layout 3: the writers send a record's gimpset tokens as one row of
 * set_token_lists (its slots and values as two arrays), partitioned like
 * set_tokens by sample_id, so that partition NN of both is on one shard;
 * there a trigger turns the row into the record's set_tokens_pNN rows and
 * keeps nothing.  Through postgres_fdw a row costs the coordinator about
 * the same whatever it holds, and 256 token rows a record were most of its
 * work (BENCHMARKS.md "Token lists"). */
const db_shard_table db_shard_tables[DB_SHARD_TABLES] = {
    {"samples", "sha256", 1},
    {"grams", "gram", 1},
    {"set_tokens", "sample_id", 1},
    {"set_token_lists", "sample_id", DB_SHARD_LAYOUT_LISTS},
};

static const char *const coordinator_ddl[] = {
    "CREATE TABLE samples (id BIGSERIAL NOT NULL," SAMPLE_COLUMNS ") PARTITION BY HASH (sha256)",
    "CREATE TABLE sample_paths (sample_id BIGINT NOT NULL,"
    " path TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (sample_id, path))",
    "CREATE INDEX sample_paths_path ON sample_paths (path)",
    "CREATE TABLE grams (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL)"
    " PARTITION BY HASH (gram)",
    "CREATE TABLE labels (id BIGSERIAL PRIMARY KEY, sample_id BIGINT NOT NULL,"
    " label TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL)",
    FAMILIES_DDL("families"),
    FAMILY_NEXT_DDL("family_next"),
    "CREATE TABLE set_tokens (slot INTEGER NOT NULL, value BIGINT NOT NULL, sample_id BIGINT NOT NULL)"
    " PARTITION BY HASH (sample_id)",
    "CREATE TABLE set_token_lists (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL, vals BIGINT[] NOT NULL)"
    " PARTITION BY HASH (sample_id)",
    FAMILIES_DDL("set_families"),
    FAMILY_NEXT_DDL("set_family_next"),
    /* the shards as messages name them (their URIs, passwords masked) */
    "CREATE TABLE malgopher_shards (server TEXT PRIMARY KEY, shown TEXT NOT NULL)",
    "CREATE TABLE malgopher_shard_layout (version INTEGER NOT NULL)",
    "INSERT INTO malgopher_shard_layout (version) VALUES (" SHARD_LAYOUT_TEXT ")",
    NULL,
};

/* on a shard, for partition @P (_pNN); IF NOT EXISTS: a shard-add that
 * failed may have left them (empty: db_shard.c checks) */
static const char *const shard_ddl[] = {
    "CREATE TABLE IF NOT EXISTS samples@P (id BIGINT PRIMARY KEY," SAMPLE_COLUMNS ", UNIQUE (sha256, slice))",
    "CREATE INDEX IF NOT EXISTS samples@P_exact ON samples@P (digest_exact)",
    "CREATE INDEX IF NOT EXISTS samples@P_odd ON samples@P (digest_kind) WHERE digest_kind = 1",
    "CREATE INDEX IF NOT EXISTS samples@P_label ON samples@P (label) WHERE label IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS grams@P (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL,"
    " PRIMARY KEY (gen, gram, sample_id))",
    /* layout 2: keyed by the token slot << 32 | value (a value is 32
     * bits), the one condition a lookup sends (db_shard_search.c) */
    "CREATE TABLE IF NOT EXISTS set_tokens@P (slot INTEGER NOT NULL, value BIGINT NOT NULL,"
    " sample_id BIGINT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS set_tokens@P_token ON set_tokens@P ((slot::bigint << 32 | value), sample_id)",
    /* layout 3: a record's tokens as one row, made set_tokens@P rows here
     * (the function's search_path is the shard's at creation: postgres_fdw
     * sessions search pg_catalog only) */
    "CREATE TABLE IF NOT EXISTS set_token_lists@P (sample_id BIGINT NOT NULL, slots INTEGER[] NOT NULL,"
    " vals BIGINT[] NOT NULL)",
    "CREATE OR REPLACE FUNCTION set_token_lists@P_put() RETURNS trigger LANGUAGE plpgsql"
    " SET search_path FROM CURRENT AS $$ BEGIN"
    " INSERT INTO set_tokens@P (slot, value, sample_id) SELECT s, v, NEW.sample_id FROM unnest(NEW.slots, NEW.vals) AS u(s, v);"
    " RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS set_token_lists@P_put ON set_token_lists@P",
    "CREATE TRIGGER set_token_lists@P_put BEFORE INSERT ON set_token_lists@P FOR EACH ROW"
    " EXECUTE FUNCTION set_token_lists@P_put()",
    NULL,
};

bool db_schema_coordinator(db *d)
{
    for (size_t s = 0; coordinator_ddl[s]; s++)
        if (!d->be->query(d, coordinator_ddl[s], NULL, 0, NULL, NULL))
            return false;
    return true;
}

bool db_schema_shard_part(db *shard, int part)
{
    char sql[2048], suffix[16];
    snprintf(suffix, sizeof suffix, "_p%02d", part);
    for (size_t s = 0; shard_ddl[s]; s++) {
        size_t n = 0;
        for (const char *p = shard_ddl[s]; *p;) {
            bool word = !strncmp(p, "@P", 2);
            size_t len = word ? strlen(suffix) : 1;
            if (n + len >= sizeof sql) {
                snprintf(shard->err, sizeof shard->err, "schema statement too long");
                return false;
            }
            memcpy(sql + n, word ? suffix : p, len);
            n += len;
            p += word ? 2 : 1;
        }
        sql[n] = 0;
        if (!shard->be->query(shard, sql, NULL, 0, NULL, NULL))
            return false;
    }
    return true;
}
