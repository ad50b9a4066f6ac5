/* go_query.c - the functions of the YARA `go` module:
 *   go.function("exact.name") / go.function(/regex/)  number of functions
 *   go.package("import/path")                         1 if a function of it exists
 *   go.dependency(/regex/)                            1 if a dependency path matches
 *   go.build_setting("KEY")                           the build setting's value
 * They read the state go_module.c left in the module object: the file is
 * parsed once per scan, never here.  Results are undefined when the data is
 * not Go, when the build info they need is absent, and when a "no" could be
 * wrong because a list was cut by a bound. */
#include "yara/go_module.h"

#include <string.h>

static int ret_int(YR_OBJECT_FUNCTION *fn, int64_t v)
{
    return yr_object_set_integer(v, fn->return_obj, NULL);
}

static int ret_str(YR_OBJECT_FUNCTION *fn, const char *s)
{
    return yr_object_set_string(s, s ? strlen(s) : 0, fn->return_obj, NULL);
}

static const mg_go_state *state(YR_OBJECT_FUNCTION *fn)
{
    return mg_go_state_of(yr_object_get_root((YR_OBJECT *)fn));
}

/* regex search anywhere in s[0..n) (s need not be NUL-terminated) */
static int re_search(YR_SCAN_CONTEXT *ctx, RE *re, const char *s, size_t n, bool *hit)
{
    int matched = -1;
    int r = yr_re_exec(ctx, re->code, (const uint8_t *)s, n, 0, (int)(re->flags | RE_FLAGS_SCAN),
                       NULL, NULL, &matched);
    *hit = r == ERROR_SUCCESS && matched >= 0;
    return r;
}

int mg_go_fn_function_name(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_go_state *s = state(fn);
    if (!s || !s->complete)
        return ret_int(fn, YR_UNDEFINED);
    const SIZED_STRING *want = args[0].ss;
    int64_t n = 0;
    for (size_t i = 0; i < s->im->nfuncs; i++) {
        const mg_func *f = &s->im->funcs[i];
        if (f->name_len == want->length && memcmp(f->name, want->c_string, want->length) == 0)
            n++;
    }
    return ret_int(fn, n);
}

int mg_go_fn_function_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    const mg_go_state *s = state(fn);
    if (!s || !s->complete)
        return ret_int(fn, YR_UNDEFINED);
    RE *re = args[0].re;
    int64_t n = 0;
    for (size_t i = 0; i < s->im->nfuncs; i++) {
        bool hit;
        int r = re_search(ctx, re, s->im->funcs[i].name, s->im->funcs[i].name_len, &hit);
        if (r != ERROR_SUCCESS)
            return r;
        n += hit;
    }
    return ret_int(fn, n);
}

/* The linker writes a package path into symbol names escaped as Go's
 * objabi.PathToPrefix does: bytes <= ' ', '%', '"', bytes >= 0x7f, and
 * every '.' after the last '/', become %xx (lower-case hex).  So
 * gopkg.in/yaml.v2's functions are named gopkg.in/yaml%2ev2.F.  Writes the
 * escaped path and '.' to out; returns its length, or 0 if it does not fit. */
static size_t symbol_prefix(const char *path, size_t n, char *out, size_t cap)
{
    size_t slash = 0;
    bool has_slash = false;
    for (size_t i = 0; i < n; i++)
        if (path[i] == '/') {
            slash = i;
            has_slash = true;
        }
    static const char hex[] = "0123456789abcdef";
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        bool esc = c <= ' ' || c == '%' || c == '"' || c >= 0x7f ||
                   (c == '.' && (!has_slash || i > slash));
        if (w + 4 > cap)
            return 0;
        if (esc) {
            out[w++] = '%';
            out[w++] = hex[c >> 4];
            out[w++] = hex[c & 15];
        } else {
            out[w++] = (char)c;
        }
    }
    out[w++] = '.';
    return w;
}

int mg_go_fn_package(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_go_state *s = state(fn);
    const SIZED_STRING *want = args[0].ss;
    char prefix[1024];
    if (!s || want->length == 0)
        return ret_int(fn, YR_UNDEFINED);
    size_t plen = symbol_prefix(want->c_string, want->length, prefix, sizeof prefix);
    if (plen == 0)
        return ret_int(fn, s->complete ? 0 : YR_UNDEFINED);
    for (size_t i = 0; i < s->im->nfuncs; i++) {
        const mg_func *f = &s->im->funcs[i];
        if (f->name_len > plen && memcmp(f->name, prefix, plen) == 0)
            return ret_int(fn, 1);
    }
    return ret_int(fn, s->complete ? 0 : YR_UNDEFINED);
}

int mg_go_fn_dependency(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    const mg_go_state *s = state(fn);
    if (!s || !s->im->buildinfo.present)
        return ret_int(fn, YR_UNDEFINED);
    const mg_buildinfo *bi = &s->im->buildinfo;
    for (size_t i = 0; i < bi->ndeps; i++) {
        bool hit;
        int r = re_search(ctx, args[0].re, bi->deps[i].path, strlen(bi->deps[i].path), &hit);
        if (r != ERROR_SUCCESS)
            return r;
        if (hit)
            return ret_int(fn, 1);
    }
    return ret_int(fn, s->complete ? 0 : YR_UNDEFINED);
}

int mg_go_fn_build_setting(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const mg_go_state *s = state(fn);
    if (!s || !s->im->buildinfo.present)
        return ret_str(fn, NULL);
    const SIZED_STRING *key = args[0].ss;
    const mg_buildinfo *bi = &s->im->buildinfo;
    for (size_t i = 0; i < bi->nsettings; i++)
        if (strlen(bi->settings[i].key) == key->length &&
            memcmp(bi->settings[i].key, key->c_string, key->length) == 0)
            return ret_str(fn, bi->settings[i].value);
    return ret_str(fn, NULL);
}
