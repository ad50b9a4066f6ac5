/* reactor.c - .NET Reactor (NecroBit) protected assemblies: detection
 * (stubbed bodies, the initializer call injected into the type
 * initializers, the one private resource) and the emulated run of the
 * initializer up to its JIT-hook installation, which leaves the real
 * method bodies in the emulator's memory (see emu.h). */
#include "dotnet/reactor/reactor.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the MethodDef row of the .cctor of TypeDef t, 0 when none */
static uint32_t cctor_of(const mg_cli *cli, uint32_t t)
{
    uint32_t first, last;
    if (!mg_type_methods(cli, t, &first, &last))
        return 0;
    for (uint32_t i = first; i < last; i++) {
        uint32_t row, nm;
        const char *s;
        size_t n;
        if (mg_method_at(cli, i, &row) && mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &nm) &&
            mg_cli_string(cli, nm, &s, &n) && !strcmp(s, ".cctor"))
            return row;
    }
    return 0;
}

/* the first call in the body of method row of a MethodDef: its row */
static uint32_t first_call(const mg_cli *cli, uint32_t row, uint64_t *call_off)
{
    uint32_t rva;
    mg_body b;
    mg_error e;
    if (!mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) || !rva ||
        mg_body_parse(cli, rva, &b, &e) != MG_OK)
        return 0;
    mg_reader code;
    if (!mg_rd_sub(&cli->img.r, b.code_off, b.code_size, &code))
        return 0;
    /* the call comes first, after a few nops at most: a body of nops is
     * not read to its end (each type's initializer may share one) */
    unsigned seen = 0;
    for (uint64_t off = 0; off < b.code_size && seen++ < 16;) {
        uint32_t len;
        uint16_t op;
        if (!mg_il_insn(&code, off, &len, &op))
            return 0;
        if (op == MG_IL_CALL) {
            uint32_t tok;
            if (mg_rd_u32(&code, off + 1, &tok) && tok >> 24 == MG_T_METHODDEF) {
                if (call_off)
                    *call_off = b.code_off + off;
                return tok & 0xffffff;
            }
            return 0;
        }
        if (op != MG_IL_NOP)
            return 0;
        off += len;
    }
    return 0;
}

uint32_t mg_reactor_initializer(const mg_cli *cli)
{
    uint32_t c = cli->t.rows[MG_T_TYPEDEF] ? cctor_of(cli, 1) : 0;
    return c ? first_call(cli, c, NULL) : 0;
}

static bool is_stub(const mg_cli *cli, uint32_t rva)
{
    mg_body b;
    mg_error e;
    const uint8_t *c;
    if (mg_body_parse(cli, rva, &b, &e) != MG_OK || b.code_size != 4 ||
        !mg_rd_bytes(&cli->img.r, b.code_off, 4, &c))
        return false;
    return c[0] == 0 && c[1] == 0 && (c[2] == 0 || c[2] == 0x14 || c[2] == 0x16) && c[3] == 0x2a;
}

bool mg_reactor_detect(const mg_cli *cli, mg_reactor_info *ri)
{
    memset(ri, 0, sizeof *ri);
    uint32_t init = mg_reactor_initializer(cli);
    if (!init)
        return false;
    ri->init_token = 0x06000000u | init;
    for (uint32_t t = 1; t <= cli->t.rows[MG_T_TYPEDEF]; t++) {
        uint32_t c = cctor_of(cli, t);
        if (c && first_call(cli, c, NULL) == init)
            ri->injected++;
    }
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_METHODDEF]; row++) {
        uint32_t rva;
        if (mg_tbl_get(cli, MG_T_METHODDEF, row, MG_METHOD_RVA, &rva) && rva && is_stub(cli, rva))
            ri->stubs++;
    }
    for (uint32_t row = 1; row <= cli->t.rows[MG_T_MANIFESTRESOURCE]; row++) {
        mg_resource res;
        uint32_t flags;
        if (mg_resource_get(cli, row, &res) && res.embedded && res.data_ok &&
            mg_tbl_get(cli, MG_T_MANIFESTRESOURCE, row, MG_MRES_FLAGS, &flags) && (flags & 7) == 2) {
            ri->resource_row = row;
            snprintf(ri->resource, sizeof ri->resource, "%.*s", (int)res.name_len, res.name);
            ri->resource_len = res.data_len;
            break;
        }
    }
    ri->detected = ri->stubs && ri->injected && ri->resource_row;
    return true;
}

mg_status mg_reactor_emulate(const mg_cli *cli, emu *E, mg_budget *budget, mg_error *err)
{
    uint32_t init = mg_reactor_initializer(cli);
    if (!init)
        return mg_fail(err, MG_ERR_UNSUPPORTED, "not .NET Reactor protected (no initializer call in <Module>::.cctor)");
    void (*trace)(emu *, uint32_t, uint32_t, uint8_t) = E->trace;
    mg_status st = emu_init(E, cli, err);
    E->trace = trace;
    if (st != MG_OK)
        return st;
    emu_set_limits(E, EMU_INIT_WORK, budget);
    E->cctor_state[1] = 1; /* <Module>::.cctor is what we are emulating */
    emu_val ret;
    st = emu_call(E, init, NULL, 0, &ret);
    if (st == EMU_STOP)
        return MG_OK;
    if (st == EMU_THROW) {
        emu_obj *o = emu_o(E, E->exc);
        return mg_fail(err, MG_ERR_UNSUPPORTED, "emulator: the initializer threw %s",
                       o && o->tag ? o->tag : "an exception");
    }
    if (st == MG_OK)
        return mg_fail(err, MG_ERR_UNSUPPORTED,
                       "emulator: the initializer returned without installing its JIT hook");
    return st;
}
