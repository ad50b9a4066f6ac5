/* emu_frame.h - what the interpreter loop (emu_exec.c and the opcode
 * families of emu_ops.h), the call instructions (emu_calls.c) and exception
 * handling (emu_eh.c) share: the frame of one method activation. */
#ifndef MG_DOTNET_EMU_FRAME_H
#define MG_DOTNET_EMU_FRAME_H
#include "dotnet/emu/emu.h"

typedef struct frame {
    emu_method *m;
    emu_val *args, *locals, *stack;
    uint32_t sp, maxs;
    uint32_t caught;      /* exception object being handled (rethrow) */
    emu_val ret;
} frame;

enum { END_RET = 1, END_FINALLY };

/* run F's code from pc until ret (*end END_RET) or endfinally (END_FINALLY) */
mg_status emu_run_block(emu *E, frame *F, uint32_t pc, int *end);
/* call, callvirt (kind 1) or newobj (kind 2) of token tok at ipc */
mg_status emu_do_call(emu *E, frame *F, uint32_t tok, int kind, uint32_t ipc);
/* run the finally handlers a leave from ipc to target exits */
mg_status emu_leave_finallys(emu *E, frame *F, uint32_t ipc, uint32_t target);
/* the handler of the exception in flight raised at ipc, or EMU_THROW */
mg_status emu_find_handler(emu *E, frame *F, uint32_t ipc, uint32_t *pc);
#endif
