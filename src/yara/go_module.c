/* go_module.c - the YARA `go` module: declarations, and load/unload, which
 * parse the scanned data once with libmalgopher (mg_file_open_mem) and fill
 * in every field.  The functions (go.function() ...) are in go_query.c.
 *
 * Fields describe the first Go image of the scanned data (a fat Mach-O has
 * one image per slice).  Only go.is_go is always defined; every other field
 * is undefined when the data is not Go or the value is unknown, so a rule
 * never sees a made-up value.  Lists cut by a bound (MG_FLAG_PARTIAL) leave
 * the values derived from them undefined.  The reference of every field is
 * docs/yara.md "Module `go`". */
#include "yara/go_module.h"
#include "known/known.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_NAME go
#include "yara/module_lifecycle.h"

/* YARA's declaration macros compare an int with a size_t */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
begin_declarations
    declare_integer("is_go");
    declare_string("version");
    declare_string("version_source");
    declare_string("pclntab_version");
    declare_string("goos");
    declare_string("goarch");
    declare_integer("stripped");
    declare_integer("number_of_functions");
    declare_string("gimphash");
    declare_string("gimpfuzzy");
    declare_integer("gimphash_names");
    declare_string("gimpset");
    declare_integer("gimpset_names");
    declare_string("main_package");
    declare_string("known");
    begin_struct("main_module")
        declare_string("path");
        declare_string("version");
        declare_string("sum");
    end_struct("main_module")
    declare_integer("number_of_dependencies");
    begin_struct_array("dependencies")
        declare_string("path");
        declare_string("version");
        declare_string("sum");
        declare_string("replace_path");
        declare_string("replace_version");
    end_struct_array("dependencies")
    declare_function("dependency", "r", "i", mg_go_fn_dependency);
    declare_function("build_setting", "s", "s", mg_go_fn_build_setting);
    declare_function("function", "s", "i", mg_go_fn_function_name);
    declare_function("function", "r", "i", mg_go_fn_function_regex);
    declare_function("package", "s", "i", mg_go_fn_package);
    declare_integer("number_of_types");
    declare_integer("number_of_itabs");
    declare_string("build_id");
    declare_function("type", "s", "i", mg_go_fn_type_name);
    declare_function("type", "r", "i", mg_go_fn_type_regex);
    declare_function("itab", "ss", "i", mg_go_fn_itab);
    declare_function("type_field", "ss", "i", mg_go_fn_type_field);
    declare_function("type_field", "rr", "i", mg_go_fn_type_field_regex);
    declare_function("field_tag", "r", "i", mg_go_fn_field_tag);
end_declarations
#pragma GCC diagnostic pop

MG_YARA_STATELESS_MODULE

const mg_go_state *mg_go_state_of(YR_OBJECT *module_object)
{
    const mg_go_state *s = module_object ? module_object->data : NULL;
    return s && s->im ? s : NULL;
}

/* "1.20" style name of the first Go release of a pclntab layout */
static const char *pclntab_version(mg_pclntab_gen g)
{
    switch (g) {
    case MG_PCLN_12: return "1.2";
    case MG_PCLN_116: return "1.16";
    case MG_PCLN_118: return "1.18";
    case MG_PCLN_120: return "1.20";
    default: return NULL;
    }
}

/* Set a string field only when there is a value: "" stays undefined.  The
 * field is a libyara lookup pattern (a literal), not a printf format: it
 * knows only "[%i]" (an int argument) and "[%s]". */
#define SET_STR(m, value, field)                                                    \
    do {                                                                            \
        const char *v_ = (value);                                                   \
        if (v_ && v_[0])                                                            \
            yr_object_set_string(v_, strlen(v_), (m), field);                       \
    } while (0)

/* dependencies[i].FIELD */
#define SET_DEP(m, value, i, field)                                                 \
    do {                                                                            \
        if ((value) && (value)[0])                                                  \
            yr_object_set_string((value), strlen(value), (m),                       \
                                 "dependencies[%i]." field, (int)(i));               \
    } while (0)

static void fill_buildinfo(YR_OBJECT *m, const mg_buildinfo *bi, bool complete)
{
    if (!bi->present)
        return;
    SET_STR(m, bi->path, "main_package");
    SET_STR(m, bi->main.path, "main_module.path");
    SET_STR(m, bi->main.version, "main_module.version");
    SET_STR(m, bi->main.sum, "main_module.sum");
    if (complete)
        set_integer((int64_t)bi->ndeps, m, "number_of_dependencies");
    for (size_t i = 0; i < bi->ndeps && i < INT_MAX; i++) {
        const mg_module *d = &bi->deps[i];
        SET_DEP(m, d->path, i, "path");
        SET_DEP(m, d->version, i, "version");
        SET_DEP(m, d->sum, i, "sum");
        SET_DEP(m, d->replace_path, i, "replace_path");
        SET_DEP(m, d->replace_version, i, "replace_version");
    }
}

