/* emu_ops_branch.c - the control-flow instructions of the CIL emulator:
 * ret, the branches and switch, throw and rethrow, endfinally and leave
 * (which runs the finallys it exits, emu_eh.c). */
#include "dotnet/emu/emu_ops.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

static const int br_cmp[] = {CMP_EQ, CMP_GE, CMP_GT, CMP_LE, CMP_LT, CMP_NE_UN, CMP_GE_UN, CMP_GT_UN,
                             CMP_LE_UN, CMP_LT_UN};

/* ret, branches, switch, throw, rethrow, endfinally, leave */
mg_status emu_ops_branch(insn *I)
{
    emu *E = I->E;
    frame *F = I->F;
    emu_method *m = F->m;
    const uint8_t *code = F->m->code;
    uint16_t op = I->op;
    emu_val a, b, v;
    bool t;
    switch (op) {
    case 0x2a:
        if (!m->ret_void) {
            POP(v);
            F->ret = v;
        }
        I->end = END_RET;
        return EMU_END;
    case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x30: case 0x31: case 0x32:
    case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
    case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: {
        bool sh = op <= 0x37;
        uint8_t base = sh ? (uint8_t)(op - 0x2b) : (uint8_t)(op - 0x38);
        int32_t d;
        if (sh) { NEED(1); d = (int8_t)code[I->pc]; I->pc += 1; }
        else { NEED(4); d = rd32(code + I->pc); I->pc += 4; }
        if (base == 0)
            t = true;
        else if (base == 1 || base == 2) {
            POP(a);
            bool nz = a.k == V_REF ? a.ref != 0 : a.k == V_BYREF ? (a.p || a.i) : a.i != 0;
            if (a.k == V_F) return emu_refuse(E, "brtrue on F");
            if (a.k == V_NONE) return emu_refuse(E, "branch on an unknown value");
            t = base == 1 ? !nz : nz;
        } else {
            POP(b);
            POP(a);
            CHECK(emu_compare(E, br_cmp[base - 3], a, b, &t));
        }
        if (t) {
            int64_t tg = (int64_t)I->pc + d;
            if (tg < 0 || tg >= m->body.code_size) return emu_refuse(E, "branch out of the code");
            I->pc = (uint32_t)tg;
        }
        break;
    }
    case 0x45: {
        NEED(4);
        uint32_t n = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        if (n > (m->body.code_size - I->pc) / 4) return emu_refuse(E, "switch table past the code");
        uint32_t after = I->pc + 4 * n;
        POP(a);
        if (a.k != V_I4 && a.k != V_NI) return emu_refuse(E, "switch on a non-integer");
        uint32_t sel = (uint32_t)a.i;
        if (sel < n) {
            int64_t tg = (int64_t)after + rd32(code + I->pc + 4 * sel);
            if (tg < 0 || tg >= m->body.code_size) return emu_refuse(E, "switch target out of the code");
            I->pc = (uint32_t)tg;
        } else
            I->pc = after;
        break;
    }
    case 0x7a:
        POP(a);
        if (a.k != V_REF || !a.ref) return emu_throw(E, "System.NullReferenceException");
        E->exc = a.ref;
        return EMU_THROW;
    case 0xdc: /* endfinally */
        I->end = END_FINALLY;
        return EMU_END;
    case 0xdd: case 0xde: {
        int32_t d;
        if (op == 0xde) { NEED(1); d = (int8_t)code[I->pc]; I->pc += 1; }
        else { NEED(4); d = rd32(code + I->pc); I->pc += 4; }
        int64_t tg = (int64_t)I->pc + d;
        if (tg < 0 || tg >= m->body.code_size) return emu_refuse(E, "leave out of the code");
        CHECK(emu_leave_finallys(E, F, I->ipc, (uint32_t)tg));
        F->sp = 0;
        I->pc = (uint32_t)tg;
        break;
    }
    case 0xfe1a: /* rethrow */
        if (!F->caught) return emu_refuse(E, "rethrow outside a handler");
        E->exc = F->caught;
        return EMU_THROW;
    default:
        return emu_unsupported(I);
    }
    return MG_OK;
}
