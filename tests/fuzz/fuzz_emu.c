/* fuzz_emu.c - libFuzzer target: the CIL emulator on arbitrary assemblies.
 * Every method of the input that takes no argument (at most 16) runs in a
 * fresh sandbox with the instruction cap lowered to 200,000, so random
 * bodies and metadata meet every opcode, the caps and the refusals; then the
 * .NET Reactor path (detection, emulated initializer) as jit-unpack takes it. */
#include "fuzz_common.h"

#include "dotnet/emu/emu.h"
#include "dotnet/reactor/reactor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_cli cli;
    mg_error e;
    if (mg_cli_open(data, size, &cli, &e) != MG_OK)
        return 0;
    unsigned ran = 0;
    for (uint32_t row = 1; row <= cli.t.rows[MG_T_METHODDEF] && ran < 16; row++) {
        emu E;
        if (emu_init(&E, &cli, &e) != MG_OK) {
            emu_free(&E);
            break;
        }
        E.max_insns = 200000;
        emu_method *m;
        if (emu_method_load(&E, row, &m) == MG_OK && m->nargs == 0) {
            emu_val ret;
            ran++;
            (void)emu_call(&E, row, NULL, 0, &ret);
            fuzz_touch_str(e.msg);
        }
        emu_free(&E);
    }
    mg_reactor_info ri;
    if (mg_reactor_detect(&cli, &ri))
        fuzz_touch_str(ri.resource);
    mg_cli_close(&cli);
    return 0;
}
