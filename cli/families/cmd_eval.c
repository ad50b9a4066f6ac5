/* cmd_eval.c - `malgopher eval`: score the gimpfuzzy families against
 * known labels (homogeneity, completeness, V-measure), at one threshold or
 * over a sweep, next to two baselines on the same samples: grouping by
 * exact gimphash, and ssdeep of the whole file clustered the same way. */
#include "families/families.h"
#include "common/options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher eval --labels FILE [-r] [-q] [-j N] [--measure set|fuzzy] [--threshold T]\n"
    "                      [--sweep LO:HI:STEP] [--html FILE] [--no-baselines]\n"
    "                      [--files-from FILE [-0]] (PATH... | --from HASHES.jsonl)\n"
    "\n"
    "Cluster the samples as `malgopher cluster` does and score the families\n"
    "against the labels: homogeneity (each family holds one label), completeness\n"
    "(each label sits in one family) and their harmonic mean, the V-measure\n"
    "(Rosenberg & Hirschberg 2007).  Samples without a label are not scored.\n"
    "Two baselines are scored on the same samples: families of equal gimphash,\n"
    "and ssdeep of the whole file clustered at the same threshold; the other\n"
    "measure is scored at its own default threshold, in the same table.\n"
    "\n"
    "  --labels FILE        PATH<TAB>LABEL lines, or the corpus MANIFEST.tsv\n"
    "                       (its `file` and `family` columns); paths match by suffix\n"
    "  -r, --recursive      descend into directories\n"
    "  -q, --quiet          no line for a file that is not a Go executable\n"
    "  -j, --jobs N         hash with N threads (default: the number of CPUs)\n"
    "  --no-known           the --html report's family names without the\n"
    "                       known-programs reference (docs/known.md; not read)\n"
    "  --files-from FILE    also the paths listed in FILE, one a line (- = stdin)\n"
    "  -0, --null           with --files-from: the paths are NUL-separated\n"
    "  --from FILE          precomputed `malgopher hash --json` lines (the whole-file\n"
    "                       baseline then reads the files they name, when it can)\n"
    "  --measure M          set (default): gimpset, the estimated Jaccard similarity\n"
    "                       of the programs' own function-name sets (docs/spec/gimpset.md);\n"
    "                       fuzzy: gimpfuzzy, libfuzzy's fuzzy_compare (the published method)\n"
    "  -t, --threshold T    link pairs scoring >= T (default 35 for set, 66 for fuzzy)\n"
    "  --sweep LO:HI:STEP   score every threshold LO, LO+STEP, .. HI and name the best\n"
    "  --html FILE          write the self-contained HTML report\n"
    "  --no-baselines       skip the two baselines\n"
    "\n"
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error or wrong\n"
    "input (--from not `hash --json` output, labels matching no sample).\n";

static void row(const char *what, const char *t, const score_row *r)
{
    printf("%-18s %9s %9zu %12.4f %13.4f %10.4f\n", what, t, r->nfam, r->m.homogeneity, r->m.completeness,
           r->m.v_measure);
}

static const score_row *best_of(const score_row *r, size_t n)
{
    const score_row *b = NULL;
    for (size_t i = 0; i < n; i++)
        if (!b || r[i].m.v_measure > b->m.v_measure + 1e-12)
            b = &r[i];
    return b;
}

static void print_sweep(const char *name, const score_row *g, size_t n, const score_row *file)
{
    char head[64];
    snprintf(head, sizeof head, "%s: families  homog.  compl.  V-measure", name);
    printf("\n%9s  %-44s", "threshold", head);
    if (file)
        printf("  %s", "ssdeep of file: families  homog.  compl.  V-measure");
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        printf("%9d  %19zu  %6.4f  %6.4f  %9.4f", g[i].threshold, g[i].nfam, g[i].m.homogeneity,
               g[i].m.completeness, g[i].m.v_measure);
        if (file)
            printf("  %24zu  %6.4f  %6.4f  %9.4f", file[i].nfam, file[i].m.homogeneity, file[i].m.completeness,
                   file[i].m.v_measure);
        putchar('\n');
    }
}

/* scores at one threshold: a sweep of one row */
static bool at(const graph *g, const uint32_t *label_of, int t, score_row *r)
{
    score_row *rows;
    size_t n;
    if (!score_sweep(g, label_of, t, t, 1, &rows, &n))
        return false;
    *r = rows[0];
    free(rows);
    return true;
}

