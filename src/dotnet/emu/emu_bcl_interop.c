/* emu_bcl_interop.c - framework models: IntPtr arithmetic and conversions,
 * Marshal Read, Write, Copy and AllocHGlobal over the sandbox's memory only (the
 * virtual image, arrays, pointers to variables); any other address is a
 * refusal. */
#include "dotnet/emu/emu_bcl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- IntPtr ---- */
static mg_status intptr_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (a[0].k == V_BYREF) { /* IntPtr(void*) of a pointer to a variable */
        *ret = a[0];
        return MG_OK;
    }
    *ret = vni(E, num(a[0]));
    return MG_OK;
}
/* instance constructor called through a reference: call IntPtr::.ctor(x) */
static mg_status intptr_ctor_ref(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    if (a[0].k != V_BYREF || !a[0].p)
        return emu_refuse(E, "IntPtr constructor on a raw pointer");
    *a[0].p = vni(E, num(a[1]));
    return MG_OK;
}
VALUE_MODEL(intptr_to64, vi8(deref(a[0]).i))
static mg_status intptr_to32(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    int64_t x = deref(a[0]).i;
    if (x < INT32_MIN || x > INT32_MAX)
        return emu_throw(E, "System.OverflowException");
    *ret = vi4((int32_t)x);
    return MG_OK;
}
VALUE_MODEL(intptr_topointer, vni(E, deref(a[0]).i))
VALUE_MODEL(intptr_eq, vi4(a[0].i == a[1].i))
VALUE_MODEL(intptr_ne, vi4(a[0].i != a[1].i))
VALUE_MODEL(intptr_add, vni(E, a[0].i + num(a[1])))
VALUE_MODEL(intptr_explicit, vni(E, num(a[0])))
VALUE_MODEL(intptr_to_i8, vi8(a[0].i))

/* ---- Marshal over the virtual image and the sandbox's arrays ---- */
/* what ReadByte/Int16/Int32/Int64 give for the size bytes x */
static emu_val widen(uint64_t x, unsigned size)
{
    return size == 8 ? vi8((int64_t)x) : size == 4 ? vi4((int32_t)x) : size == 2 ? vi4((int16_t)x)
                                                                      : vi4((uint8_t)x);
}

/* the bytes of a variable reached through a pointer to it (little-endian) */
static mg_status slot_access(emu *E, emu_val base, int64_t ofs, unsigned size, bool wr, int64_t v,
                             emu_val *ret)
{
    emu_val *s = base.p;
    unsigned w = s->k == V_I4 ? 4 : s->k == V_NI ? E->ptr : 8;
    if (s->k == V_REF || s->k == V_F || ofs < 0 || (uint64_t)ofs + size > w)
        return emu_refuse(E, "raw access to a variable holding a %s",
                          s->k == V_REF ? "reference" : "value of another size");
    uint64_t x = (uint64_t)s->i;
    uint64_t mask = size == 8 ? UINT64_MAX : (((uint64_t)1 << (8 * size)) - 1);
    if (wr) {
        x = (x & ~(mask << (8 * ofs))) | (((uint64_t)v & mask) << (8 * ofs));
        s->i = s->k == V_I4 ? (int32_t)x : s->k == V_NI ? vni(E, (int64_t)x).i : (int64_t)x;
        return MG_OK;
    }
    *ret = widen((x >> (8 * ofs)) & mask, size);
    return MG_OK;
}

/* read (into *ret) or write (wr: v) size bytes at base + ofs: a variable
 * through a pointer to it, or sandbox memory */
static mg_status maccess(emu *E, emu_val base, int64_t ofs, unsigned size, bool wr, int64_t v,
                         emu_val *ret)
{
    if (base.k == V_BYREF && base.p)
        return slot_access(E, base, ofs, size, wr, v, ret);
    uint64_t addr = (uint64_t)(base.i + ofs);
    if (E->ptr == 4)
        addr &= 0xffffffffu;
    uint8_t *p = emu_mem(E, addr, size);
    if (!p)
        return emu_refuse(E, "access to unmapped address 0x%llx", (unsigned long long)addr);
    uint64_t x = 0;
    for (unsigned i = 0; i < size; i++)
        if (wr)
            p[i] = (uint8_t)((uint64_t)v >> (8 * i));
        else
            x |= (uint64_t)p[i] << (8 * i);
    if (!wr)
        *ret = widen(x, size);
    return MG_OK;
}
#define MREAD(name, size)                                                     \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        return maccess(E, a[0], n > 1 ? num(a[1]) : 0, size, false, 0, ret);   \
    }
#define MWRITE(name, size)                                                    \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)ret;                                                             \
        return n > 2 ? maccess(E, a[0], num(a[1]), size, true, a[2].i, NULL)   \
                     : maccess(E, a[0], 0, size, true, a[1].i, NULL);          \
    }
