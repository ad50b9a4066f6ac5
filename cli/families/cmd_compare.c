/* cmd_compare.c - `malgopher compare A B`: the 0-100 similarity of two
 * samples' gimpfuzzy digests (or of two digests given literally), scored
 * by libfuzzy's fuzzy_compare. */
#include "options.h"

#include <string.h>
#include <sys/stat.h>

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
    struct stat st;
    char path[4096];
    const char *want_arch = NULL;
    snprintf(path, sizeof path, "%s", arg);
    if (stat(path, &st) != 0) {
        char *colon = strrchr(path, ':');
        if (colon && colon != path) { /* FILE:ARCH */
            *colon = 0;
            want_arch = colon + 1;
            if (stat(path, &st) != 0) {
                *colon = ':';
                want_arch = NULL;
            }
        }
    }
    if (stat(path, &st) != 0) {
        if (arg[0] >= '0' && arg[0] <= '9' && strchr(arg, ':') && mg_fuzzy_compare(arg, arg) >= 0 &&
            strlen(arg) < 160) {
            strcpy(out, arg);
            return true;
        }
        report_error(arg, "no such file, and not an ssdeep digest");
        return false;
    }
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK) {
        report_error(arg, e.msg);
        return false;
    }
    bool found = false;
    for (size_t i = 0; !found && i < mg_file_image_count(f); i++) {
        const mg_image *im = mg_file_image(f, i);
        if (im->is_go && (!want_arch || !strcmp(im->arch, want_arch))) {
            strcpy(out, im->gimpfuzzy);
            found = true;
            if (im->flags & MG_FLAG_NO_NAMES)
                report_error(arg, "no names (gimphash of empty input)");
        }
    }
    mg_file_close(f);
    if (!found)
        report_error(arg, want_arch ? "no Go slice of that architecture" : mg_status_reason(MG_ERR_NOT_GO));
    return found;
}

/* the score of the two inputs of o */
static int compare(const cli_opts *o)
{
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
    if (verbose)
        printf("%s  %s\n%s  %s\n", a, o->args[0], b, o->args[1]);
    printf("%d\n", score);
    return EXIT_ALL_OK;
}

int cmd_compare(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(&o, "compare", CMD_COMPARE, help, argc, argv);
    if (rc >= 0)
        return rc;
    rc = o.nargs == 2 ? compare(&o) : usage_error("compare", "want exactly two inputs (A B)");
    cli_opts_free(&o);
    return rc;
}
