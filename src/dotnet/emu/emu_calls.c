/* emu_calls.c - the call instructions of the CIL emulator: call, callvirt
 * and newobj.  Methods of the assembly are interpreted (virtual calls
 * dispatched by name on the object's own type and its bases, explicit
 * interface implementations included), delegates of the assembly call their
 * target, delegates over native function pointers reach the native models,
 * framework methods and constructors go to the models of emu_bcl.c. */
#include "dotnet/emu/emu_frame.h"

#include <string.h>

static bool row_name(emu *E, uint32_t row, const char **s)
{
    uint32_t nm;
    size_t n;
    return mg_tbl_get(E->cli, MG_T_METHODDEF, row, MG_METHOD_NAME, &nm) &&
           mg_cli_string(E->cli, nm, s, &n);
}

/* the method of TypeDef t named name (or an explicit implementation
 * "Iface.name") with nparams parameters; searched up the base types of the
 * assembly */
static uint32_t find_in_type(emu *E, uint32_t t, const char *name, uint16_t nparams,
                             uint64_t *searched)
{
    for (unsigned hops = 0; t && hops < 16; hops++) {
        uint32_t first, last;
        if (!mg_type_methods(E->cli, t, &first, &last))
            return 0;
        *searched += last > first ? last - first : 0;
        for (uint32_t i = first; i < last; i++) {
            uint32_t row;
            const char *s;
            emu_ref r;
            if (!mg_method_at(E->cli, i, &row) || !row_name(E, row, &s))
                continue;
            size_t ls = strlen(s), ln = strlen(name);
            bool match = !strcmp(s, name) ||
                         (ls > ln && s[ls - ln - 1] == '.' && !strcmp(s + ls - ln, name));
            if (match && emu_member(E, 0x06000000u | row, &r) && r.nparams == nparams)
                return row;
        }
        uint32_t ext;
        if (!mg_tbl_get(E->cli, MG_T_TYPEDEF, t, 3, &ext) || (ext & 3) != 0)
            return 0;
        t = ext >> 2;
    }
    return 0;
}

static bool is_delegate_type(emu *E, uint32_t t)
{
    uint32_t ext;
    char name[160];
    if (!mg_tbl_get(E->cli, MG_T_TYPEDEF, t, 3, &ext))
        return false;
    static const uint8_t tabs[3] = {0x02, 0x01, 0x1b};
    if ((ext & 3) > 2 || !emu_type_name(E, ((uint32_t)tabs[ext & 3] << 24) | (ext >> 2), name,
                                        sizeof name))
        return false;
    return !strcmp(name, "System.MulticastDelegate") || !strcmp(name, "System.Delegate");
}

