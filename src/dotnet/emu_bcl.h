/* emu_bcl.h - the framework models of the CIL emulator, shared by the
 * files that hold them: the model table type, small helpers, and each
 * file's table (emu_bcl.c dispatches over all of them). */
#ifndef MG_DOTNET_EMU_BCL_H
#define MG_DOTNET_EMU_BCL_H
#include "emu.h"

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

static inline int64_t num(emu_val v)
{
    return v.k == V_I4 ? (int32_t)v.i : v.i;
}

static inline emu_val deref(emu_val v)
{
    return v.k == V_BYREF && v.p ? *v.p : v;
}
#endif
