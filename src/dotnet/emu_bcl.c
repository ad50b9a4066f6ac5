/* emu_bcl.c - the framework methods the CIL emulator answers itself: a
 * table of models keyed by "Namespace.Type::Method" and parameter count.
 * Each model works only on the sandbox (the virtual image, the emulator's
 * heap, the assembly's own resources); nothing here reaches the host.  A
 * method not in the table stops the run with a message naming it. */
#include "emu.h"

#include "../util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef mg_status (*model_fn)(emu *E, emu_val *a, uint32_t n, emu_val *ret);

typedef struct model {
    const char *key; /* "System.IO.BinaryReader::ReadInt32" */
    int nparams;     /* -1: any */
    model_fn fn;
} model;

static emu_obj *obj_of(emu *E, emu_val v, uint8_t kind)
{
    emu_obj *o = v.k == V_REF ? emu_o(E, v.ref) : NULL;
    return o && o->kind == kind ? o : NULL;
}

static mg_status new_model(emu *E, const char *tag, int64_t a, emu_val *ret)
{
    uint32_t r = emu_new(E, O_MODEL);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    E->obj[r]->tag = tag;
    E->obj[r]->a = a;
    *ret = vref(r);
    return MG_OK;
}

static int64_t num(emu_val v)
{
    return v.k == V_I4 ? (int32_t)v.i : v.i;
}

/* ---- reflection over the assembly itself ---- */
static mg_status type_from_handle(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return new_model(E, "System.Type", a[0].i, ret);
}
static mg_status type_assembly(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Reflection.Assembly", 0, ret);
}
static mg_status type_module(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Reflection.Module", 0, ret);
}
static mg_status get_modules(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    uint32_t arr = emu_new_varray(E, 1);
    if (!arr)
        return emu_refuse(E, "heap cap reached");
    mg_status st = new_model(E, "System.Reflection.Module", 0, &E->obj[arr]->vals[0]);
    *ret = vref(arr);
    return st;
}
static mg_status get_hinstance(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    *ret = vni(E, (int64_t)E->vbase);
    return MG_OK;
}
static mg_status ret_false(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n;
    *ret = vi4(0);
    return MG_OK;
}
static mg_status ret_true(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n;
    *ret = vi4(1);
    return MG_OK;
}
static mg_status ret_nothing(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n, (void)ret;
    return MG_OK;
}
static mg_status ret_null(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n;
    *ret = vref(0);
    return MG_OK;
}
static mg_status obj_ctor(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n, (void)ret;
    return MG_OK; /* base constructor call on an object of the assembly */
}
static mg_status intptr_size(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    *ret = vi4((int32_t)E->ptr);
    return MG_OK;
}

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
static emu_val deref(emu_val v)
{
    return v.k == V_BYREF && v.p ? *v.p : v;
}
static mg_status intptr_to64(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi8(deref(a[0]).i);
    return MG_OK;
}
static mg_status intptr_to32(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    int64_t x = deref(a[0]).i;
    if (x < INT32_MIN || x > INT32_MAX)
        return emu_throw(E, "System.OverflowException");
    *ret = vi4((int32_t)x);
    return MG_OK;
}
static mg_status intptr_topointer(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    *ret = vni(E, deref(a[0]).i);
    return MG_OK;
}
static mg_status intptr_eq(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi4(a[0].i == a[1].i);
    return MG_OK;
}
static mg_status intptr_ne(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi4(a[0].i != a[1].i);
    return MG_OK;
}
static mg_status intptr_add(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    *ret = vni(E, a[0].i + num(a[1]));
    return MG_OK;
}
static mg_status intptr_explicit(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    *ret = vni(E, num(a[0]));
    return MG_OK;
}
static mg_status intptr_to_i8(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi8(a[0].i);
    return MG_OK;
}

/* ---- Marshal over the virtual image and the sandbox's arrays ---- */
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
    x = (x >> (8 * ofs)) & mask;
    *ret = size == 8 ? vi8((int64_t)x) : size == 4 ? vi4((int32_t)x) : size == 2 ? vi4((int16_t)x)
                                                                              : vi4((uint8_t)x);
    return MG_OK;
}

static mg_status mread(emu *E, emu_val base, int64_t ofs, unsigned size, emu_val *ret)
{
    if (base.k == V_BYREF && base.p)
        return slot_access(E, base, ofs, size, false, 0, ret);
    uint64_t addr = (uint64_t)(base.i + ofs);
    if (E->ptr == 4)
        addr &= 0xffffffffu;
    uint8_t *p = emu_mem(E, addr, size);
    if (!p)
        return emu_refuse(E, "access to unmapped address 0x%llx", (unsigned long long)addr);
    uint64_t x = 0;
    for (unsigned i = 0; i < size; i++)
        x |= (uint64_t)p[i] << (8 * i);
    if (size == 8)
        *ret = vi8((int64_t)x);
    else if (size == 4)
        *ret = vi4((int32_t)x);
    else if (size == 2)
        *ret = vi4((int16_t)x);
    else
        *ret = vi4((uint8_t)x);
    return MG_OK;
}
static mg_status mwrite(emu *E, emu_val base, int64_t ofs, unsigned size, int64_t v)
{
    if (base.k == V_BYREF && base.p)
        return slot_access(E, base, ofs, size, true, v, NULL);
    uint64_t addr = (uint64_t)(base.i + ofs);
    if (E->ptr == 4)
        addr &= 0xffffffffu;
    uint8_t *p = emu_mem(E, addr, size);
    if (!p)
        return emu_refuse(E, "access to unmapped address 0x%llx", (unsigned long long)addr);
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
    return MG_OK;
}
#define MREAD(name, size)                                                     \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        return mread(E, a[0], n > 1 ? num(a[1]) : 0, size, ret);               \
    }
#define MWRITE(name, size)                                                    \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)ret;                                                             \
        return n > 2 ? mwrite(E, a[0], num(a[1]), size, a[2].i)                \
                     : mwrite(E, a[0], 0, size, a[1].i);                       \
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
    mg_status st = mread(E, a[0], n > 1 ? num(a[1]) : 0, E->ptr, ret);
    if (st == MG_OK)
        *ret = vni(E, ret->i);
    return st;
}
static mg_status m_writeptr(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)ret;
    return n > 2 ? mwrite(E, a[0], num(a[1]), E->ptr, a[2].i) : mwrite(E, a[0], 0, E->ptr, a[1].i);
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
        return emu_refuse(E, "heap cap reached");
    *ret = vni(E, (int64_t)E->obj[r]->vaddr);
    return MG_OK;
}

