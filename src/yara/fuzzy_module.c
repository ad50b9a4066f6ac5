/* fuzzy_module.c - the YARA `fuzzy` module: ssdeep similarity in rules.
 *   fuzzy.compare(d1, d2)        libfuzzy's fuzzy_compare score 0-100; 0 when
 *                                either digest is malformed
 *   fuzzy.gimpset_compare(d1, d2) mg_gimpset_compare 0-100; 0 when either
 *                                digest is malformed
 *   fuzzy.ssdeep()               ssdeep of the whole scanned data
 *   fuzzy.ssdeep(offset, size)   ssdeep of that range (undefined if outside)
 * ssdeep of the data is a function, not a field, so that it is computed
 * only when a rule calls it: YARA's module API fills fields when a module is
 * loaded, i.e. for every scan of a rule set that imports the module, used or
 * not.  The whole-data digest is computed once per scan and kept. */
#include "malgopher.h"

#include <fuzzy.h>
#include <stdlib.h>
#include <string.h>
#include <yara/modules.h>

#define MODULE_NAME fuzzy
#include "yara/module_lifecycle.h"

/* per-scan state in the module object's data */
typedef struct fuzzy_state_data {
    bool have_whole;
    bool whole_ok;
    char whole[FUZZY_MAX_RESULT];
} fuzzy_state_data;

static int ret_str(YR_OBJECT_FUNCTION *fn, const char *s)
{
    return yr_object_set_string(s, s ? strlen(s) : 0, fn->return_obj, NULL);
}

/* the scanned data spans [*lo, *hi): first block's base to the last end
 * (0, 0 when there is no block at all) */
static void data_extent(YR_SCAN_CONTEXT *ctx, uint64_t *lo, uint64_t *hi)
{
    YR_MEMORY_BLOCK *b;
    YR_MEMORY_BLOCK_ITERATOR *it = ctx->iterator;
    *lo = UINT64_MAX;
    *hi = 0;
    foreach_memory_block(it, b)
    {
        if (b->base < *lo)
            *lo = b->base;
        if (b->base + b->size > *hi)
            *hi = b->base + b->size;
    }
    if (*lo == UINT64_MAX)
        *lo = *hi = 0;
}

/* ssdeep of [off, off + size) of the scanned data, which may come in several
 * memory blocks; false when the range is not wholly and contiguously there */
static bool ssdeep_range(YR_SCAN_CONTEXT *ctx, uint64_t off, uint64_t size, char *out)
{
    uint64_t lo, hi, pos = off, end = off + size;
    YR_MEMORY_BLOCK *b;
    YR_MEMORY_BLOCK_ITERATOR *it = ctx->iterator;
    data_extent(ctx, &lo, &hi);
    if (end < off || off < lo || end > hi)
        return false;
    struct fuzzy_state *st = fuzzy_new();
    if (!st)
        return false;
    fuzzy_set_total_input_length(st, size);
    bool ok = true;
    foreach_memory_block(it, b)
    {
        if (pos >= end)
            break;
        if (b->base > pos) { /* a gap before this block */
            ok = false;
            break;
        }
        if (pos >= b->base + b->size)
            continue;
        const uint8_t *d = b->fetch_data(b);
        if (!d) {
            ok = false;
            break;
        }
        uint64_t take = b->base + b->size - pos;
        if (take > end - pos)
            take = end - pos;
        if (fuzzy_update(st, d + (pos - b->base), (size_t)take) != 0) {
            ok = false;
            break;
        }
        pos += take;
    }
    ok = ok && pos == end && fuzzy_digest(st, out, 0) == 0;
    fuzzy_free(st);
    return ok;
}

static int fn_ssdeep_all(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)args;
    fuzzy_state_data *s = yr_object_get_root((YR_OBJECT *)fn)->data;
    if (!s)
        return ret_str(fn, NULL);
    if (!s->have_whole) {
        uint64_t lo, hi;
        data_extent(ctx, &lo, &hi);
        s->whole_ok = ssdeep_range(ctx, lo, hi - lo, s->whole);
        s->have_whole = true;
    }
    return ret_str(fn, s->whole_ok ? s->whole : NULL);
}

static int fn_ssdeep_range(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    int64_t off = args[0].i, size = args[1].i;
    char out[FUZZY_MAX_RESULT];
    if (off < 0 || size < 0 || off > INT64_MAX - size)
        return ret_str(fn, NULL);
    return ret_str(fn, ssdeep_range(ctx, (uint64_t)off, (uint64_t)size, out) ? out : NULL);
}

static int fn_compare(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    /* fuzzy_compare reads C strings: a digest with an embedded NUL is malformed */
    const SIZED_STRING *a = args[0].ss, *b = args[1].ss;
    int score = -1;
    if (strlen(a->c_string) == a->length && strlen(b->c_string) == b->length)
        score = mg_fuzzy_compare(a->c_string, b->c_string);
    return yr_object_set_integer(score < 0 ? 0 : score, fn->return_obj, NULL);
}

static int fn_gimpset_compare(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn)
{
    (void)ctx;
    const SIZED_STRING *a = args[0].ss, *b = args[1].ss;
    int score = -1;
    if (strlen(a->c_string) == a->length && strlen(b->c_string) == b->length)
        score = mg_gimpset_compare(a->c_string, b->c_string);
    return yr_object_set_integer(score < 0 ? 0 : score, fn->return_obj, NULL);
}

begin_declarations
    declare_function("compare", "ss", "i", fn_compare);
    declare_function("gimpset_compare", "ss", "i", fn_gimpset_compare);
    declare_function("ssdeep", "", "s", fn_ssdeep_all);
    declare_function("ssdeep", "ii", "s", fn_ssdeep_range);
end_declarations

MG_YARA_STATELESS_MODULE

int module_load(YR_SCAN_CONTEXT *context, YR_OBJECT *module_object, void *module_data,
                size_t module_data_size)
{
    (void)context;
    (void)module_data;
    (void)module_data_size;
    /* nothing is computed here: see the top of the file */
    module_object->data = calloc(1, sizeof(fuzzy_state_data));
    return module_object->data ? ERROR_SUCCESS : ERROR_INSUFFICIENT_MEMORY;
}

int module_unload(YR_OBJECT *module_object)
{
    free(module_object->data);
    module_object->data = NULL;
    return ERROR_SUCCESS;
}
