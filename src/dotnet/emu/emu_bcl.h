/* emu_bcl.h - the framework models of the CIL emulator, shared by the
 * files that hold them: the model table type, small helpers, and each
 * file's table (emu_bcl.c dispatches over all of them). */
#ifndef MG_DOTNET_EMU_BCL_H
#define MG_DOTNET_EMU_BCL_H
#include "dotnet/emu/emu.h"

typedef mg_status (*model_fn)(emu *E, emu_val *a, uint32_t n, emu_val *ret);

typedef struct model {
    const char *key; /* "System.IO.BinaryReader::ReadInt32"; NULL ends a table */
    int nparams;     /* -1: any */
    model_fn fn;
} model;

/* reflection, type checks, the nag, misc (emu_bcl.c) */
extern const model emu_models_main[];
/* IntPtr, Marshal over the sandbox memory (emu_bcl_interop.c) */
extern const model emu_models_interop[];
/* resources, streams, BinaryReader, arrays, Buffer, BitConverter (emu_bcl_io.c) */
extern const model emu_models_io[];
/* Hashtable, SortedList, strings, encodings (emu_bcl_text.c) */
extern const model emu_models_text[];
/* the process, its modules and versions, Convert, delegates (emu_bcl_process.c) */
extern const model emu_models_process[];

static inline emu_obj *obj_of(emu *E, emu_val v, uint8_t kind)
{
    emu_obj *o = v.k == V_REF ? emu_o(E, v.ref) : NULL;
    return o && o->kind == kind ? o : NULL;
}

static inline mg_status new_model(emu *E, const char *tag, int64_t a, emu_val *ret)
{
    uint32_t r = emu_new(E, O_MODEL);
    if (!r)
        return emu_heap_full(E);
    E->obj[r]->tag = tag;
    E->obj[r]->a = a;
    *ret = vref(r);
    return MG_OK;
}

/* *ret = the new object r, or the heap is full (r 0) */
static inline mg_status ret_ref(emu *E, uint32_t r, emu_val *ret)
{
    if (!r)
        return emu_heap_full(E);
    *ret = vref(r);
    return MG_OK;
}

/* the shapes most models take, one line each:
 * VALUE_MODEL  the result is one expression of E and the arguments a
 * TAG_MODEL    the result is a new O_MODEL object (tag, a value)
 * BIND_MODEL   fn(E, a, k, ret) for a constant k: the variants of one model */
#define VALUE_MODEL(name, expr)                                                \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)E, (void)a, (void)n;                                             \
        *ret = (expr);                                                         \
        return MG_OK;                                                          \
    }
#define TAG_MODEL(name, tag, value)                                            \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)a, (void)n;                                                      \
        return new_model(E, tag, value, ret);                                  \
    }
#define BIND_MODEL(name, fn, k)                                                \
    static mg_status name(emu *E, emu_val *a, uint32_t n, emu_val *ret)        \
    {                                                                          \
        (void)n;                                                               \
        return fn(E, a, k, ret);                                               \
    }

static inline int64_t num(emu_val v)
{
    return v.k == V_I4 ? (int32_t)v.i : v.i;
}

static inline emu_val deref(emu_val v)
{
    return v.k == V_BYREF && v.p ? *v.p : v;
}
#endif
