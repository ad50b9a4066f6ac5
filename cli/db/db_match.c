/* db_match.c - `malgopher db match`: the nearest samples of the collection
 * for each file or digest, printed exactly as `malgopher match --db` prints
 * them (the same hits as `match --db` over `db export`). */
#include "db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db match [--db URI] [--measure fuzzy|set] [-t T] [-k K] [--json] [-r] [-j N]\n"
    "                          FILE|DIGEST...\n"
    "\n"
    "For each Go executable (or gimpfuzzy digest; gimpset digest with --measure\n"
    "set), print the samples of the collection whose gimpfuzzy (gimpset) scores\n"
    "at least T against it, best first: SCORE  KNOWN-PATH (a \"PATH\" line\n"
    "first), as `malgopher match --db` does.\n"
    "\n"
    "  --measure M         fuzzy (default) or set: gimpset, searched through the\n"
    "                      database's (slot, value) token index\n"
    "  -t, --threshold T   smallest score shown (default 66 for fuzzy, 35 for set)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"gimpfuzzy\" (or \"gimpset\"),\"matches\":[..]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -j N                hash with N threads (default: the number of CPUs)\n";

int db_match(int argc, char **argv)
{
    const char *uri = NULL;
    bool recursive = false, json = false;
    unsigned jobs = default_jobs();
    int threshold = 0; /* 0: the measure's default */
    measure_kind measure = MEASURE_FUZZY;
    long top = 5;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        int t = db_opt_uri("db match", argc, argv, &i, &uri);
        if (t < 0)
            return EXIT_USAGE;
        if (t)
            continue;
        if (is_help(a)) {
            fputs(help, stdout);
            return EXIT_ALL_OK;
        } else if (!strcmp(a, "-r") || !strcmp(a, "--recursive"))
            recursive = true;
        else if (!strcmp(a, "--json"))
            json = true;
        else if (!strcmp(a, "-t") || !strcmp(a, "--threshold")) {
            if (!db_parse_threshold("db match", v, &threshold))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "-k") || !strcmp(a, "--top")) {
            if (!v || (top = strtol(v, &end, 10)) < 0 || *end)
                return usage_error("db match", "-k wants a count >= 0, not '%s'", v ? v : "");
            i++;
        } else if (!strcmp(a, "--measure") || !strncmp(a, "--measure=", 10)) {
            if (!db_parse_measure("db match", a[9] ? a + 10 : v, &measure))
                return EXIT_USAGE;
            i += !a[9];
        } else if (!strcmp(a, "-j")) {
            if (!db_parse_jobs("db match", v, &jobs))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else
            return usage_error("db match", "unknown option '%s'", a);
    }
    if (i >= argc)
        return usage_error("db match", "no FILE or DIGEST given");
    threshold = db_threshold(measure, threshold);
    bool set = measure == MEASURE_SET;
    db d;
    if (!db_open(&d, uri))
        return EXIT_SOME_FAILED;
    sampleset q = {0};
    size_t failed = query_samples(&q, argv + i, argc - i, recursive, jobs);
    for (size_t k = 0; k < q.n; k++) {
        db_hit *h = NULL;
        size_t nh = 0;
        bool found = set ? db_search_set(&d, q.v[k].gimpset, threshold, (size_t)top, false, &h, &nh)
                         : q.v[k].no_names || db_search(&d, q.v[k].gimpfuzzy, threshold, (size_t)top, false, &h, &nh);
        if (!found) {
            failed++;
            if (d.retry || !d.conn)
                break;
            continue;
        }
        match_line *m = calloc(nh ? nh : 1, sizeof *m);
        for (size_t j = 0; m && j < nh; j++)
            m[j] = (match_line){h[j].score, h[j].path, h[j].gimphash};
        if (m)
            print_matches(stdout, json, q.v[k].path, set ? "gimpset" : "gimpfuzzy",
                          set ? q.v[k].gimpset : q.v[k].gimpfuzzy, m, nh);
        else
            failed++;
        free(m);
        db_hits_free(h, nh);
    }
    fflush(stdout);
    samples_free(&q);
    db_close(&d);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
