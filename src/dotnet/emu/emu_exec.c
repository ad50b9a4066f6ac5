/* emu_exec.c - the interpreter loop of the sandboxed CIL emulator: frames
 * (arguments, locals, evaluation stack in one capped value arena), calls
 * into the assembly's own methods (type initializers run on first use),
 * and the loop itself: it charges each instruction (emu_cost.c), decodes
 * the opcode and hands it to its family (emu_ops.h: load/store, branch,
 * arithmetic, objects, calls; the call instructions themselves are in
 * emu_calls.c), and finds the handler of an exception (emu_eh.c).  The
 * stack-type rules are III.1.5's (int32, int64, native int, F, references,
 * managed pointers).  The work and the call depth are capped. */
#include "util/alloc.h"
#include "dotnet/emu/emu.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotnet/emu/emu_ops.h"

mg_status emu_throw(emu *E, const char *cls)
{
    if (E->nomem) /* not a managed exception: the host ran out */
        return emu_heap_full(E);
    uint32_t r = emu_new(E, O_MODEL);
    if (!r)
        return emu_heap_full(E);
    E->obj[r]->tag = cls;
    E->exc = r;
    return EMU_THROW;
}

mg_status emu_init(emu *E, const mg_cli *cli, mg_error *err)
{
    memset(E, 0, sizeof *E);
    E->cli = cli;
    E->err = err;
    emu_set_limits(E, EMU_MAX_INSNS, NULL);
    E->ptr = (cli->img.bits == 64 || !(cli->flags & 0x2)) ? 8 : 4;
    if (cli->img.bits == 32 && (cli->flags & 0x2))
        E->ptr = 4;
    uint32_t nm = cli->t.rows[MG_T_METHODDEF], nf = cli->t.rows[MG_T_FIELD],
             nt = cli->t.rows[MG_T_TYPEDEF];
    E->vals = mg_calloc(EMU_MAX_VALUES, sizeof *E->vals);
    E->statics = mg_calloc((size_t)nf + 1, sizeof *E->statics);
    E->cctor_state = mg_calloc((size_t)nt + 1, 1);
    E->mcache = mg_calloc((size_t)nm + 1, sizeof *E->mcache);
    E->mloaded = mg_calloc((size_t)nm + 1, 1);
    if (!E->vals || !E->statics || !E->cctor_state || !E->mcache || !E->mloaded ||
        !emu_field_owners(E))
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    E->nobj = 1; /* 0 is null */
    E->obj = mg_calloc(1024, sizeof *E->obj);
    if (!E->obj)
        return mg_fail(err, MG_ERR_NOMEM, "out of memory");
    E->capobj = 1024;
    for (uint32_t f = 1; f <= nf; f++) {
        E->statics[f].k = emu_field_kind(E, f);
        if (E->statics[f].k == V_BYREF)
            E->statics[f].k = V_NI;
    }
    return emu_mem_init(E, err);
}

static const char *method_name(emu *E, uint32_t row, char *buf, size_t n)
{
    emu_ref r;
    if (emu_member(E, 0x06000000u | row, &r))
        snprintf(buf, n, "%.60s::%.60s (0x%08x)", r.cls, r.name, 0x06000000u | row);
    else
        snprintf(buf, n, "method 0x%08x", 0x06000000u | row);
    return buf;
}


mg_status emu_type_init(emu *E, uint32_t t)
{
    if (!t || t > E->cli->t.rows[MG_T_TYPEDEF] || E->cctor_state[t])
        return MG_OK;
    E->cctor_state[t] = 1;
    uint32_t first, last;
    if (!mg_type_methods(E->cli, t, &first, &last))
        return MG_OK;
    for (uint32_t i = first; i < last; i++) {
        uint32_t row, nm;
        const char *s;
        size_t n;
        if (mg_method_at(E->cli, i, &row) &&
            mg_tbl_get(E->cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &nm) &&
            mg_cli_string(E->cli, nm, &s, &n) && !strcmp(s, ".cctor")) {
            emu_val rv;
            return emu_call(E, row, NULL, 0, &rv);
        }
    }
    return MG_OK;
}

/* a P/Invoke: answered by the native models (emu_bcl.c) */
static mg_status pinvoke(emu *E, uint32_t row, const char *imp, emu_val *args, uint32_t nargs,
                         emu_val *ret)
{
    mg_status st = emu_native_call(E, imp, args, nargs, ret);
    if (st == EMU_STOP)
        E->stop_method = row;
    return st;
}

static mg_status alloc_vals(emu *E, uint32_t n, emu_val **out)
{
    if (n > EMU_MAX_VALUES - E->nvals)
        return emu_refuse(E, "value arena cap reached (%u values)", EMU_MAX_VALUES);
    *out = E->vals + E->nvals;
    memset(*out, 0, n * sizeof **out);
    E->nvals += n;
    return MG_OK;
}

