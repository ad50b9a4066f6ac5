/* cmd_funcs.c - `malgopher funcs`: the function table of a Go executable,
 * one line per function (entry address, name), or JSON Lines with files. */
#include "options.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: malgopher funcs [--json] [--slice ARCH] FILE\n"
    "\n"
    "Print the Go function table in address order: ENTRY NAME, one per line.\n"
    "For a fat Mach-O file every slice is listed after a '# FILE:ARCH' line,\n"
    "unless --slice picks one.\n"
    "\n"
    "  --json          one JSON object per function, with its source file\n"
    "  --slice ARCH    only the slice of this architecture (fat files)\n"
    "\n"
    "exit status: 0 listed, 1 not a Go executable or unreadable, 2 usage error.\n";

/* the function table of every Go image of path (or of the --slice one) */
static int funcs_of(const char *path, bool json, const char *want)
{
    mg_file *f;
    mg_error e;
    if (mg_file_open_ex(path, json ? MG_OPT_FILES | MG_OPT_NO_FUZZY : MG_OPT_NO_FUZZY, &f,
                        &e) != MG_OK) {
        report_error(path, e.msg);
        return EXIT_SOME_FAILED;
    }
    size_t shown = 0;
    size_t n = mg_file_image_count(f);
    for (size_t k = 0; k < n; k++) {
        const mg_image *im = mg_file_image(f, k);
        if (!im->is_go || (want && strcmp(want, im->arch) != 0))
            continue;
        shown++;
        if (n > 1 && !json && !want)
            printf("# %s:%s\n", path, im->arch);
        int width = im->bits == 32 ? 8 : 16;
        for (size_t j = 0; j < im->nfuncs; j++) {
            const mg_func *fn = &im->funcs[j];
            if (!json) {
                printf("%0*llx %.*s\n", width, (unsigned long long)fn->entry,
                       (int)fn->name_len, fn->name);
                continue;
            }
            printf("{\"entry\":\"0x%llx\",\"name\":", (unsigned long long)fn->entry);
            json_str(stdout, fn->name, fn->name_len);
            fputs(",\"file\":", stdout);
            if (fn->file)
                json_str(stdout, fn->file, fn->file_len);
            else
                fputs("null", stdout);
            if (n > 1) {
                fputs(",\"arch\":", stdout);
                json_cstr(stdout, im->arch);
            }
            fputs("}\n", stdout);
        }
    }
    mg_file_close(f);
    if (!shown) {
        report_error(path, want ? "no Go slice of that architecture"
                                : mg_status_reason(MG_ERR_NOT_GO));
        return EXIT_SOME_FAILED;
    }
    return EXIT_ALL_OK;
}

int cmd_funcs(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(&o, "funcs", CMD_FUNCS, help, argc, argv);
    if (rc >= 0)
        return rc;
    rc = cli_want_args(&o, 1, 1, "FILE") ? funcs_of(o.args[0], o.fmt == OUT_JSON, o.slice) : EXIT_USAGE;
    cli_opts_free(&o);
    return rc;
}
