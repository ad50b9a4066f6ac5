/* emu_run.c - runs every static method named T_* of an assembly in the
 * sandboxed CIL emulator (src/dotnet/emu/emu.h) and prints "name value" for
 * each (an int64 result), or "name refused: reason".  With emu_ops.py's
 * EmuOps.exe its output must equal what mono prints running the same IL;
 * the methods named X_* must be refused (caps, unmodelled calls).
 * usage: emu_run ASSEMBLY */
#include "dotnet/emu/emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: emu_run ASSEMBLY\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    mg_cli cli;
    mg_error e;
    if (mg_cli_open(buf, n, &cli, &e) != MG_OK) {
        fprintf(stderr, "emu_run: %s\n", e.msg);
        return 1;
    }
    int rc = 0;
    for (uint32_t row = 1; row <= cli.t.rows[MG_T_METHODDEF]; row++) {
        uint32_t nm;
        const char *name;
        size_t len;
        if (!mg_tbl_get(&cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &nm) ||
            !mg_cli_string(&cli, nm, &name, &len) ||
            (strncmp(name, "T_", 2) && strncmp(name, "X_", 2)))
            continue;
        emu E;
        if (emu_init(&E, &cli, &e) != MG_OK) {
            fprintf(stderr, "emu_run: %s\n", e.msg);
            rc = 1;
            break;
        }
        emu_val ret;
        mg_status st = emu_call(&E, row, NULL, 0, &ret);
        if (st == MG_OK)
            printf("%s %lld\n", name + 2, (long long)ret.i);
        else if (st == EMU_THROW)
            printf("%s uncaught %s\n", name + 2,
                   emu_o(&E, E.exc) && emu_o(&E, E.exc)->tag ? emu_o(&E, E.exc)->tag : "?");
        else
            printf("%s refused: %s\n", name + 2, e.msg);
        emu_free(&E);
    }
    mg_cli_close(&cli);
    return rc;
}