/* ---- resources, streams, readers ---- */
static bool res_name_eq(const mg_resource *res, emu_obj *s)
{
    if (res->name_len != s->len)
        return false;
    for (uint32_t i = 0; i < s->len; i++)
        if (s->raw[2 * i] != (uint8_t)res->name[i] || s->raw[2 * i + 1])
            return false;
    return true;
}
static mg_status get_resource_stream(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    emu_obj *name = obj_of(E, a[n - 1], O_STRING);
    if (!name)
        return emu_refuse(E, "GetManifestResourceStream without a name");
    for (uint32_t row = 1; row <= E->cli->t.rows[MG_T_MANIFESTRESOURCE]; row++) {
        mg_resource res;
        const uint8_t *p;
        if (!mg_resource_get(E->cli, row, &res) || !res_name_eq(&res, name))
            continue;
        if (!res.data_ok || !mg_rd_bytes(&E->cli->img.r, res.data_off, res.data_len, &p))
            return emu_refuse(E, "resource %.*s unreadable", (int)res.name_len, res.name);
        uint32_t b = emu_new_bytes(E, p, res.data_len);
        uint32_t s = b ? emu_new(E, O_STREAM) : 0;
        if (!s)
            return emu_refuse(E, "heap cap reached");
        E->obj[s]->a = 0;
        E->obj[s]->b = b;
        E->obj[s]->len = res.data_len;
        E->resource_row = row;
        *ret = vref(s);
        return MG_OK;
    }
    *ret = vref(0);
    return MG_OK;
}
static mg_status memstream_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    uint32_t b;
    if (n >= 1) {
        emu_obj *arr = obj_of(E, a[0], O_ARRAY);
        if (!arr)
            return emu_throw(E, "System.ArgumentNullException");
        b = a[0].ref;
    } else if (!(b = emu_new_array(E, 0, 1, 'u', 0)))
        return emu_refuse(E, "heap cap reached");
    uint32_t s = emu_new(E, O_STREAM);
    if (!s)
        return emu_refuse(E, "heap cap reached");
    E->obj[s]->b = b;
    E->obj[s]->len = E->obj[b]->len;
    *ret = vref(s);
    return MG_OK;
}
static emu_obj *stream_of(emu *E, emu_val v)
{
    emu_obj *o = obj_of(E, v, O_STREAM);
    if (!o)
        o = obj_of(E, v, O_READER) ? obj_of(E, vref((uint32_t)obj_of(E, v, O_READER)->a), O_STREAM)
                                   : NULL;
    return o;
}
static mg_status stream_read(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]), *dst = obj_of(E, a[1], O_ARRAY);
    if (!s || !dst)
        return emu_refuse(E, "Stream.Read on something not modelled");
    int64_t off = num(a[2]), cnt = num(a[3]);
    if (off < 0 || cnt < 0 || (uint64_t)(off + cnt) > dst->len)
        return emu_throw(E, "System.ArgumentException");
    emu_obj *buf = emu_o(E, (uint32_t)s->b);
    int64_t avail = (int64_t)s->len - s->a;
    if (avail < 0)
        avail = 0;
    if (cnt > avail)
        cnt = avail;
    memcpy(dst->raw + off, buf->raw + s->a, (size_t)cnt);
    s->a += cnt;
    *ret = vi4((int32_t)cnt);
    return MG_OK;
}
static mg_status stream_length(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "Stream.Length on something not modelled");
    *ret = vi8(s->len);
    return MG_OK;
}
static mg_status stream_getpos(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "Stream.Position on something not modelled");
    *ret = vi8(s->a);
    return MG_OK;
}
static mg_status stream_setpos(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "Stream.Position on something not modelled");
    if (a[1].i < 0)
        return emu_throw(E, "System.ArgumentOutOfRangeException");
    s->a = a[1].i;
    return MG_OK;
}
static mg_status stream_seek(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "Stream.Seek on something not modelled");
    int64_t base = num(a[2]) == 0 ? 0 : num(a[2]) == 1 ? s->a : (int64_t)s->len;
    s->a = base + a[1].i;
    *ret = vi8(s->a);
    return MG_OK;
}
static mg_status stream_toarray(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "ToArray on something not modelled");
    uint32_t r = emu_new_bytes(E, emu_o(E, (uint32_t)s->b)->raw, s->len);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status reader_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (!obj_of(E, a[0], O_STREAM))
        return emu_refuse(E, "BinaryReader over a stream not modelled");
    uint32_t r = emu_new(E, O_READER);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    E->obj[r]->a = a[0].ref;
    *ret = vref(r);
    return MG_OK;
}
static mg_status reader_base(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *r = obj_of(E, a[0], O_READER);
    if (!r)
        return emu_refuse(E, "BaseStream of something not modelled");
    *ret = vref((uint32_t)r->a);
    return MG_OK;
}
static mg_status rd_n(emu *E, emu_val self, unsigned size, uint64_t *x)
{
    emu_obj *s = stream_of(E, self);
    if (!s)
        return emu_refuse(E, "BinaryReader not modelled");
    if (s->a < 0 || (uint64_t)s->a + size > s->len)
        return emu_throw(E, "System.IO.EndOfStreamException");
    const uint8_t *p = emu_o(E, (uint32_t)s->b)->raw + s->a;
    *x = 0;
    for (unsigned i = 0; i < size; i++)
        *x |= (uint64_t)p[i] << (8 * i);
    s->a += size;
    return MG_OK;
}
#define READER(name, size, conv)                                              \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)n;                                                               \
        uint64_t x;                                                            \
        mg_status st = rd_n(E, a[0], size, &x);                                \
        if (st == MG_OK)                                                       \
            *ret = conv;                                                       \
        return st;                                                             \
    }
