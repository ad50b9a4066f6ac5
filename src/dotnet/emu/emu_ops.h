/* emu_ops.h - what the opcode families of the interpreter loop share: the
 * instruction being executed (insn), the stack and operand macros (each
 * returns a refusal from the family function), and the raw element access.
 * The loop (emu_exec.c) decodes the opcode and calls one family:
 * emu_ops_load_store.c, emu_ops_branch.c, emu_ops_arith.c (the rules in
 * emu_arith.c), emu_ops_objects.c, emu_ops_calls.c (calls: emu_calls.c). */
#ifndef MG_DOTNET_EMU_OPS_H
#define MG_DOTNET_EMU_OPS_H
#include "dotnet/emu/emu_arith.h"
#include "dotnet/emu/emu_frame.h"

/* a family's answer beyond mg_status: the block ended (ret or endfinally:
 * insn.end says which) */
#define EMU_END ((mg_status)102)

typedef struct insn {
    emu *E;
    frame *F;
    uint16_t op;  /* one-byte opcodes as they are, two-byte ones 0xfeXX */
    uint32_t ipc; /* offset of the instruction */
    uint32_t pc;  /* next byte of its operand, then of the next instruction */
    int end;      /* EMU_END: END_RET or END_FINALLY */
} insn;

#define NEED(n)                                                                         \
    do {                                                                                \
        if ((uint64_t)I->pc + (n) > I->F->m->body.code_size)                            \
            return emu_refuse(I->E, "instruction at IL_%04x runs past the code", I->ipc); \
    } while (0)
#define POP(v)                                                                          \
    do {                                                                                \
        if (!I->F->sp)                                                                  \
            return emu_refuse(I->E, "stack underflow at IL_%04x", I->ipc);              \
        (v) = I->F->stack[--I->F->sp];                                                  \
    } while (0)
#define PUSH(v)                                                                         \
    do {                                                                                \
        if (I->F->sp >= I->F->maxs)                                                     \
            return emu_refuse(I->E, "stack overflow at IL_%04x", I->ipc);               \
        I->F->stack[I->F->sp++] = (v);                                                  \
    } while (0)
#define CHECK(x)                                                                        \
    do {                                                                                \
        mg_status check_st_ = (x);                                                      \
        if (check_st_ != MG_OK)                                                         \
            return check_st_;                                                           \
    } while (0)

static inline int32_t rd32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

/* the refusal of an opcode the emulator does not implement */
static inline mg_status emu_unsupported(const insn *I)
{
    if (I->op >> 8)
        return emu_refuse(I->E, "opcode 0xfe 0x%02x at IL_%04x not supported", I->op & 0xff, I->ipc);
    return emu_refuse(I->E, "opcode 0x%02x at IL_%04x not supported", I->op, I->ipc);
}

/* an element of esz bytes of kind ek ('i', 'u', 'f', 'c') to a stack value
 * and back (emu_ops_load_store.c; the array instructions use them too) */
emu_val emu_load_raw(emu *E, const uint8_t *p, uint8_t esz, char ek);
void emu_store_raw(uint8_t *p, uint8_t esz, char ek, emu_val v);

/* the families: MG_OK to go on at I->pc, EMU_END, EMU_THROW or a refusal */
mg_status emu_ops_load_store(insn *I);
mg_status emu_ops_branch(insn *I);
mg_status emu_ops_arith(insn *I);
mg_status emu_ops_objects(insn *I);
mg_status emu_ops_calls(insn *I);
#endif
