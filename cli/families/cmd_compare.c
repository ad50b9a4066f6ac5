/* cmd_compare.c - `malgopher compare A B`: the 0-100 similarity of two
 * samples' gimpfuzzy digests (libfuzzy's fuzzy_compare) or gimpset digests
 * (mg_gimpset_compare), of files or of digests given literally. */
#include "common/options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher compare [-v] [--measure fuzzy|set] A B\n"
    "\n"
    "Print the similarity (0-100) of A and B: by default libfuzzy's\n"
    "fuzzy_compare of their gimpfuzzy digests; with --measure set the gimpset\n"
    "estimate of the Jaccard similarity of their function-name sets.  Each of A\n"
    "and B is a Go executable (its first Go image; name a slice of a fat file as\n"
    "FILE:ARCH), an ssdeep digest (BLOCKSIZE:SIG1:SIG2) or a gimpset digest\n"
    "(gs1:256:...) given as is; two gimpset digests are scored by gimpset.\n"
    "\n"
    "  -v, --verbose     also print both digests and both scores (when known)\n"
    "  --measure M       fuzzy (default) or set\n"
    "\n"
    "exit status: 0 scored, 1 an input could not be read, 2 usage error.\n";

typedef struct digests {
    char fuzzy[160];           /* "" when not known */
    char set[MG_GIMPSET_LEN];  /* "" when not known */
} digests;

/* the digests named by arg into out; false after an error line */
static bool digest_of(const char *arg, digests *out)
{
    out->fuzzy[0] = out->set[0] = 0;
    if (!sample_exists(arg)) {
        if (is_gimpset_digest(arg)) {
            strcpy(out->set, arg);
            return true;
        }
        if (is_ssdeep_digest(arg)) {
            strcpy(out->fuzzy, arg);
            return true;
        }
        report_error(arg, "no such file, and not an ssdeep or gimpset digest");
        return false;
    }
    mg_file *f;
    size_t i;
    const char *why;
    if (!open_sample(arg, 0, &f, &i, &why)) {
        report_error(arg, why);
        return false;
    }
    const mg_image *im = mg_file_image(f, i);
    strcpy(out->fuzzy, im->gimpfuzzy);
    strcpy(out->set, im->gimpset);
    if (im->flags & MG_FLAG_NO_NAMES)
        report_error(arg, "no names (gimphash of empty input)");
    mg_file_close(f);
    return true;
}

/* the score of the two inputs of o */
static int compare_pair(const cli_opts *o)
{
    if (o->nargs != 2)
        return usage_error("compare", "want exactly two inputs (A B)");
    digests a, b;
    bool ok_a = digest_of(o->args[0], &a), ok_b = digest_of(o->args[1], &b);
    if (!ok_a || !ok_b)
        return EXIT_SOME_FAILED;
    bool have_fuzzy = a.fuzzy[0] && b.fuzzy[0], have_set = a.set[0] && b.set[0];
    bool set = o->measure_arg ? o->measure == MEASURE_SET : !have_fuzzy && have_set;
    if (set ? !have_set : !have_fuzzy) {
        report_error(o->args[have_fuzzy || (set ? a.set[0] : a.fuzzy[0]) ? 1 : 0],
                     set ? "no gimpset digest to compare" : "no ssdeep digest to compare");
        return EXIT_SOME_FAILED;
    }
    int fuzzy_score = have_fuzzy ? mg_fuzzy_compare(a.fuzzy, b.fuzzy) : -1;
    int set_score = have_set ? mg_gimpset_compare(a.set, b.set) : -1;
    int score = set ? set_score : fuzzy_score;
    if (score < 0) {
        report_error(o->args[0], set ? "malformed gimpset digest" : "malformed ssdeep digest");
        return EXIT_SOME_FAILED;
    }
    if (o->verbose) {
        if (a.fuzzy[0] || b.fuzzy[0]) {
            text_line(stdout, "%s  %s", a.fuzzy, o->args[0]);
            text_line(stdout, "%s  %s", b.fuzzy, o->args[1]);
        }
        if (a.set[0] || b.set[0]) {
            text_line(stdout, "%s  %s", a.set, o->args[0]);
            text_line(stdout, "%s  %s", b.set, o->args[1]);
        }
        if (fuzzy_score >= 0)
            printf("fuzzy %d\n", fuzzy_score);
        if (set_score >= 0)
            printf("set %d\n", set_score);
    }
    printf("%d\n", score);
    return EXIT_ALL_OK;
}

int cmd_compare(int argc, char **argv)
{
    return cli_run("compare", CMD_COMPARE, help, argc, argv, compare_pair);
}