mg_status emu_do_call(emu *E, frame *F, uint32_t tok, int kind, uint32_t ipc)
{
    emu_ref r;
    /* resolving the token; a MethodPtr table is searched row by row */
    mg_status st = emu_charge_units(E, EMU_CALL_UNITS + E->cli->t.rows[MG_T_METHODPTR]);
    if (st != MG_OK)
        return st;
    if (!emu_member(E, tok, &r))
        return emu_refuse(E, "call of unreadable token 0x%08x at IL_%04x", tok, ipc);
    uint32_t nargs = r.nparams + ((r.has_this && kind != 2) ? 1u : 0u);
    emu_val args[65];
    if (nargs > 64 || nargs > F->sp)
        return emu_refuse(E, "call of %s::%s: %u arguments, %u on the stack", r.cls, r.name, nargs,
                          F->sp);
    F->sp -= nargs;
    memcpy(args + 1, F->stack + F->sp, nargs * sizeof *args);
    uint32_t row = 0;
    if (tok >> 24 == MG_T_METHODDEF)
        row = tok & 0xffffff;
    else if (r.cls_token >> 24 == MG_T_TYPEDEF) {
        uint64_t searched = 0;
        row = find_in_type(E, r.cls_token & 0xffffff, r.name, r.nparams, &searched);
        if ((st = emu_charge_units(E, searched)) != MG_OK)
            return st;
    }
    emu_val ret = {0};
    if (kind == 2) { /* newobj */
        if (row) {
            uint32_t t = mg_method_owner(E->cli, row);
            if (is_delegate_type(E, t)) {
                if (nargs != 2)
                    return emu_refuse(E, "delegate constructor with %u arguments", nargs);
                uint32_t o = emu_new(E, O_DELEGATE);
                if (!o)
                    return emu_heap_full(E);
                E->obj[o]->type = 0x02000000u | t;
                E->obj[o]->a = args[1].k == V_REF ? args[1].ref : 0;
                E->obj[o]->b = args[2].i;
                ret = vref(o);
            } else {
                if ((st = emu_type_init(E, t)) != MG_OK)
                    return st;
                uint32_t o = emu_new(E, O_FIELDS);
                if (!o)
                    return emu_heap_full(E);
                E->obj[o]->type = 0x02000000u | t;
                args[0] = vref(o);
                emu_val dummy;
                if ((st = emu_call(E, row, args, nargs + 1, &dummy)) != MG_OK)
                    return st;
                ret = vref(o);
            }
        } else if ((st = emu_bcl_call(E, &r, args + 1, nargs, true, &ret)) != MG_OK)
            return st;
        F->stack[F->sp++] = ret; /* room: the arguments were popped */
        if (nargs == 0 && F->sp > F->maxs)
            return emu_refuse(E, "stack overflow at IL_%04x", ipc);
        return MG_OK;
    }
    emu_obj *self = (r.has_this && nargs && args[1].k == V_REF) ? emu_o(E, args[1].ref) : NULL;
    if (self && self->kind == O_DELEGATE && !strcmp(r.name, "Invoke") &&
        (uint64_t)self->b >= EMU_NATIVE_FUNC && (uint64_t)self->b < EMU_NATIVE_FUNC + 32 * 16) {
        uint32_t i = (uint32_t)((uint64_t)self->b - EMU_NATIVE_FUNC) / 16;
        if (i >= E->nnative)
            return emu_refuse(E, "delegate over an unknown native function");
        st = emu_native_call(E, E->native[i], args + 2, nargs - 1, &ret);
    } else if (self && self->kind == O_DELEGATE && !strcmp(r.name, "Invoke")) {
        uint32_t target = (uint32_t)self->b;
        if (target >> 24 != MG_T_METHODDEF)
            return emu_refuse(E, "delegate to a method outside the assembly");
        emu_method *tm;
        if ((st = emu_method_load(E, target & 0xffffff, &tm)) != MG_OK)
            return st;
        if (tm->has_this)
            args[1] = vref((uint32_t)self->a);
        else {
            memmove(args + 1, args + 2, (nargs - 1) * sizeof *args);
            nargs--;
        }
        st = emu_call(E, target & 0xffffff, args + 1, nargs, &ret);
    } else if (kind == 1 && self && self->kind == O_FIELDS && self->type >> 24 == MG_T_TYPEDEF) {
        uint64_t searched = 0;
        uint32_t v = find_in_type(E, self->type & 0xffffff, r.name, r.nparams, &searched);
        if ((st = emu_charge_units(E, searched)) != MG_OK)
            return st;
        if (!v && row)
            v = row;
        if (!v)
            return emu_refuse(E, "virtual call of %s::%s on an object of the assembly", r.cls,
                              r.name);
        st = emu_call(E, v, args + 1, nargs, &ret);
    } else if (row)
        st = emu_call(E, row, args + 1, nargs, &ret);
    else
        st = emu_bcl_call(E, &r, args + 1, nargs, false, &ret);
    if (st != MG_OK)
        return st;
    if (!r.ret_void) {
        if (ret.k == V_NONE)
            ret.k = r.ret_kind ? r.ret_kind : V_REF;
        if (r.ret_kind == V_I4 && ret.k != V_I4 && ret.k != V_REF)
            ret = vi4((int32_t)ret.i);
        F->stack[F->sp++] = ret;
    }
    return MG_OK;
}
