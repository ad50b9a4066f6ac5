/* db_import.c - `malgopher db import FILE`: store records from
 * `malgopher hash --json` lines (or `db export` lines, which add sha256
 * and the rest).  A feed may come from someone else: a line is a record
 * or a bad line, never a reason to open the file it names (a line without
 * "sha256" is a bad line), and a line longer than MAX_LINE is refused
 * without being kept; slices of a fat file are consecutive lines of one
 * path. */
#include "db/db.h"
#include "families/families.h"
#include "util/hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db import [--db URI] FILE\n"
    "\n"
    "Store the records of FILE (- for stdin): JSON Lines of `malgopher hash --json`\n"
    "or `malgopher db export`.  A line without \"sha256\" is a bad line (the file\n"
    "it names is never read: `db add` it), and so is a line over 1 MiB.\n"
    "Prints `added N, known M, not Go 0` (records).\n";

/* records a transaction: a generation of ids (DB_GRAM_GEN), so a batch
 * writes about one posting per distinct token of a generation where four
 * batches of 4,096 wrote up to four (BENCHMARKS.md "Import in generations") */
#define BATCH 16384
/* the longest line kept (a record is a few hundred bytes; its path at most
 * a few KiB) */
#define MAX_LINE (1u << 20)

/* the next line of in into buf (MAX_LINE + 2 bytes, NUL-terminated, with
 * its newline): 1 a line, 0 end of input, -1 a line over MAX_LINE (read to
 * its end and dropped: memory stays bounded whatever the line), -2 a line
 * holding a NUL byte (no JSON line does) */
static int read_line(FILE *in, char *buf, size_t *len)
{
    size_t n = 0;
    bool nul = false;
    int c;
    while ((c = getc_unlocked(in)) != EOF) {
        if (n <= MAX_LINE)
            buf[n] = (char)c;
        n++;
        nul |= c == 0;
        if (c == '\n')
            break;
    }
    if (!n)
        return 0;
    *len = n <= MAX_LINE ? n : MAX_LINE;
    buf[*len] = 0;
    return n > MAX_LINE ? -1 : nul ? -2 : 1;
}

typedef struct line_rec {
    record r;
    uint32_t slots[MG_GIMPSET_K]; /* the gimpset decoded (r.slots, set as the batch is written:
                                     a line_rec moves) */
    bool has_slots;
    char *path;
    char arch[32], go_version[48], os[32], container[16];
    char *label;
    int64_t lineno;
} line_rec;

static int64_t get_int(const char *line, const char *key, int64_t dflt)
{
    /* numbers are unquoted: find "key": and read digits */
    char pat[48];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p)
        return dflt;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return dflt;
    return strtoll(p, NULL, 10);
}

static void free_rec(line_rec *x)
{
    free(x->path);
    free(x->label);
    free(x->r.build);
    memset(x, 0, sizeof *x);
}

/* the writes of one transaction (db_write): the lines b->v, b->n, their
 * records put at once (records_put), then their labels */
static bool write_batch(db *d, db_batch *b)
{
    line_rec *v = b->v;
    char now[32];
    db_now(now);
    const record **r = malloc((b->n ? b->n : 1) * sizeof *r);
    int *rc = malloc((b->n ? b->n : 1) * sizeof *rc);
    bool ok = r && rc;
    if (!ok)
        snprintf(d->err, sizeof d->err, "out of memory");
    for (size_t k = 0; ok && k < b->n; k++) {
        v[k].r.slots = v[k].has_slots ? v[k].slots : NULL;
        r[k] = &v[k].r;
    }
    ok = ok && records_put(d, r, b->n, rc);
    for (size_t k = 0; ok && k < b->n; k++) {
        line_rec *x = &v[k];
        if (x->label) {
            int64_t id = record_find(d, x->r.sha256, x->r.slice);
            ok = id > 0 && record_label(d, id, x->label, now);
        }
        ++*(rc[k] == 1 ? &b->added : &b->known);
    }
    free(r);
    free(rc);
    return ok;
}

static bool flush(db *d, line_rec *v, size_t n, size_t *added, size_t *known)
{
    db_batch b = {.v = v, .n = n};
    if (!db_write(d, write_batch, &b))
        return false;
    *added += b.added;
    *known += b.known;
    return true;
}

