/* cmd_unpack.c - `malgopher unpack IN -o OUT`: write the executable inside
 * a UPX-packed file (the library's static unpacker, nothing run) with the
 * output rules of jit-unpack (cli/common/atomic_out.c). */
#include "common/options.h"

#include <stdint.h>
#include <stdlib.h>

static const char help[] =
    "usage: malgopher unpack [--force] IN -o OUT\n"
    "\n"
    "Write the program inside a UPX-packed ELF or PE without running it: the\n"
    "packer is found by the file's structure (tampered markers, zeroed sizes and\n"
    "renamed sections included), every block is decompressed with the real\n"
    "NRV/LZMA decoders and checked, and UPX's filters are undone.  An ELF comes\n"
    "back byte for byte; a PE gets its original sections, entry point, imports\n"
    "and relocations (the TLS and resource directories are cleared).  A file\n"
    "that is not UPX-packed is refused.\n"
    "\n"
    "  -o, --output OUT   the unpacked executable (written whole or not at all)\n"
    "  --force            replace OUT even when it is read-only\n"
    "\n"
    "OUT is refused (exit 2, OUT untouched) when it is IN itself (the same\n"
    "inode), a symbolic link, a device, FIFO, socket or directory, or a\n"
    "read-only file without --force.\n"
    "\n"
    "exit status: 0 unpacked, 1 refused or failed, 2 usage error or OUT refused.\n";

static void report(const char *in, const char *out, const mg_packer_info *pi)
{
    text_line(stdout, "input:          %s", in);
    text_line(stdout, "packer:         %s (%s, %s)", pi->name, pi->method, pi->stub);
    printf("size:           %llu -> %llu bytes\n", (unsigned long long)pi->packed_size,
           (unsigned long long)pi->unpacked_size);
    text_line(stdout, "output:         %s", out);
}

static int unpack(const char *in, const char *out, bool force)
{
    mg_map m; /* the input, read once (cli/common/file_id.c) */
    int status;
    if (!in_out_begin(in, out, force, SIZE_MAX, &m, &status))
        return status;
    void *res;
    size_t res_size;
    mg_packer_info pi;
    mg_error e;
    mg_status st = mg_unpack_mem(m.data, m.size, &res, &res_size, &pi, &e);
    mg_map_close(&m);
    if (st != MG_OK) {
        report_error(in, e.msg);
        return EXIT_SOME_FAILED;
    }
    bool ok = in_out_write(out, force, res, res_size);
    mg_unpack_free(res);
    if (!ok)
        return EXIT_SOME_FAILED;
    report(in, out, &pi);
    return EXIT_ALL_OK;
}

static int unpack_cmd(const cli_opts *o)
{
    if (!cli_want_in_out(o))
        return EXIT_USAGE;
    return unpack(o->args[0], o->output, o->force);
}

int cmd_unpack(int argc, char **argv)
{
    return cli_run("unpack", CMD_UNPACK, help, argc, argv, unpack_cmd);
}
