/* go_types_query.c - the `go` module's runtime-type functions:
 *   go.type("main.Config") / go.type(/regex/)    descriptors whose reflect string matches
 *   go.itab("io.Reader", "*main.conn")            1 if that itab exists, else 0
 *   go.type_field("main.Config", "C2")            1 if the struct has that field, else 0
 *   go.type_field(/type regex/, /field regex/)    struct fields matching both
 *   go.field_tag(/regex/)                         struct fields whose tag matches
 * Names are as reflect.Type.String() prints them (package name, not path).
 * They read the types go_module.c read once at load; undefined when the
 * data is not Go or the type list is partial (a "no" could be wrong). */
#include "yara/go_module.h"

#include <string.h>

static int ret_int(YR_OBJECT_FUNCTION *fn, int64_t v)
{
    return yr_object_set_integer(v, fn->return_obj, NULL);
}

static const mg_types *types_of(YR_OBJECT_FUNCTION *fn)
{
    const mg_go_state *s = mg_go_state_of(yr_object_get_root((YR_OBJECT *)fn));
    return s && s->types && s->types->moduledata_found && !s->types->partial ? s->types : NULL;
}

static bool eq(const char *a, const SIZED_STRING *b)
{
    return strlen(a) == b->length && memcmp(a, b->c_string, b->length) == 0;
}

static int re_hit(YR_SCAN_CONTEXT *ctx, RE *re, const char *s, bool *hit)
{
    int matched = -1;
    int r = yr_re_exec(ctx, re->code, (const uint8_t *)s, strlen(s), 0, (int)(re->flags | RE_FLAGS_SCAN), NULL,
                       NULL, &matched);
    *hit = r == ERROR_SUCCESS && matched >= 0;
    return r;
}

int mg_go_fn_type_name(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    int64_t n = 0;
    for (size_t i = 0; i < t->ntypes; i++)
        n += eq(t->types[i].name, args[0].ss);
    return ret_int(fn, n);
}

int mg_go_fn_type_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    int64_t n = 0;
    for (size_t i = 0; i < t->ntypes; i++) {
        bool hit;
        int r = re_hit(ctx, args[0].re, t->types[i].name, &hit);
        if (r != ERROR_SUCCESS)
            return r;
        n += hit;
    }
    return ret_int(fn, n);
}

static const char *name_at(const mg_types *t, uint64_t addr)
{
    long i = mg_types_find(t, addr);
    return i >= 0 ? t->types[i].name : "";
}

int mg_go_fn_itab(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    for (size_t i = 0; i < t->nitabs; i++)
        if (eq(name_at(t, t->itabs[i].iface), args[0].ss) && eq(name_at(t, t->itabs[i].type), args[1].ss))
            return ret_int(fn, 1);
    return ret_int(fn, 0);
}

int mg_go_fn_type_field(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    for (size_t i = 0; i < t->ntypes; i++) {
        const mg_gotype *g = &t->types[i];
        if (!eq(g->name, args[0].ss))
            continue;
        for (size_t k = 0; k < g->nfields; k++)
            if (eq(g->fields[k].name, args[1].ss))
                return ret_int(fn, 1);
    }
    return ret_int(fn, 0);
}

int mg_go_fn_type_field_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    int64_t n = 0;
    for (size_t i = 0; i < t->ntypes; i++) {
        const mg_gotype *g = &t->types[i];
        bool hit;
        if (!g->nfields)
            continue;
        int r = re_hit(ctx, args[0].re, g->name, &hit);
        if (r != ERROR_SUCCESS)
            return r;
        for (size_t k = 0; hit && k < g->nfields; k++) {
            bool fh;
            if ((r = re_hit(ctx, args[1].re, g->fields[k].name, &fh)) != ERROR_SUCCESS)
                return r;
            n += fh;
        }
    }
    return ret_int(fn, n);
}

int mg_go_fn_field_tag(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    const mg_types *t = types_of(fn);
    if (!t)
        return ret_int(fn, YR_UNDEFINED);
    int64_t n = 0;
    for (size_t i = 0; i < t->ntypes; i++)
        for (size_t k = 0; k < t->types[i].nfields; k++) {
            const char *tag = t->types[i].fields[k].tag;
            bool hit;
            if (!tag[0])
                continue;
            int r = re_hit(ctx, args[0].re, tag, &hit);
            if (r != ERROR_SUCCESS)
                return r;
            n += hit;
        }
    return ret_int(fn, n);
}
