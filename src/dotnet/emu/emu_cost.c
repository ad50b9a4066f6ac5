/* emu_cost.c - what a run of the CIL emulator may spend: work units (one
 * per instruction, one per EMU_BYTES_PER_UNIT bytes of bulk work, fixed
 * costs for resolving calls) against a cap, and the wall clock against the
 * deadline of a budget (src/util/budget.h): the run's own of
 * EMU_MAX_SECONDS, or the caller's for a whole jit-unpack.  The instruction
 * loop only compares E->insns with E->check_at; emu_cost_check does the
 * rest every EMU_CHECK_EVERY units.  Both limits refuse with
 * MG_ERR_TOO_COSTLY "too costly: emulator: ...". */
#include "dotnet/emu/emu.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define EMU_CHECK_EVERY (1u << 16)

void emu_set_limits(emu *E, uint64_t max_units, mg_budget *budget)
{
    E->max_insns = max_units ? max_units : EMU_MAX_INSNS;
    if (!budget) {
        mg_budget_init(&E->own, 0, UINT64_MAX, EMU_MAX_SECONDS);
        budget = &E->own;
    }
    E->budget = budget;
    E->billed = E->insns;
    E->check_at = E->insns; /* the next instruction looks */
}

mg_status emu_too_costly(emu *E, const char *what)
{
    char where[160] = "";
    emu_ref r;
    if (E->where_row && emu_member(E, 0x06000000u | E->where_row, &r)) {
        snprintf(where, sizeof where, " (in %.60s::%.60s (0x%08x) at IL_%04x)", r.cls, r.name,
                 0x06000000u | E->where_row, E->pc);
        for (char *c = where; *c; c++) /* names come from the file */
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?';
    }
    if (E->nomem)
        return mg_fail(E->err, MG_ERR_NOMEM, "out of memory");
    return mg_fail(E->err, MG_ERR_TOO_COSTLY, "too costly: emulator: %s%s", what, where);
}

mg_status emu_cost_check(emu *E)
{
    if (E->insns > E->max_insns) {
        char what[120];
        snprintf(what, sizeof what, "work cap (%llu units: instructions and bytes moved) reached",
                 (unsigned long long)E->max_insns);
        return emu_too_costly(E, what);
    }
    if (!E->budget)
        emu_set_limits(E, E->max_insns, NULL);
    uint64_t spent = E->insns - E->billed;
    E->billed = E->insns;
    if (!mg_budget_spend(E->budget, spent, "the work budget of the file")) {
        char what[120];
        if (!strcmp(E->budget->what, "time limit reached"))
            snprintf(what, sizeof what, "time limit (%.0f s) reached", EMU_MAX_SECONDS);
        else
            snprintf(what, sizeof what, "%s", E->budget->what);
        return emu_too_costly(E, what);
    }
    E->check_at = E->insns + EMU_CHECK_EVERY < E->max_insns ? E->insns + EMU_CHECK_EVERY
                                                            : E->max_insns;
    return MG_OK;
}

mg_status emu_charge_units(emu *E, uint64_t units)
{
    E->insns = units > UINT64_MAX - E->insns ? UINT64_MAX : E->insns + units;
    return E->insns > E->check_at ? emu_cost_check(E) : MG_OK;
}

mg_status emu_charge(emu *E, uint64_t bytes)
{
    return emu_charge_units(E, bytes / EMU_BYTES_PER_UNIT);
}
