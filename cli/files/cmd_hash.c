/* cmd_hash.c - `malgopher hash`: GIMPHASH  GIMPFUZZY  PATH per Go
 * executable (one line per slice of a fat file), or JSON Lines / CSV. */
#include "options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher hash [-r] [--json | --csv] PATH...\n"
    "\n"
    "Print one line per Go executable, like sha256sum:\n"
    "  GIMPHASH  GIMPFUZZY  PATH\n"
    "A slice of a fat Mach-O file is named PATH:ARCH.  A file that is not a Go\n"
    "executable gets one line on stderr and is skipped.\n"
    "\n"
    "  -r, --recursive   descend into directories\n"
    "  --json            one JSON object per line\n"
    "  --csv             CSV with a header line\n"
    "\n"
    "exit status: 0 every file hashed, 1 some could not be, 2 usage error.\n";

typedef struct hash_ctx {
    out_format fmt;
} hash_ctx;

static bool hash_one(const char *path, void *vctx)
{
    hash_ctx *c = vctx;
    mg_file *f;
    mg_error e;
    if (mg_file_open(path, &f, &e) != MG_OK) {
        report_error(path, e.msg);
        return false;
    }
    bool any = false;
    for (size_t i = 0; i < mg_file_image_count(f); i++) {
        const mg_image *im = mg_file_image(f, i);
        if (!im->is_go)
            continue;
        any = true;
        char sbuf[32];
        const char *suffix = slice_suffix(f, i, sbuf, sizeof sbuf);
        bool no_names = im->flags & MG_FLAG_NO_NAMES;
        switch (c->fmt) {
        case OUT_TEXT:
            printf("%s  %s  %s%s\n", im->gimphash, im->gimpfuzzy, path, suffix);
            break;
        case OUT_JSON:
            fputs("{\"path\":", stdout);
            json_cstr(stdout, path);
            fputs(",\"arch\":", stdout);
            json_cstr(stdout, im->arch);
            printf(",\"slice\":%zu,\"gimphash\":\"%s\",\"gimpfuzzy\":", i, im->gimphash);
            json_cstr(stdout, im->gimpfuzzy);
            fputs(",\"go_version\":", stdout);
            json_cstr(stdout, im->go_version);
            printf(",\"functions\":%zu,\"names\":%zu,\"no_names\":%s,\"partial\":%s,"
                   "\"gimpset\":\"%s\",\"gimpset_names\":%zu}\n",
                   im->nfuncs, im->gimp_names, no_names ? "true" : "false",
                   im->flags & MG_FLAG_PARTIAL ? "true" : "false", im->gimpset, im->gimpset_names);
            break;
        case OUT_CSV:
            printf("%s,%s,", im->gimphash, im->gimpfuzzy);
            char p[4096];
            snprintf(p, sizeof p, "%s%s", path, suffix);
            csv_field(stdout, p);
            printf(",%s,%s,%zu,%s,%s,%zu\n", im->arch, im->go_version, im->nfuncs,
                   no_names ? "yes" : "no", im->gimpset, im->gimpset_names);
            break;
        }
        if (no_names)
            fprintf(stderr, "malgopher: %s%s: no names (gimphash of empty input)\n", path, suffix);
    }
    mg_file_close(f);
    if (!any)
        report_error(path, mg_status_reason(MG_ERR_NOT_GO));
    return any;
}

int cmd_hash(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(&o, "hash", CMD_HASH, help, argc, argv);
    if (rc >= 0)
        return rc;
    hash_ctx c = {o.fmt};
    if (!cli_want_args(&o, 1, -1, "PATH")) {
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (c.fmt == OUT_CSV)
        puts("gimphash,gimpfuzzy,path,arch,go_version,functions,no_names,gimpset,gimpset_names");
    size_t failed = walk_paths_progress(o.args, o.nargs, o.recursive, hash_one, &c, "hashing");
    fflush(stdout);
    cli_opts_free(&o);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
