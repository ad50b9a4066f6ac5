/* emu_exec.c - the interpreter loop of the sandboxed CIL emulator: frames
 * (arguments, locals, evaluation stack in one capped value arena), every
 * base instruction of ECMA-335 partition III with the stack-type rules of
 * III.1.5 (int32, int64, native int, F, references, managed pointers),
 * exception handling (catch, finally, fault; leave runs the finallys it
 * exits), calls into the assembly's own methods (type initializers run on
 * first use; the call instructions themselves are in emu_calls.c, exception
 * handling in emu_eh.c).  The instruction count and the call depth are
 * capped. */
#include "util/alloc.h"
#include "dotnet/emu/emu.h"
#include "dotnet/emu/emu_arith.h"

#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotnet/emu/emu_frame.h"

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

/* ---- the interpreter loop ---- */

#define NEED(n)                                                                         \
    do {                                                                                \
        if ((uint64_t)pc + (n) > m->body.code_size) {                                   \
            st = emu_refuse(E, "instruction at IL_%04x runs past the code", ipc);       \
            goto out;                                                                   \
        }                                                                               \
    } while (0)
#define POP(v)                                                                          \
    do {                                                                                \
        if (!F->sp) {                                                                   \
            st = emu_refuse(E, "stack underflow at IL_%04x", ipc);                      \
            goto out;                                                                   \
        }                                                                               \
        (v) = F->stack[--F->sp];                                                        \
    } while (0)
#define PUSH(v)                                                                         \
    do {                                                                                \
        if (F->sp >= F->maxs) {                                                         \
            st = emu_refuse(E, "stack overflow at IL_%04x", ipc);                       \
            goto out;                                                                   \
        }                                                                               \
        F->stack[F->sp++] = (v);                                                        \
    } while (0)
#define CHECK(x)                                                                        \
    do {                                                                                \
        if ((st = (x)) != MG_OK)                                                        \
            goto out;                                                                   \
    } while (0)

static inline int32_t rd32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

/* load an element of kind esz/ek from raw bytes to a stack value */
static emu_val load_raw(emu *E, const uint8_t *p, uint8_t esz, char ek)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < esz; i++)
        x |= (uint64_t)p[i] << (8 * i);
    if (ek == 'f') {
        if (esz == 4) {
            float f;
            uint32_t w = (uint32_t)x;
            memcpy(&f, &w, 4);
            return vf(f);
        }
        double d;
        memcpy(&d, &x, 8);
        return vf(d);
    }
    if (esz == 8)
        return vi8((int64_t)x);
    int64_t v;
    if (esz == 1)
        v = ek == 'i' ? (int8_t)x : (uint8_t)x;
    else if (esz == 2)
        v = ek == 'i' ? (int16_t)x : (uint16_t)x;
    else
        v = (int32_t)(uint32_t)x;
    if (esz == E->ptr && ek != 'c' && esz != 4)
        return vni(E, v);
    return vi4((int32_t)v);
}

