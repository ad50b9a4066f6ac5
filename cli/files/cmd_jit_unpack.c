/* cmd_jit_unpack.c - `malgopher jit-unpack IN -o OUT [--strip]`: restore a
 * JIT-hook packed .NET assembly statically and say what was done.  OUT is
 * written to a temporary file next to it and renamed into place, so it is
 * either complete or untouched. */
#include "common/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "usage: malgopher jit-unpack [--strip] [--force] [--json] IN -o OUT\n"
    "\n"
    "Restore a .NET assembly packed by a JIT-hook packer (each method's IL kept in\n"
    "a resource named after its token, the code overwritten with 0x87, the IL\n"
    "handed to the JIT by a compileMethod hook) without running it: write each\n"
    "method's IL back (methods sharing one body first get their own copy in a new\n"
    "section), stop the module initializer from installing the hook, and say\n"
    "what was done.  A file that is not JIT-hook packed is refused.\n"
    "\n"
    "  -o, --output OUT   the restored assembly (written whole or not at all)\n"
    "  --strip            also drop the IL resources\n"
    "  --force            replace OUT even when it is read-only\n"
    "  --json             say it as one JSON object, with \"methods\": every method\n"
    "                     restored (token, name, rva, il_size, code_size)\n"
    "\n"
    "OUT is refused (exit 2, OUT untouched) when it is IN itself (the same\n"
    "inode), a symbolic link, a device, FIFO, socket or directory, or a\n"
    "read-only file without --force.\n"
    "\n"
    "exit status: 0 restored, 1 refused or failed, 2 usage error or OUT refused.\n";

#define MAX_INPUT (1ull << 31)

static const char *pl(unsigned n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void report(const char *in, const char *out, size_t size, const mg_jit_report *r)
{
    text_line(stdout, "input:          %s", in);
    printf("restored:       %u %s", r->restored, pl(r->restored, "method", "methods"));
    if (r->intact)
        printf(" (%u more already intact)", r->intact);
    putchar('\n');
    if (r->reactor)
        printf("bodies:         written to new section %s (RVA 0x%x, %u bytes)\n", r->section,
               r->section_rva, r->section_size);
    else if (r->split_methods)
        printf("split:          %u %s sharing %u %s got their own copies in new section "
               "%s (RVA 0x%x, %u bytes)\n",
               r->split_methods, pl(r->split_methods, "method", "methods"), r->split_bodies,
               pl(r->split_bodies, "body", "bodies"), r->section, r->section_rva, r->section_size);
    else
        puts("split:          none (no restored method shares its body)");
    if (r->headers_grown)
        printf("headers:        section data moved down 0x%x bytes to make room for the new "
               "section header\n", r->headers_grown);
    switch (r->init) {
    case MG_JIT_INIT_NONE: puts("initializer:    none"); break;
    case MG_JIT_INIT_CALLS_NOPPED:
        if (r->reactor) {
            printf("initializer:    .NET Reactor initializer emulated to its JIT hook; %u injected "
                   "call%s replaced by nops, its body returns at once\n",
                   r->init_calls, r->init_calls == 1 ? "" : "s");
            if (r->nag_calls)
                printf("nag:            %u call%s of the unregistered-version nag replaced by "
                       "nops\n", r->nag_calls, r->nag_calls == 1 ? "" : "s");
            else
                puts("nag:            none");
            break;
        }
        printf("initializer:    %u hook call%s in <Module>::.cctor replaced by nops\n",
               r->init_calls, r->init_calls == 1 ? "" : "s");
        break;
    case MG_JIT_INIT_REPLACED: puts("initializer:    <Module>::.cctor body replaced by ret"); break;
    case MG_JIT_INIT_KEPT:
        puts("initializer:    <Module>::.cctor restored from its IL resource, no hook call in it");
        break;
    }
    if (r->reactor)
        puts("resources:      kept");
    else if (r->stripped)
        printf("resources:      %u IL %s dropped\n", r->stripped,
               pl(r->stripped, "resource", "resources"));
    else
        puts("resources:      IL resources kept (--strip drops them)");
    if (r->signature_dropped)
        puts("signature:      Authenticode directory cleared (no longer valid)");
    text_line(stdout, "output:         %s (%zu bytes)", out, size);
}

static void json_report(const char *in, const char *out, size_t size, const mg_jit_report *r,
                        const mg_jit_method_info *m, size_t n)
{
    static const char *const init[] = {"none", "calls_nopped", "replaced", "kept"};
    fputs("{\"input\":", stdout);
    json_cstr(stdout, in);
    fputs(",\"output\":", stdout);
    json_cstr(stdout, out);
    printf(",\"size\":%zu,\"restored\":%u,\"intact\":%u,\"split_methods\":%u,\"split_bodies\":%u,"
           "\"section\":",
           size, r->restored, r->intact, r->split_methods, r->split_bodies);
    json_cstr(stdout, r->section);
    printf(",\"section_rva\":%u,\"section_size\":%u,\"headers_grown\":%u,\"initializer\":\"%s\","
           "\"init_calls\":%u,\"resources_dropped\":%u,\"signature_dropped\":%s,\"reactor\":%s,"
           "\"nag_calls\":%u,\"methods\":[",
           r->section_rva, r->section_size, r->headers_grown, r->init <= MG_JIT_INIT_KEPT ? init[r->init] : "?",
           r->init_calls, r->stripped, r->signature_dropped ? "true" : "false", r->reactor ? "true" : "false",
           r->nag_calls);
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"token\":\"0x%08x\",\"name\":", i ? "," : "", m[i].token);
        json_cstr(stdout, m[i].name);
        printf(",\"rva\":%u,\"il_size\":%u,\"code_size\":%u}", m[i].rva, m[i].il_size, m[i].code_size);
    }
    puts("]}");
}

/* restore in into out */
static int jit_unpack(const char *in, const char *out, unsigned flags, bool force, bool json)
{
    mg_map m; /* the input, read once (cli/common/file_id.c) */
    int status;
    if (!in_out_begin(in, out, force, MAX_INPUT, &m, &status))
        return status;
    void *res;
    size_t res_size;
    mg_jit_report rep;
    mg_error e;
    mg_status st = mg_dotnet_jit_unpack(m.data, m.size, flags, &res, &res_size, &rep, &e);
    mg_jit_method_info *list = NULL;
    size_t nlist = 0;
    if (st == MG_OK && json && !rep.reactor && mg_dotnet_jit_methods(m.data, m.size, &list, &nlist, &e) != MG_OK) {
        mg_dotnet_free(res);
        st = MG_ERR_NOMEM;
    }
    mg_map_close(&m);
    if (st != MG_OK) {
        report_error(in, e.msg);
        return EXIT_SOME_FAILED;
    }
    bool ok = in_out_write(out, force, res, res_size);
    mg_dotnet_free(res);
    if (!ok) {
        mg_dotnet_free(list);
        return EXIT_SOME_FAILED;
    }
    if (json)
        json_report(in, out, res_size, &rep, list, nlist);
    else
        report(in, out, res_size, &rep);
    mg_dotnet_free(list);
    return EXIT_ALL_OK;
}

static int jit_unpack_cmd(const cli_opts *o)
{
    if (!cli_want_in_out(o))
        return EXIT_USAGE;
    return jit_unpack(o->args[0], o->output, o->strip ? MG_JIT_STRIP : 0, o->force, o->fmt == OUT_JSON);
}

int cmd_jit_unpack(int argc, char **argv)
{
    return cli_run("jit-unpack", CMD_JIT_UNPACK, help, argc, argv, jit_unpack_cmd);
}