static int run(const cli_opts *o, sampleset *s, size_t failed)
{
    labels *l = labels_load(o->labels);
    if (!l)
        return EXIT_USAGE;
    size_t nlabelled;
    uint32_t *label_of = label_samples(s, l, &nlabelled);
    if (label_of && !nlabelled) { /* nothing to score: not a V-measure of 1 */
        report_error(o->labels, s->n ? "labels match no sample" : "no samples to score");
        free(label_of);
        labels_free(l);
        return EXIT_USAGE;
    }
    graph g = {0}, fg = {0}, og = {0};
    bool set = o->measure == MEASURE_SET, have_og = false;
    const char *mname = set ? "gimpset" : "gimpfuzzy", *oname = set ? "gimpfuzzy" : "gimpset";
    int ot = set ? MG_DEFAULT_THRESHOLD : MG_DEFAULT_THRESHOLD_SET; /* the other measure at its default */
    score_row other_row = {0}, *osweep = NULL;
    size_t nosweep = 0;
    families f = {0};
    bool have_g = false, have_fg = false, have_f = false, ok = label_of != NULL;
    score_row main_row = {0}, exact = {0}, file_row = {0}, *sweep = NULL, *fsweep = NULL;
    size_t nsweep = 0, nfsweep = 0;
    int lo = o->sweep ? o->lo : 5, hi = o->sweep ? o->hi : 100, step = o->sweep ? o->step : 5;
    int need = o->sweep || o->html ? (lo < o->threshold ? lo : o->threshold) : o->threshold;
    ok = ok && (have_g = graph_build(&g, s, set ? SRC_GIMPSET : SRC_GIMPFUZZY, o->jobs, need));
    int oneed = o->sweep || o->html ? (lo < ot ? lo : ot) : ot;
    ok = ok && (have_og = graph_build(&og, s, set ? SRC_GIMPFUZZY : SRC_GIMPSET, o->jobs, oneed)) &&
         at(&og, label_of, ot, &other_row);
    ok = ok && (have_f = families_at(&f, &g, o->threshold)) && at(&g, label_of, o->threshold, &main_row);
    bool baselines = ok && !o->no_baselines;
    if (baselines)
        ok = score_exact(s, label_of, &exact);
    if (baselines && ok) {
        size_t bad = samples_filefuzzy(s, o->jobs);
        if (bad) {
            fprintf(stderr, "malgopher: eval: %zu file(s) could not be read: no ssdeep-of-file baseline\n", bad);
            have_fg = false;
        } else
            ok = (have_fg = graph_build(&fg, s, SRC_FILE, o->jobs, need)) && at(&fg, label_of, o->threshold, &file_row);
    }
    if (ok && (o->sweep || o->html))
        ok = score_sweep(&g, label_of, lo, hi, step, &sweep, &nsweep) &&
             (!have_fg || score_sweep(&fg, label_of, lo, hi, step, &fsweep, &nfsweep)) &&
             score_sweep(&og, label_of, lo, hi, step, &osweep, &nosweep);
    if (ok) {
        size_t nl = 0; /* labels that some sample has */
        bool *used = calloc(labels_count(l) + 1, sizeof *used);
        for (size_t k = 0; used && k < s->n; k++)
            if (label_of[k] != UINT32_MAX && !used[label_of[k]]) {
                used[label_of[k]] = true;
                nl++;
            }
        free(used);
        printf("samples: %zu (%zu labelled, %zu labels)\n", s->n, nlabelled, nl);
        printf("%-18s %9s %9s %12s %13s %10s\n", "", "threshold", "families", "homogeneity", "completeness",
               "V-measure");
        char t[16];
        snprintf(t, sizeof t, "%d", o->threshold);
        row(mname, t, &main_row);
        char t2[16];
        snprintf(t2, sizeof t2, "%d", ot);
        row(oname, t2, &other_row);
        if (baselines)
            row("exact gimphash", "-", &exact);
        if (have_fg)
            row("ssdeep of file", t, &file_row);
        if (o->sweep) {
            print_sweep(mname, sweep, nsweep, fsweep);
            const score_row *b = best_of(sweep, nsweep);
            printf("\nbest: %s V-measure %.4f at threshold %d", mname, b->m.v_measure, b->threshold);
            int last = b->threshold;
            for (size_t i = 0; i < nsweep; i++)
                if (sweep[i].threshold > b->threshold && sweep[i].m.v_measure >= b->m.v_measure - 1e-12)
                    last = sweep[i].threshold;
            if (last != b->threshold)
                printf(" (the same up to %d)", last);
            if (fsweep) {
                const score_row *fb = best_of(fsweep, nfsweep);
                printf("; ssdeep of file %.4f at %d", fb->m.v_measure, fb->threshold);
            }
            if (baselines)
                printf("; exact gimphash %.4f", exact.m.v_measure);
            putchar('\n');
        }
    }
    if (ok && o->html) {
        report r = {s, &g, &f, o->threshold, l, label_of, sweep, nsweep, fsweep, nfsweep,
                    baselines ? &exact : NULL, &main_row, mname, osweep, nosweep, oname};
        ok = report_html_write(o->html, &r);
        if (ok)
            text_line(stdout, "report: %s", o->html);
    }
    free(sweep);
    free(fsweep);
    free(osweep);
    if (have_f)
        families_free(&f);
    if (have_g)
        graph_free(&g);
    if (have_fg)
        graph_free(&fg);
    if (have_og)
        graph_free(&og);
    free(label_of);
    labels_free(l);
    return !ok || failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

static int eval(const cli_opts *o)
{
    if (!o->labels)
        return usage_error("eval", "--labels FILE is required");
    if (!cli_paths_or_from(o))
        return EXIT_USAGE;
    sampleset s = {0};
    size_t failed = 0;
    int rc;
    if (o->from && !samples_from_jsonl(&s, o->from))
        rc = EXIT_USAGE;
    else {
        if (!o->from)
            failed = samples_from_paths(&s, o->args, o->nargs, o->recursive, o->jobs, o->quiet);
        rc = run(o, &s, failed);
    }
    samples_free(&s);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    return cli_run("eval", CMD_EVAL, help, argc, argv, eval);
}
