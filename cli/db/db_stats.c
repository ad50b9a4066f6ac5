/* db_stats.c - `malgopher db stats`: how many samples, how many of them
 * labelled, how many distinct labels (text or JSON). */
#include "db.h"

#include <string.h>

static const char help[] =
    "usage: malgopher db stats [--db URI] [--json]\n"
    "\n"
    "Print the number of samples (records), labelled samples and distinct labels;\n"
    "--json: {\"samples\": N, \"labelled\": L, \"labels\": K, \"files\": F, \"backend\": B, \"schema\": V}.\n";

int db_stats(int argc, char **argv)
{
    const char *uri = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int rc;
        if (db_opt_common("db stats", help, argc, argv, &i, &uri, &rc)) {
            if (rc >= 0)
                return rc;
            continue;
        }
        if (!strcmp(argv[i], "--json"))
            json = true;
        else
            return usage_error("db stats", "unknown argument '%s'", argv[i]);
    }
    db d;
    if (!db_open(&d, uri))
        return EXIT_SOME_FAILED;
    int64_t samples, labelled, labels, files;
    bool ok = db_int(&d, "SELECT count(*) FROM samples", NULL, 0, &samples) &&
              db_int(&d, "SELECT count(*) FROM samples WHERE label IS NOT NULL", NULL, 0, &labelled) &&
              db_int(&d, "SELECT count(DISTINCT label) FROM samples", NULL, 0, &labels) &&
              db_int(&d, "SELECT count(DISTINCT sha256) FROM samples", NULL, 0, &files);
    if (!ok)
        db_report(&d);
    else if (json) {
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
