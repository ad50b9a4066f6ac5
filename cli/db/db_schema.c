/* db_schema.c - owns the collection's schema: the DDL that makes each
 * version, one text for both backends, with the two spellings that differ
 * filled in from the backend (@ID: the auto-numbered id column, @NR: the
 * clause after a table stored by its primary key), and the upgrade from
 * one version to the current one. */
#include "db/db.h"

#include <string.h>

static const char *const schema_v1[] = {
    "CREATE TABLE samples ("
    " id @ID,"
    " sha256 TEXT NOT NULL, slice BIGINT NOT NULL, suffix TEXT NOT NULL,"
    " size BIGINT, path TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
    " source TEXT, container TEXT, os TEXT, arch TEXT, go_version TEXT,"
    " main_path TEXT, main_module TEXT, main_version TEXT, build TEXT,"
    " gimphash TEXT NOT NULL, gimpfuzzy TEXT NOT NULL, gimpset TEXT,"
    " functions BIGINT, names BIGINT, no_names INTEGER NOT NULL, partial INTEGER NOT NULL,"
    " digest_kind INTEGER NOT NULL, digest_exact TEXT NOT NULL,"
    " label TEXT,"
    " UNIQUE (sha256, slice))",
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
    "CREATE TABLE families (threshold INTEGER NOT NULL, sample_id BIGINT NOT NULL,"
    " family BIGINT NOT NULL, PRIMARY KEY (threshold, sample_id))@NR",
    "CREATE TABLE family_next (threshold INTEGER PRIMARY KEY, next BIGINT NOT NULL)",
    NULL,
};
/* version 2: the gimpset token index (one row per slot of a record's
 * non-empty gimpset, found by (slot, value)) and the families of the set
 * measure, kept apart from those of gimpfuzzy */
static const char *const schema_v2[] = {
    "CREATE TABLE set_tokens (sample_id BIGINT NOT NULL REFERENCES samples (id),"
    " slot INTEGER NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (sample_id, slot))@NR",
    "CREATE INDEX set_tokens_slot_value ON set_tokens (slot, value)",
    "CREATE TABLE set_families (threshold INTEGER NOT NULL, sample_id BIGINT NOT NULL,"
    " family BIGINT NOT NULL, PRIMARY KEY (threshold, sample_id))@NR",
    "CREATE TABLE set_family_next (threshold INTEGER PRIMARY KEY, next BIGINT NOT NULL)",
    NULL,
};
/* version 3: the gram index led by the generation of the sample (id /
 * DB_GRAM_GEN = 16384): a batch's rows land in the newest generation's
 * part of the B-tree instead of all over it, and a lookup seeks each
 * generation for each key; the distribution key for sharding stays gram
 * (docs/collection.md "Sharding the PostgreSQL schema") */
static const char *const schema_v3[] = {
    "CREATE TABLE grams_v3 (gen BIGINT NOT NULL, gram BIGINT NOT NULL, sample_id BIGINT NOT NULL,"
    " PRIMARY KEY (gen, gram, sample_id))@NR",
    "INSERT INTO grams_v3 (gen, gram, sample_id) SELECT sample_id / 16384, gram, sample_id FROM grams"
    " ORDER BY sample_id / 16384, gram, sample_id",
    "DROP TABLE grams",
    "ALTER TABLE grams_v3 RENAME TO grams",
    NULL,
};
static const char *const *const schema[] = {schema_v1, schema_v2, schema_v3};
_Static_assert(sizeof schema / sizeof *schema == DB_SCHEMA_VERSION, "one DDL list a version");
_Static_assert(DB_GRAM_GEN == 16384, "schema_v3 spells the generation size");

/* tmpl with @ID and @NR spelled for the backend; false when it does not fit */
static bool spell(const db_backend *be, const char *tmpl, char *out, size_t outsz)
{
    size_t n = 0;
    for (const char *p = tmpl; *p;) {
        const char *word = !strncmp(p, "@ID", 3) ? be->id_column : !strncmp(p, "@NR", 3) ? be->keyed_table : NULL;
        size_t len = word ? strlen(word) : 1;
        if (n + len >= outsz)
            return false;
        memcpy(out + n, word ? word : p, len);
        n += len;
        p += word ? 3 : 1;
    }
    out[n] = 0;
    return true;
}

bool db_schema_each(const db_backend *be, int from, int to, bool (*fn)(void *ctx, const char *sql), void *ctx,
                    char *err, size_t errsz)
{
    char sql[2048];
    for (int v = from; v < to && v < DB_SCHEMA_VERSION; v++)
        for (size_t s = 0; schema[v][s]; s++) {
            if (!spell(be, schema[v][s], sql, sizeof sql)) {
                snprintf(err, errsz, "schema statement too long");
                return false;
            }
            if (!fn(ctx, sql))
                return false;
        }
    return true;
}

static bool run_ddl(void *ctx, const char *sql)
{
    db *d = ctx;
    return d->be->query(d, sql, NULL, 0, NULL, NULL);
}

bool db_schema_upgrade(db *d, int from)
{
    return db_schema_each(d->be, from, DB_SCHEMA_VERSION, run_ddl, d, d->err, sizeof d->err);
}
