/* known.h - the reference of known Go programs (docs/known.md): legitimate
 * tools (rclone, restic, ngrok, ...) whose digests are shipped in
 * data/known/reference.jsonl (docs/known-reference.md) or kept in an
 * analyst's local reference.  known_json.c reads one flat JSON object of a
 * line, known_load.c reads a file into records and indexes their gimpsets
 * (the set index of src/index), known_match.c names a program, and
 * known_default.c keeps the one process-wide reference, loaded on first
 * use. */
#ifndef MG_KNOWN_KNOWN_H
#define MG_KNOWN_KNOWN_H

#include "malgopher.h"

/* hostile-input bounds: a longer line, more records or a larger file is
 * refused with the file's name and line */
#define MG_KNOWN_MAX_LINE (64u * 1024u)
#define MG_KNOWN_MAX_RECORDS 262144u
#define MG_KNOWN_MAX_BYTES ((size_t)256 << 20)

/* The smallest gimpset score that names a program, the fewest names a
 * gimpset must stand on (on both sides, when known) to name by similarity,
 * and how close a runner-up must be to be shown too (docs/known.md
 * "Threshold"). */
#define MG_KNOWN_THRESHOLD 35
#define MG_KNOWN_MIN_NAMES 30
#define MG_KNOWN_CLOSE 10
/* without an identity on both sides to agree, only a score this high names */
#define MG_KNOWN_NO_IDENTITY 90

/* one program build; the strings live in the reference's text (never NULL,
 * "" when absent) */
typedef struct mg_known_rec {
    const char *name, *package, *version, *source, *os, *arch, *path, *built;
    const char *sha256, *gimphash, *gimpfuzzy, *gimpset, *main_module;
    const char *identity; /* its main module, else its own package prefix ("" none) */
    long gimpset_names; /* the names its gimpset stands on; -1 when not given */
} mg_known_rec;

typedef struct mg_known mg_known;

/* An empty reference, then files added to it (a missing file is an error:
 * the caller decides which paths must exist).  err names the file and the
 * line of the first bad record. */
mg_status mg_known_new(mg_known **out, mg_error *err);
mg_status mg_known_add_file(mg_known *k, const char *path, mg_error *err);
/* the same on text already in memory (name: for messages) */
mg_status mg_known_add_text(mg_known *k, const char *name, const char *text, size_t len, mg_error *err);
/* build the index after the last file */
mg_status mg_known_index(mg_known *k, mg_error *err);
void mg_known_free(mg_known *k);
size_t mg_known_count(const mg_known *k);
const mg_known_rec *mg_known_record(const mg_known *k, size_t i);

/* what a sample offers to the lookup ("" or NULL when it has not) */
typedef struct mg_known_query {
    const char *sha256, *gimphash, *gimpset, *identity; /* identity: mg_known_identity */
    long gimpset_names; /* -1 when not known */
} mg_known_query;

/* What a program says it is, as `info` prints "identity": its main module
 * path (build info), else its own package prefix; "" when neither (or
 * only "main").  Compared up to an "@". */
void mg_known_identity(const mg_image *im, char *out, size_t cap);

typedef struct mg_known_hit {
    const mg_known_rec *rec;
    int score;           /* 100 for an identity hit */
    const char *measure; /* "sha256", "gimphash" or "gimpset" */
} mg_known_hit;

/* The program q is, and a second one when it scores within MG_KNOWN_CLOSE
 * of the first: returns 0, 1 or 2 hits.  -1: out of memory. */
int mg_known_lookup(const mg_known *k, const mg_known_query *q, mg_known_hit out[2]);
/* the same from a Go image (its gimpset, gimphash and main module) and the
 * file's sha256 (may be NULL) */
int mg_known_lookup_image(const mg_known *k, const mg_image *im, const char *sha256, mg_known_hit out[2]);

/* ---- the process-wide reference (known_default.c) ----
 * paths: the files to read, in order; a path starting with '?' may be
 * missing (the shipped or local reference not there).  Set once, before
 * the first mg_known_default; NULL or n == 0: no reference. */
void mg_known_configure(const char *const *paths, size_t n);
/* the reference, loaded and indexed on the first call (thread-safe); NULL
 * when none is configured, or it failed to load (then *err, when err is
 * not NULL, says why: the same on every call) */
const mg_known *mg_known_default(const mg_error **err);

/* ---- known_json.c: one flat JSON object ---- */
typedef struct mg_jfield {
    const char *key;
    char *str;  /* decoded in place, NUL-terminated (NULL: not a string) */
    const char *num; /* a number's first character (type 'n'), else NULL */
    int type;   /* 's' string, 'n' number, 'b' true/false, '0' null, '[' array, '{' object */
} mg_jfield;
/* Parse the object in line[0..len) in place (strings are decoded over their
 * own text).  Up to max fields into f; returns the count, or -1 with a
 * reason in *why. */
int mg_json_object(char *line, size_t len, mg_jfield *f, int max, const char **why);

#endif
