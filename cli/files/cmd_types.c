/* cmd_types.c - `malgopher types`: the runtime type descriptors, itabs and
 * build ID of each Go image, as one JSON object per image or as Go-like
 * text blocks (types_text.c).  The reading is mg_file_types. */
#include "common/options.h"
#include "files/types_view.h"

#include <string.h>

static const char help[] =
    "usage: malgopher types [-r] [-q] [--json] [--files-from FILE [-0]] PATH...\n"
    "\n"
    "List every runtime type descriptor of a Go executable (read from the\n"
    "moduledata's types section, so types reached only from code are listed\n"
    "too, stripped or not): address, kind, name as reflect prints it, package\n"
    "path, size, struct fields with offsets, tags and the embedded flag,\n"
    "methods, interface methods, element and key types; then every itab.\n"
    "\n"
    "  --json              one JSON object per file (per slice of a fat file):\n"
    "                      {path, build_id, types: [...], itabs: [...]}\n"
    "  -r, --recursive     descend into directories\n"
    "  -q, --quiet         no line for a file that is not a Go executable\n"
    HELP_FILES_FROM
    "\n"
    HELP_ESCAPES
    "\n"
    "exit status: 0 listed, 1 not a Go executable or unreadable, 2 usage error.\n";

const char *types_name_of(const mg_types *t, uint64_t addr)
{
    long i = addr ? mg_types_find(t, addr) : -1;
    return i >= 0 ? t->types[i].name : "";
}

static void json_ref(FILE *o, const mg_types *t, uint64_t addr)
{
    if (addr)
        json_cstr(o, types_name_of(t, addr));
    else
        fputs("null", o);
}

static void json_methods(FILE *o, const mg_types *t, const char *key, const mg_type_method *m, size_t n)
{
    fprintf(o, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{\"name\":" : "{\"name\":", o);
        json_cstr(o, m[i].name);
        fputs(",\"type\":", o);
        json_ref(o, t, m[i].type);
        fprintf(o, ",\"exported\":%s}", m[i].exported ? "true" : "false");
    }
    fputc(']', o);
}

static void json_type(FILE *o, const mg_types *t, const mg_gotype *g)
{
    fprintf(o, "{\"address\":\"0x%llx\",\"kind\":\"%s\",\"name\":", (unsigned long long)g->address,
            mg_type_kind_name(g->kind));
    json_cstr(o, g->name);
    fputs(",\"pkg_path\":", o);
    json_cstr(o, g->pkg_path);
    fprintf(o, ",\"size\":%llu,\"fields\":[", (unsigned long long)g->size);
    for (size_t i = 0; i < g->nfields; i++) {
        const mg_type_field *f = &g->fields[i];
        fputs(i ? ",{\"name\":" : "{\"name\":", o);
        json_cstr(o, f->name);
        fputs(",\"type\":", o);
        json_ref(o, t, f->type);
        fprintf(o, ",\"offset\":%llu,\"tag\":", (unsigned long long)f->offset);
        json_cstr(o, f->tag);
        fprintf(o, ",\"embedded\":%s}", f->embedded ? "true" : "false");
    }
    fputc(']', o);
    json_methods(o, t, "methods", g->methods, g->nmethods);
    json_methods(o, t, "interface_methods", g->imethods, g->nimethods);
    fputs(",\"elem\":", o);
    json_ref(o, t, g->elem);
    fputs(",\"key\":", o);
    json_ref(o, t, g->key);
    fputc('}', o);
}

static void json_image(FILE *o, const char *path, const char *arch, const mg_types *t)
{
    fputs("{\"path\":", o);
    json_cstr(o, path);
    if (arch) {
        fputs(",\"arch\":", o);
        json_cstr(o, arch);
    }
    fputs(",\"build_id\":", o);
    json_cstr(o, t->build_id);
    if (t->warning[0]) {
        fputs(",\"warning\":", o);
        json_cstr(o, t->warning);
    }
    fputs(",\"types\":[", o);
    for (size_t i = 0; i < t->ntypes; i++) {
        if (i)
            fputc(',', o);
        json_type(o, t, &t->types[i]);
    }
    fputs("],\"itabs\":[", o);
    for (size_t i = 0; i < t->nitabs; i++) {
        fprintf(o, "%s{\"address\":\"0x%llx\",\"interface\":", i ? "," : "",
                (unsigned long long)t->itabs[i].address);
        json_ref(o, t, t->itabs[i].iface);
        fputs(",\"type\":", o);
        json_ref(o, t, t->itabs[i].type);
        fputc('}', o);
    }
    fputs("]}\n", o);
}

typedef struct types_ctx {
    bool json, quiet;
} types_ctx;

static bool types_of(const char *path, void *vctx, FILE *o, FILE *err)
{
    const types_ctx *c = vctx;
    mg_file *f;
    mg_error e;
    if (mg_file_open_ex(path, MG_OPT_NO_FUZZY | MG_OPT_NO_OBFUSCATION, &f, &e) != MG_OK) {
        report_error_to(err, path, e.msg);
        return false;
    }
    size_t shown = 0, n = mg_file_image_count(f);
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        const mg_image *im = mg_file_image(f, k);
        mg_types *t;
        if (!im->is_go)
            continue;
        shown++;
        if (mg_file_types(f, k, &t, &e) != MG_OK) {
            report_error_to(err, path, e.msg);
            ok = false;
            continue;
        }
        if (c->json)
            json_image(o, path, n > 1 ? im->arch : NULL, t);
        else
            types_text(o, path, n > 1 ? im->arch : NULL, t);
        mg_types_free(t);
    }
    mg_file_close(f);
    if (!shown && !c->quiet)
        report_error_to(err, path, mg_status_reason(MG_ERR_NOT_GO));
    return shown && ok;
}

static int types(const cli_opts *o)
{
    if (!cli_want_args(o, 1, -1, "PATH"))
        return EXIT_USAGE;
    types_ctx c = {o->fmt == OUT_JSON, o->quiet};
    return run_files(o->args, o->nargs, o->recursive, 1, types_of, &c, "types") ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

int cmd_types(int argc, char **argv)
{
    return cli_run("types", CMD_TYPES, help, argc, argv, types);
}
