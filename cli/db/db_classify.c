/* db_classify.c - `malgopher db classify`: per file, the label of the
 * nearest labelled sample scoring at least the threshold, with its score
 * and the sample, or `unknown`. */
#include "db.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher db classify [--db URI] [--measure fuzzy|set] [-t T] [--json] [-r] [-j N]\n"
    "                             FILE|DIGEST...\n"
    "\n"
    "For each Go executable (or gimpfuzzy digest; gimpset digest with --measure\n"
    "set): PATH  LABEL  SCORE  SAMPLE, the nearest labelled sample scoring at\n"
    "least T (default 66 for fuzzy, 35 for set; ties: the oldest record), or\n"
    "PATH  unknown.\n"
    "\n"
    "  --measure M   fuzzy (default): gimpfuzzy; set: gimpset (README \"gimpset\")\n"
    "  --json   one object per file: {\"path\",\"label\",\"score\",\"sample\",\"gimphash\"}\n"
    "           (label, score and sample null when unknown)\n";

int db_classify(int argc, char **argv)
{
    const char *uri = NULL;
    bool recursive = false, json = false;
    unsigned jobs = default_jobs();
    int threshold = 0; /* 0: the measure's default */
    measure_kind measure = MEASURE_FUZZY;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int t = db_opt_uri("db classify", argc, argv, &i, &uri);
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
            if (!db_parse_threshold("db classify", v, &threshold))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--measure") || !strncmp(a, "--measure=", 10)) {
            if (!db_parse_measure("db classify", a[9] ? a + 10 : v, &measure))
                return EXIT_USAGE;
            i += !a[9];
        } else if (!strcmp(a, "-j")) {
            if (!db_parse_jobs("db classify", v, &jobs))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else
            return usage_error("db classify", "unknown option '%s'", a);
    }
    if (i >= argc)
        return usage_error("db classify", "no FILE or DIGEST given");
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
        bool found = set ? db_search_set(&d, q.v[k].gimpset, threshold, 1, true, &h, &nh)
                         : q.v[k].no_names || db_search(&d, q.v[k].gimpfuzzy, threshold, 1, true, &h, &nh);
        if (!found) {
            failed++;
            continue;
        }
        if (json) {
            fputs("{\"path\":", stdout);
            json_cstr(stdout, q.v[k].path);
            if (nh) {
                fputs(",\"label\":", stdout);
                json_cstr(stdout, h[0].label ? h[0].label : "");
                printf(",\"score\":%d,\"sample\":", h[0].score);
                json_cstr(stdout, h[0].path);
                fputs(",\"gimphash\":", stdout);
                json_cstr(stdout, h[0].gimphash);
                puts("}");
            } else
                puts(",\"label\":null,\"score\":null,\"sample\":null}");
        } else if (nh)
            printf("%s  %s  %d  %s\n", q.v[k].path, h[0].label ? h[0].label : "", h[0].score, h[0].path);
        else
            printf("%s  unknown\n", q.v[k].path);
        db_hits_free(h, nh);
    }
    fflush(stdout);
    samples_free(&q);
    db_close(&d);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
