/* emu_ops_objects.c - the object instructions of the CIL emulator: box and
 * unbox, castclass and isinst, arrays (newarr, ldlen, ldelem*, stelem*,
 * ldelema), initobj, cpblk and initblk (charged by bytes), sizeof. */
#include "dotnet/emu/emu_ops.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

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

/* objects, arrays, blocks */
mg_status emu_ops_objects(insn *I)
{
    emu *E = I->E;
    frame *F = I->F;
    const uint8_t *code = F->m->code;
    uint16_t op = I->op;
    emu_val a, b, c, v;
    switch (op) {
    case 0x74: case 0x75: NEED(4); I->pc += 4; break; /* castclass, isinst: trusted */
    case 0x79: case 0xa5: { /* unbox, unbox.any */
        NEED(4);
        I->pc += 4;
        POP(a);
        emu_obj *o = a.k == V_REF ? emu_o(E, a.ref) : NULL;
        if (o && o->kind == O_BOX) {
            if (op == 0x79) { v = (emu_val){0}; v.k = V_BYREF; v.p = &o->vals[0]; PUSH(v); }
            else PUSH(o->vals[0]);
        } else
            PUSH(a);
        break;
    }
    case 0x8c: { /* box */
        NEED(4);
        I->pc += 4;
        POP(a);
        uint32_t o;
        emu_obj *src = a.k == V_REF ? emu_o(E, a.ref) : NULL;
        if (src && src->kind == O_FIELDS) { /* a struct of the assembly: boxing copies it */
            o = emu_new(E, O_FIELDS);
            if (!o) return emu_heap_full(E);
            src = E->obj[a.ref];
            E->obj[o]->type = src->type;
            for (uint32_t i = 0; i < src->len; i++) {
                emu_val *d = emu_field_slot(E, o, src->frow[i]);
                if (!d) return emu_heap_full(E);
                *d = src->vals[i];
            }
        } else
            o = emu_box(E, a);
        if (!o && a.k != V_REF) return emu_heap_full(E);
        PUSH(vref(o));
        break;
    }
    case 0x8d: {
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        POP(a);
        int64_t n = a.k == V_I4 ? (int32_t)a.i : a.i;
        if (n < 0) return emu_throw(E, "System.OverflowException");
        if (n > EMU_MAX_ARRAY) return emu_refuse(E, "array of %lld elements over the cap (%u)", (long long)n, EMU_MAX_ARRAY);
        char ek = 'u';
        uint8_t esz = emu_elem_size(E, tok, &ek);
        uint32_t r = esz ? emu_new_array(E, (uint32_t)n, esz, ek, tok) : emu_new_varray(E, (uint32_t)n);
        if (!r) return emu_heap_full(E);
        PUSH(vref(r));
        break;
    }
    case 0x8e: {
        POP(a);
        emu_obj *o = a.k == V_REF ? emu_o(E, a.ref) : NULL;
        if (!o) return emu_throw(E, "System.NullReferenceException");
        if (o->kind != O_ARRAY && o->kind != O_VARRAY) return emu_refuse(E, "ldlen of a non-array");
        PUSH(vni(E, o->len));
        break;
    }
    case 0x8f: { /* ldelema */
        NEED(4);
        I->pc += 4;
        POP(b);
        POP(a);
        emu_obj *o = NULL;
        uint32_t i = 0;
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
        if (op == 0xa3) { NEED(4); I->pc += 4; }
        POP(b);
        POP(a);
        emu_obj *o = NULL;
        uint32_t i = 0;
        CHECK(array_at(E, a, b, &o, &i));
        if (o->kind == O_VARRAY) { PUSH(o->vals[i]); break; }
        uint8_t esz = 1; char ek = 'i';
        if (op == 0x9a || op == 0xa3) { esz = o->esz; ek = o->ek; }
        else elem_op(E, op, &esz, &ek);
        if (esz != o->esz) return emu_refuse(E, "ldelem of %u bytes from an array of %u-byte elements", esz, o->esz);
        v = emu_load_raw(E, o->raw + (uint64_t)i * esz, esz, ek == 'n' ? 'i' : ek);
        if (ek == 'n') v = vni(E, v.i);
        PUSH(v);
        break;
    }
    case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: case 0xa0: case 0xa1: case 0xa2:
    case 0xa4: {
        if (op == 0xa4) { NEED(4); I->pc += 4; }
        POP(c);
        POP(b);
        POP(a);
        emu_obj *o = NULL;
        uint32_t i = 0;
        CHECK(array_at(E, a, b, &o, &i));
        if (o->kind == O_VARRAY) { o->vals[i] = c; break; }
        uint8_t esz = 1; char ek = 'i';
        if (op == 0xa2 || op == 0xa4) { esz = o->esz; ek = o->ek; }
        else elem_op(E, op, &esz, &ek);
        if (esz != o->esz) return emu_refuse(E, "stelem of %u bytes into an array of %u-byte elements", esz, o->esz);
        emu_store_raw(o->raw + (uint64_t)i * esz, esz, ek == 'n' ? 'i' : ek, c);
        break;
    }
    case 0xfe15: { /* initobj */
        NEED(4);
        I->pc += 4;
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
        } else return emu_refuse(E, "initobj through a raw pointer");
        break;
    }
    case 0xfe17: case 0xfe18: { /* cpblk, initblk */
        POP(c);
        POP(b);
        POP(a);
        uint64_t n = (uint32_t)c.i;
        CHECK(emu_charge(E, n));
        uint8_t *dst = emu_mem(E, (uint64_t)a.i, n);
        if (!dst) return emu_refuse(E, "block write to unmapped memory");
        if ((op & 0xff) == 0x18)
            memset(dst, (int)(uint8_t)b.i, n);
        else {
            uint8_t *src = emu_mem(E, (uint64_t)b.i, n);
            if (!src) return emu_refuse(E, "block read of unmapped memory");
            memmove(dst, src, n);
        }
        break;
    }
    case 0xfe1c: { /* sizeof */
        NEED(4);
        uint32_t tok = (uint32_t)rd32(code + I->pc);
        I->pc += 4;
        char ek;
        uint8_t esz = emu_elem_size(E, tok, &ek);
        if (!esz) return emu_refuse(E, "sizeof of a type not modelled");
        PUSH(vi4(esz));
        break;
    }
    default:
        return emu_unsupported(I);
    }
    return MG_OK;
}
