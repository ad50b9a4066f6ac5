/* cmd_match.c - `malgopher match --db HASHES.jsonl FILE...`: the nearest
 * known samples of each file, found through the similarity index over the
 * database's gimpfuzzy digests. */
#include "families.h"
#include "options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher match --db HASHES.jsonl [-t T] [-k K] [--json] [-r] [-j N] PATH...\n"
    "\n"
    "For each Go executable, print the known samples of the database (the\n"
    "output of `malgopher hash --json`) whose gimpset (or gimpfuzzy) scores at least T\n"
    "against it, best first:  SCORE  KNOWN-PATH  (a \"PATH\" line first).\n"
    "\n"
    "  --db FILE           the known samples (JSON Lines of `malgopher hash --json`)\n"
    "  --measure M         set (default): gimpset, the estimated Jaccard similarity\n"
    "                      of the programs' own function-name sets (README \"gimpset\");\n"
    "                      fuzzy: gimpfuzzy, libfuzzy's fuzzy_compare (the published method)\n"
    "  -t, --threshold T   smallest score shown (default 35 for set, 66 for fuzzy)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"gimpset\" (or \"gimpfuzzy\"),\"matches\":[..]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -j N                hash with N threads (default: the number of CPUs)\n"
    "\n"
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error.\n";

/* the nearest known samples of each sample o names */
static int match(const cli_opts *o)
{
    sampleset known = {0}, q = {0};
    if (!samples_from_jsonl(&known, o->db)) {
        samples_free(&known);
        return EXIT_SOME_FAILED;
    }
    size_t failed = samples_from_paths(&q, o->args, o->nargs, o->recursive, o->jobs);
    const char **dig = calloc(known.n ? known.n : 1, sizeof *dig);
    mg_simindex *ix = NULL;
    mg_setindex *six = NULL;
    bool set = o->measure == MEASURE_SET;
    mg_error e;
    int rc = EXIT_SOME_FAILED;
    if (!dig)
        goto out;
    for (size_t k = 0; k < known.n; k++)
        dig[k] = set ? known.v[k].gimpset : known.v[k].no_names ? NULL : known.v[k].gimpfuzzy;
    if (set ? mg_setindex_build(dig, known.n, &six, &e) != MG_OK : mg_simindex_build(dig, known.n, &ix, &e) != MG_OK) {
        report_error(o->db, e.msg);
        goto out;
    }
    rc = failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
    for (size_t k = 0; k < q.n; k++) {
        mg_hit *hits = NULL;
        size_t nh = 0;
        mg_status qs = set ? mg_setindex_query(six, q.v[k].gimpset, o->threshold, &hits, &nh, &e)
                       : q.v[k].no_names ? MG_OK
                                         : mg_simindex_query(ix, q.v[k].gimpfuzzy, o->threshold, &hits, &nh, &e);
        if (qs != MG_OK) {
            report_error(q.v[k].path, e.msg);
            rc = EXIT_SOME_FAILED;
            continue;
        }
        if (o->top > 0 && nh > (size_t)o->top)
            nh = (size_t)o->top;
        if (o->fmt == OUT_JSON) {
            fputs("{\"path\":", stdout);
            json_cstr(stdout, q.v[k].path);
            fputs(set ? ",\"gimpset\":" : ",\"gimpfuzzy\":", stdout);
            json_cstr(stdout, set ? q.v[k].gimpset : q.v[k].gimpfuzzy);
            fputs(",\"matches\":[", stdout);
            for (size_t h = 0; h < nh; h++) {
                printf("%s{\"score\":%d,\"path\":", h ? "," : "", hits[h].score);
                json_cstr(stdout, known.v[hits[h].index].path);
                fputs(",\"gimphash\":", stdout);
                json_cstr(stdout, known.v[hits[h].index].gimphash);
                putchar('}');
            }
            puts("]}");
        } else {
            printf("%s%s\n", q.v[k].path, nh ? "" : "  (no match)");
            for (size_t h = 0; h < nh; h++)
                printf("  %3d  %s\n", hits[h].score, known.v[hits[h].index].path);
        }
        free(hits);
    }
out:
    fflush(stdout);
    mg_simindex_free(ix);
    mg_setindex_free(six);
    free(dig);
    samples_free(&known);
    samples_free(&q);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(&o, "match", CMD_MATCH, help, argc, argv);
    if (rc >= 0)
        return rc;
    if (!o.db)
        rc = usage_error("match", "--db HASHES.jsonl is required");
    else
        rc = cli_want_args(&o, 1, -1, "PATH") ? match(&o) : EXIT_USAGE;
    cli_opts_free(&o);
    return rc;
}
