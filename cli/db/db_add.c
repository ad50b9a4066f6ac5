/* db_add.c - `malgopher db add`: store the Go images of files, keyed by
 * the file's sha256 (and slice).  Files are hashed a batch at a time
 * outside any transaction, then each batch is written in one transaction
 * (tried again when the database was busy or a deadlock broke it), so a
 * crash keeps every committed batch and a re-run adds the rest. */
#include "db/db.h"

#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: malgopher db add [--db URI] [-r] [--label L] [--source S] [--files-from F] PATH...\n"
    "\n"
    "Store one record per Go image of each file (keyed by the file's sha256 and\n"
    "the slice of a fat file).  A file already stored only gains the path it was\n"
    "seen under.  Prints `added N, known M, not Go K` (files).\n"
    "\n"
    "  -r, --recursive     descend into directories\n"
    "  --label L           label every sample added or found (as `db label`)\n"
    "  --source S          where the samples came from (kept with new records)\n"
    "  --files-from F      also the paths listed in F, one per line (- for stdin)\n"
    "\n"
    "exit status: 0 every file read, 1 some could not be (or the database failed), 2 usage error.\n";

#define BATCH 32

typedef struct item {
    char *path;
    char sha256[65];
    int64_t size;
    bool known;   /* sha256 already stored when hashed */
    mg_map map;   /* the file's bytes, read once: sha256 and analysis */
    mg_file *f;   /* NULL when known, not Go or failed */
    bool not_go, failed;
    record *rec;  /* one per Go image */
    size_t nrec;
} item;

typedef struct add_ctx {
    db *d;
    const char *label, *source;
    size_t added, known, not_go, failed;
} add_ctx;

static char *build_settings(const mg_buildinfo *b)
{
    size_t n = 1;
    for (size_t k = 0; k < b->nsettings; k++)
        n += strlen(b->settings[k].key) + strlen(b->settings[k].value) + 2;
    char *s = b->nsettings ? malloc(n) : NULL;
    if (!s)
        return NULL;
    size_t at = 0;
    for (size_t k = 0; k < b->nsettings; k++)
        at += (size_t)snprintf(s + at, n - at, "%s%s=%s", k ? " " : "", b->settings[k].key, b->settings[k].value);
    return s;
}

/* sha256, then (when unknown) the Go images; false when the database failed */
static bool hash_item(add_ctx *c, item *it)
{
    const char *why;
    file_id id;
    if (!sample_map(it->path, &it->map, &why) || !bytes_identity(it->map.data, it->map.size, &id)) {
        /* an empty file is counted with the other non-Go files */
        if (it->map.data)
            why = "sha256 failed";
        if (!strcmp(why, mg_status_reason(MG_ERR_EMPTY)))
            it->not_go = true;
        else {
            report_error(it->path, why);
            it->failed = true;
        }
        mg_map_close(&it->map);
        return true;
    }
    memcpy(it->sha256, id.sha256, sizeof it->sha256);
    it->size = (int64_t)id.size;
    int k = record_sha_known(c->d, it->sha256);
    /* known but without its gimpset: hashed again to fill it in */
    if (k == 1 && (k = record_sha_lacks_gimpset(c->d, it->sha256)) >= 0)
        k = !k;
    if (k < 0) {
        db_report(c->d);
        it->failed = true;
        return false;
    }
    if ((it->known = k == 1)) {
        mg_map_close(&it->map);
        return true;
    }
    mg_error e;
    /* the obfuscation signals are not stored */
    if (mg_file_open_mem_limits(it->map.data, it->map.size, MG_OPT_NO_OBFUSCATION, NULL, &it->f, &e) != MG_OK) {
        if (e.code == MG_ERR_NOT_GO)
            it->not_go = true;
        else {
            report_error(it->path, e.msg);
            it->failed = true;
        }
        return true;
    }
    size_t n = mg_file_image_count(it->f);
    it->rec = calloc(n ? n : 1, sizeof *it->rec);
    if (!it->rec) {
        report_error(it->path, mg_status_reason(MG_ERR_NOMEM));
        it->failed = true;
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        const mg_image *im = mg_file_image(it->f, i);
        if (!im->is_go)
            continue;
        record *r = &it->rec[it->nrec++];
        memcpy(r->sha256, it->sha256, sizeof r->sha256);
        r->slice = (int64_t)i;
        slice_suffix(it->f, i, r->suffix, sizeof r->suffix);
        if (n <= 1)
            r->suffix[0] = 0;
        r->size = it->size;
        r->path = it->path;
        r->source = c->source;
        r->container = im->container_name;
        r->os = im->os;
        r->arch = im->arch;
        r->go_version = im->go_version;
        const mg_buildinfo *b = &im->buildinfo;
        r->main_path = b->present ? b->path : NULL;
        r->main_module = b->present ? b->main.path : NULL;
        r->main_version = b->present ? b->main.version : NULL;
        r->build = build_settings(b);
        memcpy(r->gimphash, im->gimphash, sizeof r->gimphash);
        memcpy(r->gimpfuzzy, im->gimpfuzzy, sizeof r->gimpfuzzy);
        if (MG_IMAGE_HAS(im, gimpset))
            memcpy(r->gimpset, im->gimpset, sizeof r->gimpset);
        else
            r->gimpset[0] = 0;
        r->functions = (int64_t)im->nfuncs;
        r->names = (int64_t)im->gimp_names;
        r->no_names = im->flags & MG_FLAG_NO_NAMES;
        r->partial = im->flags & MG_FLAG_PARTIAL;
    }
    if (!it->nrec)
        it->not_go = true;
    return true;
}

