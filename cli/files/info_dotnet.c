/* info_dotnet.c - the .NET part of `malgopher info`: runtime version,
 * method count and the JIT-hook packer verdict with its evidence, as text
 * lines or as the "dotnet" member of the JSON object. */
#include "common/cli.h"

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
static void evidence(FILE *out, const mg_dotnet_info *d)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *o = open_memstream(&buf, &n);
    if (!o)
        return;
    evidence_to(o, d);
    fclose(o);
    text_line_n(out, buf, n);
    free(buf);
}

void text_dotnet(FILE *o, const void *data, size_t size)
{
    mg_dotnet_info d;
    mg_error e;
    mg_status st = mg_dotnet_inspect_mem(data, size, &d, &e);
    if (!d.is_dotnet)
        return;
    if (st != MG_OK) {
        text_line(o, "dotnet:         yes, unreadable (%s)", e.msg);
        return;
    }
    fprintf(o, "dotnet:         yes, %s\n", d.bits == 64 ? "PE32+" : "PE32");
    text_line(o, "clr runtime:    %s", d.runtime_version[0] ? d.runtime_version : "unknown");
    fprintf(o, "methods:        %u (%u types, %u resources)\n", d.methods, d.types, d.resources);
    fprintf(o, "jit packed:     %s\n", d.jit_packed || d.reactor ? "yes" : "no");
    evidence(o, &d);
    if (d.reactor) {
        fputs("protector:      .NET Reactor (NecroBit)\n", o);
        text_line(o, "protector evidence: %u stubbed %s, initializer 0x%08x called first by %u type "
               "%s, private resource '%s' (%u bytes)", /* the name comes from the file */
               d.reactor_stubs, pl(d.reactor_stubs, "body", "bodies"), d.reactor_init,
               d.reactor_injected, pl(d.reactor_injected, "initializer", "initializers"),
               d.reactor_resource, d.reactor_resource_size);
    }
}

void json_dotnet(FILE *o, const void *data, size_t size, bool pe)
{
    mg_dotnet_info d;
    mg_error e;
    mg_status st = pe ? mg_dotnet_inspect_mem(data, size, &d, &e) : MG_ERR_UNSUPPORTED;
    if (!pe || !d.is_dotnet) {
        fputs(",\"dotnet\":null", o);
        return;
    }
    if (st != MG_OK) {
        fputs(",\"dotnet\":{\"error\":", o);
        json_cstr(o, e.msg);
        fputs("}", o);
        return;
    }
    fprintf(o, ",\"dotnet\":{\"bits\":%u,\"runtime_version\":", d.bits);
    json_cstr(o, d.runtime_version);
    fprintf(o, ",\"methods\":%u,\"types\":%u,\"resources\":%u,\"entry_point\":%u,"
           "\"jit_packed\":%s,\"il_resources\":%u,\"stubbed\":%u,\"intact\":%u,"
           "\"mismatched\":%u,\"shared_bodies\":%u,\"shared_methods\":%u,"
           "\"module_initializer\":%s,\"getjit_pinvokes\":%u,\"getjit_module\":",
           d.methods, d.types, d.resources, d.entry_point, d.jit_packed ? "true" : "false",
           d.il_resources, d.stubbed, d.intact, d.mismatched, d.shared_bodies, d.shared_methods,
           d.module_initializer ? "true" : "false", d.getjit_pinvokes);
    json_cstr(o, d.getjit_module);
    fputs(",\"protector\":", o);
    if (d.reactor) {
        fprintf(o, "{\"name\":\".NET Reactor (NecroBit)\",\"stubs\":%u,\"initializer\":%u,"
               "\"injected\":%u,\"resource\":",
               d.reactor_stubs, d.reactor_init, d.reactor_injected);
        json_cstr(o, d.reactor_resource);
        fprintf(o, ",\"resource_size\":%u}", d.reactor_resource_size);
    } else
        fputs("null", o);
    fputs("}", o);
}
