/* cmd_hash.c - `malgopher hash`: GIMPHASH  GIMPFUZZY  PATH per Go
 * executable (one line per slice of a fat file), or JSON Lines / CSV. */
#include "files/files.h"
#include "common/options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher hash [-r] [-q] [-j N] [--json | --csv] [--files-from FILE [-0]] PATH...\n"
    "       malgopher hash -c FILE [-q]\n"
    "\n"
    "Print one line per Go executable, like sha256sum:\n"
    "  GIMPHASH  GIMPFUZZY  PATH\n"
    "A slice of a fat Mach-O file is named PATH:ARCH.  A file that is not a Go\n"
    "executable gets one line on stderr and is skipped.\n"
    "\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable, and\n"
    "                      no failure for one found in a directory (one named\n"
    "                      as a PATH still makes the exit status 1)\n"
    "                      (with -c: no OK lines)\n"
    "  -j, --jobs N        hash with N threads (default 1); the lines keep their order\n"
    "  --json              one JSON object per line, with the file's sha256 and size\n"
    "  --csv               CSV with a header line (sha256, size last)\n"
    HELP_FILES_FROM
    "  -c, --check FILE    read `hash` lines from FILE (- = stdin), hash each PATH\n"
    "                      again and print PATH: OK or PATH: FAILED, as sha256sum -c\n"
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 every file hashed (with -c: every line OK), 1 some could not\n"
    "be (or FAILED), 2 usage error or FILE holds no `hash` line.\n";

typedef struct hash_ctx {
    out_format fmt;
    bool quiet;
    named_paths named; /* -q: a non-Go file named here still counts */
} hash_ctx;

static bool hash_one(const char *path, void *vctx, FILE *out, FILE *err)
{
    hash_ctx *c = vctx;
    sample_file s;
    /* only what the lines hold: no obfuscation signals, no entry
     * addresses (the text-start search), and the gimpset and the Go
     * version's search outside the build info only in JSON and CSV */
    unsigned opts = MG_OPT_NO_OBFUSCATION | MG_OPT_NO_ENTRIES | MG_OPT_UNPACK_LAZY | MG_OPT_NO_STRIPPED |
                    (c->fmt == OUT_TEXT ? MG_OPT_NO_GIMPSET | MG_OPT_NO_VERSION_SCAN : 0);
    if (!sample_file_open(path, opts, c->fmt != OUT_TEXT, &s, err))
        return false;
    const mg_file *f = s.f;
    const file_id id = s.id;
    bool any = false, clean = true;
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
            text_line(out, "%s  %s  %s%s", im->gimphash, im->gimpfuzzy, path, suffix);
            break;
        case OUT_JSON:
            fputs("{\"path\":", out);
            json_cstr(out, path);
            fputs(",\"arch\":", out);
            json_cstr(out, im->arch);
            fprintf(out, ",\"slice\":%zu,\"gimphash\":\"%s\",\"gimpfuzzy\":", i, im->gimphash);
            json_cstr(out, im->gimpfuzzy);
            fputs(",\"go_version\":", out);
            json_cstr(out, im->go_version);
            fprintf(out, ",\"functions\":%zu,\"names\":%zu,\"no_names\":%s,\"partial\":%s,"
                         "\"gimpset\":\"%s\",\"gimpset_names\":%zu,\"sha256\":\"%s\",\"size\":%llu}\n",
                    im->nfuncs, im->gimp_names, no_names ? "true" : "false",
                    im->flags & MG_FLAG_PARTIAL ? "true" : "false", im->gimpset, im->gimpset_names, id.sha256,
                    id.size);
            break;
        case OUT_CSV: {
            fprintf(out, "%s,", im->gimphash);
            csv_field(out, im->gimpfuzzy);
            putc(',', out);
            char *p = NULL;
            if (asprintf(&p, "%s%s", path, suffix) < 0)
                p = NULL;
            csv_field(out, p ? p : path);
            free(p);
            putc(',', out);
            csv_field(out, im->arch);
            putc(',', out);
            csv_field(out, im->go_version);
            fprintf(out, ",%zu,%s,%s,%zu,%s,%llu\n", im->nfuncs, no_names ? "yes" : "no", im->gimpset,
                    im->gimpset_names, id.sha256, id.size);
            break;
        }
        }
        if (im->flags & MG_FLAG_BAD_NAMES)
            text_line(err, "malgopher: %s%s: %s", path, suffix, im->warning);
        else if (no_names)
            text_line(err, "malgopher: %s%s: no names (gimphash of empty input)", path, suffix);
        /* not a fingerprint: the line is printed, the status says so */
        clean = clean && !(im->flags & (MG_FLAG_NO_NAMES | MG_FLAG_BAD_NAMES));
    }
    sample_file_close(&s);
    if (!any && !c->quiet)
        report_error_to(err, path, mg_status_reason(MG_ERR_NOT_GO));
    if (!any && c->quiet && !named_paths_has(&c->named, path))
        return true; /* -q: a non-Go file met in a walk is no failure */
    return any && clean;
}

static int hash(const cli_opts *o)
{
    if (o->check)
        return o->nargs ? usage_error("hash", "-c reads the PATHs from FILE: give no PATH")
                        : hash_check(o->check, o->quiet);
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    hash_ctx c = {o->fmt, o->quiet, {0}};
    if (c.quiet && !named_paths_init(&c.named, o->args, o->nargs))
        return report_error("hash", mg_status_reason(MG_ERR_NOMEM)), EXIT_SOME_FAILED;
    if (c.fmt == OUT_CSV)
        puts("gimphash,gimpfuzzy,path,arch,go_version,functions,no_names,gimpset,gimpset_names,sha256,size");
    size_t failed = run_files(o->args, o->nargs, o->recursive, (unsigned)o->jobs, hash_one, &c, "hashing");
    named_paths_free(&c.named);
    return failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

int cmd_hash(int argc, char **argv)
{
    return cli_run("hash", CMD_HASH, help, argc, argv, hash);
}