static void store_raw(uint8_t *p, uint8_t esz, char ek, emu_val v)
{
    uint64_t x;
    if (ek == 'f') {
        double d = v.k == V_F ? v.f : (double)v.i;
        if (esz == 4) {
            float f = (float)d;
            uint32_t w;
            memcpy(&w, &f, 4);
            x = w;
        } else
            memcpy(&x, &d, 8);
    } else
        x = v.k == V_F ? (uint64_t)(int64_t)v.f : (uint64_t)v.i;
    for (unsigned i = 0; i < esz; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

/* ldind/stind element kinds by opcode */
static bool ind_kind(emu *E, uint8_t op, uint8_t *esz, char *ek)
{
    switch (op) {
    case 0x46: *esz = 1; *ek = 'i'; return true;
    case 0x47: *esz = 1; *ek = 'u'; return true;
    case 0x48: *esz = 2; *ek = 'i'; return true;
    case 0x49: *esz = 2; *ek = 'u'; return true;
    case 0x4a: *esz = 4; *ek = 'i'; return true;
    case 0x4b: *esz = 4; *ek = 'u'; return true;
    case 0x4c: *esz = 8; *ek = 'i'; return true;
    case 0x4d: case 0xdf: *esz = (uint8_t)E->ptr; *ek = 'n'; return true;
    case 0x4e: case 0x56: *esz = 4; *ek = 'f'; return true;
    case 0x4f: case 0x57: *esz = 8; *ek = 'f'; return true;
    case 0x52: *esz = 1; *ek = 'i'; return true;
    case 0x53: *esz = 2; *ek = 'i'; return true;
    case 0x54: *esz = 4; *ek = 'i'; return true;
    case 0x55: *esz = 8; *ek = 'i'; return true;
    default: return false;
    }
}

static emu_val load_ind(emu *E, const uint8_t *p, uint8_t esz, char ek)
{
    if (ek == 'n') {
        emu_val v = load_raw(E, p, esz, 'i');
        return vni(E, v.i);
    }
    return load_raw(E, p, esz, ek);
}

/* ldind/stind of esz bytes through a pointer to a variable: a narrower
 * access reads or replaces the low bytes of the variable (little-endian) */
static bool slot_narrow(emu *E, const emu_val *slot, uint8_t esz)
{
    unsigned w = slot->k == V_I4 ? 4 : slot->k == V_NI ? E->ptr : slot->k == V_I8 ? 8 : 0;
    return w && esz < w;
}

/* convert a value to what a slot of kind k holds (stloc, stfld, starg) */
static emu_val to_slot(emu *E, uint8_t k, emu_val v)
{
    if (k == V_I4 && (v.k == V_NI || v.k == V_I8))
        return vi4((int32_t)v.i);
    if (k == V_I8 && (v.k == V_I4 || v.k == V_NI))
        return vi8(v.i);
    if (k == V_NI && (v.k == V_I4 || v.k == V_I8))
        return vni(E, v.i);
    (void)E;
    return v;
}

/* the esz bytes of sandbox memory a raw ldind (wr false) or stind reaches
 * through pointer a, and their kind */
static mg_status ind_raw(emu *E, uint8_t op, emu_val a, bool wr, uint8_t *esz, char *ek, uint8_t **p)
{
    *esz = 1;
    *ek = 'i';
    ind_kind(E, op, esz, ek);
    if (a.k != V_NI && a.k != V_BYREF && a.k != V_I4)
        return emu_refuse(E, "%s through a non-pointer", wr ? "stind" : "ldind");
    *p = emu_mem(E, (uint64_t)a.i & (E->ptr == 4 ? 0xffffffffu : UINT64_MAX), *esz);
    if (!*p)
        return emu_refuse(E, "%s unmapped address 0x%llx", wr ? "write to" : "read of", (unsigned long long)a.i);
    return MG_OK;
}

/* ldarg, ldarga, starg, ldloc, ldloca, stloc (what 0 to 5, the order of
 * their short and long opcodes) of variable n, in any of their forms
 * (macro: ldarg.0 and the like, refused by the instruction's name) */
static mg_status var_op(emu *E, frame *F, unsigned what, uint32_t n, bool macro, uint32_t ipc)
{
    static const char *const name[] = {"ldarg", "ldarga", "starg", "ldloc", "ldloca", "stloc"};
    const emu_method *m = F->m;
    bool is_arg = what < 3;
    if (n >= (is_arg ? m->nargs : m->nlocals))
        return macro ? emu_refuse(E, "%s out of range", name[what]) : emu_refuse(E, "variable %u out of range", n);
    emu_val *slot = is_arg ? &F->args[n] : &F->locals[n];
    emu_val v = {0};
    if (what % 3 == 2) { /* starg, stloc */
        if (!F->sp)
            return emu_refuse(E, "stack underflow at IL_%04x", ipc);
        v = F->stack[--F->sp];
        *slot = is_arg ? v : to_slot(E, n < 256 ? m->local_kind[n] : v.k, v);
        return MG_OK;
    }
    if (F->sp >= F->maxs)
        return emu_refuse(E, "stack overflow at IL_%04x", ipc);
    if (what % 3 == 0)
        v = *slot;
    else {
        v.k = V_BYREF;
        v.p = slot;
    }
    F->stack[F->sp++] = v;
    return MG_OK;
}

/* the element kinds of ldelem.* / stelem.* */
static bool elem_op(emu *E, uint8_t op, uint8_t *esz, char *ek)
{
    static const struct {
        uint8_t op, esz;
        char ek;
    } t[] = {{0x90, 1, 'i'}, {0x91, 1, 'u'}, {0x92, 2, 'i'}, {0x93, 2, 'u'}, {0x94, 4, 'i'},
             {0x95, 4, 'u'}, {0x96, 8, 'i'}, {0x97, 0, 'n'}, {0x98, 4, 'f'}, {0x99, 8, 'f'},
             {0x9b, 0, 'n'}, {0x9c, 1, 'i'}, {0x9d, 2, 'i'}, {0x9e, 4, 'i'}, {0x9f, 8, 'i'},
             {0xa0, 4, 'f'}, {0xa1, 8, 'f'}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].op == op) {
            *esz = t[i].esz ? t[i].esz : (uint8_t)E->ptr;
            *ek = t[i].ek;
            return true;
        }
    return false;
}

/* the array element access common to ldelem*, stelem*, ldelema */
static mg_status array_at(emu *E, emu_val arr, emu_val idx, emu_obj **o, uint32_t *i)
{
    if (arr.k != V_REF || !arr.ref)
        return emu_throw(E, "System.NullReferenceException");
    *o = emu_o(E, arr.ref);
    if (!*o || ((*o)->kind != O_ARRAY && (*o)->kind != O_VARRAY))
        return emu_refuse(E, "element access on something not an array");
    int64_t x = idx.k == V_I4 ? (int32_t)idx.i : idx.i;
    if (x < 0 || (uint64_t)x >= (*o)->len)
        return emu_throw(E, "System.IndexOutOfRangeException");
    *i = (uint32_t)x;
    return MG_OK;
}

/* the slot of a field of an object, a struct reached by reference, or a static */
static mg_status field_slot(emu *E, emu_val obj, uint32_t frow, emu_val **slot)
{
    if (obj.k == V_BYREF && obj.p)
        obj = *obj.p;
    if (obj.k != V_REF || !obj.ref)
        return obj.k == V_REF ? emu_throw(E, "System.NullReferenceException")
                              : emu_refuse(E, "field access on a %s",
                                           obj.k == V_BYREF ? "raw pointer" : "number");
    *slot = emu_field_slot(E, obj.ref, frow);
    if (!*slot)
        return emu_refuse(E, "field 0x%08x of an object that has no fields", 0x04000000u | frow);
    return MG_OK;
}

static const int br_cmp[] = {CMP_EQ, CMP_GE, CMP_GT, CMP_LE, CMP_LT, CMP_NE_UN, CMP_GE_UN, CMP_GT_UN,
                             CMP_LE_UN, CMP_LT_UN};

mg_status emu_run_block(emu *E, frame *F, uint32_t pc, int *end)
{
    emu_method *m = F->m;
    const uint8_t *code = m->code;
    mg_status st = MG_OK;
    uint32_t ipc = pc;
    for (;;) {
        ipc = pc;
        E->pc = pc;
        if (++E->insns > E->check_at && (st = emu_cost_check(E)) != MG_OK)
            goto out;
        if (pc >= m->body.code_size) {
            st = emu_refuse(E, "execution ran off the end of the code");
            goto out;
        }
        uint8_t op = code[pc++];
        if (E->trace)
            E->trace(E, m->row, ipc, op);
        emu_val a, b, c, v;
        bool t;
        switch (op) {
        case 0x00: case 0x01: break;
        case 0x02: case 0x03: case 0x04: case 0x05: CHECK(var_op(E, F, 0, op - 0x02, true, ipc)); break;
        case 0x06: case 0x07: case 0x08: case 0x09: CHECK(var_op(E, F, 3, op - 0x06, true, ipc)); break;
        case 0x0a: case 0x0b: case 0x0c: case 0x0d: CHECK(var_op(E, F, 5, op - 0x0a, true, ipc)); break;
        case 0x0e: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x13: /* the .s forms */
            NEED(1);
            CHECK(var_op(E, F, op - 0x0e, code[pc++], false, ipc));
            break;
        case 0x14: PUSH(vref(0)); break;
        case 0x15: case 0x16: case 0x17: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c:
        case 0x1d: case 0x1e:
            PUSH(vi4(op - 0x16));
            break;
        case 0x1f: NEED(1); PUSH(vi4((int8_t)code[pc])); pc += 1; break;
        case 0x20: NEED(4); PUSH(vi4(rd32(code + pc))); pc += 4; break;
        case 0x21: {
            NEED(8);
            uint64_t lo = (uint32_t)rd32(code + pc), hi = (uint32_t)rd32(code + pc + 4);
            PUSH(vi8((int64_t)(lo | hi << 32)));
            pc += 8;
            break;
        }
        case 0x22: { NEED(4); float f; memcpy(&f, code + pc, 4); PUSH(vf(f)); pc += 4; break; }
        case 0x23: { NEED(8); double d; memcpy(&d, code + pc, 8); PUSH(vf(d)); pc += 8; break; }
        case 0x25: POP(v); PUSH(v); PUSH(v); break;
        case 0x26: POP(v); break;
        case 0x28: case 0x6f: case 0x73: {
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            CHECK(emu_do_call(E, F, tok, op == 0x28 ? 0 : op == 0x6f ? 1 : 2, ipc));
            break;
        }
        case 0x2a:
            if (!m->ret_void) {
                POP(v);
                F->ret = v;
            }
            *end = END_RET;
            return MG_OK;
        case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x30: case 0x31: case 0x32:
        case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
        case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: {
            bool sh = op <= 0x37;
            uint8_t base = sh ? (uint8_t)(op - 0x2b) : (uint8_t)(op - 0x38);
            int32_t d;
            if (sh) { NEED(1); d = (int8_t)code[pc]; pc += 1; }
            else { NEED(4); d = rd32(code + pc); pc += 4; }
            if (base == 0)
                t = true;
            else if (base == 1 || base == 2) {
                POP(a);
                bool nz = a.k == V_REF ? a.ref != 0 : a.k == V_BYREF ? (a.p || a.i) : a.i != 0;
                if (a.k == V_F) { st = emu_refuse(E, "brtrue on F"); goto out; }
                if (a.k == V_NONE) { st = emu_refuse(E, "branch on an unknown value"); goto out; }
                t = base == 1 ? !nz : nz;
            } else {
                POP(b);
                POP(a);
                CHECK(emu_compare(E, br_cmp[base - 3], a, b, &t));
            }
            if (t) {
                int64_t tg = (int64_t)pc + d;
                if (tg < 0 || tg >= m->body.code_size) { st = emu_refuse(E, "branch out of the code"); goto out; }
                pc = (uint32_t)tg;
            }
            break;
        }
        case 0x45: {
            NEED(4);
            uint32_t n = (uint32_t)rd32(code + pc);
            pc += 4;
            if (n > (m->body.code_size - pc) / 4) { st = emu_refuse(E, "switch table past the code"); goto out; }
            uint32_t after = pc + 4 * n;
            POP(a);
            if (a.k != V_I4 && a.k != V_NI) { st = emu_refuse(E, "switch on a non-integer"); goto out; }
            uint32_t sel = (uint32_t)a.i;
            if (sel < n) {
                int64_t tg = (int64_t)after + rd32(code + pc + 4 * sel);
                if (tg < 0 || tg >= m->body.code_size) { st = emu_refuse(E, "switch target out of the code"); goto out; }
                pc = (uint32_t)tg;
            } else
                pc = after;
            break;
        }
        case 0x46: case 0x47: case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d:
        case 0x4e: case 0x4f: case 0x50: {
            POP(a);
            if (a.k == V_BYREF && a.p) {
                uint8_t esz = 8;
                char ek = 'i';
                v = *a.p;
                if (op != 0x50 && ind_kind(E, op, &esz, &ek) && ek != 'f' && slot_narrow(E, a.p, esz)) {
                    uint8_t b8[8];
                    for (unsigned i = 0; i < 8; i++)
                        b8[i] = (uint8_t)((uint64_t)v.i >> (8 * i));
                    v = load_ind(E, b8, esz, ek);
                } else if (op == 0x4a || op == 0x4b || op == 0x46 || op == 0x47 || op == 0x48 ||
                           op == 0x49)
                    v = vi4((int32_t)v.i);
                PUSH(v);
                break;
            }
            if (op == 0x50) { st = emu_refuse(E, "ldind.ref from raw memory"); goto out; }
            uint8_t esz, *p;
            char ek;
            CHECK(ind_raw(E, op, a, false, &esz, &ek, &p));
            PUSH(load_ind(E, p, esz, ek));
            break;
        }
        case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: case 0xdf: {
            POP(v);
            POP(a);
            if (a.k == V_BYREF && a.p) {
                uint8_t esz = 8;
                char ek = 'i';
                if (op != 0x51 && ind_kind(E, op, &esz, &ek) && ek != 'f' && v.k != V_F &&
                    slot_narrow(E, a.p, esz)) {
                    uint64_t mask = ((uint64_t)1 << (8 * esz)) - 1;
                    uint64_t x = ((uint64_t)a.p->i & ~mask) | ((uint64_t)v.i & mask);
                    a.p->i = a.p->k == V_I4 ? (int32_t)x : a.p->k == V_NI ? vni(E, (int64_t)x).i
                                                                          : (int64_t)x;
                    break;
                }
                *a.p = op == 0x51 ? v : to_slot(E, a.p->k ? a.p->k : v.k, v);
                break;
            }
            if (op == 0x51) { st = emu_refuse(E, "stind.ref to raw memory"); goto out; }
            uint8_t esz, *p;
            char ek;
            CHECK(ind_raw(E, op, a, true, &esz, &ek, &p));
            store_raw(p, esz, ek == 'n' ? 'i' : ek, v);
            break;
        }
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
        case 0x71: case 0x81: case 0x70: { /* ldobj, stobj, cpobj of primitives */
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            char ek = 'i';
            uint8_t esz = emu_elem_size(E, tok, &ek);
            if (op == 0x71) {
                POP(a);
                if (a.k == V_BYREF && a.p) { PUSH(*a.p); break; }
                uint8_t *p = esz ? emu_mem(E, (uint64_t)a.i, esz) : NULL;
                if (!p) { st = emu_refuse(E, "ldobj of a type not modelled"); goto out; }
                PUSH(load_raw(E, p, esz, ek));
            } else if (op == 0x81) {
                POP(v);
                POP(a);
                if (a.k == V_BYREF && a.p) { *a.p = v; break; }
                uint8_t *p = esz ? emu_mem(E, (uint64_t)a.i, esz) : NULL;
                if (!p) { st = emu_refuse(E, "stobj of a type not modelled"); goto out; }
                store_raw(p, esz, ek, v);
            } else { st = emu_refuse(E, "cpobj"); goto out; }
            break;
        }
        case 0x72: {
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            const mg_stream *us = &E->cli->us;
            uint32_t off = tok & 0xffffff, pos = 0, len;
            const uint8_t *p;
            if ((tok >> 24) != 0x70 || !us->present || off >= us->size ||
                !mg_rd_bytes(&E->cli->img.r, us->off + off, us->size - off, &p)) { st = emu_refuse(E, "ldstr of a bad token"); goto out; }
            if (!emu_blob_u(p, (uint32_t)(us->size - off), &pos, &len) || len > us->size - off - pos) { st = emu_refuse(E, "ldstr of a bad string"); goto out; }
            uint32_t s = emu_new_string16(E, p + pos, len / 2);
            if (!s) { st = emu_heap_full(E); goto out; }
            PUSH(vref(s));
            break;
        }
        case 0x74: case 0x75: NEED(4); pc += 4; break; /* castclass, isinst: trusted */
        case 0x79: case 0xa5: { /* unbox, unbox.any */
            NEED(4);
            pc += 4;
            POP(a);
            emu_obj *o = a.k == V_REF ? emu_o(E, a.ref) : NULL;
            if (o && o->kind == O_BOX) {
                if (op == 0x79) { v = (emu_val){0}; v.k = V_BYREF; v.p = &o->vals[0]; PUSH(v); }
                else PUSH(o->vals[0]);
            } else
                PUSH(a);
            break;
        }
        case 0x7a:
            POP(a);
            if (a.k != V_REF || !a.ref) { st = emu_throw(E, "System.NullReferenceException"); goto out; }
            E->exc = a.ref;
            st = EMU_THROW;
            goto out;
        case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: case 0x80: {
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            emu_val *slot = NULL;
            if (tok >> 24 != MG_T_FIELD) {
                emu_ref r;
                if (!emu_member(E, tok, &r)) { st = emu_refuse(E, "field token 0x%08x", tok); goto out; }
                if (op == 0x7e) { CHECK(emu_bcl_field(E, &r, &v)); PUSH(v); break; }
                st = emu_refuse(E, "field %s::%s of the framework", r.cls, r.name);
                goto out;
            }
            uint32_t frow = tok & 0xffffff;
            if (!frow || frow > E->cli->t.rows[MG_T_FIELD]) { st = emu_refuse(E, "field row out of range"); goto out; }
            if (op >= 0x7e) {
                CHECK(emu_type_init(E, emu_field_owner(E, frow)));
                slot = &E->statics[frow];
            }
            if (op == 0x7d) POP(v);
            if (op <= 0x7d) {
                POP(a);
                CHECK(field_slot(E, a, frow, &slot));
            }
            if (op == 0x80) POP(v);
            if (op == 0x7b || op == 0x7e)
                PUSH(*slot);
            else if (op == 0x7d || op == 0x80)
                *slot = to_slot(E, slot->k, v);
            else {
                v = (emu_val){0};
                v.k = V_BYREF;
                v.p = slot;
                PUSH(v);
            }
            break;
        }
        case 0x8c: { /* box */
            NEED(4);
            pc += 4;
            POP(a);
            uint32_t o;
            emu_obj *src = a.k == V_REF ? emu_o(E, a.ref) : NULL;
            if (src && src->kind == O_FIELDS) { /* a struct of the assembly: boxing copies it */
                o = emu_new(E, O_FIELDS);
                if (!o) { st = emu_heap_full(E); goto out; }
                src = E->obj[a.ref];
                E->obj[o]->type = src->type;
                for (uint32_t i = 0; i < src->len; i++) {
                    emu_val *d = emu_field_slot(E, o, src->frow[i]);
                    if (!d) { st = emu_heap_full(E); goto out; }
                    *d = src->vals[i];
                }
            } else
                o = emu_box(E, a);
            if (!o && a.k != V_REF) { st = emu_heap_full(E); goto out; }
            PUSH(vref(o));
            break;
        }
        case 0x8d: {
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            POP(a);
            int64_t n = a.k == V_I4 ? (int32_t)a.i : a.i;
            if (n < 0) { st = emu_throw(E, "System.OverflowException"); goto out; }
            if (n > EMU_MAX_ARRAY) { st = emu_refuse(E, "array of %lld elements over the cap (%u)", (long long)n, EMU_MAX_ARRAY); goto out; }
            char ek = 'u';
            uint8_t esz = emu_elem_size(E, tok, &ek);
            uint32_t r = esz ? emu_new_array(E, (uint32_t)n, esz, ek, tok) : emu_new_varray(E, (uint32_t)n);
            if (!r) { st = emu_heap_full(E); goto out; }
            PUSH(vref(r));
            break;
        }
        case 0x8e: {
            POP(a);
            emu_obj *o = a.k == V_REF ? emu_o(E, a.ref) : NULL;
            if (!o) { st = emu_throw(E, "System.NullReferenceException"); goto out; }
            if (o->kind != O_ARRAY && o->kind != O_VARRAY) { st = emu_refuse(E, "ldlen of a non-array"); goto out; }
            PUSH(vni(E, o->len));
            break;
        }
        case 0x8f: { /* ldelema */
            NEED(4);
            pc += 4;
            POP(b);
            POP(a);
            emu_obj *o;
            uint32_t i;
            CHECK(array_at(E, a, b, &o, &i));
            v = (emu_val){0};
            v.k = V_BYREF;
            if (o->kind == O_VARRAY)
                v.p = &o->vals[i];
            else
                v.i = (int64_t)(o->vaddr + (uint64_t)i * o->esz);
            PUSH(v);
            break;
        }
        case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
        case 0x98: case 0x99: case 0x9a: case 0xa3: {
            if (op == 0xa3) { NEED(4); pc += 4; }
            POP(b);
            POP(a);
            emu_obj *o;
            uint32_t i;
            CHECK(array_at(E, a, b, &o, &i));
            if (o->kind == O_VARRAY) { PUSH(o->vals[i]); break; }
            uint8_t esz = 1; char ek = 'i';
            if (op == 0x9a || op == 0xa3) { esz = o->esz; ek = o->ek; }
            else elem_op(E, op, &esz, &ek);
            if (esz != o->esz) { st = emu_refuse(E, "ldelem of %u bytes from an array of %u-byte elements", esz, o->esz); goto out; }
            v = load_raw(E, o->raw + (uint64_t)i * esz, esz, ek == 'n' ? 'i' : ek);
            if (ek == 'n') v = vni(E, v.i);
            PUSH(v);
            break;
        }
        case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: case 0xa0: case 0xa1: case 0xa2:
        case 0xa4: {
            if (op == 0xa4) { NEED(4); pc += 4; }
            POP(c);
            POP(b);
            POP(a);
            emu_obj *o;
            uint32_t i;
            CHECK(array_at(E, a, b, &o, &i));
            if (o->kind == O_VARRAY) { o->vals[i] = c; break; }
            uint8_t esz = 1; char ek = 'i';
            if (op == 0xa2 || op == 0xa4) { esz = o->esz; ek = o->ek; }
            else elem_op(E, op, &esz, &ek);
            if (esz != o->esz) { st = emu_refuse(E, "stelem of %u bytes into an array of %u-byte elements", esz, o->esz); goto out; }
            store_raw(o->raw + (uint64_t)i * esz, esz, ek == 'n' ? 'i' : ek, c);
            break;
        }
        case 0xc3: /* ckfinite */
            POP(a);
            if (a.k == V_F && !isfinite(a.f)) { st = emu_throw(E, "System.ArithmeticException"); goto out; }
            PUSH(a);
            break;
        case 0xd0: { /* ldtoken: the token itself as the handle */
            NEED(4);
            uint32_t tok = (uint32_t)rd32(code + pc);
            pc += 4;
            v = vni(E, tok);
            v.k = V_I8; /* RuntimeXHandle: a struct; kept as the token */
            v.f = 1;    /* marks a handle */
            PUSH(v);
            break;
        }
        case 0xdc: /* endfinally */
            *end = END_FINALLY;
            return MG_OK;
        case 0xdd: case 0xde: {
            int32_t d;
            if (op == 0xde) { NEED(1); d = (int8_t)code[pc]; pc += 1; }
            else { NEED(4); d = rd32(code + pc); pc += 4; }
            int64_t tg = (int64_t)pc + d;
            if (tg < 0 || tg >= m->body.code_size) { st = emu_refuse(E, "leave out of the code"); goto out; }
            CHECK(emu_leave_finallys(E, F, ipc, (uint32_t)tg));
            F->sp = 0;
            pc = (uint32_t)tg;
            break;
        }
        case 0xfe: {
            NEED(1);
            uint8_t op2 = code[pc++];
            switch (op2) {
            case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: {
                static const int how[] = {0, CMP_EQ, CMP_GT, CMP_GT_UN, CMP_LT, CMP_LT_UN};
                POP(b);
                POP(a);
                CHECK(emu_compare(E, how[op2], a, b, &t));
                PUSH(vi4(t));
                break;
            }
            case 0x06: case 0x07: { /* ldftn, ldvirtftn */
                NEED(4);
                uint32_t tok = (uint32_t)rd32(code + pc);
                pc += 4;
                if (op2 == 0x07) POP(a);
                v = vi8(tok);
                v.k = V_NI;
                PUSH(v);
                break;
            }
            case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x0e: { /* the long forms */
                NEED(2);
                uint32_t n = (uint32_t)code[pc] | (uint32_t)code[pc + 1] << 8;
                pc += 2;
                CHECK(var_op(E, F, op2 - 0x09, n, false, ipc));
                break;
            }
            case 0x12: NEED(1); pc += 1; break; /* unaligned. */
            case 0x13: case 0x14: case 0x1e: break; /* volatile. tail. readonly. */
            case 0x16: NEED(4); pc += 4; break; /* constrained. */
            case 0x15: { /* initobj */
                NEED(4);
                pc += 4;
                POP(a);
                if (a.k == V_BYREF && a.p) {
                    emu_obj *o = a.p->k == V_REF ? emu_o(E, a.p->ref) : NULL;
                    if (o && o->kind == O_FIELDS) {
                        o->len = 0; /* fields read back as zero */
                    } else {
                        uint8_t k = a.p->k;
                        memset(a.p, 0, sizeof *a.p);
                        a.p->k = k;
                    }
                } else { st = emu_refuse(E, "initobj through a raw pointer"); goto out; }
                break;
            }
            case 0x17: case 0x18: { /* cpblk, initblk */
                POP(c);
                POP(b);
                POP(a);
                uint64_t n = (uint32_t)c.i;
                CHECK(emu_charge(E, n));
                uint8_t *dst = emu_mem(E, (uint64_t)a.i, n);
                if (!dst) { st = emu_refuse(E, "block write to unmapped memory"); goto out; }
                if (op2 == 0x18)
                    memset(dst, (int)(uint8_t)b.i, n);
                else {
                    uint8_t *src = emu_mem(E, (uint64_t)b.i, n);
                    if (!src) { st = emu_refuse(E, "block read of unmapped memory"); goto out; }
                    memmove(dst, src, n);
                }
                break;
            }
            case 0x1a: /* rethrow */
                if (!F->caught) { st = emu_refuse(E, "rethrow outside a handler"); goto out; }
                E->exc = F->caught;
                st = EMU_THROW;
                goto out;
            case 0x1c: { /* sizeof */
                NEED(4);
                uint32_t tok = (uint32_t)rd32(code + pc);
                pc += 4;
                char ek;
                uint8_t esz = emu_elem_size(E, tok, &ek);
                if (!esz) { st = emu_refuse(E, "sizeof of a type not modelled"); goto out; }
                PUSH(vi4(esz));
                break;
            }
            default:
                st = emu_refuse(E, "opcode 0xfe 0x%02x at IL_%04x not supported", op2, ipc);
                goto out;
            }
            break;
        }
        default:
            st = emu_refuse(E, "opcode 0x%02x at IL_%04x not supported", op, ipc);
            goto out;
        }
        continue;
    out:
        if (st == EMU_THROW) {
            uint32_t h;
            mg_status hs = emu_find_handler(E, F, ipc, &h);
            if (hs == MG_OK) {
                pc = h;
                st = MG_OK;
                continue;
            }
            return hs;
        }
        return st;
    }
}
