/* emu_bcl.c - the framework methods the CIL emulator answers itself: a
 * table of models keyed by "Namespace.Type::Method" and parameter count.
 * Each model works only on the sandbox (the virtual image, the emulator's
 * heap, the assembly's own resources); nothing here reaches the host.  A
 * method not in the table stops the run with a message naming it. */
#include "dotnet/emu/emu_bcl.h"

#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reflection over the assembly itself ---- */
TAG_MODEL(type_from_handle, "System.Type", a[0].i)
TAG_MODEL(type_assembly, "System.Reflection.Assembly", 0)
TAG_MODEL(type_module, "System.Reflection.Module", 0)
TAG_MODEL(assembly_name, "System.Reflection.AssemblyName", 0)
static mg_status get_modules(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    uint32_t arr = emu_new_varray(E, 1);
    if (!arr)
        return emu_heap_full(E);
    mg_status st = new_model(E, "System.Reflection.Module", 0, &E->obj[arr]->vals[0]);
    *ret = vref(arr);
    return st;
}
VALUE_MODEL(get_hinstance, vni(E, (int64_t)E->vbase))
VALUE_MODEL(ret_false, vi4(0))
VALUE_MODEL(ret_null, vref(0))
VALUE_MODEL(intptr_size, vi4((int32_t)E->ptr))
VALUE_MODEL(get_handle_value, vni(E, deref(a[0]).i))
VALUE_MODEL(ref_eq, vi4(a[0].ref == a[1].ref))
VALUE_MODEL(ref_ne, vi4(a[0].ref != a[1].ref))
VALUE_MODEL(messagebox, vi4(1)) /* DialogResult.OK: the nag is acknowledged, nothing shown */
/* also the base constructor call on an object of the assembly */
static mg_status ret_nothing(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)E, (void)a, (void)n, (void)ret;
    return MG_OK;
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
    return ret_ref(E, emu_new_array(E, 0, 1, 'u', 0), ret);
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
/* the path the sandbox says the assembly was loaded from */
#define SANDBOX_PATH "C:\\sandbox\\sample.exe"
static mg_status assembly_location(emu *E, emu_val *a, uint32_t n, emu_val *ret)
{
    (void)a, (void)n;
    return ret_ref(E, emu_new_string(E, SANDBOX_PATH, strlen(SANDBOX_PATH)), ret);
}

const model emu_models_main[] = {
    {"System.Type::GetType", -1, type_gettype},
    {"System.Type::op_Inequality", 2, ref_ne},
    {"System.Type::op_Equality", 2, ref_eq},
    {"System.Reflection.Assembly::op_Inequality", 2, ref_ne},
    {"System.Reflection.Assembly::op_Equality", 2, ref_eq},
    {"System.Reflection.Module::op_Inequality", 2, ref_ne},
    {"System.Reflection.Module::op_Equality", 2, ref_eq},
    {"System.Reflection.Assembly::get_Location", 0, assembly_location},
    {"System.Windows.Forms.MessageBox::Show", -1, messagebox},
    {"System.Object::.ctor", 0, ret_nothing},
    {"System.Type::GetTypeFromHandle", 1, type_from_handle},
    {"System.Type::get_Assembly", 0, type_assembly},
    {"System.Type::get_Module", 0, type_module},
    {"System.Reflection.Assembly::GetName", 0, assembly_name},
    {"System.Reflection.AssemblyName::GetPublicKeyToken", 0, public_key_token},
    {"System.Reflection.Assembly::get_ManifestModule", 0, type_module},
    {"System.Reflection.Assembly::GetModules", 0, get_modules},
    {"System.Runtime.InteropServices.Marshal::GetHINSTANCE", 1, get_hinstance},
    {"System.IntPtr::get_Size", 0, intptr_size},
    {"System.IO.Stream::Close", 0, ret_nothing},
    {"System.IO.Stream::Dispose", 0, ret_nothing},
    {"System.IO.MemoryStream::Close", 0, ret_nothing},
    {"System.IDisposable::Dispose", 0, ret_nothing},
    {"System.IO.BinaryReader::Close", 0, ret_nothing},
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
    {NULL, 0, NULL},
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
        snprintf(key, sizeof key, "System.IntPtr::.ctor#ref");
    if (is_ctor && !strcmp(key, "System.Object::.ctor")) { /* a plain object (a lock) */
        return ret_ref(E, emu_new(E, O_FIELDS), ret);
    }
    uint32_t np = nargs - ((r->has_this && !is_ctor) ? 1u : 0u);
    static const model *const tables[] = {emu_models_main, emu_models_interop, emu_models_io,
                                          emu_models_text, emu_models_process};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const model *mo = tables[t]; mo->key; mo++)
            if (!strcmp(mo->key, key) && mo->fn && (mo->nparams < 0 || (uint32_t)mo->nparams == np))
                return mo->fn(E, args, nargs, ret);
    return emu_refuse(E, "framework method %s (%u parameters) not modelled", key, np);
}

mg_status emu_bcl_field(emu *E, const emu_ref *r, emu_val *out)
{
    if (!strcmp(r->cls, "System.IntPtr") && !strcmp(r->name, "Zero")) {
        *out = vni(E, 0);
        return MG_OK;
    }
    if (!strcmp(r->cls, "System.String") && !strcmp(r->name, "Empty")) {
        return ret_ref(E, emu_new_string(E, "", 0), out);
    }
    return emu_refuse(E, "framework field %s::%s not modelled", r->cls, r->name);
}