READER(rd_i32, 4, vi4((int32_t)x))
READER(rd_i64, 8, vi8((int64_t)x))
READER(rd_i16, 2, vi4((int16_t)x))
READER(rd_u16, 2, vi4((uint16_t)x))
READER(rd_u8, 1, vi4((uint8_t)x))
READER(rd_i8, 1, vi4((int8_t)x))
static mg_status rd_bytes(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = stream_of(E, a[0]);
    int64_t cnt = num(a[1]);
    if (!s)
        return emu_refuse(E, "BinaryReader not modelled");
    if (cnt < 0)
        return emu_throw(E, "System.ArgumentOutOfRangeException");
    int64_t avail = (int64_t)s->len - s->a;
    if (avail < 0)
        avail = 0;
    if (cnt > avail)
        cnt = avail;
    uint32_t r = emu_new_bytes(E, emu_o(E, (uint32_t)s->b)->raw + s->a, (uint32_t)cnt);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    s->a += cnt;
    *ret = vref(r);
    return MG_OK;
}

/* ---- arrays, buffers, conversions ---- */
static mg_status init_array(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    emu_obj *arr = obj_of(E, a[0], O_ARRAY);
    uint32_t tok = (uint32_t)a[1].i, rva;
    if (!arr || tok >> 24 != MG_T_FIELD || !emu_field_rva(E, tok & 0xffffff, &rva))
        return emu_refuse(E, "InitializeArray not modelled for these arguments");
    uint64_t bytes = (uint64_t)arr->len * arr->esz, off;
    const uint8_t *p;
    if (!mg_cli_rva(E->cli, rva, bytes, &off) || !mg_rd_bytes(&E->cli->img.r, off, bytes, &p))
        return emu_refuse(E, "InitializeArray data outside the file");
    memcpy(arr->raw, p, bytes);
    return MG_OK;
}
static mg_status block_copy(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    emu_obj *s = obj_of(E, a[0], O_ARRAY), *d = obj_of(E, a[2], O_ARRAY);
    if (!s || !d)
        return emu_throw(E, "System.ArgumentNullException");
    int64_t so = num(a[1]), dof = num(a[3]), len = num(a[4]);
    uint64_t sb = (uint64_t)s->len * s->esz, db = (uint64_t)d->len * d->esz;
    if (so < 0 || dof < 0 || len < 0 || (uint64_t)(so + len) > sb || (uint64_t)(dof + len) > db)
        return emu_throw(E, "System.ArgumentException");
    memmove(d->raw + dof, s->raw + so, (size_t)len);
    return MG_OK;
}
static mg_status array_copy(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)ret;
    emu_obj *s = obj_of(E, a[0], O_ARRAY), *d;
    int64_t so = 0, dof = 0, len;
    if (n == 3) {
        d = obj_of(E, a[1], O_ARRAY);
        len = num(a[2]);
    } else {
        so = num(a[1]);
        d = obj_of(E, a[2], O_ARRAY);
        dof = num(a[3]);
        len = num(a[4]);
    }
    if (!s || !d || s->esz != d->esz)
        return emu_refuse(E, "Array.Copy not modelled for these arrays");
    if (so < 0 || dof < 0 || len < 0 || (uint64_t)(so + len) > s->len ||
        (uint64_t)(dof + len) > d->len)
        return emu_throw(E, "System.ArgumentException");
    memmove(d->raw + dof * d->esz, s->raw + so * s->esz, (size_t)len * s->esz);
    return MG_OK;
}
static mg_status array_reverse(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    emu_obj *s = obj_of(E, a[0], O_ARRAY);
    if (!s)
        return emu_refuse(E, "Array.Reverse not modelled for this array");
    for (uint32_t i = 0, j = s->len ? s->len - 1 : 0; i < j; i++, j--)
        for (unsigned k = 0; k < s->esz; k++) {
            uint8_t t = s->raw[i * s->esz + k];
            s->raw[i * s->esz + k] = s->raw[j * s->esz + k];
            s->raw[j * s->esz + k] = t;
        }
    return MG_OK;
}
static mg_status array_length(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *o = a[0].k == V_REF ? emu_o(E, a[0].ref) : NULL;
    if (!o || (o->kind != O_ARRAY && o->kind != O_VARRAY))
        return emu_refuse(E, "Array.Length of something not an array");
    *ret = vi4((int32_t)o->len);
    return MG_OK;
}
#define BITCONV(name, size, conv)                                             \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)n;                                                               \
        emu_obj *o = obj_of(E, a[0], O_ARRAY);                                 \
        int64_t i = num(a[1]);                                                 \
        if (!o)                                                                \
            return emu_throw(E, "System.ArgumentNullException");               \
        if (i < 0 || (uint64_t)i + size > o->len)                              \
            return emu_throw(E, "System.ArgumentException");                   \
        uint64_t x = 0;                                                        \
        for (unsigned k = 0; k < size; k++)                                    \
            x |= (uint64_t)o->raw[i + k] << (8 * k);                           \
        *ret = conv;                                                           \
        return MG_OK;                                                          \
    }
