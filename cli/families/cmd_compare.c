/* cmd_compare.c - `malgopher compare A B`: the 0-100 similarity of two
 * samples' gimpfuzzy digests (or of two digests given literally), scored
 * by libfuzzy's fuzzy_compare. */
#include "options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher compare [-v] A B\n"
    "\n"
    "Print the similarity (0-100, libfuzzy's fuzzy_compare) of the gimpfuzzy\n"
    "digests of A and B.  Each of A and B is a Go executable (its first Go\n"
    "image; name a slice of a fat file as FILE:ARCH) or an ssdeep digest\n"
    "(BLOCKSIZE:SIG1:SIG2) given as is.\n"
    "\n"
    "  -v, --verbose   also print both digests\n"
    "\n"
    "exit status: 0 scored, 1 an input could not be read, 2 usage error.\n";

/* the digest named by arg into out; false after an error line */
static bool digest_of(const char *arg, char out[160])
{
    if (!sample_exists(arg) && is_ssdeep_digest(arg)) {
        strcpy(out, arg);
        return true;
    }
    if (!sample_exists(arg)) {
        report_error(arg, "no such file, and not an ssdeep digest");
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
    strcpy(out, im->gimpfuzzy);
    if (im->flags & MG_FLAG_NO_NAMES)
        report_error(arg, "no names (gimphash of empty input)");
    mg_file_close(f);
    return true;
}

/* the score of the two inputs of o */
static int compare(const cli_opts *o)
{
    if (o->nargs != 2)
        return usage_error("compare", "want exactly two inputs (A B)");
    bool verbose = o->verbose;
    char a[160], b[160];
    bool ok_a = digest_of(o->args[0], a), ok_b = digest_of(o->args[1], b);
    if (!ok_a || !ok_b)
        return EXIT_SOME_FAILED;
    int score = mg_fuzzy_compare(a, b);
    if (score < 0) {
        report_error(o->args[0], "malformed ssdeep digest");
        return EXIT_SOME_FAILED;
    }
    if (verbose) {
        text_line(stdout, "%s  %s", a, o->args[0]);
        text_line(stdout, "%s  %s", b, o->args[1]);
    }
    printf("%d\n", score);
    return EXIT_ALL_OK;
}

int cmd_compare(int argc, char **argv)
{
    return cli_run("compare", CMD_COMPARE, help, argc, argv, compare);
}