static void free_item(item *it)
{
    for (size_t i = 0; i < it->nrec; i++)
        free(it->rec[i].build);
    free(it->rec);
    if (it->f)
        mg_file_close(it->f);
    mg_map_close(&it->map); /* after the records that point into it */
    free(it->path);
    memset(it, 0, sizeof *it);
}

static bool label_sha(db *d, const char *sha256, const char *label)
{
    char now[32];
    db_now(now);
    db_param p[] = {PT(sha256), PT(label), PT(now)};
    db_param q[] = {PT(sha256), PT(label), PT(db_who()), PT(now)};
    return db_exec(d, "UPDATE samples SET label = $2 WHERE sha256 = $1", p, 2) &&
           db_exec(d, "INSERT INTO labels (sample_id, label, who, at) SELECT id, $2, $3, $4 FROM samples WHERE sha256 = $1",
                   q, 4);
}

/* the writes of one transaction (db_write): the items b->v, b->n */
static bool write_batch(db *d, db_batch *b)
{
    item *v = b->v;
    add_ctx *c = b->ctx;
    for (size_t k = 0; k < b->n; k++) {
        item *it = &v[k];
        if (it->failed || it->not_go)
            continue;
        bool new = false;
        if (it->known) {
            if (!record_seen(d, it->sha256, it->path))
                return false;
        } else
            for (size_t i = 0; i < it->nrec; i++) {
                int rc = record_put(d, &it->rec[i]);
                if (rc < 0)
                    return false;
                new |= rc == 1;
            }
        if (c->label && !label_sha(d, it->sha256, c->label))
            return false;
        ++*(new ? &b->added : &b->known);
    }
    return true;
}

static bool flush(add_ctx *c, item *v, size_t n)
{
    db_batch b = {.v = v, .n = n, .ctx = c};
    if (!db_write(c->d, write_batch, &b))
        return false;
    c->added += b.added;
    c->known += b.known;
    /* test hook: a pause after each committed batch, so that the crash test
     * (tests/db/test_db.sh) can kill the run between two batches */
    const char *pause = getenv("MALGOPHER_DB_TEST_BATCH_PAUSE_MS");
    if (pause && *pause)
        usleep((useconds_t)(atoi(pause) % 10000) * 1000u);
    for (size_t k = 0; k < n; k++) {
        c->not_go += v[k].not_go;
        c->failed += v[k].failed;
        free_item(&v[k]);
    }
    return true;
}

static bool read_list(const char *file, pathlist *out)
{
    FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!in) {
        report_error(file, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok = true;
    while (ok && (len = getline(&line, &cap, in)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len > 0)
            ok = pathlist_add(line, out);
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return ok;
}

static int add(const cli_opts *o)
{
    add_ctx c = {.label = o->label, .source = o->source};
    if (!o->nargs && !o->list)
        return usage_error(o->cmd, "no PATH given");
    pathlist files = {0};
    size_t failed = walk_paths(o->args, o->nargs, o->recursive, pathlist_add, &files);
    if (o->list && !read_list(o->list, &files))
        failed++;
    db d;
    if (!db_open(&d, o->db)) {
        for (size_t k = 0; k < files.n; k++)
            free(files.v[k]);
        free(files.v);
        return EXIT_SOME_FAILED;
    }
    c.d = &d;
    item batch[BATCH] = {0};
    size_t nb = 0;
    bool ok = true;
    progress *prog = progress_new("adding", files.n);
    for (size_t k = 0; k < files.n; k++) {
        if (!ok) {
            free(files.v[k]);
            continue;
        }
        batch[nb].path = files.v[k];
        progress_pause(prog);
        ok = hash_item(&c, &batch[nb++]);
        progress_tick(prog);
        if (ok && nb == BATCH) {
            ok = flush(&c, batch, nb);
            nb = 0;
        }
    }
    if (ok && nb)
        ok = flush(&c, batch, nb);
    progress_done(prog);
    if (ok)
        db_analyze(&d, c.added);
    for (size_t k = 0; k < BATCH; k++)
        if (batch[k].path)
            free_item(&batch[k]);
    free(files.v);
    db_close(&d);
    failed += c.failed;
    printf("added %zu, known %zu, not Go %zu\n", c.added, c.known, c.not_go);
    return ok && !failed ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_add(int argc, char **argv)
{
    return cli_run("db add", CMD_DB_ADD, help, argc, argv, add);
}
