/* emu_ops_load_store.c - the data-moving instructions of the CIL emulator:
 * arguments and locals, constants, dup and pop, ldind/stind, ldobj/stobj,
 * fields and statics, ldstr and ldtoken; and the raw element loads and
 * stores the array instructions share. */
#include "dotnet/emu/emu_ops.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

/* load an element of kind esz/ek from raw bytes to a stack value */
emu_val emu_load_raw(emu *E, const uint8_t *p, uint8_t esz, char ek)
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

void emu_store_raw(uint8_t *p, uint8_t esz, char ek, emu_val v)
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
        emu_val v = emu_load_raw(E, p, esz, 'i');
        return vni(E, v.i);
    }
    return emu_load_raw(E, p, esz, ek);
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

/* variables, constants, indirect access, fields, ldstr, ldtoken */
mg_status emu_ops_load_store(insn *I)
{
    emu *E = I->E;
    frame *F = I->F;
    const uint8_t *code = F->m->code;
    uint16_t op = I->op;
    emu_val a, v;
    switch (op) {
    case 0x00: case 0x01: break;
    case 0x02: case 0x03: case 0x04: case 0x05: CHECK(var_op(E, F, 0, op - 0x02, true, I->ipc)); break;
    case 0x06: case 0x07: case 0x08: case 0x09: CHECK(var_op(E, F, 3, op - 0x06, true, I->ipc)); break;
    case 0x0a: case 0x0b: case 0x0c: case 0x0d: CHECK(var_op(E, F, 5, op - 0x0a, true, I->ipc)); break;
    case 0x0e: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x13: /* the .s forms */
        NEED(1);
        CHECK(var_op(E, F, op - 0x0e, code[I->pc++], false, I->ipc));
        break;
    case 0x14: PUSH(vref(0)); break;
    case 0x15: case 0x16: case 0x17: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c:
    case 0x1d: case 0x1e:
        PUSH(vi4(op - 0x16));
        break;
    case 0x1f: NEED(1); PUSH(vi4((int8_t)code[I->pc])); I->pc += 1; break;
    case 0x20: NEED(4); PUSH(vi4(rd32(code + I->pc))); I->pc += 4; break;
    case 0x21: {
        NEED(8);
        uint64_t lo = (uint32_t)rd32(code + I->pc), hi = (uint32_t)rd32(code + I->pc + 4);
        PUSH(vi8((int64_t)(lo | hi << 32)));
        I->pc += 8;
        break;
    }
    case 0x22: { NEED(4); float f; memcpy(&f, code + I->pc, 4); PUSH(vf(f)); I->pc += 4; break; }
    case 0x23: { NEED(8); double d; memcpy(&d, code + I->pc, 8); PUSH(vf(d)); I->pc += 8; break; }
    case 0x25: POP(v); PUSH(v); PUSH(v); break;
    case 0x26: POP(v); break;
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
        if (op == 0x50) return emu_refuse(E, "ldind.ref from raw memory");
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
        if (op == 0x51) return emu_refuse(E, "stind.ref to raw memory");
        uint8_t esz, *p;
        char ek;
        CHECK(ind_raw(E, op, a, true, &esz, &ek, &p));
        emu_store_raw(p, esz, ek == 'n' ? 'i' : ek, v);
        break;
    }
    case 0x71: case 0x81: case 0x70: { /* ldobj, stobj, cpobj of primitives */
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        char ek = 'i';
        uint8_t esz = emu_elem_size(E, tok, &ek);
        if (op == 0x71) {
            POP(a);
            if (a.k == V_BYREF && a.p) { PUSH(*a.p); break; }
            uint8_t *p = esz ? emu_mem(E, (uint64_t)a.i, esz) : NULL;
            if (!p) return emu_refuse(E, "ldobj of a type not modelled");
            PUSH(emu_load_raw(E, p, esz, ek));
        } else if (op == 0x81) {
            POP(v);
            POP(a);
            if (a.k == V_BYREF && a.p) { *a.p = v; break; }
            uint8_t *p = esz ? emu_mem(E, (uint64_t)a.i, esz) : NULL;
            if (!p) return emu_refuse(E, "stobj of a type not modelled");
            emu_store_raw(p, esz, ek, v);
        } else return emu_refuse(E, "cpobj");
        break;
    }
    case 0x72: {
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        const mg_stream *us = &E->cli->us;
        uint32_t off = tok & 0xffffff, pos = 0, len;
        const uint8_t *p;
        if ((tok >> 24) != 0x70 || !us->present || off >= us->size ||
            !mg_rd_bytes(&E->cli->img.r, us->off + off, us->size - off, &p)) return emu_refuse(E, "ldstr of a bad token");
        if (!emu_blob_u(p, (uint32_t)(us->size - off), &pos, &len) || len > us->size - off - pos) return emu_refuse(E, "ldstr of a bad string");
        uint32_t s = emu_new_string16(E, p + pos, len / 2);
        if (!s) return emu_heap_full(E);
        PUSH(vref(s));
        break;
    }
    case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: case 0x80: {
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        emu_val *slot = NULL;
        if (tok >> 24 != MG_T_FIELD) {
            emu_ref r;
            if (!emu_member(E, tok, &r)) return emu_refuse(E, "field token 0x%08x", tok);
            if (op == 0x7e) { CHECK(emu_bcl_field(E, &r, &v)); PUSH(v); break; }
            return emu_refuse(E, "field %s::%s of the framework", r.cls, r.name);
        }
        uint32_t frow = tok & 0xffffff;
        if (!frow || frow > E->cli->t.rows[MG_T_FIELD]) return emu_refuse(E, "field row out of range");
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
    case 0xd0: { /* ldtoken: the token itself as the handle */
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        v = vni(E, tok);
        v.k = V_I8; /* RuntimeXHandle: a struct; kept as the token */
        v.f = 1;    /* marks a handle */
        PUSH(v);
        break;
    }
    case 0xfe09: case 0xfe0a: case 0xfe0b: case 0xfe0c: case 0xfe0d: case 0xfe0e: { /* the long forms */
        NEED(2);
        uint32_t n = (uint32_t)code[I->pc] | (uint32_t)code[I->pc + 1] << 8;
        I->pc += 2;
        CHECK(var_op(E, F, (op & 0xff) - 0x09, n, false, I->ipc));
        break;
    }
    default:
        return emu_unsupported(I);
    }
    return MG_OK;
}
