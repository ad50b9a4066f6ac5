/* cmd_compare.c - `malgopher compare A B`: the 0-100 similarity of two
 * samples' gimpfuzzy digests (libfuzzy's fuzzy_compare) or gimpset digests
 * (mg_gimpset_compare), of files or of digests given literally. */
#include "common/options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher compare [-v] [--json] [--measure set|fuzzy] A B\n"
    "\n"
    "Print the similarity (0-100) of A and B and the measure that scored it\n"
    "(SCORE  MEASURE): by default, as cluster, the gimpset estimate of the\n"
    "Jaccard similarity of their function-name sets; with --measure fuzzy\n"
    "libfuzzy's fuzzy_compare of their gimpfuzzy digests.  Each of A and B is a\n"
    "Go executable (its first Go image; name a slice of a fat file as\n"
    "FILE:ARCH), an ssdeep digest (BLOCKSIZE:SIG1:SIG2) or a gimpset digest\n"
    "(gs1:256:...) given as is.  When one side has no digest of the measure\n"
    "(an ssdeep digest given), the other measure scores the pair and the line\n"
    "says so.\n"
    "\n"
    "  -v, --verbose     also print both digests and both scores (when known)\n"
    "  --json            {\"a\",\"b\",\"score\",\"measure\",\"threshold\":null[,\"note\"]}\n"
    "  --measure M       set (default) or fuzzy\n"
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

/* SCORE  MEASURE [(why)]; json: {"a","b","score","measure","threshold":null[,"note"]} */
static void print_score(const cli_opts *o, int score, const char *measure, const char *note)
{
    if (o->fmt == OUT_JSON) {
        fputs("{\"a\":", stdout);
        json_cstr(stdout, o->args[0]);
        fputs(",\"b\":", stdout);
        json_cstr(stdout, o->args[1]);
        printf(",\"score\":%d,\"measure\":\"%s\",\"threshold\":null", score, measure);
        if (note) {
            fputs(",\"note\":", stdout);
            json_cstr(stdout, note);
        }
        puts("}");
    } else if (note)
        printf("%d  %s  (%s)\n", score, measure, note);
    else
        printf("%d  %s\n", score, measure);
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
    bool set = o->measure == MEASURE_SET;
    const char *note = NULL;
    if (set && !have_set && have_fuzzy) { /* an ssdeep digest (or an old record) on one side */
        set = false;
        note = "no gimpset on both sides";
    } else if (!set && !have_fuzzy && have_set) {
        set = true;
        note = "no gimpfuzzy on both sides";
    }
    if (set ? !have_set : !have_fuzzy) {
        report_error(o->args[(set ? a.set[0] : a.fuzzy[0]) ? 1 : 0], "no gimpset or ssdeep digest on both sides");
        return EXIT_SOME_FAILED;
    }
    int fuzzy_score = have_fuzzy ? mg_fuzzy_compare(a.fuzzy, b.fuzzy) : -1;
    int set_score = have_set ? mg_gimpset_compare(a.set, b.set) : -1;
    int score = set ? set_score : fuzzy_score;
    if (score < 0) {
        report_error(o->args[0], set ? "malformed gimpset digest" : "malformed ssdeep digest");
        return EXIT_SOME_FAILED;
    }
    if (o->verbose && o->fmt != OUT_JSON) {
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
    print_score(o, score, set ? "gimpset" : "gimpfuzzy", note);
    return EXIT_ALL_OK;
}

int cmd_compare(int argc, char **argv)
{
    return cli_run("compare", CMD_COMPARE, help, argc, argv, compare_pair);
}