mg_status emu_call(emu *E, uint32_t row, emu_val *args, uint32_t nargs, emu_val *ret)
{
    char imp[128];
    memset(ret, 0, sizeof *ret);
    if (emu_is_pinvoke(E, row, imp, sizeof imp)) { /* found by a scan of ImplMap */
        mg_status st = emu_charge_units(E, E->cli->t.rows[MG_T_IMPLMAP]);
        return st != MG_OK ? st : pinvoke(E, row, imp, args, nargs, ret);
    }
    if (E->depth >= EMU_MAX_DEPTH)
        return emu_refuse(E, "call depth cap (%u) reached", EMU_MAX_DEPTH);
    emu_method *m;
    mg_status st = emu_method_load(E, row, &m);
    if (st != MG_OK)
        return st;
    if ((st = emu_type_init(E, m->owner)) != MG_OK)
        return st;
    if (nargs != m->nargs) {
        char nb[300];
        return emu_refuse(E, "%s called with %u arguments, takes %u",
                          method_name(E, row, nb, sizeof nb), nargs, m->nargs);
    }
    uint32_t mark = E->nvals;
    frame F = {0};
    F.m = m;
    F.maxs = m->body.max_stack + 2u;
    if ((st = alloc_vals(E, m->nargs, &F.args)) != MG_OK ||
        (st = alloc_vals(E, m->nlocals, &F.locals)) != MG_OK ||
        (st = alloc_vals(E, F.maxs, &F.stack)) != MG_OK)
        return st;
    for (uint32_t i = 0; i < nargs; i++)
        F.args[i] = args[i];
    for (uint32_t i = 0; i < m->nlocals; i++) {
        F.locals[i].k = m->local_kind[i];
        if (F.locals[i].k == V_BYREF)
            F.locals[i].k = V_NI;
        uint32_t t = m->local_type[i];
        if (t >> 24 == MG_T_TYPEDEF) { /* a struct of the assembly: its own storage */
            uint32_t o = emu_new(E, O_FIELDS);
            if (!o)
                return emu_heap_full(E);
            E->obj[o]->type = t;
            F.locals[i] = vref(o);
        }
    }
    uint32_t saved = E->where_row;
    E->where_row = row;
    E->depth++;
    int end = 0;
    st = emu_run_block(E, &F, 0, &end);
    E->depth--;
    if (st == MG_OK) {
        if (end != END_RET)
            st = emu_refuse(E, "endfinally outside a finally");
        else
            *ret = F.ret;
        E->where_row = saved;
    } else if (st == EMU_THROW)
        E->where_row = saved;
    E->nvals = mark;
    if (E->nomem && st != MG_ERR_NOMEM) /* a failure the method's code went past */
        st = emu_heap_full(E);
    return st;
}

/* ---- the interpreter loop: decode, then the opcode's family ---- */

static mg_status dispatch(insn *I)
{
    switch (I->op) {
    case 0x28: case 0x6f: case 0x73: case 0xfe06: case 0xfe07:
        return emu_ops_calls(I);
    case 0x2a: case 0x45: case 0x7a: case 0xdc: case 0xdd: case 0xde: case 0xfe1a:
        return emu_ops_branch(I);
    case 0x65: case 0x66: case 0x76: case 0xc3: case 0xe0:
    case 0xfe01: case 0xfe02: case 0xfe03: case 0xfe04: case 0xfe05:
        return emu_ops_arith(I);
    case 0x46: case 0x47: case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d:
    case 0x4e: case 0x4f: case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55:
    case 0x56: case 0x57: case 0xdf: case 0x70: case 0x71: case 0x72: case 0x81: case 0xd0:
    case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: case 0x80:
    case 0xfe09: case 0xfe0a: case 0xfe0b: case 0xfe0c: case 0xfe0d: case 0xfe0e:
        return emu_ops_load_store(I);
    case 0x74: case 0x75: case 0x79: case 0xa5: case 0x8c: case 0x8d: case 0x8e: case 0x8f:
    case 0xfe15: case 0xfe17: case 0xfe18: case 0xfe1c:
        return emu_ops_objects(I);
    case 0xfe12: /* unaligned. */
        NEED(1);
        I->pc += 1;
        return MG_OK;
    case 0xfe13: case 0xfe14: case 0xfe1e: /* volatile. tail. readonly. */
        return MG_OK;
    case 0xfe16: /* constrained. */
        NEED(4);
        I->pc += 4;
        return MG_OK;
    }
    if (I->op <= 0x26 && I->op != 0x24)
        return emu_ops_load_store(I);
    if ((I->op >= 0x2b && I->op <= 0x44))
        return emu_ops_branch(I);
    if ((I->op >= 0x58 && I->op <= 0x64) || (I->op >= 0xd6 && I->op <= 0xdb) ||
        (I->op >= 0x67 && I->op <= 0x6e) || (I->op >= 0x82 && I->op <= 0x8b) ||
        (I->op >= 0xb3 && I->op <= 0xba) || (I->op >= 0xd1 && I->op <= 0xd5))
        return emu_ops_arith(I);
    if (I->op >= 0x90 && I->op <= 0xa4)
        return emu_ops_objects(I);
    return emu_unsupported(I);
}

mg_status emu_run_block(emu *E, frame *F, uint32_t pc, int *end)
{
    insn I = {.E = E, .F = F, .pc = pc, .ipc = pc};
    const emu_method *m = F->m;
    for (;;) {
        mg_status st;
        I.ipc = I.pc;
        E->pc = I.pc;
        if (++E->insns > E->check_at && (st = emu_cost_check(E)) != MG_OK)
            goto out;
        if (I.pc >= m->body.code_size) {
            st = emu_refuse(E, "execution ran off the end of the code");
            goto out;
        }
        I.op = m->code[I.pc++];
        if (E->trace)
            E->trace(E, m->row, I.ipc, (uint8_t)I.op);
        if (I.op == 0xfe) {
            if (I.pc >= m->body.code_size) {
                st = emu_refuse(E, "instruction at IL_%04x runs past the code", I.ipc);
                goto out;
            }
            I.op = (uint16_t)(0xfe00 | m->code[I.pc++]);
        }
        st = dispatch(&I);
        if (st == MG_OK)
            continue;
        if (st == EMU_END) {
            *end = I.end;
            return MG_OK;
        }
    out:
        if (st == EMU_THROW) {
            uint32_t h;
            mg_status hs = emu_find_handler(E, F, I.ipc, &h);
            if (hs == MG_OK) {
                I.pc = h;
                continue;
            }
            return hs;
        }
        return st;
    }
}
