/* cmd_match.c - `malgopher match --db HASHES.jsonl FILE...`: the nearest
 * known samples of each file, found through the similarity index over the
 * database's gimpset digests (--measure set) or gimpfuzzy digests. */
#include "families/families.h"
#include "common/options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher match --db HASHES.jsonl [--measure fuzzy|set] [-t T] [-k K] [--json]\n"
    "                       [-r] [-q] [-j N] [--files-from FILE [-0]] (PATH | DIGEST)...\n"
    "\n"
    "For each Go executable, print the known samples of the database (the\n"
    "output of `malgopher hash --json`) whose gimpfuzzy (or gimpset) scores at\n"
    "least T against it, best first:  SCORE  KNOWN-PATH  (a \"PATH\" line first).\n"
    "An argument that is no file but a digest (an ssdeep digest BLOCKSIZE:SIG1:SIG2\n"
    "as `hash` prints it, or a gimpset gs1:256:... with --measure set) is looked\n"
    "up as it is, as `compare` takes it.\n"
    "\n"
    "  --db FILE           the known samples (JSON Lines of `malgopher hash --json`)\n"
    "  --measure M         fuzzy (default): gimpfuzzy, libfuzzy's fuzzy_compare, the\n"
    "                      measure `db match` searches too; set: gimpset, the\n"
    "                      estimated Jaccard similarity of the programs' own\n"
    "                      function-name sets (docs/spec/gimpset.md)\n"
    "  -t, --threshold T   smallest score shown (default 66 for fuzzy, 35 for set)\n"
    "  -k, --top K         at most K matches per file (default 5, 0 = all)\n"
    "  --json              one object per file: {\"path\",\"gimpfuzzy\" (or \"gimpset\"),\"matches\":[..]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable\n"
    "  -j, --jobs N        hash with N threads (default: the number of CPUs)\n"
    HELP_FILES_FROM
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error or a\n"
    "--db that is not `hash --json` output.\n";

/* a sample argument that is no file but a digest of the measure */
static bool is_digest_arg(const char *arg, bool set)
{
    return !sample_exists(arg) && (set ? is_gimpset_digest(arg) : is_ssdeep_digest(arg));
}

/* the nearest known samples of each sample o names */
static int match(const cli_opts *o)
{
    if (!o->db)
        return usage_error("match", "--db HASHES.jsonl is required");
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    sampleset known = {0}, q = {0};
    if (!samples_from_jsonl(&known, o->db)) {
        samples_free(&known);
        return EXIT_USAGE;
    }
    bool set = o->measure == MEASURE_SET;
    size_t failed = 0;
    for (int a = 0, b; a < o->nargs; a = b) { /* runs of files, and digests given as they are */
        if (is_digest_arg(o->args[a], set)) {
            failed += !samples_add_digest(&q, o->args[a]);
            b = a + 1;
            continue;
        }
        for (b = a; b < o->nargs && !is_digest_arg(o->args[b], set); b++)
            ;
        failed += samples_from_paths(&q, o->args + a, b - a, o->recursive, (unsigned)o->jobs, o->quiet);
    }
    const char **dig = calloc(known.n ? known.n : 1, sizeof *dig);
    mg_simindex *ix = NULL;
    mg_setindex *six = NULL;
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
        match_line *m = calloc(nh ? nh : 1, sizeof *m);
        for (size_t h = 0; m && h < nh; h++)
            m[h] = (match_line){hits[h].score, known.v[hits[h].index].path, known.v[hits[h].index].gimphash};
        if (m)
            print_matches(stdout, o->fmt == OUT_JSON, q.v[k].path, set ? "gimpset" : "gimpfuzzy",
                          set ? q.v[k].gimpset : q.v[k].gimpfuzzy, m, nh);
        else {
            report_error(q.v[k].path, mg_status_reason(MG_ERR_NOMEM));
            rc = EXIT_SOME_FAILED;
        }
        free(m);
        free(hits);
    }
out:
    out_flush(stdout);
    mg_simindex_free(ix);
    mg_setindex_free(six);
    free(dig);
    samples_free(&known);
    samples_free(&q);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    return cli_run("match", CMD_MATCH, help, argc, argv, match);
}
