/* module_table.c - the YARA module table of the malgopher scanner.
 *
 * YARA cannot load modules at run time: libyara's own modules.o holds a
 * fixed table and the five functions that walk it.  This file defines those
 * five functions (yr_modules_initialize, yr_modules_finalize,
 * yr_modules_do_declarations, yr_modules_load, yr_modules_unload_all) over
 * a table listing every module Debian's libyara.a defines plus our `go` and
 * `fuzzy`.  Linked as an object BEFORE libyara.a, it satisfies every
 * reference to those symbols, so the archive's modules.o is never pulled in
 * (docs/design.md "YARA module table").  tests/yara/test_module_table.sh checks the list
 * against `nm libyara.a`.  The names yr_* are libyara's, not ours. */
#include "yara/mg_yara.h"

#include <yara/hash.h>
#include <yara/modules.h>

/* each module provides these five functions, named NAME__declarations etc. */
#define MG_DECLARE_MODULE(name)                                                    \
    int name##__declarations(YR_OBJECT *module);                                   \
    int name##__load(YR_SCAN_CONTEXT *context, YR_OBJECT *module, void *data,      \
                     size_t size);                                                 \
    int name##__unload(YR_OBJECT *module);                                         \
    int name##__initialize(YR_MODULE *module);                                     \
    int name##__finalize(YR_MODULE *module);

#define MG_MODULE_ENTRY(name)                                                      \
    {#name, name##__declarations, name##__load, name##__unload, name##__initialize, \
     name##__finalize},

/* Debian's libyara 4.2.3 (configured with cuckoo, magic, dotnet, macho,
 * dex and hash) and ours.  Keep the two lists in step. */
#define MG_ALL_MODULES(X)                                                          \
    X(tests) X(pe) X(elf) X(math) X(time) X(console) X(dotnet) X(cuckoo)           \
    X(magic) X(hash) X(macho) X(dex) X(go) X(fuzzy)

MG_ALL_MODULES(MG_DECLARE_MODULE)

static YR_MODULE table[] = {MG_ALL_MODULES(MG_MODULE_ENTRY)};

#define NMODULES (sizeof table / sizeof *table)

size_t mg_yara_module_count(void)
{
    return NMODULES;
}

const char *mg_yara_module_name(size_t i)
{
    return i < NMODULES ? table[i].name : NULL;
}

static YR_MODULE *find(const char *name)
{
    for (size_t i = 0; i < NMODULES; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

int yr_modules_initialize(void)
{
    for (size_t i = 0; i < NMODULES; i++) {
        int r = table[i].initialize(&table[i]);
        if (r != ERROR_SUCCESS)
            return r;
    }
    return ERROR_SUCCESS;
}

int yr_modules_finalize(void)
{
    for (size_t i = 0; i < NMODULES; i++) {
        int r = table[i].finalize(&table[i]);
        if (r != ERROR_SUCCESS)
            return r;
    }
    return ERROR_SUCCESS;
}

int yr_modules_do_declarations(const char *module_name, YR_OBJECT *main_structure)
{
    YR_MODULE *m = find(module_name);
    return m ? m->declarations(main_structure) : ERROR_UNKNOWN_MODULE;
}

/* Called by the scanner for each module a rule set imports, once per scan:
 * create the module's root object, let the caller supply module data
 * (CALLBACK_MSG_IMPORT_MODULE), declare the fields, register the object and
 * let the module fill it in. */
int yr_modules_load(const char *module_name, YR_SCAN_CONTEXT *context)
{
    if (yr_hash_table_lookup(context->objects_table, module_name, NULL))
        return ERROR_SUCCESS; /* already loaded for this scan */
    YR_MODULE *m = find(module_name);
    if (!m)
        return ERROR_UNKNOWN_MODULE;

    YR_OBJECT *root;
    int r = yr_object_create(OBJECT_TYPE_STRUCTURE, module_name, NULL, &root);
    if (r != ERROR_SUCCESS)
        return r;
    /* every object the module creates below inherits this canary; the
     * executor refuses objects whose canary differs from the scan's */
    yr_object_set_canary(root, context->canary);

    YR_MODULE_IMPORT mi = {module_name, NULL, 0};
    if (context->callback(context, CALLBACK_MSG_IMPORT_MODULE, &mi, context->user_data) ==
        CALLBACK_ERROR) {
        yr_object_destroy(root);
        return ERROR_CALLBACK_ERROR;
    }
    r = m->declarations(root);
    if (r == ERROR_SUCCESS)
        r = yr_hash_table_add(context->objects_table, module_name, NULL, root);
    if (r != ERROR_SUCCESS) {
        yr_object_destroy(root);
        return r;
    }
    /* from here the object belongs to the table: yr_modules_unload_all frees it */
    r = m->load(context, root, mi.module_data, mi.module_data_size);
    if (r != ERROR_SUCCESS)
        return r;
    if (context->callback(context, CALLBACK_MSG_MODULE_IMPORTED, root, context->user_data) ==
        CALLBACK_ERROR)
        return ERROR_CALLBACK_ERROR;
    return ERROR_SUCCESS;
}

int yr_modules_unload_all(YR_SCAN_CONTEXT *context)
{
    for (size_t i = 0; i < NMODULES; i++) {
        YR_OBJECT *root = yr_hash_table_remove(context->objects_table, table[i].name, NULL);
        if (root) {
            table[i].unload(root);
            yr_object_destroy(root);
        }
    }
    return ERROR_SUCCESS;
}