BITCONV(bc_i32, 4, vi4((int32_t)x))
BITCONV(bc_i64, 8, vi8((int64_t)x))
BITCONV(bc_i16, 2, vi4((int16_t)x))
BITCONV(bc_u16, 2, vi4((uint16_t)x))
static mg_status bc_getbytes(emu *E, emu_val *a, uint32_t n, emu_val *ret, unsigned size)
{
    (void)n;
    uint8_t b[8];
    uint64_t x = (uint64_t)a[0].i;
    for (unsigned k = 0; k < size; k++)
        b[k] = (uint8_t)(x >> (8 * k));
    uint32_t r = emu_new_bytes(E, b, size);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status bc_bytes4(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    return bc_getbytes(E, a, n, ret, 4);
}
static mg_status bc_bytes8(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    return bc_getbytes(E, a, n, ret, 8);
}

/* ---- Hashtable ---- */
static mg_status hash_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    uint32_t r = emu_new(E, O_HASH);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status hash_set(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    if (!obj_of(E, a[0], O_HASH))
        return emu_refuse(E, "Hashtable store on something not modelled");
    if (!emu_hash_put(E, a[0].ref, a[1], a[2]))
        return emu_refuse(E, "hashtable cap reached");
    return MG_OK;
}
static mg_status hash_get(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (!obj_of(E, a[0], O_HASH))
        return emu_refuse(E, "Hashtable read on something not modelled");
    emu_val *v = emu_hash_get(E, a[0].ref, a[1]);
    *ret = v ? *v : vref(0);
    return MG_OK;
}
static mg_status hash_contains(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (!obj_of(E, a[0], O_HASH))
        return emu_refuse(E, "Hashtable read on something not modelled");
    *ret = vi4(emu_hash_get(E, a[0].ref, a[1]) != NULL);
    return MG_OK;
}

/* ---- strings ---- */
static mg_status str_concat(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        emu_obj *s = obj_of(E, a[i], O_STRING);
        if (s)
            total += s->len;
        else if (a[i].k != V_REF || a[i].ref)
            return emu_refuse(E, "String.Concat of a non-string");
    }
    if (total > EMU_MAX_ARRAY)
        return emu_refuse(E, "string over the cap");
    uint32_t r = emu_new_string16(E, NULL, 0);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    uint32_t out = emu_new_array(E, (uint32_t)total, 2, 'c', 0);
    if (!out)
        return emu_refuse(E, "heap cap reached");
    E->obj[out]->kind = O_STRING;
    uint64_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        emu_obj *s = obj_of(E, a[i], O_STRING);
        if (s && s->len) {
            memcpy(E->obj[out]->raw + pos * 2, s->raw, (size_t)s->len * 2);
            pos += s->len;
        }
    }
    *ret = vref(out);
    return MG_OK;
}
static mg_status str_length(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[0], O_STRING);
    if (!s)
        return emu_throw(E, "System.NullReferenceException");
    *ret = vi4((int32_t)s->len);
    return MG_OK;
}
static mg_status str_chars(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[0], O_STRING);
    int64_t i = num(a[1]);
    if (!s)
        return emu_throw(E, "System.NullReferenceException");
    if (i < 0 || (uint64_t)i >= s->len)
        return emu_throw(E, "System.IndexOutOfRangeException");
    *ret = vi4(s->raw[2 * i] | s->raw[2 * i + 1] << 8);
    return MG_OK;
}
static mg_status str_eq(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *x = obj_of(E, a[0], O_STRING), *y = obj_of(E, a[1], O_STRING);
    *ret = vi4(x && y ? x->len == y->len && !memcmp(x->raw, y->raw, (size_t)x->len * 2) : !x && !y);
    return MG_OK;
}
static mg_status enc_get(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Text.Encoding", 0, ret);
}
static mg_status enc_unicode(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Text.Encoding", 2, ret);
}
static bool enc_utf16(emu *E, emu_val self)
{
    emu_obj *o = obj_of(E, self, O_MODEL);
    return o && o->a == 2;
}
/* Encoding.GetString(byte[]) as UTF-8 for ASCII; GetBytes likewise */
static mg_status enc_getstring(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    emu_obj *b = obj_of(E, a[1], O_ARRAY);
    if (!b)
        return emu_throw(E, "System.ArgumentNullException");
    int64_t off = n > 2 ? num(a[2]) : 0, len = n > 3 ? num(a[3]) : (int64_t)b->len;
    if (off < 0 || len < 0 || (uint64_t)(off + len) > b->len)
        return emu_throw(E, "System.ArgumentOutOfRangeException");
    if (enc_utf16(E, a[0])) {
        uint32_t r = emu_new_string16(E, b->raw + off, (uint32_t)(len / 2));
        if (!r)
            return emu_refuse(E, "heap cap reached");
        *ret = vref(r);
        return MG_OK;
    }
    for (int64_t i = 0; i < len; i++)
        if (b->raw[off + i] & 0x80)
            return emu_refuse(E, "Encoding.GetString of non-ASCII bytes");
    uint32_t r = emu_new_string(E, (const char *)b->raw + off, (size_t)len);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status enc_getbytes(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[1], O_STRING);
    if (!s)
        return emu_throw(E, "System.ArgumentNullException");
    if (enc_utf16(E, a[0])) {
        uint32_t r = emu_new_bytes(E, s->raw, s->len * 2);
        if (!r)
            return emu_refuse(E, "heap cap reached");
        *ret = vref(r);
        return MG_OK;
    }
    uint32_t r = emu_new_array(E, s->len, 1, 'u', 0);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    for (uint32_t i = 0; i < s->len; i++) {
        if (s->raw[2 * i + 1] || (s->raw[2 * i] & 0x80))
            return emu_refuse(E, "Encoding.GetBytes of non-ASCII text");
        E->obj[r]->raw[i] = s->raw[2 * i];
    }
    *ret = vref(r);
    return MG_OK;
}
static mg_status assembly_name(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Reflection.AssemblyName", 0, ret);
}
/* AssemblyName.GetPublicKeyToken: the token of the assembly's public key, or empty */
static mg_status public_key_token(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    uint32_t pk = 0, blen = 0;
    uint64_t off;
    if (E->cli->t.rows[MG_T_ASSEMBLY] && mg_tbl_get(E->cli, MG_T_ASSEMBLY, 1, 6, &pk) && pk &&
        mg_cli_blob(E->cli, pk, &off, &blen) && blen)
        return emu_refuse(E, "strong-named assembly: public key token not modelled");
    uint32_t r = emu_new_array(E, 0, 1, 'u', 0);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status get_handle_value(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    *ret = vni(E, deref(a[0]).i);
    return MG_OK;
}
static mg_status math_abs(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    if (a[0].k == V_F)
        *ret = vf(fabs(a[0].f));
    else if (a[0].k == V_I4) {
        if ((int32_t)a[0].i == INT32_MIN)
            return emu_throw(E, "System.OverflowException");
        *ret = vi4(abs((int32_t)a[0].i));
    } else
        *ret = vi8(a[0].i < 0 ? -a[0].i : a[0].i);
    return MG_OK;
}

/* Type.GetType(name[, throw]): the sandbox presents the Windows CLR, where
 * runtime probes such as "Mono.Runtime" find nothing; other names refused */
static mg_status type_gettype(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[0], O_STRING);
    char name[128];
    uint32_t i;
    for (i = 0; s && i < s->len && i + 1 < sizeof name; i++)
        name[i] = (char)s->raw[2 * i];
    name[i] = 0;
    if (!strcmp(name, "Mono.Runtime")) {
        *ret = vref(0);
        return MG_OK;
    }
    if (!strcmp(name, "System.Reflection.ReflectionContext")) /* .NET 4.5 and later */
        return new_model(E, "System.Type", 0, ret);
    return emu_refuse(E, "Type.GetType(\"%s\") not modelled", name);
}
static mg_status ref_eq(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi4(a[0].ref == a[1].ref);
    return MG_OK;
}
static mg_status ref_ne(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    *ret = vi4(a[0].ref != a[1].ref);
    return MG_OK;
}
/* the path the sandbox says the assembly was loaded from */
#define SANDBOX_PATH "C:\\sandbox\\sample.exe"
static mg_status assembly_location(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    uint32_t s = emu_new_string(E, SANDBOX_PATH, strlen(SANDBOX_PATH));
    if (!s)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(s);
    return MG_OK;
}
static mg_status messagebox(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n;
    *ret = vi4(1); /* DialogResult.OK: the nag is acknowledged, nothing shown */
    return MG_OK;
}

