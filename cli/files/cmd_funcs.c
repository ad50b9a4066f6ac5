/* cmd_funcs.c - `malgopher funcs`: the function table of a Go executable,
 * one line per function (entry address, name), or JSON Lines with files. */
#include "common/options.h"

#include <string.h>

static const char help[] =
    "usage: malgopher funcs [-r] [-q] [--json] [--slice ARCH] [--files-from FILE [-0]] PATH...\n"
    "\n"
    "Print the Go function table in address order: ENTRY NAME, one per line.\n"
    "For a fat Mach-O file every slice is listed after a '# FILE:ARCH' line,\n"
    "unless --slice picks one.  With several files (or -r) each file's list\n"
    "comes after a '# FILE' line (JSON: a \"path\" member).\n"
    "\n"
    "  --json              one JSON object per function, with its source file\n"
    "  --slice ARCH        only the slice of this architecture (fat files)\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable\n"
    HELP_FILES_FROM
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 listed, 1 not a Go executable or unreadable, 2 usage error.\n";

/* the function table of every Go image of path (or of the --slice one) */
typedef struct funcs_ctx {
    bool json, quiet, several; /* several: more than one file, each named */
    const char *want;          /* --slice ARCH */
} funcs_ctx;

/* the function table of every Go image of path (or of the --slice one) */
static bool funcs_of(const char *path, void *vctx, FILE *o, FILE *err)
{
    const funcs_ctx *c = vctx;
    mg_file *f;
    mg_error e;
    if (mg_file_open_ex(path, c->json ? MG_OPT_FILES | MG_OPT_NO_FUZZY : MG_OPT_NO_FUZZY, &f, &e) != MG_OK) {
        report_error_to(err, path, e.msg);
        return false;
    }
    size_t shown = 0;
    size_t n = mg_file_image_count(f);
    for (size_t k = 0; k < n; k++) {
        const mg_image *im = mg_file_image(f, k);
        if (!im->is_go || (c->want && strcmp(c->want, im->arch) != 0))
            continue;
        shown++;
        if (!c->json && n > 1 && !c->want)
            text_line(o, "# %s:%s", path, im->arch);
        else if (!c->json && c->several)
            text_line(o, "# %s", path);
        int width = im->bits == 32 ? 8 : 16;
        for (size_t j = 0; j < im->nfuncs; j++) {
            const mg_func *fn = &im->funcs[j];
            if (!c->json) {
                if (text_needs_escape(fn->name, fn->name_len)) { /* names come from the file */
                    fprintf(o, "\\%0*llx ", width, (unsigned long long)fn->entry);
                    text_escaped(o, fn->name, fn->name_len);
                    putc('\n', o);
                } else
                    fprintf(o, "%0*llx %.*s\n", width, (unsigned long long)fn->entry, (int)fn->name_len,
                            fn->name);
                continue;
            }
            fprintf(o, "{\"entry\":\"0x%llx\",\"name\":", (unsigned long long)fn->entry);
            json_str(o, fn->name, fn->name_len);
            fputs(",\"file\":", o);
            if (fn->file)
                json_str(o, fn->file, fn->file_len);
            else
                fputs("null", o);
            if (n > 1) {
                fputs(",\"arch\":", o);
                json_cstr(o, im->arch);
            }
            if (c->several) {
                fputs(",\"path\":", o);
                json_cstr(o, path);
            }
            fputs("}\n", o);
        }
    }
    mg_file_close(f);
    if (!shown && (c->want || !c->quiet))
        report_error_to(err, path, c->want ? "no Go slice of that architecture" : mg_status_reason(MG_ERR_NOT_GO));
    return shown;
}

static int funcs(const cli_opts *o)
{
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    funcs_ctx c = {o->fmt == OUT_JSON, o->quiet, o->nargs > 1 || o->recursive, o->slice};
    return run_files(o->args, o->nargs, o->recursive, 1, funcs_of, &c, "listing") ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

int cmd_funcs(int argc, char **argv)
{
    return cli_run("funcs", CMD_FUNCS, help, argc, argv, funcs);
}
