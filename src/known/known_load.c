/* known_load.c - owns reading reference files (JSON Lines, docs/known.md
 * "File format") into records, checking every field a record uses once,
 * and indexing them: gimpsets in the set index (src/index), sha256 and
 * gimphash in sorted tables.  The file's text is copied once and the
 * records' strings point into it. */
#include "known/known_impl.h"
#include "io/map.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

mg_status mg_known_new(mg_known **out, mg_error *err)
{
    *out = mg_calloc(1, sizeof **out);
    return *out ? MG_OK : mg_fail(err, MG_ERR_NOMEM, "out of memory");
}

void mg_known_free(mg_known *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->ntexts; i++)
        free(k->texts[i]);
    free(k->texts);
    free(k->recs);
    free(k->sets);
    free(k->by_sha);
    free(k->by_gimp);
    mg_setindex_free(k->set);
    free(k);
}

size_t mg_known_count(const mg_known *k)
{
    return k ? k->n : 0;
}

const mg_known_rec *mg_known_record(const mg_known *k, size_t i)
{
    return k && i < k->n ? &k->recs[i] : NULL;
}

/* the record's fields: name and where each goes */
static const char *const rec_keys[] = {"name", "package", "version", "source", "os", "arch", "path",
                                       "sha256", "gimphash", "gimpfuzzy", "gimpset", "main_module", "identity"};

static const char *const not_string[] = {
    "\"name\" is not a string", "\"package\" is not a string", "\"version\" is not a string",
    "\"source\" is not a string", "\"os\" is not a string", "\"arch\" is not a string",
    "\"path\" is not a string", "\"sha256\" is not a string", "\"gimphash\" is not a string",
    "\"gimpfuzzy\" is not a string", "\"gimpset\" is not a string", "\"main_module\" is not a string",
    "\"identity\" is not a string"};

static const char **rec_slot(mg_known_rec *r, size_t i)
{
    const char **slots[] = {&r->name, &r->package, &r->version, &r->source, &r->os, &r->arch, &r->path,
                            &r->sha256, &r->gimphash, &r->gimpfuzzy, &r->gimpset, &r->main_module, &r->identity};
    return slots[i];
}

/* the checks a record's values must pass: NULL when they do */
static const char *check_rec(const mg_known_rec *r)
{
    uint32_t slots[MG_GIMPSET_K];
    if (!r->name[0])
        return "no \"name\"";
    if (strlen(r->name) > 255 || strchr(r->name, '/'))
        return "\"name\" is not a file name";
    if (r->sha256[0] && !mg_is_lower_hex(r->sha256, 64))
        return "\"sha256\" is not 64 lowercase hex digits";
    if (r->gimphash[0] && !mg_is_lower_hex(r->gimphash, 64))
        return "\"gimphash\" is not 64 lowercase hex digits";
    if (r->gimpset[0] && mg_gimpset_decode(r->gimpset, slots) < 0)
        return "\"gimpset\" is not a gimpset digest";
    if (!r->sha256[0] && !r->gimphash[0] && !r->gimpset[0])
        return "no digest (sha256, gimphash or gimpset)";
    return NULL;
}

/* one line's object into *r (a header line: *header set instead) */
static const char *read_line(char *line, size_t len, mg_known_rec *r, const char **built, bool *header)
{
    mg_jfield f[48];
    const char *why;
    int n = mg_json_object(line, len, f, 48, &why);
    if (n < 0)
        return why;
    *header = false;
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i].key, "malgopher_known"))
            *header = true;
    for (size_t s = 0; s < sizeof rec_keys / sizeof *rec_keys; s++)
        *rec_slot(r, s) = "";
    r->built = *built;
    r->gimpset_names = -1;
    for (int i = 0; i < n; i++) {
        if (*header) {
            if (!strcmp(f[i].key, "built") && f[i].str)
                *built = f[i].str;
            continue;
        }
        if (!strcmp(f[i].key, "gimpset_names") && f[i].type != '0') {
            char *end;
            r->gimpset_names = f[i].num ? strtol(f[i].num, &end, 10) : -1;
            if (!f[i].num || end == f[i].num || (*end != ',' && *end != '}' && *end != ' ') ||
                r->gimpset_names < 0 || r->gimpset_names > 100000000)
                return "\"gimpset_names\" is not a count";
            continue;
        }
        for (size_t s = 0; s < sizeof rec_keys / sizeof *rec_keys; s++) {
            if (strcmp(f[i].key, rec_keys[s]))
                continue;
            if (f[i].type == '0' && s > 0)
                break; /* null: absent */
            if (!f[i].str)
                return not_string[s];
            *rec_slot(r, s) = f[i].str;
        }
    }
    return *header ? NULL : check_rec(r);
}

