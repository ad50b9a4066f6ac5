/* go_module.h - private to the YARA `go` module: the per-scan state that
 * go_module.c builds when a file is loaded and go_query.c's functions read. */
#ifndef MG_YARA_GO_MODULE_H
#define MG_YARA_GO_MODULE_H

#include "malgopher.h"

#include <yara/modules.h>

/* Kept in the module object's `data` for the duration of one scan. */
typedef struct mg_go_state {
    mg_file *file;       /* parsed once per scanned file (NULL: not parsable) */
    const mg_image *im;  /* the image the module describes (first Go image), or NULL */
    bool complete;       /* function and module lists are whole (no MG_FLAG_PARTIAL) */
    mg_types *types;     /* the image's runtime types, or NULL when unreadable */
} mg_go_state;

/* the state of the scan a module function is called in, or NULL when the
 * scanned data is not Go */
const mg_go_state *mg_go_state_of(YR_OBJECT *module_object);

/* the module's functions (go_query.c); signatures are YARA's define_function */
int mg_go_fn_function_name(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_function_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_package(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_dependency(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_build_setting(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
/* go_types_query.c */
int mg_go_fn_type_name(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_type_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_itab(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_type_field(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_type_field_regex(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);
int mg_go_fn_field_tag(YR_VALUE *args, YR_SCAN_CONTEXT *ctx, YR_OBJECT_FUNCTION *fn);

#endif