/* ---- the process as the sandbox presents it: the sample and the CLR JIT ---- */
enum { MOD_MAIN, MOD_JIT, MOD_COUNT };
static const char *const mod_name[MOD_COUNT] = {"sample.exe", "clrjit.dll"};
static mg_status process_get(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Diagnostics.Process", 0, ret);
}
static mg_status process_id(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n;
    *ret = vi4(4242);
    return MG_OK;
}
static mg_status process_main(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Diagnostics.ProcessModule", MOD_MAIN, ret);
}
static mg_status process_modules(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "System.Diagnostics.ProcessModuleCollection", 0, ret);
}
static mg_status modules_enum(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return new_model(E, "ModuleEnumerator", -1, ret);
}
static emu_obj *model_of(emu *E, emu_val v, const char *tag)
{
    emu_obj *o = obj_of(E, v, O_MODEL);
    return o && o->tag && !strcmp(o->tag, tag) ? o : NULL;
}
static mg_status enum_next(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *o = model_of(E, a[0], "ModuleEnumerator");
    if (!o)
        return emu_refuse(E, "IEnumerator.MoveNext on an enumerator not modelled");
    if (o->a < MOD_COUNT)
        o->a++;
    *ret = vi4(o->a < MOD_COUNT);
    return MG_OK;
}
static mg_status enum_current(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *o = model_of(E, a[0], "ModuleEnumerator");
    if (!o || o->a < 0 || o->a >= MOD_COUNT)
        return emu_refuse(E, "IEnumerator.Current on an enumerator not modelled");
    return new_model(E, "System.Diagnostics.ProcessModule", o->a, ret);
}
static emu_obj *module_of(emu *E, emu_val v)
{
    return model_of(E, v, "System.Diagnostics.ProcessModule");
}
static mg_status module_name(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *m = module_of(E, a[0]);
    if (!m)
        return emu_refuse(E, "ProcessModule not modelled");
    const char *s = mod_name[m->a];
    uint32_t r = emu_new_string(E, s, strlen(s));
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status module_base(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *m = module_of(E, a[0]);
    if (!m)
        return emu_refuse(E, "ProcessModule not modelled");
    *ret = vni(E, m->a == MOD_MAIN ? (int64_t)E->vbase : (int64_t)EMU_NATIVE_MODULE);
    return MG_OK;
}
static mg_status module_size(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *m = module_of(E, a[0]);
    if (!m)
        return emu_refuse(E, "ProcessModule not modelled");
    *ret = vi4(m->a == MOD_MAIN ? (int32_t)E->vsize : 0x10000);
    return MG_OK;
}
static mg_status module_version(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *m = module_of(E, a[0]);
    if (!m)
        return emu_refuse(E, "ProcessModule not modelled");
    return new_model(E, "System.Diagnostics.FileVersionInfo", m->a, ret);
}
/* the JIT of .NET Framework 4.8: 4.8.4515.0 (the sample: 1.0.0.0) */
static mg_status version_part(emu *E, emu_val self, int part, emu_val *ret)
{
    emu_obj *v = model_of(E, self, "System.Diagnostics.FileVersionInfo");
    if (!v)
        return emu_refuse(E, "FileVersionInfo not modelled");
    static const int32_t jit[4] = {4, 8, 4515, 0}, app[4] = {1, 0, 0, 0};
    *ret = vi4(v->a == MOD_JIT ? jit[part] : app[part]);
    return MG_OK;
}
static mg_status fv_major(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return version_part(E, a[0], 0, ret);
}
static mg_status fv_minor(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return version_part(E, a[0], 1, ret);
}
static mg_status fv_build(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return version_part(E, a[0], 2, ret);
}
static mg_status fv_private(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return version_part(E, a[0], 3, ret);
}
/* System.Version: four parts packed 16 bits each (a), compared as a number */
static mg_status version_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    int64_t packed = 0;
    for (uint32_t i = 0; i < 4; i++) {
        int64_t p = i < n ? num(a[i]) : 0;
        if (p < 0 || p > 0xffff)
            return emu_refuse(E, "System.Version part %lld not modelled", (long long)p);
        packed = packed << 16 | p;
    }
    return new_model(E, "System.Version", packed, ret);
}
static mg_status version_cmp(emu *E, emu_val *a, int how, emu_val *ret)
{
    emu_obj *x = model_of(E, a[0], "System.Version"), *y = model_of(E, a[1], "System.Version");
    if (!x || !y)
        return emu_refuse(E, "System.Version comparison with null not modelled");
    bool r = how == 0 ? x->a >= y->a : how == 1 ? x->a < y->a : how == 2 ? x->a > y->a
           : how == 3 ? x->a <= y->a : how == 4 ? x->a == y->a : x->a != y->a;
    *ret = vi4(r);
    return MG_OK;
}
#define VCMP(name, how)                                                       \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)n;                                                               \
        return version_cmp(E, a, how, ret);                                    \
    }
