/* cmd_diff.c - `malgopher diff A B`: what changed between two Go builds
 * (dependencies, build settings, packages, functions).  Owns the options,
 * opening both sides and the exit status; the views are diff_text.c and
 * diff_json.c, the comparison is the library's mg_diff_images. */
#include "files/diff_view.h"
#include "common/options.h"

#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: malgopher diff [--json | --summary] [--all] A B\n"
    "\n"
    "What changed from Go executable A to Go executable B: Go version, main\n"
    "module, gimphash and gimpfuzzy score, dependencies added, removed and\n"
    "changed (from the build info; a replaced module counts at its\n"
    "replacement's version), build settings that differ, packages added,\n"
    "removed or whose function count changed, and the functions added and\n"
    "removed (names compared as sets).  The text view groups functions by\n"
    "package, the main module's first; the standard library is one summary\n"
    "line unless --all.  Name a slice of a fat file as FILE:ARCH (default:\n"
    "the first Go slice, for B the slice of A's architecture when it has one).\n"
    "\n"
    "  --json    one JSON object (schema: docs/usage.md)\n"
    "  --all     list the standard library's packages and functions too\n"
    "  --summary at most 60 lines: both sides, the counts of dependencies,\n"
    "            packages (own, other modules, standard library) and functions\n"
    "            added, removed and changed, and the first of each\n"
    "When a side has no main module in its build info, its own module is\n"
    "inferred from its packages (as `info --brief` infers its identity).\n"
    "\n"
    "exit status: 0 same gimphash and no differences, 1 differences, 2 trouble.\n";

enum { DIFF_SAME = 0, DIFF_DIFFERENT = 1, DIFF_TROUBLE = 2 };

bool diff_differs(const diff_result *r)
{
    const mg_diff *d = &r->d;
    const mg_image *a = r->a.im, *b = r->b.im;
    if (!r->same_hash || d->nadded || d->nremoved || d->npkgs || d->ndeps || d->nsettings)
        return true;
    if (a->buildinfo.present != b->buildinfo.present || strcmp(a->go_version, b->go_version) != 0)
        return true;
    return strcmp(a->buildinfo.main.path, b->buildinfo.main.path) != 0 ||
           strcmp(a->buildinfo.main.version, b->buildinfo.main.version) != 0 ||
           strcmp(a->buildinfo.path, b->buildinfo.path) != 0;
}

/* split "FILE:ARCH" when FILE exists and the whole does not */
static const char *split_arch(const char *arg, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%s", arg);
    if (access(path, F_OK) == 0) /* never open: a FIFO would block */
        return NULL;
    char *colon = strrchr(path, ':');
    if (!colon || colon == path)
        return NULL;
    *colon = 0;
    if (access(path, F_OK) == 0)
        return colon + 1;
    *colon = ':';
    return NULL;
}

/* the Go image of side `which` ("A"/"B"); NULL after an error line */
static const mg_image *open_side(const char *arg, const char *which, const char *prefer_arch,
                                 mg_file **f)
{
    char path[4096], msg[300];
    const char *want = split_arch(arg, path, sizeof path);
    mg_error e;
    const char *no = regular_file_problem(path); /* a FIFO or device: refused, not opened */
    if (no || mg_file_open_ex(path, MG_OPT_NO_OBFUSCATION | MG_OPT_NO_ENTRIES, f, &e) != MG_OK) {
        snprintf(msg, sizeof msg, "%s (file %s)", no ? no : e.msg, which);
        report_error(arg, msg);
        *f = NULL;
        return NULL;
    }
    const mg_image *first = NULL;
    for (size_t i = 0; i < mg_file_image_count(*f); i++) {
        const mg_image *im = mg_file_image(*f, i);
        if (!im->is_go)
            continue;
        if (want ? !strcmp(im->arch, want) : (prefer_arch && !strcmp(im->arch, prefer_arch)))
            return im;
        if (!first && !want)
            first = im;
    }
    if (!first) {
        snprintf(msg, sizeof msg, "%s (file %s)",
                 want ? "no Go slice of that architecture" : mg_status_reason(MG_ERR_NOT_GO), which);
        report_error(arg, msg);
        mg_file_close(*f);
        *f = NULL;
    }
    return first;
}

/* the side's own prefix (as symbols spell it: package paths are compared
 * with it); inferred when there is no main module */
static void own_of(diff_side *s)
{
    s->nown = mg_image_own_prefix(s->im, s->own, sizeof s->own);
    s->inferred = !(s->im->buildinfo.present && s->im->buildinfo.main.path[0]);
}

static int diff(const cli_opts *o)
{
    if (!cli_want_args(o, 2, 2, "FILE"))
        return EXIT_USAGE;
    diff_result r = {.a.path = o->args[0], .b.path = o->args[1]};
    mg_file *fa = NULL, *fb = NULL;
    r.a.im = open_side(r.a.path, "A", NULL, &fa);
    r.b.im = open_side(r.b.path, "B", r.a.im ? r.a.im->arch : NULL, &fb);
    int rc = DIFF_TROUBLE;
    mg_error e;
    if (o->summary && o->fmt == OUT_JSON) {
        rc = usage_error(o->cmd, "--summary is a text view: --json holds every count");
    } else if (r.a.im && r.b.im) {
        own_of(&r.a);
        own_of(&r.b);
        if (mg_diff_images(r.a.im, r.b.im, &r.d, &e) != MG_OK) {
            report_error(r.b.path, e.msg);
        } else {
            r.same_hash = !strcmp(r.a.im->gimphash, r.b.im->gimphash);
            r.fuzzy = mg_fuzzy_compare(r.a.im->gimpfuzzy, r.b.im->gimpfuzzy);
            r.set = mg_gimpset_compare(r.a.im->gimpset, r.b.im->gimpset);
            if (o->fmt == OUT_JSON)
                diff_print_json(stdout, &r);
            else if (o->summary)
                diff_print_summary(stdout, &r);
            else
                diff_print_text(stdout, &r, o->all);
            rc = out_flush(stdout) ? (diff_differs(&r) ? DIFF_DIFFERENT : DIFF_SAME)
                                                        : DIFF_TROUBLE;
            mg_diff_free(&r.d);
        }
    }
    if (fa)
        mg_file_close(fa);
    if (fb)
        mg_file_close(fb);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    return cli_run("diff", CMD_DIFF, help, argc, argv, diff);
}
