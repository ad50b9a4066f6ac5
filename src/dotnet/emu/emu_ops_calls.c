/* emu_ops_calls.c - the call instructions of the CIL emulator as the loop
 * decodes them (call, callvirt, newobj: emu_calls.c does the call) and
 * ldftn/ldvirtftn. */
#include "dotnet/emu/emu_ops.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

/* call, callvirt, newobj, ldftn, ldvirtftn */
mg_status emu_ops_calls(insn *I)
{
    emu *E = I->E;
    frame *F = I->F;
    const uint8_t *code = F->m->code;
    uint16_t op = I->op;
    emu_val a, v;
    switch (op) {
    case 0x28: case 0x6f: case 0x73: {
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        CHECK(emu_do_call(E, F, tok, op == 0x28 ? 0 : op == 0x6f ? 1 : 2, I->ipc));
        break;
    }
    case 0xfe06: case 0xfe07: { /* ldftn, ldvirtftn */
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        if ((op & 0xff) == 0x07) { /* the object: not looked at */
            POP(a);
            (void)a;
        }
        v = vi8(tok);
        v.k = V_NI;
        PUSH(v);
        break;
    }
    default:
        return emu_unsupported(I);
    }
    return MG_OK;
}