MREAD(m_read1, 1)
MREAD(m_read2, 2)
MREAD(m_read4, 4)
MREAD(m_read8, 8)
MWRITE(m_write1, 1)
MWRITE(m_write2, 2)
MWRITE(m_write4, 4)
MWRITE(m_write8, 8)
static mg_status m_readptr(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    mg_status st = maccess(E, a[0], n > 1 ? num(a[1]) : 0, E->ptr, false, 0, ret);
    if (st == MG_OK)
        *ret = vni(E, ret->i);
    return st;
}
static mg_status m_writeptr(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)ret;
    return n > 2 ? maccess(E, a[0], num(a[1]), E->ptr, true, a[2].i, NULL)
                 : maccess(E, a[0], 0, E->ptr, true, a[1].i, NULL);
}
/* Marshal.Copy(byte[] src, int start, IntPtr dst, int len) and (IntPtr, byte[], int, int) */
static mg_status m_copy(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)ret, (void)n;
    emu_obj *arr;
    bool to_mem = (arr = obj_of(E, a[0], O_ARRAY)) != NULL;
    if (!to_mem && !(arr = obj_of(E, a[1], O_ARRAY)))
        return emu_refuse(E, "Marshal.Copy without an array");
    int64_t start = num(to_mem ? a[1] : a[2]), len = num(a[3]);
    uint64_t addr = (uint64_t)(to_mem ? a[2] : a[0]).i;
    if (start < 0 || len < 0 || (uint64_t)(start + len) > arr->len)
        return emu_throw(E, "System.ArgumentOutOfRangeException");
    uint64_t bytes = (uint64_t)len * arr->esz;
    mg_status st = emu_charge(E, bytes);
    if (st != MG_OK)
        return st;
    uint8_t *p = emu_mem(E, addr, bytes);
    if (!p)
        return emu_refuse(E, "access to unmapped address 0x%llx", (unsigned long long)addr);
    if (to_mem)
        memmove(p, arr->raw + (uint64_t)start * arr->esz, bytes);
    else
        memmove(arr->raw + (uint64_t)start * arr->esz, p, bytes);
    return MG_OK;
}
static mg_status m_alloc(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    int64_t len = num(a[0]);
    if (len < 0 || len > EMU_MAX_ARRAY)
        return emu_refuse(E, "allocation of %lld bytes over the cap", (long long)len);
    uint32_t r = emu_new_array(E, (uint32_t)len, 1, 'u', 0);
    if (!r)
        return emu_heap_full(E);
    *ret = vni(E, (int64_t)E->obj[r]->vaddr);
    return MG_OK;
}

const model emu_models_interop[] = {
    {"System.IntPtr::.ctor#ref", 1, intptr_ctor_ref},
    {"System.Runtime.InteropServices.Marshal::ReadByte", -1, m_read1},
    {"System.Runtime.InteropServices.Marshal::ReadInt16", -1, m_read2},
    {"System.Runtime.InteropServices.Marshal::ReadInt32", -1, m_read4},
    {"System.Runtime.InteropServices.Marshal::ReadInt64", -1, m_read8},
    {"System.Runtime.InteropServices.Marshal::ReadIntPtr", -1, m_readptr},
    {"System.Runtime.InteropServices.Marshal::WriteByte", -1, m_write1},
    {"System.Runtime.InteropServices.Marshal::WriteInt16", -1, m_write2},
    {"System.Runtime.InteropServices.Marshal::WriteInt32", -1, m_write4},
    {"System.Runtime.InteropServices.Marshal::WriteInt64", -1, m_write8},
    {"System.Runtime.InteropServices.Marshal::WriteIntPtr", -1, m_writeptr},
    {"System.Runtime.InteropServices.Marshal::Copy", 4, m_copy},
    {"System.Runtime.InteropServices.Marshal::AllocHGlobal", 1, m_alloc},
    {"System.Runtime.InteropServices.Marshal::AllocCoTaskMem", 1, m_alloc},
    {"System.IntPtr::.ctor", 1, intptr_new},
    {"System.IntPtr::ToInt64", 0, intptr_to64},
    {"System.IntPtr::ToInt32", 0, intptr_to32},
    {"System.IntPtr::ToPointer", 0, intptr_topointer},
    {"System.IntPtr::op_Equality", 2, intptr_eq},
    {"System.IntPtr::op_Inequality", 2, intptr_ne},
    {"System.IntPtr::op_Addition", 2, intptr_add},
    {"System.IntPtr::Add", 2, intptr_add},
    {"System.IntPtr::op_Explicit", 1, intptr_explicit},
    {"System.IntPtr::op_Explicit#i8", 1, intptr_to_i8},
    {NULL, 0, NULL},
};