static bool grow(mg_known *k)
{
    if (k->n < k->cap)
        return true;
    size_t c = k->cap ? 2 * k->cap : 64;
    mg_known_rec *v = mg_realloc(k->recs, c * sizeof *v);
    if (!v)
        return false;
    k->recs = v;
    k->cap = c;
    return true;
}

mg_status mg_known_add_text(mg_known *k, const char *name, const char *text, size_t len, mg_error *err)
{
    if (len > MG_KNOWN_MAX_BYTES)
        return mg_fail(err, MG_ERR_MALFORMED, "%s: larger than %zu MiB", name, MG_KNOWN_MAX_BYTES >> 20);
    char **tv = mg_realloc(k->texts, (k->ntexts + 1) * sizeof *tv);
    char *t = tv ? mg_malloc(len + 1) : NULL;
    if (tv)
        k->texts = tv;
    if (!t)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    memcpy(t, text, len);
    t[len] = 0;
    k->texts[k->ntexts++] = t;
    const char *built = "";
    size_t lineno = 0;
    for (size_t at = 0; at < len;) {
        char *nl = memchr(t + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - t) : len;
        lineno++;
        if (end - at > MG_KNOWN_MAX_LINE)
            return mg_fail(err, MG_ERR_MALFORMED, "%s:%zu: a line longer than %u bytes", name, lineno,
                           MG_KNOWN_MAX_LINE);
        size_t b = at;
        while (b < end && (t[b] == ' ' || t[b] == '\t' || t[b] == '\r'))
            b++;
        if (b < end) {
            if (k->n >= MG_KNOWN_MAX_RECORDS)
                return mg_fail(err, MG_ERR_MALFORMED, "%s:%zu: more than %u records", name, lineno,
                               MG_KNOWN_MAX_RECORDS);
            if (!grow(k))
                return mg_fail(err, MG_ERR_NOMEM, "out of memory");
            bool header = false;
            const char *why = read_line(t + at, end - at, &k->recs[k->n], &built, &header);
            if (why)
                return mg_fail(err, MG_ERR_MALFORMED, "%s:%zu: %s", name, lineno, why);
            k->n += !header;
        }
        at = end + 1;
    }
    return MG_OK;
}

mg_status mg_known_add_file(mg_known *k, const char *path, mg_error *err)
{
    mg_map m;
    mg_status st = mg_map_open(path, &m, err);
    if (st == MG_ERR_EMPTY)
        return MG_OK; /* an empty reference holds nothing */
    if (st != MG_OK)
        return st;
    st = mg_known_add_text(k, path, (const char *)m.data, m.size, err);
    mg_map_close(&m);
    return st;
}

static const mg_known *sort_k;
static int by_sha(const void *a, const void *b)
{
    return strcmp(sort_k->recs[*(const uint32_t *)a].sha256, sort_k->recs[*(const uint32_t *)b].sha256);
}
static int by_gimp(const void *a, const void *b)
{
    return strcmp(sort_k->recs[*(const uint32_t *)a].gimphash, sort_k->recs[*(const uint32_t *)b].gimphash);
}

/* the records with a non-empty field, sorted on it (called once, under
 * mg_known_index's caller's lock: sort_k is a file-wide pointer) */
static uint32_t *sorted_on(mg_known *k, bool sha, size_t *n)
{
    uint32_t *v = mg_malloc((k->n ? k->n : 1) * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < k->n; i++)
        if ((sha ? k->recs[i].sha256 : k->recs[i].gimphash)[0])
            v[(*n)++] = (uint32_t)i;
    sort_k = k;
    if (*n)
        qsort(v, *n, sizeof *v, sha ? by_sha : by_gimp);
    return v;
}

mg_status mg_known_index(mg_known *k, mg_error *err)
{
    k->sets = mg_malloc((k->n ? k->n : 1) * sizeof *k->sets);
    if (!k->sets)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < k->n; i++)
        k->sets[i] = k->recs[i].gimpset[0] ? k->recs[i].gimpset : NULL;
    k->by_sha = sorted_on(k, true, &k->nsha);
    k->by_gimp = k->by_sha ? sorted_on(k, false, &k->ngimp) : NULL;
    if (!k->by_gimp)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    return mg_setindex_build(k->sets, k->n, &k->set, err);
}
