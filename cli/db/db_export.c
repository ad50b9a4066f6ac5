/* db_export.c - `malgopher db export`: one `hash --json` line per record
 * (oldest first), with the record's sha256, size, suffix, label and dates,
 * so that `match --db` over the export finds what `db match` finds and
 * `db import` reads it back. */
#include "db/db.h"

#include <string.h>

static const char help[] =
    "usage: malgopher db export [--db URI]\n"
    "\n"
    "Print every record as a `malgopher hash --json` line (oldest first, with its\n"
    "\"gimpset\" when the record has one) with\n"
    "\"sha256\", \"size\", \"suffix\", \"os\", \"container\", \"label\", \"first_seen\"\n"
    "and \"last_seen\" added.\n";

static void field_str(const char *key, const char *v)
{
    printf(",\"%s\":", key);
    if (v)
        json_cstr(stdout, v);
    else
        fputs("null", stdout);
}

/* an integer as JSON writes it: an optional '-' and 1 to 19 digits */
static bool is_int(const char *v)
{
    size_t k = v && *v == '-';
    size_t n = v ? strspn(v + k, "0123456789") : 0;
    return v && n >= 1 && n <= 19 && !v[k + n];
}

/* the integer columns, by position in the SELECT below */
static const struct {
    int col;
    const char *name;
} int_cols[] = {{2, "slice"}, {6, "functions"}, {7, "names"}, {11, "size"}};

typedef struct export_ctx {
    size_t row;
    bool bad;
} export_ctx;

/* every value is written by its JSON type: strings through json_str, and
 * an integer column only when it holds an integer (SQLite stores what it
 * is given: text there would forge fields or records) */
static bool export_row(const char *const *c, int n, void *ctx)
{
    export_ctx *x = ctx;
    x->row++;
    if (n < 19)
        return true;
    for (size_t k = 0; k < sizeof int_cols / sizeof *int_cols; k++)
        if (c[int_cols[k].col] && !is_int(c[int_cols[k].col])) {
            char why[160];
            snprintf(why, sizeof why, "record %zu: %s is not an integer (refused: a crafted collection?)", x->row,
                     int_cols[k].name);
            report_problem(why);
            x->bad = true;
            return false;
        }
    fputs("{\"path\":", stdout);
    json_cstr(stdout, c[0] ? c[0] : "");
    field_str("arch", c[1] ? c[1] : "");
    printf(",\"slice\":%s", c[2] ? c[2] : "0");
    field_str("gimphash", c[3] ? c[3] : "");
    field_str("gimpfuzzy", c[4] ? c[4] : "");
    if (c[18]) /* as hash --json writes it; none for a record of schema 1 */
        field_str("gimpset", c[18]);
    field_str("go_version", c[5] ? c[5] : "");
    printf(",\"functions\":%s,\"names\":%s,\"no_names\":%s,\"partial\":%s", c[6] ? c[6] : "0", c[7] ? c[7] : "0",
           c[8] && strcmp(c[8], "0") ? "true" : "false", c[9] && strcmp(c[9], "0") ? "true" : "false");
    field_str("sha256", c[10]);
    printf(",\"size\":%s", c[11] ? c[11] : "0");
    field_str("suffix", c[12] ? c[12] : "");
    field_str("os", c[13]);
    field_str("container", c[14]);
    field_str("label", c[15]);
    field_str("first_seen", c[16]);
    field_str("last_seen", c[17]);
    puts("}");
    return !out_failed(); /* no use going on when standard output failed */
}

static int export(const cli_opts *o)
{
    db d;
    export_ctx x = {0};
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    bool ok = db_rows(&d,
                      "SELECT path, arch, slice, gimphash, gimpfuzzy, go_version, functions, names, no_names,"
                      " partial, sha256, size, suffix, os, container, label, first_seen, last_seen, gimpset"
                      " FROM samples ORDER BY id",
                      NULL, 0, export_row, &x);
    if (!ok)
        db_report(&d);
    ok = ok && !x.bad;
    db_close(&d);
    out_flush(stdout);
    return ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_export(int argc, char **argv)
{
    return cli_run("db export", CMD_DB_EXPORT, help, argc, argv, export);
}
