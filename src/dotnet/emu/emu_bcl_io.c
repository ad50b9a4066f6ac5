/* emu_bcl_io.c - framework models: the assembly's own manifest resources
 * as streams, MemoryStream, BinaryReader, RuntimeHelpers.InitializeArray,
 * Buffer.BlockCopy, Array.Copy/Reverse and BitConverter, all bounds-checked
 * with the exceptions the framework throws. */
#include "dotnet/emu/emu_bcl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    mg_status st = emu_charge_units(E, E->cli->t.rows[MG_T_MANIFESTRESOURCE]);
    for (uint32_t row = 1; row <= E->cli->t.rows[MG_T_MANIFESTRESOURCE] && st == MG_OK; row++) {
        mg_resource res;
        const uint8_t *p;
        if (!mg_resource_get(E->cli, row, &res) || res.name_len != name->len ||
            (st = emu_charge(E, 2ull * name->len)) != MG_OK || !res_name_eq(&res, name))
            continue;
        if (!res.data_ok || !mg_rd_bytes(&E->cli->img.r, res.data_off, res.data_len, &p))
            return emu_refuse(E, "resource %.*s unreadable", (int)res.name_len, res.name);
        uint32_t b = emu_new_bytes(E, p, res.data_len);
        uint32_t s = b ? emu_new(E, O_STREAM) : 0;
        if (!s)
            return emu_heap_full(E);
        E->obj[s]->a = 0;
        E->obj[s]->b = b;
        E->obj[s]->len = res.data_len;
        E->resource_row = row;
        *ret = vref(s);
        return MG_OK;
    }
    *ret = vref(0);
    return st;
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
        return emu_heap_full(E);
    uint32_t s = emu_new(E, O_STREAM);
    if (!s)
        return emu_heap_full(E);
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
    mg_status st = emu_charge(E, (uint64_t)cnt);
    if (st != MG_OK)
        return st;
    memcpy(dst->raw + off, buf->raw + s->a, (size_t)cnt);
    s->a += cnt;
    *ret = vi4((int32_t)cnt);
    return MG_OK;
}
/* Stream.Length, Stream.Position, MemoryStream.ToArray */
static mg_status stream_get(emu *E, emu_val *a, int what, emu_val *ret)
{
    static const char *const name[] = {"Stream.Length", "Stream.Position", "ToArray"};
    emu_obj *s = stream_of(E, a[0]);
    if (!s)
        return emu_refuse(E, "%s on something not modelled", name[what]);
    if (what == 2)
        return ret_ref(E, emu_new_bytes(E, emu_o(E, (uint32_t)s->b)->raw, s->len), ret);
    *ret = vi8(what ? s->a : (int64_t)s->len);
    return MG_OK;
}
BIND_MODEL(stream_length, stream_get, 0)
BIND_MODEL(stream_getpos, stream_get, 1)
BIND_MODEL(stream_toarray, stream_get, 2)
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
static mg_status reader_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    if (!obj_of(E, a[0], O_STREAM))
        return emu_refuse(E, "BinaryReader over a stream not modelled");
    uint32_t r = emu_new(E, O_READER);
    if (!r)
        return emu_heap_full(E);
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
        uint64_t x = 0;                                                        \
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
        return emu_heap_full(E);
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
    mg_status st = emu_charge_units(E, E->cli->t.rows[0x1d]); /* the FieldRVA search */
    if (st == MG_OK && arr)
        st = emu_charge(E, (uint64_t)arr->len * arr->esz);
    if (st != MG_OK)
        return st;
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
    mg_status st = emu_charge(E, (uint64_t)len);
    if (st != MG_OK)
        return st;
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
    mg_status st = emu_charge(E, (uint64_t)len * s->esz);
    if (st != MG_OK)
        return st;
    memmove(d->raw + dof * d->esz, s->raw + so * s->esz, (size_t)len * s->esz);
    return MG_OK;
}
static mg_status array_reverse(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    emu_obj *s = obj_of(E, a[0], O_ARRAY);
    if (!s)
        return emu_refuse(E, "Array.Reverse not modelled for this array");
    mg_status st = emu_charge(E, (uint64_t)s->len * s->esz);
    if (st != MG_OK)
        return st;
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
static mg_status bc_getbytes(emu *E, emu_val *a, unsigned size, emu_val *ret)
{
    uint8_t b[8];
    uint64_t x = (uint64_t)a[0].i;
    for (unsigned k = 0; k < size; k++)
        b[k] = (uint8_t)(x >> (8 * k));
    return ret_ref(E, emu_new_bytes(E, b, size), ret);
}
BIND_MODEL(bc_bytes4, bc_getbytes, 4)
BIND_MODEL(bc_bytes8, bc_getbytes, 8)

const model emu_models_io[] = {
    {"System.Reflection.Assembly::GetManifestResourceStream", 1, get_resource_stream},
    {"System.IO.MemoryStream::.ctor", -1, memstream_new},
    {"System.IO.Stream::Read", 3, stream_read},
    {"System.IO.MemoryStream::Read", 3, stream_read},
    {"System.IO.Stream::get_Length", 0, stream_length},
    {"System.IO.Stream::get_Position", 0, stream_getpos},
    {"System.IO.Stream::set_Position", 1, stream_setpos},
    {"System.IO.Stream::Seek", 2, stream_seek},
    {"System.IO.MemoryStream::ToArray", 0, stream_toarray},
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
    {NULL, 0, NULL},
};
