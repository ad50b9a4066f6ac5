/* emu_eh.c - exception handling of the CIL emulator (ECMA-335 II.19):
 * the catch clause that takes an exception (by the name of its class;
 * System.Object and System.Exception take all), finally and fault handlers
 * run while an exception passes through, and the finallys a leave exits,
 * innermost first. Filters are refused. */
#include "dotnet/emu/emu_frame.h"

#include <string.h>

static bool catch_matches(emu *E, uint32_t cls, uint32_t exc)
{
    char name[160];
    if (!emu_type_name(E, cls, name, sizeof name))
        return false;
    if (!strcmp(name, "System.Object") || !strcmp(name, "System.Exception"))
        return true;
    emu_obj *o = emu_o(E, exc);
    return o && o->tag && !strcmp(o->tag, name);
}

/* run the finally/fault handlers that a leave from ipc to target exits */
mg_status emu_leave_finallys(emu *E, frame *F, uint32_t ipc, uint32_t target)
{
    emu_method *m = F->m;
    for (uint32_t i = 0; i < m->body.nclauses; i++) {
        mg_eh_clause c;
        if (!mg_body_clause(E->cli, &m->body, i, &c))
            return emu_refuse(E, "unreadable exception clause");
        bool in = ipc >= c.try_off && ipc - c.try_off < c.try_len;
        bool tin = target >= c.try_off && target - c.try_off < c.try_len;
        if ((c.flags & 2) && in && !tin) {
            uint32_t save_sp = F->sp;
            F->sp = 0;
            int end = 0;
            mg_status st = emu_run_block(E, F, c.handler_off, &end);
            if (st != MG_OK)
                return st;
            if (end != END_FINALLY)
                return emu_refuse(E, "finally handler ended by ret");
            F->sp = save_sp;
        }
    }
    return MG_OK;
}

/* an exception raised at ipc: the handler pc, or EMU_THROW to the caller */
mg_status emu_find_handler(emu *E, frame *F, uint32_t ipc, uint32_t *pc)
{
    emu_method *m = F->m;
    for (uint32_t i = 0; i < m->body.nclauses; i++) {
        mg_eh_clause c;
        if (!mg_body_clause(E->cli, &m->body, i, &c))
            return emu_refuse(E, "unreadable exception clause");
        if (!(ipc >= c.try_off && ipc - c.try_off < c.try_len))
            continue;
        if (c.flags == 0 && catch_matches(E, c.class_or_filter, E->exc)) {
            F->sp = 0;
            F->stack[F->sp++] = vref(E->exc);
            F->caught = E->exc;
            E->exc = 0;
            *pc = c.handler_off;
            return MG_OK;
        }
        if (c.flags & 1)
            return emu_refuse(E, "exception filter");
        if (c.flags & 6) { /* finally, fault: run it, then keep looking */
            uint32_t exc = E->exc;
            E->exc = 0;
            F->sp = 0;
            int end = 0;
            mg_status st = emu_run_block(E, F, c.handler_off, &end);
            if (st != MG_OK)
                return st;
            E->exc = exc;
        }
    }
    return EMU_THROW;
}
