/* listing.c - owns the list of the methods jit-unpack restores: for each
 * method whose body a JIT-hook packer stubbed (as unpack.c restores them),
 * its token, Type::Method name and the sizes of its IL and of its body's
 * code.  One scan of the input (jitpack.c); the names are read from the
 * #Strings heap through the checked accessors and cut at a fixed length. */
#include "dotnet/jit/jitpack.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* s[0..n) appended to out (cap bytes, NUL kept) at *k */
static void append(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
    while (n-- && *k + 1 < cap)
        out[(*k)++] = *s++;
    out[*k] = 0;
}

/* "Namespace.Type::Method", what of it can be read */
static void method_name(const mg_cli *c, uint32_t row, char *out, size_t cap)
{
    size_t k = 0;
    const char *s;
    size_t n;
    uint32_t idx, type = mg_method_owner(c, row);
    out[0] = 0;
    if (type && mg_tbl_get(c, MG_T_TYPEDEF, type, 2, &idx) && mg_cli_string(c, idx, &s, &n) && n) {
        append(out, cap, &k, s, n);
        append(out, cap, &k, ".", 1);
    }
    if (type && mg_tbl_get(c, MG_T_TYPEDEF, type, MG_TYPEDEF_NAME, &idx) && mg_cli_string(c, idx, &s, &n))
        append(out, cap, &k, s, n);
    append(out, cap, &k, "::", 2);
    if (mg_tbl_get(c, MG_T_METHODDEF, row, MG_METHOD_NAME, &idx) && mg_cli_string(c, idx, &s, &n))
        append(out, cap, &k, s, n);
}

mg_status mg_dotnet_jit_methods(const void *data, size_t size, mg_jit_method_info **out, size_t *n,
                                mg_error *err)
{
    *out = NULL;
    *n = 0;
    mg_cli c;
    mg_status st = mg_cli_open(data, size, &c, err);
    if (st != MG_OK)
        return st;
    mg_jit_scan s;
    if ((st = mg_jit_scan_run(&c, &s, err)) != MG_OK) {
        mg_cli_close(&c);
        return st;
    }
    mg_jit_method_info *v = mg_calloc(s.n ? s.n : 1, sizeof *v); /* s.n <= MethodDef rows: checked by the scan */
    if (!v)
        st = mg_fail(err, MG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; v && i < s.n; i++) {
        const mg_jit_method *m = &s.m[i];
        if (m->state != MG_JM_STUBBED && m->state != MG_JM_DIFFERENT) /* as unpack.c's restorable() */
            continue;
        mg_jit_method_info *e = &v[(*n)++];
        e->token = 0x06000000u | m->row;
        e->rva = m->rva;
        e->il_size = m->il_len;
        e->code_size = m->body.code_size;
        method_name(&c, m->row, e->name, sizeof e->name);
    }
    *out = v;
    mg_jit_scan_free(&s);
    mg_cli_close(&c);
    return st;
}