VCMP(v_ge, 0)
VCMP(v_lt, 1)
VCMP(v_gt, 2)
VCMP(v_le, 3)
VCMP(v_eq, 4)
VCMP(v_ne, 5)
static mg_status str_trim(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[0], O_STRING);
    if (!s)
        return emu_throw(E, "System.NullReferenceException");
    uint32_t b = 0, e = s->len;
    while (b < e && s->raw[2 * b + 1] == 0 && strchr(" \t\r\n", s->raw[2 * b]) && s->raw[2 * b])
        b++;
    while (e > b && s->raw[2 * (e - 1) + 1] == 0 && strchr(" \t\r\n", s->raw[2 * (e - 1)]) &&
           s->raw[2 * (e - 1)])
        e--;
    uint32_t r = emu_new_string16(E, s->raw + 2 * b, e - b);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    *ret = vref(r);
    return MG_OK;
}
static mg_status str_case(emu *E, emu_val *a, bool upper, emu_val *ret)
{
    emu_obj *s = obj_of(E, a[0], O_STRING);
    if (!s)
        return emu_throw(E, "System.NullReferenceException");
    uint32_t r = emu_new_string16(E, s->raw, s->len);
    if (!r)
        return emu_refuse(E, "heap cap reached");
    uint8_t *p = E->obj[r]->raw;
    for (uint32_t i = 0; i < s->len; i++) {
        if (p[2 * i + 1] || (p[2 * i] & 0x80))
            return emu_refuse(E, "case change of non-ASCII text");
        uint8_t c = p[2 * i];
        if (upper && c >= 'a' && c <= 'z')
            p[2 * i] = (uint8_t)(c - 32);
        if (!upper && c >= 'A' && c <= 'Z')
            p[2 * i] = (uint8_t)(c + 32);
    }
    *ret = vref(r);
    return MG_OK;
}
static mg_status str_lower(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return str_case(E, a, false, ret);
}
static mg_status str_upper(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    return str_case(E, a, true, ret);
}
static mg_status str_ends(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[0], O_STRING), *t = obj_of(E, a[1], O_STRING);
    if (!s || !t)
        return emu_throw(E, "System.NullReferenceException");
    *ret = vi4(t->len <= s->len &&
               !memcmp(s->raw + 2 * (s->len - t->len), t->raw, (size_t)t->len * 2));
    return MG_OK;
}
/* Convert.ToInt32(long): range-checked */
static mg_status convert_i4(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (a[0].k == V_F || a[0].k == V_REF)
        return emu_refuse(E, "Convert.ToInt32 of a %s not modelled", a[0].k == V_F ? "double" : "reference");
    int64_t x = num(a[0]);
    if (x < INT32_MIN || x > INT32_MAX)
        return emu_throw(E, "System.OverflowException");
    *ret = vi4((int32_t)x);
    return MG_OK;
}
static mg_status convert_i8(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (a[0].k == V_F || a[0].k == V_REF)
        return emu_refuse(E, "Convert.ToInt64 of a %s not modelled", a[0].k == V_F ? "double" : "reference");
    *ret = vi8(num(a[0]));
    return MG_OK;
}
static mg_status double_bits(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)n;
    int64_t x;
    if (a[0].k != V_F)
        return emu_refuse(E, "DoubleToInt64Bits of a non-float");
    memcpy(&x, &a[0].f, 8);
    *ret = vi8(x);
    return MG_OK;
}
static mg_status delegate_for_fp(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    uint32_t o = emu_new(E, O_DELEGATE);
    if (!o)
        return emu_refuse(E, "heap cap reached");
    E->obj[o]->a = 0;
    E->obj[o]->b = a[0].i;
    *ret = vref(o);
    return MG_OK;
}

