/* db_stats.c - `malgopher db stats`: how many samples, how many of them
 * labelled, how many distinct labels (text or JSON). */
#include "db/db.h"

static const char help[] =
    "usage: malgopher db stats [--db URI] [--json]\n"
    "\n"
    "Print the number of samples (records), labelled samples and distinct labels;\n"
    "--json: {\"samples\": N, \"labelled\": L, \"labels\": K, \"files\": F, \"backend\": B, \"schema\": V}.\n";

static int stats(const cli_opts *o)
{
    db d;
    if (!db_open(&d, o->db))
        return EXIT_SOME_FAILED;
    int64_t samples, labelled, labels, files;
    bool ok = db_int(&d, "SELECT count(*) FROM samples", NULL, 0, &samples) &&
              db_int(&d, "SELECT count(*) FROM samples WHERE label IS NOT NULL", NULL, 0, &labelled) &&
              db_int(&d, "SELECT count(DISTINCT label) FROM samples", NULL, 0, &labels) &&
              db_int(&d, "SELECT count(DISTINCT sha256) FROM samples", NULL, 0, &files);
    if (!ok)
        db_report(&d);
    else if (o->fmt == OUT_JSON) {
        printf("{\"samples\": %lld, \"labelled\": %lld, \"labels\": %lld, \"files\": %lld, \"backend\": \"%s\", "
               "\"schema\": %d}\n",
               (long long)samples, (long long)labelled, (long long)labels, (long long)files, d.be->name,
               DB_SCHEMA_VERSION);
    } else {
        printf("samples:   %lld\nlabelled:  %lld\nlabels:    %lld\nfiles:     %lld\n", (long long)samples,
               (long long)labelled, (long long)labels, (long long)files);
        printf("backend:   %s (schema %d)\n", d.be->name, DB_SCHEMA_VERSION);
    }
    db_close(&d);
    return ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}

int db_stats(int argc, char **argv)
{
    return cli_run("db stats", CMD_DB_STATS, help, argc, argv, stats);
}
