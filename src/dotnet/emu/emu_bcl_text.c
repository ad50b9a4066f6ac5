/* emu_bcl_text.c - framework models: Hashtable and SortedList (hashed
 * tables of key/value pairs, emu_heap.c), strings and the ASCII, UTF-8 and UTF-16
 * encodings (non-ASCII text outside UTF-16 is refused). */
#include "dotnet/emu/emu_bcl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Hashtable ---- */
static mg_status hash_new(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return ret_ref(E, emu_new(E, O_HASH), ret);
}
static mg_status hash_set(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n, (void)ret;
    if (!obj_of(E, a[0], O_HASH))
        return emu_refuse(E, "Hashtable store on something not modelled");
    if (!emu_hash_put(E, a[0].ref, a[1], a[2]))
        return emu_heap_full(E); /* its pairs and index over the heap or array cap */
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
    mg_status st = emu_charge(E, 2 * total);
    if (st != MG_OK)
        return st;
    uint32_t r = emu_new_string16(E, NULL, 0);
    if (!r)
        return emu_heap_full(E);
    uint32_t out = emu_new_array(E, (uint32_t)total, 2, 'c', 0);
    if (!out)
        return emu_heap_full(E);
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
    mg_status st = x && y && x->len == y->len ? emu_charge(E, 2ull * x->len) : MG_OK;
    if (st != MG_OK)
        return st;
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
        return ret_ref(E, emu_new_string16(E, b->raw + off, (uint32_t)(len / 2)), ret);
    }
    for (int64_t i = 0; i < len; i++)
        if (b->raw[off + i] & 0x80)
            return emu_refuse(E, "Encoding.GetString of non-ASCII bytes");
    return ret_ref(E, emu_new_string(E, (const char *)b->raw + off, (size_t)len), ret);
}
static mg_status enc_getbytes(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)n;
    emu_obj *s = obj_of(E, a[1], O_STRING);
    if (!s)
        return emu_throw(E, "System.ArgumentNullException");
    if (enc_utf16(E, a[0])) {
        return ret_ref(E, emu_new_bytes(E, s->raw, s->len * 2), ret);
    }
    uint32_t r = emu_new_array(E, s->len, 1, 'u', 0);
    if (!r)
        return emu_heap_full(E);
    for (uint32_t i = 0; i < s->len; i++) {
        if (s->raw[2 * i + 1] || (s->raw[2 * i] & 0x80))
            return emu_refuse(E, "Encoding.GetBytes of non-ASCII text");
        E->obj[r]->raw[i] = s->raw[2 * i];
    }
    *ret = vref(r);
    return MG_OK;
}

const model emu_models_text[] = {
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
    {NULL, 0, NULL},
};
