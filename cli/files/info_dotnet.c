/* info_dotnet.c - the .NET part of `malgopher info`: runtime version,
 * method count and the JIT-hook packer verdict with its evidence, as text
 * lines or as the "dotnet" member of the JSON object. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *pl(unsigned n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* the evidence line into o (without its newline) */
static void evidence_to(FILE *o, const mg_dotnet_info *d)
{
    const char *sep = "";
    fputs("jit evidence:   ", o);
    if (d->il_resources) {
        fprintf(o, "%s%u IL %s named after method tokens", sep, d->il_resources,
               pl(d->il_resources, "resource", "resources"));
        sep = ", ";
    }
    if (d->stubbed) {
        fprintf(o, "%s%u stubbed %s", sep, d->stubbed, pl(d->stubbed, "body", "bodies"));
        sep = ", ";
    }
    if (d->intact) {
        fprintf(o, "%s%u %s already restored", sep, d->intact, pl(d->intact, "body", "bodies"));
        sep = ", ";
    }
    if (d->mismatched) {
        fprintf(o, "%s%u %s not matching the IL", sep, d->mismatched,
               pl(d->mismatched, "body", "bodies"));
        sep = ", ";
    }
    if (d->shared_bodies) {
        fprintf(o, "%s%u %s shared by %u methods", sep, d->shared_bodies,
               pl(d->shared_bodies, "body", "bodies"), d->shared_methods);
        sep = ", ";
    }
    if (d->module_initializer) {
        fprintf(o, "%smodule initializer", sep);
        sep = ", ";
    }
    if (d->getjit_pinvokes) {
        fprintf(o, "%sP/Invoke of getJit from %s", sep, d->getjit_module[0] ? d->getjit_module : "?");
        sep = ", ";
    }
    fputs(sep[0] ? "" : "none", o);
}

/* the evidence line, escaped as a whole (the module name comes from the file) */
static void evidence(const mg_dotnet_info *d)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *o = open_memstream(&buf, &n);
    if (!o)
        return;
    evidence_to(o, d);
    fclose(o);
    text_line_n(stdout, buf, n);
    free(buf);
}

void text_dotnet(const char *path)
{
    mg_dotnet_info d;
    mg_error e;
    mg_status st = mg_dotnet_inspect(path, &d, &e);
    if (!d.is_dotnet)
        return;
    if (st != MG_OK) {
        text_line(stdout, "dotnet:         yes, unreadable (%s)", e.msg);
        return;
    }
    printf("dotnet:         yes, %s\n", d.bits == 64 ? "PE32+" : "PE32");
    text_line(stdout, "clr runtime:    %s", d.runtime_version[0] ? d.runtime_version : "unknown");
    printf("methods:        %u (%u types, %u resources)\n", d.methods, d.types, d.resources);
    printf("jit packed:     %s\n", d.jit_packed || d.reactor ? "yes" : "no");
    evidence(&d);
    if (d.reactor) {
        puts("protector:      .NET Reactor (NecroBit)");
        text_line(stdout, "protector evidence: %u stubbed %s, initializer 0x%08x called first by %u type "
               "%s, private resource '%s' (%u bytes)", /* the name comes from the file */
               d.reactor_stubs, pl(d.reactor_stubs, "body", "bodies"), d.reactor_init,
               d.reactor_injected, pl(d.reactor_injected, "initializer", "initializers"),
               d.reactor_resource, d.reactor_resource_size);
    }
}

void json_dotnet(const char *path, bool pe)
{
    mg_dotnet_info d;
    mg_error e;
    mg_status st = pe ? mg_dotnet_inspect(path, &d, &e) : MG_ERR_UNSUPPORTED;
    if (!pe || !d.is_dotnet) {
        fputs(",\"dotnet\":null", stdout);
        return;
    }
    if (st != MG_OK) {
        fputs(",\"dotnet\":{\"error\":", stdout);
        json_cstr(stdout, e.msg);
        fputs("}", stdout);
        return;
    }
    printf(",\"dotnet\":{\"bits\":%u,\"runtime_version\":", d.bits);
    json_cstr(stdout, d.runtime_version);
    printf(",\"methods\":%u,\"types\":%u,\"resources\":%u,\"entry_point\":%u,"
           "\"jit_packed\":%s,\"il_resources\":%u,\"stubbed\":%u,\"intact\":%u,"
           "\"mismatched\":%u,\"shared_bodies\":%u,\"shared_methods\":%u,"
           "\"module_initializer\":%s,\"getjit_pinvokes\":%u,\"getjit_module\":",
           d.methods, d.types, d.resources, d.entry_point, d.jit_packed ? "true" : "false",
           d.il_resources, d.stubbed, d.intact, d.mismatched, d.shared_bodies, d.shared_methods,
           d.module_initializer ? "true" : "false", d.getjit_pinvokes);
    json_cstr(stdout, d.getjit_module);
    fputs(",\"protector\":", stdout);
    if (d.reactor) {
        printf("{\"name\":\".NET Reactor (NecroBit)\",\"stubs\":%u,\"initializer\":%u,"
               "\"injected\":%u,\"resource\":",
               d.reactor_stubs, d.reactor_init, d.reactor_injected);
        json_cstr(stdout, d.reactor_resource);
        printf(",\"resource_size\":%u}", d.reactor_resource_size);
    } else
        fputs("null", stdout);
    fputs("}", stdout);
}
