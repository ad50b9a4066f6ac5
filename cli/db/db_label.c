/* db_label.c - `malgopher db label SHA256|PATH LABEL`: set the label of a
 * sample (every slice of the file), keeping who set it and when. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db label [--db URI] SHA256|PATH LABEL\n"
    "\n"
    "Label the sample with this file sha256, or seen under this path (PATH:ARCH\n"
    "for one slice of a fat file).  The label history keeps who and when.\n";

typedef struct ids {
    int64_t v[256];
    size_t n;
} ids;

static bool id_row(const char *const *c, int n, void *ctx)
{
    ids *s = ctx;
    if (n && c[0] && s->n < sizeof s->v / sizeof *s->v)
        s->v[s->n++] = strtoll(c[0], NULL, 10);
    return true;
}

static bool is_sha256(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF");
    return n == 64 && !s[n];
}

static int label(const cli_opts *o)
{
    if (o->nargs > 2)
        return usage_error(o->cmd, "too many arguments");
    if (o->nargs < 2 || !*o->args[1])
        return usage_error(o->cmd, "SHA256|PATH and LABEL are required");
    char *const *arg = o->args;
    db d;
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    ids s = {0};
    char sha[65];
    snprintf(sha, sizeof sha, "%s", arg[0]);
    for (char *p = sha; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    db_param p[] = {PT(is_sha256(arg[0]) ? sha : arg[0])};
    bool ok = is_sha256(arg[0])
                  ? db_rows(&d, "SELECT id FROM samples WHERE sha256 = $1 ORDER BY id", p, 1, id_row, &s)
                  : db_rows(&d,
                            "SELECT id FROM samples WHERE id IN (SELECT sample_id FROM sample_paths WHERE path = $1)"
                            " AND suffix = '' UNION SELECT id FROM samples WHERE path || suffix = $1 ORDER BY id",
                            p, 1, id_row, &s);
    int rc = EXIT_SOME_FAILED;
    char now[32];
    db_now(now);
    if (!ok)
        db_report(&d);
    else if (!s.n)
        report_error(arg[0], "not in the collection");
    else if (!db_begin(&d))
        db_report(&d);
    else {
        for (size_t k = 0; ok && k < s.n; k++)
            ok = record_label(&d, s.v[k], arg[1], now);
        if (ok && db_commit(&d)) {
            text_line(stdout, "%s: %s (%zu sample%s)", arg[0], arg[1], s.n, s.n == 1 ? "" : "s");
            rc = EXIT_ALL_OK;
        } else {
            db_report(&d);
            db_rollback(&d);
        }
    }
    db_close(&d);
    return rc;
}

int db_label(int argc, char **argv)
{
    return cli_run("db label", CMD_DB_LABEL, help, argc, argv, label);
}