/* go.known: the program the known-programs reference names (docs/known.md),
 * "" when none (or no reference: the front end configures it) */
static void fill_known(YR_OBJECT *m, const mg_image *im)
{
    const mg_known *k = mg_known_default(NULL);
    mg_known_hit h[2];
    int n = k ? mg_known_lookup_image(k, im, NULL, h) : 0;
    const char *name = n > 0 ? h[0].rec->name : "";
    yr_object_set_string(name, strlen(name), m, "known");
}

static void fill(YR_OBJECT *m, const mg_go_state *s)
{
    const mg_image *im = s->im;
    SET_STR(m, im->go_version, "version");
    if (im->version_source != MG_VSRC_NONE && im->go_version[0])
        SET_STR(m, mg_version_source_name(im->version_source), "version_source");
    SET_STR(m, pclntab_version(im->pclntab_gen), "pclntab_version");
    SET_STR(m, im->os, "goos");
    SET_STR(m, im->arch, "goarch");
    set_integer(im->stripped ? 1 : 0, m, "stripped");
    if (s->complete) {
        set_integer((int64_t)im->nfuncs, m, "number_of_functions");
        set_integer((int64_t)im->gimp_names, m, "gimphash_names");
        if (!(im->flags & MG_FLAG_NO_NAMES)) {
            SET_STR(m, im->gimphash, "gimphash");
            SET_STR(m, im->gimpfuzzy, "gimpfuzzy");
        }
        set_integer((int64_t)im->gimpset_names, m, "gimpset_names");
        if (im->gimpset_names) /* the empty-set digest is not a fingerprint */
            SET_STR(m, im->gimpset, "gimpset");
        fill_known(m, im);
    }
    fill_buildinfo(m, &im->buildinfo, s->complete);
}

/* the runtime types (go_types_query.c reads them): counts and build ID;
 * the counts stay undefined when the list is partial */
static void fill_types(YR_OBJECT *m, mg_go_state *s)
{
    size_t i = (size_t)(s->im - mg_file_image(s->file, 0));
    mg_error e;
    if (mg_file_types(s->file, i, &s->types, &e) != MG_OK) {
        s->types = NULL;
        return;
    }
    SET_STR(m, s->types->build_id, "build_id");
    if (!s->types->partial && s->types->moduledata_found) {
        set_integer((int64_t)s->types->ntypes, m, "number_of_types");
        set_integer((int64_t)s->types->nitabs, m, "number_of_itabs");
    }
}

int module_load(YR_SCAN_CONTEXT *context, YR_OBJECT *module_object, void *module_data,
                size_t module_data_size)
{
    (void)module_data;
    (void)module_data_size;
    set_integer(0, module_object, "is_go");

    YR_MEMORY_BLOCK *block = first_memory_block(context);
    const uint8_t *data = block ? block->fetch_data(block) : NULL;
    if (!data || block->size == 0)
        return ERROR_SUCCESS; /* empty or unreadable: not Go */

    mg_go_state *s = calloc(1, sizeof *s);
    if (!s)
        return ERROR_INSUFFICIENT_MEMORY;
    module_object->data = s;
    mg_error err;
    /* the scan's time limit (-a) bounds the parse too: what is left of it */
    mg_limits lim = {0, 0};
    if (context->timeout) {
        uint64_t spent = yr_stopwatch_elapsed_ns(&context->stopwatch);
        if (spent >= context->timeout)
            return ERROR_SCAN_TIMEOUT;
        lim.seconds = (double)(context->timeout - spent) / 1e9;
    }
    /* the module exposes neither entry addresses nor obfuscation signals:
     * skip their cost (the text-start search, the name scoring) */
    mg_status st = mg_file_open_mem_limits(data, block->size,
                                           MG_OPT_NO_ENTRIES | MG_OPT_NO_OBFUSCATION, &lim,
                                           &s->file, &err);
    if (st == MG_ERR_TOO_COSTLY) {
        if (strstr(err.msg, "time limit"))
            return ERROR_SCAN_TIMEOUT;
        set_integer(YR_UNDEFINED, module_object, "is_go"); /* unknown, not "no" */
        return ERROR_SUCCESS;
    }
    if (st != MG_OK)
        return ERROR_SUCCESS; /* not an executable we can read: not Go */
    for (size_t i = 0; i < mg_file_image_count(s->file); i++) {
        const mg_image *im = mg_file_image(s->file, i);
        if (im->is_go) {
            s->im = im;
            break;
        }
    }
    if (!s->im)
        return ERROR_SUCCESS;
    s->complete = !(s->im->flags & MG_FLAG_PARTIAL);
    set_integer(1, module_object, "is_go");
    fill(module_object, s);
    fill_types(module_object, s);
    return ERROR_SUCCESS;
}

int module_unload(YR_OBJECT *module_object)
{
    mg_go_state *s = module_object->data;
    if (s) {
        mg_types_free(s->types);
        mg_file_close(s->file);
        free(s);
        module_object->data = NULL;
    }
    return ERROR_SUCCESS;
}
