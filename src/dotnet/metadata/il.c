/* il.c - CIL instruction lengths (ECMA-335 III): the operand size of every
 * one- and two-byte opcode, `switch` with its jump table; enough to walk a
 * method's code instruction by instruction. */
#include "dotnet/metadata/dotnet.h"

#define X 0xff /* unused opcode */
#define W 0xfe /* switch: uint32 count, then count int32 targets */

/* operand bytes of one-byte opcodes 0x00-0xe0 */
static const uint8_t op1[0xe1] = {
    /* 0x00 nop break ldarg.0-3 ldloc.0-3 stloc.0-3 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x0e ldarg.s ldarga.s starg.s ldloc.s ldloca.s stloc.s */
    1, 1, 1, 1, 1, 1,
    /* 0x14 ldnull, ldc.i4.m1-8 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x1f ldc.i4.s ldc.i4 ldc.i8 ldc.r4 ldc.r8 (0x24 unused) */
    1, 4, 8, 4, 8, X,
    /* 0x25 dup pop jmp call calli ret */
    0, 0, 4, 4, 4, 0,
    /* 0x2b-0x37 short branches */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x38-0x44 long branches */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    /* 0x45 switch */
    W,
    /* 0x46-0x6e ldind, stind, arithmetic, conversions */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x6f callvirt cpobj ldobj ldstr newobj castclass isinst */
    4, 4, 4, 4, 4, 4, 4,
    /* 0x76 conv.r.un, 0x77-0x78 unused */
    0, X, X,
    /* 0x79 unbox throw ldfld ldflda stfld ldsfld ldsflda stsfld stobj */
    4, 0, 4, 4, 4, 4, 4, 4, 4,
    /* 0x82-0x8b conv.ovf.*.un */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x8c box newarr ldlen ldelema */
    4, 4, 0, 4,
    /* 0x90-0xa2 ldelem.* / stelem.* */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xa3 ldelem stelem unbox.any */
    4, 4, 4,
    /* 0xa6-0xb2 unused */
    X, X, X, X, X, X, X, X, X, X, X, X, X,
    /* 0xb3-0xba conv.ovf.* */
    0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xbb-0xc1 unused, 0xc2 refanyval, 0xc3 ckfinite, 0xc4-0xc5 unused, 0xc6 mkrefany */
    X, X, X, X, X, X, X, 4, 0, X, X, 4,
    /* 0xc7-0xcf unused */
    X, X, X, X, X, X, X, X, X,
    /* 0xd0 ldtoken, 0xd1-0xdc conversions, *.ovf, endfinally */
    4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xdd leave leave.s stind.i conv.u */
    4, 1, 0, 0,
};

/* operand bytes of two-byte opcodes 0xfe 0x00-0x1e */
static const uint8_t op2[0x1f] = {
    /* arglist ceq cgt cgt.un clt clt.un ldftn ldvirtftn (0x08 unused) */
    0, 0, 0, 0, 0, 0, 4, 4, X,
    /* 0x09 ldarg ldarga starg ldloc ldloca stloc */
    2, 2, 2, 2, 2, 2,
    /* 0x0f localloc (0x10 unused) endfilter unaligned. volatile. tail. */
    0, X, 0, 1, 0, 0,
    /* 0x15 initobj constrained. cpblk initblk no. rethrow (0x1b unused) sizeof refanytype
     * readonly. */
    4, 4, 0, 0, 1, 0, X, 4, 0, 0,
};

bool mg_il_insn(const mg_reader *code, uint64_t off, uint32_t *len, uint16_t *opcode)
{
    uint8_t b, b2, osz;
    unsigned olen = 1;
    if (!mg_rd_u8(code, off, &b))
        return false;
    if (b == 0xfe) {
        if (!mg_rd_u8(code, off + 1, &b2) || b2 >= sizeof op2)
            return false;
        osz = op2[b2];
        olen = 2;
        *opcode = (uint16_t)(0xfe00u | b2);
    } else {
        if (b >= sizeof op1)
            return false;
        osz = op1[b];
        *opcode = b;
    }
    if (osz == X)
        return false;
    uint64_t n = osz;
    if (osz == W) {
        uint32_t count;
        if (!mg_rd_u32(code, off + olen, &count))
            return false;
        n = 4 + (uint64_t)count * 4;
    }
    if (!mg_rd_has(code, off, olen + n))
        return false;
    *len = (uint32_t)(olen + n);
    return true;
}