static int import(const cli_opts *o)
{
    if (o->nargs > 1)
        return usage_error(o->cmd, "one FILE only");
    if (!o->nargs)
        return usage_error(o->cmd, "no FILE given");
    const char *file = o->args[0];
    FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!in) {
        report_error(file, strerror(errno));
        return EXIT_SOME_FAILED;
    }
    db d;
    if (!db_open(&d, o->db)) {
        if (in != stdin)
            fclose(in);
        return EXIT_SOME_FAILED;
    }
    /* SQLite: past a few hundred thousand records the random-key indexes
     * (sha256, digest_exact, path) outgrow the writers' 64 MB cache and
     * every batch reads and writes them back through the OS: 256 MB keeps
     * them at a million (BENCHMARKS.md "Records inserted as one set") */
    if (!strcmp(d.be->name, "sqlite") && !db_exec(&d, "PRAGMA cache_size=-262144", NULL, 0)) {
        if (in != stdin)
            fclose(in);
        db_close(&d);
        return EXIT_SOME_FAILED;
    }
    line_rec *v = calloc(BATCH + 1, sizeof *v); /* +1: the line read ahead */
    char *line = malloc(MAX_LINE + 2), prev_path[4200] = "";
    size_t nv = 0, added = 0, known = 0, failed = 0, len;
    int64_t lineno = 0;
    bool ok = v && line;
    for (int got; ok && (got = read_line(in, line, &len)) != 0;) {
        lineno++;
        if (got < 0) {
            text_line(stderr, "malgopher: %s:%lld: %s", file, (long long)lineno,
                      got == -1 ? "line longer than 1 MiB (refused)" : "not a `malgopher hash --json` line (a NUL byte)");
            failed++;
            if (lineno == 1 && got == -2)
                break; /* a binary, not JSON Lines at all: one message */
            continue;
        }
        if (len <= 1 || (len == 2 && line[0] == '\r'))
            continue; /* an empty line */
        if (line[0] != '{') {
            text_line(stderr, "malgopher: %s:%lld: not a `malgopher hash --json` line", file, (long long)lineno);
            failed++;
            if (lineno == 1)
                break; /* not JSON Lines at all: one message, nothing stored */
            continue;
        }
        line_rec *x = &v[nv];
        char path[4200], sha[80] = "", label[1024];
        if (!json_get_str(line, "path", path, sizeof path) ||
            !json_get_str(line, "gimphash", x->r.gimphash, sizeof x->r.gimphash) ||
            !json_get_str(line, "gimpfuzzy", x->r.gimpfuzzy, sizeof x->r.gimpfuzzy)) {
            text_line(stderr, "malgopher: %s:%lld: not a `malgopher hash --json` line", file, (long long)lineno);
            failed++;
            memset(&x->r, 0, sizeof x->r);
            continue;
        }
        int decoded = 0;
        if (!json_get_str(line, "gimpset", x->r.gimpset, sizeof x->r.gimpset))
            x->r.gimpset[0] = 0; /* an older line: no gimpset */
        else if (x->r.gimpset[0] && (decoded = mg_gimpset_decode(x->r.gimpset, x->slots)) < 0) {
            text_line(stderr, "malgopher: %s:%lld: \"gimpset\" is not a gimpset digest", file, (long long)lineno);
            failed++;
            memset(&x->r, 0, sizeof x->r);
            continue;
        }
        int64_t size = get_int(line, "size", 0);
        if (!json_get_str(line, "sha256", sha, sizeof sha)) { /* the file it names is never opened */
            text_line(stderr, "malgopher: %s:%lld: no \"sha256\" (db import reads no file a line names: db add it)",
                      file, (long long)lineno);
            failed++;
            continue;
        }
        if (!mg_is_lower_hex(sha, 64)) {
            text_line(stderr, "malgopher: %s:%lld: \"sha256\" is not 64 lower-case hex digits", file, (long long)lineno);
            failed++;
            continue;
        }
        memcpy(x->r.sha256, sha, 65);
        x->path = strdup(path);
        x->lineno = lineno;
        if (!json_get_str(line, "arch", x->arch, sizeof x->arch))
            x->arch[0] = 0;
        if (!json_get_str(line, "go_version", x->go_version, sizeof x->go_version))
            x->go_version[0] = 0;
        x->r.os = json_get_str(line, "os", x->os, sizeof x->os) ? x->os : NULL;
        x->r.container = json_get_str(line, "container", x->container, sizeof x->container) ? x->container : NULL;
        x->label = json_get_str(line, "label", label, sizeof label) ? strdup(label) : NULL;
        x->r.slice = get_int(line, "slice", 0);
        x->r.size = size;
        x->has_slots = decoded == 1;
        x->r.path = x->path;
        x->r.arch = x->arch;
        x->r.go_version = x->go_version;
        x->r.functions = get_int(line, "functions", 0);
        x->r.names = get_int(line, "names", 0);
        x->r.no_names = json_get_bool(line, "no_names");
        x->r.partial = json_get_bool(line, "partial");
        /* a slice: the suffix given, else consecutive lines of one path */
        if (!json_get_str(line, "suffix", x->r.suffix, sizeof x->r.suffix)) {
            x->r.suffix[0] = 0;
            bool twin = nv > 0 && !strcmp(prev_path, path);
            if (twin) {
                snprintf(x->r.suffix, sizeof x->r.suffix, ":%s", x->arch[0] ? x->arch : "unknown");
                line_rec *p = &v[nv - 1];
                if (!p->r.suffix[0])
                    snprintf(p->r.suffix, sizeof p->r.suffix, ":%s", p->arch[0] ? p->arch : "unknown");
            }
        }
        snprintf(prev_path, sizeof prev_path, "%s", path);
        if (!x->path) {
            ok = false;
            break;
        }
        nv++;
        /* keep the last line back: its twin may be the next line */
        if (nv == BATCH + 1) {
            ok = flush(&d, v, BATCH, &added, &known);
            for (size_t k = 0; k < BATCH; k++)
                free_rec(&v[k]);
            v[0] = v[BATCH];
            memset(&v[BATCH], 0, sizeof v[BATCH]);
            nv = 1;
        }
    }
    if (ok && nv)
        ok = flush(&d, v, nv, &added, &known);
    if (ok)
        db_analyze(&d, added);
    for (size_t k = 0; v && k < nv; k++)
        free_rec(&v[k]);
    free(v);
    free(line);
    if (in != stdin)
        fclose(in);
    db_close(&d);
    printf("added %zu, known %zu, not Go 0\n", added, known);
    return ok && !failed ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_import(int argc, char **argv)
{
    return cli_run("db import", CMD_DB_IMPORT, help, argc, argv, import);
}
