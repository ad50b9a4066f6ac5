/* emu_ops_arith.c - the stack side of the numeric instructions of the CIL
 * emulator: arithmetic, conversions, ckfinite and the comparisons, whose
 * rules are in emu_arith.c. */
#include "dotnet/emu/emu_ops.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

/* arithmetic, conversions, ckfinite, ceq/cgt/clt */
mg_status emu_ops_arith(insn *I)
{
    emu *E = I->E;
    uint16_t op = I->op;
    emu_val a, b, v;
    bool t;
    switch (op) {
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
    case 0x60: case 0x61: case 0x62: case 0x63: case 0x64:
    case 0xd6: case 0xd7: case 0xd8: case 0xd9: case 0xda: case 0xdb:
        POP(b);
        POP(a);
        CHECK(emu_binop(E, op, a, b, &v));
        PUSH(v);
        break;
    case 0x65: case 0x66: POP(a); CHECK(emu_unop(E, op, a, &v)); PUSH(v); break;
    case 0x67: case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e:
    case 0x76: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87: case 0x88:
    case 0x89: case 0x8a: case 0x8b: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
    case 0xb8: case 0xb9: case 0xba: case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5:
    case 0xe0:
        POP(a);
        CHECK(emu_conv(E, op, a, &v));
        PUSH(v);
        break;
    case 0xc3: /* ckfinite */
        POP(a);
        if (a.k == V_F && !isfinite(a.f)) return emu_throw(E, "System.ArithmeticException");
        PUSH(a);
        break;
    case 0xfe01: case 0xfe02: case 0xfe03: case 0xfe04: case 0xfe05: {
        static const int how[] = {0, CMP_EQ, CMP_GT, CMP_GT_UN, CMP_LT, CMP_LT_UN};
        POP(b);
        POP(a);
        CHECK(emu_compare(E, how[(op & 0xff)], a, b, &t));
        PUSH(vi4(t));
        break;
    }
    default:
        return emu_unsupported(I);
    }
    return MG_OK;
}
