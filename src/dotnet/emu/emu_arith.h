/* emu_arith.h - the numeric instructions of the CIL emulator (emu_arith.c):
 * binary and unary operators, conversions and comparisons with the operand
 * type rules of ECMA-335 III.1.5 and the overflow and division exceptions
 * of III.3 (raised as emulated exceptions). */
#ifndef MG_DOTNET_EMU_ARITH_H
#define MG_DOTNET_EMU_ARITH_H
#include "dotnet/emu/emu.h"

/* op: the one-byte opcode (add 0x58 .. shr.un 0x64, add.ovf 0xd6 .. sub.ovf.un 0xdb) */
mg_status emu_binop(emu *E, uint8_t op, emu_val a, emu_val b, emu_val *r);
/* neg 0x65, not 0x66 */
mg_status emu_unop(emu *E, uint8_t op, emu_val a, emu_val *r);
/* op: one-byte conversion opcode (conv.*, conv.ovf.*, conv.r.un) */
mg_status emu_conv(emu *E, uint8_t op, emu_val a, emu_val *r);
/* comparisons */
enum { CMP_EQ, CMP_NE_UN, CMP_GT, CMP_GT_UN, CMP_LT, CMP_LT_UN, CMP_GE, CMP_GE_UN, CMP_LE,
       CMP_LE_UN };
mg_status emu_compare(emu *E, int how, emu_val a, emu_val b, bool *res);
#endif