static const model models[] = {
    {"System.Diagnostics.Process::GetCurrentProcess", 0, process_get},
    {"System.Diagnostics.Process::get_Id", 0, process_id},
    {"System.Diagnostics.Process::get_MainModule", 0, process_main},
    {"System.Diagnostics.Process::get_Modules", 0, process_modules},
    {"System.Collections.ReadOnlyCollectionBase::GetEnumerator", 0, modules_enum},
    {"System.Diagnostics.ProcessModuleCollection::GetEnumerator", 0, modules_enum},
    {"System.Collections.IEnumerable::GetEnumerator", 0, modules_enum},
    {"System.Collections.IEnumerator::MoveNext", 0, enum_next},
    {"System.Collections.IEnumerator::get_Current", 0, enum_current},
    {"System.Diagnostics.ProcessModule::get_ModuleName", 0, module_name},
    {"System.Diagnostics.ProcessModule::get_FileName", 0, module_name},
    {"System.Diagnostics.ProcessModule::get_BaseAddress", 0, module_base},
    {"System.Diagnostics.ProcessModule::get_ModuleMemorySize", 0, module_size},
    {"System.Diagnostics.ProcessModule::get_FileVersionInfo", 0, module_version},
    {"System.Diagnostics.FileVersionInfo::get_ProductMajorPart", 0, fv_major},
    {"System.Diagnostics.FileVersionInfo::get_ProductMinorPart", 0, fv_minor},
    {"System.Diagnostics.FileVersionInfo::get_ProductBuildPart", 0, fv_build},
    {"System.Diagnostics.FileVersionInfo::get_ProductPrivatePart", 0, fv_private},
    {"System.Diagnostics.FileVersionInfo::get_FileMajorPart", 0, fv_major},
    {"System.Diagnostics.FileVersionInfo::get_FileMinorPart", 0, fv_minor},
    {"System.Diagnostics.FileVersionInfo::get_FileBuildPart", 0, fv_build},
    {"System.Diagnostics.FileVersionInfo::get_FilePrivatePart", 0, fv_private},
    {"System.Version::.ctor", -1, version_new},
    {"System.Version::op_GreaterThanOrEqual", 2, v_ge},
    {"System.Version::op_LessThan", 2, v_lt},
    {"System.Version::op_GreaterThan", 2, v_gt},
    {"System.Version::op_LessThanOrEqual", 2, v_le},
    {"System.Version::op_Equality", 2, v_eq},
    {"System.Version::op_Inequality", 2, v_ne},
    {"System.String::Trim", 0, str_trim},
    {"System.BitConverter::DoubleToInt64Bits", 1, double_bits},
    {"System.Convert::ToInt32", 1, convert_i4},
    {"System.Convert::ToInt64", 1, convert_i8},
    {"System.String::ToLower", 0, str_lower},
    {"System.String::ToUpper", 0, str_upper},
    {"System.String::ToLowerInvariant", 0, str_lower},
    {"System.String::ToUpperInvariant", 0, str_upper},
    {"System.String::EndsWith", 1, str_ends},
    {"System.Runtime.InteropServices.Marshal::GetDelegateForFunctionPointer", 2, delegate_for_fp},
    {"System.Type::GetType", -1, type_gettype},
    {"System.Type::op_Inequality", 2, ref_ne},
    {"System.Type::op_Equality", 2, ref_eq},
    {"System.Reflection.Assembly::op_Inequality", 2, ref_ne},
    {"System.Reflection.Assembly::op_Equality", 2, ref_eq},
    {"System.Reflection.Module::op_Inequality", 2, ref_ne},
    {"System.Reflection.Module::op_Equality", 2, ref_eq},
    {"System.Reflection.Assembly::get_Location", 0, assembly_location},
    {"System.Windows.Forms.MessageBox::Show", -1, messagebox},
    {"System.Object::.ctor", 0, obj_ctor},
    {"System.Type::GetTypeFromHandle", 1, type_from_handle},
    {"System.Type::get_Assembly", 0, type_assembly},
    {"System.Type::get_Module", 0, type_module},
    {"System.Reflection.Assembly::GetManifestResourceStream", 1, get_resource_stream},
    {"System.Reflection.Assembly::GetName", 0, assembly_name},
    {"System.Reflection.AssemblyName::GetPublicKeyToken", 0, public_key_token},
    {"System.Reflection.Assembly::get_ManifestModule", 0, type_module},
    {"System.Reflection.Assembly::GetModules", 0, get_modules},
    {"System.Runtime.InteropServices.Marshal::GetHINSTANCE", 1, get_hinstance},
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
    {"System.IntPtr::get_Size", 0, intptr_size},
    {"System.IntPtr::ToInt64", 0, intptr_to64},
    {"System.IntPtr::ToInt32", 0, intptr_to32},
    {"System.IntPtr::ToPointer", 0, intptr_topointer},
    {"System.IntPtr::op_Equality", 2, intptr_eq},
    {"System.IntPtr::op_Inequality", 2, intptr_ne},
    {"System.IntPtr::op_Addition", 2, intptr_add},
    {"System.IntPtr::Add", 2, intptr_add},
    {"System.IntPtr::op_Explicit", 1, intptr_explicit},
    {"System.IntPtr::op_Explicit#i8", 1, intptr_to_i8},
    {"System.IO.MemoryStream::.ctor", -1, memstream_new},
    {"System.IO.Stream::Read", 3, stream_read},
    {"System.IO.MemoryStream::Read", 3, stream_read},
    {"System.IO.Stream::get_Length", 0, stream_length},
    {"System.IO.Stream::get_Position", 0, stream_getpos},
    {"System.IO.Stream::set_Position", 1, stream_setpos},
    {"System.IO.Stream::Seek", 2, stream_seek},
    {"System.IO.Stream::Close", 0, ret_nothing},
    {"System.IO.Stream::Dispose", 0, ret_nothing},
    {"System.IO.MemoryStream::ToArray", 0, stream_toarray},
    {"System.IO.MemoryStream::Close", 0, ret_nothing},
    {"System.IDisposable::Dispose", 0, ret_nothing},
    {"System.IO.BinaryReader::.ctor", 1, reader_new},
    {"System.IO.BinaryReader::get_BaseStream", 0, reader_base},
    {"System.IO.BinaryReader::ReadInt32", 0, rd_i32},
    {"System.IO.BinaryReader::ReadUInt32", 0, rd_i32},
    {"System.IO.BinaryReader::ReadInt64", 0, rd_i64},
    {"System.IO.BinaryReader::ReadUInt64", 0, rd_i64},
    {"System.IO.BinaryReader::ReadInt16", 0, rd_i16},
    {"System.IO.BinaryReader::ReadUInt16", 0, rd_u16},
    {"System.IO.BinaryReader::ReadByte", 0, rd_u8},
    {"System.IO.BinaryReader::ReadSByte", 0, rd_i8},
    {"System.IO.BinaryReader::ReadBoolean", 0, rd_u8},
    {"System.IO.BinaryReader::ReadBytes", 1, rd_bytes},
    {"System.IO.BinaryReader::Close", 0, ret_nothing},
    {"System.Runtime.CompilerServices.RuntimeHelpers::InitializeArray", 2, init_array},
    {"System.Buffer::BlockCopy", 5, block_copy},
    {"System.Array::Copy", -1, array_copy},
    {"System.Array::Reverse", 1, array_reverse},
    {"System.Array::get_Length", 0, array_length},
    {"System.BitConverter::ToInt32", 2, bc_i32},
    {"System.BitConverter::ToUInt32", 2, bc_i32},
    {"System.BitConverter::ToInt64", 2, bc_i64},
    {"System.BitConverter::ToUInt64", 2, bc_i64},
    {"System.BitConverter::ToInt16", 2, bc_i16},
    {"System.BitConverter::ToUInt16", 2, bc_u16},
    {"System.BitConverter::GetBytes#4", 1, bc_bytes4},
    {"System.BitConverter::GetBytes#8", 1, bc_bytes8},
    {"System.Collections.Hashtable::.ctor", -1, hash_new},
    {"System.Collections.SortedList::.ctor", -1, hash_new},
    {"System.Collections.SortedList::set_Item", 2, hash_set},
    {"System.Collections.SortedList::Add", 2, hash_set},
    {"System.Collections.SortedList::get_Item", 1, hash_get},
    {"System.Collections.SortedList::ContainsKey", 1, hash_contains},
    {"System.Collections.Hashtable::set_Item", 2, hash_set},
    {"System.Collections.Hashtable::Add", 2, hash_set},
    {"System.Collections.Hashtable::get_Item", 1, hash_get},
    {"System.Collections.Hashtable::ContainsKey", 1, hash_contains},
    {"System.Collections.Hashtable::Contains", 1, hash_contains},
    {"System.String::Concat", -1, str_concat},
    {"System.String::get_Length", 0, str_length},
    {"System.String::get_Chars", 1, str_chars},
    {"System.String::op_Equality", 2, str_eq},
    {"System.String::Equals", 2, str_eq},
    {"System.Text.Encoding::get_UTF8", 0, enc_get},
    {"System.Text.Encoding::get_ASCII", 0, enc_get},
    {"System.Text.Encoding::get_Unicode", 0, enc_unicode},
    {"System.Text.Encoding::GetString", -1, enc_getstring},
    {"System.Text.Encoding::GetBytes", 1, enc_getbytes},
    {"System.RuntimeTypeHandle::get_Value", 0, get_handle_value},
    {"System.RuntimeMethodHandle::get_Value", 0, get_handle_value},
    {"System.RuntimeFieldHandle::get_Value", 0, get_handle_value},
    {"System.Math::Abs", 1, math_abs},
    {"System.Security.Cryptography.CryptoConfig::get_AllowOnlyFipsAlgorithms", 0, ret_false},
    {"System.Diagnostics.Debugger::get_IsAttached", 0, ret_false},
    {"System.Security.Cryptography.RSACryptoServiceProvider::set_UseMachineKeyStore", 1, ret_nothing},
    {"System.Diagnostics.Debugger::IsLogging", 0, ret_false},
    {"System.Environment::get_HasShutdownStarted", 0, ret_false},
    {"System.Threading.Monitor::Enter", -1, ret_nothing},
    {"System.Threading.Monitor::Exit", -1, ret_nothing},
    {"System.GC::KeepAlive", 1, ret_nothing},
    {"System.Object::GetType", 0, ret_null},
    {"System.Runtime.CompilerServices.RuntimeHelpers::PrepareMethod", -1, ret_nothing},
    {"System.AppDomain::get_CurrentDomain", 0, NULL},
    {"", 0, ret_true},
};

