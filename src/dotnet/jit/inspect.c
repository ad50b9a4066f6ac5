/* inspect.c - the public description of a .NET assembly (mg_dotnet_info):
 * CLI header and metadata facts plus the JIT-hook packer evidence. */
#include "dotnet/jit/jitpack.h"
#include "dotnet/reactor/reactor.h"

#include "io/map.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define CLI_DIR 14u

mg_status mg_dotnet_inspect_mem(const void *data, size_t size, mg_dotnet_info *out, mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (!data && size)
        return mg_fail(err, MG_ERR_ARG, "bad argument");
    mg_cli cli;
    mg_status st = mg_cli_open(data, size, &cli, err);
    out->is_dotnet = cli.img.pe_ndirs > CLI_DIR && cli.img.pe_dir_rva[CLI_DIR];
    if (st != MG_OK)
        return st;
    out->bits = cli.img.bits;
    snprintf(out->runtime_version, sizeof out->runtime_version, "%.63s", cli.version);
    out->cli_major = cli.rt_major;
    out->cli_minor = cli.rt_minor;
    out->cli_flags = cli.flags;
    out->entry_point = cli.entry_token;
    mg_jit_scan s;
    st = mg_jit_scan_run(&cli, &s, err);
    if (st == MG_OK) {
        out->types = s.ntypes;
        out->methods = s.nmethods;
        out->resources = s.nresources;
        out->jit_packed = mg_jit_packed(&s);
        out->il_resources = (uint32_t)s.n;
        out->stubbed = s.count[MG_JM_STUBBED];
        out->intact = s.count[MG_JM_INTACT];
        out->mismatched = out->il_resources - out->stubbed - out->intact;
        out->shared_bodies = s.shared_bodies;
        out->shared_methods = s.shared_methods;
        out->module_initializer = s.cctor != 0;
        out->getjit_pinvokes = s.getjit;
        snprintf(out->getjit_module, sizeof out->getjit_module, "%.63s", s.getjit_module);
        mg_jit_scan_free(&s);
        mg_reactor_info ri;
        if (mg_reactor_detect(&cli, &ri)) {
            out->reactor = ri.detected;
            out->reactor_stubs = ri.stubs;
            out->reactor_init = ri.init_token;
            out->reactor_injected = ri.injected;
            snprintf(out->reactor_resource, sizeof out->reactor_resource, "%s", ri.resource);
            out->reactor_resource_size = ri.resource_len;
        }
    }
    mg_cli_close(&cli);
    return st;
}

mg_status mg_dotnet_inspect(const char *path, mg_dotnet_info *out, mg_error *err)
{
    mg_map m;
    memset(out, 0, sizeof *out);
    if (!path)
        return mg_fail(err, MG_ERR_ARG, "no path");
    mg_status st = mg_map_open(path, &m, err);
    if (st != MG_OK)
        return st;
    st = mg_dotnet_inspect_mem(m.data, m.size, out, err);
    mg_map_close(&m);
    return st;
}
