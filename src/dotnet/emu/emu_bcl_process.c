/* emu_bcl_process.c - framework models of the world the initializer
 * looks at: the process and its modules as a Windows CLR 4.8 presents them
 * (the sample and clrjit.dll 4.8.4515.0), System.Version, string case and
 * trimming, Convert, delegates over function pointers; and the Windows API
 * (LoadLibrary, the hook point; GetProcAddress; VirtualProtect) as fake
 * handles over nothing. */
#include "dotnet/emu/emu_bcl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the process as the sandbox presents it: the sample and the CLR JIT ---- */
enum { MOD_MAIN, MOD_JIT, MOD_COUNT };
static const char *const mod_name[MOD_COUNT] = {"sample.exe", "clrjit.dll"};
TAG_MODEL(process_get, "System.Diagnostics.Process", 0)
VALUE_MODEL(process_id, vi4(4242))
TAG_MODEL(process_main, "System.Diagnostics.ProcessModule", MOD_MAIN)
TAG_MODEL(process_modules, "System.Diagnostics.ProcessModuleCollection", 0)
TAG_MODEL(modules_enum, "ModuleEnumerator", -1)
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
/* ProcessModule's properties: its name, base, size, version information */
enum { MP_NAME, MP_BASE, MP_SIZE, MP_VERSION };
static mg_status module_prop(emu *E, emu_val *a, int what, emu_val *ret)
{
    emu_obj *m = module_of(E, a[0]);
    if (!m)
        return emu_refuse(E, "ProcessModule not modelled");
    if (what == MP_NAME)
        return ret_ref(E, emu_new_string(E, mod_name[m->a], strlen(mod_name[m->a])), ret);
    if (what == MP_VERSION)
        return new_model(E, "System.Diagnostics.FileVersionInfo", m->a, ret);
    *ret = what == MP_BASE ? vni(E, m->a == MOD_MAIN ? (int64_t)E->vbase : (int64_t)EMU_NATIVE_MODULE)
                           : vi4(m->a == MOD_MAIN ? (int32_t)E->vsize : 0x10000);
    return MG_OK;
}
BIND_MODEL(module_name, module_prop, MP_NAME)
BIND_MODEL(module_base, module_prop, MP_BASE)
BIND_MODEL(module_size, module_prop, MP_SIZE)
BIND_MODEL(module_version, module_prop, MP_VERSION)
/* the JIT of .NET Framework 4.8: 4.8.4515.0 (the sample: 1.0.0.0) */
static mg_status version_part(emu *E, emu_val *a, int part, emu_val *ret)
{
    emu_obj *v = model_of(E, a[0], "System.Diagnostics.FileVersionInfo");
    if (!v)
        return emu_refuse(E, "FileVersionInfo not modelled");
    static const int32_t jit[4] = {4, 8, 4515, 0}, app[4] = {1, 0, 0, 0};
    *ret = vi4(v->a == MOD_JIT ? jit[part] : app[part]);
    return MG_OK;
}
BIND_MODEL(fv_major, version_part, 0)
BIND_MODEL(fv_minor, version_part, 1)
BIND_MODEL(fv_build, version_part, 2)
BIND_MODEL(fv_private, version_part, 3)
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
BIND_MODEL(v_ge, version_cmp, 0)
BIND_MODEL(v_lt, version_cmp, 1)
BIND_MODEL(v_gt, version_cmp, 2)
BIND_MODEL(v_le, version_cmp, 3)
BIND_MODEL(v_eq, version_cmp, 4)
BIND_MODEL(v_ne, version_cmp, 5)
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
    return ret_ref(E, emu_new_string16(E, s->raw + 2 * b, e - b), ret);
}
static mg_status str_case(emu *E, emu_val *a, int upper, emu_val *ret)
{
    emu_obj *s = obj_of(E, a[0], O_STRING);
    if (!s)
        return emu_throw(E, "System.NullReferenceException");
    uint32_t r = emu_new_string16(E, s->raw, s->len);
    if (!r)
        return emu_heap_full(E);
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
BIND_MODEL(str_lower, str_case, 0)
BIND_MODEL(str_upper, str_case, 1)
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
        return emu_heap_full(E);
    E->obj[o]->a = 0;
    E->obj[o]->b = a[0].i;
    *ret = vref(o);
    return MG_OK;
}

const model emu_models_process[] = {
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
    {NULL, 0, NULL},
};

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