mg_status emu_bcl_call(emu *E, const emu_ref *r, emu_val *args, uint32_t nargs, bool is_ctor,
                       emu_val *ret)
{
    char key[300];
    snprintf(key, sizeof key, "%s::%s", r->cls, r->name);
    /* overloads told apart by the argument: GetBytes(int) / GetBytes(long), op_Explicit to long */
    if (!strcmp(key, "System.BitConverter::GetBytes") && nargs == 1)
        snprintf(key, sizeof key, "System.BitConverter::GetBytes#%d", args[0].k == V_I8 ? 8 : 4);
    if (!strcmp(key, "System.IntPtr::op_Explicit") && nargs == 1 && args[0].k == V_NI &&
        r->ret_kind == V_I8)
        snprintf(key, sizeof key, "System.IntPtr::op_Explicit#i8");
    /* an IntPtr constructed through a reference (call instance void IntPtr::.ctor) */
    if (!is_ctor && !strcmp(key, "System.IntPtr::.ctor"))
        return intptr_ctor_ref(E, args, nargs, ret);
    if (is_ctor && !strcmp(key, "System.Object::.ctor")) { /* a plain object (a lock) */
        uint32_t o = emu_new(E, O_FIELDS);
        if (!o)
            return emu_refuse(E, "heap cap reached");
        *ret = vref(o);
        return MG_OK;
    }
    uint32_t np = nargs - ((r->has_this && !is_ctor) ? 1u : 0u);
    for (size_t i = 0; models[i].key[0]; i++)
        if (!strcmp(models[i].key, key) && models[i].fn &&
            (models[i].nparams < 0 || (uint32_t)models[i].nparams == np))
            return models[i].fn(E, args, nargs, ret);
    return emu_refuse(E, "framework method %s (%u parameters) not modelled", key, np);
}

mg_status emu_bcl_field(emu *E, const emu_ref *r, emu_val *out)
{
    if (!strcmp(r->cls, "System.IntPtr") && !strcmp(r->name, "Zero")) {
        *out = vni(E, 0);
        return MG_OK;
    }
    if (!strcmp(r->cls, "System.String") && !strcmp(r->name, "Empty")) {
        uint32_t s = emu_new_string(E, "", 0);
        if (!s)
            return emu_refuse(E, "heap cap reached");
        *out = vref(s);
        return MG_OK;
    }
    return emu_refuse(E, "framework field %s::%s not modelled", r->cls, r->name);
}

/* ---- Windows API ---- */
static bool ascii_of(emu *E, emu_val v, char *out, size_t n)
{
    emu_obj *s = obj_of(E, v, O_STRING);
    if (!s || s->len >= n)
        return false;
    for (uint32_t i = 0; i < s->len; i++)
        out[i] = (char)s->raw[2 * i];
    out[s->len] = 0;
    return true;
}

static uint32_t native_slot(emu *E, const char *name)
{
    for (uint32_t i = 0; i < E->nnative; i++)
        if (!strcmp(E->native[i], name))
            return i;
    if (E->nnative >= 32)
        return UINT32_MAX;
    snprintf(E->native[E->nnative], sizeof E->native[0], "%s", name);
    return E->nnative++;
}

static bool is_jit_dll(const char *name)
{
    char low[64];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    low[i] = 0;
    const char *base = strrchr(low, '\\');
    base = base ? base + 1 : low;
    return !strcmp(base, "clrjit.dll") || !strcmp(base, "mscorjit.dll") || !strcmp(base, "clrjit") ||
           !strcmp(base, "mscorjit");
}

mg_status emu_native_call(emu *E, const char *name, emu_val *args, uint32_t nargs, emu_val *ret)
{
    char arg[64];
    if (!strncmp(name, "LoadLibrary", 11) && nargs >= 1) {
        if (!ascii_of(E, args[0], arg, sizeof arg))
            return emu_refuse(E, "%s of a name not modelled", name);
        if (is_jit_dll(arg))
            return E->stopped = true, EMU_STOP; /* the JIT hook is installed next */
        uint32_t i = native_slot(E, arg);
        if (i == UINT32_MAX)
            return emu_refuse(E, "too many native modules");
        *ret = vni(E, (int64_t)EMU_NATIVE_MODULE + (int64_t)i * 0x10000);
        return MG_OK;
    }
    if (!strcmp(name, "GetProcAddress") && nargs == 2) {
        if (!ascii_of(E, args[1], arg, sizeof arg))
            return emu_refuse(E, "GetProcAddress of a name not modelled");
        uint32_t i = native_slot(E, arg);
        if (i == UINT32_MAX)
            return emu_refuse(E, "too many native functions");
        *ret = vni(E, (int64_t)EMU_NATIVE_FUNC + (int64_t)i * 16);
        return MG_OK;
    }
    if (!strcmp(name, "VirtualProtect") && nargs == 4) {
        /* the virtual image is always writable; the old protection is PAGE_EXECUTE_READ */
        if (args[3].k == V_BYREF && args[3].p)
            *args[3].p = vi4(0x20);
        else {
            uint8_t *p = emu_mem(E, (uint64_t)args[3].i, 4);
            if (!p)
                return emu_refuse(E, "VirtualProtect with an unmapped out pointer");
            memset(p, 0, 4);
            p[0] = 0x20;
        }
        *ret = vi4(1);
        return MG_OK;
    }
    return emu_refuse(E, "native function %s not modelled", name[0] ? name : "?");
}
